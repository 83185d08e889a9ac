"""SMS Backup & Restore XML backups: the real samples, hand-written edge cases, damaged
files, the body privacy rule (checked in the ledger's own tables), and the graph."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from graph import queries
from graph.embedded import EmbeddedStore
from graph.projection import project
from ingest.connectors.base import Connector, ReadOptions
from ingest.connectors.registry import CONNECTORS
from ingest.connectors.sms_backup import SmsBackupRestore
from ingest.ledger import BatchManifest, Ledger, SourceFile
from ingest.records import Rejected, SourceRecord
from schemas.model import default_model
from tests.conftest import samples_dir

MESSAGES = samples_dir() / "messages"
SMS_SMALL = MESSAGES / "sms_backup_restore_sms_small.xml"
CALLS_MINIMAL = MESSAGES / "sms_backup_restore_calls_minimal.xml"
MBOX_SAMPLE = MESSAGES / "gmail_takeout_small.mbox"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "messages"
EDGE_CASES = FIXTURES / "sms_mms_edge_cases.xml"
EVERY_CALL = FIXTURES / "calls_every_type.xml"
SMALL_BYTES = SMS_SMALL.read_bytes()


# --- helpers shared with test_mbox ------------------------------------------------------


def records(items: Iterable[SourceRecord | Rejected]) -> list[SourceRecord]:
    found = list(items)
    assert all(isinstance(i, SourceRecord) for i in found), [
        i for i in found if isinstance(i, Rejected)
    ]
    return [i for i in found if isinstance(i, SourceRecord)]


def props(record: SourceRecord | Rejected, type_name: str) -> list[dict]:
    assert isinstance(record, SourceRecord), record
    return [n.props for n in record.nodes if n.type == type_name]


def communication(record: SourceRecord | Rejected) -> dict:
    [found] = props(record, "Communication")
    return found


def links(record: SourceRecord | Rejected) -> set[tuple[str, str, str]]:
    """(relationship, source caption, target caption) with entities named by their key;
    without KEPT_BY, which every record has (see `kept_by`)."""
    return {link for link in _all_links(record) if link[0] != "KEPT_BY"}


def kept_by(record: SourceRecord | Rejected) -> set[str]:
    """The people whose export keeps the record's communication."""
    return {target for rel, _, target in _all_links(record) if rel == "KEPT_BY"}


def _all_links(record: SourceRecord | Rejected) -> set[tuple[str, str, str]]:
    assert isinstance(record, SourceRecord), record
    names = {n.id: _caption(n.type, n.props) for n in record.nodes}
    return {(e.type, names[e.source], names[e.target]) for e in record.edges}


def _caption(type_name: str, values: dict) -> str:
    if type_name == "Communication":
        return "event"
    key = values.get("name") or values.get("number") or values.get("handle")
    return f"{type_name}:{key}"


def write_batch(ledger: Ledger, path: Path, connector: Connector) -> BatchManifest:
    data = path.read_bytes()
    source = SourceFile(path, hashlib.sha256(data).hexdigest(), len(data))
    return ledger.write_batch(source, connector.name, connector.version, connector.read(path))


def ledger_text(ledger: Ledger, manifest: BatchManifest) -> str:
    """Every text cell of the batch's tables, its quarantine and manifest, as one text."""
    folder = ledger.batch_dir(manifest)
    parts = [(folder / "quarantine.jsonl").read_text(encoding="utf-8")]
    parts.append((folder / "manifest.json").read_text(encoding="utf-8"))
    for table in ("nodes", "edges", "records"):
        for column in pq.read_table(folder / f"{table}.parquet").columns:
            parts.extend(str(value) for value in column.to_pylist())
    return "\n".join(parts)


def read(path: Path, **options: object) -> list[SourceRecord | Rejected]:
    return list(SmsBackupRestore(options=ReadOptions(**options)).read(path))  # type: ignore[arg-type]


def write(tmp_path: Path, data: bytes, name: str = "backup.xml") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- the real samples ------------------------------------------------------------------


@pytest.mark.parametrize("region", [None, "US", "NL"])
def test_sms_sample_is_twelve_messages_with_or_without_a_region(region: str | None) -> None:
    """The sample's addresses are already international (+1 555 ...), so no region is
    needed, and a region does not change them."""
    items = records(read(SMS_SMALL, phone_region=region))
    assert len(items) == 12
    numbers = [p["number"] for r in items for p in props(r, "Phone")]
    assert set(numbers) == {"+15550000001", "+15550000003", "+15550000004"}
    directions = [communication(r)["direction"] for r in items]
    assert directions.count("incoming") == 8 and directions.count("outgoing") == 4
    assert {communication(r)["channel"] for r in items} == {"sms"}


