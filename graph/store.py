"""The one narrow interface both graph backends implement.

The projection talks to a store only through these methods, and the named queries only
through `read`, so the embedded store and Neo4j cannot drift apart unnoticed: the same
test suite (tests/graph/test_store_contract.py) runs against both.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Literal

from graph.schema import BATCH_LABEL, edge_columns, node_columns
from schemas.errors import DossierError
from schemas.model import Model, NodeType, RelType

Dialect = Literal["embedded", "neo4j"]


class QueryFailed(DossierError):
    """The backend refused or could not run a query; the message is the backend's."""

    exit_code = 65

    def __init__(self, dialect: str, reason: str) -> None:
        super().__init__(f"{dialect} graph could not run the query: {reason}")


class StoreUnreachable(DossierError):
    """The graph server cannot be reached, or went away while a command was using it."""

    exit_code = 69  # EX_UNAVAILABLE


class QueryTimedOut(DossierError):
    exit_code = 75  # EX_TEMPFAIL

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"query stopped after its time limit of {seconds:g} s; narrow it (labels, LIMIT) "
            "or raise DOSSIER_QUERY_TIMEOUT"
        )


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


# Batch markers are written in one statement; `$batches` is a list of BatchInfo fields.
MARK_BATCHES_CYPHER = (
    f"UNWIND $batches AS b MERGE (x:{BATCH_LABEL} {{id: b.batch_id}}) "
    "SET x.seq = b.seq, x.source_path = b.source_path, x.connector = b.connector, "
    "x.records = b.records"
)


@dataclass(frozen=True)
class BatchInfo:
    """What the graph remembers of a projected ledger batch."""

    batch_id: str
    seq: int
    source_path: str
    connector: str
    records: int


@dataclass(frozen=True)
class Retraction:
    """What replacing earlier batches (derived, re-read or purged) takes out of the graph:
    their edges, the nodes that no other batch asserts, and their provenance on the nodes
    that stay."""

    batch_ids: list[str]  # the derived batches replaced
    rel_types: list[str]  # the types of their edges
    orphans: dict[str, list[str]]  # label -> ids only these batches assert
    # label -> {id, batch_id, record_id}: nodes another batch also asserts, with the
    # first such record, for those whose first evidence was a replaced batch
    provenance: dict[str, list[dict[str, str]]]


DEFAULT_QUERY_TIMEOUT_S = 30.0


