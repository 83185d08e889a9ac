"""Frigate MQTT ``frigate/events`` payloads, one JSON object per line (as logged from a broker).

Each tracked object yields ``new`` (before: the still-false-positive first sighting),
0-2 ``update`` and one ``end`` message whose ``after`` carries ``end_time``. Field names
follow the Frigate MQTT documentation, including ``recognized_license_plate`` as a string
with a separate ``recognized_license_plate_score``. Messages of an object are filed in
the week its object started, in publication (frame time) order within a day.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ingest.scenario.writers.files import WeeklyFiles
from ingest.scenario.writers.frigate_objects import Frame, Tracked


def _state(obj: Tracked, frame: Frame, index: int, final: bool = False) -> dict[str, Any]:
    """The tracked-object dict as of one frame (``after``/``before`` of a message)."""
    seen = obj.frames[: index + 1]
    entered: list[str] = []
    for f in seen:
        entered.extend(z for z in f.zones if z not in entered)
    box, region = list(frame.box), list(frame.region)
    area = (box[2] - box[0]) * (box[3] - box[1])
    plate_known = obj.plate is not None and index >= 1
    return {
        "id": obj.id,
        "camera": obj.camera,
        "frame_time": frame.time,
        "snapshot": {
            "frame_time": frame.time,
            "box": box,
            "area": area,
            "region": region,
            "score": frame.score,
            "attributes": [],
        },
        "label": obj.label,
        "sub_label": [obj.sub_label, obj.sub_label_score] if obj.sub_label and index >= 1 else None,
        "top_score": max(f.score for f in seen),
        "false_positive": False,
        "start_time": obj.start,
        "end_time": obj.end if final else None,
        "score": frame.score,
        "box": box,
        "area": area,
        "ratio": round((box[2] - box[0]) / (box[3] - box[1]), 6),
        "region": region,
        "current_zones": list(frame.zones),
        "entered_zones": entered,
        "thumbnail": None,
        "has_snapshot": obj.has_snapshot and final,
        "has_clip": final,
        "active": True,
        "stationary": False,
        "motionless_count": 0,
        "position_changes": index,
        "attributes": {obj.attribute[0]: obj.attribute[1]} if obj.attribute and index >= 1 else {},
        "current_attributes": [],
        "recognized_license_plate": obj.plate if plate_known else None,
        "recognized_license_plate_score": obj.plate_score if plate_known else None,
    }


def messages(obj: Tracked) -> list[tuple[float, dict[str, Any]]]:
    """(publish time, payload) for new, updates and end of one object."""
    first = _state(obj, obj.frames[0], 0)
    pending = dict(first, false_positive=True, top_score=first["score"])
    out = [(obj.frames[0].time, {"type": "new", "before": pending, "after": first})]
    before = first
    last = len(obj.frames) - 1
    for i in range(1, last):
        after = _state(obj, obj.frames[i], i)
        out.append((obj.frames[i].time, {"type": "update", "before": before, "after": after}))
        before = after
    end = _state(obj, obj.frames[last], last, final=True)
    out.append((obj.end, {"type": "end", "before": before, "after": end}))
    return out


class FrigateMqttWriter:
    """Writes ``cctv/frigate-mqtt/<camera>-<YYYY>-W<ww>.jsonl`` for MQTT-enabled cameras."""

    kind = "frigate-mqtt"

    def __init__(self, out_dir: Path) -> None:
        self.files = WeeklyFiles(out_dir / "cctv" / "frigate-mqtt", ".jsonl")
        self.records = 0
        self.objects = 0
        self._day: dict[str, list[tuple[float, int, str]]] = {}

    def add(self, obj: Tracked) -> None:
        lines = self._day.setdefault(obj.camera, [])
        for when, payload in messages(obj):
            lines.append((when, len(lines), json.dumps(payload, separators=(",", ":"))))
        self.objects += 1

    def write_day(self, week: str) -> None:
        """Write the day's messages per camera in publication order."""
        for camera, lines in sorted(self._day.items()):
            lines.sort()
            fh = self.files.handle(camera, week)
            fh.writelines(f"{line}\n" for _, _, line in lines)
            self.records += len(lines)
        self._day = {}

    def close(self) -> None:
        self.files.close()