def test_sms_sample_first_record() -> None:
    first = read(SMS_SMALL)[0]
    assert isinstance(first, SourceRecord)
    assert first.locator == f"{SMS_SMALL}#/smses/sms[1]"
    event = communication(first)
    assert event["time"].isoformat() == "2017-12-02T14:49:27.463000+00:00"  # epoch ms, UTC
    assert event == {"time": event["time"], "channel": "sms", "direction": "incoming"}
    assert links(first) == {
        ("FROM", "event", "Phone:+15550000001"),
        ("USES", "Person:Contact A", "Phone:+15550000001"),
    }
    owner = f"(owner of {SMS_SMALL.name})"
    assert {"name": owner} in props(first, "Person")
    assert kept_by(first) == {f"Person:{owner}"}
    assert 'address="+15550000001"' in first.raw and "Body text" not in first.raw


def test_outgoing_sms_links_to_the_recipient() -> None:
    fifth = read(SMS_SMALL)[4]
    assert communication(fifth)["direction"] == "outgoing"
    assert ("TO", "event", "Phone:+15550000001") in links(fifth)


def test_owner_is_named_by_the_option() -> None:
    first = read(SMS_SMALL, owner="Jane Doe")[0]
    assert {"name": "Jane Doe"} in props(first, "Person")


def test_calls_sample_is_one_incoming_call() -> None:
    [call] = records(read(CALLS_MINIMAL))
    assert call.locator == f"{CALLS_MINIMAL}#/calls/call[1]"
    event = communication(call)
    assert event["channel"] == "call" and event["direction"] == "incoming"
    assert event["duration_s"] == 125
    assert event["time"].isoformat() == "2021-01-03T00:00:00+00:00"
    assert links(call) == {
        ("FROM", "event", "Phone:+15551234567"),
        ("USES", "Person:Alice Smith", "Phone:+15551234567"),
    }


def test_ids_are_stable_across_reads_and_backups(tmp_path: Path) -> None:
    first = records(read(SMS_SMALL))
    later = records(read(write(tmp_path, SMALL_BYTES, "later-backup.xml")))
    assert [r.record_id for r in first] == [r.record_id for r in later]
    events = [[n.id for n in r.nodes if n.type == "Communication"] for r in first]
    assert events == [[n.id for n in r.nodes if n.type == "Communication"] for r in later]
    assert len({r.record_id for r in first}) == 12


# --- MMS, SMS types, senders -------------------------------------------------------------


def test_received_mms_is_metadata_only_by_default() -> None:
    mms = read(EDGE_CASES)[0]
    assert isinstance(mms, SourceRecord)
    event = communication(mms)
    assert event["channel"] == "mms" and event["direction"] == "incoming"
    assert event["subject"] == "Holiday photo"
    assert event["message_id"] == "mms-received-001@example.com"
    assert "body" not in event
    assert links(mms) == {
        ("FROM", "event", "Phone:+15551234567"),
        ("TO", "event", "Phone:+15559876543"),
        ("USES", "Person:Alice Smith", "Phone:+15551234567"),
    }
    assert "secret" not in mms.raw and "&lt;par" not in mms.raw  # no part text, not even SMIL
    assert "iVBOR" not in mms.raw  # media is never kept in raw
    assert 'ct="text/plain"' in mms.raw and 'type="137"' in mms.raw


def test_mms_text_parts_are_the_body_when_bodies_are_on() -> None:
    mms = read(EDGE_CASES, include_bodies=True)[0]
    assert communication(mms)["body"] == "MMS secret text one"
    assert isinstance(mms, SourceRecord)
    assert 'text="MMS secret text one"' in mms.raw and "iVBOR" not in mms.raw


def test_sent_group_mms_names_the_owners_own_number() -> None:
    mms = read(EDGE_CASES, owner="Jane Doe")[1]
    assert communication(mms)["direction"] == "outgoing"
    assert links(mms) == {
        ("FROM", "event", "Phone:+15559876543"),
        ("USES", "Person:Jane Doe", "Phone:+15559876543"),
        ("TO", "event", "Phone:+15551234567"),
        ("TO", "event", "Phone:+15550001111"),
    }  # "Alice Smith, Bob Jones" names a group: no Person is made of it


def test_mms_placeholder_for_the_own_number_is_skipped() -> None:
    mms = read(EDGE_CASES)[2]
    assert links(mms) == {
        ("TO", "event", "Phone:+15551234567"),
        ("USES", "Person:Alice Smith", "Phone:+15551234567"),
    }
    assert "message_id" not in communication(mms)  # m_id="null"


