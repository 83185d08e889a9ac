"""What the location connectors share: the graph shape of a position report, value
checks for the fields location exports write, and a streaming reader for JSON exports
that wrap their arrays in one top-level object (`{"locations": [ ...millions... ]}`).

Every position, stay or trip of a personal export is linked to the export's owner:

    Device <-RECORDED_BY- LocationFix -LOCATED-> Person (owner)

A record that asserts no position (a Wi-Fi scan, a profile summary) or that the model
refuses becomes a `Rejected` with the reason; nothing is dropped silently.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from ingest.jsonstream import _Buffer
from ingest.records import RecordBuilder, Rejected, SourceRecord, excerpt
from schemas.errors import DossierError, InvalidValue
from schemas.types import TimestampType

_SPACE = " \t\r\n"
_TIMESTAMP = TimestampType()
_NUMBER = (int, float)
# What undecodable bytes become when a file is read with errors="surrogateescape".
_UNDECODABLE = re.compile("[\udc80-\udcff]")
# "52.3676°, 4.9041°" (Android Timeline export), also without degree signs or as "geo:lat,lon".
_LAT_LNG = re.compile(
    r"\s*(?:geo:)?\s*([-+]?\d+(?:\.\d*)?)\s*°?\s*,\s*([-+]?\d+(?:\.\d*)?)\s*°?\s*"
)


class NotALocation(DossierError):
    """A well-formed record that places nobody anywhere (a Wi-Fi scan, a profile)."""

    exit_code = 65


def guarded(locator: str, raw: str, build: Callable[[], SourceRecord]) -> SourceRecord | Rejected:
    """Build one record; a refused value or a record without a location quarantines it."""
    try:
        return build()
    except (InvalidValue, NotALocation) as exc:
        return Rejected(locator, str(exc), excerpt(raw))


# --- the graph shape --------------------------------------------------------------------


def add_fix(
    builder: RecordBuilder,
    natural_key: str,
    owner_id: str,
    fix: Mapping[str, Any],
    device_id: str | None = None,
) -> str:
    """One LocationFix, LOCATED to the owner and RECORDED_BY the device when known."""
    fix_id = builder.event("LocationFix", natural_key, **fix)
    builder.link("LOCATED", fix_id, owner_id)
    if device_id is not None:
        builder.link("RECORDED_BY", fix_id, device_id)
    return fix_id


def geo_place(builder: RecordBuilder, lat: float, lon: float) -> str:
    """A point on the map as a Place of kind "geo", keyed by "lat,lon" to 5 decimals
    (about a metre), so that trips starting at the same doorstep share one Place."""
    lat, lon = round(lat, 5) + 0.0, round(lon, 5) + 0.0  # + 0.0 turns -0.0 into 0.0
    return builder.entity(
        "Place", place_kind="geo", ref=f"{lat:.5f},{lon:.5f}", location=(lat, lon)
    )


def point_key(kind: str, time: datetime, lat: float, lon: float) -> str:
    """The natural key of a position report: what it is, when (as UTC) and where."""
    return f"{kind}|{time.astimezone(UTC).isoformat()}|{lat!r}|{lon!r}"


# --- field checks -----------------------------------------------------------------------


def number(field: str, value: Any, required: bool = False) -> float | None:
    """A finite JSON number (not a boolean, not text); None when absent and optional."""
    if value is None:
        if required:
            raise InvalidValue(field, value, "required field is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, _NUMBER):
        raise InvalidValue(field, value, "expected a number")
    try:
        result = float(value)
    except OverflowError:
        raise InvalidValue(field, value, "number too large") from None
    if not math.isfinite(result):
        raise InvalidValue(field, value, "expected a finite number")
    return result


def required_number(field: str, value: Any) -> float:
    result = number(field, value, required=True)
    if result is None:  # number() raises first; this keeps the type exact
        raise InvalidValue(field, value, "required field is missing")
    return result


def text(field: str, value: Any, required: bool = False) -> str | None:
    """A non-empty string that can be stored (no lone surrogates from \\ud800 escapes);
    blank optional text counts as absent."""
    if value is None:
        if required:
            raise InvalidValue(field, value, "required field is missing")
        return None
    if not isinstance(value, str):
        raise InvalidValue(field, value, "expected text")
    if not value.strip():
        if required:
            raise InvalidValue(field, value, "required field is empty")
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidValue(field, value, "text holds an unpaired surrogate escape") from None
    return value


def obj(field: str, value: Any, required: bool = True) -> dict[str, Any] | None:
    if value is None and not required:
        return None
    if not isinstance(value, dict):
        raise InvalidValue(field, value, "expected an object")
    return value


def lat_lng(field: str, value: Any) -> tuple[float, float]:
    """Degrees written as text: "52.3676°, 4.9041°" or "geo:52.3676,4.9041"."""
    raw = text(field, value, required=True)
    match = _LAT_LNG.fullmatch(raw or "")
    if match is None:
        raise InvalidValue(field, value, 'expected "latitude°, longitude°"')
    return checked_point(field, float(match.group(1)), float(match.group(2)))


def checked_point(field: str, lat: float, lon: float) -> tuple[float, float]:
    """The model's GeoType would refuse these too; checking here names the source field."""
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise InvalidValue(
            field, (lat, lon), "latitude must be in [-90, 90], longitude in [-180, 180]"
        )
    return lat, lon


