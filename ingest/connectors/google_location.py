"""Google Location History, in the three layouts Google has exported it in.

- Takeout `Records.json` (2022 on): `{"locations": [{latitudeE7, longitudeE7, timestamp,
  accuracy, altitude, source, deviceTag, activity}, ...]}`.
- The older Takeout `Location History.json`: the same array, with `timestampMs` (epoch
  milliseconds as text) instead of the ISO `timestamp`.
- The on-device Timeline export (Android, 2024 on): `{"semanticSegments": [...],
  "rawSignals": [...], "userLocationProfile": {...}}`, where positions are text such as
  "52.3676°, 4.9041°" and times carry their own UTC offset.

Each array element is one record, read by streaming inside the top-level object, so a
multi-gigabyte export stays within one element plus a read chunk of memory.

Decisions:
- E7 overflow: some exports write negative E7 coordinates as unsigned 32-bit integers
  (a known Google bug: e.g. 4221617426 for -7.3349870°). A latitudeE7 or longitudeE7
  above 1800000000 and below 2^32 is reduced by 2^32, which is reading it as the signed
  32-bit value it was; anything still outside [-90, 90] / [-180, 180] is refused.
- activity: the candidate with the highest confidence in the activity record nearest in
  time to the fix, in Google's current spelling ("onFoot" in `activitys` / `activities`
  of exports before 2017 becomes "ON_FOOT"); "UNKNOWN" (Google could not tell) is none.
- source: lower case ("wifi", "gps", "cell"); "unknown" is no source.
- The fix key is (layout family, time as UTC, lat, lon), so the same fix read from an old
  `Location History.json` (timestampMs) and a newer `Records.json` is one LocationFix.
- Timeline segments: `visit` -> Visit AT a Place("google-place", placeId); `activity` ->
  Trip DEPARTED_FROM / ARRIVED_AT Places("geo", "lat,lon" to 5 decimals); `timelinePath`
  -> one LocationFix per point, the segment being one record. Raw signals with a
  `position` are LocationFixes; Wi-Fi scans, activity records, `timelineMemory` segments
  and the `userLocationProfile` place nobody at a time: they are quarantined with that
  reason (kept, counted), not dropped.
- Google Place ids are case-sensitive, but Place.ref is an identifier the model upper-cases:
  two ids differing only in case would share one Place.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from ingest.connectors.base import Connector
from ingest.connectors.location import (
    Damage,
    Member,
    NotALocation,
    add_fix,
    checked_point,
    epoch_ms,
    geo_place,
    guarded,
    iter_members,
    lat_lng,
    not_utf8,
    number,
    obj,
    point_key,
    required_number,
    storable,
    text,
    timestamp,
)
from ingest.connectors.owner import add_owner
from ingest.connectors.records_stretches import records_stretches, stretch_members
from ingest.records import RecordBuilder, Rejected, SourceRecord, excerpt
from ingest.stretches import Stretch
from schemas.errors import InvalidValue
from schemas.ids import make_id

_INT32 = 1 << 32
_E7_OVERFLOW = 1_800_000_000
# The documented fields of a Records.json location record (LocationHistoryFormat).
_RECORD_FIELDS = frozenset(
    {
        "accuracy", "activeWifiScan", "activity", "activitys", "altitude", "batteryCharging",
        "deviceDesignation", "deviceTag", "deviceTimestamp", "formFactor", "heading",
        "inferredLocation", "latitudeE7", "locationMetadata", "longitudeE7", "osLevel",
        "placeId", "platformType", "serverTimestamp", "source", "timestamp", "timestampMs",
        "velocity", "verticalAccuracy",
    }
)  # fmt: skip
_RECORDS_HEAD = re.compile(r'\{\s*"locations"\s*:\s*\[\s*(?:\]|\{\s*"([^"\\]*)"\s*:)')
_TIMELINE_HEAD = re.compile(
    r'\{\s*"(?:semanticSegments|rawSignals|userLocationProfile)"\s*:\s*[\[{]'
)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")  # "onFoot" (before 2017) -> "ON_FOOT"
_SEGMENT_PARTS = ("visit", "activity", "timelinePath")
_Handler = Callable[[RecordBuilder, str, Any], None]


class GoogleLocationHistory(Connector):
    name = "google-location"
    version = "1"
    title = (
        "Google Location History (Takeout Records.json, older Location History.json, "
        "on-device Timeline export)"
    )
    source_kind = "google-location"

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        text_head = head.decode("utf-8", errors="ignore").lstrip(" \t\r\n\ufeff")
        records = _RECORDS_HEAD.match(text_head)
        if records is not None:
            return records.group(1) is None or records.group(1) in _RECORD_FIELDS
        return _TIMELINE_HEAD.match(text_head) is not None

    def read(self, path: Path) -> Iterator[SourceRecord | Rejected]:
        # Undecodable bytes become lone surrogates, so one damaged element is quarantined
        # and the elements around it are still read.
        with path.open(encoding="utf-8", errors="surrogateescape", newline="") as fp:
            for item in iter_members(fp):
                yield self._item(path, item)

    def stretches(self, path: Path) -> list[Stretch] | None:
        return records_stretches(path)  # Records.json only: its one big array

    def read_stretch(self, path: Path, stretch: Stretch) -> Iterator[SourceRecord | Rejected]:
        for item in stretch_members(path, stretch, path.stat().st_size):
            yield self._item(path, item)

    def _item(self, path: Path, item: Member | Damage) -> SourceRecord | Rejected:
        locator = storable(f"{path}#{item.pointer}")
        if isinstance(item, Damage):
            return Rejected(locator, storable(item.reason), storable(item.raw))
        if not_utf8(item.raw):
            reason = "holds bytes that are not UTF-8 (shown as U+FFFD); not read"
            return Rejected(locator, reason, storable(excerpt(item.raw)))
        return guarded(locator, item.raw, partial(self._record, path, locator, item))

    def _record(self, path: Path, locator: str, item: Member) -> SourceRecord:
        handler = self._handler(item)
        builder = RecordBuilder(
            self.model, self.source_kind, locator, item.raw, self.options.assume_offset
        )
        handler(builder, add_owner(builder, self.options, path), item.value)
        return builder.build()

    def _handler(self, item: Member) -> _Handler:
        handlers: dict[str, _Handler] = {
            "locations": self._location,
            "semanticSegments": self._segment,
            "rawSignals": self._raw_signal,
        }
        if item.key == "userLocationProfile":
            raise NotALocation(
                "userLocationProfile (frequent places, travel-mode habits) places nobody "
                "at a time; the model has no event for it"
            )
        if item.key not in handlers:
            raise NotALocation(f"member {item.key!r} is not part of a Google location export")
        if item.index is None:
            raise InvalidValue(item.key, item.value, "expected an array")
        return handlers[item.key]

    # --- Records.json and Location History.json ----------------------------------------

    def _location(self, builder: RecordBuilder, owner: str, value: Any) -> None:
        record = obj("location record", value) or {}
        lat, lon = checked_point(
            "latitudeE7/longitudeE7",
            e7_degrees("latitudeE7", record.get("latitudeE7")),
            e7_degrees("longitudeE7", record.get("longitudeE7")),
        )
        time = self._record_time(record, "")
        fix = {
            "time": time,
            "location": (lat, lon),
            "accuracy_m": number("accuracy", record.get("accuracy")),
            "altitude_m": number("altitude", record.get("altitude")),
            "fix_source": fix_source("source", record.get("source")),
            "activity": self._activity(_first(record, "activity", "activitys"), time),
        }
        device = None
        if record.get("deviceTag") is not None:
            serial = device_tag(record["deviceTag"])
            device = builder.entity("Device", id_kind="google-device-tag", serial=serial)
        add_fix(builder, point_key("records", time, lat, lon), owner, fix, device)

    def _record_time(self, record: dict[str, Any], where: str) -> datetime:
        """`timestamp` (ISO) in Records.json, `timestampMs` in the older layout."""
        if record.get("timestamp") is not None:
            return timestamp(where + "timestamp", record["timestamp"], self.options.assume_offset)
        if record.get("timestampMs") is not None:
            return epoch_ms(where + "timestampMs", record["timestampMs"])
        raise InvalidValue(where + "timestamp", None, "required field is missing")

    def _activity(self, value: Any, fix_time: datetime) -> str | None:
        """The most probable activity of the activity record nearest in time to the fix."""
        if value is None:
            return None
        if not isinstance(value, list):
            raise InvalidValue("activity", value, "expected a list of activity records")
        best: tuple[float, str] | None = None
        for i, entry in enumerate(value):
            record = obj(f"activity[{i}]", entry) or {}
            has_time = record.get("timestamp") is not None or record.get("timestampMs") is not None
            when = self._record_time(record, f"activity[{i}].") if has_time else None
            gap = abs((when - fix_time).total_seconds()) if when else math.inf
            candidates = _first(record, "activity", "activities")
            top = top_activity(f"activity[{i}].activity", candidates)
            if top is not None and (best is None or gap < best[0]):
                best = (gap, top)
        return None if best is None or best[1] == "UNKNOWN" else best[1]

    # --- the on-device Timeline export -------------------------------------------------

    def _segment(self, builder: RecordBuilder, owner: str, value: Any) -> None:
        segment = obj("segment", value) or {}
        parts = [p for p in _SEGMENT_PARTS if segment.get(p) is not None]
        if not parts:
            raise NotALocation(
                f"segment has no visit, activity or timelinePath (it has {sorted(segment)}); "
                "nothing in it places the owner"
            )
        start = self._segment_time(segment, "startTime")
        end = self._segment_time(segment, "endTime")
        span = f"{start.astimezone(UTC).isoformat()}|{end.astimezone(UTC).isoformat()}"
        if "visit" in parts:
            self._visit(builder, owner, span, start, end, segment["visit"])
        if "activity" in parts:
            self._trip(builder, owner, span, start, end, segment["activity"])
        if "timelinePath" in parts:
            offset = segment.get("startTimeTimezoneUtcOffsetMinutes")
            self._path(builder, owner, span, offset, segment["timelinePath"])

    def _segment_time(self, segment: dict[str, Any], field: str) -> datetime:
        offset = segment.get(f"{field}TimezoneUtcOffsetMinutes")
        return timestamp(field, segment.get(field), self.options.assume_offset, offset)

    def _visit(
        self,
        builder: RecordBuilder,
        owner: str,
        span: str,
        start: datetime,
        end: datetime,
        value: Any,
    ) -> None:
        visit = obj("visit", value) or {}
        candidate = obj("visit.topCandidate", visit.get("topCandidate")) or {}
        location = place_location("visit.topCandidate.placeLocation", candidate)
        place_id = text("visit.topCandidate.placeId", candidate.get("placeId"))
        confidence = number("visit.probability", visit.get("probability"))
        if confidence is None:
            confidence = number("visit.topCandidate.probability", candidate.get("probability"))
        level = visit.get("hierarchyLevel")
        visit_id = builder.event(
            "Visit",
            f"visit|{span}|{level}|{place_id}",
            time=start,
            end_time=end,
            location=location,
            confidence=confidence,
        )
        builder.link("LOCATED", visit_id, owner)
        if place_id is not None:
            place = builder.entity(
                "Place", place_kind="google-place", ref=place_id, location=location
            )
            builder.link("AT", visit_id, place)

    def _trip(
        self,
        builder: RecordBuilder,
        owner: str,
        span: str,
        start: datetime,
        end: datetime,
        value: Any,
    ) -> None:
        activity = obj("activity", value) or {}
        origin = place_location("activity.start", activity, "start")
        destination = place_location("activity.end", activity, "end")
        candidate = obj("activity.topCandidate", activity.get("topCandidate"), False) or {}
        trip_id = builder.event(
            "Trip",
            f"trip|{span}",
            time=start,
            end_time=end,
            mode=text("activity.topCandidate.type", candidate.get("type")),
            distance_m=number("activity.distanceMeters", activity.get("distanceMeters")),
        )
        builder.link("LOCATED", trip_id, owner)
        builder.link("DEPARTED_FROM", trip_id, geo_place(builder, *origin))
        builder.link("ARRIVED_AT", trip_id, geo_place(builder, *destination))

    def _path(self, builder: RecordBuilder, owner: str, span: str, offset: Any, value: Any) -> None:
        if not isinstance(value, list):
            raise InvalidValue("timelinePath", value, "expected a list of points")
        if not value:
            raise NotALocation("timelinePath holds no points")
        builder.record_id = make_id("record", self.source_kind, f"path|{span}")
        seen: set[str] = set()
        for i, entry in enumerate(value):
            point = obj(f"timelinePath[{i}]", entry) or {}
            lat, lon = lat_lng(f"timelinePath[{i}].point", point.get("point"))
            when = timestamp(
                f"timelinePath[{i}].time", point.get("time"), self.options.assume_offset, offset
            )
            key = point_key("path", when, lat, lon)
            if key not in seen:  # the same point twice in one path is one fact
                seen.add(key)
                add_fix(builder, key, owner, {"time": when, "location": (lat, lon)})

    def _raw_signal(self, builder: RecordBuilder, owner: str, value: Any) -> None:
        signal = obj("raw signal", value) or {}
        if signal.get("position") is None:
            kinds = sorted(signal) or ["nothing"]
            raise NotALocation(f"raw signal without a position (it holds {kinds})")
        position = obj("position", signal["position"]) or {}
        latlng = position.get("LatLng", position.get("latLng"))
        lat, lon = lat_lng("position.LatLng", latlng)
        when = timestamp(
            "position.timestamp", position.get("timestamp"), self.options.assume_offset
        )
        fix = {
            "time": when,
            "location": (lat, lon),
            "accuracy_m": number("position.accuracyMeters", position.get("accuracyMeters")),
            "altitude_m": number("position.altitudeMeters", position.get("altitudeMeters")),
            "fix_source": fix_source("position.source", position.get("source")),
        }
        add_fix(builder, point_key("raw-signal", when, lat, lon), owner, fix)


# --- field readers ----------------------------------------------------------------------


def e7_degrees(field: str, value: Any) -> float:
    """Degrees from an E7 integer, undoing the unsigned 32-bit overflow (see the module)."""
    raw = required_number(field, value)
    if _E7_OVERFLOW < raw < _INT32:
        raw -= _INT32
    return raw / 1e7


def fix_source(field: str, value: Any) -> str | None:
    source = text(field, value)
    return None if source is None or source.lower() == "unknown" else source.lower()


def device_tag(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    tag = text("deviceTag", value, required=True)
    return str(tag)


def top_activity(field: str, value: Any) -> str | None:
    """The candidate type with the highest confidence (the first of equals)."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise InvalidValue(field, value, "expected a list of {type, confidence}")
    best: tuple[float, str] | None = None
    for i, entry in enumerate(value):
        candidate = obj(f"{field}[{i}]", entry) or {}
        kind = text(f"{field}[{i}].type", candidate.get("type"), required=True)
        confidence = number(f"{field}[{i}].confidence", candidate.get("confidence"))
        score = -math.inf if confidence is None else confidence
        if kind is not None and (best is None or score > best[0]):
            best = (score, kind)
    return None if best is None else _CAMEL.sub("_", best[1]).upper()


def _first(record: dict[str, Any], *keys: str) -> Any:
    """The value of the first key present: layouts renamed fields over the years."""
    return next((record[k] for k in keys if record.get(k) is not None), None)


def place_location(field: str, parent: dict[str, Any], key: str = "placeLocation") -> Any:
    """`{"latLng": "52.37°, 4.89°"}`, or (in some exports) the text itself."""
    value = parent.get(key)
    if isinstance(value, dict):
        return lat_lng(f"{field}.latLng", value.get("latLng"))
    return lat_lng(field, value)
