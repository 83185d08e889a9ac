"""Retention purges on both backends: old records leave the ledger for good (their
batch's folder is deleted), a re-ingest of the file stays a no-op, and the graph after an
incremental load is the one a rebuild makes, whether it held the purged batch or not."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from graph.projection import project
from graph.store import GraphStore
from ingest.ledger import Ledger, SourceFile
from ingest.records import RecordBuilder, SourceRecord
from ingest.retention import RetentionError, purge, purge_log
from schemas.model import default_model
from tests.graph.builders import START, sighting

SOURCE = SourceFile(Path("/exports/alerts.xml"), "sha-alerts", 10)
DAY = timedelta(days=1)


def _post(uid: str, handle: str) -> SourceRecord:
    builder = RecordBuilder(default_model(), "test", f"posts#{uid}", f"post {uid}")
    account = builder.entity("Account", platform="twitter", handle=handle)
    post = builder.event("Post", uid, time=START - 60 * DAY, text="hello")
    builder.link("POSTED_BY", post, account)
    return builder.build()


def _ingest(ledger: Ledger) -> str:
    """Three plate reads: KX1 long ago and today, KX2 long ago only; a post long ago."""
    records = [
        sighting("old1", "A", "KX1", START - 60 * DAY),
        sighting("old2", "A", "KX2", START - 60 * DAY),
        sighting("new1", "A", "KX1", START),
        _post("p1", "oldpost"),
    ]
    return ledger.write_batch(SOURCE, "test", "1", records).batch_id


def _plates(store: GraphStore) -> list[list[object]]:
    cypher = "MATCH (s:Sighting)-[:OBSERVED]->(v:Vehicle) RETURN v.plate, s.time ORDER BY v.plate"
    return [row[:1] for row in store.read(cypher).rows]


def _shape(store: GraphStore) -> dict[str, int]:
    edges = store.read("MATCH ()-[e]->() RETURN count(e)").rows[0][0]
    return {**store.counts(), "edges": edges}


def test_a_purge_deletes_old_records_and_keeps_what_newer_ones_name(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger")
    original = _ingest(ledger)
    report = purge(ledger, START - 30 * DAY, ["Sighting"], "30 days for plate reads", "ana")
    assert (report.records, report.batches, dict(report.events)) == (2, 1, {"Sighting": 2})
    [manifest] = ledger.batches()
    assert manifest.replaces == original and manifest.purged == 2
    assert manifest.read == manifest.accepted + manifest.quarantined + manifest.purged
    assert not (tmp_path / "ledger" / "batches" / f"000001-{original}").exists()
    records = ledger.table(manifest, "records").column("locator").to_pylist()
    assert records == ["fixture#new1", "posts#p1"]  # the post is not a Sighting: it stays
    nodes = ledger.table(manifest, "nodes").to_pydict()
    kinds = sorted(zip(nodes["type"], nodes["record_id"], strict=True))
    plates = [t for t, _ in kinds if t == "Vehicle"]
    assert plates == ["Vehicle"]  # KX2 was named by a purged record only
    kept_record = ledger.table(manifest, "records").column("record_id")[0].as_py()
    # KX1, the camera and its site were first named by a purged record: now by the kept one
    assert {r for t, r in kinds if t in ("Vehicle", "Device", "Place")} == {kept_record}
    assert ledger.find(SOURCE, "test", "1") == manifest  # a re-ingest finds it: a no-op
    [entry] = purge_log(ledger)
    assert (entry["analyst"], entry["reason"], entry["records"]) == (
        "ana",
        "30 days for plate reads",
        2,
    )
    again = purge(ledger, START - 30 * DAY, ["Sighting"], "30 days for plate reads", "ana")
    assert again.records == 0 and ledger.batches() == [manifest]


def test_the_graph_after_a_purge_is_the_one_a_rebuild_makes(
    store: GraphStore, tmp_path: Path
) -> None:
    ledger = Ledger(tmp_path / "ledger")
    _ingest(ledger)
    project(ledger, store)
    assert _plates(store) == [["KX1"], ["KX1"], ["KX2"]]
    purge(ledger, START - 30 * DAY, None, "retention", "ana")
    project(ledger, store)
    assert _plates(store) == [["KX1"]]
    incremental = _shape(store)
    assert incremental["Post"] == 0 and incremental["Account"] == 0
    project(ledger, store, rebuild=True)
    assert _shape(store) == incremental


def test_a_graph_that_missed_a_purge_retracts_the_batch_it_held(
    store: GraphStore, tmp_path: Path
) -> None:
    """Two purges in a row delete the first rewrite too: a graph last loaded before both
    still finds what the original batch asserted, carried in the latest rewrite."""
    ledger = Ledger(tmp_path / "ledger")
    _ingest(ledger)
    project(ledger, store)
    purge(ledger, START - 30 * DAY, ["Sighting"], "retention", "ana")
    purge(ledger, START - 30 * DAY, ["Post"], "retention", "ana")
    assert len(ledger.batches()) == 1
    project(ledger, store)
    assert _plates(store) == [["KX1"]]
    incremental = _shape(store)
    project(ledger, store, rebuild=True)
    assert _shape(store) == incremental


@pytest.mark.parametrize(
    ("types", "cutoff", "reason", "message"),
    [
        (["Sighting", "Selfie"], START, "why", "unknown event types ['Selfie']"),
        (None, START.replace(tzinfo=None), "why", "needs a time zone"),
        (None, START, "  ", "needs a reason"),
    ],
)
def test_a_purge_refuses_what_it_cannot_apply(
    tmp_path: Path, types: list[str] | None, cutoff: object, reason: str, message: str
) -> None:
    ledger = Ledger(tmp_path / "ledger")
    original = _ingest(ledger)
    with pytest.raises(RetentionError, match=re.escape(message)):
        purge(ledger, cutoff, types, reason, "ana")  # type: ignore[arg-type]
    assert [m.batch_id for m in ledger.batches()] == [original]
