"""Google Location History in its three layouts: the real Takeout sample, hand-written
fixtures for the older Location History.json and the on-device Timeline export, damaged
and hostile input, memory on a large file, and the way from file to graph timeline."""

from __future__ import annotations

import json
import tracemalloc
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from graph.embedded import EmbeddedStore
from graph.projection import project
from graph.queries import timeline
from ingest.connectors.base import ReadOptions
from ingest.connectors.google_location import GoogleLocationHistory
from ingest.connectors.registry import CONNECTORS
from ingest.ledger import Ledger, SourceFile
from ingest.pipeline import describe_source
from ingest.records import Rejected, SourceRecord
from schemas.model import default_model
from schemas.types import GeoPoint
from tests.conftest import samples_dir

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "travel"
SAMPLE = samples_dir() / "travel" / "google_takeout_records.json"
OLD = FIXTURES / "location_history_2016.json"
OVERFLOW = FIXTURES / "records_e7_overflow.json"
TIMELINE = FIXTURES / "timeline_android_2024.json"
ALL_CONNECTORS = CONNECTORS  # the registry lists every connector


def read(path: Path, options: ReadOptions | None = None) -> list[SourceRecord | Rejected]:
    return list(GoogleLocationHistory(options=options).read(path))


def nodes(record: SourceRecord | Rejected, type_name: str) -> list[dict]:
    assert isinstance(record, SourceRecord), record
    return [n.props for n in record.nodes if n.type == type_name]


def node(record: SourceRecord | Rejected, type_name: str) -> dict:
    [found] = nodes(record, type_name)
    return found


def links(record: SourceRecord | Rejected) -> set[tuple[str, str, str]]:
    assert isinstance(record, SourceRecord), record
    return {(e.source_type, e.type, e.target_type) for e in record.edges}


