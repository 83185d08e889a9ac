"""The benchmark's measuring child: it reads what the connector reads and reports the
memory of the ingest together with its workers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import samples_dir

REPO = Path(__file__).resolve().parents[2]


def measure(*args: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.child", *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_child_measures_the_same_records_as_the_bare_parse(tmp_path: Path) -> None:
    sample = samples_dir() / "cctv" / "frigate_api_events_front_door.json"
    bare = measure("bare", "frigate-api", str(sample))
    ours = measure("ingest", str(sample), str(tmp_path / "ledger"))
    assert bare["records"] == ours["records"] == 50
    assert ours["connector"] == "frigate-api"
    # A Python process with pyarrow loaded holds tens of megabytes; zero would mean the
    # sampler saw nothing.
    assert 20 < ours["peak_mb"] < 2000 and ours["seconds"] > 0


def test_a_folder_is_measured_as_one_run(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    sample = samples_dir() / "cctv" / "frigate_api_events_front_door.json"
    events = json.loads(sample.read_text(encoding="utf-8"))
    for n in range(3):  # three files of one format, other events each
        renamed = [{**e, "id": f"{n}-{e['id']}"} for e in events]
        (folder / f"{n}.json").write_text(json.dumps(renamed), encoding="utf-8")
    bare = measure("bare", "frigate-api", str(folder))
    ours = measure("ingest", str(folder), str(tmp_path / "ledger"))
    assert bare["records"] == ours["records"] == 150
    assert ours["connector"] == "frigate-api"
