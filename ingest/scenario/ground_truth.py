"""``ground_truth.json``: what the generator planted, for tests and demo checks.

Small by design (the population and the planted meetings, not the detections), so it can
be loaded whole. The non-camera sources add their keys (see ``truth_sources``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ingest.scenario.clock import TIMEZONE, day_start, utc_iso
from ingest.scenario.model import Camera, Meeting, Occurrence
from ingest.scenario.world import World

FILE_NAME = "ground_truth.json"
FORMAT_VERSION = 2  # 2: identities and relations of the non-camera sources


def _cameras(cameras: Iterable[Camera]) -> list[dict[str, Any]]:
    return [
        {
            "id": c.slug,
            "kind": c.kind,
            "name": c.name,
            "lat": c.lat,
            "lon": c.lon,
            "mac": c.mac,
            "ip": c.ip,
            "place": c.place,
            "mqtt": c.mqtt,
        }
        for c in cameras
    ]


def _meetings(meetings: Iterable[Meeting], occurrences: list[Occurrence]) -> list[dict[str, Any]]:
    """Each meeting with every occurrence: read times in ``person_ids``/``plates`` order."""
    times: dict[str, list[dict[str, list[str]]]] = {}
    for occ in occurrences:
        times.setdefault(occ.meeting, []).append({"times": [utc_iso(t) for t in occ.times]})
    return [
        {
            "id": m.id,
            "person_ids": list(m.people),
            "plates": [{"plate": v.plate, "country": v.country} for v in m.plates],
            "camera": m.camera,
            "place": m.place,
            "weekday": m.weekday,
            "occurrences": times.get(m.id, []),
        }
        for m in meetings
    ]


def _population(world: World) -> dict[str, Any]:
    pop, days = world.population, world.spec.days
    return {
        "people": [
            {
                "id": p.id,
                "name": p.name,
                "given_name": p.given_name,
                "surname": p.surname,
                "date_of_birth": p.date_of_birth,
                "home": p.home,
                "work": p.work,
            }
            for p in pop.people
        ],
        "vehicles": [
            {
                "plate": v.plate,
                "country": v.country,
                "colour": v.colour,
                "make": v.make,
                "vehicle_type": v.vehicle_type,
            }
            for v in pop.vehicles
        ],
        "drives": [
            {
                "person_id": d.person,
                "plate": d.plate,
                "country": d.country,
                "from": utc_iso(day_start(d.start_day)),
                "to": utc_iso(day_start(min(d.end_day, days))),
            }
            for d in pop.drives
        ],
        "places": [
            {
                "id": p.id,
                "kind": p.kind,
                "name": p.name,
                "lat": p.lat,
                "lon": p.lon,
                "anpr_camera": p.anpr,
            }
            for p in world.places.values()
        ],
    }


def write_ground_truth(
    out_dir: Path,
    world: World,
    occurrences: list[Occurrence],
    counts: Mapping[str, int],
    extra: Mapping[str, Any] | None = None,
) -> Path:
    """Write the file; ``extra`` adds the keys of later sources (identities, relations)."""
    doc: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "scale": world.spec.name,
        "seed": world.seed,
        "time_range": {
            "start": utc_iso(day_start(0)),
            "end": utc_iso(day_start(world.spec.days)),
            "timezone": TIMEZONE,
        },
        **_population(world),
        "cameras": _cameras((*world.anpr, *world.frigate)),
        "meetings": _meetings(world.meetings, occurrences),
        "background_vehicles": len(world.population.background),
        "counts": dict(counts),
        **(extra or {}),
    }
    path = out_dir / FILE_NAME
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
