"""Per-connector ingest speed and peak memory against a bare parse of the same file.

`python -m bench.connectors_bench PATH...` measures each file, or each folder of files of
one format as a whole (as an analyst ingests a folder of exports: costs paid once a run
spread over its files), in fresh processes; `--records-gb N` first writes a synthetic
Takeout Records.json of N GB, the case the memory goal (peak under 1 GB for a 1 GB file)
is about.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import BENCH_DIR, Report, Row
from ingest.connectors.base import ReadOptions
from ingest.pipeline import choose_connector, expand_paths

START = datetime(2025, 1, 1, tzinfo=UTC)


def measure(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.child", *args], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_path(path: Path, report: Report) -> None:
    """One file, or a folder of files of one format, against the bare parse of the same."""
    files = expand_paths([path])
    formats = {choose_connector(f, ReadOptions()).name for f in files}
    if len(formats) != 1:
        raise SystemExit(f"{path}: the files are of {len(formats)} formats; name one format")
    [connector] = formats
    bare = measure("bare", connector, str(path))
    ledger = BENCH_DIR / "connector-ledger"
    shutil.rmtree(ledger, ignore_errors=True)
    ours = measure("ingest", str(path), str(ledger))
    size_mb = sum(f.stat().st_size for f in files) / 1e6
    name = f"{path.name}{'/' if path.is_dir() else ''}"
    counts = f"{len(files)} files, {size_mb:,.0f} MB, {ours['records']:,} records"
    what = f"{connector} {name} ({counts})"
    # Both rates count the records the ingest read: a bare parse of some layouts counts
    # other units (a Timeline export's segments, not the visits and points in them), and
    # the question is how long the same files take.
    report.add(
        Row(
            f"{what} speed",
            ours["records"] / ours["seconds"],
            ours["records"] / bare["seconds"],
            "records/s",
            ">= 0.5x",
        )
    )
    report.add(
        Row(f"{what} peak memory", ours["peak_mb"], bare["peak_mb"], "MB", "< 1 GB for 1 GB")
    )


def write_records_json(path: Path, gigabytes: float, seed: int = 5) -> None:
    """A Takeout Records.json of about the given size, written streaming."""
    rng = random.Random(seed)
    target = int(gigabytes * 1e9)
    written = 0
    with path.open("w", encoding="utf-8") as fp:
        fp.write('{"locations": [')
        first = True
        while written < target:
            record = {
                "latitudeE7": 523000000 + rng.randrange(200000),
                "longitudeE7": 48000000 + rng.randrange(200000),
                "accuracy": rng.randrange(3, 60),
                "source": "WIFI",
                "deviceTag": 1234567,
                "timestamp": _timestamp(rng),
            }
            text = ("" if first else ",\n") + json.dumps(record)
            fp.write(text)
            written += len(text)
            first = False
        fp.write("]}")


def _timestamp(rng: random.Random) -> str:
    moment = START + timedelta(seconds=rng.randrange(180 * 86400), milliseconds=rng.randrange(1000))
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--records-gb", type=float, default=0.0)
    args = parser.parse_args()
    report = Report()
    paths = list(args.paths)
    if args.records_gb:
        big = BENCH_DIR / "Records.json"
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        write_records_json(big, args.records_gb)
        paths.append(big)
    for path in paths:
        bench_path(path, report)
    report.print()


if __name__ == "__main__":
    main()
