"""Named-query latency p50 / p95 against an indexed id lookup measured in the same run."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from bench.common import Report, Row, percentiles
from graph import queries
from graph.store import GraphStore
from schemas.model import default_model


def sample_vehicles(scenario_dir: Path, count: int = 25, seed: int = 1) -> list[str]:
    """Ids of vehicles people drive (they have the long timelines analysts open)."""
    truth = json.loads((scenario_dir / "ground_truth.json").read_text())
    model = default_model()
    ids = sorted(
        {
            model.entity_id("Vehicle", {"plate": d["plate"], "country": d["country"]})
            for d in truth["drives"]
        }
    )
    return random.Random(seed).sample(ids, min(count, len(ids)))


def _latencies(call: Callable[[str], object], ids: list[str], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        for node_id in ids:
            start = time.perf_counter()
            call(node_id)
            samples.append((time.perf_counter() - start) * 1000)
    return samples


def run(store: GraphStore, scenario_dir: Path, report: Report, rounds: int = 4) -> None:
    ids = sample_vehicles(scenario_dir)
    events = store.read("MATCH (s:Sighting) RETURN count(s)").rows[0][0]
    lookup = _latencies(
        lambda i: store.read("MATCH (v:Vehicle {id: $id}) RETURN v.id", {"id": i}), ids, rounds
    )
    base50, base95 = percentiles(lookup)
    sizes = [len(queries.timeline(store, i)) for i in ids]
    timeline = _latencies(lambda i: queries.timeline(store, i), ids, rounds)
    t50, t95 = percentiles(timeline)
    label = f"{store.dialect}, {events:,} sightings"
    report.add(
        Row(
            f"timeline p50 ({label}; ~{sum(sizes) // len(sizes)} events each)",
            t50,
            base50,
            "ms",
            "report",
        )
    )
    report.add(Row(f"timeline p95 ({label})", t95, base95, "ms", "< 50 ms"))
    co = _latencies(lambda i: queries.co_presence(store, i, timedelta(minutes=10)), ids, 1)
    c50, c95 = percentiles(co)
    report.add(Row(f"co-presence p50 ({label}, 10 min window)", c50, base50, "ms", "report"))
    report.add(Row(f"co-presence p95 ({label})", c95, base95, "ms", "report"))
