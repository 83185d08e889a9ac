"""Ingest records/s per connector against a bare parse of the same files in the same run."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from bench.common import BENCH_DIR, Report, Row, stopwatch
from ingest.ledger import Ledger
from ingest.pipeline import ingest_paths

_XML_DECL = re.compile(r"<\?xml[^>]*\?>")


def bare_frigate_api(path: Path) -> int:
    with path.open(encoding="utf-8") as fp:
        return len(json.load(fp))


def bare_jsonl(path: Path) -> int:
    with path.open(encoding="utf-8") as fp:
        return sum(1 for line in fp if line.strip() and json.loads(line) is not None)


def bare_hikvision(path: Path) -> int:
    """The cheapest correct read of concatenated alerts: split, then parse each."""
    text = path.read_text(encoding="utf-8")
    alerts = [a for a in _XML_DECL.split(text) if a.strip()]
    return sum(1 for a in alerts if ET.fromstring(a) is not None)


BARE: dict[str, tuple[str, Callable[[Path], int]]] = {
    "frigate-api": ("frigate", bare_frigate_api),
    "frigate-mqtt": ("frigate-mqtt", bare_jsonl),
    "hikvision-isapi-anpr": ("hikvision", bare_hikvision),
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