def records_file(tmp_path: Path, *locations: object, name: str = "Records.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"locations": list(locations)}, indent=2), encoding="utf-8")
    return path


FIX: dict[str, Any] = {
    "latitudeE7": 523731582,
    "longitudeE7": 48911263,
    "accuracy": 19,
    "source": "GPS",
    "deviceTag": 1433424142,
    "timestamp": "2016-08-07T13:54:00.678Z",
}


# --- (a) the real Takeout Records.json sample ---------------------------------------------


def test_sample_is_twelve_fixes_with_their_values() -> None:
    items = read(SAMPLE)
    assert len(items) == 12 and all(isinstance(i, SourceRecord) for i in items)
    first = node(items[0], "LocationFix")
    assert first == {
        "time": datetime(2015, 10, 10, 18, 47, 2, 597000, tzinfo=UTC),
        "location": GeoPoint(43.7789954, -79.4176419),
        "accuracy_m": 30.0,
        "fix_source": "wifi",
        "activity": "STILL",  # the activity record 1 s from the fix, not the one 29 s away
    }
    assert node(items[0], "Device") == {"id_kind": "google-device-tag", "serial": "1433424142"}
    assert node(items[6], "Device")["serial"] == "-663413243"
    assert links(items[0]) == {
        ("LocationFix", "LOCATED", "Person"),
        ("LocationFix", "RECORDED_BY", "Device"),
    }
    assert items[0].locator == f"{SAMPLE}#/locations/0"
    assert items[11].locator == f"{SAMPLE}#/locations/11"
    assert '"deviceTag": 1433424142' in items[0].raw


def test_sample_activity_source_and_accuracy_per_fix() -> None:
    fixes = [node(i, "LocationFix") for i in read(SAMPLE)]
    assert [f.get("activity") for f in fixes] == [
        "STILL", None, "IN_VEHICLE", None, None, "STILL",
        "STILL", "TILTING", "STILL", "STILL", None, "STILL",
    ]  # fmt: skip
    assert "fix_source" not in fixes[4] and fixes[4]["accuracy_m"] == 997.0  # source UNKNOWN
    assert fixes[3]["location"] == GeoPoint(43.7790616, -79.4176478)
    assert all("altitude_m" not in f for f in fixes)


def test_sample_ids_are_stable_and_distinct() -> None:
    first, again = read(SAMPLE), read(SAMPLE)
    assert [r.record_id for r in first if isinstance(r, SourceRecord)] == [
        r.record_id for r in again if isinstance(r, SourceRecord)
    ]
    assert len({r.record_id for r in first if isinstance(r, SourceRecord)}) == 12


# --- (b) the older Location History.json (timestampMs, activitys) --------------------------


def test_older_layout_with_epoch_milliseconds() -> None:
    items = read(OLD)
    assert len(items) == 5 and all(isinstance(i, SourceRecord) for i in items)
    first = node(items[0], "LocationFix")
    assert first["time"] == datetime(2016, 8, 7, 13, 54, 0, 678000, tzinfo=UTC)
    assert first["location"] == GeoPoint(52.3731582, 4.8911263)
    assert (first["accuracy_m"], first["altitude_m"]) == (19.0, 12.0)
    assert first["activity"] == "ON_FOOT"  # "onFoot" in pre-2017 exports
    assert [node(i, "LocationFix").get("activity") for i in items] == [
        "ON_FOOT", None, "TILTING", None, None,
    ]  # fmt: skip
    assert not nodes(items[0], "Device")  # these exports had no deviceTag
    assert links(items[0]) == {("LocationFix", "LOCATED", "Person")}


def test_same_fix_in_both_layouts_is_one_event(tmp_path: Path) -> None:
    new = records_file(tmp_path, FIX, name="Records.json")
    old_fix = {k: v for k, v in FIX.items() if k != "timestamp"} | {"timestampMs": "1470578040678"}
    old = records_file(tmp_path, old_fix, name="Location History.json")
    [a], [b] = read(new), read(old)
    assert isinstance(a, SourceRecord) and isinstance(b, SourceRecord)
    fix_ids = {n.id for r in (a, b) for n in r.nodes if n.type == "LocationFix"}
    assert len(fix_ids) == 1


# --- E7 overflow ------------------------------------------------------------------------


def test_e7_values_past_the_int32_range_are_read_as_signed() -> None:
    items = read(OVERFLOW)
    sydney, toronto, normal, lat95, huge = items
    assert node(sydney, "LocationFix")["location"] == GeoPoint(-33.8155191, 151.1768385)
    assert node(toronto, "LocationFix")["location"] == GeoPoint(43.7789954, -79.4176419)
    assert node(normal, "LocationFix")["location"] == GeoPoint(-33.8131128, 151.1783735)
    for rejected in (lat95, huge):
        assert isinstance(rejected, Rejected)
        assert "latitude must be in [-90, 90]" in rejected.reason
        assert "latitudeE7" in rejected.reason


# --- (c) the on-device Timeline export ----------------------------------------------------


def test_timeline_export_counts_and_kinds() -> None:
    items = read(TIMELINE)
    shape = [
        (i.locator.split("#")[1], type(i).__name__, sorted({n.type for n in i.nodes}))
        if isinstance(i, SourceRecord)
        else (i.locator.split("#")[1], "Rejected", [])
        for i in items
    ]
    assert shape == [
        ("/semanticSegments/0", "SourceRecord", ["Person", "Place", "Visit"]),
        ("/semanticSegments/1", "SourceRecord", ["LocationFix", "Person"]),
        ("/semanticSegments/2", "SourceRecord", ["Person", "Place", "Trip"]),
        ("/semanticSegments/3", "SourceRecord", ["Person", "Place", "Visit"]),
        ("/semanticSegments/4", "SourceRecord", ["Person", "Place", "Visit"]),
        ("/semanticSegments/5", "Rejected", []),
        ("/rawSignals/0", "SourceRecord", ["LocationFix", "Person"]),
        ("/rawSignals/1", "Rejected", []),
        ("/rawSignals/2", "Rejected", []),
        ("/rawSignals/3", "SourceRecord", ["LocationFix", "Person"]),
        ("/userLocationProfile", "Rejected", []),
    ]
    memory, wifi, activity, profile = (items[i] for i in (5, 7, 8, 10))
    assert isinstance(memory, Rejected) and "timelineMemory" in memory.reason
    assert isinstance(wifi, Rejected) and "without a position" in wifi.reason
    assert isinstance(activity, Rejected) and "activityRecord" in activity.reason
    assert isinstance(profile, Rejected) and "frequentPlaces" in profile.raw


def test_timeline_visit_and_its_place() -> None:
    home = read(TIMELINE)[0]
    cet = timezone(timedelta(hours=1))
    assert node(home, "Visit") == {
        "time": datetime(2024, 3, 3, 22, 41, 42, tzinfo=cet),
        "end_time": datetime(2024, 3, 4, 8, 5, 10, tzinfo=cet),
        "location": GeoPoint(52.3584913, 4.8812017),
        "confidence": 0.8999999761581421,
    }
    place = node(home, "Place")
    assert place["place_kind"] == "google-place"
    assert place["ref"] == "ChIJq4mRVMEJxkcR3c2mhB8JWqA".upper()  # identifiers are upper-cased
    assert links(home) == {("Visit", "LOCATED", "Person"), ("Visit", "AT", "Place")}


def test_nested_visits_at_the_same_time_are_distinct() -> None:
    items = read(TIMELINE)
    work, around = items[3], items[4]
    assert isinstance(work, SourceRecord) and isinstance(around, SourceRecord)
    assert work.record_id != around.record_id
    assert node(around, "Visit")["confidence"] == pytest.approx(0.62)


def test_timeline_trip_departs_and_arrives_at_geo_places() -> None:
    trip = read(TIMELINE)[2]
    assert node(trip, "Trip") == {
        "time": datetime(2024, 3, 4, 7, 5, 10, tzinfo=UTC),
        "end_time": datetime(2024, 3, 4, 7, 21, 37, tzinfo=UTC),
        "mode": "CYCLING",
        "distance_m": 3214.8212890625,
    }
    assert [(p["place_kind"], p["ref"], p["location"]) for p in nodes(trip, "Place")] == [
        ("geo", "52.35849,4.88120", GeoPoint(52.35849, 4.8812)),
        ("geo", "52.37913,4.90035", GeoPoint(52.37913, 4.90035)),
    ]
    assert links(trip) == {
        ("Trip", "LOCATED", "Person"),
        ("Trip", "DEPARTED_FROM", "Place"),
        ("Trip", "ARRIVED_AT", "Place"),
    }


def test_timeline_path_is_one_record_of_four_fixes() -> None:
    path = read(TIMELINE)[1]
    fixes = nodes(path, "LocationFix")
    assert [f["time"].isoformat() for f in fixes] == [
        "2024-03-04T08:05:00+01:00",
        "2024-03-04T08:09:00+01:00",
        "2024-03-04T08:14:00+01:00",
        "2024-03-04T08:19:00+01:00",
    ]
    assert fixes[2]["location"] == GeoPoint(52.3722094, 4.8937201)
    assert isinstance(path, SourceRecord)
    assert len([e for e in path.edges if e.type == "LOCATED"]) == 4


def test_timeline_raw_signal_position() -> None:
    signal = read(TIMELINE)[6]
    assert node(signal, "LocationFix") == {
        "time": datetime(2024, 3, 4, 7, 4, 33, tzinfo=UTC),
        "location": GeoPoint(52.3584911, 4.8812015),
        "accuracy_m": 13.0,
        "altitude_m": 47.20000076293945,
        "fix_source": "wifi",
    }


def test_segment_time_without_offset_takes_the_offset_beside_it(tmp_path: Path) -> None:
    segment = {
        "startTime": "2024-03-04T12:45:00.000",
        "endTime": "2024-03-04T13:05:00.000",
        "startTimeTimezoneUtcOffsetMinutes": 60,
        "endTimeTimezoneUtcOffsetMinutes": 60,
        "visit": {"topCandidate": {"placeLocation": {"latLng": "52.37°, 4.89°"}}},
    }
    path = tmp_path / "Timeline.json"
    path.write_text(
        json.dumps(
            {"semanticSegments": [segment, dict(segment, endTimeTimezoneUtcOffsetMinutes=None)]}
        )
    )
    good, naive = read(path)
    assert node(good, "Visit")["time"].isoformat() == "2024-03-04T12:45:00+01:00"
    assert isinstance(naive, Rejected) and "no UTC offset" in naive.reason
    _, named = read(path, ReadOptions(assume_offset=timedelta(hours=2)))
    assert node(named, "Visit")["end_time"].isoformat() == "2024-03-04T13:05:00+02:00"


# --- owner ------------------------------------------------------------------------------


def test_owner_is_named_by_the_option_or_after_the_file() -> None:
    named = read(SAMPLE, ReadOptions(owner="Ana Silva"))
    assert {node(r, "Person")["name"] for r in named} == {"Ana Silva"}
    unnamed = read(TIMELINE)
    names = {p["name"] for r in unnamed if isinstance(r, SourceRecord) for p in nodes(r, "Person")}
    assert names == {"(owner of timeline_android_2024.json)"}


# --- bad values and damaged files ---------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"latitudeE7": 950000000}, "latitude must be in [-90, 90]"),
        ({"latitudeE7": "523731582"}, "'latitudeE7': expected a number"),
        ({"latitudeE7": True}, "'latitudeE7': expected a number"),
        ({"longitudeE7": None}, "'longitudeE7': required field is missing"),
        ({"longitudeE7": 10**400}, "'longitudeE7': number too large"),
        ({"timestamp": None}, "'timestamp': required field is missing"),
        ({"timestamp": "yesterday"}, "expected an ISO 8601 timestamp"),
        ({"timestamp": "2016-08-07T13:54:00"}, "no UTC offset"),
        ({"timestamp": 1470578040}, "'timestamp': expected text"),
        ({"timestamp": None, "timestampMs": "soon"}, "'timestampMs': expected epoch milliseconds"),
        ({"timestamp": None, "timestampMs": "9" * 17}, "timestampMs"),
        ({"accuracy": "good"}, "'accuracy': expected a number"),
        ({"source": 4}, "'source': expected text"),
        ({"source": "\ud800"}, "unpaired surrogate"),
        ({"deviceTag": [1]}, "'deviceTag': expected text"),
        ({"activity": {"type": "STILL"}}, "expected a list of activity records"),
        ({"activity": [{"activity": [{"type": 3}]}]}, "activity[0].activity[0].type"),
    ],
)
def test_bad_values_are_rejected_naming_the_field(
    tmp_path: Path, change: dict, expected: str
) -> None:
    [item] = read(records_file(tmp_path, FIX | change))
    assert isinstance(item, Rejected)
    assert expected in item.reason
    assert item.locator.endswith("#/locations/0")
    assert item.raw.lstrip().startswith("{")  # the element as written


