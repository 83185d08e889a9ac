"""Location fixes a phone reports along a track (what Google location history records).

Phones report sparsely while still (every 10-25 minutes by day, under an hour at
night, mostly from Wi-Fi, sometimes a coarse cell fix) and every one to two and a half
minutes while moving (GPS, with speed and heading). Nothing is reported in flight.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from ingest.scenario.clock import offset_seconds
from ingest.scenario.geo import distance_km
from ingest.scenario.whereabouts import Move, Stay, Track, jitter, position

ACTIVITY = {"drive": "IN_VEHICLE", "taxi": "IN_VEHICLE", "cycle": "ON_BICYCLE"}


@dataclass(frozen=True, slots=True)
class Fix:
    time: float
    lat: float
    lon: float
    accuracy: int  # metres
    source: str  # GPS | WIFI | CELL
    velocity: int | None  # m/s, moving GPS fixes only
    heading: int | None  # degrees
    activity: tuple[tuple[str, int], ...]  # (type, confidence) guesses, often empty


def _night(epoch: float, offset: int) -> bool:
    hour = (int(epoch) + offset) % 86_400 // 3600
    return hour < 7 or hour >= 23


def _guesses(rng: random.Random, primary: str) -> tuple[tuple[str, int], ...]:
    if rng.random() >= 0.25:
        return ()
    first = rng.randint(55, 95)
    second = "STILL" if primary != "STILL" else "UNKNOWN"
    return ((primary, first), (second, 100 - first))


def _source(rng: random.Random) -> tuple[str, int]:
    """Mostly Wi-Fi, sometimes GPS, now and then a coarse cell fix (accuracy in metres)."""
    roll = rng.random()
    if roll < 0.06:
        return "CELL", 400 + int(rng.random() * 1100)
    if roll < 0.18:
        return "GPS", 4 + int(rng.random() * 12)
    return "WIFI", 10 + int(rng.random() * 31)


def _still(rng: random.Random, stay: Stay, out: list[Fix]) -> None:
    t = stay.start + rng.uniform(0, 600)
    place, offset = stay.place, offset_seconds(stay.start)
    while t < stay.end:
        source, accuracy = _source(rng)
        lat, lon = jitter(rng, place.lat, place.lon, accuracy / 3)
        out.append(Fix(t, lat, lon, accuracy, source, None, None, _guesses(rng, "STILL")))
        t += rng.uniform(1800, 3300) if _night(t, offset) else rng.uniform(600, 1500)


def _bearing(a: tuple[float, float], b: tuple[float, float]) -> int:
    dy = b[0] - a[0]
    dx = (b[1] - a[1]) * math.cos(math.radians(a[0]))
    return round(math.degrees(math.atan2(dx, dy))) % 360


def _moving(rng: random.Random, move: Move, out: list[Fix]) -> None:
    leg = move.leg
    if leg.mode == "flight":
        return
    first, last = leg.points[0], leg.points[-1]
    km = distance_km(first[1], first[2], last[1], last[2])
    speed = round(1000 * km / max(60.0, move.end - move.start))
    t = move.start + rng.uniform(5, 60)
    here = first[1], first[2]
    while t < move.end:
        there = position(leg, t)
        lat, lon = jitter(rng, there[0], there[1], 4)
        activity = _guesses(rng, ACTIVITY.get(leg.mode, "IN_VEHICLE"))
        accuracy = 3 + int(rng.random() * 10)
        out.append(Fix(t, lat, lon, accuracy, "GPS", speed, _bearing(here, there), activity))
        here = there
        t += rng.uniform(60, 150)


def sample_fixes(rng: random.Random, track: Track) -> list[Fix]:
    out: list[Fix] = []
    for segment in track.segments:
        if isinstance(segment, Stay):
            _still(rng, segment, out)
        else:
            _moving(rng, segment, out)
    return out
