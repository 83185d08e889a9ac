"""GPX 1.1 tracks, routes and waypoints (GPX 1.0 files read the same way).

Every `trkpt`, `rtept` and `wpt` is one record: a LocationFix {time, location,
altitude_m = ele, fix_source "gpx"} LOCATED to the file's owner and RECORDED_BY a Device
named by the `creator` attribute of <gpx> (the recording device or program).

The file is parsed by defusedxml's iterparse with DTDs forbidden: a DOCTYPE or entity
declaration quarantines the file as one record and nothing is expanded. Each point is
dropped from the tree once read, so memory stays one point however long the track.

Decisions:
- A point without <time> is quarantined: the model places every fix on a timeline, and
  routes and waypoints, which usually have no time, are plans rather than positions.
- A time without an offset follows TimestampType's rule (refused unless the user names
  the zone); GPX 1.1 requires UTC, but some programs write local times without "Z".
- `raw` is the point re-written from the parsed elements (local names, no namespace
  prefixes), since a streaming parser does not keep the original bytes.
- Locators are `file#/trk[0]/trkseg[0]/trkpt[17]`, counting from 0 among siblings of the
  same name; a damaged file ends with one Rejected at `file:line N` for the rest.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import iterparse

from ingest.connectors.base import Connector
from ingest.connectors.common import xml_head_matches
from ingest.connectors.location import (
    add_fix,
    checked_point,
    guarded,
    is_blank,
    point_key,
    text,
    timestamp,
)
from ingest.connectors.owner import add_owner
from ingest.records import RAW_LIMIT, RecordBuilder, Rejected, SourceRecord, excerpt
from schemas.errors import InvalidValue

GPX_NAMESPACES = frozenset(
    {"http://www.topografix.com/GPX/1/1", "http://www.topografix.com/GPX/1/0", ""}
)
POINTS = frozenset({"trkpt", "rtept", "wpt"})
_NAME = rb"(?:[A-Za-z_][\w.-]*:)?gpx"
_ROOT = re.compile(rb"<" + _NAME + rb"[\s>/]|<!DOCTYPE\s+" + _NAME + rb"[\s\[>]")
_RENDER_DEPTH = 6  # nesting shown in raw; deeper extension content is elided


@dataclass
class _Open:
    """An element whose end tag has not been read yet."""

    elem: Element
    step: str
    children: dict[str, int] = field(default_factory=dict)  # local name -> count so far


class GpxTrack(Connector):
    name = "gpx"
    version = "1"
    title = "GPX 1.1 tracks, routes and waypoints"
    source_kind = "gpx"

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        return xml_head_matches(head, _ROOT)

    def read(self, path: Path) -> Iterator[SourceRecord | Rejected]:
        if is_blank(path):
            return
        walk = _Walk(path)
        for found in walk.points():
            if isinstance(found, Rejected):
                yield found
                continue
            locator, elem = found
            raw = render(elem)
            build = partial(self._record, path, locator, raw, elem, walk.creator)
            yield guarded(locator, raw, build)

    def _record(
        self, path: Path, locator: str, raw: str, elem: Element, creator: str | None
    ) -> SourceRecord:
        lat, lon = checked_point(
            "lat/lon", _decimal("lat", elem.get("lat")), _decimal("lon", elem.get("lon"))
        )
        fields = _fields(elem)
        when_text = text("time", fields.get("time"))
        if when_text is None:
            raise InvalidValue(
                "time", None, "GPX point without a time cannot be placed on a timeline"
            )
        when = timestamp("time", when_text, self.options.assume_offset)
        ele = text("ele", fields.get("ele"))
        builder = RecordBuilder(
            self.model, self.source_kind, locator, raw, self.options.assume_offset
        )
        owner = add_owner(builder, self.options, path)
        device = None
        if creator is not None:
            device = builder.entity("Device", id_kind="gpx-creator", serial=creator, name=creator)
        fix = {
            "time": when,
            "location": (lat, lon),
            "altitude_m": None if ele is None else _decimal("ele", ele),
            "fix_source": "gpx",
        }
        add_fix(builder, point_key("gpx", when, lat, lon), owner, fix, device)
        return builder.build()


class _Walk:
    """Streams the points of one GPX file, dropping each element once it is read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.creator: str | None = None

    def points(self) -> Iterator[tuple[str, Element] | Rejected]:
        try:
            with self.path.open("rb") as fp:
                yield from self._events(iterparse(fp, events=("start", "end"), forbid_dtd=True))
        except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden) as exc:
            yield Rejected(f"{self.path}:line 1", _refused(exc), _head(self.path))
        except (ParseError, ValueError, LookupError) as exc:
            line, column = getattr(exc, "position", (0, 0))
            reason = f"GPX is not well-formed XML ({exc}); the rest of the file is unread"
            yield Rejected(f"{self.path}:line {line}", reason, _around(self.path, line, column))

    def _events(
        self, events: Iterator[tuple[str, Any]]
    ) -> Iterator[tuple[str, Element] | Rejected]:
        """Elements outside points are counted for locators and dropped once ended;
        a point's content is kept until the point ends, then the point is dropped."""
        stack: list[_Open] = []
        point: Element | None = None
        for event, elem in events:
            if point is not None and elem is not point:
                continue  # inside a point: its parts stay until the point is read
            if event == "start":
                if not stack and not self._root(elem):
                    found = f"<{_names(elem.tag)[0]}>"
                    raw = _head(self.path)
                    yield Rejected(f"{self.path}:line 1", f"root element {found} is not <gpx>", raw)
                    return
                stack.append(_child(stack, elem))
                if _is_point(elem):
                    point = elem
                continue
            if point is not None:  # here the point itself has ended
                yield "/".join([f"{self.path}#", *(o.step for o in stack[1:])]), point
                point = None
            stack.pop()
            if stack:
                stack[-1].elem.remove(elem)  # read: let it go

    def _root(self, elem: Element) -> bool:
        if _names(elem.tag) != ("gpx", True):
            return False
        creator = elem.get("creator")
        self.creator = creator.strip() if creator and creator.strip() else None
        return True


