"""The synthetic CCTV scenario: real formats, deterministic bytes, planted meetings found."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from defusedxml import ElementTree

from ingest.scenario import SCALES, ScenarioSummary, generate
from ingest.scenario.clock import offset_seconds

NS = "{http://www.hikvision.com/ver20/XMLSchema}"
START = datetime(2026, 3, 1, tzinfo=UTC)
EVENT_ID = re.compile(r"^(\d+\.\d+)-[a-z0-9]{6}$")
FILE_NAME = re.compile(r"^[a-z0-9_-]+-\d{4}-W\d{2}\.(xml|json|jsonl)$")


@dataclass(frozen=True)
class Run:
    out: Path
    summary: ScenarioSummary
    progress: list[int]


@dataclass(frozen=True)
class Read:
    camera: str
    plate: str
    time: datetime
    confidence: int
    alert: Any


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    out = tmp_path_factory.mktemp("tiny") / "scenario"
    calls: list[int] = []
    summary = generate(out, "tiny", seed=7, progress=calls.append)
    return Run(out, summary, calls)


@pytest.fixture(scope="module")
def truth(run: Run) -> dict[str, Any]:
    return json.loads((run.out / "ground_truth.json").read_text(encoding="utf-8"))


def split_alerts(text: str) -> list[str]:
    """Concatenated pushes: one document per ``<?xml`` declaration."""
    return ["<?xml" + part for part in text.split("<?xml") if part.strip()]


def field(alert: Any, *path: str) -> str:
    node = alert.find("/".join(NS + p for p in path))
    assert node is not None, path
    return str(node.text or "")


@pytest.fixture(scope="module")
def reads(run: Run) -> list[Read]:
    out = []
    for path in sorted((run.out / "cctv" / "hikvision").glob("*.xml")):
        camera = path.name.rsplit("-", 2)[0]
        for doc in split_alerts(path.read_text(encoding="utf-8")):
            alert = ElementTree.fromstring(doc)
            out.append(
                Read(
                    camera,
                    field(alert, "ANPR", "licensePlate"),
                    datetime.fromisoformat(field(alert, "dateTime")),
                    int(field(alert, "ANPR", "confidenceLevel")),
                    alert,
                )
            )
    return out


@pytest.fixture(scope="module")
def events(run: Run) -> list[dict[str, Any]]:
    out = []
    for path in sorted((run.out / "cctv" / "frigate").glob("*.json")):
        items = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(items, list)
        starts = [e["start_time"] for e in items]
        assert starts == sorted(starts, reverse=True)  # the API lists newest first
        out.extend(items)
    return out


def in_range(moment: datetime, days: int) -> bool:
    return START <= moment < START + timedelta(days=days)


def test_tiny_is_sized(run: Run) -> None:
    # no time limit here: speed is measured by bench/, a loaded CI machine is not a timer
    assert 1_500 <= run.summary.detections <= 3_000
    assert sum(run.progress) == run.summary.detections
    assert len(run.progress) == SCALES["tiny"].days


def test_scales() -> None:
    assert SCALES["tiny"].days == 14
    assert SCALES["small"].days == 60
    assert SCALES["medium"].days >= 183
    assert SCALES["medium"].target_detections >= 1_000_000


def test_file_counts_match_summary(run: Run) -> None:
    for kind, suffix in [("hikvision", ".xml"), ("frigate", ".json"), ("frigate-mqtt", ".jsonl")]:
        files = list((run.out / "cctv" / kind).iterdir())
        assert len(files) == run.summary.files[kind] > 0
        assert all(f.suffix == suffix and FILE_NAME.match(f.name) for f in files)


def test_hikvision_alerts(run: Run, reads: list[Read]) -> None:
    assert len(reads) == run.summary.records["hikvision"]
    uuids = Counter(field(r.alert, "UUID") for r in reads)
    assert max(uuids.values()) == 1
    for r in reads:
        assert r.alert.tag == NS + "EventNotificationAlert"
        assert field(r.alert, "eventType") == "ANPR"
        assert r.time.utcoffset() == timedelta(seconds=offset_seconds(r.time.timestamp()))
        assert in_range(r.time, 14)
        assert 70 <= r.confidence <= 99
        assert field(r.alert, "ANPR", "direction") in {"forward", "reverse"}
        assert re.fullmatch(r"[A-Z0-9]{6,7}", r.plate)
        assert field(r.alert, "ANPR", "originalLicensePlate") == r.plate
        assert field(r.alert, "countryAbbreviation") in {"NL", "DE", "BE", "GB", "FR"}
    assert any(r.confidence < 80 for r in reads)  # the occasional doubtful read


def test_hikvision_device_constants(reads: list[Read]) -> None:
    per_camera: dict[str, set[tuple[str, ...]]] = {}
    for r in reads:
        device = (field(r.alert, "macAddress"), field(r.alert, "ipAddress"))
        per_camera.setdefault(r.camera, set()).add(device)
        assert field(r.alert, "ipAddress").startswith("192.0.2.")
    assert all(len(devices) == 1 for devices in per_camera.values())


def dms(alert: Any, axis: str) -> float:
    degree = int(field(alert, "DeviceGPSInfo", axis, "degree"))
    minute = int(field(alert, "DeviceGPSInfo", axis, "minute"))
    sec = float(field(alert, "DeviceGPSInfo", axis, "sec"))
    assert 0 <= minute < 60 and 0 <= sec < 60
    return degree + minute / 60 + sec / 3600


def test_gps_in_range(reads: list[Read], truth: dict[str, Any]) -> None:
    for r in reads[::25]:
        assert field(r.alert, "DeviceGPSInfo", "latitudeType") == "N"
        assert field(r.alert, "DeviceGPSInfo", "longitudeType") == "E"
        assert 52.30 <= dms(r.alert, "Latitude") <= 52.42
        assert 4.80 <= dms(r.alert, "Longitude") <= 5.00
    for camera in truth["cameras"]:
        assert 52.30 <= camera["lat"] <= 52.42 and 4.80 <= camera["lon"] <= 5.00


def test_frigate_api_events(run: Run, events: list[dict[str, Any]]) -> None:
    assert len(events) == run.summary.records["frigate"]
    assert len({e["id"] for e in events}) == len(events)
    for e in events:
        match = EVENT_ID.match(e["id"])
        assert match and float(match.group(1)) == e["start_time"]
        assert e["label"] in {"person", "car"}
        assert e["start_time"] < e["end_time"]
        assert in_range(datetime.fromtimestamp(e["end_time"], UTC), 14)
        assert 0.7 <= e["data"]["top_score"] <= 1 and e["data"]["type"] == "object"
        assert all(0 <= v <= 1 for v in e["data"]["box"] + e["data"]["region"])
        plate = e["data"].get("recognized_license_plate")
        assert plate is None or (e["label"] == "car" and re.fullmatch(r"[A-Z0-9]{6,7}", plate))
    cars = [e for e in events if e["data"].get("recognized_license_plate")]
    assert cars and any(e["sub_label"] for e in cars)


def test_frigate_mqtt_messages(run: Run, events: list[dict[str, Any]]) -> None:
    by_id = {e["id"]: e for e in events}
    kinds: dict[str, list[str]] = {}
    lines = 0
    for path in sorted((run.out / "cctv" / "frigate-mqtt").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            message = json.loads(line)
            after = message["after"]
            kinds.setdefault(after["id"], []).append(message["type"])
            assert message["before"]["id"] == after["id"] and after["id"] in by_id
            assert (after["end_time"] is None) == (message["type"] != "end")
            lines += 1
    assert lines == run.summary.records["frigate-mqtt"]
    for sequence in kinds.values():
        assert sequence[0] == "new" and sequence[-1] == "end"
        assert set(sequence[1:-1]) <= {"update"} and len(sequence) <= 4


def test_meetings_are_in_the_plate_reads(reads: list[Read], truth: dict[str, Any]) -> None:
    index = {(r.camera, r.plate, r.time) for r in reads}
    assert len(truth["meetings"]) == SCALES["tiny"].meetings
    for meeting in truth["meetings"]:
        assert len(meeting["occurrences"]) >= 2
        plates = [p["plate"] for p in meeting["plates"]]
        for occurrence in meeting["occurrences"]:
            times = [datetime.fromisoformat(t) for t in occurrence["times"]]
            assert abs(times[0] - times[1]) <= timedelta(minutes=10)
            for plate, moment in zip(plates, times, strict=True):
                assert (meeting["camera"], plate, moment) in index


def test_ground_truth(run: Run, truth: dict[str, Any]) -> None:
    assert truth["scale"] == "tiny" and truth["seed"] == 7
    assert truth["time_range"]["start"] == "2026-03-01T00:00:00Z"
    people = {p["id"] for p in truth["people"]}
    plates = {v["plate"] for v in truth["vehicles"]}
    assert len(people) == run.summary.people and len(plates) == run.summary.vehicles
    assert len(truth["cameras"]) == run.summary.cameras
    assert all(d["person_id"] in people and d["plate"] in plates for d in truth["drives"])
    drivers = Counter(d["plate"] for d in truth["drives"])
    assert max(drivers.values()) == 2  # a car handed over to a new driver
    assert truth["counts"]["detections"] == run.summary.detections
    assert in_range(run.summary.first_time, 14) and in_range(run.summary.last_time, 14)


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_same_seed_same_bytes(run: Run, tmp_path: Path) -> None:
    generate(tmp_path / "again", "tiny", seed=7)
    assert snapshot(tmp_path / "again") == snapshot(run.out)


def test_other_seed_other_files(run: Run, tmp_path: Path) -> None:
    generate(tmp_path / "other", "tiny", seed=8)
    other, first = snapshot(tmp_path / "other"), snapshot(run.out)
    assert other["ground_truth.json"] != first["ground_truth.json"]
    assert set(other) != set(first) or any(other[k] != first[k] for k in first)


def test_refuses_to_overwrite(run: Run) -> None:
    with pytest.raises(FileExistsError):
        generate(run.out, "tiny", seed=7)


def test_unknown_scale(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown scale"):
        generate(tmp_path, "huge")


def test_amsterdam_offsets() -> None:
    switch = datetime(2026, 3, 29, 1, tzinfo=UTC).timestamp()
    back = datetime(2026, 10, 25, 1, tzinfo=UTC).timestamp()
    assert offset_seconds(switch - 1) == 3600 and offset_seconds(switch) == 7200
    assert offset_seconds(back - 1) == 7200 and offset_seconds(back) == 3600
