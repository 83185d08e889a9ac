"""Frigate NVR tracked-object events, from the HTTP API or the MQTT `frigate/events` topic.

Both connectors share the source kind "frigate" and key a Sighting by Frigate's event id,
so the same tracked object read from an API export and from an MQTT capture is one
Sighting, and the new / update / end messages of one object upsert it.

Frigate writes times as epoch seconds (UTC by definition). Field placement changed across
versions: `top_score` and `recognized_license_plate` moved into `data` in the API, and
`sub_label` became a `[name, score]` pair; both layouts are read. A sub_label naming a
person stays a property of the Sighting: no Person is made from a face match.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from ingest.connectors.base import Connector
from ingest.connectors.common import NotADetection, add_camera, add_sighting, guarded
from ingest.connectors.jsonhead import outline
from ingest.jsonstream import JsonDamage, JsonItem, read_json, read_json_stretch
from ingest.records import RecordBuilder, Rejected, SourceRecord, excerpt
from ingest.stretches import Stretch, line_stretches
from schemas.errors import InvalidValue

_MQTT_TYPES = frozenset({"new", "update", "end"})
_API_KEYS = frozenset({"camera", "label", "start_time"})


@dataclass(frozen=True)
class FrigateEvent:
    """The fields of one tracked object, whichever Frigate version or channel wrote it."""

    id: str
    camera: str
    label: str
    start_time: float
    end_time: float | None
    top_score: float | None
    sub_label: str | None
    zones: list[str] | None
    plate: str | None


class _FrigateConnector(Connector):
    """What both Frigate channels share: the source kind, and one record per event."""

    source_kind = "frigate"

    @staticmethod
    @abstractmethod
    def _parse(value: Any) -> FrigateEvent:
        """The event one JSON value of this channel describes."""

    def _item(self, locator: str, item: JsonItem | JsonDamage) -> SourceRecord | Rejected:
        if isinstance(item, JsonDamage):
            return Rejected(locator, item.reason, item.raw)
        return guarded(locator, item.raw, partial(self._record, locator, item))

    def _record(self, locator: str, item: JsonItem) -> SourceRecord:
        builder = RecordBuilder(
            self.model, self.source_kind, locator, item.raw, self.options.assume_offset
        )
        return frigate_record(builder, self._parse(item.value))


class FrigateApiEvents(_FrigateConnector):
    name = "frigate-api"
    version = "1"
    title = "Frigate HTTP API events (the JSON array GET /api/events returns)"

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        first = outline(head, in_array=True)
        if first is None:
            return False
        keys = first.keys
        found = len(_API_KEYS & keys.keys())
        return found == len(_API_KEYS) or (not first.closed and found >= 2 and "camera" in keys)

    def read(self, path: Path) -> Iterator[SourceRecord | Rejected]:
        first = _first_byte(path)
        if first not in (b"[", b""):
            shown = "an object" if first == b"{" else f"text starting {first!r}"
            reason = f"expected a JSON array of Frigate events (GET /api/events); found {shown}"
            yield Rejected(f"{path}#", reason, _head_text(path))
            return
        for item, _line in read_json(path, count_lines=False):
            yield self._item(f"{path}#/{item.index}", item)

    @staticmethod
    def _parse(value: Any) -> FrigateEvent:
        return parse_event(value, "")


class FrigateMqttEvents(_FrigateConnector):
    name = "frigate-mqtt"
    version = "1"
    title = "Frigate MQTT frigate/events messages (JSON lines of {type, before, after})"

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        first = outline(head, in_array=False)
        if first is None or first.keys.get("type") not in _MQTT_TYPES:
            return False
        return "after" in first.keys or (not first.closed and "before" in first.keys)

    def read(self, path: Path) -> Iterator[SourceRecord | Rejected]:
        if _first_byte(path) == b"[":
            reason = "expected JSON lines of frigate/events messages; found a JSON array"
            yield Rejected(f"{path}:line 1", reason, _head_text(path))
            return
        for item, line in read_json(path):
            yield self._item(f"{path}:line {line}", item)

    def stretches(self, path: Path) -> list[Stretch] | None:
        return line_stretches(path, b"{")

    def read_stretch(self, path: Path, stretch: Stretch) -> Iterator[SourceRecord | Rejected]:
        for item, line in read_json_stretch(path, stretch):
            yield self._item(f"{path}:line {line}", item)

    @staticmethod
    def _parse(value: Any) -> FrigateEvent:
        return parse_message(value)


def frigate_record(builder: RecordBuilder, event: FrigateEvent) -> SourceRecord:
    """Camera, site, Sighting and (for a plate read) Vehicle of one tracked object."""
    camera = add_camera(
        builder,
        {"id_kind": "frigate-camera", "serial": event.camera, "name": event.camera},
        {"place_kind": "camera-site", "ref": event.camera, "name": event.camera},
    )
    sighting = {
        "time": event.start_time,
        "end_time": event.end_time,
        "label": event.label,
        "sub_label": event.sub_label,
        "confidence": event.top_score,
        "plate_read": event.plate,
        "zones": event.zones,
    }
    # Frigate has no plate country; it stays unknown rather than guessed.
    vehicle = {"plate": event.plate} if event.plate else None
    add_sighting(builder, event.id, camera, sighting, vehicle)
    return builder.build()


def parse_message(value: Any) -> FrigateEvent:
    """A `frigate/events` message; `after` is the object's current state."""
    if not isinstance(value, dict):
        raise InvalidValue("message", value, "expected a frigate/events object {type, after}")
    kind = value.get("type")
    if kind not in _MQTT_TYPES:
        raise InvalidValue("type", kind, "expected a frigate/events type: new, update or end")
    return parse_event(value.get("after"), "after.")


