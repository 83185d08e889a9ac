"""Planting recurring meetings: the ground truth for co-presence queries.

Two people meet weekly at a spot watched by a roadside ANPR camera, so both cars pass
that camera minutes apart on every occurrence. Only people with one stable car for the
whole scenario take part, so a meeting is always between the same two plates.
"""

from __future__ import annotations

import random

from ingest.scenario.clock import weekday
from ingest.scenario.model import Camera, Meeting, Place, Vehicle
from ingest.scenario.population import Population
from ingest.scenario.rng import derive_rng


def _stable_drivers(pop: Population) -> list[tuple[str, Vehicle]]:
    """People whose only drive spans the scenario, on a car nobody else drives."""
    days = max(d.end_day for d in pop.drives)
    per_person: dict[str, list[str]] = {}
    per_plate: dict[str, int] = {}
    for d in pop.drives:
        per_person.setdefault(d.person, []).append(d.plate)
        per_plate[d.plate] = per_plate.get(d.plate, 0) + 1
    full = {(d.person, d.plate) for d in pop.drives if d.start_day == 0 and d.end_day == days}
    cars = {v.plate: v for v in pop.vehicles}
    return [
        (person, cars[plates[0]])
        for person, plates in sorted(per_person.items())
        if len(plates) == 1 and per_plate[plates[0]] == 1 and (person, plates[0]) in full
    ]


def _meeting_camera(rng: random.Random, pop: Population, homes: tuple[str, str]) -> Camera:
    """A roadside camera away from both homes, so the meeting is a deliberate trip."""
    home_cams = {p.anpr for p in pop.places if p.id in homes}
    choices = [c for c in pop.anpr if c.slug not in home_cams] or list(pop.anpr)
    return rng.choice(choices)


def _spot(index: int, camera: Camera, rng: random.Random) -> Place:
    """The meeting place: a car park next to the camera (so the camera is on the way in)."""
    lat = round(camera.lat + rng.uniform(-0.0008, 0.0008), 6)
    lon = round(camera.lon + rng.uniform(-0.0012, 0.0012), 6)
    return Place(f"S{index:03d}", "spot", f"Parkeerplaats {camera.name}", lat, lon, camera.slug)


def plan_meetings(
    pop: Population, seed: int, wanted: int
) -> tuple[tuple[Meeting, ...], tuple[Place, ...]]:
    """Up to ``wanted`` meetings between disjoint pairs of stable drivers, weekly."""
    rng = derive_rng(seed, "meetings")
    candidates = _stable_drivers(pop)
    rng.shuffle(candidates)
    count = min(wanted, len(candidates) // 2)
    homes = {p.id: p.home for p in pop.people}
    meetings, spots = [], []
    for i in range(count):
        (a, car_a), (b, car_b) = candidates[2 * i], candidates[2 * i + 1]
        camera = _meeting_camera(rng, pop, (homes[a], homes[b]))
        spot = _spot(i + 1, camera, rng)
        day_of_week = rng.randrange(7)
        slot = rng.choice((12 * 60 + 15, 12 * 60 + 45, 18 * 60 + 45, 19 * 60 + 30, 20 * 60 + 15))
        first = next(d for d in range(7) if weekday(d) == day_of_week)
        meetings.append(
            Meeting(
                id=f"M{i + 1:02d}",
                people=(a, b),
                plates=(car_a, car_b),
                camera=camera.slug,
                place=spot.id,
                weekday=day_of_week,
                local_minute=slot,
                first_day=first,
            )
        )
        spots.append(spot)
    return tuple(meetings), tuple(spots)
