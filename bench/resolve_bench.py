"""Resolving person records: ours against plain Splink with the same model, same run.

`python -m bench.resolve_bench --records 1000000 [--seed 1]` generates the labelled
records once (cached under bench/out, see `bench.person_records`), then resolves them
twice, each in a fresh child process so that its peak memory is its own:

- baseline: plain Splink on DuckDB — the frame `model_input` prepares from the same
  columns (names, date of birth, phone, e-mail, document, city), a `Linker` with the same
  `settings()` (comparisons, fixed weights, blocking rules), `predict` at 0.9 and
  Splink's connected components at 0.9;
- ours: `resolve_records_csv`, reading and checking the CSV, scoring with the same model
  and clustering under date-of-birth constraints, writing `record_id,cluster_id`.

Both are timed end to end from the CSV to the cluster file, and scored pairwise against
`true_id`: precision (pairs put together that are one person), recall (pairs of one
person put together) and F1. Goals: under 10 minutes and under 8 GB on a million records.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from bench.common import BENCH_DIR, Report, Row
from bench.person_records import cached

GOAL_SECONDS = 600
GOAL_MB = 8 * 1024
THRESHOLD = 0.9


@dataclass(frozen=True)
class Scores:
    """Pairwise scores of a clustering against the truth."""

    true_pairs: int
    predicted_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __str__(self) -> str:
        return (
            f"precision {self.precision:.4f}, recall {self.recall:.4f}, F1 {self.f1:.4f} "
            f"({self.correct_pairs:,} of {self.predicted_pairs:,} predicted pairs correct, "
            f"{self.true_pairs:,} true pairs)"
        )


def _pairs(sizes: pd.Series) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def pairwise(predicted: pd.Series, truth: pd.Series) -> Scores:
    """Scores of `predicted` cluster labels against `truth` labels (aligned Series)."""
    both = pd.DataFrame({"p": predicted.to_numpy(), "t": truth.to_numpy()})
    return Scores(
        true_pairs=_pairs(both.groupby("t").size()),
        predicted_pairs=_pairs(both.groupby("p").size()),
        correct_pairs=_pairs(both.groupby(["p", "t"]).size()),
    )


def score_clusters(clusters_csv: Path, labels: pd.DataFrame) -> Scores:
    """A `record_id,cluster_id` file against the labels; records it lacks (quarantined)
    are clusters of their own."""
    clusters = pd.read_csv(clusters_csv, dtype=str).set_index("record_id")["cluster_id"]
    predicted = labels.record_id.map(clusters).fillna("alone:" + labels.record_id)
    return pairwise(predicted, labels.true_id)


# -- the two measured runs (each in a child process) ------------------------------------


def run_ours(records_csv: Path, out: Path) -> dict[str, Any]:
    from ingest.resolve.records import resolve_records_csv

    report = resolve_records_csv(records_csv, "record_id", out)
    return {"read": report.read, "quarantined": report.quarantined, "clusters": report.clusters}


def run_splink(records_csv: Path, out: Path) -> dict[str, Any]:
    """Plain Splink: the same prepared frame and settings, Splink's own clustering."""
    from splink import DuckDBAPI, Linker

    from ingest.resolve.prepare import model_input
    from ingest.resolve.scoring import settings

    table = pd.read_csv(records_csv, dtype=str, keep_default_na=False)
    names = (table.given_name + " " + table.surname).str.strip()
    identifiers = [
        [f"phone:{p}"] * bool(p) + [f"email:{e.lower()}"] * bool(e)
        for p, e in zip(table.phone, table.email, strict=True)
    ]
    documents = [[f"doc:{d.upper()}"] if d else [] for d in table.document]
    births = table.date_of_birth.where(table.date_of_birth != "", None)
    addresses = [(None, city or None) for city in table.city]
    frame, _alone = model_input(table.record_id, names, births, identifiers, documents, addresses)
    del table, identifiers, documents, addresses
    api = DuckDBAPI()
    linker = Linker(api.register(frame), settings(), log_level=None)
    predictions = linker.inference.predict(threshold_match_probability=THRESHOLD)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, THRESHOLD)
    found = clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]]
    found.columns = ["record_id", "cluster_id"]
    found.to_csv(out, index=False)
    return {"read": len(frame), "quarantined": 0, "clusters": int(found.cluster_id.nunique())}


RUNS = {"ours": run_ours, "splink": run_splink}


def child(which: str, records_csv: Path, out: Path) -> None:
    """`python -m bench.resolve_bench --child WHICH CSV OUT`: one run, one JSON line."""
    started = time.perf_counter()
    result = RUNS[which](records_csv, out)
    result["seconds"] = time.perf_counter() - started
    result["peak_mb"] = peak_mb()
    print(json.dumps(result))


def peak_mb() -> float:
    """This process's own peak RSS. Not `ru_maxrss`: a child started by subprocess
    inherits its parent's high-water mark there, so it would report the parent's peak."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kb = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kb) / 1024


def measure(which: str, records_csv: Path, out: Path) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.resolve_bench", "--child", which]
    done = subprocess.run(
        [*command, str(records_csv), str(out)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"{which} run failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run(records: int, seed: int, report: Report) -> dict[str, Scores]:
    records_csv = cached(BENCH_DIR, records, seed)
    labels = pd.read_csv(records_csv, dtype=str, usecols=["record_id", "true_id"])
    results, scores = {}, {}
    for which in ("splink", "ours"):
        print(f"resolving {records:,} records: {which} ...", flush=True)
        out = BENCH_DIR / f"clusters-{which}-{records}-{seed}.csv"
        results[which] = measure(which, records_csv, out)
        scores[which] = score_clusters(out, labels)
        r = results[which]
        print(
            f"  {which}: {r['seconds']:,.1f} s, peak RSS {r['peak_mb']:,.0f} MB, "
            f"{r['clusters']:,} clusters, {r['quarantined']:,} quarantined; {scores[which]}",
            flush=True,
        )
    _add_rows(report, records, results, scores)
    return scores


def _add_rows(
    report: Report, records: int, results: dict[str, Any], scores: dict[str, Scores]
) -> None:
    ours, base = results["ours"], results["splink"]
    what = f"resolve {records:,} person records"
    report.add(Row(f"{what}: wall time", ours["seconds"], base["seconds"], "s", "< 600 s"))
    report.add(Row(f"{what}: peak RSS", ours["peak_mb"], base["peak_mb"], "MB", "< 8,192 MB"))
    for name in ("precision", "recall", "f1"):
        ours_pct, base_pct = (100 * getattr(scores[w], name) for w in ("ours", "splink"))
        report.add(Row(f"{what}: pairwise {name}", ours_pct, base_pct, "%"))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    report = Report()
    run(args.records, args.seed, report)
    report.print()
    ours = next(r for r in report.rows if r.what.endswith("wall time"))
    peak = next(r for r in report.rows if r.what.endswith("peak RSS"))
    met = ours.ours < GOAL_SECONDS and peak.ours < GOAL_MB
    print(f"\ngoal (< {GOAL_SECONDS} s and < {GOAL_MB:,} MB): {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
