"""`dossier resolve`: profiles -> scored pairs -> clusters -> stable subjects -> ledger.

One run reads every person profile of the ledger and the analyst decisions, and writes a
derived ledger batch ("resolution") that supersedes the previous one: a Subject node per
resolved identity and a RESOLVED_AS edge per profile, plus the tables that explain it —
`assignments` (profile -> subject, how) and `pairs` (every scored pair, its level per
comparison and what clustering did with it). Same ledger and decisions: same batch, no-op.
"""

from __future__ import annotations

import hashlib
import inspect
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from ingest.ledger import BatchManifest, Ledger
from ingest.records import RecordBuilder, SourceRecord
from ingest.resolve.carriers import people_per_name
from ingest.resolve.cluster import LINKED, Link, cluster
from ingest.resolve.decisions import DecisionLog, constraints
from ingest.resolve.names import fold
from ingest.resolve.prepare import model_input, with_circles
from ingest.resolve.profiles import read_profiles
from ingest.resolve.relations import (
    close_circles,
    contacts,
    endpoints,
    export_owners,
    read_relations,
    read_ties,
)
from ingest.resolve.scoring import MODEL_VERSION, Engine, score_pairs
from ingest.resolve.subjects import Change, assign_refs
from schemas.codec import encode_props
from schemas.ids import make_id
from schemas.model import default_model

KIND = "resolution"
THRESHOLD = 0.9  # links at or above join subjects
REVIEW_FLOOR = 0.3  # pairs kept for explanation and review
# Passes over circles of contacts: each compares the circles of the clusters the pass
# before made, which are fuller once a friend's alias has joined them (see `_link`).
CIRCLE_PASSES = 2


@dataclass
class ResolutionReport:
    profiles: int
    pairs: int
    linked: int
    subjects: int
    manifest: BatchManifest | None
    unchanged: bool
    seconds: float = 0.0
    changes: list[Change] = field(default_factory=list)
    assignments: pd.DataFrame = field(default_factory=pd.DataFrame)


def resolve_ledger(
    ledger: Ledger, engine: Engine = "duckdb", threshold: float = THRESHOLD
) -> ResolutionReport:
    started = time.perf_counter()
    profiles = read_profiles(ledger)
    log = DecisionLog(ledger.root)
    sources = [m.batch_id for m in ledger.live_sources()]
    digest = make_id(KIND, *sources, log.digest(), threshold, model_fingerprint())
    known = ledger.current_derived(KIND, digest, MODEL_VERSION)
    if known is not None:
        return _unchanged(ledger, known, started)
    pairs, roots, outcome = _link(ledger, profiles, log, engine, threshold)
    previous, retired = _earlier_refs(ledger)
    clusters: dict[str, list[str]] = defaultdict(list)
    for profile, root in roots.items():
        clusters[root].append(profile)
    refs, changes = assign_refs(clusters, previous, retired)
    assignments = _assignments(profiles, roots, refs, pairs, outcome, log)
    pairs["outcome"] = [
        outcome.get((a, b), "") for a, b in zip(pairs.unique_id_l, pairs.unique_id_r, strict=True)
    ]
    manifest = ledger.write_derived(
        KIND,
        digest,
        MODEL_VERSION,
        _records(assignments),
        {
            "assignments": pa.Table.from_pandas(assignments, preserve_index=False),
            "pairs": pa.Table.from_pandas(pairs, preserve_index=False),
            "changes": pa.Table.from_pylist([vars(c) for c in changes], schema=_CHANGES),
        },
    )
    return ResolutionReport(
        profiles=len(profiles),
        pairs=len(pairs),
        linked=sum(1 for o in outcome.values() if o == LINKED),
        subjects=len(clusters),
        manifest=manifest,
        unchanged=False,
        seconds=time.perf_counter() - started,
        changes=changes,
        assignments=assignments,
    )


_CHANGES = pa.schema(
    [("kind", pa.string()), ("ref", pa.string()), ("other", pa.string()), ("members", pa.int64())]
)


def model_fingerprint() -> str:
    """A hash of the code that decides links: changing a weight or rule is a new run."""
    modules = [
        read_profiles,
        cluster,
        model_input,
        people_per_name,
        score_pairs,
        fold,
        read_ties,
        _link,
    ]
    sources = [Path(inspect.getfile(m)).read_bytes() for m in modules]  # type: ignore[arg-type]
    return hashlib.sha256(b"\0".join(sources)).hexdigest()[:16]


