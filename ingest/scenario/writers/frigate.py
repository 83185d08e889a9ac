"""Frigate HTTP API ``GET /api/events`` lists, one JSON array per camera per ISO week.

Entries carry the columns the API selects (id, camera, label, zones, start/end time,
clip/snapshot flags, plus_id, retain_indefinitely, sub_label, the deprecated top_score and
box columns as null, false_positive) and the ``data`` blob (relative box and region,
scores, attributes, type, and for cars read by Frigate's LPR the recognized plate).
The API sorts newest first, so a week is buffered per camera and written on rotation;
Frigate volume is a small share of the total, so that buffer stays small.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ingest.scenario.clock import week_key
from ingest.scenario.model import Detection
from ingest.scenario.rng import DayStreams
from ingest.scenario.writers.frigate_mqtt import FrigateMqttWriter
from ingest.scenario.writers.frigate_objects import Tracked, build, relative


def _data(obj: Tracked) -> dict[str, Any]:
    best = max(obj.frames, key=lambda f: f.score)
    data: dict[str, Any] = {
        "box": relative(best.box),
        "region": relative(best.region),
        "score": best.score,
        "top_score": obj.top_score,
        "attributes": [],
        "type": "object",
        "max_severity": "alert" if obj.frames[-1].zones else "detection",
    }
    if obj.attribute:
        label, value, box = obj.attribute
        data["attributes"] = [{"box": relative(box), "label": label, "score": value}]
    if obj.sub_label_score is not None:
        data["sub_label_score"] = obj.sub_label_score
    if obj.plate:
        data["recognized_license_plate"] = obj.plate
        data["recognized_license_plate_score"] = obj.plate_score
    return data


def api_event(obj: Tracked) -> dict[str, Any]:
    """One element of the ``/api/events`` list, keys in the API's column order."""
    return {
        "id": obj.id,
        "camera": obj.camera,
        "label": obj.label,
        "zones": list(obj.frames[-1].zones),
        "start_time": obj.start,
        "end_time": obj.end,
        "has_clip": True,
        "has_snapshot": obj.has_snapshot,
        "plus_id": None,
        "retain_indefinitely": False,
        "sub_label": obj.sub_label,
        "top_score": None,
        "false_positive": False,
        "box": None,
        "data": _data(obj),
    }


class FrigateWriter:
    """Writes ``cctv/frigate/<camera>-<YYYY>-W<ww>.json`` and feeds the MQTT writer."""

    kind = "frigate"

    def __init__(self, out_dir: Path, seed: int) -> None:
        self.root = out_dir / "cctv" / "frigate"
        self.seed = seed
        self.records = 0
        self.files_written = 0
        self.mqtt = FrigateMqttWriter(out_dir)
        self._week: str | None = None
        self._buffer: dict[str, list[tuple[float, str, str]]] = {}

    def write_day(self, day: int, detections: list[Detection]) -> None:
        week = week_key(day)
        if week != self._week:
            self._flush()
            self._week = week
        streams = DayStreams(self.seed, "frigate", day)
        for det in detections:
            if det.camera.kind != "frigate":
                continue
            slug = det.camera.slug
            obj = build(streams[slug], det)
            line = json.dumps(api_event(obj), separators=(",", ":"))
            self._buffer.setdefault(slug, []).append((obj.start, obj.id, line))
            if det.camera.mqtt:
                self.mqtt.add(obj)
            self.records += 1
        self.mqtt.write_day(week)

    def _flush(self) -> None:
        """Write each camera's buffered week, newest first as the API returns it."""
        for slug, events in sorted(self._buffer.items()):
            events.sort(key=lambda e: (e[0], e[1]), reverse=True)
            self.root.mkdir(parents=True, exist_ok=True)
            path = self.root / f"{slug}-{self._week}.json"
            body = ",\n".join(line for _, _, line in events)
            path.write_text(f"[\n{body}\n]\n", encoding="utf-8", newline="\n")
            self.files_written += 1
        self._buffer = {}

    def close(self) -> None:
        self._flush()
        self.mqtt.close()
