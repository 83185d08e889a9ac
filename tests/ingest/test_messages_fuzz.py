"""Property tests for the message connectors: whatever bytes they are given they yield
records or rejections with a reason, never raise, count one item per record, and with
bodies off never carry a body into a record or a rejection."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.connectors.base import Connector, ReadOptions
from ingest.connectors.mbox import Mbox
from ingest.connectors.sms_backup import SmsBackupRestore
from ingest.records import Rejected, SourceRecord
from tests.conftest import samples_dir
from tests.ingest import fuzzkit

MESSAGES = samples_dir() / "messages"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "messages"
SAMPLES: dict[type[Connector], list[bytes]] = {
    SmsBackupRestore: [
        (MESSAGES / "sms_backup_restore_sms_small.xml").read_bytes(),
        (MESSAGES / "sms_backup_restore_calls_minimal.xml").read_bytes(),
        (FIXTURES / "sms_mms_edge_cases.xml").read_bytes(),
    ],
    Mbox: [
        (MESSAGES / "gmail_takeout_small.mbox").read_bytes(),
        (FIXTURES / "mbox_threads_and_quoting.mbox").read_bytes(),
        (FIXTURES / "mbox_latin1.mbox").read_bytes(),
    ],
}
CONNECTORS = list(SAMPLES)
FUZZ = fuzzkit.fuzz_settings(80)
MARKER = "QZXBODYQZX"  # stands for any body text: it must never reach a record or rejection


def read_all(
    connector: type[Connector], path: Path, data: bytes, bodies: bool = False
) -> list[SourceRecord | Rejected]:
    return fuzzkit.read_all(connector, path, data, ReadOptions(include_bodies=bodies))


def no_body(items: list[SourceRecord | Rejected]) -> None:
    for item in items:
        text = item.raw + (item.reason if isinstance(item, Rejected) else "")
        if isinstance(item, SourceRecord):
            text += repr([n.props for n in item.nodes])
        assert MARKER not in text, item


@pytest.mark.parametrize("connector", CONNECTORS, ids=lambda c: c.name)
@FUZZ
@given(data=st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(
    connector: type[Connector], scratch: Path, data: bytes
) -> None:
    read_all(connector, scratch, data)


@pytest.mark.parametrize("connector", CONNECTORS, ids=lambda c: c.name)
@FUZZ
@given(st.data())
def test_every_truncation_never_raises(
    connector: type[Connector], scratch: Path, data: st.DataObject
) -> None:
    sample = data.draw(st.sampled_from(SAMPLES[connector]))
    prefix = sample[: data.draw(st.integers(0, len(sample)))]
    items = read_all(connector, scratch, prefix)
    if connector is SmsBackupRestore and prefix.rstrip() != sample.rstrip():
        assert isinstance(items[-1], Rejected)  # XML says where it was cut off


@pytest.mark.parametrize("connector", CONNECTORS, ids=lambda c: c.name)
@FUZZ
@given(st.data())
def test_mutated_samples_never_raise(
    connector: type[Connector], scratch: Path, data: st.DataObject
) -> None:
    sample = fuzzkit.mutate(data.draw(st.sampled_from(SAMPLES[connector])), data)
    read_all(connector, scratch, sample, bodies=data.draw(st.booleans()))


# Characters XML 1.0 allows (no control characters, surrogates or U+FFFE / U+FFFF).
attribute_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
    max_size=16,
)
sms_elements = st.fixed_dictionaries(
    {
        "address": st.sampled_from(["+15550000001", "+31612345678", "0612", "", "AMAZON"])
        | attribute_text,
        "date": st.integers(-(10**13), 10**14).map(str) | attribute_text,
        "type": st.sampled_from(["1", "2", "3", "4", "5", "6", "7", "x"]),
        "contact_name": attribute_text,
    }
)


@FUZZ
@given(st.lists(sms_elements, max_size=10), st.booleans())
def test_one_item_per_sms_and_no_body_when_off(
    scratch: Path, elements: list[dict[str, str]], kind_is_call: bool
) -> None:
    tag, root = ("call", "calls") if kind_is_call else ("sms", "smses")
    rows = []
    for values in elements:
        attrs = dict(values, body=f"{MARKER} {values['contact_name']}")
        if kind_is_call:
            attrs["number"] = attrs.pop("address")
        rows.append(f"<{tag} " + " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items()) + "/>")
    text = f"<?xml version='1.0' encoding='UTF-8'?>\n<{root}>{''.join(rows)}</{root}>"
    items = read_all(SmsBackupRestore, scratch, text.encode())
    assert len(items) == len(elements)
    if not kind_is_call:
        no_body(items)


header_value = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85"),
    max_size=30,
) | st.sampled_from(
    [
        "=?x-unknown?q?Fran=E7oise?=",
        "=?utf-8?b?w6k=?=",
        "=?utf-8?q?broken",
        '"quoted, name"',
        "<>",
        "undisclosed-recipients:;",
        "a@b, c@d",
    ]
)
body_line = st.sampled_from(
    ["From here on", ">From quoted", ">>From twice", "", "Date: not a header", "From x"]
) | st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)


@FUZZ
@given(
    st.lists(
        st.tuples(header_value, header_value, st.lists(body_line, max_size=5)),
        min_size=1,
        max_size=8,
    ),
    st.booleans(),
)
def test_one_item_per_separator_and_no_body_when_off(
    scratch: Path, messages: list[tuple[str, str, list[str]]], bodies: bool
) -> None:
    parts = []
    for n, (subject, name, body) in enumerate(messages):
        safe = " ".join(f"{MARKER} {line}" for line in body)
        parts.append(
            f"From sender{n}@example.org Tue Jan  5 09:{n:02d}:00 2021\n"
            f"From: {name} <sender{n}@example.org>\nSubject: {subject}\n"
            f"Message-ID: <m{n}@example.org>\n\n{MARKER}\n{safe}\n"
            + "".join(f"{line}\n" for line in body)
            + "\n"
        )
    items = read_all(Mbox, scratch, "".join(parts).encode(), bodies=bodies)
    assert len(items) == len(messages)
    if not bodies:
        no_body(items)
