"""Ingest: files in, ledger batches out, with a report per file.

Decides per file whether it is new, unchanged (same content already in the ledger) or
changed (same path, new content), picks the connector by sniffing the content, and
writes one batch. Problems with a whole file become a failed report, never a crash of
the run, so one bad file in a folder does not stop the others.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ingest.connectors.base import ReadOptions
from ingest.jobs import (
    ConnectorFactory,
    FileJob,
    FileReport,
    Progress,
    Publisher,
    already_held,
    choose_connector,
    describe_source,
    expand_paths,
    plan_file,
    stage_file,
)
from ingest.ledger import Ledger
from ingest.workers import FilePool, worker_count

__all__ = ["FileReport", "choose_connector", "describe_source", "expand_paths"]


def ingest_paths(
    paths: Iterable[Path],
    ledger: Ledger,
    options: ReadOptions | None = None,
    progress: Progress | None = None,
    connector_for: ConnectorFactory = choose_connector,
    workers: int | None = None,
) -> list[FileReport]:
    """Ingest files and folders, one batch per new file, reports in the order of the files.

    `workers` processes read files side by side (default: one per CPU once the files are
    big enough to repay starting them); batches are published in file order all the same,
    so the ledger is the same whatever the number of workers."""
    files = expand_paths(paths)
    chosen = options or ReadOptions()
    count = worker_count(files, workers)
    if count <= 1:
        return _ingest_in_turn(files, ledger, chosen, progress, connector_for)
    plans = (plan_file(p, ledger, chosen, connector_for) for p in files)
    with FilePool(ledger, count, progress) as pool:
        return list(pool.run(plans))


def _ingest_in_turn(
    files: list[Path],
    ledger: Ledger,
    options: ReadOptions,
    progress: Progress | None,
    connector_for: ConnectorFactory,
) -> list[FileReport]:
    """Read the files one after another in this process, publishing them in groups."""
    publisher = Publisher(ledger)
    reports: list[FileReport] = []
    for path in files:
        plan = plan_file(path, ledger, options, connector_for)
        if isinstance(plan, FileJob) and publisher.holds(plan.batch_id):
            reports += publisher.publish()
            plan = already_held(ledger, plan) or plan
        if isinstance(plan, FileReport):
            publisher.add(plan)
        else:
            publisher.add(plan, stage_file(ledger, plan, progress))
        reports += publisher.publish_if_due()
    return reports + publisher.publish()
