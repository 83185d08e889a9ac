"""The embedded backend: Ladybug (the maintained fork of Kùzu) in the workspace folder.

Bulk loads use `COPY ... FROM` an Arrow table typed from the model's columns, which is
an order of magnitude faster than
row-wise MERGE; ids already in the graph (a re-ingested, changed file) go through the same
MERGE statement the Neo4j backend uses, so re-projection stays idempotent.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import ladybug
import pyarrow as pa

from graph.schema import BATCH_LABEL, edge_columns, ladybug_ddl, node_columns
from graph.store import (
    MARK_BATCHES_CYPHER,
    BatchInfo,
    GraphStore,
    QueryFailed,
    QueryResult,
    QueryTimedOut,
    edge_upsert_cypher,
    node_upsert_cypher,
)
from schemas.errors import DossierError
from schemas.model import Model, NodeType, RelType


class GraphOutdated(DossierError):
    exit_code = 78

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"the embedded graph at {path} was built from an older model; "
            "run `dossier graph rebuild` to recreate it from the ledger"
        )


_ARROW_TYPES = {
    "STRING": pa.string(),
    "DOUBLE": pa.float64(),
    "INT64": pa.int64(),
    "STRING[]": pa.list_(pa.string()),
    "TIMESTAMP": pa.timestamp("us", tz="UTC"),
}


class EmbeddedStore(GraphStore):
    dialect = "embedded"

    def __init__(self, path: Path, model: Model, read_only: bool = False) -> None:
        super().__init__(model)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.database = ladybug.Database(str(path), read_only=read_only)
        self.conn = ladybug.Connection(self.database)

    def ensure_schema(self) -> None:
        """Create the tables; refuse a graph built from an older model (tables are typed,
        so new properties need new tables: `dossier graph rebuild` recreates them)."""
        statements = ladybug_ddl(self.model)
        fingerprint = hashlib.sha256("\n".join(statements).encode()).hexdigest()
        stored = self._fingerprint_path
        if stored.exists() and stored.read_text().strip() != fingerprint and self._tables():
            raise GraphOutdated(self.path)
        for statement in statements:
            self.conn.execute(statement)
        self._fingerprint_path.write_text(fingerprint + "\n")

    @property
    def _fingerprint_path(self) -> Path:
        return self.path.with_name(self.path.name + ".schema")

    def _tables(self) -> list[tuple[str, str]]:
        """(name, NODE or REL) of every table in the database."""
        result = self.conn.execute("CALL show_tables() RETURN name, type")
        return [(row[0], row[1]) for row in _rows(result)]

    def _create_nodes(self, node_type: NodeType, rows: list[dict[str, Any]]) -> None:
        arrow_rows = pa.Table.from_pylist(rows, schema=_node_schema(node_type))  # noqa: F841
        self.conn.execute(f"COPY {node_type.name} FROM arrow_rows")

    def _merge_nodes(self, node_type: NodeType, rows: list[dict[str, Any]]) -> None:
        # Through Arrow as well: a parameter list would lose the types of null values.
        arrow_rows = pa.Table.from_pylist(rows, schema=_node_schema(node_type))  # noqa: F841
        self.conn.execute(node_upsert_cypher(node_type, "LOAD FROM arrow_rows", row=""))

    def _create_edges(
        self, rel_type: RelType, source_type: str, target_type: str, rows: list[dict[str, Any]]
    ) -> None:
        arrow_rows = pa.Table.from_pylist(rows, schema=_edge_schema(rel_type))  # noqa: F841
        self.conn.execute(
            f"COPY {rel_type.name} FROM arrow_rows (from='{source_type}', to='{target_type}')"
        )

    def _merge_edges(
        self, rel_type: RelType, source_type: str, target_type: str, rows: list[dict[str, Any]]
    ) -> None:
        arrow_rows = pa.Table.from_pylist(rows, schema=_edge_schema(rel_type))  # noqa: F841
        self.conn.execute(
            edge_upsert_cypher(rel_type, source_type, target_type, "LOAD FROM arrow_rows", row="")
        )

    def _existing_ids(self, label: str, ids: list[str]) -> set[str]:
        result = self.conn.execute(
            f"UNWIND $ids AS i MATCH (n:{label} {{id: i}}) RETURN n.id", {"ids": ids}
        )
        return {row[0] for row in _rows(result)}

    def _write_query(self, cypher: str, params: dict[str, Any]) -> None:
        self.conn.execute(cypher, params)

    def mark_projected(self, batches: list[BatchInfo]) -> None:
        self.conn.execute(MARK_BATCHES_CYPHER, self._batch_params(batches))

    def projected_batches(self) -> set[str]:
        return {row[0] for row in self.read(f"MATCH (b:{BATCH_LABEL}) RETURN b.id").rows}

    def clear(self) -> None:
        """Drop every table, relationship tables first; ensure_schema recreates them."""
        tables = sorted(self._tables(), key=lambda table: table[1] != "REL")
        for name, _kind in tables:
            self.conn.execute(f"DROP TABLE {name}")
        self._fingerprint_path.unlink(missing_ok=True)

    def read(
        self, cypher: str, params: dict[str, Any] | None = None, timeout_s: float | None = None
    ) -> QueryResult:
        limit = self._time_limit(timeout_s)
        self.conn.set_query_timeout(round(limit * 1000))
        try:
            result = self.conn.execute(cypher, params or {})
            if isinstance(result, list):  # several statements: the last one answers
                result = result[-1]
            return QueryResult(list(result.get_column_names()), _rows(result))
        except RuntimeError as exc:
            if str(exc).startswith("Interrupted"):
                raise QueryTimedOut(limit) from None
            raise QueryFailed(self.dialect, str(exc)) from None
        finally:
            self.conn.set_query_timeout(0)

    def close(self) -> None:
        self.conn.close()
        self.database.close()


def _rows(result: Any) -> list[list[Any]]:
    rows = []
    while result.has_next():
        rows.append(result.get_next())
    return rows


def _node_schema(node_type: NodeType) -> pa.Schema:
    """Arrow schema in table column order: COPY maps columns by position."""
    return pa.schema([(c.name, _ARROW_TYPES[c.graph_type]) for c in node_columns(node_type)])


def _edge_schema(rel_type: RelType) -> pa.Schema:
    """COPY into a relationship table takes the two ends first, then its columns in order."""
    ends = [("source", pa.string()), ("target", pa.string())]
    columns = [(c.name, _ARROW_TYPES[c.graph_type]) for c in edge_columns(rel_type)]
    return pa.schema(ends + columns)