class GraphStore(ABC):
    dialect: Dialect

    def __init__(self, model: Model) -> None:
        self.model = model
        self._fresh: set[str] = set()  # ids this store created in the current group
        # A read's time limit unless it names its own: DOSSIER_QUERY_TIMEOUT, set by the
        # workspace, so that named queries in the app and the CLI keep to it too.
        self.query_timeout_s = DEFAULT_QUERY_TIMEOUT_S

    @abstractmethod
    def ensure_schema(self) -> None:
        """Create tables, constraints and indexes derived from the model (idempotent)."""

    def upsert_nodes(self, node_type: NodeType, rows: list[dict[str, Any]]) -> None:
        """Insert or update nodes by id; rows have every column of `node_columns`.

        New ids are bulk-created (several times faster than MERGE on both backends);
        ids already in the graph (a changed file, a re-projection) go through MERGE."""
        latest = list({row["id"]: row for row in rows}.values())  # last row per id wins
        # Events recur only when a changed file is re-ingested, so for them creating
        # first and checking only if an id turns out to be known saves a lookup per row;
        # entities recur in nearly every batch, so for them the check comes first.
        if node_type.kind == "event" and self._create_if_all_new(node_type, latest):
            self._fresh.update(row["id"] for row in latest)
            return
        existing = self._existing_ids(node_type.name, [row["id"] for row in latest])
        fresh = [row for row in latest if row["id"] not in existing]
        if fresh:
            self._create_nodes(node_type, fresh)
            self._fresh.update(row["id"] for row in fresh)
        stale = [row for row in latest if row["id"] in existing]
        if stale:
            self._merge_nodes(node_type, stale)

    def upsert_edges(
        self, rel_type: RelType, source_type: str, target_type: str, rows: list[dict[str, Any]]
    ) -> None:
        """Insert or update edges by id; rows have id, source, target and provenance.
        An edge from or to a node created in this group cannot exist yet: it is created."""
        latest = list({row["id"]: row for row in rows}.values())
        new = self._fresh
        fresh = [row for row in latest if row["source"] in new or row["target"] in new]
        if fresh:
            self._create_edges(rel_type, source_type, target_type, fresh)
        known = [row for row in latest if row["source"] not in new and row["target"] not in new]
        if known:
            self._merge_edges(rel_type, source_type, target_type, known)

    @abstractmethod
    def _existing_ids(self, label: str, ids: list[str]) -> set[str]: ...

    def _create_if_all_new(self, node_type: NodeType, rows: list[dict[str, Any]]) -> bool:
        """Create the nodes and return True, or return False if some id is already in the
        graph. Rows written before such an id is met may stay: upserting them again is
        idempotent. By default no attempt is made and the caller checks the ids first."""
        return False

    @abstractmethod
    def _create_nodes(self, node_type: NodeType, rows: list[dict[str, Any]]) -> None: ...

    @abstractmethod
    def _merge_nodes(self, node_type: NodeType, rows: list[dict[str, Any]]) -> None: ...

    @abstractmethod
    def _create_edges(
        self, rel_type: RelType, source_type: str, target_type: str, rows: list[dict[str, Any]]
    ) -> None: ...

    @abstractmethod
    def _merge_edges(
        self, rel_type: RelType, source_type: str, target_type: str, rows: list[dict[str, Any]]
    ) -> None: ...

    @abstractmethod
    def mark_projected(self, batches: list[BatchInfo]) -> None:
        """Record that batches are fully in the graph (written last, so a crash re-projects).
        One statement for all of them: a load of many small files paid a commit per file."""

    @abstractmethod
    def projected_batches(self) -> set[str]: ...

    def retract(self, retraction: Retraction) -> None:
        """Delete the edges and orphaned nodes that replaced batches wrote, and
        move the provenance of nodes that stay to a batch that still asserts them: a new
        derivation replaces an old one without a rebuild, and leaves what a rebuild would."""
        batch_ids = {"batches": retraction.batch_ids}
        for rel in retraction.rel_types:
            self._write_query(
                f"MATCH ()-[e:{rel}]->() WHERE e.batch_id IN $batches DELETE e", batch_ids
            )
        # One lookup per id: Ladybug scans `n.id IN $ids` as a list search per node (20k
        # ids among 40k nodes: 13 s; unwound, 0.2 s); Neo4j seeks the index either way.
        for label, ids in retraction.orphans.items():
            self._write_query(
                f"UNWIND $ids AS i MATCH (n:{label}) WHERE n.id = i "
                "AND n.batch_id IN $batches DETACH DELETE n",
                {**batch_ids, "ids": ids},
            )
        for label, rows in retraction.provenance.items():
            self._write_query(
                f"UNWIND $rows AS r MATCH (n:{label}) WHERE n.id = r.id "
                "AND n.batch_id IN $batches SET n.batch_id = r.batch_id, n.record_id = r.record_id",
                {**batch_ids, "rows": rows},
            )
        # Last: a retraction cut short is done again, as these batches still show as
        # projected; once done, the graph holds what a rebuild would, markers included.
        self._write_query(f"MATCH (b:{BATCH_LABEL}) WHERE b.id IN $batches DELETE b", batch_ids)

    @abstractmethod
    def _write_query(self, cypher: str, params: dict[str, Any]) -> None:
        """Run one statement that changes the graph (our own, never user text)."""

    @abstractmethod
    def clear(self) -> None:
        """Remove every node and edge (for a rebuild from the ledger)."""

    @abstractmethod
    def read(
        self, cypher: str, params: dict[str, Any] | None = None, timeout_s: float | None = None
    ) -> QueryResult:
        """Run a read-only query within `timeout_s` (default: the store's query_timeout_s);
        callers check user text with graph.guard first."""

    def _time_limit(self, timeout_s: float | None) -> float:
        """A read's limit in seconds: its own, else the store's; at least a millisecond,
        since both backends take a limit that reaches them as 0 for none at all."""
        return max(0.001, self.query_timeout_s if timeout_s is None else timeout_s)

    @abstractmethod
    def close(self) -> None: ...

    def begin_batch(self) -> None:
        """A new group of rows starts: ids created before it may already have edges."""
        self._fresh = set()

    @staticmethod
    def _batch_params(batches: list[BatchInfo]) -> dict[str, Any]:
        return {"batches": [vars(batch) for batch in batches]}

    def counts(self) -> dict[str, int]:
        """Nodes per label, for status output and tests."""
        counts = {}
        for label in [*self.model.node_types, BATCH_LABEL]:
            result = self.read(f"MATCH (n:{label}) RETURN count(n) AS n")
            counts[label] = int(result.rows[0][0])
        return counts


