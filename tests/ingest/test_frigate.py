"""Frigate connectors against the real API sample and hand-written newer-version fixtures."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ingest.connectors.frigate import FrigateApiEvents, FrigateMqttEvents
from ingest.connectors.registry import CONNECTORS
from ingest.ledger import Ledger
from ingest.pipeline import ingest_paths
from ingest.records import Rejected, SourceRecord
from schemas.ids import make_id
from tests.conftest import samples_dir
from tests.support.items import reason

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cctv"
API_SAMPLE = samples_dir() / "cctv" / "frigate_api_events_front_door.json"
API_V015 = FIXTURES / "frigate_api_events_v015_lpr.json"
MQTT = FIXTURES / "frigate_mqtt_events.jsonl"


def records(items: list[SourceRecord | Rejected]) -> list[SourceRecord]:
    assert all(isinstance(i, SourceRecord) for i in items), [
        i for i in items if isinstance(i, Rejected)
    ]
    return [i for i in items if isinstance(i, SourceRecord)]


def node(record: SourceRecord, type_name: str) -> dict:
    found = [n for n in record.nodes if n.type == type_name]
    assert len(found) == 1, (type_name, record.nodes)
    return found[0].props


def sighting_id(record: SourceRecord) -> str:
    return next(n.id for n in record.nodes if n.type == "Sighting")


def links(record: SourceRecord) -> set[tuple[str, str, str]]:
    return {(e.source_type, e.type, e.target_type) for e in record.edges}


def write(tmp_path: Path, text: str, name: str = "events.json") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def event(**changes: object) -> dict:
    base: dict = {
        "id": "1623454583.525913-y14xk9",
        "camera": "front_door",
        "label": "person",
        "start_time": 1623454583.525913,
        "end_time": 1623454592.311938,
        "data": {"top_score": 0.72},
        "zones": [],
    }
    base.update(changes)
    return base


# --- the real API sample -------------------------------------------------------------


def test_api_sample_reads_all_fifty_events() -> None:
    items = list(FrigateApiEvents().read(API_SAMPLE))
    assert len(records(items)) == 50
    raw_events = json.loads(API_SAMPLE.read_text())
    assert [r.locator for r in records(items)] == [f"{API_SAMPLE}#/{i}" for i in range(50)]
    assert len({sighting_id(r) for r in records(items)}) == len({e["id"] for e in raw_events})
    for record, raw in zip(records(items), raw_events, strict=True):
        assert json.loads(record.raw)["id"] == raw["id"]


def test_api_sample_times_are_utc() -> None:
    first = records(list(FrigateApiEvents().read(API_SAMPLE)))[0]
    sighting = node(first, "Sighting")
    assert sighting["time"] == datetime(2021, 6, 11, 23, 36, 23, 525913, tzinfo=UTC)
    assert sighting["time"].utcoffset() == timedelta(0)
    assert sighting["end_time"] == datetime(2021, 6, 11, 23, 36, 32, 311938, tzinfo=UTC)
    assert sighting["confidence"] == 0.720703125
    assert sighting["label"] == "person"


def test_api_sample_builds_camera_site_and_links() -> None:
    record = records(list(FrigateApiEvents().read(API_SAMPLE)))[0]
    device, place = node(record, "Device"), node(record, "Place")
    assert device == {"id_kind": "frigate-camera", "serial": "FRONT_DOOR", "name": "front_door"}
    assert place == {"place_kind": "camera-site", "ref": "FRONT_DOOR", "name": "front_door"}
    assert links(record) == {
        ("Device", "INSTALLED_AT", "Place"),
        ("Sighting", "AT", "Place"),
        ("Sighting", "RECORDED_BY", "Device"),
    }
    assert sighting_id(record) == make_id("Sighting", "frigate", "1623454583.525913-y14xk9")


def test_api_sample_zones_are_kept() -> None:
    zoned = [
        node(r, "Sighting")["zones"]
        for r in records(list(FrigateApiEvents().read(API_SAMPLE)))
        if node(r, "Sighting")["zones"]
    ]
    assert zoned and all(z == ["bench"] for z in zoned)


def test_api_sample_ingests_into_the_ledger_and_reingest_changes_nothing(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger")
    [first] = ingest_paths([API_SAMPLE], ledger)
    assert (first.status, first.connector, first.read, first.accepted) == (
        "ingested",
        "frigate-api",
        50,
        50,
    )
    [again] = ingest_paths([API_SAMPLE], ledger)
    assert again.status == "unchanged"
    assert len(ledger.batches()) == 1


# --- newer API versions --------------------------------------------------------------


def test_newer_api_plate_becomes_vehicle_without_country() -> None:
    car = records(list(FrigateApiEvents().read(API_V015)))[0]
    assert node(car, "Vehicle") == {"plate": "AB12CDE"}
    sighting = node(car, "Sighting")
    assert sighting["plate_read"] == "AB12 CDE"
    assert sighting["confidence"] == 0.87890625  # data.top_score
    assert sighting["zones"] == ["street", "driveway_apron"]
    assert ("Sighting", "OBSERVED", "Vehicle") in links(car)


def test_sub_label_is_a_property_never_a_person() -> None:
    items = records(list(FrigateApiEvents().read(API_V015)))
    person = node(items[1], "Sighting")
    assert person["sub_label"] == "Jane Doe"  # from ["Jane Doe", 0.91]
    assert "end_time" not in person  # still in progress
    assert node(items[2], "Sighting")["sub_label"] == "Bob's car"
    assert not [n for r in items for n in r.nodes if n.type == "Person"]


def test_older_top_level_top_score_and_null_data() -> None:
    dog = records(list(FrigateApiEvents().read(API_V015)))[3]
    assert node(dog, "Sighting")["confidence"] == 0.7109375
    assert not [n for n in dog.nodes if n.type == "Vehicle"]


# --- MQTT ----------------------------------------------------------------------------


def test_mqtt_lines_upsert_one_sighting_per_object() -> None:
    items = records(list(FrigateMqttEvents().read(MQTT)))
    assert [r.locator for r in items] == [f"{MQTT}:line {n}" for n in range(1, 7)]
    ids = [sighting_id(r) for r in items]
    assert ids[0] == ids[2] == ids[4] and ids[1] == ids[3] == ids[5] and ids[0] != ids[1]
    assert len({r.record_id for r in items}) == 2
    end = node(items[4], "Sighting")
    assert end["end_time"] == datetime.fromtimestamp(1718987141.52113, tz=UTC)
    assert end["plate_read"] == "AB12CDE"
    assert "end_time" not in node(items[0], "Sighting")
    assert node(items[3], "Sighting")["sub_label"] == "Jane Doe"


def test_mqtt_and_api_give_the_same_ids_for_the_same_event() -> None:
    api = records(list(FrigateApiEvents().read(API_V015)))
    mqtt = records(list(FrigateMqttEvents().read(MQTT)))
    assert sighting_id(api[0]) == sighting_id(mqtt[4])
    assert sighting_id(api[1]) == sighting_id(mqtt[5])
    vehicle = [n.id for n in api[0].nodes if n.type == "Vehicle"]
    assert vehicle == [n.id for n in mqtt[4].nodes if n.type == "Vehicle"]
    assert api[0].nodes[0].id == mqtt[0].nodes[0].id  # the same camera Device


def test_mqtt_bad_line_is_quarantined_and_reading_resumes(tmp_path: Path) -> None:
    lines = MQTT.read_text().splitlines()
    text = "\n".join([lines[0], '{"type": "new", "after": {"id": ', lines[1], ""])
    items = list(FrigateMqttEvents().read(write(tmp_path, text, "mqtt.jsonl")))
    assert [type(i) for i in items] == [SourceRecord, Rejected, SourceRecord]
    assert items[1].locator.endswith(":line 2") and "invalid JSON" in reason(items[1])
    assert items[2].locator.endswith(":line 3")


def test_mqtt_unknown_type_and_missing_after(tmp_path: Path) -> None:
    text = '{"type": "delete", "after": {}}\n{"type": "end", "before": {}}\n'
    items = list(FrigateMqttEvents().read(write(tmp_path, text, "mqtt.jsonl")))
    assert all(isinstance(i, Rejected) for i in items)
    assert "'type'" in reason(items[0]) and "delete" in reason(items[0])
    assert "after" in reason(items[1])


# --- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "shown"),
    [
        ({"start_time": "yesterday"}, "start_time", "yesterday"),
        ({"start_time": None}, "start_time", "missing"),
        ({"camera": None}, "camera", "missing"),
        ({"camera": 7}, "camera", "7"),
        ({"id": "  "}, "id", "empty"),
        ({"end_time": True}, "end_time", "True"),
        ({"zones": "bench"}, "zones", "bench"),
        ({"data": {"top_score": 1.7}}, "confidence", "1.7"),
        ({"sub_label": {"name": "x"}}, "sub_label", "name"),
        ({"data": {"recognized_license_plate": "!!"}}, "plate", "!!"),
        ({"start_time": 1e20}, "time", "1e+20"),
    ],
)
def test_invalid_fields_are_rejected_naming_field_and_value(
    tmp_path: Path, changes: dict, field: str, shown: str
) -> None:
    path = write(tmp_path, json.dumps([event(), event(**changes)]))
    items = list(FrigateApiEvents().read(path))
    assert isinstance(items[0], SourceRecord)
    assert isinstance(items[1], Rejected)
    assert field in reason(items[1]) and shown in reason(items[1])
    assert items[1].locator == f"{path}#/1"
    assert json.loads(items[1].raw) == event(**changes)


def test_non_object_elements_and_false_positives_are_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps([3, "x", event(false_positive=True)]))
    items = list(FrigateApiEvents().read(path))
    assert all(isinstance(i, Rejected) for i in items) and len(items) == 3
    assert "false positive" in reason(items[2])


def test_object_instead_of_array_is_one_rejection(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps({"events": [event()]}))
    [item] = list(FrigateApiEvents().read(path))
    assert isinstance(item, Rejected)
    assert "expected a JSON array" in item.reason and "object" in item.reason


def test_truncated_array_keeps_the_records_before(tmp_path: Path) -> None:
    text = API_SAMPLE.read_text()
    cut = text.index('"id": "1623370502.185623-9q96ov"')  # inside the third event
    items = list(FrigateApiEvents().read(write(tmp_path, text[:cut])))
    assert [type(i) for i in items] == [SourceRecord, SourceRecord, Rejected]
    assert items[2].locator.endswith("#/2") and "invalid JSON" in reason(items[2])


def test_duplicates_are_read_and_accepted_with_one_id(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps([event(), event(end_time=1623454599.0)]))
    items = records(list(FrigateApiEvents().read(path)))
    assert len(items) == 2 and sighting_id(items[0]) == sighting_id(items[1])


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "events.json"
    path.write_bytes(b"\xef\xbb\xbf" + API_SAMPLE.read_bytes())
    assert FrigateApiEvents.sniff(path.read_bytes()[:8192])
    assert len(records(list(FrigateApiEvents().read(path)))) == 50


def test_bytes_that_are_not_utf8_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "events.json"
    good = json.dumps(event()).encode()
    bad = json.dumps(dict(event(), id="1.0-bad", camera="XX")).encode().replace(b"XX", b"\xff\xfe")
    path.write_bytes(b"[" + bad + b"," + good + b"]")
    items = list(FrigateApiEvents().read(path))
    assert isinstance(items[0], Rejected) and "not valid Unicode" in reason(items[0])
    assert isinstance(items[1], SourceRecord)  # the rest of the file is still read


def test_deep_nesting_is_rejected_not_raised(tmp_path: Path) -> None:
    path = write(tmp_path, "[" + json.dumps(event()) + "," + "[" * 50_000)
    items = list(FrigateApiEvents().read(path))
    assert isinstance(items[0], SourceRecord) and isinstance(items[-1], Rejected)


# --- sniffing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [(API_SAMPLE, "frigate-api"), (API_V015, "frigate-api"), (MQTT, "frigate-mqtt")],
)
def test_sniff_recognises_only_its_own_format(path: Path, expected: str) -> None:
    head = path.read_bytes()[:8192]
    assert [c.name for c in CONNECTORS if c.sniff(head)] == [expected]


@pytest.mark.parametrize("size", [40, 80, 120, 200])
def test_sniff_tolerates_a_head_cut_inside_the_first_object(size: int) -> None:
    head = API_V015.read_bytes()[:size]
    # A cut-off first object needs "camera" and one of the other two telling keys.
    assert FrigateApiEvents.sniff(head) == (b'"camera"' in head and b'"label"' in head)
    assert FrigateMqttEvents.sniff(MQTT.read_bytes()[:size])


def test_sniff_refuses_other_json() -> None:
    assert not FrigateApiEvents.sniff(b'[{"id": 1, "text": "hello", "created_at": "x"}]')
    assert not FrigateApiEvents.sniff(b'[{"data": {"camera": 1, "label": 2, "start_time": 3}}]')
    assert not FrigateMqttEvents.sniff(b'{"type": "Feature", "after": {}}')
    assert not FrigateMqttEvents.sniff(b'[{"type": "new", "after": {}}]')
