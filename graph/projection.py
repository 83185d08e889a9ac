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

from graph.schema import caption, edge_columns, flatten, node_columns, search_text
from graph.store import BatchInfo, GraphStore
from ingest.ledger import BatchManifest, Ledger
from schemas.codec import decode_props
from schemas.model import NodeType, RelType

CHUNK_ROWS = 20_000
# Node types that only derived batches create; retracting a derivation deletes them.
DERIVED_ONLY_TYPES = frozenset({"Subject"})
# Rows written per store call. Each call is one transaction; on the embedded store a
# commit costs ~20 ms whatever its size, so small ledger batches are grouped.
GROUP_ROWS = 100_000


@dataclass(frozen=True)
class ProjectionReport:
    batches: int
    nodes: int
    edges: int
    skipped: int


class _Pending:
    """Rows of one or more ledger batches waiting to be written, and the batches they
    complete. Nodes are always written before edges, and batches are marked only after
    all their rows are in, so an interruption re-projects (idempotently) what was cut."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.nodes: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        self.edges: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = defaultdict(dict)
        self.complete: list[BatchInfo] = []
        self.rows = 0

    def add_nodes(self, grouped: dict[str, list[dict[str, Any]]]) -> None:
        for type_name, rows in grouped.items():
            entity = self.store.model.node_type(type_name).kind == "entity"
            pending = self.nodes[type_name]
            for row in rows:
                known = pending.get(row["id"])
                if known is not None and entity:  # first evidence stays; later fills gaps
                    for key, value in row.items():
                        if known.get(key) is None:
                            known[key] = value
                else:
                    pending[row["id"]] = row
            self.rows += len(rows)
        if self.rows >= GROUP_ROWS:
            self.write_nodes()

    def add_edges(self, grouped: dict[tuple[str, str, str], list[dict[str, Any]]]) -> None:
        for key, rows in grouped.items():
            self.edges[key].update((row["id"], row) for row in rows)
            self.rows += len(rows)
        if self.rows >= GROUP_ROWS:
            self.flush()

    def write_nodes(self) -> None:
        for type_name, rows in self.nodes.items():
            self.store.upsert_nodes(self.store.model.node_type(type_name), list(rows.values()))
        self.nodes.clear()
        self.rows = sum(len(rows) for rows in self.edges.values())

    def flush(self) -> None:
        """Write everything pending and mark the batches it completes."""
        self.write_nodes()
        for (rel, source_type, target_type), rows in self.edges.items():
            rel_type = self.store.model.rel_type(rel)
            self.store.upsert_edges(rel_type, source_type, target_type, list(rows.values()))
        self.edges.clear()
        if self.complete:
            self.store.mark_projected(self.complete)
        self.complete.clear()
        self.rows = 0
        self.store.begin_batch()


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
    manifests = ledger.batches()
    superseded = _superseded(manifests)
    pending = _Pending(store)
    store.begin_batch()
    batches = nodes = edges = skipped = 0
    for manifest in manifests:
        if manifest.batch_id in done or manifest.batch_id in superseded:
            skipped += 1
            continue
        if manifest.supersedes:
            pending.flush()  # what came before is in; now replace the earlier derivation
            _retract_earlier(ledger, store, manifest, manifests)
        n, e = _read_batch(ledger, pending, manifest, on_rows)
        batches, nodes, edges = batches + 1, nodes + n, edges + e
    pending.flush()
    return ProjectionReport(batches, nodes, edges, skipped)


def _superseded(manifests: list[BatchManifest]) -> set[str]:
    """Derived batches that a later batch of the same kind replaces."""
    latest: dict[str, str] = {}
    for manifest in manifests:  # in ledger order, so the last one of a kind wins
        if manifest.supersedes:
            latest[manifest.supersedes] = manifest.batch_id
    return {m.batch_id for m in manifests if m.supersedes and latest[m.supersedes] != m.batch_id}


def _retract_earlier(
    ledger: Ledger, store: GraphStore, manifest: BatchManifest, manifests: list[BatchManifest]
) -> None:
    """Remove what earlier batches of this kind put in the graph: their edges, and their
    nodes of types only a derivation makes (entities others assert stay)."""
    earlier = [m for m in manifests if m.supersedes == manifest.supersedes and m.seq < manifest.seq]
    if not earlier:
        return
    rel_types: set[str] = set()
    node_types: set[str] = set()
    for old in earlier:
        rel_types.update(ledger.table(old, "edges").column("type").to_pylist())
        node_types.update(ledger.table(old, "nodes").column("type").to_pylist())
    store.retract(
        [m.batch_id for m in earlier],
        sorted(rel_types),
        sorted(node_types & DERIVED_ONLY_TYPES),
    )


def _read_batch(
    ledger: Ledger,
    pending: _Pending,
    manifest: BatchManifest,
    on_rows: Callable[[int], None] | None,
) -> tuple[int, int]:
    nodes = edges = 0
    for chunk in ledger.iter_table(manifest, "nodes", CHUNK_ROWS):
        pending.add_nodes(_node_rows(pending.store, chunk, manifest.batch_id))
        nodes += chunk.num_rows
        if on_rows:
            on_rows(chunk.num_rows)
    for chunk in ledger.iter_table(manifest, "edges", CHUNK_ROWS):
        pending.add_edges(_edge_rows(pending.store, chunk, manifest.batch_id))
        edges += chunk.num_rows
        if on_rows:
            on_rows(chunk.num_rows)
    pending.complete.append(
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
    templates: dict[str, dict[str, Any]] = {}
    columns = chunk.to_pydict()
    for node_id, type_name, props_text, record_id in zip(
        columns["id"], columns["type"], columns["props"], columns["record_id"], strict=True
    ):
        node_type = store.model.node_type(type_name)
        props = decode_props(node_type, props_text)
        row = _empty_row(templates, node_type)
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
    store: GraphStore, chunk: pa.RecordBatch, batch_id: str
) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    grouped: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    templates: dict[str, dict[str, Any]] = {}
    columns = chunk.to_pydict()
    for i, edge_id in enumerate(columns["id"]):
        rel_type = store.model.rel_type(columns["type"][i])
        row = _empty_row(templates, rel_type)
        if rel_type.properties:
            row.update(flatten(rel_type, decode_props(rel_type, columns["props"][i])))
        row.update(
            source=columns["source"][i],
            target=columns["target"][i],
            id=edge_id,
            batch_id=batch_id,
            record_id=columns["record_id"][i],
        )
        key = (rel_type.name, columns["source_type"][i], columns["target_type"][i])
        grouped[key].append(row)
    return grouped


def _empty_row(templates: dict[str, dict[str, Any]], of: NodeType | RelType) -> dict[str, Any]:
    """A row with every column of the type set to None. The template is made once per
    type and chunk: deriving the columns from the model for every row was a third of the
    projection's own time."""
    template = templates.get(of.name)
    if template is None:
        columns = node_columns(of) if isinstance(of, NodeType) else edge_columns(of)
        template = templates[of.name] = dict.fromkeys(c.name for c in columns)
    return template.copy()
