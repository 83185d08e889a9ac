"""Ingest end to end on the real samples: counts reconcile, re-runs are no-ops, bad files
get clear errors, and a killed ingest leaves no half batch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest import jobs
from ingest import ledger as ledger_module
from ingest.jobs import GROUP_FILES
from ingest.ledger import Ledger
from ingest.pipeline import ingest_paths
from tests.conftest import samples_dir

REPO = Path(__file__).resolve().parents[2]


def _cctv() -> Path:
    return samples_dir() / "cctv"


def test_samples_ingest_and_rerun_is_unchanged(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger")
    first = ingest_paths([_cctv()], ledger)
    assert [(r.connector, r.status, r.read, r.accepted) for r in first] == [
        ("frigate-api", "ingested", 50, 50),
        ("hikvision-isapi-anpr", "ingested", 1, 1),
    ]
    second = ingest_paths([_cctv()], ledger)
    assert {r.status for r in second} == {"unchanged"}
    assert len(ledger.batches()) == 2
    for manifest in ledger.batches():
        assert manifest.read == manifest.accepted + manifest.quarantined
        assert len(manifest.source_sha256) == 64


def test_unreadable_and_unknown_files_fail_with_clear_messages(tmp_path: Path) -> None:
    unknown = tmp_path / "notes.txt"
    unknown.write_text("just some words\n")
    reports = ingest_paths([tmp_path / "missing.json", unknown], Ledger(tmp_path / "ledger"))
    assert [r.status for r in reports] == ["failed", "failed"]
    assert "no such file" in reports[0].message
    assert "unknown format" in reports[1].message and "--mapping" in reports[1].message
    assert "Supported formats" in reports[1].hint and "Hikvision" in reports[1].hint


def test_changed_file_becomes_a_new_batch(tmp_path: Path) -> None:
    events = json.loads((_cctv() / "frigate_api_events_front_door.json").read_text())
    path = tmp_path / "events.json"
    path.write_text(json.dumps(events[:10]))
    ledger = Ledger(tmp_path / "ledger")
    assert ingest_paths([path], ledger)[0].status == "ingested"
    path.write_text(json.dumps(events[:12]))
    changed = ingest_paths([path], ledger)[0]
    assert changed.status == "changed" and changed.read == 12
    assert "content changed since batch" in changed.message


def test_duplicates_and_bad_records_reconcile(tmp_path: Path) -> None:
    events = json.loads((_cctv() / "frigate_api_events_front_door.json").read_text())
    bad = dict(events[1], start_time="yesterday")
    path = tmp_path / "events.json"
    path.write_text(json.dumps([events[0], events[0], bad]))
    ledger = Ledger(tmp_path / "ledger")
    report = ingest_paths([path], ledger)[0]
    assert (report.read, report.accepted, report.quarantined) == (3, 2, 1)
    [rejected] = ledger.quarantine(ledger.batches()[0])
    assert rejected["locator"].endswith("#/2")
    assert "start_time" in rejected["reason"] or "time" in rejected["reason"]


def _big_frigate_file(path: Path, count: int) -> None:
    template = json.loads((_cctv() / "frigate_api_events_front_door.json").read_text())[0]
    with path.open("w") as fp:
        fp.write("[")
        for i in range(count):
            event = dict(template, id=f"{1623454583 + i}.5-k{i:06d}", start_time=1623454583.5 + i)
            fp.write(("," if i else "") + json.dumps(event))
        fp.write("]")


def test_a_folder_of_small_files_is_flushed_to_disk_once_a_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = json.loads((_cctv() / "frigate_api_events_front_door.json").read_text())
    folder = tmp_path / "alerts"
    folder.mkdir()
    count = GROUP_FILES + 6
    for n in range(count):  # one event a file, as a push export keeps them
        event = {**events[n % len(events)], "id": f"event-{n:03d}"}
        (folder / f"{n:03d}.json").write_text(json.dumps([event]))
    (folder / "099-notes.txt").write_text("not an export\n")  # a report amid the group
    flushes: list[int] = []
    real = ledger_module.flush_folders

    def counted(folders: list[Path]) -> None:
        flushes.append(len(folders))
        real(folders)

    monkeypatch.setattr(ledger_module, "flush_folders", counted)
    monkeypatch.setattr(jobs, "GROUP_SECONDS", 3600.0)  # a slow machine's group is no smaller
    ledger = Ledger(tmp_path / "ledger")
    reports = ingest_paths([folder], ledger, workers=1)
    assert flushes == [GROUP_FILES, count - GROUP_FILES]
    assert [r.path.name for r in reports] == sorted(p.name for p in folder.iterdir())
    assert [r.status for r in reports] == ["ingested"] * count + ["failed"]
    # published in file order, each batch whole
    by_path = {m.source_path: m.seq for m in ledger.batches()}
    seqs = [by_path[str(r.path.resolve())] for r in reports[:count]]
    assert seqs == list(range(1, count + 1))
    assert all(m.read == m.accepted == 1 for m in ledger.batches())
    assert not any((ledger.root / ".staging").iterdir())
    # a group waits no longer than GROUP_SECONDS: with none, every file is published alone
    monkeypatch.setattr(jobs, "GROUP_SECONDS", 0.0)
    flushes.clear()
    (folder / "100.json").write_text(json.dumps([{**events[0], "id": "late-1"}]))
    (folder / "101.json").write_text(json.dumps([{**events[0], "id": "late-2"}]))
    again = ingest_paths([folder], ledger, workers=1)
    assert flushes == [1, 1] and [r.status for r in again][-2:] == ["ingested", "ingested"]


def test_killed_ingest_leaves_no_half_batch_and_rerun_completes(tmp_path: Path) -> None:
    source = tmp_path / "big.json"
    _big_frigate_file(source, 150_000)
    workspace = tmp_path / "ws"
    command = [
        sys.executable,
        "-m",
        "dossier.cli",
        "--workspace",
        str(workspace),
        "ingest",
        str(source),
        "--workers",
        "2",
    ]
    process = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    staging = workspace / "ledger" / ".staging"
    deadline = time.monotonic() + 60
    while not (staging.exists() and any(staging.rglob("*.parquet"))):
        assert time.monotonic() < deadline and process.poll() is None, (
            "ingest never started writing"
        )
        time.sleep(0.05)
    workers = _descendants(process.pid)
    assert workers, "the ingest started no workers"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    _wait_until_gone(workers)  # no orphan keeps writing into the staging area
    ledger = Ledger(workspace / "ledger")
    assert ledger.batches() == []
    report = ingest_paths([source], ledger)[0]
    assert (report.status, report.read, report.accepted) == ("ingested", 150_000, 150_000)
    assert not any(staging.iterdir())


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in children.read_text().split():
            found |= {int(child)} | _descendants(int(child))
    return found


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def _wait_until_gone(pids: set[int]) -> None:
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids):
        assert time.monotonic() < deadline, f"processes outlived the ingest: {pids}"
        time.sleep(0.05)


def test_bytes_that_are_not_utf8_quarantine_only_their_record(tmp_path: Path) -> None:
    events = json.loads((_cctv() / "frigate_api_events_front_door.json").read_text())
    good = json.dumps(events[0]).encode()
    bad = json.dumps(dict(events[1], label="caf\u00e9")).encode().replace(b"\\u00e9", b"\xe9")
    escaped = json.dumps(dict(events[2], label="x")).encode().replace(b'"x"', b'"\\ud800"')
    path = tmp_path / "mixed.json"
    path.write_bytes(b"[" + b",".join([good, bad, escaped]) + b"]")
    ledger = Ledger(tmp_path / "ledger")
    report = ingest_paths([path], ledger)[0]
    assert (report.read, report.accepted, report.quarantined) == (3, 1, 2)
    reasons = [r["reason"] for r in ledger.quarantine(ledger.batches()[0])]
    assert all("not valid Unicode" in reason for reason in reasons)
