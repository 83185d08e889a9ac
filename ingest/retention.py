"""Retention: records older than a limit leave the ledger, and so the graph.

A purge rewrites each source batch that holds such records as a new batch of the same
file without them, publishes it, and deletes the old batch's folder: the records, their
raw text and their events are gone from disk, not hidden. The new batch `replaces` the
old one (a re-ingest of the same file finds it and stays a no-op, so purged records do
not come back) and keeps, in `retired.parquet`, the ids and types of what the old batch
asserted: ids only, so that a graph that held the old batch can retract it
(`graph.projection`). Every purge appends its who, when, why and counts to
`purges.jsonl` in the ledger.

A record goes when it has an event of the chosen types and all its events happened
before the cut-off. Entities stay while a kept event names them (a camera, a phone);
one only purged records named goes with them.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ingest.ledger import BatchManifest, Ledger, StagedBatch, replacements
from schemas.errors import DossierError
from schemas.ids import make_id
from schemas.model import default_model

RETIRED = "retired"  # the extra table of a batch that replaced a purged one
RETIRED_SCHEMA = pa.schema(
    [("batch_id", pa.string()), ("id", pa.string()), ("type", pa.string()), ("edge", pa.bool_())]
)
PURGE_LOG = "purges.jsonl"

# Records whose events all happened before the cut-off, with their event types.
_OLD_RECORDS = """
SELECT record_id, list(DISTINCT type) AS types
FROM events
GROUP BY record_id
HAVING max(CAST(json_extract_string(props, '$.time') AS TIMESTAMPTZ)) < $cutoff
"""


class RetentionError(DossierError):
    exit_code = 78  # a bad option value: the cut-off or a type


@dataclass
class PurgeReport:
    purge_id: str
    cutoff: datetime
    records: int = 0  # records taken out
    batches: int = 0  # source batches rewritten
    events: Counter[str] = field(default_factory=Counter)  # event type -> events taken out


def purge(
    ledger: Ledger,
    cutoff: datetime,
    types: Iterable[str] | None,
    reason: str,
    analyst: str,
) -> PurgeReport:
    """Take every record older than `cutoff` (with an event of `types`; all event types
    when None) out of the live source batches."""
    chosen = _event_types(types)
    if cutoff.tzinfo is None:
        raise RetentionError(f"the cut-off {cutoff.isoformat()} needs a time zone")
    if not reason.strip():
        raise RetentionError("a purge needs a reason (--reason)")
    now = datetime.now(UTC).isoformat(timespec="seconds")
    report = PurgeReport(make_id("purge", cutoff.isoformat(), *sorted(chosen), now), cutoff)
    ledger.delete(_leftovers(ledger))
    rewritten = []
    for manifest in ledger.live_sources():
        staged = _purged_batch(ledger, manifest, cutoff, chosen, report)
        if staged is not None:
            rewritten.append((manifest, staged))
    if rewritten:
        ledger.publish_all([staged for _, staged in rewritten])
        ledger.delete([manifest for manifest, _ in rewritten])
    _log(ledger, report, chosen, reason, analyst, now, [m.batch_id for m, _ in rewritten])
    return report


def _leftovers(ledger: Ledger) -> list[BatchManifest]:
    """Batches a purge rewrote that are still on disk: that purge stopped between
    publishing the new batches and deleting the old ones."""
    manifests = ledger.batches()
    by_id = {m.batch_id: m for m in manifests}
    return [
        old for new, olds in replacements(manifests).items() if by_id[new].purged for old in olds
    ]


def _event_types(types: Iterable[str] | None) -> frozenset[str]:
    known = {t.name for t in default_model().event_types()}
    chosen = frozenset(types) if types else frozenset(known)
    unknown = sorted(chosen - known)
    if unknown:
        raise RetentionError(
            f"unknown event types {unknown}; choose among {', '.join(sorted(known))}"
        )
    return chosen


def _purged_batch(
    ledger: Ledger,
    manifest: BatchManifest,
    cutoff: datetime,
    types: frozenset[str],
    report: PurgeReport,
) -> StagedBatch | None:
    """The batch staged without the records to purge, or None when it has none."""
    nodes = ledger.table(manifest, "nodes")
    events = nodes.filter(pc.is_in(nodes["type"], _event_type_names()))
    old = _old_records(events, cutoff, types)
    if not len(old):
        return None
    edges, records = ledger.table(manifest, "edges"), ledger.table(manifest, "records")
    kept_nodes, kept_edges = _kept(nodes, edges, old)
    kept_records = records.filter(pc.invert(pc.is_in(records["record_id"], old)))
    gone_events = events.filter(pc.is_in(events["record_id"], old))
    report.events.update(gone_events["type"].to_pylist())
    report.records += records.num_rows - kept_records.num_rows
    report.batches += 1
    # What earlier purges of this file kept of the batches they deleted goes on too: a
    # graph may hold any of them.
    retired = pa.concat_tables(
        [_retired(manifest.batch_id, nodes, edges), *_carried(ledger, manifest)]
    )
    return ledger.stage_rewrite(
        manifest,
        make_id("batch", manifest.batch_id, report.purge_id),
        {"nodes": kept_nodes, "edges": kept_edges, "records": kept_records},
        {RETIRED: retired},
        purged=records.num_rows - kept_records.num_rows,
    )


def _event_type_names() -> pa.Array:
    return pa.array(sorted(t.name for t in default_model().event_types()), pa.string())


def _old_records(events: pa.Table, cutoff: datetime, types: frozenset[str]) -> pa.Array:
    with duckdb.connect() as connection:
        connection.register("events", events)
        rows = connection.execute(_OLD_RECORDS, {"cutoff": cutoff}).fetchall()
    return pa.array([record for record, kinds in rows if types & set(kinds)], pa.string())


def _kept(nodes: pa.Table, edges: pa.Table, old: pa.Array) -> tuple[pa.Table, pa.Table]:
    """The nodes and edges that stay: the kept records' events, the entities a kept
    record asserted or a kept event links to, and the edges whose ends stay (or lie in
    another batch). An entity first asserted by a purged record names, as its record,
    the first kept record that links to it: its own is gone."""
    purged = pc.is_in(nodes["record_id"], old).to_pylist()
    node_ids = nodes["id"].to_pylist()
    is_event = pc.is_in(nodes["type"], _event_type_names()).to_pylist()
    gone_events = {n for n, p, e in zip(node_ids, purged, is_event, strict=True) if p and e}
    kept_events = {n for n, p, e in zip(node_ids, purged, is_event, strict=True) if e and not p}
    sources, targets = edges["source"].to_pylist(), edges["target"].to_pylist()
    first_kept_record: dict[str, str] = {}
    for source, target, record in zip(
        sources, targets, edges["record_id"].to_pylist(), strict=True
    ):
        if source in kept_events:
            first_kept_record.setdefault(target, record)
    keep_node = [
        n not in gone_events and (not p or n in first_kept_record)
        for n, p in zip(node_ids, purged, strict=True)
    ]
    kept_nodes = _repointed(nodes.filter(pa.array(keep_node)), old, first_kept_record, "id")
    kept = set(kept_nodes["id"].to_pylist())
    elsewhere = set(node_ids)  # ends outside this batch (none in a source batch) stay
    keep_edge = [
        (s in kept or s not in elsewhere) and (t in kept or t not in elsewhere)
        for s, t in zip(sources, targets, strict=True)
    ]
    kept_edges = _repointed(edges.filter(pa.array(keep_edge)), old, first_kept_record, "source")
    return kept_nodes, kept_edges


def _repointed(table: pa.Table, old: pa.Array, first: dict[str, str], key: str) -> pa.Table:
    """Rows whose record was purged name the first kept record linking to their `key`."""
    purged = set(old.to_pylist())
    records = [
        first.get(k, r) if r in purged else r
        for k, r in zip(table[key].to_pylist(), table["record_id"].to_pylist(), strict=True)
    ]
    index = table.schema.get_field_index("record_id")
    return table.set_column(index, "record_id", pa.array(records, pa.string()))


def _retired(batch_id: str, nodes: pa.Table, edges: pa.Table) -> pa.Table:
    """What the old batch asserted, ids and types only: its nodes and its edge types."""
    rel_types = sorted(set(edges["type"].to_pylist()))
    rows = len(nodes) + len(rel_types)
    return pa.table(
        {
            "batch_id": [batch_id] * rows,
            "id": [*nodes["id"].to_pylist(), *[None] * len(rel_types)],
            "type": [*nodes["type"].to_pylist(), *rel_types],
            "edge": [False] * len(nodes) + [True] * len(rel_types),
        },
        schema=RETIRED_SCHEMA,
    )


def _carried(ledger: Ledger, manifest: BatchManifest) -> list[pa.Table]:
    path = ledger.batch_dir(manifest) / f"{RETIRED}.parquet"
    return [pq.read_table(path)] if path.exists() else []


def retired_batches(ledger: Ledger, manifest: BatchManifest) -> list[str]:
    """The batches earlier purges of this batch's file deleted."""
    return sorted(
        {row for table in _carried(ledger, manifest) for row in table["batch_id"].to_pylist()}
    )


