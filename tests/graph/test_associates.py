"""A subject's associates on both backends: the other parties of its communications and
posts, each as the one subject it resolved to, else as itself."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from graph.associates import NotASubject, associates
from graph.projection import project
from graph.store import GraphStore
from ingest.ledger import Ledger
from ingest.records import SourceRecord
from tests.graph.builders import (
    START,
    call,
    people_records,
    record_builder,
    subject_id,
    subject_record,
    write_ledger,
)


def _kept_message(uid: str, hours: int, owner: str, sender: str) -> SourceRecord:
    """An SMS in `owner`'s backup: it names only the sender; the owner keeps it."""
    builder = record_builder(uid)
    sms = builder.event("Communication", uid, time=START + timedelta(hours=hours), channel="sms")
    builder.link("FROM", sms, builder.entity("Phone", number=sender))
    builder.link("KEPT_BY", sms, builder.entity("Person", name=owner))
    return builder.build()


def _used_by(uid: str, name: str, number: str) -> SourceRecord:
    builder = record_builder(uid)
    builder.link(
        "USES", builder.entity("Person", name=name), builder.entity("Phone", number=number)
    )
    return builder.build()


def _loaded(store: GraphStore, tmp_path: Path) -> None:
    records = [
        *people_records(),
        _kept_message("m1", 8, "(owner of olga-sms.xml)", "+31611111111"),
        call("c4", 9, "+31611111111", "+31655555555", None),  # a family's phone
        _used_by("u1", "Cas", "+31655555555"),
        _used_by("u2", "Dirk", "+31655555555"),
        subject_record("S-olga", "Olga", ["(owner of olga-sms.xml)"], []),
        subject_record("S-cas", "Cas", ["Cas"], []),
        subject_record("S-dirk", "Dirk", ["Dirk"], []),
    ]
    write_ledger(tmp_path / "ledger", records)
    project(Ledger(tmp_path / "ledger"), store)


def test_associates_are_subjects_or_the_identifiers_themselves(
    store: GraphStore, tmp_path: Path
) -> None:
    _loaded(store, tmp_path)
    found = associates(store, subject_id("S-ann"))
    shown = [(a["caption"], a["type"], a["events"], a["ways"], a["through"]) for a in found]
    assert shown == [
        ("Bob", "Subject", 2, "mentioned by 1 · mentions 1", "twitter · bob"),
        ("+31622222222", "Phone", 1, "call 1", ""),
        ("+31655555555 (used by Cas, Dirk)", "Phone", 1, "call 1", ""),
        ("Olga", "Subject", 1, "sms 1", "(owner of olga-sms.xml)"),
    ]
    assert found[0]["first"] < found[0]["last"]


def test_the_backup_owner_sees_the_sender_as_a_subject(store: GraphStore, tmp_path: Path) -> None:
    _loaded(store, tmp_path)
    [ann] = associates(store, subject_id("S-olga"))
    assert (ann["caption"], ann["ways"], ann["through"]) == ("Ann Visser", "sms 1", "+31611111111")


def test_only_subjects_have_associates(store: GraphStore, tmp_path: Path) -> None:
    _loaded(store, tmp_path)
    with pytest.raises(NotASubject, match="dossier search"):
        associates(store, "phone-0123")