@pytest.mark.parametrize(
    ("index", "status"), [(3, "draft"), (4, "failed"), (5, "pending")], ids=str
)
def test_sms_types_and_delivery_status(index: int, status: str) -> None:
    event = communication(read(EDGE_CASES)[index])
    assert event["direction"] == "outgoing" and event["status"] == status


def test_alphanumeric_sender_is_an_sms_account_and_unknown_contact_no_person() -> None:
    sms = read(EDGE_CASES)[6]
    assert links(sms) == {("FROM", "event", "Account:amazon")}
    assert props(sms, "Account") == [{"platform": "sms", "handle": "amazon"}]
    assert len(props(sms, "Person")) == 1  # the owner only: "(Unknown)" is no name


def test_national_number_needs_a_region() -> None:
    refused = read(EDGE_CASES)[7]
    assert isinstance(refused, Rejected)
    assert "06 12345678" in refused.reason and "--phone-region" in refused.reason
    assert refused.locator == f"{EDGE_CASES}#/smses/sms[5]"
    assert "secret" not in refused.raw
    accepted = read(EDGE_CASES, phone_region="NL")[7]
    assert props(accepted, "Phone") == [{"number": "+31612345678"}]


def test_unknown_type_code_is_rejected_naming_it() -> None:
    item = read(EDGE_CASES)[8]
    assert isinstance(item, Rejected)
    assert "sms.type" in item.reason and "'9'" in item.reason


# --- calls -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "direction", "status"),
    [
        (0, "incoming", None),
        (1, "outgoing", None),
        (2, "incoming", "missed"),
        (3, "incoming", "voicemail"),
        (4, "incoming", "rejected"),
        (5, "incoming", "blocked"),
    ],
)
def test_each_call_type(index: int, direction: str, status: str | None) -> None:
    event = communication(read(EVERY_CALL)[index])
    assert event["direction"] == direction and event.get("status") == status


def test_withheld_number_has_no_counterpart() -> None:
    call = read(EVERY_CALL)[6]
    assert communication(call)["status"] == "missed,number-restricted"
    assert links(call) == set() and props(call, "Phone") == []


def test_unknown_contact_makes_no_person() -> None:
    rejected_call = read(EVERY_CALL)[4]
    assert [p["name"] for p in props(rejected_call, "Person")] == [f"(owner of {EVERY_CALL.name})"]


def test_national_call_number_with_region_and_bad_duration() -> None:
    items = read(EVERY_CALL, phone_region="GB")
    assert props(items[7], "Phone") == [{"number": "+442079460958"}]
    assert communication(items[7])["duration_s"] == 300
    assert isinstance(items[8], Rejected) and "duration_s" in items[8].reason
    assert sum(isinstance(i, SourceRecord) for i in items) == 8


# --- damaged and hostile files ---------------------------------------------------------


@pytest.mark.parametrize("fraction", [0.05, 0.5, 0.97])
def test_truncated_file_keeps_earlier_records_then_one_rejection(
    tmp_path: Path, fraction: float
) -> None:
    cut = SMALL_BYTES[: int(len(SMALL_BYTES) * fraction)]
    items = read(write(tmp_path, cut))
    *accepted, last = items
    assert all(isinstance(i, SourceRecord) for i in accepted)
    assert isinstance(last, Rejected)
    assert "cut off or not well-formed" in last.reason
    assert f"{len(accepted)} records before it were read" in last.reason
    assert last.locator.startswith(f"{tmp_path / 'backup.xml'}#line ")
    assert last.raw == ""  # nothing of a damaged stretch (it may hold bodies) is kept


def test_missing_root_end_tag_is_reported_after_all_records(tmp_path: Path) -> None:
    items = read(write(tmp_path, SMALL_BYTES.replace(b"</smses>", b"")))
    assert [type(i) for i in items] == [SourceRecord] * 12 + [Rejected]


def test_billion_laughs_is_refused_without_expansion(tmp_path: Path) -> None:
    entities = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)).replace(
        "&lol0;", "lol"
    )
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE smses [{entities}]>\n<smses count="1">'
        '<sms address="+15550000001" date="1" type="1" body="&lol9;" /></smses>'
    ).encode()
    started = time.perf_counter()
    [item] = read(write(tmp_path, data))
    assert time.perf_counter() - started < 10.0  # expanding would take minutes and GBs
    assert isinstance(item, Rejected) and "DTD" in item.reason and "nothing" in item.reason
    assert SmsBackupRestore.sniff(data)  # recognised, so the user sees why it was refused


