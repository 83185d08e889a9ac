"""The scale-out path: the same resolution on Spark (local[2], loopback only) as on DuckDB."""

from __future__ import annotations

import shutil
from pathlib import Path

from ingest.ledger import Ledger
from ingest.resolve.run import resolve_ledger
from tests.ingest.resolve.conftest import Scenario


def test_spark_clusters_match_duckdb(person_scenario: Scenario, tmp_path: Path) -> None:
    runs = {}
    for engine in ("duckdb", "spark"):
        copy = tmp_path / engine
        shutil.copytree(person_scenario.ledger_root, copy)
        report = resolve_ledger(Ledger(copy), engine)
        runs[engine] = dict(
            zip(report.assignments.profile_id, report.assignments.subject_ref, strict=True)
        )
    assert runs["spark"] == runs["duckdb"]
    assert len(set(runs["spark"].values())) < len(runs["spark"])  # records were linked
