"""Reading files in worker processes: the ledger is exactly what one process writes, in
file order, whatever the number of workers (real samples, real ledger, real processes)."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from ingest import stretches
from ingest.connectors.base import ReadOptions
from ingest.connectors.google_location import GoogleLocationHistory
from ingest.connectors.hikvision import HikvisionAnpr
from ingest.connectors.mbox import Mbox
from ingest.jobs import ConnectorFactory, FileReport
from ingest.ledger import Ledger
from ingest.mapping import shipped_mapping
from ingest.mapping.connector import mapping_factory
from ingest.pipeline import choose_connector, ingest_paths
from ingest.stretches import StretchMisaligned, line_stretches
from ingest.workers import PARALLEL_MIN_BYTES, worker_count
from tests.conftest import samples_dir

REPO = Path(__file__).resolve().parents[2]
TABLES = ("nodes", "edges", "records")


def ledger_content(ledger: Ledger) -> list[tuple[Any, ...]]:
    """Everything a batch holds but its creation time."""
    return [
        (
            (m.seq, m.batch_id, m.source_path, m.read, m.accepted, m.quarantined),
            [pq.read_table(ledger.batch_dir(m) / f"{t}.parquet").to_pylist() for t in TABLES],
            ledger.quarantine(m),
        )
        for m in ledger.batches()
    ]


def outcome(reports: list[FileReport]) -> list[tuple[str, str, str, int, int]]:
    return [(r.path.name, r.status, r.connector, r.read, r.quarantined) for r in reports]


def same_with_workers(
    paths: list[Path],
    tmp_path: Path,
    options: ReadOptions | None = None,
    connector_for: ConnectorFactory = choose_connector,
) -> list[FileReport]:
    """Ingest with one process and with two workers: the same reports, the same ledger.
    Returns the reports of the run with workers."""
    alone, shared = Ledger(tmp_path / "one"), Ledger(tmp_path / "two")
    one = ingest_paths(paths, alone, options, None, connector_for, workers=1)
    two = ingest_paths(paths, shared, options, None, connector_for, workers=2)
    assert outcome(two) == outcome(one)
    return two


def mixed_folder(tmp_path: Path) -> Path:
    """Every sample export, a copy of one (same content, other name), and a file no
    connector reads, so that reports of every kind interleave."""
    folder = tmp_path / "in"
    shutil.copytree(samples_dir(), folder, ignore=shutil.ignore_patterns("LICENSES", "*.md"))
    shutil.copy(folder / "cctv" / "hikvision_isapi_anpr_event.xml", folder / "cctv" / "copy.xml")
    (folder / "cctv" / "notes.txt").write_text("not an export\n")
    return folder


def test_workers_write_the_same_ledger_in_the_same_order(tmp_path: Path) -> None:
    folder = mixed_folder(tmp_path)
    two = same_with_workers([folder], tmp_path)
    statuses = {r.path.name: r.status for r in two}
    # The same alert twice: the first in file order ("copy.xml") is read, the other not.
    assert statuses["copy.xml"] == "ingested"
    assert statuses["hikvision_isapi_anpr_event.xml"] == "unchanged"
    assert statuses["notes.txt"] == "failed"
    ingested = sum(s == "ingested" for s in statuses.values())
    assert ingested == len(Ledger(tmp_path / "two").batches())


def test_a_rerun_with_workers_changes_nothing(tmp_path: Path) -> None:
    folder = mixed_folder(tmp_path)
    ledger = Ledger(tmp_path / "ledger")
    ingest_paths([folder], ledger, workers=2)
    before = ledger_content(ledger)
    again = ingest_paths([folder], ledger, workers=2)
    assert {r.status for r in again} == {"unchanged", "failed"}
    assert ledger_content(ledger) == before
    assert not any((ledger.root / ".staging").iterdir())


def test_progress_counts_every_record_read_by_workers(tmp_path: Path) -> None:
    told: list[int] = []
    reports = ingest_paths([samples_dir()], Ledger(tmp_path / "l"), None, told.append, workers=2)
    assert sum(told) == sum(r.read for r in reports) > 0


def test_a_mapping_is_read_in_this_process_beside_the_workers(tmp_path: Path) -> None:
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "mapping"
    files = [fixtures / "Master.csv", tmp_path / "Master-copy.csv"]
    shutil.copy(files[0], files[1])
    factory = mapping_factory(shipped_mapping("asterisk_cdr"))
    options = ReadOptions(phone_region="NL")
    two = same_with_workers(files, tmp_path, options, factory)
    assert [r.status for r in two] == ["ingested", "unchanged"]


def test_worker_count_starts_workers_only_when_they_repay(tmp_path: Path) -> None:
    small = [tmp_path / "a", tmp_path / "b"]
    for path in small:
        path.write_bytes(b"x")
    assert worker_count(small, None) == 1  # too little to read to pay for new processes
    assert worker_count(small, 2) == 2
    big = tmp_path / "big"
    with big.open("wb") as fp:
        fp.truncate(PARALLEL_MIN_BYTES)
    assert worker_count([big], None) == len(os.sched_getaffinity(0))  # its stretches


def mqtt_capture(path: Path, damaged_line: int | None = None) -> Path:
    """The Frigate API sample's events as a frigate/events capture, one message a line,
    every fifth written over three lines (a nested object opening a line, where a cut
    looks possible but is not), optionally with one damaged line."""
    events = json.loads((samples_dir() / "cctv" / "frigate_api_events_front_door.json").read_text())
    lines = []
    for n, event in enumerate(events):
        message = {"type": "end", "before": event, "after": event}
        if n % 5 == 4:
            lines.append(
                '{"type": "end", "before":\n'
                + json.dumps(event)
                + ',\n"after": '
                + json.dumps(event)
                + "}"
            )
        else:
            lines.append(json.dumps(message))
    if damaged_line is not None:
        lines.insert(damaged_line, '{"type": "end", "after": {"id": "cut off')
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("stretch_bytes", [700, 2500])
def test_big_files_are_cut_into_stretches_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stretch_bytes: int
) -> None:
    monkeypatch.setattr(stretches, "STRETCH_BYTES", stretch_bytes)
    files = [
        mqtt_capture(tmp_path / "capture.jsonl"),
        mqtt_capture(tmp_path / "damaged.jsonl", damaged_line=17),
        tmp_path / "tweets.jsonl",
    ]
    shutil.copy(samples_dir() / "social" / "twitter_v2_geo_tweets.jsonl", files[2])
    assert all((c := choose_connector(f, ReadOptions())).stretches(f) for f in files), c
    two = same_with_workers(files, tmp_path)
    assert [r.quarantined for r in two] == [0, 1, 0]


def test_stretches_start_where_records_start_and_count_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stretches, "STRETCH_BYTES", 1000)
    path = mqtt_capture(tmp_path / "capture.jsonl")
    data = path.read_bytes()
    cuts = line_stretches(path, b"{")
    assert cuts is not None and len(cuts) > 5
    assert cuts[0].start == 0 and cuts[-1].end == len(data)
    for before, after in itertools.pairwise(cuts):
        assert before.end == after.start and data[after.start - 1 : after.start + 1] == b"\n{"
        assert after.first_line == data[: after.start].count(b"\n") + 1
    monkeypatch.setattr(stretches, "STRETCH_BYTES", len(data))
    assert line_stretches(path, b"{") is None  # too small to be worth cutting


def alert_stream(path: Path, declared: bool = True, damaged_at: int | None = None) -> Path:
    """Forty alerts made from the Hikvision sample (each its own UUID and plate), as an
    HTTP listener appends them: with their XML declarations, or without; optionally one
    cut off in the middle."""
    sample = (samples_dir() / "cctv" / "hikvision_isapi_anpr_event.xml").read_text()
    body = sample.split("?>", 1)[1] if not declared else sample
    alerts = []
    for n in range(40):
        alert = body.replace("<UUID>2024", f"<UUID>{n:04d}").replace("PECT600", f"PECT{n:03d}")
        if n == damaged_at:
            alert = alert[: len(alert) // 2]
        alerts.append(alert.strip())
    path.write_text("\n".join(alerts) + "\n")
    return path


@pytest.mark.parametrize("stretch_bytes", [3000, 11000])
def test_concatenated_alerts_are_cut_between_alerts_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stretch_bytes: int
) -> None:
    monkeypatch.setattr(stretches, "STRETCH_BYTES", stretch_bytes)
    files = [
        alert_stream(tmp_path / "alerts.xml"),
        alert_stream(tmp_path / "bare.xml", declared=False),
        alert_stream(tmp_path / "damaged.xml", damaged_at=21),
    ]
    reader = HikvisionAnpr()
    for path in files:
        cuts = reader.stretches(path)
        assert cuts is not None and sum(c.records for c in cuts) == 40
    # Whole alerts read stretch by stretch; the cut-off one sends the file back whole.
    cuts = reader.stretches(files[0]) or []
    assert sum(len(list(reader.read_stretch(files[0], c))) for c in cuts) == 40
    with pytest.raises(StretchMisaligned):
        for cut in reader.stretches(files[2]) or []:
            list(reader.read_stretch(files[2], cut))
    two = same_with_workers(files, tmp_path)
    assert [r.read for r in two] == [40, 40, 40] and [r.quarantined for r in two] == [0, 0, 1]


def records_json(path: Path, style: str, damaged_at: int | None = None) -> Path:
    """Sixty fixes (the sample's, their times shifted) written the ways exporters do:
    one element a line, pretty-printed, or Takeout's `}, {` style."""
    sample = json.loads((samples_dir() / "travel" / "google_takeout_records.json").read_text())
    base = sample["locations"]
    fixes = []
    for n in range(60):
        fix = dict(base[n % len(base)])
        fix["latitudeE7"] = fix["latitudeE7"] + n
        fixes.append(fix)
    if style == "pretty":
        text = json.dumps({"locations": fixes}, indent=2)
    elif style == "takeout":
        parts = [json.dumps(f, indent=2).replace("\n", "\n  ") for f in fixes]
        text = '{\n  "locations": [' + ", ".join(parts) + "]\n}"
    else:
        text = '{"locations": [' + ",\n".join(json.dumps(f) for f in fixes) + "]}"
    if damaged_at is not None:
        broken = json.dumps(fixes[damaged_at])
        assert text.count(broken) == 1 or style != "lines"
        text = text.replace(broken, broken[:-9], 1)
    path.write_text(text)
    return path


@pytest.mark.parametrize("stretch_bytes", [1500, 6000])
def test_records_json_is_cut_between_elements_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stretch_bytes: int
) -> None:
    monkeypatch.setattr(stretches, "STRETCH_BYTES", stretch_bytes)
    files = [
        records_json(tmp_path / "lines.json", "lines"),
        records_json(tmp_path / "pretty.json", "pretty"),
        records_json(tmp_path / "takeout.json", "takeout"),
        records_json(tmp_path / "damaged.json", "lines", damaged_at=33),
    ]
    reader = GoogleLocationHistory()
    for path in files[:3]:
        cuts = reader.stretches(path)
        assert cuts is not None and sum(c.records for c in cuts) == 60, path.name
        assert sum(len(list(reader.read_stretch(path, c))) for c in cuts) == 60
    options = ReadOptions(owner="Sample Owner")
    two = same_with_workers(files, tmp_path, options)
    assert [r.read for r in two[:3]] == [60, 60, 60] and two[3].quarantined == 1


