"""Reading files in worker processes: the ledger is exactly what one process writes, in
file order, whatever the number of workers (real samples, real ledger, real processes)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from ingest.connectors.base import ReadOptions
from ingest.jobs import FileReport
from ingest.ledger import Ledger
from ingest.mapping import shipped_mapping
from ingest.mapping.connector import mapping_factory
from ingest.pipeline import ingest_paths
from ingest.workers import PARALLEL_MIN_BYTES, worker_count
from tests.conftest import samples_dir

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
    alone, shared = Ledger(tmp_path / "one"), Ledger(tmp_path / "two")
    one = ingest_paths([folder], alone, workers=1)
    two = ingest_paths([folder], shared, workers=2)
    assert outcome(two) == outcome(one)
    assert ledger_content(shared) == ledger_content(alone)
    statuses = {r.path.name: r.status for r in two}
    # The same alert twice: the first in file order ("copy.xml") is read, the other not.
    assert statuses["copy.xml"] == "ingested"
    assert statuses["hikvision_isapi_anpr_event.xml"] == "unchanged"
    assert statuses["notes.txt"] == "failed"
    assert sum(s == "ingested" for s in statuses.values()) == len(ledger_content(shared))


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
    one = ingest_paths(files, Ledger(tmp_path / "one"), options, None, factory, workers=1)
    two = ingest_paths(files, Ledger(tmp_path / "two"), options, None, factory, workers=2)
    assert [r.status for r in two] == ["ingested", "unchanged"]
    assert outcome(two) == outcome(one)
    assert ledger_content(Ledger(tmp_path / "two")) == ledger_content(Ledger(tmp_path / "one"))


def test_worker_count_starts_workers_only_when_they_repay(tmp_path: Path) -> None:
    small = [tmp_path / "a", tmp_path / "b"]
    for path in small:
        path.write_bytes(b"x")
    assert worker_count(small, None) == 1  # too little to read to pay for new processes
    assert worker_count(small[:1], 4) == 1  # never more workers than files
    assert worker_count(small, 2) == 2
    big = tmp_path / "big"
    with big.open("wb") as fp:
        fp.truncate(PARALLEL_MIN_BYTES)
    assert worker_count([big, *small], None) >= 1
