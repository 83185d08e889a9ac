"""A subject's timeline gathers the events of its records and of what they use, on both
backends: one row per event, with how each was reached."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from graph import queries
from graph.projection import project
from graph.store import GraphStore
from ingest.ledger import Ledger
from ingest.records import RecordBuilder, SourceRecord
from schemas.model import default_model
from tests.graph.builders import START, write_ledger


def _builder(uid: str) -> RecordBuilder:
    return RecordBuilder(default_model(), "test", f"fixture#{uid}", f"<record {uid}/>")


def _call(uid: str, hours: int, sender: str, receiver: str, user: str | None) -> SourceRecord:
    """A call between two numbers; `user` is the name the phone book gives the sender."""
    builder = _builder(uid)
    call = builder.event("Communication", uid, time=START + timedelta(hours=hours), channel="call")
    source = builder.entity("Phone", number=sender)
    builder.link("FROM", call, source)
    builder.link("TO", call, builder.entity("Phone", number=receiver))
    if user:
        builder.link("USES", builder.entity("Person", name=user), source)
    return builder.build()


def _post(uid: str, hours: int, handle: str, mentions: str | None = None) -> SourceRecord:
    builder = _builder(uid)
    post = builder.event("Post", uid, time=START + timedelta(hours=hours), text=f"post {uid}")
    author = builder.entity("Account", platform="twitter", handle=handle)
    builder.link("POSTED_BY", post, author)
    if mentions:
        target = builder.entity("Account", platform="twitter", handle=mentions)
        builder.link("MENTIONS", post, target)
    return builder.build()


def _flight(uid: str, hours: int, traveller: str) -> SourceRecord:
    builder = _builder(uid)
    trip = builder.event("Trip", uid, time=START + timedelta(hours=hours), mode="flight")
    builder.link("PASSENGER", trip, builder.entity("Person", name=traveller))
    return builder.build()


def _subject(ref: str, name: str, people: list[str], handles: list[str]) -> SourceRecord:
    builder = _builder(f"subject {ref}")
    subject = builder.entity("Subject", ref=ref, name=name)
    members = [builder.entity("Person", name=person) for person in people]
    members += [builder.entity("Account", platform="twitter", handle=h) for h in handles]
    for member in members:
        builder.link("RESOLVED_AS", member, subject, method="model", probability=0.99)
    return builder.build()


def _records() -> list[SourceRecord]:
    """Ann is a contact name on two numbers, the traveller "A. Visser" and @ann; Bob is
    @bob. One call goes between Ann's two numbers."""
    return [
        _call("c1", 1, "+31611111111", "+31622222222", "Ann Visser"),
        _call("c2", 2, "+31633333333", "+31611111111", "Ann Visser"),
        _call("c3", 3, "+31622222222", "+31644444444", None),  # others' call
        _post("p1", 4, "ann", mentions="bob"),
        _post("p2", 5, "bob", mentions="ann"),
        _post("p3", 6, "bob"),
        _flight("t1", 7, "A. Visser"),
        _subject("S-ann", "Ann Visser", ["Ann Visser", "A. Visser"], ["ann"]),
        _subject("S-bob", "Bob", [], ["bob"]),
    ]


def _subject_id(ref: str) -> str:
    return default_model().entity_id("Subject", {"ref": ref})


def _loaded(store: GraphStore, tmp_path: Path) -> None:
    write_ledger(tmp_path / "ledger", _records())
    project(Ledger(tmp_path / "ledger"), store)


def test_a_subject_timeline_gathers_its_records_events(store: GraphStore, tmp_path: Path) -> None:
    _loaded(store, tmp_path)
    rows = queries.timeline(store, _subject_id("S-ann"))
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
    bob = queries.timeline(store, _subject_id("S-bob"))
    assert [(r["kind"], r["role"]) for r in bob] == [
        ("Post", "MENTIONS"),
        ("Post", "POSTED_BY"),
        ("Post", "POSTED_BY"),
    ]
    first_two = queries.timeline(store, _subject_id("S-ann"), limit=2)
    assert [r["role"] for r in first_two] == ["FROM", "FROM; TO"]


def test_an_entity_timeline_says_how_each_event_is_linked(
    store: GraphStore, tmp_path: Path
) -> None:
    _loaded(store, tmp_path)
    phone = default_model().entity_id("Phone", {"number": "+31622222222"})
    rows = queries.timeline(store, phone)
    assert [(r["role"], r["via_id"]) for r in rows] == [("TO", phone), ("FROM", phone)]
