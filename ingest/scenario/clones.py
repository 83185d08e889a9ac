"""A cloned plate: a second car carrying a real car's plate, read far away minutes later.

Plate cloning shows up in ANPR data as one plate at two cameras too far apart for the
time between the reads, on a car of another make and colour. The clone is driven by no
one in the population; the genuine car keeps its normal routine.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ingest.scenario.clock import DAY, day_start
from ingest.scenario.geo import distance_km
from ingest.scenario.model import Detection, Vehicle
from ingest.scenario.names import COLOURS, MAKES
from ingest.scenario.rng import derive_rng
from ingest.scenario.trips import plate_read
from ingest.scenario.world import World

CLONE_DAY_RATE = 0.6  # share of the genuine car's driving days on which the clone is read


@dataclass(frozen=True, slots=True)
class ClonePlan:
    person: str  # who drives the genuine car
    genuine: Vehicle
    clone: Vehicle  # same plate and country, another make and colour


def plan_clone(world: World) -> ClonePlan | None:
    person = world.hard.cloned
    genuine = world.driving(person, 0)
    if genuine is None:
        return None
    rng = derive_rng(world.seed, "clone")
    make = rng.choice([m for m in MAKES if m != genuine.make])
    colour = rng.choice([c for c, _ in COLOURS if c != genuine.colour])
    clone = Vehicle(genuine.plate, genuine.country, colour, make, genuine.vehicle_type)
    return ClonePlan(person, genuine, clone)


def _far_camera(world: World, read: Detection) -> str:
    """The roadside camera farthest from the genuine read."""
    here = read.camera
    return max(
        world.anpr, key=lambda c: (distance_km(here.lat, here.lon, c.lat, c.lon), c.slug)
    ).slug


def clone_reads(
    world: World, plan: ClonePlan, day: int, detections: list[Detection]
) -> list[tuple[Detection, Detection]]:
    """(genuine read, clone read) pairs planted on this day; at most one per day."""
    genuine = [
        d
        for d in detections
        if d.camera.kind == "hikvision" and d.vehicle == plan.genuine and d.read == d.vehicle.plate
    ]
    rng: random.Random = derive_rng(world.seed, "clone-reads", day)
    if not genuine or rng.random() >= CLONE_DAY_RATE:
        return []
    base = rng.choice(genuine)
    when = base.time + rng.uniform(90, 420)
    if when >= day_start(day) + DAY:
        return []
    camera = world.cameras[_far_camera(world, base)]
    direction = "forward" if rng.random() < 0.5 else "reverse"
    return [(base, plate_read(rng, camera, plan.clone, when, direction, clean=True))]
