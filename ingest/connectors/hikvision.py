"""Hikvision ISAPI `EventNotificationAlert` XML: ANPR plate reads pushed by a camera.

A file holds one alert or many concatenated ones (each may carry its own `<?xml ...?>`
declaration, as an HTTP listener saves them). The file is read in chunks and split on
alert boundaries, so memory stays one alert; each alert is parsed by defusedxml with
DTDs forbidden: a DOCTYPE or entity declaration quarantines the alert, nothing expands.

Elements are matched by local name, so every schema version's namespace (or none) reads.
Alerts that are not ANPR (motion, video loss, heartbeats) are quarantined with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError
from xml.etree.ElementTree import fromstring as _c_fromstring

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import fromstring

from ingest.connectors.base import SNIFF_BYTES, Connector
from ingest.connectors.common import (
    UTF8_BOM,
    NotADetection,
    add_camera,
    add_sighting,
    guarded,
    iso_country,
    xml_head_matches,
)
from ingest.records import RecordBuilder, Rejected, SourceRecord, excerpt
from ingest.stretches import Stretch, StretchMisaligned, marker_stretches, open_stretch_bytes
from schemas.errors import InvalidValue

CHUNK = 1 << 16
MAX_ALERT_BYTES = 8 << 20  # past this an alert is reported damaged instead of read on
_NAME = rb"<(?:[A-Za-z_][\w.-]*:)?EventNotificationAlert[\s>/]"
_ROOT = re.compile(_NAME)
_DECL = re.compile(rb"<\?xml[\s?]")
# What ends the current alert: its end tag, or (when it was cut off) the next alert.
_BOUNDARY = re.compile(
    rb"(?P<end></(?:[A-Za-z_][\w.-]*:)?EventNotificationAlert\s*>)|<\?xml[\s?]|" + _NAME
)
_OVERLAP = 256  # bytes rescanned when a chunk arrives, for a tag split across chunks
_NO_PLATE = frozenset({"", "unknown", "noplate", "无车牌"})
# axis element -> (hemisphere element, sign of each hemisphere letter)
_AXES = {
    "Latitude": ("latitudeType", {"N": 1, "S": -1}),
    "Longitude": ("longitudeType", {"E": 1, "W": -1}),
}


@dataclass(frozen=True)
class Piece:
    """One alert's bytes, or a damaged stretch of the file and what is wrong with it."""

    index: int
    offset: int
    data: bytes
    problem: str = ""


class HikvisionAnpr(Connector):
    name = "hikvision-isapi-anpr"
    version = "1"
    title = "Hikvision ISAPI EventNotificationAlert XML (ANPR plate reads)"
    source_kind = "hikvision"

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        return xml_head_matches(head, _ROOT)

    def read(self, path: Path) -> Iterator[SourceRecord | Rejected]:
        with path.open("rb") as fp:
            for piece in AlertSplitter(fp).pieces():
                yield self._piece(f"{path}#alert[{piece.index}]@{piece.offset}", piece)

    def stretches(self, path: Path) -> list[Stretch] | None:
        """Cut before alerts: at their XML declarations when the file starts with one
        (as listeners save them), else at their start tags."""
        with path.open("rb") as fp:
            head = fp.read(SNIFF_BYTES).removeprefix(UTF8_BOM).lstrip()
        marker = _DECL_START if head.startswith(_DECL_START) else b"<" + _ROOT_NAME
        return marker_stretches(path, marker)

    def read_stretch(self, path: Path, stretch: Stretch) -> Iterator[SourceRecord | Rejected]:
        """The alerts of a stretch, numbered and placed as in the whole file; anything but
        exactly the counted number of whole alerts means the cut was not between alerts."""
        found = 0
        with open_stretch_bytes(path, stretch) as fp:
            for piece in AlertSplitter(fp).pieces():
                if piece.problem:
                    raise StretchMisaligned(
                        f"{path}@{stretch.start + piece.offset}: {piece.problem}"
                    )
                index, offset = stretch.first_record + piece.index, stretch.start + piece.offset
                yield self._piece(f"{path}#alert[{index}]@{offset}", piece)
                found += 1
        if found != stretch.records:
            raise StretchMisaligned(f"{path}: {found} alerts where {stretch.records} start")

    def _piece(self, locator: str, piece: Piece) -> SourceRecord | Rejected:
        raw = piece.data.decode("utf-8", errors="replace")
        if piece.problem:
            return Rejected(locator, piece.problem, excerpt(raw))
        try:
            root = parse_alert(piece.data)
        except (ParseError, ValueError, LookupError) as exc:
            return Rejected(locator, _parse_problem(exc), excerpt(raw))
        return guarded(locator, raw, partial(self._record, locator, raw, root))

    def _record(self, locator: str, raw: str, root: Element) -> SourceRecord:
        alert = Alert(root)
        builder = RecordBuilder(
            self.model, self.source_kind, locator, raw, self.options.assume_offset
        )
        camera = add_camera(builder, alert.device(), alert.place())
        add_sighting(builder, alert.natural_key(), camera, alert.sighting(), alert.vehicle())
        return builder.build()


