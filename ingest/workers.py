"""Read files in worker processes; publish their batches here, in the order of the files.

Reading (parsing, normalising, writing the staged Parquet tables) is nearly all the work
of an ingest and each file's is independent, so worker processes do it side by side.
A big file whose connector can cut it (`Connector.stretches`) is read by all workers,
a stretch each, and its parts are written into the batch here in order. Publishing stays
in this process, one batch after the other in file order: sequence numbers, and so the
ledger, are the same whatever the number of workers. At most two files (or stretches)
per worker are under way, so memory stays bounded on a folder or a file of any size.
"""

from __future__ import annotations

import multiprocessing
import os
import select
import sys
import threading
import types
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from ingest.batchparts import BatchPart, PartBuilder
from ingest.connectors.base import Connector
from ingest.jobs import (
    FileJob,
    FileReport,
    Progress,
    Publisher,
    already_held,
    sparse_gc,
    stage_file,
)
from ingest.ledger import Ledger, StagedBatch
from ingest.stretches import Stretch, StretchMisaligned

# Below this much input, starting the workers (about half a second: each imports pyarrow
# and the model) costs more than sharing the reading saves.
PARALLEL_MIN_BYTES = 16 << 20

Pending = tuple[FileJob | FileReport, "_Reading | None"]


def worker_count(files: list[Path], requested: int | None) -> int:
    """`requested` workers, or by default one per usable CPU once there is enough to read
    to repay starting them (one big file counts: its stretches are read side by side)."""
    if requested is not None:
        return max(1, requested)
    if not files or sum(_size(f) for f in files) < PARALLEL_MIN_BYTES:
        return 1
    return len(os.sched_getaffinity(0))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # the plan reports it as unreadable


class FilePool:
    def __init__(self, ledger: Ledger, workers: int, progress: Progress | None = None) -> None:
        self.ledger = ledger
        self.progress = progress
        self.window = 2 * workers
        # forkserver, not fork: the caller may run threads (a progress display), and a
        # forked child would inherit their locks in whatever state they were.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["ingest.workers"])
        with _main_hidden():
            self.executor = ProcessPoolExecutor(
                workers, mp_context=context, initializer=_die_with, initargs=(os.getpid(),)
            )
            # Start every worker now, while the main module is hidden; the pool starts
            # no others later (a worker that dies breaks the pool instead).
            wait([self.executor.submit(_started) for _ in range(workers)])

    def __enter__(self) -> FilePool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.executor.shutdown(wait=True, cancel_futures=error is not None)

    def run(self, plans: Iterable[FileJob | FileReport]) -> Iterator[FileReport]:
        """The report of every planned file, in plan order."""
        pending: deque[Pending] = deque()
        staging: set[str] = set()
        publisher = Publisher(self.ledger)
        for plan in plans:
            pending.append(self._start(plan, staging))
            while len(pending) > self.window:
                yield from self._settle(publisher, *pending.popleft())
        while pending:
            yield from self._settle(publisher, *pending.popleft())
        yield from publisher.publish()

    def _start(self, plan: FileJob | FileReport, staging: set[str]) -> Pending:
        # The same content twice in one run (a copied file) is read once: the second
        # waits for its turn, when the first is published and it is found unchanged.
        if isinstance(plan, FileReport) or plan.batch_id in staging:
            return plan, None
        if not _portable(plan.connector):
            return plan, None
        staging.add(plan.batch_id)
        stretches = plan.connector.stretches(plan.path)
        if stretches is None:
            return plan, _WholeFile(self, plan)
        return plan, _Stretched(self, plan, stretches)

    def _settle(
        self, publisher: Publisher, plan: FileJob | FileReport, reading: _Reading | None
    ) -> list[FileReport]:
        """Add the file's staged batch (or report) to the publisher's group; the reports
        of whatever that publishes."""
        reports: list[FileReport] = []
        if isinstance(plan, FileReport):
            publisher.add(plan)
        elif reading is not None:
            publisher.add(plan, reading.staged())
        else:
            # Read here: not portable to a worker, or the same content as a file before
            # it, which must be published first so that this one is found unchanged.
            reports += publisher.publish()
            held = already_held(self.ledger, plan)
            if held is not None:
                publisher.add(held)
            else:
                publisher.add(plan, stage_file(self.ledger, plan, self.progress))
        return reports + publisher.publish_if_due()

    def told(self, records: int) -> None:
        if self.progress is not None:
            self.progress(records)


