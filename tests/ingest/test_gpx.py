"""GPX tracks, routes and waypoints against the real Garmin sample, a hand-written file
with routes, waypoints and points without times, and hostile or damaged XML."""

from __future__ import annotations

import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from graph.projection import project
from graph.queries import timeline
from ingest.connectors.base import ReadOptions
from ingest.connectors.google_location import GoogleLocationHistory
from ingest.connectors.gpx import GpxTrack
from ingest.connectors.registry import CONNECTORS
from ingest.ledger import Ledger, SourceFile
from ingest.pipeline import describe_source
from ingest.records import Rejected, SourceRecord
from schemas.model import default_model
from schemas.types import GeoPoint
from tests.conftest import samples_dir

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "travel"
SAMPLE = samples_dir() / "travel" / "garmin_etrex_track.gpx"
ROUTES = FIXTURES / "osmand_route_waypoints.gpx"
LAUGHS = FIXTURES / "gpx_billion_laughs.gpx"
SAMPLE_BYTES = SAMPLE.read_bytes()
ALL_CONNECTORS = CONNECTORS  # the registry lists every connector
NO_TIME = "GPX point without a time cannot be placed on a timeline"


def read(path: Path, options: ReadOptions | None = None) -> list[SourceRecord | Rejected]:
    return list(GpxTrack(options=options).read(path))


def node(record: SourceRecord | Rejected, type_name: str) -> dict:
    assert isinstance(record, SourceRecord), record
    [found] = [n.props for n in record.nodes if n.type == type_name]
    return found


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "track.gpx"
    path.write_bytes(data)
    return path


def locators(items: list[SourceRecord | Rejected]) -> list[str]:
    return [i.locator.split("#", 1)[1] for i in items]


# --- the real Garmin sample --------------------------------------------------------------


def test_sample_is_104_fixes_with_elevation() -> None:
    items = read(SAMPLE)
    assert len(items) == 104 and all(isinstance(i, SourceRecord) for i in items)
    fixes = [node(i, "LocationFix") for i in items]
    assert fixes[0] == {
        "time": datetime(2020, 12, 18, 6, 15, 50, tzinfo=UTC),
        "location": GeoPoint(45.2735188510, 13.7142099626),
        "altitude_m": 211.15,
        "fix_source": "gpx",
    }
    assert fixes[-1]["altitude_m"] == 210.67
    assert all("altitude_m" in f for f in fixes)
    assert [f["time"] for f in fixes] == sorted(f["time"] for f in fixes)


def test_sample_device_links_and_locators() -> None:
    first = read(SAMPLE)[0]
    assert node(first, "Device") == {
        "id_kind": "gpx-creator",
        "serial": "ETREX20X",
        "name": "eTrex 20x",
    }
    assert node(first, "Person") == {"name": "(owner of garmin_etrex_track.gpx)"}
    assert isinstance(first, SourceRecord)
    assert {(e.source_type, e.type, e.target_type) for e in first.edges} == {
        ("LocationFix", "LOCATED", "Person"),
        ("LocationFix", "RECORDED_BY", "Device"),
    }
    assert first.locator == f"{SAMPLE}#/trk[0]/trkseg[0]/trkpt[0]"
    assert first.raw == (
        '<trkpt lat="45.2735188510" lon="13.7142099626"><ele>211.15</ele>'
        "<time>2020-12-18T06:15:50Z</time></trkpt>"
    )
    assert read(SAMPLE)[103].locator.endswith("#/trk[0]/trkseg[0]/trkpt[103]")


def test_sample_ids_are_stable() -> None:
    first, again = read(SAMPLE), read(SAMPLE)
    assert [i.record_id for i in first if isinstance(i, SourceRecord)] == [
        i.record_id for i in again if isinstance(i, SourceRecord)
    ]


def test_owner_option_names_the_person() -> None:
    items = read(SAMPLE, ReadOptions(owner="Ana Silva"))
    assert {node(i, "Person")["name"] for i in items} == {"Ana Silva"}


# --- routes, waypoints, points without time ---------------------------------------------------


def test_routes_waypoints_and_points_without_time() -> None:
    items = read(ROUTES)
    assert locators(items) == [
        "/wpt[0]",
        "/wpt[1]",
        "/rte[0]/rtept[0]",
        "/rte[0]/rtept[1]",
        "/rte[0]/rtept[2]",
        "/trk[0]/trkseg[0]/trkpt[0]",
        "/trk[0]/trkseg[0]/trkpt[1]",
        "/trk[0]/trkseg[0]/trkpt[2]",
        "/trk[0]/trkseg[1]/trkpt[0]",
        "/trk[0]/trkseg[1]/trkpt[1]",
    ]
    kinds = ["ok" if isinstance(i, SourceRecord) else i.reason for i in items]
    no_time = f"field 'time': {NO_TIME} (value None)"
    assert kinds[:8] == ["ok", no_time, no_time, no_time, no_time, "ok", "ok", no_time]
    assert "no UTC offset" in kinds[8] and kinds[9] == "ok"
    assert node(items[0], "LocationFix")["altitude_m"] == 2.1
    assert node(items[6], "LocationFix")["time"] == datetime(
        2023, 6, 10, 8, 6, 44, 500000, tzinfo=UTC
    )
    assert node(items[9], "LocationFix")["time"].isoformat() == "2023-06-10T10:38:51+02:00"
    assert node(items[0], "Device")["name"] == "OsmAnd~ 4.6.8"
    assert "<name>Edam cheese market</name>" in items[1].raw and "<icon>" in items[1].raw


