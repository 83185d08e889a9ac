"""Who is in touch with whom, as the ledger's events show it: the relational evidence.

People keep one circle of contacts across channels: the friends someone calls and mails
are the friends their social accounts mention and reply to. So an alias account
("mistbank38", shown as "Otto") whose circle is the circle of Otto Holtekamp's phone and
mailbox is likely his, while a namesake with another circle is not. This module reads
the ties between identifiers; `contacts` turns them into each cluster's circle of other
clusters, which the model compares in a second pass (see `run`).

A tie joins two endpoints, each an identifier ("phone:+31...", "twitter:handle") or the
owner of an export ("owner:<file>|<node>"):
- a Communication with several parties (e-mail, a PBX's call record): every pair of them;
- a Communication in a phone backup names only the other party, the owner's side being
  the export itself: the other party and the export's owner. The owner's own number is
  read where the other party's backup holds the same call or message, back in time (a
  few seconds apart, the opposite direction), naming it: repeatedly, so that chance
  coincidences do not count;
- a Post that mentions an account, or replies to or reposts another's post: its author
  and that account.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from ingest.connectors.base import ReadOptions
from ingest.connectors.owner import owner_name
from ingest.ledger import Ledger

# Two backups hold one call at one instant and one message a moment apart (delivery).
SAME_EVENT_SECONDS = 5
# Matched events that must name one number before it counts as the owner's: a coincidence
# of times between unrelated backups is rare, five of them between one pair of backups
# naming the same two numbers rarer still.
OWNER_NUMBER_EVENTS = 5

# The steps that read the ledger, each a temporary table of one DuckDB connection, so that
# the ties, the owners' numbers and the owners come from one reading of the batches (each
# reading took about 10 s on the medium scenario, and resolution needs all three).
_STEPS: list[tuple[str, str]] = [
    ("files", "SELECT unnest($batches) AS batch, unnest($paths) AS source_path"),
    (  # live source batches only: a file read again by a newer connector is read once
        "nodes",
        """SELECT DISTINCT id, type, props,
            regexp_extract(filename, '([^/]+)/nodes\\.parquet$', 1) AS batch
        FROM read_parquet($nodes, filename = true)
        WHERE type IN ('Person', 'Account', 'Phone', 'Communication')
          AND batch IN (SELECT batch FROM files)""",
    ),
    (
        "edges",
        """SELECT type, source, target,
            regexp_extract(filename, '([^/]+)/edges\\.parquet$', 1) AS batch
        FROM read_parquet($edges, filename = true)
        WHERE type IN ('FROM', 'TO', 'CC', 'USES', 'POSTED_BY', 'MENTIONS', 'REPLIES_TO',
                       'REPOSTS')
          AND batch IN (SELECT batch FROM files)""",
    ),
    (
        "idents",
        """SELECT DISTINCT id, CASE type WHEN 'Phone' THEN 'phone:' || (props->>'number')
            ELSE (props->>'platform') || ':' || (props->>'handle') END AS ident
        FROM nodes WHERE type IN ('Phone', 'Account')""",
    ),
    (
        "parties",
        """SELECT e.batch, e.source AS comm, i.ident
        FROM edges e JOIN idents i ON i.id = e.target
        WHERE e.type IN ('FROM', 'TO', 'CC')""",
    ),
    (  # a backup's events: the other party only
        "single",
        """SELECT p.batch, f.source_path, p.comm, any_value(p.ident) AS ident
        FROM parties p JOIN files f USING (batch)
        GROUP BY ALL HAVING count(DISTINCT p.ident) = 1""",
    ),
    (
        "owner_numbers",
        """WITH events AS (
            SELECT s.source_path, s.ident, c.props->>'channel' AS channel,
                   c.props->>'direction' AS direction,
                   epoch_ms(CAST(c.props->>'time' AS TIMESTAMPTZ)) AS ms
            FROM single s JOIN nodes c ON c.id = s.comm AND c.batch = s.batch
            WHERE c.props->>'direction' IN ('incoming', 'outgoing') AND s.ident LIKE 'phone:%'
        ),
        slots AS (  -- times cut in slots of the window: an echo is in this slot or the next
            SELECT *, ms // $window AS slot FROM events
        ),
        echoes AS (  -- one event in two backups: each names the other's owner's number
            SELECT a.source_path, b.ident AS number, count(*) AS n
            FROM slots a JOIN (SELECT *, slot + unnest([-1, 0, 1]) AS near FROM slots) b
              ON a.slot = b.near AND a.channel = b.channel AND a.direction <> b.direction
             AND abs(a.ms - b.ms) <= $window AND a.source_path <> b.source_path
            GROUP BY a.source_path, b.source_path, a.ident, b.ident
        )
        SELECT DISTINCT source_path, number FROM echoes WHERE n >= $min_events""",
    ),
    (  # the Person an export marks its owner; read apart, as a location export has a
        # LOCATED edge per fix (about 100k in a year), which no other step needs
        "kept",
        """SELECT DISTINCT regexp_extract(filename, '([^/]+)/edges\\.parquet$', 1) AS batch,
            target AS owner
        FROM read_parquet($edges, filename = true) WHERE type IN ('KEPT_BY', 'LOCATED')""",
    ),
    (
        "owners",
        """WITH persons AS (SELECT DISTINCT batch, id FROM nodes WHERE type = 'Person'),
        users AS (
            SELECT DISTINCT e.batch, e.source AS person, i.ident
            FROM edges e JOIN idents i ON i.id = e.target WHERE e.type = 'USES'
        ),
        single_idents AS (SELECT DISTINCT batch, ident FROM single),
        guessed AS (  -- a backup read before connectors marked owners: its one Person
            SELECT p.batch, any_value(p.id) AS owner FROM persons p   -- never the other party
            WHERE p.batch IN (SELECT batch FROM single_idents)
              AND p.batch NOT IN (SELECT batch FROM kept)
              AND NOT EXISTS (
                SELECT 1 FROM users u JOIN single_idents s USING (batch, ident)
                WHERE u.batch = p.batch AND u.person = p.id)
            GROUP BY p.batch HAVING count(*) = 1
        )
        SELECT batch, owner FROM kept UNION ALL SELECT batch, owner FROM guessed""",
    ),
]
_TIES = """
WITH group_ties AS (
    SELECT p.ident AS x, q.ident AS y
    FROM parties p JOIN parties q ON p.comm = q.comm AND p.ident < q.ident
),
authors AS (
    SELECT e.source AS post, i.ident FROM edges e JOIN idents i ON i.id = e.target
    WHERE e.type = 'POSTED_BY'
),
social_ties AS (
    SELECT a.ident AS x, i.ident AS y
    FROM edges e JOIN authors a ON a.post = e.source JOIN idents i ON i.id = e.target
    WHERE e.type = 'MENTIONS'
    UNION ALL
    SELECT a.ident, b.ident
    FROM edges e JOIN authors a ON a.post = e.source JOIN authors b ON b.post = e.target
    WHERE e.type IN ('REPLIES_TO', 'REPOSTS')
),
owner_ends AS (  -- the owner's number where other backups show it, else the owner
    SELECT DISTINCT f.batch, n.number AS endpoint
    FROM files f JOIN owner_numbers n USING (source_path)
    UNION ALL
    SELECT DISTINCT o.batch, 'owner:' || f.source_path || '|' || o.owner
    FROM owners o JOIN files f USING (batch)
    WHERE f.source_path NOT IN (SELECT source_path FROM owner_numbers)
),
owner_ties AS (
    SELECT s.ident AS x, o.endpoint AS y FROM single s JOIN owner_ends o USING (batch)
)
SELECT x, y, count(*) AS events FROM (
    SELECT * FROM group_ties UNION ALL SELECT * FROM social_ties
    UNION ALL SELECT * FROM owner_ties
) WHERE x <> y GROUP BY ALL ORDER BY x, y
"""
_OWNER_NUMBERS = "SELECT * FROM owner_numbers ORDER BY source_path, number"
_OWNERS = """SELECT DISTINCT f.source_path, o.owner AS node_id
FROM owners o JOIN files f USING (batch) ORDER BY source_path, node_id"""


@dataclass(frozen=True)
class Relations:
    """What the ledger's live source batches tell of who is in touch with whom."""

    ties: pd.DataFrame  # x, y, events: every tie between two endpoints
    numbers: pd.DataFrame  # source_path, number: a backup's owner's number, as others show it
    owners: pd.DataFrame  # source_path, node_id: the Person who owns a personal export


