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


def run(scenario_dir: Path, report: Report) -> Ledger:
    """Ingest every kind of file, timing each kind against its bare parse."""
    ledger_root = BENCH_DIR / "ledger"
    shutil.rmtree(ledger_root, ignore_errors=True)
    ledger = Ledger(ledger_root)
    for connector, (folder, bare) in BARE.items():
        files = sorted((scenario_dir / "cctv" / folder).glob("*"))
        with stopwatch() as bare_time:
            bare_records = sum(bare(f) for f in files)
        with stopwatch() as ours_time:
            reports = ingest_paths(files, ledger)
        read = sum(r.read for r in reports)
        assert read == bare_records, (
            f"{connector}: read {read} but the bare parse saw {bare_records}"
        )
        report.add(
            Row(
                f"ingest {connector} ({read:,} records)",
                read / ours_time(),
                bare_records / bare_time(),
                "records/s",
                ">= 0.5x",
            )
        )
    return ledger
