"""Embedded-only behaviour: a graph built from an older model is detected and rebuilt."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore, GraphOutdated
from graph.projection import project
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
