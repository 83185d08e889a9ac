"""Analyst decisions: merge, split, "not the same", and undo — who, when and why.

Decisions are ledger entries: an append-only JSON-lines file beside the batches. They
name profiles, not subjects, so a decision keeps meaning what the analyst saw even when
later runs renumber nothing but move records. They always override the model; an undo
is itself a decision, so the history stays complete.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ingest.resolve.cluster import Constraints
from schemas.errors import DossierError
from schemas.ids import make_id

KINDS = ("merge", "separate", "split", "undo")
FILE_NAME = "decisions.jsonl"


class DecisionError(DossierError):
    exit_code = 65


@dataclass(frozen=True)
class Decision:
    kind: str
    analyst: str
    reason: str
    profiles_a: list[str] = field(default_factory=list)
    profiles_b: list[str] = field(default_factory=list)
    undoes: str | None = None
    at: str = ""
    id: str = ""

    def describe(self) -> str:
        what = f"undo of {self.undoes}" if self.kind == "undo" else self.kind
        return f"{self.id}: {what} by {self.analyst} at {self.at}: {self.reason}"


class DecisionLog:
    def __init__(self, ledger_root: Path) -> None:
        self.path = ledger_root / FILE_NAME

    def all(self) -> list[Decision]:
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as fp:
            return [Decision(**json.loads(line)) for line in fp if line.strip()]

    def active(self) -> list[Decision]:
        """Decisions in force: not undone (an undo of an undo restores the decision)."""
        decisions = self.all()
        undone: set[str] = set()
        for d in reversed(decisions):  # the latest undo settles each decision
            if d.kind == "undo" and d.id not in undone and d.undoes:
                undone.add(d.undoes)
        return [d for d in decisions if d.id not in undone and d.kind != "undo"]

    def record(self, decision: Decision) -> Decision:
        _check(decision, {d.id for d in self.all()})
        at = datetime.now(UTC).isoformat(timespec="seconds")
        key = (decision.kind, at, decision.analyst, *decision.profiles_a, *decision.profiles_b)
        stamped = Decision(
            **{**asdict(decision), "at": at, "id": make_id("decision", *key, decision.undoes)}
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fp:
            fp.write(json.dumps(asdict(stamped), ensure_ascii=False) + "\n")
            fp.flush()
            os.fsync(fp.fileno())
        return stamped

    def digest(self) -> str:
        return make_id(
            "decisions", self.path.read_text(encoding="utf-8") if self.path.exists() else ""
        )


def _check(decision: Decision, known: set[str]) -> None:
    if decision.kind not in KINDS:
        raise DecisionError(
            f"unknown decision kind {decision.kind!r}; use one of {', '.join(KINDS)}"
        )
    if not decision.reason.strip():
        raise DecisionError("a decision needs a reason (--reason): it is shown wherever it applies")
    if decision.kind == "undo":
        if decision.undoes not in known:
            raise DecisionError(
                f"no decision {decision.undoes!r} to undo; `dossier decisions` lists them"
            )
        return
    if not decision.profiles_a or not decision.profiles_b:
        raise DecisionError(f"a {decision.kind} decision needs records on both sides")
    if set(decision.profiles_a) & set(decision.profiles_b):
        raise DecisionError("the two sides share records; name two different subjects or records")


def constraints(decisions: list[Decision]) -> Constraints:
    """Active decisions as must-link / cannot-link pairs for clustering.

    merge: every record of A with every record of B; separate: a wall between A and B;
    split: B (the records taken out) walled off from A (the rest); each part kept whole."""
    result = Constraints()
    for d in decisions:
        if d.kind == "merge":
            result.merge += [(d.profiles_a[0], b, d.id) for b in d.profiles_b]
            result.merge += [(d.profiles_a[0], a, d.id) for a in d.profiles_a[1:]]
        elif d.kind in ("separate", "split"):
            result.separate += [(a, b, d.id) for a in d.profiles_a for b in d.profiles_b]
            if d.kind == "split":  # both parts stay whole: the analyst judged each
                result.merge += [(d.profiles_b[0], b, d.id) for b in d.profiles_b[1:]]
                result.merge += [(d.profiles_a[0], a, d.id) for a in d.profiles_a[1:]]
    return result
