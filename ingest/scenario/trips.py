"""A car trip from one place to another, as the cameras along the way see it.

A trip passes the ANPR camera nearest its origin, one near the midpoint and the one
nearest its destination; Frigate cameras at the origin and destination see the car (and,
at homes and offices, the person) leave or arrive. Routines and meetings are built from
trips, so every sighting of a person's car follows from where that person went.
"""

from __future__ import annotations

import random

from ingest.scenario.geo import distance_km, nearest
from ingest.scenario.model import Camera, Detection, Leg, Place, Trace, Vehicle
from ingest.scenario.plates import misread
from ingest.scenario.world import World

MISREAD_RATE = 0.005
FRIGATE_LPR_RATE = 0.7
_FRACTIONS = {1: (0.5,), 2: (0.15, 0.85), 3: (0.12, 0.5, 0.88)}

# Frigate zones a resident's car / person enters, per kind of place watched.
ZONES: dict[str, dict[str, tuple[str, ...]]] = {
    "home": {"car": ("driveway",), "person": ("porch", "driveway")},
    "depot": {"car": ("gate", "yard"), "person": ("gate",)},
    "office": {"car": ("parking",), "person": ("entrance",)},
    "shop": {"car": ("loading_bay",), "person": ("backdoor",)},
}
_WALKERS = ("home", "office")  # places where Frigate also sees the person on foot


def travel_seconds(origin: Place, dest: Place) -> float:
    """Door-to-door time at town speeds (~33 km/h plus parking)."""
    return 240 + 110 * distance_km(origin.lat, origin.lon, dest.lat, dest.lon)


def _route_slugs(world: World, origin: Place, dest: Place) -> tuple[str, ...]:
    """ANPR cameras passed between two places (cached on the world; places are few)."""
    key = (origin.id, dest.id)
    cached = world.routes.get(key)
    if cached is not None:
        return cached
    mid = nearest(world.anpr, (origin.lat + dest.lat) / 2, (origin.lon + dest.lon) / 2).slug
    slugs = [origin.anpr]
    if mid not in (origin.anpr, dest.anpr):
        slugs.append(mid)
    if dest.anpr != origin.anpr:
        slugs.append(dest.anpr)
    world.routes[key] = tuple(slugs)
    return world.routes[key]


def plate_read(
    rng: random.Random,
    camera: Camera,
    vehicle: Vehicle,
    when: float,
    direction: str,
    clean: bool = False,
) -> Detection:
    """An ANPR read; ~0.5% are misread by one character with a low confidence."""
    if not clean and rng.random() < MISREAD_RATE:
        read, confidence = misread(rng, vehicle.plate), rng.randint(70, 79)
    else:
        read, confidence = vehicle.plate, rng.randint(82 if not clean else 90, 99)
    return Detection(float(int(when)), camera, "car", vehicle, read, confidence, direction)


def lpr(
    rng: random.Random, world: World, camera: Camera, vehicle: Vehicle
) -> tuple[str | None, int, str | None]:
    """Frigate's optional plate recognition: (read, score 0-100, known-plate sub_label)."""
    if rng.random() >= FRIGATE_LPR_RATE:
        return None, 0, None
    if rng.random() < 2 * MISREAD_RATE:
        return misread(rng, vehicle.plate), rng.randint(70, 84), None
    known = world.known_plates.get(camera.slug, {}).get(vehicle.plate)
    return vehicle.plate, rng.randint(85, 99), known


def frigate_seen(
    rng: random.Random,
    world: World,
    camera: Camera,
    label: str,
    when: float,
    vehicle: Vehicle | None,
) -> Detection:
    """A Frigate tracked object for someone coming or going at the camera's place."""
    kind = world.places[camera.place or ""].kind
    zones = ZONES.get(kind, ZONES["home"])[label]
    read, score, known = lpr(rng, world, camera, vehicle) if vehicle else (None, 0, None)
    duration = rng.uniform(8, 45) if label == "car" else rng.uniform(5, 30)
    return Detection(
        round(when, 6),
        camera,
        label,
        vehicle,
        read,
        score,
        "forward",
        zones,
        round(duration, 6),
        known,
    )


def _at_place(
    rng: random.Random,
    world: World,
    place: Place,
    when: float,
    vehicle: Vehicle,
    leaving: bool,
    out: list[Detection],
) -> None:
    for cam in world.place_cameras.get(place.id, ()):
        car_t = when - rng.uniform(0, 30) if leaving else when + rng.uniform(0, 20)
        out.append(frigate_seen(rng, world, cam, "car", car_t, vehicle))
        if place.kind in _WALKERS:
            walk = rng.uniform(60, 240) * (-1 if leaving else 1)
            out.append(frigate_seen(rng, world, cam, "person", car_t + walk, None))


def drive(
    rng: random.Random,
    world: World,
    vehicle: Vehicle,
    origin: Place,
    dest: Place,
    depart: float,
    out: Trace,
    fixed: tuple[str, float] | None = None,
) -> float:
    """Append the trip's sightings and its leg to ``out``; return the arrival time.

    ``fixed`` pins the read at one camera to an exact time with a clean read: that is how
    meetings plant co-presence that the ground truth can state exactly.
    """
    travel = travel_seconds(origin, dest)
    direction = "forward" if dest.lon >= origin.lon else "reverse"
    slugs = _route_slugs(world, origin, dest)
    points = [(depart, origin.lat, origin.lon)]
    for slug, fraction in zip(slugs, _FRACTIONS[len(slugs)], strict=True):
        camera = world.cameras[slug]
        if fixed and fixed[0] == slug:
            read = plate_read(rng, camera, vehicle, fixed[1], direction, clean=True)
        else:
            when = depart + fraction * travel + rng.uniform(-20, 20)
            read = plate_read(rng, camera, vehicle, when, direction)
        out.detections.append(read)
        points.append((read.time, camera.lat, camera.lon))
    _at_place(rng, world, origin, depart, vehicle, True, out.detections)
    _at_place(rng, world, dest, depart + travel, vehicle, False, out.detections)
    points.sort()
    points.append((max(depart + travel, points[-1][0] + 20.0), dest.lat, dest.lon))
    out.legs.append(Leg(out.person, origin.id, dest.id, "drive", tuple(points)))
    return depart + travel