def retired_rows(ledger: Ledger, manifest: BatchManifest, old: str) -> list[dict[str, Any]]:
    """What a deleted batch asserted, as the batch replacing it kept it (`_retired`)."""
    rows: list[dict[str, Any]] = []
    for table in _carried(ledger, manifest):
        rows.extend(table.filter(pc.equal(table["batch_id"], old)).to_pylist())
    return rows


def _log(
    ledger: Ledger,
    report: PurgeReport,
    types: frozenset[str],
    reason: str,
    analyst: str,
    at: str,
    batches: list[str],
) -> None:
    entry = {
        "purge": report.purge_id,
        "at": at,
        "analyst": analyst,
        "reason": reason,
        "before": report.cutoff.isoformat(),
        "types": sorted(types),
        "records": report.records,
        "events": dict(sorted(report.events.items())),
        "batches": batches,
    }
    ledger.root.mkdir(parents=True, exist_ok=True)
    with (ledger.root / PURGE_LOG).open("a", encoding="utf-8") as fp:
        fp.write(json.dumps(entry, ensure_ascii=False) + "\n")


def purge_log(ledger: Ledger) -> list[dict[str, object]]:
    path: Path = ledger.root / PURGE_LOG
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fp:
        return [json.loads(line) for line in fp if line.strip()]
