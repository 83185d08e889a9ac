"""Writes one batch's tables while records stream in.

Events are unique per record and stream straight to Parquet; entities and the edges
between entities repeat across records (the same plate read a thousand times), so they
are collected by id and written once, first assertion first.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ingest.records import Edge, Node, Rejected, SourceRecord
from schemas.codec import encode_props
from schemas.model import Model, default_model

ROW_GROUP = 50_000

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
    """Buffers rows and writes them to one Parquet file in row groups."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.schema = schema
        self.writer = pq.ParquetWriter(path, schema, compression="zstd")
        self.columns: dict[str, list] = {name: [] for name in schema.names}
        self.size = 0

    def add(self, *values: object) -> None:
        for column, value in zip(self.columns.values(), values, strict=True):
            column.append(value)
        self.size += 1
        if self.size >= ROW_GROUP:
            self.flush()

    def flush(self) -> None:
        if self.size:
            self.writer.write_table(pa.table(self.columns, schema=self.schema))
            self.columns = {name: [] for name in self.schema.names}
            self.size = 0

    def close(self) -> None:
        self.flush()
        self.writer.close()


class BatchWriter:
    def __init__(self, folder: Path, model: Model | None = None) -> None:
        self.folder = folder
        self.model = model or default_model()
        self.entities: dict[str, tuple[Node, str]] = {}
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
                encoded = _encoded_props(item) if isinstance(item, SourceRecord) else None
                if isinstance(item, SourceRecord) and encoded is None:
                    item = Rejected(item.locator, _NOT_UNICODE, item.raw)
                if isinstance(item, Rejected) or encoded is None:
                    quarantine.write(json.dumps(item.__dict__, ensure_ascii=False) + "\n")
                    quarantined += 1
                    continue
                records.add(item.record_id, item.locator, item.raw)
                self._add_record(item, encoded, nodes, edges)
                accepted += 1
        self._write_entities(nodes, edges)
        for sink in (nodes, edges, records):
            sink.close()
        return BatchCounts(accepted + quarantined, accepted, quarantined)

    def _add_record(
        self, record: SourceRecord, encoded: list[str], nodes: _TableSink, edges: _TableSink
    ) -> None:
        event_ids = set()
        for node, props in zip(record.nodes, encoded, strict=True):
            if self.model.node_type(node.type).kind == "event":
                nodes.add(node.id, node.type, props, record.record_id)
                event_ids.add(node.id)
            elif node.id in self.entities:
                # Later records may know more (a colour, a name); they fill gaps only.
                known = self.entities[node.id][0].props
                for key, value in node.props.items():
                    known.setdefault(key, value)
            else:
                self.entities[node.id] = (node, record.record_id)
        for edge in record.edges:
            if edge.source in event_ids:
                edges.add(*_edge_row(edge, record.record_id))
            elif edge.id not in self.entity_edges:
                self.entity_edges[edge.id] = (edge, record.record_id)

    def _write_entities(self, nodes: _TableSink, edges: _TableSink) -> None:
        for node, record_id in self.entities.values():
            nodes.add(node.id, node.type, encode_props(node.props), record_id)
        for edge, record_id in self.entity_edges.values():
            edges.add(*_edge_row(edge, record_id))


_NOT_UNICODE = "text is not valid Unicode (bytes that are not UTF-8, or a lone surrogate)"


def _encoded_props(record: SourceRecord) -> list[str] | None:
    """Each node's properties as ledger text, or None when the record holds text that is
    not valid Unicode: Parquet and the graph take only that, and connectors that read
    undecodable bytes as surrogates must not get them past here."""
    try:
        record.raw.encode("utf-8")
        record.locator.encode("utf-8")
        return [encode_props(node.props) for node in record.nodes]
    except (UnicodeEncodeError, TypeError):
        return None


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
