"""Flights and trips abroad: who flies when, on which flight, with which passport.

A fictional carrier flies daily from Amsterdam to a few European airports and back; the
scenario writes one passenger manifest per flight per day. Some people make trips of a
few nights; while away their car stays at home (no plate reads) and their location
history shows the airport and the destination. One meeting pair flies together, and
the namesakes fly on different flights, so the manifests carry both dates of birth.
Trips never cover a traveller's meeting day.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from ingest.scenario.rng import derive_rng, token
from ingest.scenario.routines import meeting_today
from ingest.scenario.world import World

HOME_AIRPORT = ("AMS", 52.3105, 4.7683)
TRIPS_PER_PERSON_DAY = 1 / 300
COUNTRIES = ("NLD",) * 8 + ("BEL", "DEU", "GBR", "POL")


@dataclass(frozen=True, slots=True)
class Route:
    """Daily flights AMS -> ``code`` (``out``) and back (``back``); minutes are UTC."""

    code: str
    lat: float
    lon: float
    out: str
    back: str
    out_minute: int
    back_minute: int
    minutes: int  # block time


ROUTES: tuple[Route, ...] = (
    Route("LHR", 51.4700, -0.4543, "ZQ1201", "ZQ1202", 6 * 60 + 40, 16 * 60 + 55, 75),
    Route("BCN", 41.2974, 2.0833, "ZQ1311", "ZQ1312", 7 * 60 + 5, 14 * 60 + 30, 130),
    Route("WAW", 52.1657, 20.9671, "ZQ1421", "ZQ1422", 9 * 60 + 15, 13 * 60 + 50, 120),
    Route("LIS", 38.7756, -9.1354, "ZQ1531", "ZQ1532", 8 * 60 + 20, 15 * 60 + 10, 175),
    Route("ATH", 37.9364, 23.9445, "ZQ1641", "ZQ1642", 10 * 60 + 5, 15 * 60 + 40, 195),
    Route("IST", 41.2753, 28.7519, "ZQ1751", "ZQ1752", 7 * 60 + 30, 13 * 60 + 5, 210),
)


@dataclass(frozen=True, slots=True)
class Document:
    kind: str  # passport
    number: str
    country: str  # ISO 3166 alpha-3, as machine-readable documents write it


@dataclass(frozen=True, slots=True)
class Trip:
    id: str
    people: tuple[str, ...]  # one traveller, or two flying together
    route: Route
    out_day: int
    back_day: int  # the day of the return flight (away from out_day to back_day inclusive)

    def days(self) -> range:
        return range(self.out_day, self.back_day + 1)


@dataclass(frozen=True, eq=False)
class Travel:
    routes: tuple[Route, ...]
    trips: tuple[Trip, ...]
    documents: dict[str, Document]
    away: dict[int, frozenset[str]]  # day -> people away (no car, abroad)
    _by_person: dict[str, list[Trip]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for trip in self.trips:
            for person in trip.people:
                self._by_person.setdefault(person, []).append(trip)

    def trip_of(self, person: str, day: int) -> Trip | None:
        for trip in self._by_person.get(person, ()):
            if trip.out_day <= day <= trip.back_day:
                return trip
        return None


def _document(rng: random.Random, country: str) -> Document:
    letters = "ABCDEFGHIJKLMNPRSTUVWXYZ"
    number = "".join(rng.choices(letters, k=2)) + token(rng, 6, letters + "0123456789").upper()
    return Document("passport", number + str(rng.randrange(10)), country)


def _busy_days(world: World, person: str) -> set[int]:
    days = range(world.spec.days)
    meetings = [m for m in world.meetings if person in m.people]
    return {d for d in days for m in meetings if meeting_today(m, d)}


def _fit(
    rng: random.Random, world: World, people: tuple[str, ...], blocked: dict[str, set[int]]
) -> tuple[int, int] | None:
    """A free out/back day pair of 1-4 nights for everyone in ``people``, if any."""
    last = world.spec.days - 2
    for _ in range(40):
        out = rng.randrange(1, max(2, last))
        back = min(out + rng.randint(1, 4), last)
        span = set(range(out, back + 1))
        if back > out and not any(span & blocked[p] for p in people):
            return out, back
    return None


def _planned(world: World) -> list[tuple[str, ...]]:
    """Travellers that must fly: a meeting pair together, the name hard cases alone."""
    hard = world.hard
    groups: list[tuple[str, ...]] = []
    if world.meetings:
        groups.append(world.meetings[-1].people)
    groups.extend((p,) for p in (*hard.namesakes, hard.transliterated, hard.nicknamed))
    groups.append((hard.name_order,))
    return groups


def plan_travel(world: World) -> Travel:
    rng = derive_rng(world.seed, "travel")
    routes = ROUTES[: world.spec.routes]
    documents = {
        p.id: _document(rng, "UKR" if p.id == world.hard.transliterated else rng.choice(COUNTRIES))
        for p in world.people
    }
    blocked = {p.id: _busy_days(world, p.id) for p in world.people}
    extra = round(len(world.people) * world.spec.days * TRIPS_PER_PERSON_DAY)
    groups = _planned(world) + [(rng.choice(world.people).id,) for _ in range(extra)]
    trips: list[Trip] = []
    for index, group in enumerate(groups):
        fit = _fit(rng, world, group, blocked)
        if fit is None:
            continue
        route = routes[index % len(routes)]
        trips.append(Trip(f"T{len(trips) + 1:03d}", group, route, *fit))
        for person in group:
            blocked[person].update(range(fit[0] - 1, fit[1] + 2))
    away: dict[int, set[str]] = {}
    for trip in trips:
        for day in trip.days():
            away.setdefault(day, set()).update(trip.people)
    return Travel(routes, tuple(trips), documents, {d: frozenset(p) for d, p in away.items()})