class Alert:
    """Reads the fields of one parsed EventNotificationAlert, by local element name."""

    def __init__(self, root: Element) -> None:
        if _local(root.tag) != "EventNotificationAlert":
            raise InvalidValue("root element", _local(root.tag), "expected EventNotificationAlert")
        self.fields = _fields(root)
        event_type = self.text("eventType")
        if (event_type or "").upper() != "ANPR":
            raise NotADetection(f"event type {event_type} is not a detection this connector reads")
        self.mac = _mac(self.text("macAddress"))
        channel = self.text("channelID") or self.text("dynChannelID")
        if channel is None:
            raise InvalidValue("channelID", None, "required field is missing")
        self.channel = channel

    def text(self, path: str) -> str | None:
        """Stripped text of the element at `path` ("ANPR/licensePlate"); None if absent or
        empty."""
        elem = self.fields.get(path)
        text = (elem.text or "").strip() if elem is not None else ""
        return text or None

    def device(self) -> dict[str, Any]:
        return {
            "id_kind": "mac",
            "serial": self.mac,
            "name": self.text("channelName"),
            "ip_address": self.text("ipAddress") or self.text("ipv6Address"),
            "channel": self.channel,
        }

    def place(self) -> dict[str, Any]:
        return {
            "place_kind": "camera-site",
            "ref": f"{self.mac}/{self.channel}",
            "name": self.text("channelName"),
            "location": _location(self),
        }

    def sighting(self) -> dict[str, Any]:
        return {
            "time": self.text("dateTime"),
            "label": "plate",
            "confidence": _percent(self.text("ANPR/confidenceLevel")),
            "plate_read": self.plate(),
            "colour": _known(self.text("ANPR/vehicleInfo/color")),
            "direction": _known(self.text("ANPR/direction")),
        }

    def plate(self) -> str | None:
        plate = self.text("ANPR/licensePlate")
        return None if plate is None or plate.lower() in _NO_PLATE else plate

    def vehicle(self) -> dict[str, Any] | None:
        plate = self.plate()
        if plate is None:
            return None
        country = self.text("countryAbbreviation") or self.text("ANPR/countryAbbreviation")
        return {"plate": plate, "country": iso_country(country)}

    def natural_key(self) -> str:
        uuid = self.text("UUID")
        if uuid:
            return f"uuid:{uuid}"
        parts = (self.mac, self.channel, self.text("dateTime"), self.plate())
        return "alert:" + "|".join(p or "" for p in parts)


