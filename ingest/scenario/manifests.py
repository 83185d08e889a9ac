"""Passenger lists of one day's flights: scenario travellers among strangers.

Every route flies out and back daily. Travellers appear under their passport name (the
transliterated person as "Aleksandr Gritsenkov", the surname-first hard case with the
surname first) with date of birth and passport; the other passengers are strangers
with invented names that never occur in the population.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from ingest.scenario.cast import Cast
from ingest.scenario.clock import day_start
from ingest.scenario.names import PASSENGER_GIVEN, PASSENGER_SURNAMES
from ingest.scenario.rng import derive_rng, token
from ingest.scenario.travel import COUNTRIES, HOME_AIRPORT, Route
from ingest.scenario.world import World

STRANGER_COUNTRIES = (*COUNTRIES, "ESP", "PRT", "GRC", "TUR", "FRA", "ITA")


@dataclass(frozen=True, slots=True)
class Passenger:
    name: str
    date_of_birth: str  # ISO date
    document: str
    country: str  # alpha-3
    person: str | None  # None for strangers


@dataclass(frozen=True, slots=True)
class Flight:
    number: str
    origin: str  # IATA
    destination: str
    departure: float  # epoch, UTC
    passengers: tuple[Passenger, ...]


def _stranger(rng: random.Random) -> Passenger:
    given, surname = rng.choice(PASSENGER_GIVEN), rng.choice(PASSENGER_SURNAMES)
    name = f"{surname} {given}" if rng.random() < 0.05 else f"{given} {surname}"
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(60 * 365))
    number = token(rng, 2, "ABCDEFGHJKLMNPRSTUVWXYZ").upper() + str(rng.randrange(10**6, 10**7))
    return Passenger(name, born.isoformat(), number, rng.choice(STRANGER_COUNTRIES), None)


def _traveller(world: World, cast: Cast, person: str) -> Passenger:
    doc = cast.travel.documents[person]
    born = world.persons[person].date_of_birth
    return Passenger(cast.names[person]["passport"], born, doc.number, doc.country, person)


def _flight(world: World, cast: Cast, route: Route, day: int, outbound: bool) -> Flight:
    number = route.out if outbound else route.back
    rng = derive_rng(world.seed, "passengers", number, day)
    aboard = [
        _traveller(world, cast, person)
        for trip in cast.travel.trips
        if (trip.out_day if outbound else trip.back_day) == day and trip.route == route
        for person in trip.people
    ]
    aboard.extend(_stranger(rng) for _ in range(rng.randint(40, 140)))
    rng.shuffle(aboard)
    minute = route.out_minute if outbound else route.back_minute
    ends = (HOME_AIRPORT[0], route.code) if outbound else (route.code, HOME_AIRPORT[0])
    return Flight(number, *ends, float(day_start(day) + minute * 60), tuple(aboard))


def day_flights(world: World, cast: Cast, day: int) -> list[Flight]:
    return [
        _flight(world, cast, route, day, outbound)
        for route in cast.travel.routes
        for outbound in (True, False)
    ]