def _link(
    ledger: Ledger, profiles: pd.DataFrame, log: DecisionLog, engine: Engine, threshold: float
) -> tuple[pd.DataFrame, dict[str, str], dict[tuple[str, str], str]]:
    """The first pass links on what the profiles say of themselves; the next ones add who
    their clusters are in touch with (`relations`) and score again the profiles that are
    in touch with anyone. Pairs of the others score as they did: no circle to compare.
    A pass after that compares fuller circles: a friend's alias that joined its person
    now counts as that person in every circle it was in. The first pass reads the ties
    too: identifiers in touch with different people tell namesakes apart."""
    relations, held = read_relations(ledger), endpoints(profiles)
    ties = relations.ties
    frame, _alone = model_input(
        profiles.profile_id,
        profiles.name,
        profiles.birth_date,
        profiles.identifiers,
        profiles.documents,
        owners=export_owners(profiles, relations.numbers, relations.owners),
        ties=ties,
    )
    pairs = score_pairs(frame, engine, floor=REVIEW_FLOOR, keep_levels=True)
    roots, outcome = _clusters(profiles, pairs, log, threshold)
    for _ in range(CIRCLE_PASSES):
        circles = contacts(ties, held, roots)
        second = with_circles(frame, roots, circles, close_circles(circles))
        if len(second) < 2:
            break
        rescored = score_pairs(second, engine, REVIEW_FLOOR, True)
        pairs = _rescored(pairs, rescored, set(second.unique_id), roots)
        previous, (roots, outcome) = roots, _clusters(profiles, pairs, log, threshold)
        if roots == previous:
            break
    return _compact(pairs), roots, outcome


def _rescored(
    pairs: pd.DataFrame, rescored: pd.DataFrame, inside: set[str], roots: dict[str, str]
) -> pd.DataFrame:
    """The pairs, those between two clusters of profiles `inside` scored again with
    their circles (`rescored`). A pair within one cluster keeps its score: the circle it
    would be weighed by is the cluster's own, and dropping the link an earlier pass made
    would undo that pass."""

    def across(frame: pd.DataFrame) -> pd.Series:
        rooted = zip(frame.unique_id_l.map(roots), frame.unique_id_r.map(roots), strict=True)
        return pd.Series([a != b for a, b in rooted], index=frame.index, dtype=bool)

    replaced = pairs.unique_id_l.isin(inside) & pairs.unique_id_r.isin(inside) & across(pairs)
    merged = pd.concat([pairs[~replaced], rescored[across(rescored)]], ignore_index=True)
    return merged.sort_values(["unique_id_l", "unique_id_r"], ignore_index=True)


def _clusters(
    profiles: pd.DataFrame, pairs: pd.DataFrame, log: DecisionLog, threshold: float
) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    links = [
        Link(a, b, float(p))
        for a, b, p in zip(
            pairs.unique_id_l, pairs.unique_id_r, pairs.match_probability, strict=True
        )
    ]
    dobs = {
        p: b if isinstance(b, str) else None
        for p, b in zip(profiles.profile_id, profiles.birth_date, strict=True)
    }
    documents = dict(zip(profiles.profile_id, profiles.documents, strict=True))
    return cluster(
        list(profiles.profile_id), links, dobs, threshold, constraints(log.active()), documents
    )


# What `pairs` keeps of Splink's output: the scores and, per comparison, the level hit
# (gamma); with fixed m and u each level's weight follows, so explaining needs no re-scoring.
def _compact(pairs: pd.DataFrame) -> pd.DataFrame:
    keep = [
        c
        for c in pairs.columns
        if c in ("unique_id_l", "unique_id_r", "match_probability", "match_weight")
        or c.startswith("gamma_")
    ]
    return pairs[keep].reset_index(drop=True)


def _earlier_refs(ledger: Ledger) -> tuple[dict[str, str], frozenset[str]]:
    """profile -> ref of the latest run, and every ref any earlier run handed out."""
    runs = [m for m in ledger.batches() if m.supersedes == KIND]
    retired: set[str] = set()
    previous: dict[str, str] = {}
    for manifest in runs:
        table = ledger.table(manifest, "assignments").select(["profile_id", "subject_ref"])
        columns = table.to_pydict()
        retired.update(columns["subject_ref"])
        previous = dict(zip(columns["profile_id"], columns["subject_ref"], strict=True))
    return previous, frozenset(retired)


