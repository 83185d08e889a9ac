"""The projection from ledger to graph: incremental, idempotent, rebuildable.

Batches are applied in ledger order; each is marked in the graph only after all its rows
are written, so an interrupted projection simply applies the batch again next time. A
derived batch replaces the earlier ones of its kind: their edges go, and so do the nodes
that no other batch asserts (a mention run's guessed organisations, a resolution run's
subjects), so an incremental load leaves what a rebuild would.
"""

from __future__ import annotations

import queue
import threading
from collections import defaultdict
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import Any, cast

import duckdb
import pyarrow as pa

from graph.schema import caption, edge_columns, flatten, node_columns, search_text
from graph.store import BatchInfo, GraphStore, Retraction
from ingest.ledger import BatchManifest, Ledger, replacements, superseded
from ingest.retention import retired_batches, retired_rows
from schemas.codec import decode_props
from schemas.model import NodeType, RelType

CHUNK_ROWS = 20_000
# Rows written per store call. Each call is one transaction; on the embedded store a
# commit costs ~20 ms whatever its size, so small ledger batches are grouped.
GROUP_ROWS = 100_000


@dataclass(frozen=True)
class ProjectionReport:
    batches: int
    nodes: int
    edges: int
    skipped: int


@dataclass
class _Write:
    """Rows to write in one go: nodes first, then edges; a write that ends a group marks
    the batches it completes (only then, so an interruption re-projects what was cut)."""

    nodes: dict[str, list[dict[str, Any]]]
    edges: dict[tuple[str, str, str], list[dict[str, Any]]]
    complete: list[BatchInfo]
    ends_group: bool
    read: tuple[int, int]  # ledger nodes and edges read since the previous write


# Replacing earlier derivations of a kind happens after everything before is in.
_Step = _Write | Retraction


