"""Look up source records in the ledger: the evidence behind every node and edge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from ingest.ledger import Ledger


def source_records(ledger: Ledger, record_ids: list[str]) -> dict[str, dict[str, Any]]:
    """record_id -> locator, raw text, source file and batch; the newest batch wins."""
    batches = {m.dirname: m for m in ledger.batches()}
    if not record_ids or not batches:
        return {}
    connection = duckdb.connect()
    try:
        rows = connection.execute(
            "SELECT record_id, locator, raw, filename FROM read_parquet(?, filename = true) "
            "WHERE record_id IN (SELECT unnest(?))",
            [ledger.glob("records"), record_ids],
        ).fetchall()
    finally:
        connection.close()
    found: dict[str, dict[str, Any]] = {}
    for record_id, locator, raw, filename in rows:
        manifest = batches.get(Path(filename).parent.name)
        if manifest is None:
            continue  # a batch still being published
        current = found.get(record_id)
        if current is None or current["seq"] < manifest.seq:
            found[record_id] = {
                "record_id": record_id,
                "locator": locator,
                "raw": raw,
                "source_path": manifest.source_path,
                "batch_id": manifest.batch_id,
                "connector": manifest.connector,
                "seq": manifest.seq,
            }
    return found
