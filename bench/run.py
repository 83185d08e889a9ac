"""Run every benchmark: `python -m bench.run [--scale small] [--query-scale medium]`.

Ingest and load are measured on `--scale`; query latency on a graph built from
`--query-scale` (medium: over 1M detections). Neo4j is the real server the tests use.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import neo4j

from bench import ingest_bench, load_bench, query_bench
from bench.common import Report, peak_rss_mb, scenario
from graph.embedded import EmbeddedStore
from graph.neo4j_store import Neo4jStore
from ingest.ledger import Ledger
from schemas.model import default_model
from tests.support.neo4j_server import Neo4jServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="small")
    parser.add_argument("--query-scale", default="medium")
    parser.add_argument("--skip-neo4j", action="store_true")
    parser.add_argument(
        "--neo4j-page-cache",
        default="4g",
        help="Neo4j page cache (server.memory.pagecache.size); Neo4j advises the size of "
        "the store, about 3 GB for the medium graph (the tests use 256m)",
    )
    args = parser.parse_args()
    report = Report()
    with Neo4jServer(page_cache=args.neo4j_page_cache) as server:
        driver = neo4j.GraphDatabase.driver(server.uri, auth=None, notifications_min_severity="OFF")
        for scale, phase in ((args.scale, "load"), (args.query_scale, "query")):
            _phase(scale, phase, report, None if args.skip_neo4j else driver)
        driver.close()
    report.print()
    print(f"\npeak RSS of the benchmark process: {peak_rss_mb():,.0f} MB")


def _phase(scale: str, phase: str, report: Report, driver: neo4j.Driver | None) -> None:
    print(f"\n== {phase} phase on the {scale} scenario", flush=True)
    scenario_dir = scenario(scale)
    ledger = (
        ingest_bench.run(scenario_dir, report, one_worker_too=True)
        if phase == "load"
        else _ingest_quietly(scenario_dir)
    )
    graph_path = load_bench.run_embedded(ledger, report, with_baseline=phase == "load")
    if driver is not None and phase == "load":
        load_bench.run_neo4j(ledger, driver, report)
    elif driver is not None:
        load_bench.load_neo4j(ledger, driver, report)
    if phase == "query":
        store = EmbeddedStore(graph_path, default_model(), read_only=True)
        query_bench.run(store, scenario_dir, report)
        store.close()
        if driver is not None:
            query_bench.run(Neo4jStore(driver, default_model()), scenario_dir, report)


def _ingest_quietly(scenario_dir: Path) -> Ledger:
    return ingest_bench.run(scenario_dir, Report())


if __name__ == "__main__":
    main()
