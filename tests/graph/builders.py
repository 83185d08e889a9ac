"""Small ledgers built from hand-made records, for graph tests on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from ingest.ledger import BatchManifest, Ledger, SourceFile
from ingest.records import RecordBuilder, SourceRecord
from schemas.model import default_model

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def sighting(
    uid: str, camera: str, plate: str, when: datetime, lat: float = 52.37, lon: float = 4.89
) -> SourceRecord:
    builder = RecordBuilder(default_model(), "test", f"fixture#{uid}", f"<alert {uid}/>")
    device = builder.entity("Device", id_kind="mac", serial=camera, name=f"cam {camera}")
    place = builder.entity(
        "Place", place_kind="camera-site", ref=camera, name=f"Site {camera}", location=(lat, lon)
    )
    vehicle = builder.entity("Vehicle", plate=plate, country="NL")
    event = builder.event(
        "Sighting", uid, time=when, label="plate", confidence=0.9, plate_read=plate
    )
    builder.link("INSTALLED_AT", device, place)
    builder.link("AT", event, place)
    builder.link("RECORDED_BY", event, device)
    builder.link("OBSERVED", event, vehicle)
    return builder.build()


def meeting_records() -> list[SourceRecord]:
    """KX1 and KX2 meet at camera A three times (2 minutes apart); KX3 passes A hours later."""
    records = []
    for week in range(3):
        base = START + timedelta(days=7 * week)
        records.append(sighting(f"a{week}", "A", "KX1", base))
        records.append(sighting(f"b{week}", "A", "KX2", base + timedelta(minutes=2)))
        records.append(sighting(f"c{week}", "A", "KX3", base + timedelta(hours=5)))
        records.append(sighting(f"d{week}", "B", "KX1", base + timedelta(hours=1), 52.30, 4.80))
    return records


def write_ledger(root: Path, records: list[SourceRecord], name: str = "f.xml") -> BatchManifest:
    ledger = Ledger(root)
    source = SourceFile(root / name, f"sha-{name}-{len(records)}", 1)
    return ledger.write_batch(source, "test", "1", records)


# --- people: calls, posts and flights of resolved subjects ---------------------------


def record_builder(uid: str) -> RecordBuilder:
    return RecordBuilder(default_model(), "test", f"fixture#{uid}", f"<record {uid}/>")


def call(uid: str, hours: int, sender: str, receiver: str, user: str | None) -> SourceRecord:
    """A call between two numbers; `user` is the name the phone book gives the sender."""
    builder = record_builder(uid)
    event = builder.event("Communication", uid, time=START + timedelta(hours=hours), channel="call")
    source = builder.entity("Phone", number=sender)
    builder.link("FROM", event, source)
    builder.link("TO", event, builder.entity("Phone", number=receiver))
    if user:
        builder.link("USES", builder.entity("Person", name=user), source)
    return builder.build()


def post(uid: str, hours: int, handle: str, mentions: str | None = None) -> SourceRecord:
    builder = record_builder(uid)
    event = builder.event("Post", uid, time=START + timedelta(hours=hours), text=f"post {uid}")
    author = builder.entity("Account", platform="twitter", handle=handle)
    builder.link("POSTED_BY", event, author)
    if mentions:
        target = builder.entity("Account", platform="twitter", handle=mentions)
        builder.link("MENTIONS", event, target)
    return builder.build()


def flight(uid: str, hours: int, traveller: str) -> SourceRecord:
    builder = record_builder(uid)
    trip = builder.event("Trip", uid, time=START + timedelta(hours=hours), mode="flight")
    builder.link("PASSENGER", trip, builder.entity("Person", name=traveller))
    return builder.build()


def subject_record(ref: str, name: str, people: list[str], handles: list[str]) -> SourceRecord:
    builder = record_builder(f"subject {ref}")
    subject = builder.entity("Subject", ref=ref, name=name)
    members = [builder.entity("Person", name=person) for person in people]
    members += [builder.entity("Account", platform="twitter", handle=h) for h in handles]
    for member in members:
        builder.link("RESOLVED_AS", member, subject, method="model", probability=0.99)
    return builder.build()


def people_records() -> list[SourceRecord]:
    """Ann is a contact name on two numbers, the traveller "A. Visser" and @ann; Bob is
    @bob. One call goes between Ann's two numbers."""
    return [
        call("c1", 1, "+31611111111", "+31622222222", "Ann Visser"),
        call("c2", 2, "+31633333333", "+31611111111", "Ann Visser"),
        call("c3", 3, "+31622222222", "+31644444444", None),  # others' call
        post("p1", 4, "ann", mentions="bob"),
        post("p2", 5, "bob", mentions="ann"),
        post("p3", 6, "bob"),
        flight("t1", 7, "A. Visser"),
        subject_record("S-ann", "Ann Visser", ["Ann Visser", "A. Visser"], ["ann"]),
        subject_record("S-bob", "Bob", [], ["bob"]),
    ]


def subject_id(ref: str) -> str:
    return default_model().entity_id("Subject", {"ref": ref})
