"""Hikvision ISAPI ANPR alerts against the real sample and hand-written edge cases."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.connectors import hikvision
from ingest.connectors.base import ReadOptions
from ingest.connectors.hikvision import HikvisionAnpr
from ingest.connectors.registry import CONNECTORS
from ingest.records import Rejected, SourceRecord
from tests.conftest import samples_dir
from tests.support.items import accepted, reason

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cctv"
SAMPLE = samples_dir() / "cctv" / "hikvision_isapi_anpr_event.xml"
THREE = FIXTURES / "hikvision_three_alerts.xml"
LAUGHS = FIXTURES / "hikvision_billion_laughs.xml"
SAMPLE_BYTES = SAMPLE.read_bytes()


def node(record: SourceRecord | Rejected, type_name: str) -> dict:
    assert isinstance(record, SourceRecord), record
    [found] = [n.props for n in record.nodes if n.type == type_name]
    return found


def read(path: Path, options: ReadOptions | None = None) -> list[SourceRecord | Rejected]:
    return list(HikvisionAnpr(options=options).read(path))


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "alerts.xml"
    path.write_bytes(data)
    return path


# --- the real sample -----------------------------------------------------------------


def test_sample_is_one_plate_read() -> None:
    [record] = read(SAMPLE)
    sighting = node(record, "Sighting")
    assert sighting["plate_read"] == "PECT600"
    assert sighting["label"] == "plate"
    assert sighting["confidence"] == 0.97
    assert sighting["colour"] == "white" and sighting["direction"] == "reverse"
    assert node(record, "Vehicle") == {"plate": "PECT600"}  # countryAbbreviation NON
    assert isinstance(record, SourceRecord)
    assert record.locator == f"{SAMPLE}#alert[0]@0"
    assert "<licensePlate>PECT600</licensePlate>" in record.raw


def test_sample_time_is_utc_with_the_original_offset_kept() -> None:
    sighting = node(read(SAMPLE)[0], "Sighting")
    assert sighting["time"] == datetime(2024, 1, 19, 3, 17, 19, tzinfo=UTC)
    assert sighting["time"].utcoffset() == timedelta(hours=8)
    assert sighting["time"].isoformat() == "2024-01-19T11:17:19+08:00"


def test_sample_camera_site_and_location() -> None:
    [record] = read(SAMPLE)
    assert node(record, "Device") == {
        "id_kind": "mac",
        "serial": "D4:E8:53:BC:4C:02",
        "name": "Camera 01",
        "ip_address": "10.199.27.128",
        "channel": "1",
    }
    place = node(record, "Place")
    assert place["ref"] == "D4:E8:53:BC:4C:02/1" and place["name"] == "Camera 01"
    assert place["location"].lat == pytest.approx(0.366666, abs=1e-6)
    assert place["location"].lon == 111.0
    assert isinstance(record, SourceRecord)
    assert {(e.source_type, e.type, e.target_type) for e in record.edges} == {
        ("Device", "INSTALLED_AT", "Place"),
        ("Sighting", "AT", "Place"),
        ("Sighting", "RECORDED_BY", "Device"),
        ("Sighting", "OBSERVED", "Vehicle"),
    }


def test_sample_ids_are_stable_across_reads() -> None:
    first, again = read(SAMPLE)[0], read(SAMPLE)[0]
    assert isinstance(first, SourceRecord) and isinstance(again, SourceRecord)
    assert first.record_id == again.record_id
    assert [n.id for n in first.nodes] == [n.id for n in again.nodes]


# --- concatenated alerts --------------------------------------------------------------


def test_three_alerts_anpr_other_type_and_no_offset() -> None:
    first, motion, no_offset = read(THREE)
    sighting = node(first, "Sighting")
    assert sighting["time"].isoformat() == "2024-03-02T08:15:42+01:00"
    assert node(first, "Vehicle") == {"plate": "AB123CD", "country": "AR"}
    assert node(first, "Device")["serial"] == "44:19:B6:0A:7C:11"  # from 44-19-b6-0a-7c-11
    location = node(first, "Place")["location"]
    assert location.lat == pytest.approx(-34.6025) and location.lon == pytest.approx(-58.381667)
    assert isinstance(motion, Rejected)
    assert motion.reason == "event type VMD is not a detection this connector reads"
    assert motion.locator.startswith(f"{THREE}#alert[1]@")
    assert isinstance(no_offset, Rejected) and "no UTC offset" in no_offset.reason


def test_alert_without_offset_is_read_when_the_zone_is_named() -> None:
    options = ReadOptions(assume_offset=timedelta(hours=1))
    record = read(THREE, options)[2]
    sighting = node(record, "Sighting")
    assert sighting["time"] == datetime(2024, 3, 2, 7, 17, 30, tzinfo=UTC)
    assert "colour" not in sighting  # "unknown" is no colour
    assert "location" not in node(record, "Place")  # no DeviceGPSInfo
    assert isinstance(record, SourceRecord)
    assert record.record_id == accepted(read(THREE, options)[2]).record_id  # composite key


def test_many_alerts_across_chunk_boundaries(tmp_path: Path) -> None:
    alerts = [
        SAMPLE_BYTES.replace(b"2024011911172144900Fl", b"%021d" % i)
        for i in range(3 * hikvision.CHUNK // len(SAMPLE_BYTES) + 5)
    ]
    items = read(write(tmp_path, b"\n".join(alerts)))
    assert len(items) == len(alerts)
    assert all(isinstance(i, SourceRecord) for i in items)
    assert len({i.record_id for i in items if isinstance(i, SourceRecord)}) == len(alerts)


def test_byte_order_marks_of_concatenated_files(tmp_path: Path) -> None:
    bom = b"\xef\xbb\xbf"
    path = write(tmp_path, bom + SAMPLE_BYTES + b"\r\n" + bom + SAMPLE_BYTES)
    assert HikvisionAnpr.sniff(path.read_bytes())
    items = read(path)
    assert [type(i) for i in items] == [SourceRecord, SourceRecord]


def test_namespace_variants(tmp_path: Path) -> None:
    plain = SAMPLE_BYTES.replace(b'\n\txmlns="http://www.hikvision.com/ver20/XMLSchema"', b"")
    ver10 = SAMPLE_BYTES.replace(b"ver20", b"ver10")
    for data in (plain, ver10):
        [record] = read(write(tmp_path, data))
        assert node(record, "Sighting")["plate_read"] == "PECT600"


# --- hostile and damaged input --------------------------------------------------------


def test_billion_laughs_is_quarantined_without_expansion() -> None:
    started = time.perf_counter()
    [item] = read(LAUGHS)
    assert time.perf_counter() - started < 10.0  # expanding would take minutes and GBs
    assert isinstance(item, Rejected)
    assert "DTD" in item.reason and "nothing" in item.reason
    assert len(item.raw) < 2000 and "&lol9;" in item.raw


def test_external_entity_is_quarantined(tmp_path: Path) -> None:
    data = SAMPLE_BYTES.replace(
        b"<EventNotificationAlert",
        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<EventNotificationAlert',
    ).replace(b"<channelName>Camera 01", b"<channelName>&e;")
    [item] = read(write(tmp_path, data))
    assert isinstance(item, Rejected) and "DTD" in item.reason
    assert "root:" not in item.raw


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.99])
def test_truncated_tail_is_rejected_and_earlier_alerts_kept(
    tmp_path: Path, fraction: float
) -> None:
    cut = SAMPLE_BYTES[: int(len(SAMPLE_BYTES) * fraction)]
    items = read(write(tmp_path, SAMPLE_BYTES + SAMPLE_BYTES + cut))
    assert [type(i) for i in items] == [SourceRecord, SourceRecord, Rejected]
    assert items[2].locator.startswith(f"{tmp_path / 'alerts.xml'}#alert[2]@")
    assert "cut off" in reason(items[2]) or "not an EventNotificationAlert" in reason(items[2])


def test_alert_cut_off_before_the_next_does_not_swallow_it(tmp_path: Path) -> None:
    cut = SAMPLE_BYTES[: len(SAMPLE_BYTES) // 2]
    items = read(write(tmp_path, cut + b"\n" + SAMPLE_BYTES))
    assert [type(i) for i in items] == [Rejected, SourceRecord]
    assert "cut off before the next" in reason(items[0])


def test_junk_between_alerts_is_quarantined(tmp_path: Path) -> None:
    items = read(write(tmp_path, SAMPLE_BYTES + b"\n--boundary\r\n" + SAMPLE_BYTES))
    assert [type(i) for i in items] == [SourceRecord, Rejected, SourceRecord]
    assert "boundary" in items[1].raw


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (b"<degree>0</degree>", b"<degree>95</degree>", "latitude"),
        (b"<minute>22</minute>", b"<minute>75</minute>", "minutes"),
        (b"<latitudeType>N</latitudeType>", b"<latitudeType>Q</latitudeType>", "latitudeType"),
        (b"<degree>111</degree>", b"<degree>east</degree>", "Longitude"),
    ],
)
def test_bad_gps_is_rejected_with_the_reason(
    tmp_path: Path, old: bytes, new: bytes, expected: str
) -> None:
    [item] = read(write(tmp_path, SAMPLE_BYTES.replace(old, new)))
    assert isinstance(item, Rejected)
    assert expected in item.reason


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (b"<macAddress>d4:e8:53:bc:4c:02", b"<macAddress>not-a-mac", "macAddress"),
        (b"<confidenceLevel>97", b"<confidenceLevel>high", "confidenceLevel"),
        (b"<confidenceLevel>97", b"<confidenceLevel>970", "confidence"),
        (b"<dateTime>2024-01-19T11:17:19+08:00", b"<dateTime>yesterday", "yesterday"),
        (b"<licensePlate>PECT600", b"<licensePlate>#?#", "#?#"),
        (b"<channelID>1</channelID>", b"", "channelID"),
    ],
)
def test_bad_fields_are_rejected_naming_them(
    tmp_path: Path, old: bytes, new: bytes, expected: str
) -> None:
    [item] = read(write(tmp_path, SAMPLE_BYTES.replace(old, new)))
    assert isinstance(item, Rejected) and expected in item.reason


def test_no_plate_read_gives_a_sighting_without_vehicle(tmp_path: Path) -> None:
    data = SAMPLE_BYTES.replace(b"<licensePlate>PECT600", b"<licensePlate>unknown")
    [record] = read(write(tmp_path, data))
    assert "plate_read" not in node(record, "Sighting")
    assert isinstance(record, SourceRecord)
    assert not [n for n in record.nodes if n.type == "Vehicle"]


def test_zero_gps_means_no_location(tmp_path: Path) -> None:
    data = SAMPLE_BYTES.replace(b"<degree>111</degree>", b"<degree>0</degree>").replace(
        b"<minute>22</minute>", b"<minute>0</minute>"
    )
    [record] = read(write(tmp_path, data))
    assert "location" not in node(record, "Place")


def test_country_abbreviation_mapping(tmp_path: Path) -> None:
    for code, expected in [(b"DE", "DE"), (b"UK", "GB"), (b"XX", None), (b"NON", None)]:
        data = SAMPLE_BYTES.replace(b">NON<", b">" + code + b"<")
        [record] = read(write(tmp_path, data))
        assert node(record, "Vehicle").get("country") == expected


# --- sniffing ------------------------------------------------------------------------


@pytest.mark.parametrize("path", [SAMPLE, THREE, LAUGHS])
def test_sniff_recognises_only_hikvision(path: Path) -> None:
    head = path.read_bytes()[:8192]
    assert [c.name for c in CONNECTORS if c.sniff(head)] == ["hikvision-isapi-anpr"]


def test_sniff_refuses_other_xml() -> None:
    gpx = (samples_dir() / "travel" / "garmin_etrex_track.gpx").read_bytes()[:8192]
    assert not HikvisionAnpr.sniff(gpx)
    assert not HikvisionAnpr.sniff(b'{"EventNotificationAlert": 1}')


_FRAGMENTS = [
    b"<?xml version='1.0'?>",
    b"<?xmlish?>",
    b"<EventNotificationAlert>",
    b"<EventNotificationAlert ",
    b"<EventNotificationAlert/>",
    b"<EventNotificationAlertX>",
    b"</EventNotificationAlert>",
    b"</EventNotificationAlert >",
    b"<hik:EventNotificationAlert\n",
    b"</hik:EventNotificationAlert>",
    b"<a>EventNotificationAlert</a>",
    b"<",
    b"</",
    b"EventNotificationAlert",
    b" ",
    b"<b x='<'>",
]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(_FRAGMENTS), max_size=12),
    st.integers(min_value=0, max_value=40),
)
def test_splitter_search_finds_what_the_regex_finds(parts: list[bytes], start: int) -> None:
    """The find-then-confirm search is the plain regex search, only faster."""
    buf = bytearray(b"".join(parts))
    start = min(start, len(buf))
    for pattern in (hikvision._ROOT, hikvision._BOUNDARY):
        expected = pattern.search(buf, start)
        found = hikvision._search(pattern, buf, start)
        assert (found and found.span()) == (expected and expected.span()), (pattern, buf)
        if expected is not None and found is not None:
            assert found.group() == expected.group()
