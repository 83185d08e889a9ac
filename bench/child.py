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
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {"records": records, "seconds": seconds, "peak_mb": peak_mb, "connector": connector}
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