class AlertSplitter:
    """Splits a byte stream into alerts without holding more than one alert (plus a chunk)."""

    def __init__(self, fp: IO[bytes]) -> None:
        self.fp = fp
        self.buf = bytearray()
        self.pos = 0  # start of the unread part of buf
        self.base = 0  # file offset of buf[0]
        self.eof = False

    def pieces(self) -> Iterator[Piece]:
        index = 0
        while self._skip_space():
            yield self._next(index)
            index += 1

    def _fill(self) -> bool:
        chunk = b"" if self.eof else self.fp.read(CHUNK)
        self.eof = not chunk
        self.buf += chunk
        return bool(chunk)

    def _skip_space(self) -> bool:
        """Drop what was read; True when a non-space byte follows."""
        del self.buf[: self.pos]
        self.base += self.pos
        self.pos = 0
        while True:
            stripped = self.buf.lstrip()
            while stripped.startswith(UTF8_BOM):  # each concatenated file may bring its own
                stripped = stripped[len(UTF8_BOM) :].lstrip()
            self.base += len(self.buf) - len(stripped)
            self.buf = stripped
            if self.buf:
                return True
            if not self._fill():
                return False

    def _search(self, pattern: re.Pattern[bytes], start: int) -> re.Match[bytes] | None:
        """The first match at or after `start`, reading on; None at end of file or limit."""
        scan = start
        while (match := _search(pattern, self.buf, scan)) is None:
            if len(self.buf) - self.pos > MAX_ALERT_BYTES:
                return None
            scan = max(start, len(self.buf) - _OVERLAP)
            if not self._fill():
                return None
        return match

    def _next(self, index: int) -> Piece:
        root = self._search(_ROOT, 0)
        if root is None:
            return self._rest(index, "content that is not an EventNotificationAlert")
        decls = [m.start() for m in _DECL.finditer(self.buf, 0, root.start())]
        if decls and decls[-1] > 0:
            return self._take(index, decls[-1], "content before an alert that is not XML")
        boundary = self._search(_BOUNDARY, root.end())
        if boundary is None:
            return self._rest(index, f"alert {index} has no end tag: the file is cut off here")
        if boundary.group("end"):
            return self._take(index, boundary.end())
        return self._take(index, boundary.start(), f"alert {index} is cut off before the next")

    def _take(self, index: int, end: int, problem: str = "") -> Piece:
        self.pos = end
        return Piece(index, self.base, bytes(self.buf[:end]), problem)

    def _rest(self, index: int, problem: str) -> Piece:
        """The damaged rest of the file (or of an oversized alert), up to what is buffered."""
        if len(self.buf) > MAX_ALERT_BYTES:
            problem = f"{problem} (more than {MAX_ALERT_BYTES} bytes without an alert boundary)"
        return self._take(index, len(self.buf), problem)


_ROOT_NAME = b"EventNotificationAlert"
_DECL_START = b"<?xml"


def _search(pattern: re.Pattern[bytes], buf: bytearray, start: int) -> re.Match[bytes] | None:
    """`pattern.search(buf, start)` for the splitter's patterns, found in a fraction of the
    time: a regex whose every alternative starts with "<" is tried at each byte, whereas
    each of its matches holds the root element's name or an XML declaration, which
    `find` locates in C; the regex then only confirms those few places."""
    found = _search_tag(pattern, buf, start)
    if pattern is _ROOT:
        return found
    declaration = _search_declaration(buf, start, found.start() if found else len(buf))
    return declaration or found


def _search_tag(pattern: re.Pattern[bytes], buf: bytearray, start: int) -> re.Match[bytes] | None:
    """The first match of `pattern` at the tag around an occurrence of the root's name."""
    name = buf.find(_ROOT_NAME, start)
    while name >= 0:
        # The tag starts at the last "<" before the name: a namespace prefix holds none.
        opening = buf.rfind(b"<", start, name)
        if opening >= 0:
            match = pattern.match(buf, opening)
            if match is not None and match.end() > name:
                return match
        name = buf.find(_ROOT_NAME, name + 1)
    return None


def _search_declaration(buf: bytearray, start: int, end: int) -> re.Match[bytes] | None:
    """The first XML declaration that starts in [start, end), as a match of `_BOUNDARY`."""
    at = buf.find(_DECL_START, start, end)
    while at >= 0:
        match = _BOUNDARY.match(buf, at)
        if match is not None:
            return match
        at = buf.find(_DECL_START, at + 1, end)
    return None


def parse_alert(data: bytes) -> Element:
    """The alert's element tree. defusedxml's parser runs expat through Python callbacks
    (half the time of an ingest); the C parser is used instead when the alert cannot hold a
    DTD: text in an encoding where ASCII is ASCII (no NUL bytes, a declared encoding expat
    knows) has a DTD or an entity declaration only where "<!DOCTYPE" stands literally, and
    without one nothing can be expanded. Anything else, and any parse error (reported in
    defusedxml's words), goes to defusedxml with DTDs forbidden."""
    if _plain_xml(data):
        try:
            return _c_fromstring(data)
        except ParseError:
            pass
    return fromstring(data, forbid_dtd=True)


_DECLARED = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]*)", re.ASCII)
_EXPAT_ENCODINGS = frozenset({b"utf-8", b"utf8", b"us-ascii", b"ascii", b"iso-8859-1", b"latin-1"})


