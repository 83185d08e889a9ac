"""Property tests: whatever bytes a CCTV connector is given, it yields records or
rejections with a reason, never raises, and never drops a JSON array element."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.connectors.base import Connector
from ingest.connectors.frigate import FrigateApiEvents, FrigateMqttEvents
from ingest.connectors.hikvision import HikvisionAnpr
from ingest.records import Rejected, SourceRecord
from tests.conftest import samples_dir
from tests.ingest import fuzzkit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cctv"
SAMPLES = {
    FrigateApiEvents: (samples_dir() / "cctv" / "frigate_api_events_front_door.json").read_bytes(),
    FrigateMqttEvents: (FIXTURES / "frigate_mqtt_events.jsonl").read_bytes(),
    HikvisionAnpr: (samples_dir() / "cctv" / "hikvision_isapi_anpr_event.xml").read_bytes(),
}
CONNECTOR_CLASSES = list(SAMPLES)
FUZZ = fuzzkit.fuzz_settings(200)
json_values = fuzzkit.json_values()


def read_all(connector: type[Connector], path: Path, data: bytes) -> list:
    return fuzzkit.read_all(connector, path, data, storable=False)


@pytest.mark.parametrize("connector", CONNECTOR_CLASSES, ids=lambda c: c.name)
@FUZZ
@given(data=st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(
    connector: type[Connector], scratch: Path, data: bytes
) -> None:
    read_all(connector, scratch, data)


@pytest.mark.parametrize("connector", CONNECTOR_CLASSES, ids=lambda c: c.name)
@FUZZ
@given(st.data())
def test_every_truncation_never_raises(
    connector: type[Connector], scratch: Path, data: st.DataObject
) -> None:
    sample = SAMPLES[connector]
    prefix = sample[: data.draw(st.integers(0, len(sample)))]
    items = read_all(connector, scratch, prefix)
    damaged = prefix.strip() and prefix.rstrip() != sample.rstrip()
    if damaged and connector is not FrigateMqttEvents:  # a cut at a line end is whole lines
        assert isinstance(items[-1], Rejected)


@pytest.mark.parametrize("connector", CONNECTOR_CLASSES, ids=lambda c: c.name)
@FUZZ
@given(st.data())
def test_mutated_samples_never_raise(
    connector: type[Connector], scratch: Path, data: st.DataObject
) -> None:
    sample = fuzzkit.mutate(SAMPLES[connector], data)
    read_all(connector, scratch, sample)


@FUZZ
@given(
    st.lists(
        st.sampled_from(
            [
                b"<?xml version='1.0'?>",
                b"<EventNotificationAlert>",
                b"</EventNotificationAlert>",
                b"<eventType>ANPR</eventType>",
                b"<!DOCTYPE a>",
                b"\n",
                b"<a>",
            ]
        )
        | st.binary(max_size=8),
        max_size=30,
    )
)
def test_alert_fragments_never_raise(scratch: Path, parts: list[bytes]) -> None:
    read_all(HikvisionAnpr, scratch, b"".join(parts))


@FUZZ
@given(st.lists(json_values, max_size=12))
def test_api_array_yields_one_item_per_element(scratch: Path, values: list) -> None:
    items = read_all(FrigateApiEvents, scratch, json.dumps(values).encode())
    assert len(items) == len(values)


@FUZZ
@given(st.lists(json_values, max_size=12))
def test_mqtt_lines_yield_one_item_per_line(scratch: Path, values: list) -> None:
    text = "".join(json.dumps(v) + "\n" for v in values)
    items = read_all(FrigateMqttEvents, scratch, text.encode())
    if values and isinstance(values[0], list):  # an array is not JSON lines: one rejection
        assert len(items) == 1 and isinstance(items[0], Rejected)
        return
    assert len(items) == len(values)
    assert [i.locator.rsplit(":line ", 1)[1] for i in items] == [
        str(n) for n in range(1, len(values) + 1)
    ]


@FUZZ
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "id": st.text(min_size=1, max_size=20),
                "camera": st.text(min_size=1, max_size=12),
                "label": st.sampled_from(["person", "car", "dog"]),
                "start_time": st.floats(0, 4e9),
                "end_time": st.none() | st.floats(0, 4e9),
                "data": st.fixed_dictionaries({"top_score": st.floats(0, 1)}),
                "zones": st.lists(st.text(max_size=8), max_size=3),
            }
        ),
        max_size=10,
    )
)
def test_valid_events_are_all_accepted(scratch: Path, events: list[dict]) -> None:
    items = read_all(FrigateApiEvents, scratch, json.dumps(events).encode())
    assert len(items) == len(events)
    for item, event in zip(items, events, strict=True):
        blank = not event["camera"].strip() or not event["id"].strip()
        assert isinstance(item, SourceRecord) or blank, item


@FUZZ
@given(
    st.lists(
        st.text(alphabet="ABCDEFGHJKLMNPRSTUVWXYZ0123456789", min_size=2, max_size=9),
        min_size=1,
        max_size=6,
    )
)
def test_concatenated_alerts_are_each_one_item(scratch: Path, plates: list[str]) -> None:
    sample = SAMPLES[HikvisionAnpr]
    alerts = [
        sample.replace(b"PECT600", plate.encode()).replace(b"2024011911172144900", b"%019d" % n)
        for n, plate in enumerate(plates)
    ]
    items = read_all(HikvisionAnpr, scratch, b"".join(alerts))
    assert len(items) == len(plates)
    assert all(isinstance(i, SourceRecord) for i in items)
