"""Parts of a batch: the rows a run of records produces, built where the records are read.

A part holds the events, the edges from them and the source records as Arrow tables, the
quarantined records as JSON lines, and the entities the part asserts (merged within the
part). Tables travel cheaply between processes (a few buffers each), so a worker can read
a stretch of a file into a part while the batch writer, elsewhere, appends parts in order
and merges their entities once per batch.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

import pyarrow as pa

from ingest.records import Edge, Rejected, SourceRecord
from schemas.codec import encode_props
from schemas.model import Model

ROW_GROUP = 50_000
ROW_GROUP_BYTES = 256 << 20

NODE_SCHEMA = pa.schema(
    [("id", pa.string()), ("type", pa.string()), ("props", pa.string()), ("record_id", pa.string())]
)
EDGE_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("type", pa.string()),
        ("source", pa.string()),
        ("target", pa.string()),
        ("source_type", pa.string()),
        ("target_type", pa.string()),
        ("props", pa.string()),
        ("record_id", pa.string()),
    ]
)
RECORD_SCHEMA = pa.schema(
    [("record_id", pa.string()), ("locator", pa.string()), ("raw", pa.string())]
)

NOT_UNICODE = "text is not valid Unicode (bytes that are not UTF-8, or a lone surrogate)"


@dataclass
class BatchPart:
    events: pa.Table  # NODE_SCHEMA: events are unique per record
    event_edges: pa.Table  # EDGE_SCHEMA: the edges from those events
    records: pa.Table  # RECORD_SCHEMA
    quarantine: list[str]  # one JSON line per rejected record
    # Entities and the edges between them repeat across records (the same plate read a
    # thousand times): id -> [merged props, first record id, type], first assertion first.
    entities: dict[str, list[Any]]
    entity_edges: dict[str, tuple[str, ...]]  # edge id -> its row, from the first record
    accepted: int
    quarantined: int


class Rows:
    """Rows of text columns, counted so that a part stays one bounded row group."""

    def __init__(self, schema: pa.Schema) -> None:
        self.schema = schema
        self.rows: list[tuple[str, ...]] = []
        self.chars = 0

    def add(self, values: tuple[str, ...]) -> None:
        self.rows.append(values)
        self.chars += sum(map(len, values))

    @property
    def full(self) -> bool:
        # UTF-8 takes at most 4 bytes a character: this keeps each column's offsets (32-bit)
        # in range and the buffered text of a multi-gigabyte file small.
        return len(self.rows) >= ROW_GROUP or 4 * self.chars >= ROW_GROUP_BYTES

    def table(self) -> pa.Table:
        columns = zip(*self.rows, strict=True) if self.rows else [[]] * len(self.schema)
        arrays = [string_array(list(column)) for column in columns]
        return pa.Table.from_arrays(arrays, schema=self.schema)


def string_array(values: list[str]) -> pa.Array:
    """An Arrow string array built from the joined text. Not `pa.array(values)`: pyarrow's
    converter of Python objects imports pandas on first use (0.3 s a process, more than
    ingesting a small file takes). Values must be valid Unicode (checked per record)."""
    text = "".join(values)
    data = text.encode("utf-8")
    if len(data) == len(text):  # all ASCII: byte lengths are the character lengths
        lengths: Iterable[int] = map(len, values)
    else:
        lengths = (len(v.encode("utf-8")) for v in values)
    offsets = array("i", accumulate(lengths, initial=0))
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    return pa.Array.from_buffers(pa.string(), len(values), buffers)


class PartBuilder:
    """Collects records into one part."""

    def __init__(self, model: Model) -> None:
        self.event_types = frozenset(t.name for t in model.event_types())
        self.nodes = Rows(NODE_SCHEMA)
        self.edges = Rows(EDGE_SCHEMA)
        self.records = Rows(RECORD_SCHEMA)
        self.quarantine: list[str] = []
        # entity id -> [merged props, first record id, type, the props object last merged]
        self.entities: dict[str, list[Any]] = {}
        self.entity_edges: dict[str, tuple[str, ...]] = {}
        self.accepted = 0

    @property
    def full(self) -> bool:
        return self.nodes.full or self.edges.full or self.records.full

    def add(self, item: SourceRecord | Rejected) -> None:
        if isinstance(item, SourceRecord):
            rows = self._event_rows(item)
            if rows is not None:
                self.records.add((item.record_id, item.locator, item.raw))
                self._add_record(item, rows)
                self.accepted += 1
                return
            item = Rejected(item.locator, NOT_UNICODE, item.raw)
        self.quarantine.append(json.dumps(item.__dict__, ensure_ascii=False) + "\n")

    def finish(self) -> BatchPart:
        entities = {key: value[:3] for key, value in self.entities.items()}
        return BatchPart(
            self.nodes.table(),
            self.edges.table(),
            self.records.table(),
            self.quarantine,
            entities,
            self.entity_edges,
            self.accepted,
            len(self.quarantine),
        )

    def _event_rows(self, record: SourceRecord) -> list[tuple[str, str, str, str]] | None:
        """The record's event rows, or None when it holds text that is not valid Unicode:
        Parquet and the graph take only that, and connectors that read undecodable bytes
        as surrogates must not get them past here. Entity properties are checked when
        they are new to the part (a camera repeated in every record is checked once)."""
        rows = []
        try:
            record.raw.encode("utf-8")
            record.locator.encode("utf-8")
            for node in record.nodes:
                if node.type in self.event_types:
                    props = encode_props(node.props)
                    rows.append((node.id, node.type, props, record.record_id))
                else:
                    known = self.entities.get(node.id)
                    if known is None or known[3] is not node.props:
                        encode_props(node.props)
        except (UnicodeEncodeError, TypeError):
            return None
        return rows

    def _add_record(self, record: SourceRecord, rows: list[tuple[str, str, str, str]]) -> None:
        for row in rows:
            self.nodes.add(row)
        for node in record.nodes:
            if node.type in self.event_types:
                continue
            known = self.entities.get(node.id)
            if known is None:
                # A copy: connectors may share one props dict between records (a cache).
                self.entities[node.id] = [dict(node.props), record.record_id, node.type, node.props]
            elif known[3] is not node.props:
                merge_props(known[0], node.props)
                known[3] = node.props
        event_ids = {row[0] for row in rows}
        for edge in record.edges:
            if edge.source in event_ids:
                self.edges.add(edge_row(edge, record.record_id))
            elif edge.id not in self.entity_edges:
                self.entity_edges[edge.id] = edge_row(edge, record.record_id)


def merge_props(merged: dict[str, Any], later: dict[str, Any]) -> None:
    """Later records may know more of an entity (a colour, a name); they fill gaps only."""
    for key, value in later.items():
        merged.setdefault(key, value)


def edge_row(edge: Edge, record_id: str) -> tuple[str, ...]:
    return (
        edge.id,
        edge.type,
        edge.source,
        edge.target,
        edge.source_type,
        edge.target_type,
        encode_props(edge.props),
        record_id,
    )


def build_parts(items: Iterable[SourceRecord | Rejected], model: Model) -> Iterator[BatchPart]:
    """The parts of a stream of records, each at most one row group."""
    builder = PartBuilder(model)
    for item in items:
        builder.add(item)
        if builder.full:
            yield builder.finish()
            builder = PartBuilder(model)
    yield builder.finish()