def _plain_xml(data: bytes) -> bool:
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data or b"\x00" in data:
        return False
    if not data.removeprefix(UTF8_BOM).lstrip().startswith(b"<"):
        return False
    declared = _DECLARED.match(data.removeprefix(UTF8_BOM).lstrip())
    return declared is None or declared.group(1).lower() in _EXPAT_ENCODINGS


def _local(tag: Any) -> str:
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = str(tag).rpartition("}")[2]
        if len(_LOCAL_NAMES) < 4096:  # tags repeat; a hostile file cannot grow this
            _LOCAL_NAMES[tag] = name
    return name


# "{namespace}name" -> "name": an alert has some fifty elements, every one looked up.
_LOCAL_NAMES: dict[Any, str] = {}


def _fields(root: Element) -> dict[str, Element]:
    """The alert's elements by path of local names ("ANPR/vehicleInfo/color"), indexed in
    one walk (namespaces vary by firmware, so names are matched without them). Where a
    name repeats among siblings, the first counts, and only its children are indexed."""
    fields: dict[str, Element] = {}
    pending = [(root, "")]
    while pending:
        elem, prefix = pending.pop()
        for child in elem:
            path = prefix + _local(child.tag)
            if path not in fields:
                fields[path] = child
                if len(child):
                    pending.append((child, path + "/"))
    return fields


def _parse_problem(exc: Exception) -> str:
    if isinstance(exc, DTDForbidden):
        return (
            f"alert declares a DTD (<!DOCTYPE {exc.name}>); DTDs and entity declarations "
            "are refused, so nothing in it was expanded"
        )
    if isinstance(exc, EntitiesForbidden | ExternalReferenceForbidden):
        return f"alert declares entities ({exc}); refused, nothing was expanded"
    return f"alert is not well-formed XML ({exc})"


def _mac(text: str | None) -> str:
    """A MAC address as six upper-case hex pairs joined by colons."""
    if text is None:
        raise InvalidValue("macAddress", None, "required field is missing")
    digits = re.sub(r"[:\-.\s]", "", text)
    if not re.fullmatch(r"[0-9A-Fa-f]{12}", digits):
        raise InvalidValue("macAddress", text, "expected a MAC address (12 hex digits)")
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2)).upper()


def _percent(text: str | None) -> float | None:
    """confidenceLevel is a percentage; the model's scores lie in [0, 1]."""
    if text is None:
        return None
    try:
        return float(text) / 100
    except ValueError:
        raise InvalidValue("ANPR.confidenceLevel", text, "expected a percentage") from None


def _known(text: str | None) -> str | None:
    return None if text is None or text.lower() == "unknown" else text


def _location(alert: Alert) -> tuple[float, float] | None:
    """DeviceGPSInfo in degrees / minutes / seconds with hemisphere letters; all zero
    means the camera has no position configured, which is not a place at 0°, 0°."""
    if "DeviceGPSInfo" not in alert.fields:
        return None
    lat, lon = _degrees(alert, "Latitude"), _degrees(alert, "Longitude")
    return None if lat == lon == 0 else (lat, lon)


def _degrees(alert: Alert, axis: str) -> float:
    where = f"DeviceGPSInfo.{axis}"
    field = f"DeviceGPSInfo/{axis}/"
    degree = alert.text(field + "degree")
    if degree is None:
        raise InvalidValue(where, None, "DeviceGPSInfo without a degree value")
    parts = [degree, alert.text(field + "minute") or "0", alert.text(field + "sec") or "0"]
    try:
        deg, minute, sec = (float(p) for p in parts)
    except ValueError:
        raise InvalidValue(where, parts, "expected degree, minute, sec numbers") from None
    if not (deg >= 0 and 0 <= minute < 60 and 0 <= sec < 60):
        raise InvalidValue(where, parts, "expected degrees >= 0, minutes and seconds in [0, 60)")
    value = deg + minute / 60 + sec / 3600
    type_tag, signs = _AXES[axis]
    hemisphere = (alert.text(f"DeviceGPSInfo/{type_tag}") or "").upper()
    if value and hemisphere not in signs:
        raise InvalidValue(
            f"DeviceGPSInfo.{type_tag}", hemisphere, f"expected one of {sorted(signs)}"
        )
    return value * signs.get(hemisphere, 1)