def read_relations(ledger: Ledger) -> Relations:
    """The ties, the owners' numbers and the exports' owners, from one reading."""
    sources = ledger.live_sources()
    if not sources:
        return Relations(
            pd.DataFrame(columns=["x", "y", "events"]),
            pd.DataFrame(columns=["source_path", "number"]),
            pd.DataFrame(columns=["source_path", "node_id"]),
        )
    params = {
        "nodes": ledger.glob("nodes"),
        "edges": ledger.glob("edges"),
        "batches": [m.dirname for m in sources],
        "paths": [m.source_path for m in sources],
        "window": SAME_EVENT_SECONDS * 1000,
        "min_events": OWNER_NUMBER_EVENTS,
    }
    with duckdb.connect() as con:
        for name, sql in _STEPS:
            con.execute(f"CREATE TEMP TABLE {name} AS {sql}", _used(sql, params))
        return Relations(
            con.execute(_TIES).df(), con.execute(_OWNER_NUMBERS).df(), con.execute(_OWNERS).df()
        )


def _used(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters a statement names (DuckDB refuses any it does not)."""
    return {k: v for k, v in params.items() if f"${k}" in sql}


def read_ties(ledger: Ledger) -> pd.DataFrame:
    """Every tie between two endpoints in the ledger's source batches: x, y, events."""
    return read_relations(ledger).ties


def owner_numbers(ledger: Ledger) -> pd.DataFrame:
    """The backups whose owner's number other backups show: source_path, number."""
    return read_relations(ledger).numbers


def export_owners(
    profiles: pd.DataFrame, numbers: pd.DataFrame, owners: pd.DataFrame | None = None
) -> list[frozenset[str]]:
    """The identifiers of each personal export's owner, one set per export that shows any:
    the addresses a mailbox's owner sends from and receives at (the identifiers of the
    Person its messages are KEPT_BY, the owner named with `--owner` too; see `owners` of
    `read_relations`), and the numbers other backups show for a phone backup's owner
    (`owner_numbers`). An export read before its connector marked its owner names the
    owner only by the placeholder "(owner of FILE)"."""
    marked = (
        set(zip(owners.source_path, owners.node_id, strict=True)) if owners is not None else set()
    )
    owned: dict[str, set[str]] = defaultdict(set)
    unnamed = ReadOptions()
    for path, node, name, identifiers in zip(
        profiles.source_path, profiles.node_id, profiles.name, profiles.identifiers, strict=True
    ):
        if (path, node) in marked or (
            isinstance(name, str)
            and name.startswith("(")
            and name == owner_name(unnamed, Path(path))
        ):
            owned[path].update(identifiers)
    for path, number in zip(numbers.source_path, numbers.number, strict=True):
        owned[path].add(number)
    return [frozenset(idents) for _path, idents in sorted(owned.items()) if idents]


def owner_endpoint(source_path: str, node_id: str) -> str:
    """How a tie names the owner of an export (its Person node in that file)."""
    return f"owner:{source_path}|{node_id}"


def contacts(
    ties: pd.DataFrame,
    held: Mapping[str, Iterable[str]],
    roots: Mapping[str, str],
) -> dict[str, frozenset[str]]:
    """Cluster root -> the other clusters it is in touch with. `held` maps each profile to
    the endpoints that are its own (identifiers, and its owner endpoint); `roots` maps a
    profile to its cluster's root."""
    clusters_of: dict[str, set[str]] = defaultdict(set)
    for profile, endpoints in held.items():
        for endpoint in endpoints:
            clusters_of[endpoint].add(roots[profile])
    circle: dict[str, set[str]] = defaultdict(set)
    for x, y in zip(ties.x, ties.y, strict=True):
        for a in clusters_of.get(x, ()):
            for b in clusters_of.get(y, ()):
                if a != b:
                    circle[a].add(b)
                    circle[b].add(a)
    return {root: frozenset(others) for root, others in circle.items()}


def endpoints(profiles: pd.DataFrame) -> dict[str, list[str]]:
    """Profile -> the endpoints that are its own: its identifiers, and its owner endpoint
    (which only the owner of a backup is named by)."""
    return {
        profile: [*identifiers, owner_endpoint(path, node)]
        for profile, identifiers, path, node in zip(
            profiles.profile_id,
            profiles.identifiers,
            profiles.source_path,
            profiles.node_id,
            strict=True,
        )
    }


# The least overlap worth a second look: two clusters in common, a third of the smaller
# circle (the weakest agreeing level of `scoring.contacts_comparison`).
LEAST_SHARED, LEAST_SHARE = 2, (1, 3)


def close_circles(circles: Mapping[str, frozenset[str]]) -> list[tuple[str, str]]:
    """Pairs of clusters whose circles overlap at least that much: each contact's
    clusters, two by two (a contact in touch with many is read once per pair it makes)."""
    members: dict[str, list[str]] = defaultdict(list)
    for root, circle in sorted(circles.items()):
        for other in circle:
            members[other].append(root)
    shared: dict[tuple[str, str], int] = defaultdict(int)
    for roots in members.values():
        for i, a in enumerate(roots):
            for b in roots[i + 1 :]:
                shared[a, b] += 1
    numerator, denominator = LEAST_SHARE
    return [
        (a, b)
        for (a, b), n in sorted(shared.items())
        if n >= LEAST_SHARED
        and n * denominator >= min(len(circles[a]), len(circles[b])) * numerator
    ]
