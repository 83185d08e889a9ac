"""One measurement in a fresh process, so peak memory belongs to that measurement alone.

`python -m bench.child bare CONNECTOR FILE` or `python -m bench.child ingest FILE LEDGER`
prints one JSON line: records, seconds, peak_mb.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from bench.baselines import BARE_PARSE
from ingest.ledger import Ledger
from ingest.pipeline import ingest_paths


def peak_mb() -> float:
    """This process's own peak RSS. Not `ru_maxrss`: Linux keeps the high-water mark of
    the forked parent across exec, so a child started by subprocess would report the
    parent's peak when that was higher. VmHWM belongs to the exec'd image alone."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kb = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kb) / 1024


def main(argv: list[str]) -> None:
    mode, *args = argv
    start = time.perf_counter()
    if mode == "bare":
        records = BARE_PARSE[args[0]](Path(args[1]))
        connector = args[0]
    else:
        [report] = ingest_paths([Path(args[0])], Ledger(Path(args[1])))
        if report.status == "failed":
            raise SystemExit(report.message)
        records, connector = report.read, report.connector
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {"records": records, "seconds": seconds, "peak_mb": peak_mb(), "connector": connector}
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