def test_local_time_is_read_when_the_zone_is_named() -> None:
    items = read(ROUTES, ReadOptions(assume_offset=timedelta(hours=2)))
    assert node(items[8], "LocationFix")["time"] == datetime(2023, 6, 10, 8, 15, tzinfo=UTC)
    assert isinstance(items[7], Rejected)  # still no time at all


def test_gpx_1_0_and_no_namespace(tmp_path: Path) -> None:
    for namespace in (b"http://www.topografix.com/GPX/1/0", b""):
        data = SAMPLE_BYTES.replace(b"http://www.topografix.com/GPX/1/1", namespace, 1)
        if not namespace:
            data = data.replace(b'xmlns=""', b"")
        items = read(write(tmp_path, data))
        assert len(items) == 104 and all(isinstance(i, SourceRecord) for i in items)


def test_points_in_other_namespaces_are_not_gpx_points(tmp_path: Path) -> None:
    data = SAMPLE_BYTES.replace(
        b"<gpxx:DisplayColor>Red</gpxx:DisplayColor>",
        b'<gpxx:trkpt lat="1" lon="2"><gpxx:time>2020-01-01T00:00:00Z</gpxx:time></gpxx:trkpt>',
    )
    assert len(read(write(tmp_path, data))) == 104


# --- bad values -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (b'lat="45.2735188510"', b'lat="95.0"', "latitude must be in [-90, 90]"),
        (b'lat="45.2735188510"', b'lat="north"', "'lat': expected a decimal number"),
        (b'lat="45.2735188510"', b'lat="NaN"', "'lat': expected a decimal number"),
        (b'lat="45.2735188510" ', b"", "'lat': required field is missing"),
        (b"<ele>211.15</ele>", b"<ele>high</ele>", "'ele': expected a decimal number"),
        (b"<time>2020-12-18T06:15:50Z</time>", b"<time>later</time>", "ISO 8601"),
        (b"<time>2020-12-18T06:15:50Z</time>", b"<time> </time>", NO_TIME),
        (b"<time>2020-12-18T06:15:50Z</time>", b"<time>1850-01-01T00:00:00Z</time>", "1970-2100"),
    ],
)
def test_bad_values_are_rejected_naming_the_field(
    tmp_path: Path, old: bytes, new: bytes, expected: str
) -> None:
    items = read(write(tmp_path, SAMPLE_BYTES.replace(old, new, 1)))
    assert len(items) == 104
    assert isinstance(items[0], Rejected) and expected in items[0].reason
    assert all(isinstance(i, SourceRecord) for i in items[1:])


# --- hostile and damaged XML -------------------------------------------------------------------


def test_billion_laughs_is_one_rejection_without_expansion() -> None:
    started = time.perf_counter()
    [item] = read(LAUGHS)
    assert time.perf_counter() - started < 10.0  # expanding would take minutes and GBs
    assert isinstance(item, Rejected)
    assert "DTD" in item.reason and "nothing" in item.reason
    assert len(item.raw) <= 2000 and "&lol9;" in item.raw


def test_external_entity_is_refused(tmp_path: Path) -> None:
    data = SAMPLE_BYTES.replace(
        b"<gpx ", b'<!DOCTYPE gpx [<!ENTITY e SYSTEM "file:///etc/passwd">]><gpx ', 1
    ).replace(b"<ele>211.15</ele>", b"<ele>&e;</ele>", 1)
    [item] = read(write(tmp_path, data))
    assert isinstance(item, Rejected) and "DTD" in item.reason
    assert "root:" not in item.raw


@pytest.mark.parametrize("fraction", [0.02, 0.2, 0.5, 0.9, 0.999])
def test_truncated_file_keeps_earlier_points_and_rejects_the_rest(
    tmp_path: Path, fraction: float
) -> None:
    path = write(tmp_path, SAMPLE_BYTES[: int(len(SAMPLE_BYTES) * fraction)])
    items = read(path)
    assert all(isinstance(i, SourceRecord) for i in items[:-1])
    last = items[-1]
    assert isinstance(last, Rejected)
    assert "not well-formed XML" in last.reason and "rest of the file is unread" in last.reason
    assert last.locator == f"{path}:line 1" and last.raw
    assert len(items) <= 105  # at 0.999 every point is whole and only the end is cut


def test_bytes_that_are_not_utf8_end_the_reading(tmp_path: Path) -> None:
    at = SAMPLE_BYTES.index(b"<trkpt", 5000)
    items = read(write(tmp_path, SAMPLE_BYTES[:at] + b"<name>\xff\xfe</name>" + SAMPLE_BYTES[at:]))
    assert 0 < len(items) < 104
    assert isinstance(items[-1], Rejected) and "not well-formed" in items[-1].reason
    items[-1].raw.encode("utf-8")


