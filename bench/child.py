"""One measurement in a fresh process, so peak memory belongs to that measurement alone.

`python -m bench.child bare CONNECTOR PATH` or `python -m bench.child ingest PATH LEDGER`
prints one JSON line: records, seconds, peak_mb (the highest total resident memory of
this process and the ingest's worker processes together). PATH is a file, or a folder
whose files are all of one format (read one after another, as `dossier ingest` would).
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import sys
import threading
import time
from pathlib import Path

from bench.baselines import BARE_PARSE
from ingest.ledger import Ledger
from ingest.pipeline import expand_paths, ingest_paths


def peak_mb() -> float:
    """This process's own peak RSS. Not `ru_maxrss`: Linux keeps the high-water mark of
    the forked parent across exec, so a child started by subprocess would report the
    parent's peak when that was higher. VmHWM belongs to the exec'd image alone."""
    kb = _status_kb("self", "VmHWM")
    return kb / 1024 if kb else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class TreeMemory:
    """Samples the resident memory of this process and all its descendants (the ingest's
    worker processes) and keeps the highest total: a peak per process would hide that
    workers add up."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.peak_kb = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeMemory:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join()

    def _sample(self) -> None:
        while not self.done.wait(self.interval):
            self.peak_kb = max(self.peak_kb, sum(map(_rss_kb, _tree(os.getpid()))))

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo.extend(int(child) for child in task.read_text().split())
    return found


def _rss_kb(pid: int) -> int:
    return _status_kb(str(pid), "VmRSS")


def _status_kb(pid: str, field: str) -> int:
    """A memory figure of /proc/PID/status in kB; 0 when the process is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return 0
    prefix = f"{field}:"
    return next(
        (int(line.split()[1]) for line in status.splitlines() if line.startswith(prefix)), 0
    )


def main(argv: list[str]) -> None:
    mode, *args = argv
    start = time.perf_counter()
    with TreeMemory() as memory:
        if mode == "bare":
            records = sum(BARE_PARSE[args[0]](f) for f in expand_paths([Path(args[1])]))
            connector = args[0]
        else:
            reports = ingest_paths([Path(args[0])], Ledger(Path(args[1])))
            failed = [r.message for r in reports if r.status == "failed"]
            if failed:
                raise SystemExit("; ".join(failed))
            records = sum(r.read for r in reports)
            connector = ",".join(sorted({r.connector for r in reports}))
    seconds = time.perf_counter() - start
    peak = max(peak_mb(), memory.peak_mb)
    print(
        json.dumps(
            {"records": records, "seconds": seconds, "peak_mb": peak, "connector": connector}
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
