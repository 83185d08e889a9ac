"""Ingest records/s per connector against a bare parse of the same files in the same run."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from bench.baselines import BARE_PARSE
from bench.common import BENCH_DIR, Report, Row, stopwatch
from ingest.ledger import Ledger
from ingest.pipeline import ingest_paths

BARE: dict[str, tuple[str, Callable[[Path], int]]] = {
    name: (folder, BARE_PARSE[name])
    for name, folder in (
        ("frigate-api", "frigate"),
        ("frigate-mqtt", "frigate-mqtt"),
        ("hikvision-isapi-anpr", "hikvision"),
    )
}


def run(scenario_dir: Path, report: Report, one_worker_too: bool = False) -> Ledger:
    """Ingest every kind of file, timing each kind against its bare parse: as `dossier
    ingest` does by default (a worker process per CPU) and, with `one_worker_too`, also
    read in one process, to show what the workers add."""
    ledger_root = BENCH_DIR / "ledger"
    shutil.rmtree(ledger_root, ignore_errors=True)
    ledger = Ledger(ledger_root)
    for connector, (folder, bare) in BARE.items():
        files = sorted((scenario_dir / "cctv" / folder).glob("*"))
        with stopwatch() as bare_time:
            bare_records = sum(bare(f) for f in files)
        bare_rate = bare_records / bare_time()
        read = _timed_ingest(files, ledger, None, bare_records, connector)
        report.add(
            Row(
                f"ingest {connector} ({read[0]:,} records)",
                read[1],
                bare_rate,
                "records/s",
                ">= 0.5x",
            )
        )
        if one_worker_too:
            scratch = BENCH_DIR / "ledger-one-worker"
            shutil.rmtree(scratch, ignore_errors=True)
            alone = _timed_ingest(files, Ledger(scratch), 1, bare_records, connector)
            report.add(
                Row(f"ingest {connector}, one process", alone[1], bare_rate, "records/s", "")
            )
    return ledger


def _timed_ingest(
    files: list[Path], ledger: Ledger, workers: int | None, expected: int, connector: str
) -> tuple[int, float]:
    """(records read, records/s)."""
    with stopwatch() as took:
        reports = ingest_paths(files, ledger, workers=workers)
    read = sum(r.read for r in reports)
    assert read == expected, f"{connector}: read {read} but the bare parse saw {expected}"
    return read, read / took()