def test_external_entity_is_refused(tmp_path: Path) -> None:
    data = SMALL_BYTES.replace(
        b"<smses", b'<!DOCTYPE smses [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<smses', 1
    ).replace(b"Body text 1", b"&e;")
    [item] = read(write(tmp_path, data))
    assert isinstance(item, Rejected) and "root:" not in item.reason + item.raw


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "not well-formed"),
        (b"<html><body/></html>", "root element <html>"),
        (b'<smses><call number="+15550000001" date="1" type="1"/></smses>', "unexpected"),
        (b"\xff\xfe<\x00s\x00", "not well-formed"),
    ],
)
def test_not_a_backup_is_one_rejection(tmp_path: Path, data: bytes, expected: str) -> None:
    [item] = read(write(tmp_path, data))
    assert isinstance(item, Rejected) and expected in item.reason


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (b'date="1512226167463"', b'date="yesterday"', "sms.date"),
        (b'date="1512226167463"', b'date="99999999999999999999"', "sms.date"),
        (b'date="1512226167463"', b'date="-5"', "timestamp outside"),
        (b'date="1512226167463" ', b"", "sms.date"),
        (b'address="+15550000001" date="1512226167463"', b'address="" date="1"', "event"),
    ],
)
def test_bad_attributes_are_rejected_naming_them(
    tmp_path: Path, old: bytes, new: bytes, field: str
) -> None:
    items = read(write(tmp_path, SMALL_BYTES.replace(old, new, 1)))
    assert len(items) == 12
    first = items[0]
    if field == "event":  # no counterpart at all is still a message, from nobody known
        assert isinstance(first, SourceRecord) and links(first) == set()
        return
    assert isinstance(first, Rejected) and field in first.reason
    assert "Body text" not in first.raw


# --- sniffing ----------------------------------------------------------------------------


def _all_connectors() -> list[type[Connector]]:

    return list(CONNECTORS)


@pytest.mark.parametrize("path", [SMS_SMALL, CALLS_MINIMAL, EDGE_CASES, EVERY_CALL])
def test_sniff_recognises_backups_only_by_this_connector(path: Path) -> None:
    head = path.read_bytes()[:8192]
    assert [c.name for c in _all_connectors() if c.sniff(head)] == ["sms-backup-restore"]


def test_sniff_refuses_other_samples() -> None:
    others = [p for p in samples_dir().rglob("*") if p.is_file() and p.parent.name != "LICENSES"]
    others = [p for p in others if p.parent.name != "messages" and p.name != "SOURCES.md"]
    assert others
    for path in others:
        assert not SmsBackupRestore.sniff(path.read_bytes()[:8192]), path
    assert not SmsBackupRestore.sniff(MBOX_SAMPLE.read_bytes()[:8192])


# --- the privacy rule and the graph --------------------------------------------------------


BODIES = ["Body text", "MMS secret", "SMS secret"]


@pytest.mark.parametrize("path", [SMS_SMALL, EDGE_CASES])
def test_no_body_reaches_the_ledger_when_bodies_are_off(tmp_path: Path, path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger")
    manifest = write_batch(ledger, path, SmsBackupRestore())
    assert manifest.read == manifest.accepted + manifest.quarantined
    text = ledger_text(ledger, manifest)
    assert not [b for b in BODIES if b in text]
    assert "Communication" in text  # the tables were read


def test_bodies_are_kept_when_asked(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger")
    connector = SmsBackupRestore(options=ReadOptions(include_bodies=True))
    manifest = write_batch(ledger, SMS_SMALL, connector)
    nodes = ledger.table(manifest, "nodes").to_pylist()
    bodies = [json.loads(n["props"]).get("body") for n in nodes if n["type"] == "Communication"]
    assert bodies[0] == "Body text 1"
    assert bodies[9] == "Body text 10\nBody text 11\nBody text 12"


def test_end_to_end_timeline_of_a_number(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger")
    manifest = write_batch(ledger, SMS_SMALL, SmsBackupRestore())
    assert (manifest.read, manifest.accepted, manifest.quarantined) == (12, 12, 0)
    store = EmbeddedStore(tmp_path / "g.lbdb", default_model())
    try:
        project(ledger, store)
        phone = default_model().entity_id("Phone", {"number": "+15550000004"})
        rows = queries.timeline(store, phone)
        owner = default_model().entity_id("Person", {"name": f"(owner of {SMS_SMALL.name})"})
        kept = queries.timeline(store, owner)
    finally:
        store.close()
    # the owner took part in every message of their backup, though it never names them
    assert len(kept) == 12 and {r["role"] for r in kept} == {"KEPT_BY"}
    assert len(rows) == 7  # sms[6] to sms[12]
    assert {r["kind"] for r in rows} == {"Communication"}
    assert [r["time"] for r in rows] == sorted(r["time"] for r in rows)
    assert all(r["record_id"] and r["batch_id"] == manifest.batch_id for r in rows)
