"""Person profiles: each person-like record as one source file shows it.

A profile is a `Person` (a traveller, a contact name, the owner of an export) or an
`Account` with a display name, within one source file, together with the identifiers
that file links it to (USES / HOLDS: phones, accounts, devices, documents). Profiles,
not graph nodes, are what resolution compares: the same written name in two phone books
may be two people, and must be free to resolve apart.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from ingest.ledger import Ledger
from schemas.ids import make_id

PROFILE_COLUMNS = [
    "profile_id",
    "node_id",
    "node_type",
    "source_path",
    "connector",
    "record_id",
    "records",
    "name",
    "birth_date",
    "nationality",
    "identifiers",
    "documents",
]

_SQL = """
WITH nodes AS (
    SELECT id, type, props, record_id,
           regexp_extract(filename, '([^/]+)/nodes\\.parquet$', 1) AS batch
    FROM read_parquet($nodes, filename = true)
    WHERE type IN ('Person', 'Account', 'Phone', 'Document', 'Device')
),
edges AS (
    SELECT source, target, regexp_extract(filename, '([^/]+)/edges\\.parquet$', 1) AS batch
    FROM read_parquet($edges, filename = true)
    WHERE type IN ('USES', 'HOLDS')
),
batches AS (SELECT unnest($batches) AS batch, unnest($paths) AS source_path,
                   unnest($connectors) AS connector),
targets AS (
    SELECT DISTINCT ON (id) id, type,
        CASE type
            WHEN 'Phone' THEN 'phone:' || (props->>'number')
            WHEN 'Account' THEN (props->>'platform') || ':' || (props->>'handle')
            WHEN 'Device' THEN 'device:' || (props->>'id_kind') || ':' || (props->>'serial')
            WHEN 'Document' THEN 'doc:' || (props->>'doc_kind') || ':'
                || coalesce(props->>'country', '') || ':' || (props->>'number')
        END AS ident
    FROM nodes WHERE type <> 'Person'
),
people AS (
    SELECT n.batch, n.id AS node_id, n.type AS node_type, b.source_path, b.connector,
           min(n.record_id) AS record_id, count(*) AS records,
           any_value(coalesce(n.props->>'name', n.props->>'display_name')) AS name,
           any_value(n.props->>'birth_date') AS birth_date,
           any_value(n.props->>'nationality') AS nationality
    FROM nodes n JOIN batches b USING (batch)
    WHERE n.type = 'Person' OR (n.type = 'Account' AND n.props->>'display_name' IS NOT NULL)
    GROUP BY ALL
),
links AS (
    SELECT e.batch, e.source AS node_id,
           list(DISTINCT t.ident) FILTER (WHERE t.type <> 'Document') AS identifiers,
           list(DISTINCT t.ident) FILTER (WHERE t.type = 'Document') AS documents
    FROM edges e JOIN targets t ON t.id = e.target
    GROUP BY ALL
)
SELECT p.*, l.identifiers, l.documents,
       t.ident AS own_ident
FROM people p
LEFT JOIN links l USING (batch, node_id)
LEFT JOIN targets t ON t.id = p.node_id
"""


def read_profiles(ledger: Ledger) -> pd.DataFrame:
    """Every person profile in the live source batches of the ledger (derived batches, and
    readings a newer connector version replaced, aside)."""
    sources = ledger.live_sources()
    if not sources:
        return pd.DataFrame(columns=PROFILE_COLUMNS)
    with duckdb.connect() as con:
        frame = con.execute(
            _SQL,
            {
                "nodes": ledger.glob("nodes"),
                "edges": ledger.glob("edges"),
                "batches": [m.dirname for m in sources],
                "paths": [m.source_path for m in sources],
                "connectors": [m.connector for m in sources],
            },
        ).df()
    return _one_per_profile(frame)


def _one_per_profile(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (source path, node): a file ingested again after a change has two
    batches; their evidence is pooled. An account's own handle is one of its identifiers."""
    frame["profile_id"] = [
        make_id("profile", path, node)
        for path, node in zip(frame.source_path, frame.node_id, strict=True)
    ]
    frame["identifiers"] = [
        sorted({*_items(ids), *_items([own] if isinstance(own, str) else None)})
        for ids, own in zip(frame.identifiers, frame.own_ident, strict=True)
    ]
    frame["documents"] = [sorted(_items(d)) for d in frame.documents]
    grouped = frame.sort_values("batch").groupby("profile_id", sort=True)
    pooled = grouped.agg(
        node_id=("node_id", "first"),
        node_type=("node_type", "first"),
        source_path=("source_path", "first"),
        connector=("connector", "last"),
        record_id=("record_id", "min"),
        records=("records", "sum"),
        name=("name", "last"),
        birth_date=("birth_date", "last"),
        nationality=("nationality", "last"),
        identifiers=("identifiers", _union),
        documents=("documents", _union),
    )
    return _one_per_phone(pooled.reset_index()[PROFILE_COLUMNS])


def _one_per_phone(frame: pd.DataFrame) -> pd.DataFrame:
    """A phone book that saves two numbers under one name ("Mara", or two namesakes) may
    mean two people: each number becomes a profile of its own, so that the name cannot
    bridge them. Other evidence can still bring them together. Owners (unnamed) are one
    person by definition and stay whole."""
    rows = []
    for row in frame.to_dict("records"):
        phones = [i for i in row["identifiers"] if i.startswith("phone:")]
        named = isinstance(row["name"], str) and not row["name"].startswith("(")
        if row["node_type"] != "Person" or not named or len(phones) < 2:
            rows.append(row)
            continue
        others = [i for i in row["identifiers"] if not i.startswith("phone:")]
        for phone in phones:
            profile = make_id("profile", row["source_path"], row["node_id"], phone)
            rows.append({**row, "profile_id": profile, "identifiers": sorted([*others, phone])})
    return pd.DataFrame(rows, columns=PROFILE_COLUMNS)


def _items(value: object) -> list[str]:
    """A DuckDB list cell (an array, or a missing value) as a Python list."""
    if value is None or value is pd.NA or isinstance(value, float):
        return []
    return [str(v) for v in value]  # type: ignore[attr-defined]


def _union(lists: pd.Series) -> list[str]:
    return sorted({item for values in lists for item in values})
