"""Writes one batch's tables while records stream in.

Events are unique per record and stream straight to Parquet; entities and the edges
between entities repeat across records (the same plate read a thousand times), so they
are collected by id and written once, first assertion first.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ingest.records import Edge, Rejected, SourceRecord
from schemas.codec import encode_props
from schemas.model import Model, default_model

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


@dataclass(frozen=True)
class BatchCounts:
    read: int
    accepted: int
    quarantined: int


class _TableSink:
    """Buffers rows of text columns and writes them to one Parquet file in row groups,
    bounded by rows and by bytes, so memory stays one row group whatever the file size."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.schema = schema
        self.writer = pq.ParquetWriter(path, schema, compression="zstd")
        self.rows: list[tuple[str, ...]] = []
        self.chars = 0

    def add(self, *values: str) -> None:
        self.rows.append(values)
        self.chars += sum(map(len, values))
        # UTF-8 takes at most 4 bytes a character: this keeps each column's offsets (32-bit)
        # in range and the buffered text of a multi-gigabyte file small.
        if len(self.rows) >= ROW_GROUP or 4 * self.chars >= ROW_GROUP_BYTES:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            columns = zip(*self.rows, strict=True)
            arrays = [string_array(list(column)) for column in columns]
            self.writer.write_table(pa.Table.from_arrays(arrays, schema=self.schema))
            self.rows = []
            self.chars = 0

    def close(self) -> None:
        self.flush()
        self.writer.close()


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


class BatchWriter:
    def __init__(self, folder: Path, model: Model | None = None) -> None:
        self.folder = folder
        self.model = model or default_model()
        self.event_types = frozenset(t.name for t in self.model.event_types())
        # entity id -> [merged props, first record id, the props object last merged, type]
        self.entities: dict[str, list[Any]] = {}
        self.entity_edges: dict[str, tuple[Edge, str]] = {}

    def write(self, items: Iterable[SourceRecord | Rejected]) -> BatchCounts:
        nodes = _TableSink(self.folder / "nodes.parquet", NODE_SCHEMA)
        edges = _TableSink(self.folder / "edges.parquet", EDGE_SCHEMA)
        records = _TableSink(self.folder / "records.parquet", RECORD_SCHEMA)
        accepted = quarantined = 0
        # backslashreplace: a rejected record may hold bytes that were not UTF-8; they are
        # kept as JSON escapes rather than lost or crashing the batch.
        quarantine_path = self.folder / "quarantine.jsonl"
        with quarantine_path.open("w", encoding="utf-8", errors="backslashreplace") as quarantine:
            for item in items:
                if isinstance(item, SourceRecord):
                    rows = self._event_rows(item)
                    if rows is not None:
                        records.add(item.record_id, item.locator, item.raw)
                        self._add_record(item, rows, nodes, edges)
                        accepted += 1
                        continue
                    item = Rejected(item.locator, _NOT_UNICODE, item.raw)
                quarantine.write(json.dumps(item.__dict__, ensure_ascii=False) + "\n")
                quarantined += 1
        self._write_entities(nodes, edges)
        for sink in (nodes, edges, records):
            sink.close()
        return BatchCounts(accepted + quarantined, accepted, quarantined)

    def _event_rows(self, record: SourceRecord) -> list[tuple[str, str, str, str]] | None:
        """The record's event rows, or None when it holds text that is not valid Unicode:
        Parquet and the graph take only that, and connectors that read undecodable bytes
        as surrogates must not get them past here. Entity properties are checked when
        they are new to the batch (a camera repeated in every record is checked once)."""
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
                    if known is None or known[2] is not node.props:
                        encode_props(node.props)
        except (UnicodeEncodeError, TypeError):
            return None
        return rows

    def _add_record(
        self,
        record: SourceRecord,
        rows: list[tuple[str, str, str, str]],
        nodes: _TableSink,
        edges: _TableSink,
    ) -> None:
        for row in rows:
            nodes.add(*row)
        for node in record.nodes:
            if node.type in self.event_types:
                continue
            known = self.entities.get(node.id)
            if known is None:
                # A copy: connectors may share one props dict between records (a cache).
                self.entities[node.id] = [dict(node.props), record.record_id, node.props, node.type]
            elif known[2] is not node.props:
                # Later records may know more (a colour, a name); they fill gaps only.
                merged = known[0]
                for key, value in node.props.items():
                    merged.setdefault(key, value)
                known[2] = node.props
        event_ids = {row[0] for row in rows}
        for edge in record.edges:
            if edge.source in event_ids:
                edges.add(*_edge_row(edge, record.record_id))
            elif edge.id not in self.entity_edges:
                self.entity_edges[edge.id] = (edge, record.record_id)

    def _write_entities(self, nodes: _TableSink, edges: _TableSink) -> None:
        for node_id, (props, record_id, _last, type_name) in self.entities.items():
            nodes.add(node_id, type_name, encode_props(props), record_id)
        for edge, record_id in self.entity_edges.values():
            edges.add(*_edge_row(edge, record_id))


_NOT_UNICODE = "text is not valid Unicode (bytes that are not UTF-8, or a lone surrogate)"


def _edge_row(edge: Edge, record_id: str) -> tuple[str, ...]:
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
