"""Google Maps on-device Timeline export (``Timeline.json``, Android layout, 2024+).

``{"semanticSegments": [...], "rawSignals": [], "userLocationProfile": {...}}`` where a
segment is a ``visit`` (a stay: place id, semantic type, ``placeLocation.latLng``), an
``activity`` (a move: start / end ``latLng``, ``distanceMeters``, top candidate type) or
a ``timelinePath`` (the points recorded in a two-hour window). Positions are strings
"52.3212345°, 4.8812345°"; times are local with their offset, e.g.
"2026-03-01T08:15:03.000+01:00", plus ``…TimezoneUtcOffsetMinutes``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ingest.scenario.cast import Cast
from ingest.scenario.clock import local_iso_ms, offset_seconds
from ingest.scenario.fixes import Fix
from ingest.scenario.geo import distance_km
from ingest.scenario.model import Place
from ingest.scenario.story import StoryDay
from ingest.scenario.whereabouts import Move, Stay, Track
from ingest.scenario.world import World
from ingest.scenario.writers.streams import ArrayFiles

WINDOW = 2 * 3600
MIN_VISIT = 300.0
MOVES = {"drive": "IN_PASSENGER_VEHICLE", "taxi": "IN_PASSENGER_VEHICLE"}
MOVES |= {"cycle": "CYCLING", "flight": "FLYING"}


def lat_lng(lat: float, lon: float) -> str:
    return f"{lat:.7f}°, {lon:.7f}°"


def place_id(place: str) -> str:
    """A stable stand-in for a Google place id (``ChIJ`` + 23 characters)."""
    digest = hashlib.blake2b(place.encode(), digest_size=18).hexdigest()
    return "ChIJ" + digest[:23]


def _times(start: float, end: float) -> dict[str, Any]:
    return {
        "startTime": local_iso_ms(start),
        "endTime": local_iso_ms(end),
        "startTimeTimezoneUtcOffsetMinutes": offset_seconds(start) // 60,
        "endTimeTimezoneUtcOffsetMinutes": offset_seconds(end) // 60,
    }


def _semantic(place: Place, person: str, world: World) -> str:
    who = world.persons[person]
    return "HOME" if place.id == who.home else "WORK" if place.id == who.work else "UNKNOWN"


def _visit(stay: Stay, person: str, world: World) -> dict[str, Any]:
    top = {
        "placeId": place_id(stay.place.id),
        "semanticType": _semantic(stay.place, person, world),
        "probability": 0.8,
        "placeLocation": {"latLng": lat_lng(stay.place.lat, stay.place.lon)},
    }
    return {
        **_times(stay.start, stay.end),
        "visit": {"hierarchyLevel": 0, "probability": 0.9, "topCandidate": top},
    }


def _activity(move: Move) -> dict[str, Any]:
    (_, lat0, lon0), (_, lat1, lon1) = move.leg.points[0], move.leg.points[-1]
    metres = 1000 * distance_km(lat0, lon0, lat1, lon1)
    activity = {
        "start": {"latLng": lat_lng(lat0, lon0)},
        "end": {"latLng": lat_lng(lat1, lon1)},
        "distanceMeters": round(metres, 1),
        "probability": 0.95,
        "topCandidate": {
            "type": MOVES.get(move.leg.mode, "UNKNOWN_ACTIVITY_TYPE"),
            "probability": 0.87,
        },
    }
    return {**_times(move.start, move.end), "activity": activity}


def _paths(fixes: list[Fix]) -> list[dict[str, Any]]:
    """Recorded points grouped into two-hour windows."""
    windows: dict[int, list[Fix]] = {}
    for fix in fixes:
        windows.setdefault(int(fix.time // WINDOW), []).append(fix)
    return [
        {
            "startTime": local_iso_ms(key * WINDOW),
            "endTime": local_iso_ms((key + 1) * WINDOW),
            "timelinePath": [
                {"point": lat_lng(f.lat, f.lon), "time": local_iso_ms(f.time)} for f in group
            ],
        }
        for key, group in sorted(windows.items())
    ]


def segments(track: Track, fixes: list[Fix], world: World) -> list[dict[str, Any]]:
    out = [
        _visit(s, track.person, world) if isinstance(s, Stay) else _activity(s)
        for s in track.segments
        if isinstance(s, Move) or s.end - s.start >= MIN_VISIT
    ]
    out.extend(_paths(fixes))
    out.sort(key=lambda s: (s["startTime"], "timelinePath" in s))
    return out


class GoogleTimelineWriter:
    """Writes ``travel/google/<person>-Timeline.json`` for the few on-device exports."""

    kind = "google-timeline"

    def __init__(self, out_dir: Path, world: World, cast: Cast) -> None:
        self.root = out_dir / "travel" / "google"
        self.world = world
        self.people = sorted(p for p, layout in cast.location.items() if layout == "timeline")
        self.files = ArrayFiles('{\n  "semanticSegments": [\n', self._footer)
        self.records = 0

    def _footer(self, path: Path) -> str:
        person = self.world.persons[path.name.split("-")[0]]
        places = [("HOME", person.home), ("WORK", person.work)]
        frequent = [
            {
                "placeId": place_id(pid),
                "placeLocation": lat_lng(self.world.places[pid].lat, self.world.places[pid].lon),
                "label": label,
            }
            for label, pid in places
            if pid
        ]
        profile = json.dumps({"frequentPlaces": frequent}, indent=2, ensure_ascii=False)
        return (
            '\n  ],\n  "rawSignals": [],\n  "userLocationProfile": '
            + profile.replace("\n", "\n  ")
            + "\n}\n"
        )

    def write_day(self, story: StoryDay) -> None:
        for person in self.people:
            track = story.tracks.get(person)
            if track is None:
                continue
            items = segments(track, story.fixes.get(person, []), self.world)
            rendered = [
                "    " + json.dumps(i, indent=2, ensure_ascii=False).replace("\n", "\n    ")
                for i in items
            ]
            self.files.add_items(self.root / f"{person}-Timeline.json", rendered)
            self.records += len(items)

    @property
    def files_written(self) -> int:
        return self.files.files_written

    def close(self) -> None:
        self.files.close()
