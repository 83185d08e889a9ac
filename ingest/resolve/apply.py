"""Record an analyst decision and resolve again: one step for the CLI and the app alike.

Keys may be subject refs (current or retired), Person / Account ids or profile ids; they
are expanded to profiles as the analyst sees them now, so the decision keeps meaning
that even when later runs move records.
"""

from __future__ import annotations

from ingest.ledger import Ledger
from ingest.resolve.decisions import Decision, DecisionLog
from ingest.resolve.explain import ExplainError, find_profiles
from ingest.resolve.run import ResolutionReport, latest_tables, resolve_ledger


def decide(
    ledger: Ledger, kind: str, a: str, b: list[str], analyst: str, reason: str
) -> tuple[Decision, ResolutionReport]:
    """merge / separate A and B, or split records B out of subject A; then resolve."""
    tables = latest_tables(ledger)
    if tables is None:
        raise ExplainError("no resolution yet: run `dossier resolve` first")
    assignments = tables["assignments"]
    side_a = find_profiles(ledger, assignments, a)
    side_b = sorted({p for key in b for p in find_profiles(ledger, assignments, key)})
    if kind == "split":  # what stays is the rest of the subject
        side_a = [p for p in side_a if p not in side_b]
    decision = DecisionLog(ledger.root).record(
        Decision(kind, analyst, reason.strip(), side_a, side_b)
    )
    return decision, resolve_ledger(ledger)


def undo(
    ledger: Ledger, decision_id: str, analyst: str, reason: str
) -> tuple[Decision, ResolutionReport]:
    decision = DecisionLog(ledger.root).record(
        Decision("undo", analyst, reason.strip(), undoes=decision_id)
    )
    return decision, resolve_ledger(ledger)
