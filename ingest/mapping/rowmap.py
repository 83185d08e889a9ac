"""One row in, one SourceRecord (or a Rejected with the reason) out.

Per row: every entity is built unless all its required properties that come from the
row are empty (then it is left out, with its links); every event is built, and a
required event value that is missing or refused quarantines the row, the reason naming
the column. Events are identified by the row's `key` columns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from ingest.connectors.base import ReadOptions
from ingest.mapping.props import Getter, PropSource, compile_source, plain
from ingest.mapping.spec import Mapping, NodeMap
from ingest.mapping.tables import Row
from ingest.records import RecordBuilder, Rejected, SourceRecord, excerpt
from schemas.errors import InvalidValue
from schemas.model import Model

_KEY_SEPARATOR = "\x1f"


@dataclass(frozen=True)
class _Node:
    handle: str
    type_name: str
    getters: tuple[tuple[str, Getter], ...]
    required_from_row: tuple[str, ...]  # empty all together: the entity is left out
    sources: dict[str, PropSource]  # "Type.prop" -> source, to explain a refusal

    def values(self, row: Any) -> dict[str, Any]:
        found = {}
        for prop, get in self.getters:
            value = get(row)
            if value is not None:
                found[prop] = value
        return found

    def absent(self, values: dict[str, Any]) -> bool:
        for prop in self.required_from_row:
            if prop in values:
                return False
        return bool(self.required_from_row)


class RowMapper:
    """A mapping compiled for one file: its columns resolved, its run options applied."""

    def __init__(
        self,
        mapping: Mapping,
        model: Model,
        source_kind: str,
        options: ReadOptions,
        column: Callable[[str], Getter],
    ) -> None:
        self.model = model
        self.source_kind = source_kind
        # The most specific choice wins: a run's --assume-offset over the mapping's zone;
        # the mapping's phone region over the workspace's default region.
        zone = mapping.timezone
        self.assume_offset: timedelta | None = options.assume_offset
        if self.assume_offset is None and isinstance(zone, timedelta):
            self.assume_offset = zone
        local = zone if options.assume_offset is None and isinstance(zone, ZoneInfo) else None
        build = partial(_compile, column=column, region=options.phone_region, zone=local)
        self.entities = tuple(build(n) for n in mapping.entities)
        self.events = tuple(build(n) for n in mapping.events)
        self.links = mapping.links
        self.key_names = mapping.key
        self.key = tuple(
            partial(_key_part, f"key column {name!r}", column(name)) for name in mapping.key
        )
        self.suffix = len(mapping.events) > 1  # several events: the name tells them apart

    def apply(self, row: Row) -> SourceRecord | Rejected:
        if row.problem:
            return Rejected(row.locator, row.problem, row.raw)
        builder = RecordBuilder(
            self.model, self.source_kind, row.locator, row.raw, self.assume_offset
        )
        node: _Node | None = None
        try:
            ids: dict[str, str] = {}
            for node in self.entities:
                values = node.values(row.values)
                if not node.absent(values):
                    ids[node.handle] = builder.entity(node.type_name, **values)
            if self.events:
                key = self._natural_key(row.values)
                for node in self.events:
                    natural = f"{key}{_KEY_SEPARATOR}{node.handle}" if self.suffix else key
                    values = node.values(row.values)
                    ids[node.handle] = builder.event(node.type_name, natural, **values)
        except InvalidValue as exc:
            return Rejected(row.locator, _reason(exc, node), excerpt(row.raw))
        for link in self.links:
            if link.source in ids and link.target in ids:
                builder.link(link.rel, ids[link.source], ids[link.target])
        if not builder.nodes:
            reason = "the row asserts nothing: the required columns of every entity are empty"
            return Rejected(row.locator, reason, excerpt(row.raw))
        return builder.build()

    def _natural_key(self, values: Any) -> str:
        parts = [get(values) for get in self.key]
        if all(p is None for p in parts):
            names = ", ".join(repr(n) for n in self.key_names)
            raise InvalidValue("key", None, f"the key columns {names} are all empty")
        return _KEY_SEPARATOR.join("" if p is None else str(p) for p in parts)


def _compile(
    node: NodeMap, column: Callable[[str], Getter], region: str | None, zone: ZoneInfo | None
) -> _Node:
    getters = tuple((s.prop, compile_source(s, column, region, zone)) for s in node.sources)
    required = tuple(s.prop for s in node.sources if s.spec.required and s.columns)
    sources = {s.qualified: s for s in node.sources}
    return _Node(node.handle, node.type_name, getters, required, sources)


def _key_part(name: str, get: Getter, row: Any) -> Any:
    return plain(name, get(row))


def _reason(exc: InvalidValue, node: _Node | None) -> str:
    """The refusal, told in the mapping's terms: which column, which property."""
    source = node.sources.get(exc.field) if node is not None else None
    if source is None:
        return exc.reason if exc.field == "key" else str(exc)
    if exc.value is None or exc.value == "":
        return f"{source.describe()} is empty, but {exc.field} is required"
    shown = repr(exc.value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return f"{source.describe()} -> {exc.field}: {exc.reason} (value {shown})"
