"""Timing helpers and the result table every benchmark prints."""

from __future__ import annotations

import os
import resource
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ingest.scenario import generate

SCENARIOS_DIR = Path(__file__).resolve().parent / "out"
# Work folders (ledgers, graphs) can be moved so that two benchmarks run side by side
# without sharing them; generated scenarios stay in one place and are reused.
BENCH_DIR = Path(os.environ.get("DOSSIER_BENCH_OUT") or SCENARIOS_DIR)


@dataclass
class Row:
    what: str
    ours: float
    baseline: float
    unit: str
    goal: str = ""

    @property
    def ratio(self) -> float:
        return self.ours / self.baseline if self.baseline else float("nan")


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)

    def add(self, row: Row) -> None:
        self.rows.append(row)
        print(_line(row), flush=True)

    def print(self) -> None:
        print("\n| measurement | ours | baseline | ratio | goal |")
        print("|---|---|---|---|---|")
        for row in self.rows:
            print(
                f"| {row.what} | {row.ours:,.1f} {row.unit} | {row.baseline:,.1f} {row.unit} "
                f"| {row.ratio:.2f}x | {row.goal} |"
            )


def _line(row: Row) -> str:
    return (
        f"{row.what}: ours {row.ours:,.1f} {row.unit}, "
        f"baseline {row.baseline:,.1f}, ratio {row.ratio:.2f}"
    )


@contextmanager
def stopwatch() -> Iterator[Callable[[], float]]:
    start = time.perf_counter()
    elapsed: list[float] = []
    yield lambda: elapsed[0] if elapsed else time.perf_counter() - start
    elapsed.append(time.perf_counter() - start)


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scenario(scale: str, seed: int = 7) -> Path:
    """A generated scenario, kept between runs (generation is deterministic per seed)."""
    out = SCENARIOS_DIR / f"scenario-{scale}-{seed}"
    if not (out / "ground_truth.json").exists():
        print(f"generating {scale} scenario into {out} ...", flush=True)
        generate(out, scale, seed)
    return out
