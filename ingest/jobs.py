"""One file's way into the ledger: plan (hash, sniff, already there?), stage, publish.

The steps are separate so that the reading in the middle, the costly part, can run in a
worker process while this process keeps the ledger's order (`ingest.workers`).
"""

from __future__ import annotations

import gc
import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ingest.connectors.base import SNIFF_BYTES, Connector, ReadOptions
from ingest.connectors.registry import CONNECTORS
from ingest.errors import UnknownFormat, UnreadableSource
from ingest.ledger import BatchManifest, Ledger, SourceFile, StagedBatch, batch_id_of
from ingest.records import Rejected, SourceRecord

Status = Literal["ingested", "unchanged", "changed", "failed"]


@dataclass(frozen=True)
class FileReport:
    path: Path
    status: Status
    connector: str = ""
    read: int = 0
    accepted: int = 0
    quarantined: int = 0
    batch_id: str = ""
    message: str = ""
    hint: str = ""  # what to do, shared by many reports (printed once)
    purged: int = 0  # records a retention purge took out since (see `ingest.retention`)


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, plus every file under named folders, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and _visible(p)))
        else:
            found.append(path)
    return found


def _visible(path: Path) -> bool:
    return not any(part.startswith(".") for part in path.parts[-1:])


def describe_source(path: Path) -> SourceFile:
    """Hash a file; unreadable paths raise with what to check."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fp:
            size = 0
            while chunk := fp.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
    except FileNotFoundError:
        raise UnreadableSource(path, "no such file; check the path") from None
    except IsADirectoryError:
        raise UnreadableSource(path, "is a folder") from None
    except PermissionError:
        raise UnreadableSource(path, "permission denied; check the file's owner and mode") from None
    except OSError as exc:
        raise UnreadableSource(path, exc.strerror or str(exc)) from None
    return SourceFile(path, digest.hexdigest(), size)


def choose_connector(path: Path, options: ReadOptions) -> Connector:
    """Pick the connector from the file's first bytes, not its name."""
    with path.open("rb") as fp:
        head = fp.read(SNIFF_BYTES)
    for connector in CONNECTORS:
        if connector.sniff(head):
            return connector(options=options)
    raise UnknownFormat(path, [c.title for c in CONNECTORS])


ConnectorFactory = Callable[[Path, ReadOptions], Connector]
Progress = Callable[[int], None]  # told how many more records were read


@dataclass(frozen=True)
class FileJob:
    """A file whose content the ledger does not hold yet: to be read into a new batch."""

    path: Path
    source: SourceFile
    connector: Connector
    batch_id: str
    previous: list[BatchManifest]


def plan_file(
    path: Path, ledger: Ledger, options: ReadOptions, connector_for: ConnectorFactory
) -> FileJob | FileReport:
    """Hash and sniff one file: a job to read it, or its final report (failed, unchanged)."""
    try:
        source = describe_source(path)
        connector = connector_for(path, options)
    except UnknownFormat as exc:
        return FileReport(path, "failed", message=str(exc), hint=exc.hint)
    except UnreadableSource as exc:
        return FileReport(path, "failed", message=str(exc))
    batch_id = batch_id_of(source, connector.name, connector.version)
    job = FileJob(path, source, connector, batch_id, ledger.previous_versions(source))
    return already_held(ledger, job) or job


def already_held(ledger: Ledger, job: FileJob) -> FileReport | None:
    """The report of a file whose content the ledger already holds, else None."""
    existing = ledger.find(job.source, job.connector.name, job.connector.version)
    if existing is None:
        return None
    return _report(job.path, "unchanged", existing, "already in the ledger; nothing changed")


def stage_file(ledger: Ledger, job: FileJob, progress: Progress | None = None) -> StagedBatch:
    """Read the file into a staged batch (in this process or a worker's)."""
    items = job.connector.read(job.path)
    if progress is not None:
        items = _counting(items, progress)
    with sparse_gc():
        return ledger.stage_batch(job.source, job.connector.name, job.connector.version, items)


@contextmanager
def sparse_gc() -> Iterator[None]:
    """Collect cycles rarely while records are read. Reading allocates a stream of small
    objects (element trees, tuples, dicts) freed by reference counting, none in cycles;
    with the default thresholds the collector scans them every 700 allocations, which
    cost a quarter of the time of an XML source. Cycles are still collected, later."""
    before = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def published(job: FileJob, manifest: BatchManifest) -> FileReport:
    if job.previous:
        message = f"content changed since batch {job.previous[-1].batch_id}"
        return _report(job.path, "changed", manifest, message)
    return _report(job.path, "ingested", manifest, "")


# A group of staged batches is published together once it is this large or this old:
# one flush to disk for the group, while a batch still shows within about a second.
GROUP_FILES = 64
GROUP_SECONDS = 1.0


class Publisher:
    """Publishes staged batches in file order, a group at a time, so that a folder of
    small files (one alert or one day's track each) pays for the flush to disk once a
    group, not once a file (500 one-event files: 9 flushes, not 500; about 1.3x faster
    here, where creating the batch files costs more than flushing them)."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.waiting: list[tuple[FileJob | FileReport, StagedBatch | None]] = []
        self.batch_ids: set[str] = set()
        self.since = 0.0

    def add(self, plan: FileJob | FileReport, staged: StagedBatch | None = None) -> None:
        """A file's report, or its job with the batch staged for it, in file order."""
        if not self.waiting:
            self.since = time.monotonic()
        self.waiting.append((plan, staged))
        if staged is not None:
            self.batch_ids.add(staged.batch_id)

    def holds(self, batch_id: str) -> bool:
        """Whether a batch of that id waits here (the same content staged for another
        path): publish first, and the copy is then found unchanged."""
        return batch_id in self.batch_ids

    @property
    def due(self) -> bool:
        return len(self.waiting) >= GROUP_FILES or (
            bool(self.waiting) and time.monotonic() - self.since >= GROUP_SECONDS
        )

    def publish(self) -> list[FileReport]:
        """Publish what waits; the reports of its files, in order."""
        manifests = iter(self.ledger.publish_all([s for _, s in self.waiting if s is not None]))
        reports = [
            plan if isinstance(plan, FileReport) else published(plan, next(manifests))
            for plan, _ in self.waiting
        ]
        self.waiting, self.batch_ids = [], set()
        return reports

    def publish_if_due(self) -> list[FileReport]:
        return self.publish() if self.due else []


def _report(path: Path, status: Status, manifest: BatchManifest, message: str) -> FileReport:
    return FileReport(
        path,
        status,
        manifest.connector,
        manifest.read,
        manifest.accepted,
        manifest.quarantined,
        manifest.batch_id,
        message,
        purged=manifest.purged,
    )


def _counting(
    items: Iterable[SourceRecord | Rejected], progress: Progress
) -> Iterator[SourceRecord | Rejected]:
    for item in items:
        progress(1)
        yield item
