"""Writes one batch's tables from its parts (`ingest.batchparts`), in order.

Events, the edges from them and the source records stream straight to Parquet; entities
and the edges between entities repeat across parts, so they are merged by id and written
once at the end, first assertion first. The parts may come from this process (`write`)
or from workers that read stretches of one file (`write_parts`): the tables are the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ingest import batchparts
from ingest.batchparts import (
    EDGE_SCHEMA,
    NODE_SCHEMA,
    RECORD_SCHEMA,
    BatchPart,
    Rows,
    build_parts,
    merge_props,
)
from ingest.records import Rejected, SourceRecord
from schemas.codec import encode_props
from schemas.model import Model, default_model


@dataclass(frozen=True)
class BatchCounts:
    read: int
    accepted: int
    quarantined: int


class _TableSink:
    """Appends tables to one Parquet file in row groups bounded by rows and by bytes, so
    memory stays one row group whatever the file size."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.writer = pq.ParquetWriter(path, schema, compression="zstd")
        self.tables: list[pa.Table] = []
        self.rows = 0
        self.bytes = 0

    def add(self, table: pa.Table) -> None:
        if not table.num_rows:
            return
        self.tables.append(table)
        self.rows += table.num_rows
        self.bytes += table.nbytes
        if self.rows >= batchparts.ROW_GROUP or self.bytes >= batchparts.ROW_GROUP_BYTES:
            self.flush()

    def flush(self) -> None:
        if self.tables:
            self.writer.write_table(pa.concat_tables(self.tables))
            self.tables, self.rows, self.bytes = [], 0, 0

    def close(self) -> None:
        self.flush()
        self.writer.close()


class BatchWriter:
    def __init__(self, folder: Path, model: Model | None = None) -> None:
        self.folder = folder
        self.model = model or default_model()
        self.entities: dict[str, list[Any]] = {}  # id -> [merged props, record id, type]
        self.entity_edges: dict[str, tuple[str, ...]] = {}

    def write(self, items: Iterable[SourceRecord | Rejected]) -> BatchCounts:
        return self.write_parts(build_parts(items, self.model))

    def write_parts(self, parts: Iterable[BatchPart]) -> BatchCounts:
        nodes = _TableSink(self.folder / "nodes.parquet", NODE_SCHEMA)
        edges = _TableSink(self.folder / "edges.parquet", EDGE_SCHEMA)
        records = _TableSink(self.folder / "records.parquet", RECORD_SCHEMA)
        accepted = quarantined = 0
        # backslashreplace: a rejected record may hold bytes that were not UTF-8; they are
        # kept as JSON escapes rather than lost or crashing the batch.
        quarantine_path = self.folder / "quarantine.jsonl"
        with quarantine_path.open("w", encoding="utf-8", errors="backslashreplace") as quarantine:
            for part in parts:
                nodes.add(part.events)
                edges.add(part.event_edges)
                records.add(part.records)
                quarantine.writelines(part.quarantine)
                self._merge(part)
                accepted += part.accepted
                quarantined += part.quarantined
        self._write_entities(nodes, edges)
        for sink in (nodes, edges, records):
            sink.close()
        return BatchCounts(accepted + quarantined, accepted, quarantined)

    def _merge(self, part: BatchPart) -> None:
        for node_id, entity in part.entities.items():
            known = self.entities.get(node_id)
            if known is None:
                self.entities[node_id] = entity
            else:
                merge_props(known[0], entity[0])
        for edge_id, row in part.entity_edges.items():
            self.entity_edges.setdefault(edge_id, row)

    def _write_entities(self, nodes: _TableSink, edges: _TableSink) -> None:
        node_rows = (
            (node_id, type_name, encode_props(props), record_id)
            for node_id, (props, record_id, type_name) in self.entities.items()
        )
        _write_rows(nodes, NODE_SCHEMA, node_rows)
        _write_rows(edges, EDGE_SCHEMA, self.entity_edges.values())


def _write_rows(sink: _TableSink, schema: pa.Schema, rows: Iterable[tuple[str, ...]]) -> None:
    """Rows to a sink, a bounded table at a time."""
    buffer = Rows(schema)
    for row in rows:
        buffer.add(row)
        if buffer.full:
            sink.add(buffer.table())
            buffer = Rows(schema)
    sink.add(buffer.table())