class _Pending:
    """Rows of one or more ledger batches waiting to be written, and the batches they
    complete. Entity rows of one id are merged here (first evidence stays, later rows fill
    gaps); edges of one id keep the last row."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.nodes: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        self.edges: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = defaultdict(dict)
        self.complete: list[BatchInfo] = []
        self.rows = 0
        self.read = [0, 0]

    def add_nodes(self, grouped: dict[str, list[dict[str, Any]]]) -> list[_Step]:
        for type_name, rows in grouped.items():
            entity = self.store.model.node_type(type_name).kind == "entity"
            pending = self.nodes[type_name]
            for row in rows:
                known = pending.get(row["id"])
                if known is not None and entity:
                    for key, value in row.items():
                        if known.get(key) is None:
                            known[key] = value
                else:
                    pending[row["id"]] = row
            self.rows += len(rows)
            self.read[0] += len(rows)
        return [self._take(ends_group=False)] if self.rows >= GROUP_ROWS else []

    def add_edges(self, grouped: dict[tuple[str, str, str], list[dict[str, Any]]]) -> list[_Step]:
        for key, rows in grouped.items():
            self.edges[key].update((row["id"], row) for row in rows)
            self.rows += len(rows)
            self.read[1] += len(rows)
        return [self._take(ends_group=True)] if self.rows >= GROUP_ROWS else []

    def flush(self) -> list[_Step]:
        """Everything pending, as the write that ends the group."""
        return [self._take(ends_group=True)]

    def _take(self, ends_group: bool) -> _Write:
        """The pending nodes (and, ending a group, the edges and completed batches)."""
        nodes = {t: list(rows.values()) for t, rows in self.nodes.items()}
        self.nodes = defaultdict(dict)
        edges: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        complete: list[BatchInfo] = []
        if ends_group:
            edges = {key: list(rows.values()) for key, rows in self.edges.items()}
            self.edges, complete, self.complete = defaultdict(dict), self.complete, []
        self.rows = sum(len(rows) for rows in self.edges.values())
        read, self.read = (self.read[0], self.read[1]), [0, 0]
        return _Write(nodes, edges, complete, ends_group, read)


def project(
    ledger: Ledger,
    store: GraphStore,
    rebuild: bool = False,
    on_rows: Callable[[int], None] | None = None,
) -> ProjectionReport:
    """Bring the graph up to date with the ledger (or recreate it with `rebuild`).

    Rows are read and built in a worker thread one write ahead of the store: the store
    waits on the database (Neo4j on its socket, with the GIL released) while the next
    rows are made. `on_rows` hears how many ledger rows each write brought in."""
    if rebuild:
        store.clear()
    store.ensure_schema()
    done = store.projected_batches()
    manifests = ledger.batches()
    replaced = superseded(manifests)
    todo = [m for m in manifests if m.batch_id not in done and m.batch_id not in replaced]
    nodes = edges = 0
    store.begin_batch()
    # Batches in the graph that a batch to project replaces: what it leaves is retracted.
    retired = {
        batch_id: [m.batch_id for m in earlier if m.batch_id in done]
        for batch_id, earlier in replacements(manifests).items()
    }
    for manifest in todo:  # purged batches the graph holds: gone from the ledger since
        if manifest.purged:
            gone = set(retired_batches(ledger, manifest)) & done
            retired[manifest.batch_id] = sorted({*retired.get(manifest.batch_id, []), *gone})
    with closing(_ahead(_steps(ledger, store, todo, manifests, retired))) as steps:
        for step in steps:
            if isinstance(step, Retraction):
                store.retract(step)
                continue
            _apply(store, step)
            nodes, edges = nodes + step.read[0], edges + step.read[1]
            if on_rows:
                on_rows(sum(step.read))
    return ProjectionReport(len(todo), nodes, edges, len(manifests) - len(todo))


def _retraction(
    ledger: Ledger,
    manifest: BatchManifest,
    manifests: list[BatchManifest],
    earlier: list[str],
) -> Retraction:
    """What replacing `earlier` batches in the graph (`ledger.replacements`: earlier ones
    of this batch's derived kind, or its file read by another connector version or
    rewritten by a retention purge) removes: their edges, and the nodes they made that no
    other live batch asserts. The new batch itself does not keep a node: one it names
    again is made anew, with its own provenance and values."""
    rel_types: set[str] = set()
    made: dict[str, str] = {}  # node id -> type
    for old in earlier:
        asserted = _asserted(ledger, manifest, manifests, old)
        rel_types.update(asserted[1])
        made.update(asserted[0])
    gone = superseded(manifests) | set(earlier) | {manifest.batch_id}
    live = [m for m in manifests if m.batch_id not in gone]
    kept = _first_assertions(ledger, live, sorted(made))
    orphans: dict[str, list[str]] = defaultdict(list)
    provenance: dict[str, list[dict[str, str]]] = defaultdict(list)
    for node_id, type_name in sorted(made.items()):
        if node_id in kept:
            batch_id, record_id = kept[node_id]
            provenance[type_name].append(
                {"id": node_id, "batch_id": batch_id, "record_id": record_id}
            )
        else:
            orphans[type_name].append(node_id)
    return Retraction(sorted(earlier), sorted(rel_types), dict(orphans), dict(provenance))


def _asserted(
    ledger: Ledger, manifest: BatchManifest, manifests: list[BatchManifest], old: str
) -> tuple[dict[str, str], set[str]]:
    """The nodes (id -> type) and edge types an earlier batch asserted: from its own
    tables, or, once a purge deleted it, from what the batch replacing it kept of it."""
    found = next((m for m in manifests if m.batch_id == old), None)
    if found is not None:
        nodes = ledger.table(found, "nodes").select(["id", "type"]).to_pydict()
        rel_types = set(ledger.table(found, "edges").column("type").to_pylist())
        return dict(zip(nodes["id"], nodes["type"], strict=True)), rel_types
    rows = retired_rows(ledger, manifest, old)
    made = {r["id"]: r["type"] for r in rows if not r["edge"]}
    return made, {r["type"] for r in rows if r["edge"]}


# The first record (by ledger order) of each of these node ids in the named batches.
_FIRST_ASSERTIONS = """
WITH batches AS (
    SELECT unnest($dirnames) AS dirname, unnest($batch_ids) AS batch_id, unnest($seqs) AS seq
)
SELECT n.id, b.batch_id, n.record_id
FROM read_parquet($glob, filename = true) AS n
JOIN batches AS b ON b.dirname = parse_filename(parse_dirpath(n.filename))
WHERE n.id IN (SELECT unnest($ids))
QUALIFY row_number() OVER (PARTITION BY n.id ORDER BY b.seq) = 1
"""


def _first_assertions(
    ledger: Ledger, batches: list[BatchManifest], ids: list[str]
) -> dict[str, tuple[str, str]]:
    """Node id -> (batch id, record id) of its first record in these batches, for the
    ids any of them asserts."""
    if not batches or not ids:
        return {}
    params = {
        "dirnames": [m.dirname for m in batches],
        "batch_ids": [m.batch_id for m in batches],
        "seqs": [m.seq for m in batches],
        "glob": ledger.glob("nodes"),
        "ids": ids,
    }
    with duckdb.connect() as connection:
        rows = connection.execute(_FIRST_ASSERTIONS, params).fetchall()
    return {node_id: (batch_id, record_id) for node_id, batch_id, record_id in rows}


def _steps(
    ledger: Ledger,
    store: GraphStore,
    todo: list[BatchManifest],
    manifests: list[BatchManifest],
    retired: dict[str, list[str]],
) -> Iterator[_Step]:
    """The writes and retractions that apply the `todo` batches of the ledger's
    `manifests`, in order; `retired` names the projected batches each one replaces.
    Reads only the ledger and the model, so it can run in a thread beside the store."""
    pending = _Pending(store)
    for manifest in todo:
        earlier = retired.get(manifest.batch_id)
        if earlier:
            yield from pending.flush()  # what came before is in; then replace what it replaces
            yield _retraction(ledger, manifest, manifests, earlier)
        for chunk in ledger.iter_table(manifest, "nodes", CHUNK_ROWS):
            yield from pending.add_nodes(_node_rows(store, chunk, manifest.batch_id))
        for chunk in ledger.iter_table(manifest, "edges", CHUNK_ROWS):
            yield from pending.add_edges(_edge_rows(store, chunk, manifest.batch_id))
        pending.complete.append(_batch_info(manifest))
    yield from pending.flush()


def _batch_info(manifest: BatchManifest) -> BatchInfo:
    return BatchInfo(
        manifest.batch_id, manifest.seq, manifest.source_path, manifest.connector, manifest.accepted
    )


def _apply(store: GraphStore, write: _Write) -> None:
    for type_name, rows in write.nodes.items():
        if rows:
            store.upsert_nodes(store.model.node_type(type_name), rows)
    for (rel, source_type, target_type), rows in write.edges.items():
        store.upsert_edges(store.model.rel_type(rel), source_type, target_type, rows)
    if write.complete:
        store.mark_projected(write.complete)
    if write.ends_group:
        store.begin_batch()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


_DONE = object()


def _ahead(items: Iterator[_Step], depth: int = 1) -> Generator[_Step, None, None]:
    """Yield `items`, produced by a worker thread up to `depth` items ahead. An error in
    the worker is raised here; closing this generator stops the worker and joins it."""
    ready: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def work() -> None:
        try:
            for item in items:
                if not _put(ready, item, stop):
                    return
            _put(ready, _DONE, stop)
        except BaseException as exc:  # handed to the caller, which raises it
            _put(ready, _Failed(exc), stop)

    worker = threading.Thread(target=work, name="projection-rows", daemon=True)
    worker.start()
    try:
        while (item := ready.get()) is not _DONE:
            if isinstance(item, _Failed):
                raise item.error
            yield cast(_Step, item)
    finally:
        stop.set()
        worker.join()


def _put(ready: queue.Queue[object], item: object, stop: threading.Event) -> bool:
    """Queue `item` unless the caller has stopped listening (then the worker ends)."""
    while not stop.is_set():
        try:
            ready.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


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