def _child(stack: list[_Open], elem: Element) -> _Open:
    name = _names(elem.tag)[0]
    if not stack:
        return _Open(elem, name)
    siblings = stack[-1].children
    index = siblings.get(name, 0)
    siblings[name] = index + 1
    return _Open(elem, f"{name}[{index}]")


def _is_point(elem: Element) -> bool:
    name, gpx = _names(elem.tag)
    return gpx and name in POINTS


_NAMES: dict[str, tuple[str, bool]] = {}


def _names(tag: Any) -> tuple[str, bool]:
    """The local name of a tag and whether it is in a GPX namespace (or none)."""
    try:
        return _NAMES[tag]
    except (KeyError, TypeError):
        pass
    text_tag = str(tag)
    namespace, _, local = (
        text_tag[1:].rpartition("}") if text_tag[:1] == "{" else ("", "", text_tag)
    )
    names = (local, namespace in GPX_NAMESPACES)
    if isinstance(tag, str) and len(_NAMES) < 10_000:
        _NAMES[tag] = names
    return names


def _fields(elem: Element) -> dict[str, str]:
    """Text of the point's GPX children by name (the first of each)."""
    fields: dict[str, str] = {}
    for child in elem:
        name, gpx = _names(child.tag)
        if gpx and name not in fields:
            fields[name] = child.text or ""
    return fields


def _decimal(field_name: str, value: str | None) -> float:
    """An xsd:decimal attribute or element text (no NaN, no infinity, no exponent)."""
    raw = text(field_name, value, required=True) or ""
    if not re.fullmatch(r"\s*[-+]?(?:\d+\.?\d*|\.\d+)\s*", raw):
        raise InvalidValue(field_name, value, "expected a decimal number")
    return float(raw)


def render(elem: Element) -> str:
    """The element as XML text with local names, cut at RAW_LIMIT characters."""
    out: list[str] = []
    _write(elem, out, 0)
    return excerpt("".join(out))


def _write(elem: Element, out: list[str], depth: int) -> None:
    name = _names(elem.tag)[0]
    out.append("<" + name)
    for key, value in elem.attrib.items():
        out.append(f' {_names(key)[0]}="{_escape(value)}"')
    out.append(">")
    if depth >= _RENDER_DEPTH or len(out) > RAW_LIMIT // 8:
        out.append("…")
    else:
        if elem.text:
            out.append(_escape(elem.text))
        for child in elem:
            _write(child, out, depth + 1)
            if child.tail:
                out.append(_escape(child.tail))
    out.append(f"</{name}>")


def _escape(value: str) -> str:
    value = value[:RAW_LIMIT]
    if "&" in value or "<" in value or '"' in value or ">" in value:
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        value = value.replace('"', "&quot;")
    return value


def _refused(exc: Exception) -> str:
    if isinstance(exc, DTDForbidden):
        return (
            f"GPX declares a DTD (<!DOCTYPE {exc.name}>); DTDs and entity declarations "
            "are refused, so nothing in it was expanded and the file is unread"
        )
    return f"GPX declares entities ({exc}); refused, nothing was expanded, the file is unread"


def _head(path: Path) -> str:
    with path.open("rb") as fp:
        return fp.read(2000).decode("utf-8", errors="replace")


def _around(path: Path, line: int, column: int) -> str:
    """Up to 300 bytes before and 100 after (line, column), read without loading the file."""
    start = 0
    with path.open("rb") as fp:
        seen, offset = 1, 0
        while seen < line and (chunk := fp.read(1 << 16)):
            at = 0
            while seen < line and (at := chunk.find(b"\n", at) + 1) > 0:
                seen, start = seen + 1, offset + at
            offset += len(chunk)
        fp.seek(max(0, start + column - 300))
        return fp.read(400).decode("utf-8", errors="replace")
