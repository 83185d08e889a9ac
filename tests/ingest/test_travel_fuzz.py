"""Property tests for the travel connectors: whatever bytes they are given, they yield
records or rejections with a reason, never raise, and never drop an array element."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.connectors.base import Connector
from ingest.connectors.google_location import GoogleLocationHistory
from ingest.connectors.gpx import GpxTrack
from ingest.records import Rejected, SourceRecord
from tests.conftest import samples_dir
from tests.ingest import fuzzkit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "travel"
TRAVEL = samples_dir() / "travel"
SAMPLE_FILES: dict[str, tuple[type[Connector], Path]] = {
    "records": (GoogleLocationHistory, TRAVEL / "google_takeout_records.json"),
    "location-history": (GoogleLocationHistory, FIXTURES / "location_history_2016.json"),
    "timeline": (GoogleLocationHistory, FIXTURES / "timeline_android_2024.json"),
    "gpx-track": (GpxTrack, TRAVEL / "garmin_etrex_track.gpx"),
    "gpx-routes": (GpxTrack, FIXTURES / "osmand_route_waypoints.gpx"),
}
SAMPLES = {name: (c, path.read_bytes()) for name, (c, path) in SAMPLE_FILES.items()}
FUZZ = fuzzkit.fuzz_settings(80)
json_values = fuzzkit.json_values()


def read_all(connector: type[Connector], path: Path, data: bytes) -> list:
    return fuzzkit.read_all(connector, path, data, storable=True)


@pytest.mark.parametrize("connector", [GoogleLocationHistory, GpxTrack], ids=lambda c: c.name)
@FUZZ
@given(data=st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(
    connector: type[Connector], scratch: Path, data: bytes
) -> None:
    read_all(connector, scratch, data)


@pytest.mark.parametrize("sample", list(SAMPLES))
@FUZZ
@given(st.data())
def test_every_truncation_ends_in_a_rejection(
    sample: str, scratch: Path, data: st.DataObject
) -> None:
    connector, whole = SAMPLES[sample]
    prefix = whole[: data.draw(st.integers(0, len(whole)))]
    items = read_all(connector, scratch, prefix)
    complete = read_all(connector, scratch, whole)
    if prefix.strip() and prefix.rstrip() != whole.rstrip():
        assert isinstance(items[-1], Rejected)
        # Every element before the cut reads as it does in the whole file.
        for got, expected in zip(items[:-1], complete, strict=False):
            assert type(got) is type(expected) and got.locator == expected.locator


@pytest.mark.parametrize("sample", list(SAMPLES))
@FUZZ
@given(st.data())
def test_mutated_samples_never_raise(sample: str, scratch: Path, data: st.DataObject) -> None:
    connector, whole = SAMPLES[sample]
    mutated = fuzzkit.mutate(whole, data)
    read_all(connector, scratch, mutated)


@FUZZ
@given(
    st.sampled_from(["locations", "semanticSegments", "rawSignals"]),
    st.lists(json_values, max_size=12),
)
def test_each_array_element_is_one_item(scratch: Path, member: str, values: list) -> None:
    items = read_all(GoogleLocationHistory, scratch, json.dumps({member: values}).encode())
    assert len(items) == len(values)
    assert [i.locator.rsplit("#", 1)[1] for i in items] == [
        f"/{member}/{n}" for n in range(len(values))
    ]


@FUZZ
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "latitudeE7": st.integers(-900_000_000, 900_000_000),
                "longitudeE7": st.integers(-1_800_000_000, 1_800_000_000),
                "accuracy": st.integers(0, 5000),
                "deviceTag": st.integers(-(2**31), 2**31 - 1),
                "timestamp": st.datetimes(datetime(1971, 1, 1), datetime(2099, 1, 1)).map(
                    lambda t: t.isoformat() + "Z"
                ),
            }
        ),
        max_size=10,
    )
)
def test_valid_records_are_all_accepted(scratch: Path, fixes: list[dict]) -> None:
    items = read_all(GoogleLocationHistory, scratch, json.dumps({"locations": fixes}).encode())
    assert len(items) == len(fixes) and all(isinstance(i, SourceRecord) for i in items)
    for item, fix in zip(items, fixes, strict=True):
        [props] = [n.props for n in item.nodes if n.type == "LocationFix"]
        assert props["location"].lat == fix["latitudeE7"] / 1e7
        assert props["location"].lon == fix["longitudeE7"] / 1e7


@FUZZ
@given(
    st.lists(
        st.tuples(
            st.floats(-90, 90),
            st.floats(-180, 180),
            st.integers(0, 10**9).map(
                lambda s: datetime(1990, 1, 1, tzinfo=UTC) + timedelta(seconds=s)
            ),
        ),
        max_size=10,
    )
)
def test_valid_gpx_points_are_all_accepted(scratch: Path, points: list[tuple]) -> None:
    body = "".join(
        f'<trkpt lat="{lat:.9f}" lon="{lon:.9f}"><time>{t.isoformat()}</time></trkpt>'
        for lat, lon, t in points
    )
    gpx = f'<gpx version="1.1" creator="t"><trk><trkseg>{body}</trkseg></trk></gpx>'
    items = read_all(GpxTrack, scratch, gpx.encode())
    assert len(items) == len(points) and all(isinstance(i, SourceRecord) for i in items)


@FUZZ
@given(
    st.lists(
        st.sampled_from(
            [
                b"<?xml version='1.0'?>",
                b"<gpx creator='x'>",
                b"</gpx>",
                b"<trk><trkseg>",
                b"</trkseg></trk>",
                b"<trkpt lat='1' lon='2'>",
                b"</trkpt>",
                b"<time>2020-01-01T00:00:00Z</time>",
                b"<ele>1</ele>",
                b"<wpt lat='95' lon='0'/>",
                b"<!DOCTYPE gpx>",
                b"&amp;",
                b"\n",
            ]
        )
        | st.binary(max_size=8),
        max_size=30,
    )
)
def test_gpx_fragments_never_raise(scratch: Path, parts: list[bytes]) -> None:
    read_all(GpxTrack, scratch, b"".join(parts))