def test_element_that_is_not_an_object_is_one_rejection(tmp_path: Path) -> None:
    items = read(records_file(tmp_path, FIX, 5, "x", [FIX], FIX | {"latitudeE7": 1}))
    assert [type(i).__name__ for i in items] == [
        "SourceRecord", "Rejected", "Rejected", "Rejected", "SourceRecord",
    ]  # fmt: skip
    assert isinstance(items[1], Rejected) and "expected an object" in items[1].reason


def test_time_without_offset_is_read_when_the_zone_is_named(tmp_path: Path) -> None:
    path = records_file(tmp_path, FIX | {"timestamp": "2016-08-07T15:54:00.678"})
    [item] = read(path, ReadOptions(assume_offset=timedelta(hours=2)))
    assert node(item, "LocationFix")["time"] == datetime(2016, 8, 7, 13, 54, 0, 678000, tzinfo=UTC)


@pytest.mark.parametrize("fraction", [0.05, 0.3, 0.5, 0.77, 0.999])
def test_truncated_file_keeps_earlier_records_and_rejects_the_rest(
    tmp_path: Path, fraction: float
) -> None:
    data = SAMPLE.read_bytes()
    path = tmp_path / "Records.json"
    path.write_bytes(data[: int(len(data) * fraction)])
    items = read(path)
    assert all(isinstance(i, SourceRecord) for i in items[:-1])
    assert isinstance(items[-1], Rejected)
    assert "rest" in items[-1].reason or "ends inside" in items[-1].reason
    assert len(items) <= 13


