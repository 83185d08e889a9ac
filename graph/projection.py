"""The projection from ledger to graph: incremental, idempotent, rebuildable.

Batches are applied in ledger order; each is marked in the graph only after all its rows
are written, so an interrupted projection simply applies the batch again next time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from graph.schema import caption, flatten, node_columns, search_text
from graph.store import BatchInfo, GraphStore
from ingest.ledger import BatchManifest, Ledger
from schemas.codec import decode_props

CHUNK_ROWS = 20_000


@dataclass(frozen=True)
class ProjectionReport:
    batches: int
    nodes: int
    edges: int
    skipped: int


def project(
    ledger: Ledger,
    store: GraphStore,
    rebuild: bool = False,
    on_rows: Callable[[int], None] | None = None,
) -> ProjectionReport:
    """Bring the graph up to date with the ledger (or recreate it with `rebuild`)."""
    if rebuild:
        store.clear()
    store.ensure_schema()
    done = store.projected_batches()
    batches = nodes = edges = skipped = 0
    for manifest in ledger.batches():
        if manifest.batch_id in done:
            skipped += 1
            continue
        n, e = _project_batch(ledger, store, manifest, on_rows)
        batches, nodes, edges = batches + 1, nodes + n, edges + e
    return ProjectionReport(batches, nodes, edges, skipped)


def _project_batch(
    ledger: Ledger,
    store: GraphStore,
    manifest: BatchManifest,
    on_rows: Callable[[int], None] | None,
) -> tuple[int, int]:
    store.begin_batch()
    nodes = edges = 0
    for chunk in ledger.iter_table(manifest, "nodes", CHUNK_ROWS):
        for type_name, rows in _node_rows(store, chunk, manifest.batch_id).items():
            store.upsert_nodes(store.model.node_type(type_name), rows)
        nodes += chunk.num_rows
        if on_rows:
            on_rows(chunk.num_rows)
    for chunk in ledger.iter_table(manifest, "edges", CHUNK_ROWS):
        for (rel, source_type, target_type), rows in _edge_rows(chunk, manifest.batch_id).items():
            store.upsert_edges(rel, source_type, target_type, rows)
        edges += chunk.num_rows
        if on_rows:
            on_rows(chunk.num_rows)
    store.mark_projected(
        BatchInfo(
            manifest.batch_id,
            manifest.seq,
            manifest.source_path,
            manifest.connector,
            manifest.accepted,
        )
    )
    return nodes, edges


def _node_rows(
    store: GraphStore, chunk: pa.RecordBatch, batch_id: str
) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    columns = chunk.to_pydict()
    for node_id, type_name, props_text, record_id in zip(
        columns["id"], columns["type"], columns["props"], columns["record_id"], strict=True
    ):
        node_type = store.model.node_type(type_name)
        props = decode_props(node_type, props_text)
        row = dict.fromkeys(c.name for c in node_columns(node_type))
        row.update(flatten(node_type, props))
        row.update(
            id=node_id,
            batch_id=batch_id,
            record_id=record_id,
            caption=caption(node_type, props),
            search_text=search_text(node_type, props),
        )
        grouped[type_name].append(row)
    return grouped


def _edge_rows(
    chunk: pa.RecordBatch, batch_id: str
) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    grouped: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    columns = chunk.to_pydict()
    for i, edge_id in enumerate(columns["id"]):
        key = (columns["type"][i], columns["source_type"][i], columns["target_type"][i])
        grouped[key].append(
            {
                "source": columns["source"][i],
                "target": columns["target"][i],
                "id": edge_id,
                "batch_id": batch_id,
                "record_id": columns["record_id"][i],
            }
        )
    return grouped
