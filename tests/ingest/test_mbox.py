"""mbox mailboxes: the Google Takeout sample, separators and quoting, encodings, the
date rule, threading, the body privacy rule in the ledger, and the graph."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from graph import queries
from graph.embedded import EmbeddedStore
from graph.projection import project
from ingest.connectors.base import ReadOptions
from ingest.connectors.mbox import Mbox, separator_time
from ingest.ledger import Ledger
from ingest.records import Rejected, SourceRecord
from schemas.model import default_model
from tests.ingest.test_sms_backup import (
    CALLS_MINIMAL,
    MBOX_SAMPLE,
    SMS_SMALL,
    _all_connectors,
    communication,
    kept_by,
    ledger_text,
    links,
    props,
    records,
    write_batch,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "messages"
THREADS = FIXTURES / "mbox_threads_and_quoting.mbox"
LATIN1 = FIXTURES / "mbox_latin1.mbox"
SAMPLE_BYTES = MBOX_SAMPLE.read_bytes()
OWNER = f"(owner of {MBOX_SAMPLE.name})"


def read(path: Path, **options: object) -> list[SourceRecord | Rejected]:
    return list(Mbox(options=ReadOptions(**options)).read(path))  # type: ignore[arg-type]


def write(tmp_path: Path, data: bytes, name: str = "mail.mbox") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def message(sender: str = "a@example.org", headers: str = "", body: str = "Hello.") -> str:
    return (
        f"From {sender} Mon Jan  4 09:00:00 2021\nFrom: {sender}\n"
        f"Date: Mon, 4 Jan 2021 10:00:00 +0100\n{headers}\n{body}\n\n"
    )


# --- the Google Takeout sample -------------------------------------------------------------


def test_sample_is_six_messages_with_three_dated_from_the_separator() -> None:
    items = records(read(MBOX_SAMPLE))
    assert len(items) == 6
    flagged = [i for i, r in enumerate(items) if communication(r).get("status")]
    assert flagged == [2, 3, 5]  # the two Hangouts items and the last have no Date
    assert {communication(items[i])["status"] for i in flagged} == {"date-from-separator"}
    assert [communication(r)["channel"] for r in items] == [
        "email",
        "email",
        "chat",
        "chat",
        "email",
        "email",
    ]
    assert [r.locator.rsplit("#", 1)[1] for r in items] == [
        "message[1]@line 1",
        "message[2]@line 51",
        "message[3]@line 148",
        "message[4]@line 157",
        "message[5]@line 167",
        "message[6]@line 187",
    ]


def test_sample_rfc2047_and_raw_utf8_names_are_decoded() -> None:
    items = read(MBOX_SAMPLE)
    assert {
        "platform": "email",
        "handle": "keld@dkuug.dk",
        "display_name": "Keld Jørn Simonsen",
    } in (props(items[0], "Account"))
    assert {"platform": "email", "handle": "123@example.net", "display_name": "罗"} in props(
        items[3], "Account"
    )


def test_sample_first_message() -> None:
    first = read(MBOX_SAMPLE)[0]
    event = communication(first)
    assert event["time"].isoformat() == "2008-08-05T01:00:12-07:00"
    assert event["subject"] == "[fw-general] Zend_Form and generating fields"
    assert event["message_id"] == "18826312.post@talk.nabble.com"
    assert event["thread"] == "1277085061787347926"  # X-GM-THRID
    assert event["direction"] == "incoming"  # it carries Delivered-To
    assert links(first) == {
        ("FROM", "event", "Account:keld@dkuug.dk"),
        ("TO", "event", "Account:fw-general@lists.zend.com"),
        ("USES", f"Person:{OWNER}", "Account:asdfereasdf@gmail.com"),
    }
    assert kept_by(first) == {f"Person:{OWNER}"}
    assert isinstance(first, SourceRecord)
    assert first.raw.startswith("From 1277085061787347926@xxx Tue Aug 05")
    assert "Subject: [fw-general]" in first.raw and "Unfortunately" not in first.raw


def test_sample_undated_chat_uses_the_separator_zone() -> None:
    chat = communication(read(MBOX_SAMPLE)[2])
    assert chat["time"] == datetime(2016, 3, 23, 1, 57, tzinfo=UTC)
    assert "direction" not in chat and "message_id" not in chat
    mime_test = communication(read(MBOX_SAMPLE)[4])
    assert mime_test["time"].isoformat() == "1993-03-22T09:41:09-08:00"


def test_sample_body_only_with_bodies_on() -> None:
    items = read(MBOX_SAMPLE, include_bodies=True)
    assert communication(items[0])["body"].startswith("Unfortunately it is slow!")
    assert "\r" not in communication(items[0])["body"]
    assert communication(items[4])["body"] == "plain text version of message"  # plain first
    assert communication(items[3])["body"] == "好好学习\uff0c天天向上"  # a fullwidth comma
    assert "É" in communication(items[5])["body"]  # html only, 8bit utf-8
    assert all("body" not in communication(r) for r in read(MBOX_SAMPLE))


# --- separators, quoting, threads, the date rule -----------------------------------------


def test_threads_quoting_and_directions() -> None:
    root, reply, second, undated, anonymous = read(THREADS, include_bodies=True, owner="Alice")
    assert communication(root)["body"] == (
        "Body secret root.\nFrom the archive: quoted once.\n>From the archive: quoted twice.\n"
        "From here on this line is prose, not a separator."
    )
    assert communication(root)["thread"] == "root-1@example.org"  # its own id
    assert communication(reply)["thread"] == "root-1@example.org"  # References
    assert communication(second)["thread"] == "root-1@example.org"  # folded References
    assert communication(root)["direction"] == "outgoing"  # label Sent
    assert ("USES", "Person:Alice", "Account:alice@example.org") in links(root)
    assert ("CC", "event", "Account:dave@example.com") in links(root)
    assert {
        "platform": "email",
        "handle": "dave@example.com",
        "display_name": "Dave, the auditor",
    } in (props(root, "Account"))
    assert communication(reply)["direction"] == "incoming"  # Delivered-To
    assert ("USES", "Person:Alice", "Account:alice@example.org") in links(reply)
    assert "direction" not in communication(second)
    assert ("CC", "event", "Account:eve@example.org") in links(second)  # Bcc is a copy
    assert communication(second)["time"] == datetime(2021, 1, 4, 12, tzinfo=UTC)  # -0000
    assert communication(undated)["status"] == "date-from-separator"
    assert communication(undated)["time"] == datetime(2021, 1, 5, 8, 30, tzinfo=UTC)
    assert isinstance(anonymous, Rejected) and "From" in anonymous.reason
    assert anonymous.locator == f"{THREADS}#message[5]@line 47"


def test_separator_without_zone_takes_the_named_zone(tmp_path: Path) -> None:
    undated = read(THREADS, assume_offset=timedelta(hours=2))[3]
    assert communication(undated)["time"].isoformat() == "2021-01-05T08:30:00+02:00"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b"From a@b Tue Aug  5 08:00:23 2008", "2008-08-05T08:00:23+00:00"),
        (b"From a@b Tue Aug 05 08:00:23 +0000 2008\r\n", "2008-08-05T08:00:23+00:00"),
        (b"From a@b Mon Mar 22 09:41:09 -0800 1993", "1993-03-22T09:41:09-08:00"),
        (b"From a@b Mon Mar 22 09:41:09 PST 1993", "1993-03-22T09:41:09-08:00"),
        (b"From a@b Mon Mar 22 09:41 1993 +0100", "1993-03-22T09:41:00+01:00"),
        (b"From a@b Mon Feb 30 09:41:09 1993", None),
        (b"From here on, prose", None),
        (b"From a@b Mon Xyz 22 09:41:09 1993", None),
    ],
)
def test_separator_times(line: bytes, expected: str | None) -> None:
    stamp = separator_time(line)
    assert (stamp.isoformat() if stamp else None) == expected


def test_unreadable_date_falls_back_to_the_separator(tmp_path: Path) -> None:
    data = message().replace("Mon, 4 Jan 2021 10:00:00 +0100", "sometime last week")
    [item] = read(write(tmp_path, data.encode()))
    assert communication(item)["status"] == "date-from-separator"
    assert communication(item)["time"] == datetime(2021, 1, 4, 9, tzinfo=UTC)


def test_no_date_anywhere_is_rejected(tmp_path: Path) -> None:
    data = "From somebody\nFrom: a@example.org\nSubject: x\n\nbody\n"
    [item] = read(write(tmp_path, data.encode()))
    assert isinstance(item, Rejected) and "no readable Date" in item.reason


def test_content_before_the_first_separator_is_quarantined(tmp_path: Path) -> None:
    data = ("stray secret text\n\n" + message()).encode()
    first, second = read(write(tmp_path, data))
    assert isinstance(first, Rejected) and "before the first From line" in first.reason
    assert first.raw == ""  # it may be any part of a message: not kept with bodies off
    assert isinstance(second, SourceRecord)
    [with_bodies, _] = read(write(tmp_path, data), include_bodies=True)
    assert "stray secret text" in with_bodies.raw


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ("To: bad <>\n", "To"),
        ("Cc: Not An Address\n", "Cc"),
    ],
)
def test_unusable_addresses_are_rejected_naming_the_header(
    tmp_path: Path, headers: str, expected: str
) -> None:
    [item] = read(write(tmp_path, message(headers=headers).encode()))
    assert isinstance(item, Rejected) and f"field {expected!r}" in item.reason


def test_message_id_is_the_natural_key(tmp_path: Path) -> None:
    one = message(headers="Message-ID: <same@example.org>\nSubject: first copy\n")
    other = message("b@example.org", "Message-ID:  <same@example.org> \nSubject: second\n")
    a, b = read(write(tmp_path, (one + other).encode()))
    assert isinstance(a, SourceRecord) and isinstance(b, SourceRecord)
    assert a.record_id == b.record_id
    plain_a, plain_b = read(write(tmp_path, (message() + message("b@example.org")).encode()))
    assert isinstance(plain_a, SourceRecord) and isinstance(plain_b, SourceRecord)
    assert plain_a.record_id != plain_b.record_id


def test_latin1_mailbox(tmp_path: Path) -> None:
    [item] = read(LATIN1, include_bodies=True)
    event = communication(item)
    assert event["subject"] == "Café mañana"
    assert event["body"] == "Secret body: à bientôt, crème brûlée."
    names = {p["handle"]: p.get("display_name") for p in props(item, "Account")}
    assert names == {"jose@example.es": "José Núñez", "francoise@example.fr": "Françoise"}
    assert isinstance(item, SourceRecord) and "José" in item.raw


def test_unknown_charset_in_a_name_is_replaced_not_fatal(tmp_path: Path) -> None:
    headers = "To: =?x-unknown?q?Fran=E7oise?= <fran@example.fr>\n"
    [item] = read(write(tmp_path, message(headers=headers).encode()))
    names = {p["handle"]: p.get("display_name") for p in props(item, "Account")}
    assert names["fran@example.fr"] == "Fran\ufffdoise"


def test_crlf_and_truncated_last_message(tmp_path: Path) -> None:
    cut = SAMPLE_BYTES[: SAMPLE_BYTES.index(b"Subject: A simple example")]
    items = read(write(tmp_path, cut))
    assert len(items) == 6 and isinstance(items[5], SourceRecord)
    assert "subject" not in communication(items[5])


# --- sniffing ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [MBOX_SAMPLE, THREADS, LATIN1])
def test_sniff_recognises_mailboxes_only_by_this_connector(path: Path) -> None:
    head = path.read_bytes()[:8192]
    assert [c.name for c in _all_connectors() if c.sniff(head)] == ["mbox"]


def test_sniff_refuses_prose_and_other_samples() -> None:
    assert not Mbox.sniff(b"From the desk of the director\nDear all,\n")
    assert Mbox.sniff(b"From someone\nReturn-Path: <a@b>\n")
    for path in [
        SMS_SMALL,
        CALLS_MINIMAL,
        *(p for p in (MBOX_SAMPLE.parents[1] / "cctv").iterdir()),
    ]:
        assert not Mbox.sniff(path.read_bytes()[:8192]), path


# --- the privacy rule and the graph ----------------------------------------------------------


BODY_PHRASES = [
    "Unfortunately it is slow",
    "Nothing worse than being without good wifi",
    "好好学习",
    "plain text version of message",
    "Acute accent",
    "Body secret",
    "crème brûlée",
]


@pytest.mark.parametrize("path", [MBOX_SAMPLE, THREADS, LATIN1])
def test_no_body_reaches_the_ledger_when_bodies_are_off(tmp_path: Path, path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger")
    manifest = write_batch(ledger, path, Mbox())
    assert manifest.read == manifest.accepted + manifest.quarantined
    text = ledger_text(ledger, manifest)
    assert not [phrase for phrase in BODY_PHRASES if phrase in text]
    assert "Communication" in text


def test_bodies_are_in_the_ledger_when_asked(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger")
    manifest = write_batch(ledger, MBOX_SAMPLE, Mbox(options=ReadOptions(include_bodies=True)))
    nodes = ledger.table(manifest, "nodes").to_pylist()
    bodies = [json.loads(n["props"]).get("body") for n in nodes if n["type"] == "Communication"]
    assert bodies[2] == "Nothing worse than being without good wifi"


def test_end_to_end_timeline_of_an_address(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger")
    manifest = write_batch(ledger, MBOX_SAMPLE, Mbox())
    assert (manifest.read, manifest.accepted, manifest.quarantined) == (6, 6, 0)
    store = EmbeddedStore(tmp_path / "g.lbdb", default_model())
    try:
        project(ledger, store)
        account = default_model().entity_id(
            "Account", {"platform": "email", "handle": "person.person@example.net"}
        )
        rows = queries.timeline(store, account)
    finally:
        store.close()
    assert [r["time"].year for r in rows] == [2008, 2016, 2021]
    assert {r["kind"] for r in rows} == {"Communication"}
