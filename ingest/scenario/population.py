"""Who lives where, works where, and drives what.

Built once per (scale, seed) and small even at medium scale (hundreds of people, tens of
thousands of background plates), so it is held in memory; only detections are streamed.
People get fixed routines so their movements repeat recognisably; a few switch cars and
hand the old one to a previously car-less person, so drives change over time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from ingest.scenario.cameras import anpr_cameras
from ingest.scenario.geo import nearest, random_point
from ingest.scenario.model import Camera, Drive, Person, Place, Routine, Vehicle
from ingest.scenario.names import (
    COLOURS,
    GIVEN_NAMES,
    HAUNT_KINDS,
    HAUNT_NAMES,
    MAKES,
    PRIVATE_TYPES,
    SURNAMES,
    TRAFFIC_TYPES,
    WORK_NAMES,
)
from ingest.scenario.plates import make_plate, pick_country
from ingest.scenario.rng import derive_rng
from ingest.scenario.scales import ScaleSpec


@dataclass(frozen=True, slots=True)
class Population:
    places: tuple[Place, ...]
    anpr: tuple[Camera, ...]
    people: tuple[Person, ...]
    vehicles: tuple[Vehicle, ...]  # vehicles driven by people
    drives: tuple[Drive, ...]
    background: tuple[Vehicle, ...]  # unrelated traffic that makes up the volume


def _place(pid: str, kind: str, name: str, rng: random.Random, anpr: tuple[Camera, ...]) -> Place:
    lat, lon = random_point(rng)
    return Place(pid, kind, name, lat, lon, nearest(anpr, lat, lon).slug)


def _sites(spec: ScaleSpec, rng: random.Random, anpr: tuple[Camera, ...]) -> list[Place]:
    """Workplaces (first a depot, then an office) and haunts (shops, gyms, …)."""
    places = []
    for i in range(spec.workplaces):
        kind = ("depot", "office")[i] if i < 2 else "work"
        name = f"{WORK_NAMES[i % len(WORK_NAMES)]} {rng.choice(SURNAMES)}"
        places.append(_place(f"W{i + 1:03d}", kind, name, rng, anpr))
    for i in range(spec.haunts):
        kind = HAUNT_KINDS[i % len(HAUNT_KINDS)]
        name = f"{rng.choice(HAUNT_NAMES[kind])} {rng.choice(SURNAMES)}"
        places.append(_place(f"H{i + 1:03d}", kind, name, rng, anpr))
    return places


def _routine(rng: random.Random, haunts: list[Place]) -> Routine:
    leave = 6 * 60 + 30 + rng.randrange(150)
    return Routine(
        leave_minute=leave,
        return_minute=leave + 480 + rng.randrange(-30, 61),
        errand_rate=round(rng.uniform(0.1, 0.4), 3),
        evening_rate=round(rng.uniform(0.05, 0.25), 3),
        haunts=tuple(sorted(p.id for p in rng.sample(haunts, min(3, len(haunts))))),
    )


def _dob(rng: random.Random) -> str:
    return (date(1958, 1, 1) + timedelta(days=rng.randrange(47 * 365))).isoformat()


def _unused_given_name(rng: random.Random, surname: str, taken: set[tuple[str, str]]) -> str:
    """A given name nobody else in the cast has with this surname. The name lists are
    short, so drawing freely gave one accidental namesake per ~30 people, far more than
    a real population has; namesakes are planted on purpose (hardcases) and measured."""
    free = [g for g in GIVEN_NAMES if (g, surname) not in taken]
    given = rng.choice(free or GIVEN_NAMES)
    taken.add((given, surname))
    return given


def _people(
    spec: ScaleSpec, rng: random.Random, anpr: tuple[Camera, ...], sites: list[Place]
) -> tuple[list[Person], list[Place]]:
    """People in households of one or two; each household gets a home place."""
    work = [p for p in sites if p.kind in ("depot", "office", "work")]
    weights = [3 if p.kind == "depot" else 2 if p.kind == "office" else 1 for p in work]
    haunts = [p for p in sites if p.kind in HAUNT_KINDS]
    homes: list[Place] = []
    people: list[Person] = []
    residents = 0
    taken: set[tuple[str, str]] = set()
    for i in range(spec.people):
        surname = rng.choice(SURNAMES)
        given = _unused_given_name(rng, surname, taken)
        if residents != 1 or rng.random() > 0.3:  # 30% of singles get a housemate
            homes.append(_place(f"R{len(homes) + 1:03d}", "home", f"Home {surname}", rng, anpr))
            residents = 0
        residents += 1
        job = rng.choices(work, weights)[0].id if rng.random() < 0.85 or i < 4 else None
        people.append(
            Person(
                id=f"P{i + 1:04d}",
                given_name=given,
                surname=surname,
                date_of_birth=_dob(rng),
                home=homes[-1].id,
                work=job,
                routine=_routine(rng, haunts),
            )
        )
    return people, homes


def _vehicle(rng: random.Random, taken: set[str], types: tuple[tuple[str, int], ...]) -> Vehicle:
    country = pick_country(rng)
    plate = make_plate(rng, country)
    while plate in taken:
        plate = make_plate(rng, country)
    taken.add(plate)
    colour = rng.choices([c for c, _ in COLOURS], [w for _, w in COLOURS])[0]
    vtype = rng.choices([t for t, _ in types], [w for _, w in types])[0]
    return Vehicle(plate, country.alpha2, colour, rng.choice(MAKES), vtype)


def _fleet(
    spec: ScaleSpec, rng: random.Random, people: list[Person], taken: set[str]
) -> tuple[list[Vehicle], list[Drive]]:
    """Cars and drives: most people drive one car all along; a few switch and hand over."""
    n = len(people)
    tail = list(range(min(4, n), n))  # the first people always drive one stable car
    carless = set(rng.sample(tail, max(1, round(0.08 * n))))
    switchers = rng.sample([i for i in tail if i not in carless], max(1, round(0.06 * n)))
    receivers = sorted(carless)
    vehicles: list[Vehicle] = []
    drives: list[Drive] = []
    for i, person in enumerate(people):
        if i in carless:
            continue
        car = _vehicle(rng, taken, PRIVATE_TYPES)
        vehicles.append(car)
        if i not in switchers:
            drives.append(Drive(person.id, car.plate, car.country, 0, spec.days))
            continue
        day = rng.randrange(spec.days // 4, max(spec.days // 4 + 1, 3 * spec.days // 4))
        new = _vehicle(rng, taken, PRIVATE_TYPES)
        vehicles.append(new)
        drives.append(Drive(person.id, car.plate, car.country, 0, day))
        drives.append(Drive(person.id, new.plate, new.country, day, spec.days))
        if receivers:
            heir = people[receivers.pop(0)].id
            drives.append(Drive(heir, car.plate, car.country, day, spec.days))
    drives.sort(key=lambda d: (d.person, d.start_day))
    return vehicles, drives


def build_population(spec: ScaleSpec, seed: int) -> Population:
    rng = derive_rng(seed, "population")
    anpr = anpr_cameras(seed, spec.anpr_cameras)
    sites = _sites(spec, rng, anpr)
    people, homes = _people(spec, rng, anpr, sites)
    taken: set[str] = set()
    vehicles, drives = _fleet(spec, derive_rng(seed, "fleet"), people, taken)
    bg_rng = derive_rng(seed, "background-vehicles")
    background = tuple(
        _vehicle(bg_rng, taken, TRAFFIC_TYPES) for _ in range(spec.background_vehicles)
    )
    return Population(
        places=(*homes, *sites),
        anpr=anpr,
        people=tuple(people),
        vehicles=tuple(vehicles),
        drives=tuple(drives),
        background=background,
    )