def test_latin1_declared_encoding_is_honoured(tmp_path: Path) -> None:
    data = SAMPLE_BYTES.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"').replace(
        b"<trk><name>", b"<trk><name>Vi\xb9njan \xe9t\xe9 "
    )
    assert len([i for i in read(write(tmp_path, data)) if isinstance(i, SourceRecord)]) == 104


def test_document_that_is_not_gpx(tmp_path: Path) -> None:
    [item] = read(write(tmp_path, b"<kml><Placemark/></kml>"))
    assert isinstance(item, Rejected) and "root element <kml> is not <gpx>" in item.reason


def test_empty_file_yields_nothing(tmp_path: Path) -> None:
    assert read(write(tmp_path, b"")) == []
    assert read(write(tmp_path, b" \n\xef\xbb\xbf ")) == []


def test_multiline_damage_points_at_the_line(tmp_path: Path) -> None:
    text = ROUTES.read_bytes().replace(b"<ele>0.8</ele>", b"<ele>0.8</el>")
    items = read(write(tmp_path, text))
    assert isinstance(items[-1], Rejected)
    line = text[: text.index(b"</el>")].count(b"\n") + 1
    assert items[-1].locator.endswith(f":line {line}")
    assert "<ele>0.8</el>" in items[-1].raw


# --- memory ----------------------------------------------------------------------------------


def test_long_track_streams_in_bounded_memory(tmp_path: Path) -> None:
    head, _, rest = SAMPLE_BYTES.partition(b"<trkpt ")
    extensions = b"<extensions><note>" + b"x" * 3000 + b"</note></extensions>"
    point = b"<trkpt " + rest.partition(b"</trkpt>")[0] + extensions + b"</trkpt>"
    count = 10_000
    path = tmp_path / "long.gpx"
    with path.open("wb") as fp:
        fp.write(head)
        for i in range(count):
            stamp = b"%02d:%02d:%02d" % (i // 3600, i // 60 % 60, i % 60)
            fp.write(point.replace(b"06:15:50", stamp))
        fp.write(b"</trkseg></trk></gpx>")
    assert path.stat().st_size > 30_000_000
    tracemalloc.start()
    try:
        accepted = sum(isinstance(i, SourceRecord) for i in GpxTrack().read(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert accepted == count
    # Points kept in the tree would hold the whole 30 MB; each is dropped once read.
    assert peak < 10_000_000, f"peak traced memory {peak / 1e6:.1f} MB"


# --- sniffing --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [SAMPLE, ROUTES, LAUGHS])
def test_sniff_recognises_only_gpx(path: Path) -> None:
    head = path.read_bytes()[:8192]
    assert [c.name for c in ALL_CONNECTORS if c.sniff(head)] == ["gpx"]


def test_sniff_refuses_other_xml() -> None:
    for folder in ("cctv", "messages", "social"):
        for path in (samples_dir() / folder).iterdir():
            assert not GpxTrack.sniff(path.read_bytes()[:8192]), path
    assert not GpxTrack.sniff(b"<gpxdata/>")
    assert not GpxTrack.sniff(b'{"gpx": 1}')
    assert GpxTrack.sniff(b"\xef\xbb\xbf\n<g:gpx xmlns:g='http://www.topografix.com/GPX/1/1'>")


def test_cctv_samples_are_not_travel() -> None:
    for path in (samples_dir() / "cctv").iterdir():
        head = path.read_bytes()[:8192]
        assert not GpxTrack.sniff(head) and not GoogleLocationHistory.sniff(head)
    for path in (FIXTURES.parent / "cctv").iterdir():
        head = path.read_bytes()[:8192]
        assert not GpxTrack.sniff(head) and not GoogleLocationHistory.sniff(head)


# --- from file to ledger to graph ----------------------------------------------------------------


def test_ledger_graph_and_timeline(tmp_path: Path) -> None:
    connector = GpxTrack(options=ReadOptions(owner="Ana Silva"))
    ledger = Ledger(tmp_path / "ledger")
    source = describe_source(ROUTES)
    manifest = ledger.write_batch(
        SourceFile(ROUTES, source.sha256, source.size),
        connector.name,
        connector.version,
        connector.read(ROUTES),
    )
    assert (manifest.read, manifest.accepted, manifest.quarantined) == (10, 4, 6)
    accepted = [i for i in connector.read(ROUTES) if isinstance(i, SourceRecord)]
    person_id = next(n.id for n in accepted[0].nodes if n.type == "Person")
    store = EmbeddedStore(tmp_path / "g.lbdb", default_model())
    try:
        project(ledger, store)
        rows = timeline(store, person_id)
    finally:
        store.close()
    fixes = {n.id: n.props["time"] for r in accepted for n in r.nodes if n.type == "LocationFix"}
    assert [r["id"] for r in rows] == sorted(fixes, key=lambda i: fixes[i])
    assert [r["kind"] for r in rows] == ["LocationFix"] * 4