def mailbox(path: Path, unquoted_from: bool = False) -> Path:
    """The Takeout sample mailbox five times over (each copy's Message-IDs its own),
    optionally with a body line that starts with an unquoted "From " (mboxo writers)."""
    sample = (samples_dir() / "messages" / "gmail_takeout_small.mbox").read_text()
    copies = [sample.replace("Message-ID: <", f"Message-ID: <copy{n}.") for n in range(5)]
    if unquoted_from:
        copies[2] = copies[2].replace("\n\n", "\n\nFrom the desk of nobody in particular\n", 1)
    path.write_text("".join(copies))
    return path


@pytest.mark.parametrize("stretch_bytes", [4000, 12000])
def test_mailboxes_are_cut_at_separators_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stretch_bytes: int
) -> None:
    monkeypatch.setattr(stretches, "STRETCH_BYTES", stretch_bytes)
    files = [mailbox(tmp_path / "mail.mbox"), mailbox(tmp_path / "mboxo.mbox", True)]
    reader = Mbox(options=ReadOptions(owner="Sam Owner"))
    cuts = reader.stretches(files[0])
    assert cuts is not None and sum(c.records for c in cuts) == 30
    assert sum(len(list(reader.read_stretch(files[0], c))) for c in cuts) == 30
    two = same_with_workers(files, tmp_path, ReadOptions(owner="Sam Owner"))
    assert [r.read for r in two] == [30, 30]


def test_a_script_without_a_main_guard_ingests_once(tmp_path: Path) -> None:
    """Workers do not run the caller's main module again (nor an app that made itself
    `__main__`, as Streamlit's runner does)."""
    script, ledger = tmp_path / "ingest_it.py", tmp_path / "ledger"
    script.write_text(
        "from pathlib import Path\n"
        "from ingest.ledger import Ledger\n"
        "from ingest.pipeline import ingest_paths\n"
        f"samples, ledger = Path({str(samples_dir())!r}), Ledger(Path({str(ledger)!r}))\n"
        "reports = ingest_paths([samples], ledger, workers=2)\n"
        "print('reports', len(reports))\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=REPO
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("reports") == 1, done.stdout
