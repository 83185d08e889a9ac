"""The Neo4j backend, through the official driver (6.x).

The driver is created by the composition root (dossier.workspace) and passed in, never at
import. Writes are batched `UNWIND $rows ... MERGE` in managed transactions (retried by
the driver, safe because MERGE on deterministic ids is idempotent); values always travel
as parameters.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import neo4j
from neo4j import Driver, Query

from graph.schema import BATCH_LABEL, edge_columns, neo4j_ddl, node_columns
from graph.store import (
    MARK_BATCHES_CYPHER,
    BatchInfo,
    GraphStore,
    QueryFailed,
    QueryResult,
    QueryTimedOut,
    StoreUnreachable,
    edge_create_cypher,
    edge_upsert_cypher,
    node_upsert_cypher,
)
from schemas.model import Model, NodeType, RelType

WRITE_CHUNK = 5_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Neo4jStore(GraphStore):
    dialect = "neo4j"

    def __init__(self, driver: Driver, model: Model, database: str | None = None) -> None:
        super().__init__(model)
        self.driver = driver
        self.database = database

    def ensure_schema(self) -> None:
        for statement in neo4j_ddl(self.model):
            self.driver.execute_query(statement, database_=self.database)

    @contextlib.contextmanager
    def _session(self, access_mode: str = neo4j.WRITE_ACCESS) -> Iterator[neo4j.Session]:
        """A session on the store's database; a server that stops answering while it is
        in use ends the command with StoreUnreachable, whatever it was doing.

        Every session shares the driver's bookmarks: a read sees every write this process
        made before it (an analyst's decision, then the dossier) even on a cluster, where
        it may be served by a replica that has not caught up yet."""
        try:
            with self.driver.session(
                database=self.database,
                default_access_mode=access_mode,
                bookmark_manager=self.driver.execute_query_bookmark_manager,
            ) as session:
                yield session
        except (neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.SessionExpired) as exc:
            raise StoreUnreachable(
                f"the Neo4j server stopped answering ({exc}); check that it runs and "
                "that its address is right"
            ) from None

    def _write(self, cypher: str, rows: list[dict[str, Any]]) -> None:
        with self._session() as session:
            for start in range(0, len(rows), WRITE_CHUNK):
                chunk = rows[start : start + WRITE_CHUNK]
                session.execute_write(_run_write, cypher, chunk)

    def _write_rows(
        self, of: NodeType | RelType, statement: str, rows: list[dict[str, Any]]
    ) -> None:
        """Write rows with `statement`, which reads them as `r` after `_source(of)`."""
        instants = _instant_columns(of)
        self._write(f"{_source(instants)} {statement.lstrip()}", _on_the_wire(rows, instants))

    def _existing_ids(self, label: str, ids: list[str]) -> set[str]:
        cypher = f"UNWIND $ids AS i MATCH (n:{label} {{id: i}}) RETURN n.id"
        return {row[0] for row in self.read(cypher, {"ids": ids}, timeout_s=600).rows}

    def _create_nodes(self, node_type: NodeType, rows: list[dict[str, Any]]) -> None:
        # The uniqueness constraint on id makes a duplicate fail loudly, never slip in.
        self._write_rows(node_type, f"CREATE (n:{node_type.name}) SET n = r", rows)

    def _create_if_all_new(self, node_type: NodeType, rows: list[dict[str, Any]]) -> bool:
        # A known id breaks the uniqueness constraint: that transaction rolls back whole.
        try:
            self._create_nodes(node_type, rows)
        except neo4j.exceptions.ConstraintError:
            return False
        return True

    def _merge_nodes(self, node_type: NodeType, rows: list[dict[str, Any]]) -> None:
        self._write_rows(node_type, node_upsert_cypher(node_type, source=""), rows)

    def _create_edges(
        self, rel_type: RelType, source_type: str, target_type: str, rows: list[dict[str, Any]]
    ) -> None:
        statement = edge_create_cypher(rel_type, source_type, target_type, source="")
        self._write_rows(rel_type, statement, rows)

    def _merge_edges(
        self, rel_type: RelType, source_type: str, target_type: str, rows: list[dict[str, Any]]
    ) -> None:
        statement = edge_upsert_cypher(rel_type, source_type, target_type, source="")
        self._write_rows(rel_type, statement, rows)

    def mark_projected(self, batches: list[BatchInfo]) -> None:
        self._write_query(MARK_BATCHES_CYPHER, self._batch_params(batches))

    def projected_batches(self) -> set[str]:
        result = self.read(f"MATCH (b:{BATCH_LABEL}) RETURN b.id")
        return {row[0] for row in result.rows}

    def _write_query(self, cypher: str, params: dict[str, Any]) -> None:
        with self._session() as session:
            session.execute_write(_run_statement, cypher, params)

    def clear(self) -> None:
        # Batched deletes keep the transaction memory bounded on a big graph. Edges go
        # first: a DETACH DELETE of 10,000 nodes that include a camera with 100k sightings
        # would hold all of that camera's edges in one transaction.
        with self._session() as session:
            for statement in (
                "MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS",
                "MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS",
            ):
                session.run(statement).consume()

    def read(
        self, cypher: str, params: dict[str, Any] | None = None, timeout_s: float | None = None
    ) -> QueryResult:
        limit = self._time_limit(timeout_s)
        with self._session(neo4j.READ_ACCESS) as session:
            try:
                result = session.run(Query(cypher, timeout=limit), params or {})
                columns = list(result.keys())
                rows = [[_native(v) for v in record.values()] for record in result]
            except neo4j.exceptions.Neo4jError as exc:
                if "TransactionTimedOut" in (exc.code or ""):
                    raise QueryTimedOut(limit) from None
                raise QueryFailed(self.dialect, exc.message or str(exc)) from None
        return QueryResult(columns, rows)

    def close(self) -> None:
        """The driver belongs to the caller; nothing to release here."""


def _instant_columns(of: NodeType | RelType) -> tuple[str, ...]:
    columns = node_columns(of) if isinstance(of, NodeType) else edge_columns(of)
    return tuple(c.name for c in columns if c.graph_type == "TIMESTAMP")


def _source(instants: tuple[str, ...]) -> str:
    """The head of a write: rows as `r`, with instants made datetimes again in the server.

    The driver turns each Python datetime into a Bolt DateTime in pure Python (~80 us
    apiece, a fifth of a small load's time); two integers pack natively and the server
    rebuilds the same instant (UTC, to the microsecond) from them."""
    if not instants:
        return "UNWIND $rows AS r"
    rebuilt = ", ".join(
        f"{c}: CASE WHEN raw.{c} IS NULL THEN null "
        f"ELSE datetime({{epochSeconds: raw.{c}[0], nanosecond: raw.{c}[1]}}) END"
        for c in instants
    )
    return f"UNWIND $rows AS raw WITH raw{{.*, {rebuilt}}} AS r"


def _on_the_wire(rows: list[dict[str, Any]], instants: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows with each instant as [epoch seconds, nanoseconds] (copies: the caller's rows
    keep their datetimes). timedelta keeps seconds and microseconds non-negative, so
    instants before 1970 come out right too."""
    if not instants:
        return rows
    wire = []
    for row in rows:
        row = row.copy()
        for name in instants:
            value = row.get(name)
            if value is not None:
                delta = value - _EPOCH
                row[name] = [delta.days * 86_400 + delta.seconds, delta.microseconds * 1_000]
        wire.append(row)
    return wire


def _run_write(tx: neo4j.ManagedTransaction, cypher: str, rows: list[dict[str, Any]]) -> None:
    tx.run(cypher, rows=rows).consume()


def _run_statement(tx: neo4j.ManagedTransaction, cypher: str, params: dict[str, Any]) -> None:
    tx.run(cypher, params).consume()


# Values the driver already returns as plain Python; checked first because a big result
# has tens of thousands of them.
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _native(value: Any) -> Any:
    """neo4j.time values to the standard library's, so both backends return alike."""
    if type(value) in _PLAIN:
        return value
    if hasattr(value, "to_native"):
        return value.to_native()
    if isinstance(value, list):  # plain items inline: a packed result is a list of lists
        return [v if type(v) in _PLAIN else _native(v) for v in value]
    if isinstance(value, neo4j.graph.Node):
        return {"_labels": sorted(value.labels), **{k: _native(v) for k, v in value.items()}}
    if isinstance(value, neo4j.graph.Relationship):
        return {"_type": value.type, **{k: _native(v) for k, v in value.items()}}
    return value