def timestamp(
    field: str, value: Any, assume_offset: timedelta | None, offset_min: Any = None
) -> datetime:
    """An ISO 8601 time. A time written without an offset takes the offset the source
    states beside it (`offset_min`), else the one the user named (TimestampType's rule)."""
    raw = text(field, value, required=True)
    if offset_min is not None:
        if isinstance(offset_min, bool) or not isinstance(offset_min, int):
            raise InvalidValue(field + "TimezoneUtcOffsetMinutes", offset_min, "expected minutes")
        if abs(offset_min) >= 24 * 60:
            raise InvalidValue(field + "TimezoneUtcOffsetMinutes", offset_min, "out of range")
        assume_offset = timedelta(minutes=offset_min)
    result: datetime = _TIMESTAMP.clean(field, raw, assume_offset)
    return result


def epoch_ms(field: str, value: Any) -> datetime:
    """Epoch milliseconds (UTC by definition), as text ("1444502822597") or a number."""
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,17}", value.strip()):
        ms = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        ms = value
    else:
        raise InvalidValue(field, value, "expected epoch milliseconds")
    try:
        result: datetime = _TIMESTAMP.clean(
            field, datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)
        )
    except OverflowError:
        raise InvalidValue(field, value, "epoch milliseconds out of range") from None
    return result


def not_utf8(raw: str) -> bool:
    """True when text read with errors="surrogateescape" held bytes that are not UTF-8."""
    return _UNDECODABLE.search(raw) is not None


def storable(raw: str) -> str:
    """The text with undecodable bytes shown as U+FFFD, so the ledger can keep it."""
    return _UNDECODABLE.sub("\ufffd", raw)


def is_blank(path: Path) -> bool:
    """True for an empty file or one holding only whitespace and a byte-order mark."""
    with path.open("rb") as fp:
        while chunk := fp.read(1 << 16):
            if chunk.replace(b"\xef\xbb\xbf", b"").strip():
                return False
    return True


# --- streaming the members of a top-level JSON object -----------------------------------


@dataclass(frozen=True)
class Member:
    """One value of the top-level object: an element of an array member (with its
    index), or a whole member that is not an array (index None)."""

    key: str
    index: int | None
    value: Any
    raw: str

    @property
    def pointer(self) -> str:
        return pointer(self.key, self.index)


def pointer(key: str, index: int | None = None) -> str:
    """A JSON Pointer (RFC 6901) to a member of the top-level object or an element of it."""
    escaped = key.replace("~", "~0").replace("/", "~1")
    return f"/{escaped}" if index is None else f"/{escaped}/{index}"


@dataclass(frozen=True)
class Damage:
    """Where the file stops being readable JSON; nothing after it is read."""

    pointer: str
    reason: str
    raw: str


