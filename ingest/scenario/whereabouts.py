"""Where a person is at every moment of a day: stays at places and moves between them.

The track is built from the same legs that produced the plate reads (so a location
history passes each camera when it read the car), plus cycling commutes for people
without a car and the airport, flight and hotel legs of a trip abroad. Location fixes,
Timeline segments, GPX tracks and geotagged posts are all sampled from it.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass

from ingest.scenario.clock import DAY, day_start, local_epoch, weekday
from ingest.scenario.geo import distance_km
from ingest.scenario.model import Leg, Person, Place
from ingest.scenario.rng import derive_rng
from ingest.scenario.travel import HOME_AIRPORT, Trip
from ingest.scenario.world import World

AIRPORT = Place(
    "AMS", "airport", "Amsterdam Airport Schiphol", HOME_AIRPORT[1], HOME_AIRPORT[2], ""
)


@dataclass(frozen=True, slots=True)
class Stay:
    start: float
    end: float
    place: Place


@dataclass(frozen=True, slots=True)
class Move:
    start: float
    end: float
    leg: Leg


Segment = Stay | Move


@dataclass(frozen=True, slots=True)
class Track:
    person: str
    day: int
    segments: tuple[Segment, ...]  # in time order, covering the UTC day


def position(leg: Leg, when: float) -> tuple[float, float]:
    """Linear interpolation along a leg's knots."""
    points = leg.points
    times = [p[0] for p in points]
    i = bisect.bisect_right(times, when)
    if i <= 0:
        return points[0][1], points[0][2]
    if i >= len(points):
        return points[-1][1], points[-1][2]
    (t0, a0, b0), (t1, a1, b1) = points[i - 1], points[i]
    f = 0.0 if t1 <= t0 else (when - t0) / (t1 - t0)
    return a0 + f * (a1 - a0), b0 + f * (b1 - b0)


def jitter(rng: random.Random, lat: float, lon: float, metres: float) -> tuple[float, float]:
    """A point scattered around (lat, lon) with a spread of ``metres``."""
    dlat = rng.gauss(0, metres) / 111_320
    dlon = rng.gauss(0, metres) / (111_320 * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


def _straight(person: str, origin: Place, dest: Place, mode: str, start: float, end: float) -> Leg:
    points = ((start, origin.lat, origin.lon), (end, dest.lat, dest.lon))
    return Leg(person, origin.id, dest.id, mode, points)


def _cycling(world: World, person: Person, day: int) -> list[Leg]:
    """People without a car cycle to work on weekdays (no camera reads them)."""
    if not person.work or weekday(day) >= 5:
        return []
    rng = derive_rng(world.seed, "cycle", person.id, day)
    home, work = world.places[person.home], world.places[person.work]
    ride = 120 + 240 * distance_km(home.lat, home.lon, work.lat, work.lon)
    leave = local_epoch(day, (person.routine.leave_minute + rng.gauss(0, 10)) * 60)
    back = local_epoch(day, (person.routine.return_minute + rng.gauss(0, 15)) * 60)
    return [
        _straight(person.id, home, work, "cycle", leave, leave + ride),
        _straight(person.id, work, home, "cycle", back, back + ride),
    ]


def hotel(trip: Trip) -> Place:
    route = trip.route
    lat, lon = route.lat + 0.11, route.lon + 0.13
    return Place(f"{trip.id}-hotel", "hotel", f"Hotel near {route.code}", lat, lon, "")


def _trip_legs(world: World, person: Person, trip: Trip, day: int) -> list[Leg]:
    """Taxi to the airport, the flight and a taxi to the hotel (or the same, homeward)."""
    route, pid = trip.route, person.id
    far = Place(route.code, "airport", f"Airport {route.code}", route.lat, route.lon, "")
    home, stay = world.places[person.home], hotel(trip)
    if day == trip.out_day:
        depart, path = day_start(day) + route.out_minute * 60, (home, AIRPORT, far, stay)
    elif day == trip.back_day:
        depart, path = day_start(day) + route.back_minute * 60, (stay, far, AIRPORT, home)
    else:
        return []
    land = depart + route.minutes * 60
    return [
        _straight(pid, path[0], path[1], "taxi", depart - 150 * 60, depart - 105 * 60),
        _straight(pid, path[1], path[2], "flight", depart, land),
        _straight(pid, path[2], path[3], "taxi", land + 30 * 60, land + 70 * 60),
    ]


def _priority(leg: Leg) -> bool:
    """Flights, and legs to or from a meeting spot (place ids ``S…``)."""
    return leg.mode == "flight" or leg.dest.startswith("S") or leg.origin.startswith("S")


def _resolve(legs: list[Leg]) -> list[Leg]:
    """Legs in time order without overlaps; meetings and flights win over routine legs."""
    kept: list[Leg] = []
    for leg in sorted(legs, key=lambda g: (g.start, g.end)):
        while kept and kept[-1].end > leg.start and _priority(leg) and not _priority(kept[-1]):
            kept.pop()
        if not kept or kept[-1].end <= leg.start:
            kept.append(leg)
    return kept


def _place_of(world: World, trip: Trip | None, place_id: str) -> Place:
    if place_id in world.places:
        return world.places[place_id]
    if place_id == AIRPORT.id:
        return AIRPORT
    assert trip is not None
    route = trip.route
    if place_id == route.code:
        return Place(route.code, "airport", f"Airport {route.code}", route.lat, route.lon, "")
    return hotel(trip)


def day_track(world: World, person: Person, day: int, legs: list[Leg], trip: Trip | None) -> Track:
    """The person's day; ``legs`` are their drives from the simulation (maybe none)."""
    if trip is not None:
        legs = _trip_legs(world, person, trip, day)
    elif not legs and world.driving(person.id, day) is None:
        legs = _cycling(world, person, day)
    abroad = trip is not None and day > trip.out_day
    here = hotel(trip) if abroad and trip else world.places[person.home]
    t, end = float(day_start(day)), float(day_start(day) + DAY)
    segments: list[Segment] = []
    for leg in _resolve(legs):
        if leg.start > t:
            segments.append(Stay(t, leg.start, here))
        segments.append(Move(leg.start, leg.end, leg))
        t, here = leg.end, _place_of(world, trip, leg.dest)
    if t < end:
        segments.append(Stay(t, end, here))
    return Track(person.id, day, tuple(segments))
