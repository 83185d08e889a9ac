"""What mention extraction reads from the ledger: texts and the entities it knows.

Only batches read from source files count. Derived batches (resolution, earlier mention
runs) are computed from those; reading an earlier mention run would make each run feed on
the last. Subjects are the exception: they exist only in the latest resolution batch. A
node several batches hold (a post in two overlapping exports) is read once, from the
newest batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import orjson

from ingest.ledger import BatchManifest, Ledger

TEXT_TYPES = ("Post", "Communication")
ENTITY_TYPES = ("Person", "Account", "Organization", "Place", "Vehicle", "Phone", "Trip")

# The newest copy of each node of the asked types, from the named (source) batches only.
_NEWEST = """
WITH batches AS (SELECT unnest($dirnames) AS dirname, unnest($seqs) AS seq)
SELECT n.id, n.type, n.props
FROM read_parquet($glob, filename = true) AS n
JOIN batches AS b ON b.dirname = parse_filename(parse_dirpath(n.filename))
WHERE n.type IN (SELECT unnest($types))
QUALIFY row_number() OVER (PARTITION BY n.id ORDER BY b.seq DESC) = 1
ORDER BY n.id
"""
_EDGES = """
WITH batches AS (SELECT unnest($dirnames) AS dirname)
SELECT DISTINCT e.source, e.target
FROM read_parquet($glob, filename = true) AS e
JOIN batches AS b ON b.dirname = parse_filename(parse_dirpath(e.filename))
WHERE e.type = $type
"""


@dataclass(frozen=True)
class NodeRow:
    id: str
    type: str
    props: dict[str, Any]


@dataclass(frozen=True)
class Text:
    """One text to read: a post's text or a message body, and what its handles mean."""

    node_id: str
    node_type: str  # Post or Communication
    text: str
    time: datetime | None
    platform: str | None  # a post's platform: how a bare @handle is read
    language: str | None  # as the source tagged it ("en", "pl"); None when it did not


def source_batches(ledger: Ledger) -> list[BatchManifest]:
    return ledger.live_sources()


def newest_nodes(
    ledger: Ledger, batches: list[BatchManifest], types: tuple[str, ...]
) -> list[NodeRow]:
    """NodeRows of the given types, each node once (its newest copy)."""
    if not batches:
        return []
    params = {
        "dirnames": [m.dirname for m in batches],
        "seqs": [m.seq for m in batches],
        "glob": ledger.glob("nodes"),
        "types": list(types),
    }
    with duckdb.connect() as connection:
        rows = connection.execute(_NEWEST, params).fetchall()
    return [NodeRow(i, t, orjson.loads(p)) for i, t, p in rows]


def edge_pairs(
    ledger: Ledger, batches: list[BatchManifest], rel_type: str
) -> list[tuple[str, str]]:
    """(source, target) of every edge of one type in the given batches."""
    if not batches:
        return []
    params = {
        "dirnames": [m.dirname for m in batches],
        "glob": ledger.glob("edges"),
        "type": rel_type,
    }
    with duckdb.connect() as connection:
        return connection.execute(_EDGES, params).fetchall()


def texts(nodes: list[NodeRow], include_bodies: bool) -> list[Text]:
    """Post texts, and message bodies when asked for; nodes without text are skipped."""
    found = []
    for node in nodes:
        field = "text" if node.type == "Post" else "body" if include_bodies else None
        text = node.props.get(field) if field else None
        if isinstance(text, str) and text.strip():
            when = node.props.get("time")
            time = datetime.fromisoformat(when) if isinstance(when, str) else None
            props = node.props
            found.append(
                Text(node.id, node.type, text, time, props.get("platform"), props.get("language"))
            )
    return found


def resolved(ledger: Ledger, resolution: BatchManifest | None) -> list[tuple[str, str]]:
    """(person, subject) for each RESOLVED_AS link of the latest resolution run."""
    if resolution is None:
        return []
    table = ledger.table(resolution, "edges").to_pydict()
    pairs = zip(table["type"], table["source"], table["target"], strict=True)
    return [(source, target) for rel, source, target in pairs if rel == "RESOLVED_AS"]


def subjects(ledger: Ledger, resolution: BatchManifest | None) -> list[NodeRow]:
    """The Subject nodes of the latest resolution run, if there has been one."""
    if resolution is None:
        return []
    table = ledger.table(resolution, "nodes").to_pydict()
    return [
        NodeRow(i, t, orjson.loads(p))
        for i, t, p in zip(table["id"], table["type"], table["props"], strict=True)
        if t == "Subject"
    ]