def parse_event(value: Any, where: str) -> FrigateEvent:
    """Check types and pick each field from where this Frigate version put it."""
    if not isinstance(value, dict):
        raise InvalidValue(where.rstrip(".") or "event", value, "expected a Frigate event object")
    data = _field(value, "data", where, dict, "an object") or {}
    if value.get("false_positive") is True:
        raise NotADetection(f"Frigate marked event {value.get('id')!r} a false positive")
    return FrigateEvent(
        id=_field(value, "id", where, str, "text", required=True),
        camera=_field(value, "camera", where, str, "a camera name", required=True),
        label=_field(value, "label", where, str, "text", required=True),
        start_time=_epoch(value, "start_time", where, required=True),
        end_time=_epoch(value, "end_time", where),
        top_score=_score(data, value, where),
        sub_label=_named(value, "sub_label", where),
        zones=_zones(value, where),
        plate=_named(value, "recognized_license_plate", where)
        or _named(data, "recognized_license_plate", where + "data."),
    )


_Kind = type | tuple[type, ...]
_NUMBER = (int, float)


def _field(
    obj: Mapping[str, Any], key: str, where: str, kind: _Kind, what: str, required: bool = False
) -> Any:
    value = obj.get(key)
    if value is None:
        if required:
            raise InvalidValue(where + key, value, "required field is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, kind):
        raise InvalidValue(where + key, value, f"expected {what}")
    if required and isinstance(value, str) and not value.strip():
        raise InvalidValue(where + key, value, "required field is empty")
    return value


def _epoch(obj: Mapping[str, Any], key: str, where: str, required: bool = False) -> Any:
    return _field(obj, key, where, _NUMBER, "epoch seconds, as Frigate writes times", required)


def _score(data: Mapping[str, Any], obj: Mapping[str, Any], where: str) -> float | None:
    """Newer versions keep top_score under `data`, older ones at the top level."""
    score = _field(data, "top_score", where + "data.", _NUMBER, "a score")
    return score if score is not None else _field(obj, "top_score", where, _NUMBER, "a score")


def _named(obj: Mapping[str, Any], key: str, where: str) -> str | None:
    """A name that Frigate writes as text, or (newer versions) as [name, score]."""
    value = obj.get(key)
    if isinstance(value, list) and len(value) == 2 and isinstance(value[1], _NUMBER):
        value = value[0]
    if value is None or isinstance(value, str):
        return (value or "").strip() or None
    raise InvalidValue(where + key, obj.get(key), "expected text or [name, score]")


def _zones(obj: Mapping[str, Any], where: str) -> list[str] | None:
    key = "entered_zones" if "entered_zones" in obj else "zones"
    zones = _field(obj, key, where, list, "a list of zone names")
    if zones is not None and not all(isinstance(z, str) for z in zones):
        raise InvalidValue(where + key, zones, "expected a list of zone names")
    return zones


def _first_byte(path: Path) -> bytes:
    """The first byte that is not whitespace or a byte-order mark, or b"" for none."""
    with path.open("rb") as fp:
        while chunk := fp.read(1 << 16):
            text = chunk.lstrip(b" \t\r\n").removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
            if text:
                return text[:1]
    return b""


def _head_text(path: Path) -> str:
    with path.open("rb") as fp:
        return excerpt(fp.read(4096).decode("utf-8", errors="replace"))
