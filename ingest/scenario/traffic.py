"""Background traffic: the many unrelated vehicles and passers-by that make the volume.

Real camera feeds are mostly strangers; the people of interest are a thin signal in
them. Volume follows a daily curve with rush hours in local time, quieter weekends, and
commuters who pass the same camera habitually.
"""

from __future__ import annotations

import random
from dataclasses import replace
from itertools import accumulate

from ingest.scenario.clock import DAY, day_offset, day_start, weekday
from ingest.scenario.model import Camera, Detection
from ingest.scenario.rng import poisson
from ingest.scenario.trips import frigate_seen, plate_read
from ingest.scenario.world import World

# Relative traffic per local hour 00..23.
HOUR_PROFILE = (2, 1, 1, 1, 1, 3, 8, 16, 20, 14, 10, 10, 11, 10, 11, 13, 17, 20, 15, 10, 8, 6, 4, 3)
REGULAR_SHARE = 0.45
FRIGATE_MARGIN = 600  # Frigate objects start ≥10 min before midnight UTC: they end the same day
_HOURS = tuple(range(24))


def _cum_weights(offset_hours: int) -> tuple[int, ...]:
    """Cumulative weights per UTC hour for a given local offset."""
    return tuple(accumulate(HOUR_PROFILE[(h + offset_hours) % 24] for h in _HOURS))


_CUM = {1: _cum_weights(1), 2: _cum_weights(2)}


def _times(rng: random.Random, day: int, count: int, limit: int = DAY) -> list[float]:
    """``count`` instants in the UTC day, shaped by the local-time traffic curve."""
    base, cum = day_start(day), _CUM[day_offset(day) // 3600]
    hours = rng.choices(_HOURS, cum_weights=cum, k=count)
    return [base + min(h * 3600 + rng.random() * 3600, limit - 1) for h in hours]


def _mean(world: World, camera: Camera, day: int, per_day: float) -> float:
    return per_day * camera.busyness * (0.7 if weekday(day) >= 5 else 1.0)


def anpr_background(rng: random.Random, world: World, camera: Camera, day: int) -> list[Detection]:
    """Plate reads of unrelated vehicles at one roadside camera for one day."""
    pool, regulars = world.population.background, world.regulars[camera.slug]
    count = poisson(rng, _mean(world, camera, day, world.spec.anpr_background_per_day))
    out = []
    for when in _times(rng, day, count):
        if rng.random() < REGULAR_SHARE:
            vehicle = pool[rng.choice(regulars)]
        else:
            vehicle = pool[rng.randrange(len(pool))]
        direction = "forward" if rng.random() < 0.5 else "reverse"
        out.append(plate_read(rng, camera, vehicle, when, direction))
    return out


def frigate_background(
    rng: random.Random, world: World, camera: Camera, day: int
) -> list[Detection]:
    """Passers-by, deliveries and visitors' cars at one Frigate camera for one day."""
    pool, regulars = world.population.background, world.regulars[camera.slug]
    count = poisson(rng, _mean(world, camera, day, world.spec.frigate_background_per_day))
    out = []
    for when in _times(rng, day, count, DAY - FRIGATE_MARGIN):
        if rng.random() < 0.55:
            det = frigate_seen(rng, world, camera, "person", when, None)
        else:
            visitor = rng.random() < 0.3
            index = rng.choice(regulars) if visitor else rng.randrange(len(pool))
            det = frigate_seen(rng, world, camera, "car", when, pool[index])
        if rng.random() < 0.6:  # passing by on the street: in view, but in no zone
            det = replace(det, zones=())
        out.append(det)
    return out
