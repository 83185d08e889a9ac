"""A subject's timeline gathers the events of its records and of what they use, on both
backends: one row per event, with how each was reached."""

from __future__ import annotations

from pathlib import Path

from graph import queries
from graph.projection import project
from graph.store import GraphStore
from ingest.ledger import Ledger
from schemas.model import default_model
from tests.graph.builders import people_records, subject_id, write_ledger


def _loaded(store: GraphStore, tmp_path: Path) -> None:
    write_ledger(tmp_path / "ledger", people_records())
    project(Ledger(tmp_path / "ledger"), store)


def test_a_subject_timeline_gathers_its_records_events(store: GraphStore, tmp_path: Path) -> None:
    _loaded(store, tmp_path)
    rows = queries.timeline(store, subject_id("S-ann"))
    assert [r["record_id"].split("-")[0] for r in rows] == ["record"] * 5
    kinds = [(r["kind"], r["role"]) for r in rows]
    assert kinds == [
        ("Communication", "FROM"),
        ("Communication", "FROM; TO"),  # between two of Ann's numbers: one row
        ("Post", "POSTED_BY"),
        ("Post", "MENTIONS"),
        ("Trip", "PASSENGER"),
    ]
    # the n-th role goes with the n-th number: c2 is from 333 to 111
    assert rows[1]["via"] == "+31633333333; +31611111111"
    assert rows[4]["via"] == "A. Visser"
    times = [r["time"] for r in rows]
    assert times == sorted(times)


def test_another_subject_and_the_limit(store: GraphStore, tmp_path: Path) -> None:
    _loaded(store, tmp_path)
    bob = queries.timeline(store, subject_id("S-bob"))
    assert [(r["kind"], r["role"]) for r in bob] == [
        ("Post", "MENTIONS"),
        ("Post", "POSTED_BY"),
        ("Post", "POSTED_BY"),
    ]
    first_two = queries.timeline(store, subject_id("S-ann"), limit=2)
    assert [r["role"] for r in first_two] == ["FROM", "FROM; TO"]


def test_an_entity_timeline_says_how_each_event_is_linked(
    store: GraphStore, tmp_path: Path
) -> None:
    _loaded(store, tmp_path)
    phone = default_model().entity_id("Phone", {"number": "+31622222222"})
    rows = queries.timeline(store, phone)
    assert [(r["role"], r["via_id"]) for r in rows] == [("TO", phone), ("FROM", phone)]
