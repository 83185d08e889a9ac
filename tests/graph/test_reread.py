"""A file read again by a newer version of its connector replaces its earlier batch, in
the ledger's live sources and in the graph, on both backends: what only the old reading
asserted goes, and the graph is the one a rebuild makes."""

from __future__ import annotations

from pathlib import Path

from graph.projection import project
from graph.schema import BATCH_LABEL
from graph.store import GraphStore
from ingest.ledger import Ledger, SourceFile, replacements, superseded
from tests.graph.builders import START, sighting

SOURCE = SourceFile(Path("/exports/alerts.xml"), "sha-alerts", 10)


def _read(ledger: Ledger, version: str, second_plate: str, source: SourceFile = SOURCE) -> str:
    """The export as connector "test" of this version reads it: KX1, then `second_plate`."""
    records = [sighting("a0", "A", "KX1", START), sighting("b0", "A", second_plate, START)]
    return ledger.write_batch(source, "test", version, records).batch_id


def _counts(store: GraphStore) -> dict[str, int]:
    """Nodes per label, and edges: the batch markers aside (the graph keeps a marker of
    every batch it took in, replaced or not)."""
    counts = {k: v for k, v in store.counts().items() if k != BATCH_LABEL}
    return {**counts, "edges": store.read("MATCH ()-[e]->() RETURN count(e)").rows[0][0]}


def _plates(store: GraphStore) -> list[list[str]]:
    cypher = (
        "MATCH (s:Sighting)-[:OBSERVED]->(v:Vehicle) "
        "RETURN s.plate_read AS read, v.plate AS plate ORDER BY read"
    )
    return store.read(cypher).rows


def test_a_newer_connector_version_replaces_the_batch_of_the_same_content(
    tmp_path: Path,
) -> None:
    ledger = Ledger(tmp_path / "ledger")
    old = _read(ledger, "1", "KX2")
    other = _read(ledger, "1", "KX2", SourceFile(SOURCE.path, "sha-changed", 10))
    new = _read(ledger, "2", "KX3")
    manifests = ledger.batches()
    assert superseded(manifests) == {old}  # changed content is another file's reading
    assert {k: [m.batch_id for m in v] for k, v in replacements(manifests).items()} == {new: [old]}
    assert [m.batch_id for m in ledger.live_sources()] == [other, new]


def test_the_graph_drops_what_only_the_old_reading_asserted(
    store: GraphStore, tmp_path: Path
) -> None:
    ledger = Ledger(tmp_path / "ledger")
    _read(ledger, "1", "KX2")
    project(ledger, store)
    assert _plates(store) == [["KX1", "KX1"], ["KX2", "KX2"]]
    _read(ledger, "2", "KX3")
    report = project(ledger, store)
    assert report.batches == 1
    assert _plates(store) == [["KX1", "KX1"], ["KX3", "KX3"]]
    incremental = _counts(store)
    assert incremental["Vehicle"] == 2  # KX2 was only in the old reading
    project(ledger, store, rebuild=True)
    assert _counts(store) == incremental
    assert _plates(store) == [["KX1", "KX1"], ["KX3", "KX3"]]