def test_bytes_that_are_not_utf8_quarantine_only_their_element(tmp_path: Path) -> None:
    data = SAMPLE.read_bytes()
    at = data.index(b'"source": "UNKNOWN"')
    path = tmp_path / "Records.json"
    path.write_bytes(data[:at] + b'"source": "\xff\xfeWIFI"' + data[at + 19 :])
    items = read(path)
    assert len(items) == 12
    assert [i.locator for i in items if isinstance(i, Rejected)] == [f"{path}#/locations/4"]
    assert isinstance(items[4], Rejected)
    assert "not UTF-8" in items[4].reason and "\ufffd\ufffdWIFI" in items[4].raw
    items[4].raw.encode("utf-8")  # storable


def test_bytes_that_are_not_utf8_outside_strings_end_the_reading(tmp_path: Path) -> None:
    data = SAMPLE.read_bytes()
    at = data.index(b"    {", 1000)
    path = tmp_path / "Records.json"
    path.write_bytes(data[:at] + b"\xff" + data[at:])
    items = read(path)
    assert all(isinstance(i, SourceRecord) for i in items[:-1])
    assert isinstance(items[-1], Rejected) and "rest" in items[-1].reason
    items[-1].raw.encode("utf-8")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"locations": 5}', "expected an array"),
        ('{"locations": [], "somethingElse": [1]}', "'somethingElse' is not part of"),
        ("[1, 2]", "expected a JSON object"),
        ('{"locations": []} trailing', "content after the end"),
        ('{"locations": [] "x": 1}', "expected ',' or '}'"),
        ('{"locations": [1 2]}', "expected ',' or ']'"),
        ('{"locations": [' + "[" * 100_000 + "]" * 100_000 + "]}", "RecursionError"),
        ('{"locations": [{"latitudeE7": ' + "1" * 5000 + "}]}", "ValueError"),
    ],
)
def test_structural_damage_is_one_rejection(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "Records.json"
    path.write_text(text)
    items = read(path)
    rejected = [i for i in items if isinstance(i, Rejected)]
    assert rejected == items and expected in rejected[-1].reason
    assert len(items) == (2 if "[1 2]" in text else 1)  # element 1 is no location record


def test_empty_files_yield_nothing(tmp_path: Path) -> None:
    for text in ("", "  \n", "\ufeff", '{"locations": []}', "{}"):
        path = tmp_path / "Records.json"
        path.write_text(text, encoding="utf-8")
        assert read(path) == []


# --- sniffing ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [SAMPLE, OLD, OVERFLOW, TIMELINE])
def test_sniff_recognises_only_google_location(path: Path) -> None:
    head = path.read_bytes()[:8192]
    assert [c.name for c in ALL_CONNECTORS if c.sniff(head)] == ["google-location"]


def test_sniff_refuses_other_json(tmp_path: Path) -> None:
    for other in (samples_dir() / "cctv", samples_dir() / "social", samples_dir() / "messages"):
        for path in other.iterdir():
            assert not GoogleLocationHistory.sniff(path.read_bytes()[:8192]), path
    assert not GoogleLocationHistory.sniff(b'{"locations": [{"name": "Lisbon"}]}')
    assert not GoogleLocationHistory.sniff(b'{"timelineObjects": []}')
    assert GoogleLocationHistory.sniff(b'\xef\xbb\xbf {"locations" : [ ]}')
    assert GoogleLocationHistory.sniff(b'{"locations":[{"timestampMs":"1"')


# --- memory --------------------------------------------------------------------------------


def _big_records(path: Path, megabytes: int) -> int:
    """A Records.json of about `megabytes` MB, pretty-printed as Takeout writes it, whose
    elements carry Wi-Fi scans as real ones do."""
    scan = [
        {"mac": str(220676014124647 + n), "strength": -40 - n % 50, "frequencyMhz": 2437}
        for n in range(60)
    ]
    metadata = [{"timestamp": FIX["timestamp"], "wifiScan": {"accessPoints": scan}}]
    template = json.dumps(FIX | {"locationMetadata": metadata}, indent=2)
    template = template.replace("\n", "\n    ")
    start = datetime(2020, 1, 1, tzinfo=UTC)
    count = 0
    with path.open("w", encoding="utf-8") as fp:
        fp.write('{\n  "locations": [')
        while fp.tell() < megabytes * 1_000_000:
            time = (start + timedelta(seconds=30 * count)).isoformat().replace("+00:00", "Z")
            element = template.replace(FIX["timestamp"], time)
            fp.write(("," if count else "") + "\n    " + element)
            count += 1
        fp.write("\n  ]\n}\n")
    return count


def test_large_file_streams_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "Records.json"
    count = _big_records(path, 50)
    tracemalloc.start()
    try:
        read_items = accepted = 0
        for item in GoogleLocationHistory().read(path):
            read_items += 1
            accepted += isinstance(item, SourceRecord)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert read_items == accepted == count
    assert peak < 50_000_000, f"peak traced memory {peak / 1e6:.1f} MB"


# --- from file to ledger to graph ------------------------------------------------------------


@pytest.mark.parametrize("path", [SAMPLE, TIMELINE])
def test_ledger_graph_and_timeline(tmp_path: Path, path: Path) -> None:
    connector = GoogleLocationHistory(options=ReadOptions(owner="Ana Silva"))
    ledger = Ledger(tmp_path / "ledger")
    source = describe_source(path)
    manifest = ledger.write_batch(
        SourceFile(path, source.sha256, source.size),
        connector.name,
        connector.version,
        connector.read(path),
    )
    expected = list(connector.read(path))
    accepted = [i for i in expected if isinstance(i, SourceRecord)]
    assert (manifest.read, manifest.accepted) == (len(expected), len(accepted))
    store = EmbeddedStore(tmp_path / "g.lbdb", default_model())
    try:
        project(ledger, store)
        person = node(accepted[0], "Person")
        person_id = next(n.id for n in accepted[0].nodes if n.type == "Person")
        assert person == {"name": "Ana Silva"}
        rows = timeline(store, person_id)
    finally:
        store.close()
    events = {
        n.id: n.props["time"]
        for r in accepted
        for n in r.nodes
        if n.type in ("LocationFix", "Visit", "Trip")
    }
    assert sorted(r["id"] for r in rows) == sorted(events)
    times = [r["time"] for r in rows]
    assert times == sorted(times)
    assert [r["id"] for r in rows] == sorted(events, key=lambda i: (events[i], i))