def _assignments(
    profiles: pd.DataFrame,
    roots: dict[str, str],
    refs: dict[str, str],
    pairs: pd.DataFrame,
    outcome: dict[tuple[str, str], str],
    log: DecisionLog,
) -> pd.DataFrame:
    scores = zip(pairs.unique_id_l, pairs.unique_id_r, pairs.match_probability, strict=True)
    best: dict[str, float] = {}
    for a, b, p in scores:
        if outcome.get((a, b)) == LINKED:
            best[a], best[b] = max(best.get(a, 0.0), p), max(best.get(b, 0.0), p)
    by_analyst = _decided(log)
    frame = profiles.copy()
    frame["subject_ref"] = [refs[roots[p]] for p in frame.profile_id]
    frame["method"] = [
        "analyst" if p in by_analyst else "model" if p in best else "single"
        for p in frame.profile_id
    ]
    frame["probability"] = [1.0 if p in by_analyst else best.get(p) for p in frame.profile_id]
    frame["decision"] = [by_analyst.get(p) for p in frame.profile_id]
    return frame


def _decided(log: DecisionLog) -> dict[str, str]:
    """profile -> the latest active merge or split decision that placed it."""
    placed: dict[str, str] = {}
    for d in log.active():
        if d.kind in ("merge", "split"):
            for profile in (*d.profiles_a, *d.profiles_b) if d.kind == "merge" else d.profiles_b:
                placed[profile] = d.id
    return placed


def _records(assignments: pd.DataFrame) -> list[SourceRecord]:
    """One source record per subject: its node and a RESOLVED_AS edge per profile.
    Plain lists, not pandas groups: this loop runs once per subject."""
    model = default_model()
    columns = {c: assignments[c].tolist() for c in _RECORD_COLUMNS}
    groups: dict[str, list[int]] = defaultdict(list)
    for i, ref in enumerate(columns["subject_ref"]):
        groups[ref].append(i)
    records = []
    for ref in sorted(groups):
        rows = [{c: present(columns[c][i]) for c in _RECORD_COLUMNS} for i in groups[ref]]
        name, birth = _headline(rows)
        raw = encode_props({"subject": ref, "profiles": sorted(r["profile_id"] for r in rows)})
        builder = RecordBuilder(model, KIND, f"subject {ref}", raw)
        subject = builder.entity("Subject", ref=ref, name=name, birth_date=birth, records=len(rows))
        for row in rows:
            builder.refer(row["node_type"], row["node_id"])
            builder.link(
                "RESOLVED_AS",
                row["node_id"],
                subject,
                occurrence=row["profile_id"],
                profile_id=row["profile_id"],
                probability=row["probability"],
                method=row["method"],
                decision=row["decision"],
            )
        records.append(builder.build())
    return records


_RECORD_COLUMNS = (
    "subject_ref",
    "profile_id",
    "node_id",
    "node_type",
    "name",
    "birth_date",
    "probability",
    "method",
    "decision",
)


def present(value: Any) -> Any:
    """None for pandas' missing values (None, NaN, NA, NaT), the value otherwise (lists and
    arrays included: they are values, not missing)."""
    return None if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)) else value


def _headline(rows: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    """The subject's display name and date of birth: the most common full ones."""
    written = [
        r["name"] for r in rows if isinstance(r["name"], str) and not r["name"].startswith("(")
    ]
    names = Counter(n for n in written if " " in n.strip()) or Counter(written)
    births = Counter(r["birth_date"] for r in rows if isinstance(r["birth_date"], str))
    return (
        names.most_common(1)[0][0] if names else None,
        births.most_common(1)[0][0] if births else None,
    )


def _unchanged(ledger: Ledger, manifest: BatchManifest, started: float) -> ResolutionReport:
    assignments = ledger.table(manifest, "assignments").to_pandas()
    pairs = ledger.table(manifest, "pairs").select(["outcome"]).to_pydict()["outcome"]
    return ResolutionReport(
        profiles=len(assignments),
        pairs=len(pairs),
        linked=sum(1 for o in pairs if o == LINKED),
        subjects=assignments.subject_ref.nunique(),
        manifest=manifest,
        unchanged=True,
        seconds=time.perf_counter() - started,
        assignments=assignments,
    )


def latest_tables(ledger: Ledger) -> dict[str, Any] | None:
    """The latest run's assignments and pairs (pandas), for explanations and review."""
    manifest = ledger.latest_derived(KIND)
    if manifest is None:
        return None
    return {
        "manifest": manifest,
        "assignments": ledger.table(manifest, "assignments").to_pandas(),
        "pairs": ledger.table(manifest, "pairs").to_pandas(),
    }
