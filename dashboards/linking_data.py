"""The app's data access for entity resolution: subjects, the review queue, decisions.

Same rules as `dashboards.data` (whose context, cache scope, audit and read lock it
shares): pages call only the public functions here, get plain values or DataFrames, and
every view and decision is recorded in the audit trail.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from dashboards.context import AppContext
from dashboards.data import CACHE_TTL, _audit, _context, _entity, _read_lock, _scope
from graph.embedded import EmbeddedStore
from graph.projection import project
from graph.store import GraphStore
from ingest.resolve import apply
from ingest.resolve.cluster import AMBIGUOUS, BLOCKED, SEPARATED
from ingest.resolve.decisions import Decision, DecisionLog
from ingest.resolve.explain import explain
from ingest.resolve.run import THRESHOLD, latest_tables, present
from ingest.resolve.scoring import PRIOR, PRIOR_WEIGHT
from schemas.errors import DossierError

__all__ = ["THRESHOLD"]

RESOLVED_TYPES = ("Person", "Account")  # the records entity resolution places in a Subject
REVIEW_BAND = (0.5, 0.99)  # probabilities an analyst should look at, whatever clustering did
REVIEW_OUTCOMES = (AMBIGUOUS, BLOCKED)  # strong links clustering set aside
REVIEW_LIMIT = 20  # pairs shown at once, most uncertain first
DECISION_KINDS = ("merge", "separate")
QUEUE_COLUMNS = ["a", "b", "probability", "weight", "outcome", "distance"]
LEVEL_COLUMNS = ["comparison", "evidence", "weight"]
MEMBER_COLUMNS = [
    "profile_id", "id", "type", "caption", "birth_date", "source_path", "connector",
    "record_id", "method", "probability", "decision",
]  # fmt: skip


class ReasonMissing(DossierError):
    def __init__(self) -> None:
        super().__init__("give a reason: it stays with the decision wherever it applies")


@dataclass(frozen=True)
class PairEvidence:
    """Two profiles side by side and why the model scored them as it did."""

    a: dict[str, Any]  # name, birth_date, source_path, connector, identifiers, subject_ref, …
    b: dict[str, Any]
    probability: float | None
    outcome: str | None  # what clustering did with the link
    levels: pd.DataFrame  # comparison, evidence, weight (log2 Bayes factor); the prior first
    shared: list[str]  # identifiers both records carry
    decisions: list[str]  # analyst decisions in force that touch either record


@dataclass(frozen=True)
class Resolved:
    """A subject one record resolved to: how it was placed, and the subject's other records."""

    ref: str
    id: str  # the Subject node
    name: str | None
    records: int
    placed: pd.DataFrame  # this entity's profiles: source_path, connector, method, …
    others: pd.DataFrame  # MEMBER_COLUMNS of the subject's other records


@dataclass(frozen=True)
class Applied:
    """A recorded decision and the resolution run and graph update that applied it."""

    decision: Decision
    together: bool  # the two records now share a subject
    subjects: int
    batches: int  # ledger batches projected into the graph


def resolves(entity_type: str) -> bool:
    return entity_type in RESOLVED_TYPES


def analyst() -> str:
    """Who decides: the analyst of the app's settings (DOSSIER_ANALYST)."""
    return _context().analyst


def review_queue() -> pd.DataFrame | None:
    """Candidate pairs to judge, most uncertain first (QUEUE_COLUMNS); None before any
    resolution run. A pair is a candidate when clustering set its link aside or its
    probability lies in REVIEW_BAND, unless an analyst decision in force covers it."""
    context = _context()
    queue = _review_queue(context, _scope(context))
    if queue is not None:
        _audit("view_review", {"pairs": len(queue)})
    return queue


def pair_evidence(a: str, b: str) -> PairEvidence:
    context = _context()
    evidence = _evidence(context, _scope(context), a, b)
    _audit("explain", {"a": a, "b": b})
    return evidence


def resolution(entity_id: str) -> list[Resolved] | None:
    """The subjects a Person or Account resolved to (one per subject, usually one); None
    before any resolution run."""
    context = _context()
    subjects = _resolution(context, _scope(context), entity_id)
    if subjects is not None:
        _audit("view_resolution", {"id": entity_id, "subjects": [s.ref for s in subjects]})
    return subjects


def subject_members(ref: str) -> pd.DataFrame:
    """Every record resolved to the subject `ref` (MEMBER_COLUMNS), with its source."""
    context = _context()
    members = _members(context, _scope(context), ref)
    _audit("view_members", {"ref": ref, "records": len(members)})
    return members


def decide(kind: str, a: str, b: str, reason: str) -> Applied:
    """Record an analyst's merge or keep-apart of two profiles, then apply it at once: a
    resolution run and a graph update, so every page shows the result (as `dossier decide`)."""
    if kind not in DECISION_KINDS:
        raise DossierError(f"unknown decision {kind!r}; the review page offers merge or separate")
    if not reason.strip():
        raise ReasonMissing()
    context = _context()
    # One decision at a time; and no session reads the embedded graph while it changes
    # (Neo4j's transactions keep its readers apart from the update).
    with _read_lock:
        decision, report = apply.decide(context.ledger, kind, a, [b], analyst(), reason)
        context.audit("decide", {"decision": decision.id, "kind": kind, "a": a, "b": b})
        with _writable(context) as store:
            projection = project(context.ledger, store)
    st.cache_data.clear()  # every cached read may show the old subjects
    refs = dict(zip(report.assignments.profile_id, report.assignments.subject_ref, strict=True))
    return Applied(decision, refs.get(a) == refs.get(b), report.subjects, projection.batches)