class _WholeFile:
    """One worker stages the whole file."""

    def __init__(self, pool: FilePool, job: FileJob) -> None:
        self.pool = pool
        self.future = pool.executor.submit(_stage_in_worker, pool.ledger.root, job)

    def staged(self) -> StagedBatch:
        staged = self.future.result()
        self.pool.told(staged.counts.read)
        return staged


class _Stretched:
    """Workers read stretches of one big file into parts; this process writes them into
    the batch in order, keeping a bounded number of stretches in flight."""

    def __init__(self, pool: FilePool, job: FileJob, stretches: list[Stretch]) -> None:
        self.pool, self.job = pool, job
        self.waiting = deque(stretches)
        self.flying: deque[Future[BatchPart]] = deque()
        self._launch(pool.window)

    def _launch(self, count: int) -> None:
        for _ in range(min(count, len(self.waiting))):
            stretch = self.waiting.popleft()
            future = self.pool.executor.submit(_read_stretch, self.job, stretch)
            self.flying.append(future)

    def staged(self) -> StagedBatch:
        job, ledger = self.job, self.pool.ledger
        try:
            return ledger.stage_parts(
                job.source, job.connector.name, job.connector.version, self._parts()
            )
        except StretchMisaligned:
            for future in self.flying:
                future.cancel()
            return _WholeFile(self.pool, job).staged()

    def _parts(self) -> Iterator[BatchPart]:
        while self.flying:
            part = self.flying.popleft().result()
            self._launch(1)
            self.pool.told(part.accepted + part.quarantined)
            yield part


_Reading = _WholeFile | _Stretched


@contextmanager
def _main_hidden() -> Iterator[None]:
    """A new worker process runs the caller's main module again unless it is a package's
    `__main__`: a script without an `if __name__ == "__main__"` guard would ingest anew in
    every worker, and a Streamlit script (whose runner makes it `__main__`) would start
    an app. Workers need nothing from it, so they are started with a blank one."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def _started() -> None:
    """Nothing: submitted once per worker to start them all."""


def _die_with(parent: int) -> None:
    """End this worker as soon as the ingest process that started it is gone. Killed
    outright, the ingest cannot stop its workers, and nothing else would: each holds the
    fork server's lifeline open, so the server and they live on, writing into the ledger's
    staging area while a re-run stages the same batch."""
    try:
        lifeline = os.pidfd_open(parent)
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):
        return  # no process descriptors here (not Linux): the worker ends with its task

    def watch() -> None:
        select.select([lifeline], [], [])  # readable once the process has ended
        os._exit(1)

    threading.Thread(target=watch, name="ingest-parent-watch", daemon=True).start()


def _portable(connector: Connector) -> bool:
    """Whether a worker can rebuild the connector: its class is importable by name. A
    mapping's connector class is made at run time from the mapping file, and is read here."""
    cls = type(connector)
    return getattr(sys.modules.get(cls.__module__), cls.__qualname__, None) is cls


def _stage_in_worker(root: Path, job: FileJob) -> StagedBatch:
    return stage_file(Ledger(root), job)


def _read_stretch(job: FileJob, stretch: Stretch) -> BatchPart:
    """One stretch into one part (a stretch is a few megabytes: one part, whatever its
    number of rows, stays far below the limits of a row group's columns)."""
    builder = PartBuilder(job.connector.model)
    with sparse_gc():
        for item in job.connector.read_stretch(job.path, stretch):
            builder.add(item)
    return builder.finish()
