"""Embedded-only behaviour: a graph built from an older model is detected and rebuilt;
Ladybug plans the upserts as key lookups."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from graph.embedded import EmbeddedStore, GraphOutdated, _edge_schema, _rows
from graph.projection import project
from graph.store import edge_upsert_cypher
from ingest.ledger import Ledger
from schemas.model import default_model
from tests.graph.builders import meeting_records, write_ledger


def test_older_model_graph_asks_for_rebuild(tmp_path: Path) -> None:
    write_ledger(tmp_path / "ledger", meeting_records())
    ledger = Ledger(tmp_path / "ledger")
    path = tmp_path / "g" / "embedded.lbdb"
    store = EmbeddedStore(path, default_model())
    project(ledger, store)
    path.with_name("embedded.lbdb.schema").write_text("an older model\n")
    with pytest.raises(GraphOutdated, match="dossier graph rebuild"):
        project(ledger, store)
    report = project(ledger, store, rebuild=True)
    assert report.batches == 1
    assert store.counts()["Sighting"] == 12
    store.close()


def test_edge_merge_looks_ends_up_by_key(tmp_path: Path) -> None:
    # `(a:T {id: source})` after LOAD FROM was planned as a cross product of two node
    # tables: re-projecting one changed sighting into a 40k-sighting graph ran out of memory.
    model = default_model()
    store = EmbeddedStore(tmp_path / "embedded.lbdb", model)
    store.ensure_schema()
    rel = model.rel_type("OBSERVED")
    row = {"source": "s", "target": "v", "id": "e", "batch_id": None, "record_id": None}
    arrow_rows = pa.Table.from_pylist([row], schema=_edge_schema(rel))  # noqa: F841
    merge = edge_upsert_cypher(rel, "Sighting", "Vehicle", "LOAD FROM arrow_rows", row="")
    result = store.conn.execute(f"EXPLAIN {merge}")
    assert not isinstance(result, list)
    plan = str(_rows(result))
    store.close()
    assert "QUERY_PRIMARY_KEY_LOOKUP" in plan
    assert "CROSS_PRODUCT" not in plan
