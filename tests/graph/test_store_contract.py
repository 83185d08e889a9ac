"""One suite, both backends: projection, idempotence, rebuild and the named queries."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from graph import queries
from graph.projection import project
from graph.schema import node_columns
from graph.store import GraphStore, QueryFailed, QueryTimedOut
from ingest.ledger import Ledger
from ingest.records import RecordBuilder, SourceRecord
from schemas.model import default_model
from tests.graph.builders import START, meeting_records, sighting, write_ledger


def _vehicle_id(plate: str) -> str:
    return default_model().entity_id("Vehicle", {"plate": plate, "country": "NL"})


def _loaded(store: GraphStore, tmp_path: Path) -> Ledger:
    write_ledger(tmp_path / "ledger", meeting_records())
    ledger = Ledger(tmp_path / "ledger")
    project(ledger, store)
    return ledger


def test_projection_counts_and_provenance(store: GraphStore, tmp_path: Path) -> None:
    ledger = _loaded(store, tmp_path)
    counts = store.counts()
    assert counts["Sighting"] == 12
    assert counts["Vehicle"] == 3
    assert counts["Place"] == 2
    assert counts["IngestBatch"] == 1
    batch_id = ledger.batches()[0].batch_id
    missing = store.read(
        "MATCH (n) WHERE n.batch_id IS NULL OR n.record_id IS NULL RETURN count(n)"
    ).rows[0][0]
    assert missing == counts["IngestBatch"]  # only the batch markers carry no provenance
    edges = store.read("MATCH ()-[e]->() WHERE e.batch_id = $b RETURN count(e)", {"b": batch_id})
    assert edges.rows[0][0] == 12 * 3 + 2


def test_projection_is_idempotent_and_rebuildable(store: GraphStore, tmp_path: Path) -> None:
    ledger = _loaded(store, tmp_path)
    before = store.counts()
    again = project(ledger, store)
    assert again.batches == 0 and again.skipped == 1
    assert store.counts() == before
    rebuilt = project(ledger, store, rebuild=True)
    assert rebuilt.batches == 1
    assert store.counts() == before
    edge_total = store.read("MATCH ()-[e]->() RETURN count(e)").rows[0][0]
    assert edge_total == 12 * 3 + 2


def test_changed_file_upserts_same_ids(store: GraphStore, tmp_path: Path) -> None:
    _loaded(store, tmp_path)
    moved = sighting("a0", "B", "KX1", START + timedelta(minutes=1), 52.30, 4.80)
    write_ledger(tmp_path / "ledger", [moved], name="changed.xml")
    project(Ledger(tmp_path / "ledger"), store)
    assert store.counts()["Sighting"] == 12
    rows = queries.timeline(store, _vehicle_id("KX1"))
    first = next(
        r
        for r in rows
        if r["time"].replace(tzinfo=None) == (START + timedelta(minutes=1)).replace(tzinfo=None)
    )
    assert first["kind"] == "Sighting"


def test_batch_of_known_and_new_events_upserts_both(store: GraphStore, tmp_path: Path) -> None:
    # New events are created without a lookup first; one known id among them must still
    # end up updated in place, not duplicated, and the new ones complete with their edges.
    _loaded(store, tmp_path)
    late = START + timedelta(days=30, microseconds=123_456)  # times come back exact
    records = [
        sighting("n1", "B", "KX1", late),
        sighting("a1", "A", "KX1", late + timedelta(minutes=1)),  # known: a new time
        sighting("n2", "A", "KX1", late + timedelta(minutes=2)),
    ]
    manifest = write_ledger(tmp_path / "ledger", records, name="changed.xml")
    project(Ledger(tmp_path / "ledger"), store)
    assert store.counts()["Sighting"] == 14
    timeline = queries.timeline(store, _vehicle_id("KX1"))
    rows = [r for r in timeline if r["batch_id"] == manifest.batch_id]
    assert [
        (r["place"], r["time"].replace(tzinfo=None) >= late.replace(tzinfo=None)) for r in rows
    ] == [
        ("Site B", True),
        ("Site A", True),
        ("Site A", True),
    ]
    assert rows[0]["time"].replace(tzinfo=None) == late.replace(tzinfo=None)
    known = store.read("MATCH (s:Sighting) WHERE s.time >= $t RETURN count(s)", {"t": late})
    assert known.rows[0][0] == 3


def test_find_entities_by_plate_and_camera(store: GraphStore, tmp_path: Path) -> None:
    _loaded(store, tmp_path)
    found = queries.find_entities(store, "kx2")
    assert [(r["type"], r["caption"]) for r in found] == [("Vehicle", "KX2 · NL")]
    places = queries.find_entities(store, "site a")
    assert {r["type"] for r in places} == {"Place"}


def test_timeline_is_ordered_with_place_and_source(store: GraphStore, tmp_path: Path) -> None:
    _loaded(store, tmp_path)
    rows = queries.timeline(store, _vehicle_id("KX1"))
    assert len(rows) == 6
    times = [r["time"] for r in rows]
    assert times == sorted(times)
    assert {r["place"] for r in rows} == {"Site A", "Site B"}
    assert all(r["record_id"].startswith("record-") for r in rows)
    assert rows[0]["lat"] == pytest.approx(52.37)


def test_co_presence_counts_meetings_within_window(store: GraphStore, tmp_path: Path) -> None:
    _loaded(store, tmp_path)
    rows = queries.co_presence(store, _vehicle_id("KX1"), timedelta(minutes=10))
    assert [(r["caption"], r["times"]) for r in rows] == [("KX2 · NL", 3)]
    wide = queries.co_presence(store, _vehicle_id("KX1"), timedelta(hours=6))
    assert {r["caption"]: r["times"] for r in wide} == {"KX2 · NL": 3, "KX3 · NL": 3}


def test_co_presence_window_is_exact_at_its_edges(store: GraphStore, tmp_path: Path) -> None:
    # Ladybug sieves by time slots as wide as the window: sightings exactly one window
    # apart, one microsecond more, and pairs on either side of a slot's edge must count
    # just as a plain comparison of times would.
    window = timedelta(minutes=10)
    base = datetime(2026, 3, 2, 8, 9, 59, 999_999, tzinfo=UTC)  # a microsecond before 08:10
    records = [
        sighting("x1", "A", "KX1", base),
        sighting("x2", "A", "KX1", base + timedelta(days=1)),
        sighting("e1", "A", "ED1", base + window),  # exactly at the edge: in
        sighting("e2", "A", "ED1", base - window),  # in
        sighting("o1", "A", "OUT", base + window + timedelta(microseconds=1)),  # out
        sighting("o2", "A", "OUT", base - window - timedelta(seconds=1)),  # out
        sighting("n1", "A", "NXT", base + timedelta(microseconds=1)),  # next slot: in
        sighting("n2", "A", "NXT", base + timedelta(days=1, minutes=9)),  # in
        sighting("f1", "A", "FAR", base + timedelta(hours=12)),  # between the two: out
        sighting("b1", "B", "ELS", base),  # same time, another place: out
    ]
    write_ledger(tmp_path / "ledger", records)
    project(Ledger(tmp_path / "ledger"), store)
    rows = queries.co_presence(store, _vehicle_id("KX1"), window)
    assert {r["caption"]: (r["times"], r["places"]) for r in rows} == {
        "ED1 · NL": (2, 1),
        "NXT · NL": (2, 1),
    }
    assert queries.co_presence(store, _vehicle_id("KX1"), timedelta(0)) == []


def test_a_node_reads_in_its_types_order(store: GraphStore, tmp_path: Path) -> None:
    _loaded(store, tmp_path)
    node = queries.get_node(store, _vehicle_id("KX1"))
    declared = [c.name for c in node_columns(default_model().node_type("Vehicle"))]
    assert list(node) == [name for name in declared if name in node]
    assert list(node)[:3] == ["id", "plate", "country"] and node["plate"] == "KX1"


def test_unknown_id_is_a_clear_error(store: GraphStore, tmp_path: Path) -> None:
    _loaded(store, tmp_path)
    with pytest.raises(queries.UnknownEntity, match="dossier search"):
        queries.get_node(store, "vehicle-000000000000000000000000")


def test_queries_have_a_time_limit(store: GraphStore, tmp_path: Path) -> None:
    _loaded(store, tmp_path)
    heavy = (
        "MATCH (a:Sighting), (b:Sighting), (c:Sighting), (d:Sighting), (e:Sighting), "
        "(f:Sighting), (g:Sighting), (h:Sighting) "
        "WHERE (a.id + b.id + c.id + d.id + e.id + f.id + g.id + h.id) CONTAINS 'never' "
        "RETURN count(*)"
    )
    started = time.monotonic()
    with pytest.raises(QueryTimedOut, match=r"time limit of 0\.5 s"):
        store.read(heavy, timeout_s=0.5)
    assert time.monotonic() - started < 20
    assert store.read("MATCH (v:Vehicle) RETURN count(v)").rows == [[3]]  # still usable
    # without a limit of its own, a read keeps to the store's (DOSSIER_QUERY_TIMEOUT)
    store.query_timeout_s = 0.4
    with pytest.raises(QueryTimedOut, match=r"time limit of 0\.4 s"):
        store.read(heavy)
    assert time.monotonic() - started < 40


def test_bad_cypher_is_a_clear_error(store: GraphStore, tmp_path: Path) -> None:
    with pytest.raises(QueryFailed, match="could not run the query"):
        store.read("MATCH (n RETURN n")


def _subject_record(ref: str, plates: list[str], probability: float) -> SourceRecord:
    """A derived record: a Subject that RESOLVED_AS links, standing in for resolution."""
    builder = RecordBuilder(default_model(), "derived", f"run#{ref}", ref)
    subject = builder.entity("Subject", ref=ref, name=f"Subject {ref}", records=len(plates))
    for plate in plates:
        person = builder.entity("Person", name=f"Driver of {plate}")
        builder.link(
            "RESOLVED_AS",
            person,
            subject,
            profile_id=plate,
            probability=probability,
            method="model",
        )
    return builder.build()


def test_edges_carry_properties_and_derivations_replace_each_other(
    store: GraphStore, tmp_path: Path
) -> None:
    ledger = _loaded(store, tmp_path)
    ledger.write_derived(
        "resolution", "inputs-1", "1", [_subject_record("S1", ["KX1", "KX2"], 0.97)]
    )
    project(ledger, store)
    rows = store.read(
        "MATCH (p:Person)-[e:RESOLVED_AS]->(s:Subject) "
        "RETURN s.ref, e.profile_id, e.probability, e.method ORDER BY e.profile_id"
    ).rows
    assert rows == [["S1", "KX1", 0.97, "model"], ["S1", "KX2", 0.97, "model"]]
    # A new run: S1 is gone, S2 holds one profile; the old edges and subject leave the graph.
    ledger.write_derived("resolution", "inputs-2", "1", [_subject_record("S2", ["KX1"], 0.9)])
    report = project(ledger, store)
    assert report.batches == 1
    rows = store.read(
        "MATCH (p:Person)-[e:RESOLVED_AS]->(s:Subject) RETURN s.ref, e.profile_id"
    ).rows
    assert rows == [["S2", "KX1"]]
    assert store.counts()["Subject"] == 1
    # The same inputs again are the same batch: nothing new to project. A rebuild projects
    # only the latest derivation.
    ledger.write_derived("resolution", "inputs-2", "1", [_subject_record("S2", ["KX1"], 0.9)])
    assert project(ledger, store).batches == 0
    rebuilt = project(ledger, store, rebuild=True)
    assert rebuilt.batches == 2 and rebuilt.skipped == 1
    assert store.counts()["Subject"] == 1


def test_a_derivation_repeated_after_another_is_the_latest(
    store: GraphStore, tmp_path: Path
) -> None:
    ledger = _loaded(store, tmp_path)
    first = ledger.write_derived(
        "resolution", "inputs-A", "1", [_subject_record("SA", ["KX1"], 0.9)]
    )
    ledger.write_derived("resolution", "inputs-B", "1", [_subject_record("SB", ["KX1"], 0.9)])
    again = ledger.write_derived(
        "resolution", "inputs-A", "1", [_subject_record("SA", ["KX1"], 0.9)]
    )
    assert again.seq > first.seq and again.batch_id != first.batch_id
    assert ledger.current_derived("resolution", "inputs-A", "1") == again
    project(ledger, store)
    assert store.read("MATCH (s:Subject) RETURN s.ref").rows == [["SA"]]


def test_instants_come_back_exact(store: GraphStore, tmp_path: Path) -> None:
    # Neo4j writes send instants as epoch seconds and nanoseconds and rebuild them in the
    # server: the epoch itself and microseconds must survive that, and the offset is kept.
    plus8 = timezone(timedelta(hours=8))
    times = {
        "OLD1": datetime(1970, 1, 1, 8, 0, 0, tzinfo=plus8),  # the earliest the model takes
        "NEW1": datetime(2026, 3, 2, 16, 0, 0, 123_456, tzinfo=plus8),
    }
    records = [sighting(plate, "A", plate, when) for plate, when in times.items()]
    write_ledger(tmp_path / "ledger", records)
    project(Ledger(tmp_path / "ledger"), store)
    result = store.read("MATCH (s:Sighting) RETURN s.plate_read, s.time, s.time_offset_min")
    stored = {plate: (_utc(time), offset) for plate, time, offset in result.rows}
    assert stored == {plate: (when.astimezone(UTC), 480) for plate, when in times.items()}


def _utc(value: datetime) -> datetime:
    """Ladybug returns UTC instants without a zone, Neo4j with one."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _device_record(uid: str, name: str | None) -> SourceRecord:
    builder = RecordBuilder(default_model(), "test", f"fixture#{uid}", f"<alert {uid}/>")
    props = {"name": name} if name else {}
    builder.entity("Device", id_kind="mac", serial="CAM-7", **props)
    return builder.build()


def test_an_entity_keeps_its_first_evidence_and_later_batches_fill_gaps(
    store: GraphStore, tmp_path: Path
) -> None:
    # Three batches projected one at a time, then rebuilt at once: both ways the device
    # keeps the name of its first evidence ("first" fills the gap of the nameless read).
    root = tmp_path / "ledger"
    records = [
        _device_record(name, label)
        for name, label in (("nameless.xml", None), ("first.xml", "first"), ("later.xml", "later"))
    ]
    for record in records:
        write_ledger(root, [record], name=record.locator)
        project(Ledger(root), store)
    query = "MATCH (d:Device) RETURN d.name, d.record_id"
    incremental = store.read(query).rows
    project(Ledger(root), store, rebuild=True)
    assert store.read(query).rows == incremental
    assert incremental == [["first", records[0].record_id]]