_Items = Generator[Member | Damage, None, bool]


def iter_members(fp: IO[str]) -> Iterator[Member | Damage]:
    """Stream `{"a": [...], "b": {...}}`: array members element by element, other
    members whole. Memory stays one element plus one read chunk, whatever the file size."""
    buf = _Buffer(fp)
    where = ["@0"]  # the pointer being read, for the damage report
    try:
        yield from _object(buf, where)
    except (ValueError, RecursionError) as exc:  # bytes not UTF-8, nesting too deep, ...
        reason = f"unreadable JSON ({type(exc).__name__}: {exc}); rest of file unread"
        yield Damage(where[0], reason[:300], "")


def _object(buf: _Buffer, where: list[str]) -> Generator[Member | Damage, None, None]:
    first = buf.skip(_SPACE + "\ufeff")
    if not first:
        return
    if first != "{":
        yield _damage(buf, "@0", f"expected a JSON object {{...}}; found {first!r}")
        return
    buf.pos += 1
    while True:
        nxt = buf.skip(_SPACE + ",")
        if nxt == "}":
            buf.pos += 1
            break
        if nxt != '"':
            yield _damage(buf, where[0], _unexpected(nxt, "a member name"))
            return
        key = yield from _member(buf, where)
        if key is None:
            return
        sep = buf.skip(_SPACE)
        if sep not in (",", "}"):
            yield _damage(buf, where[0], _unexpected(sep, f"',' or '}}' after member {key!r}"))
            return
    if buf.skip(_SPACE):
        yield _damage(buf, "@end", "content after the end of the top-level object; not read")


def _member(buf: _Buffer, where: list[str]) -> Generator[Member | Damage, None, str | None]:
    """Read one `"key": value`; returns the key, or None after reporting damage."""
    name = yield from _decode(buf, where, "a member name")
    if name is None:
        return None
    key = str(name[0])
    if buf.skip(_SPACE) != ":":
        yield _damage(buf, where[0], _unexpected(buf.skip(_SPACE), f"':' after {key!r}"))
        return None
    buf.pos += 1
    where[0] = pointer(key)
    if buf.skip(_SPACE) == "[":
        buf.pos += 1
        return key if (yield from _elements(buf, key, where)) else None
    value = yield from _decode(buf, where, "a value")
    if value is None:
        return None
    yield Member(key, None, *value)
    return key


def _decode(
    buf: _Buffer, where: list[str], what: str
) -> Generator[Member | Damage, None, tuple[Any, str] | None]:
    """The value at the cursor and its text, or None after reporting invalid JSON."""
    try:
        return buf.decode()
    except json.JSONDecodeError as exc:
        cut = "the file ends inside it" if buf.eof else exc.msg
        yield _damage(buf, where[0], f"invalid JSON where {what} should be ({cut}); rest unread")
        return None


def _elements(buf: _Buffer, key: str, where: list[str]) -> _Items:
    """The elements of one array member; False when damage ended the reading."""
    index = 0
    while True:
        nxt = buf.skip(_SPACE)
        if nxt == "]":
            buf.pos += 1
            return True
        where[0] = pointer(key, index)
        if not nxt:
            yield _damage(buf, where[0], f"the file ends inside the {key!r} array")
            return False
        item = yield from _decode(buf, where, "an element")
        if item is None:
            return False
        yield Member(key, index, *item)
        index += 1
        where[0] = pointer(key, index)
        sep = buf.skip(_SPACE)
        if sep == ",":
            buf.pos += 1
        elif sep != "]":
            yield _damage(buf, where[0], _unexpected(sep, f"',' or ']' in the {key!r} array"))
            return False


def _unexpected(found: str, expected: str) -> str:
    shown = "the end of the file" if not found else repr(found)
    return f"expected {expected}, found {shown}; rest of file unread"


def _damage(buf: _Buffer, pointer: str, reason: str) -> Damage:
    return Damage(pointer, reason, buf.text[buf.pos : buf.pos + 200])