def node_upsert_cypher(
    node_type: NodeType, source: str = "UNWIND $rows AS r", row: str = "r."
) -> str:
    """MERGE by id. Events take the latest record's values; an entity keeps the values and
    the provenance of its first evidence and later rows only fill its gaps, as within one
    write group (`graph.projection`), so a rebuild and an incremental load agree.
    `source` / `row` say where rows come from: a parameter list (both backends) or an
    Arrow table via LOAD FROM (embedded)."""
    columns = [c.name for c in node_columns(node_type) if c.name != "id"]
    head = f"{source} MERGE (n:{node_type.name} {{id: {row}id}})"
    if node_type.kind == "event":
        sets = ", ".join(f"n.{c} = {row}{c}" for c in columns)
        return f"{head} SET {sets}"
    provenance = f"n.batch_id = {row}batch_id, n.record_id = {row}record_id"
    fills = ", ".join(
        f"n.{c} = coalesce(n.{c}, {row}{c})" for c in columns if c not in ("batch_id", "record_id")
    )
    return f"{head} ON CREATE SET {provenance} SET {fills}"


def _edge_sets(rel_type: RelType, row: str = "r.") -> str:
    columns = [c.name for c in edge_columns(rel_type) if c.name != "id"]
    return ", ".join(f"e.{c} = {row}{c}" for c in columns)


def edge_create_cypher(
    rel_type: RelType, source_type: str, target_type: str, source: str = "UNWIND $rows AS r"
) -> str:
    return (
        f"{source} MATCH (a:{source_type} {{id: r.source}}) "
        f"MATCH (b:{target_type} {{id: r.target}}) CREATE (a)-[e:{rel_type.name}]->(b) "
        f"SET e.id = r.id, {_edge_sets(rel_type)}"
    )


def edge_upsert_cypher(
    rel_type: RelType,
    source_type: str,
    target_type: str,
    source: str = "UNWIND $rows AS r",
    row: str = "r.",
) -> str:
    """MERGE by id; `source` / `row` as in node_upsert_cypher. The ends are looked up with
    WHERE: Ladybug turns `(a:T {id: source})` after LOAD FROM into a join over every pair
    of nodes (one row into a 40k-sighting graph filled the buffer pool), WHERE into a
    lookup; Neo4j plans both as an index seek."""
    return (
        f"{source} MATCH (a:{source_type}) WHERE a.id = {row}source "
        f"MATCH (b:{target_type}) WHERE b.id = {row}target "
        f"MERGE (a)-[e:{rel_type.name} {{id: {row}id}}]->(b) SET {_edge_sets(rel_type, row)}"
    )