@contextmanager
def _writable(context: AppContext) -> Iterator[GraphStore]:
    """The app's graph, writable. The embedded one is open read-only, and its connection
    does not see later writes: the update goes through a second, writable database and
    the app's cached store is released, so the next script run reopens it. A Neo4j store
    is a driver for the server, which writes whatever the app opened it for, so the app's
    own store takes the update; on one server the next reads see it (on a cluster only if
    the store's sessions share bookmarks). tests/dashboards/test_review.py checks every
    page shows the result on both backends."""
    store = context.store
    if not isinstance(store, EmbeddedStore):
        yield store
        return
    writable = EmbeddedStore(store.path, store.model)
    try:
        yield writable
    finally:
        writable.close()
        st.cache_resource.clear()


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _tables(_context: AppContext, scope: str) -> dict[str, pd.DataFrame] | None:
    tables = latest_tables(_context.ledger)
    if tables is None:
        return None
    return {"assignments": tables["assignments"], "pairs": tables["pairs"]}


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _review_queue(_context: AppContext, scope: str) -> pd.DataFrame | None:
    tables = _tables(_context, scope)
    if tables is None:
        return None
    pairs = tables["pairs"]
    judged = _judged(DecisionLog(_context.ledger.root).active())
    near = pairs.outcome.isin(REVIEW_OUTCOMES) | pairs.match_probability.between(*REVIEW_BAND)
    keys = zip(pairs.unique_id_l, pairs.unique_id_r, strict=True)
    open_ = pd.Series([frozenset(key) not in judged for key in keys], index=pairs.index)
    chosen = pairs[near & open_ & (pairs.outcome != SEPARATED)]
    queue = pd.DataFrame(
        {
            "a": chosen.unique_id_l,
            "b": chosen.unique_id_r,
            "probability": chosen.match_probability.astype(float),
            "weight": chosen.match_weight.astype(float),
            "outcome": chosen.outcome,
            "distance": (chosen.match_probability - THRESHOLD).abs(),
        },
        columns=QUEUE_COLUMNS,
    )
    return queue.sort_values(["distance", "a", "b"], ignore_index=True)


def _judged(decisions: list[Decision]) -> set[frozenset[str]]:
    """Pairs of profiles an analyst decision in force put on its two sides."""
    return {frozenset((x, y)) for d in decisions for x in d.profiles_a for y in d.profiles_b}


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _evidence(_context: AppContext, scope: str, a: str, b: str) -> PairEvidence:
    tables = _tables(_context, scope)
    if tables is None:
        raise DossierError("no resolution yet: run `dossier resolve` first")
    rows = tables["assignments"].set_index("profile_id")
    why = explain(_context.ledger, a, b)
    odds = f"one pair in {round(1 / PRIOR):,} is one person"
    prior = ("prior", odds, PRIOR_WEIGHT)
    levels = [prior, *((lv.comparison, lv.label, lv.weight) for lv in why.levels)]
    return PairEvidence(
        a=_profile(rows, a),
        b=_profile(rows, b),
        probability=why.probability,
        outcome=why.outcome,
        levels=pd.DataFrame(levels, columns=LEVEL_COLUMNS),
        shared=sorted({str(s["identifier"]) for s in why.shared}),
        decisions=[d.describe() for d in why.decisions],
    )


def _profile(rows: pd.DataFrame, profile_id: str) -> dict[str, Any]:
    row = rows.loc[profile_id]
    fields = ("node_id", "node_type", "name", "birth_date", "source_path", "connector",
              "record_id", "subject_ref")  # fmt: skip
    profile = {name: present(row[name]) for name in fields}
    profile.update(
        profile_id=profile_id,
        identifiers=[str(i) for i in row["identifiers"]],
        documents=[str(d) for d in row["documents"]],
    )
    return profile


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _resolution(_context: AppContext, scope: str, entity_id: str) -> list[Resolved] | None:
    tables = _tables(_context, scope)
    if tables is None:
        return None
    assignments = tables["assignments"]
    own = assignments[assignments.node_id == entity_id]
    subjects = []
    for ref, placed in own.groupby("subject_ref", sort=True):
        members = _members(_context, scope, str(ref))
        subject_id = _context.store.model.entity_id("Subject", {"ref": ref})
        node = _entity(_context, scope, subject_id)
        properties = node["properties"] if node else {}
        subjects.append(
            Resolved(
                ref=str(ref),
                id=subject_id,
                name=properties.get("name"),
                records=len(members),
                placed=_member_rows(_context, placed),
                others=members[members.id != entity_id].reset_index(drop=True),
            )
        )
    return subjects


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _members(_context: AppContext, scope: str, ref: str) -> pd.DataFrame:
    tables = _tables(_context, scope)
    if tables is None:
        return pd.DataFrame(columns=MEMBER_COLUMNS)
    assignments = tables["assignments"]
    return _member_rows(_context, assignments[assignments.subject_ref == ref])


def _member_rows(context: AppContext, rows: pd.DataFrame) -> pd.DataFrame:
    """Assignment rows as the pages show them, each decision id spelt out."""
    notes = {d.id: d.describe() for d in DecisionLog(context.ledger.root).all()}
    frame = rows.rename(columns={"node_id": "id", "node_type": "type", "name": "caption"})
    decisions: list[Any] = [notes.get(d, d) if isinstance(d, str) else None for d in frame.decision]
    frame = frame.assign(
        probability=[present(p) for p in frame.probability],
        decision=decisions,
        birth_date=[present(b) for b in frame.birth_date],
    )
    return frame[MEMBER_COLUMNS].sort_values(["source_path", "caption"], ignore_index=True)
