"""Why two records are (or are not) one subject, in terms an analyst can check.

An explanation names the shared identifiers with the source records that assert them,
each comparison's outcome with its match weight (log2 of the Bayes factor), the final
probability, what clustering did with the link, the chain of links when the two were
joined through others, and every analyst decision that touches them.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pandas as pd

from ingest.ledger import Ledger
from ingest.resolve.cluster import LINKED
from ingest.resolve.decisions import Decision, DecisionLog
from ingest.resolve.run import KIND, latest_tables
from ingest.resolve.scoring import MODEL_VERSION, PRIOR_WEIGHT, comparisons
from schemas.errors import DossierError


class ExplainError(DossierError):
    exit_code = 66


@dataclass(frozen=True)
class Level:
    comparison: str
    label: str
    weight: float | None  # log2 Bayes factor; None when the level adds no evidence


@dataclass
class Explanation:
    a: list[str]
    b: list[str]
    subjects_a: list[str]
    subjects_b: list[str]
    shared: list[dict[str, Any]] = field(default_factory=list)
    probability: float | None = None
    outcome: str | None = None
    levels: list[Level] = field(default_factory=list)
    chain: list[tuple[str, str, float]] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)

    @property
    def same_subject(self) -> bool:
        return bool(set(self.subjects_a) & set(self.subjects_b))

    def lines(self) -> list[str]:
        verdict = "the same subject" if self.same_subject else "different subjects"
        out = [f"{_names(self.subjects_a)} and {_names(self.subjects_b)}: {verdict}"]
        out += [
            f"  shared {s['identifier']}: records {s['record_a']} and {s['record_b']}"
            for s in self.shared
        ]
        if self.probability is not None:
            out.append(f"  prior: {PRIOR_WEIGHT:+.1f}")
            out += [f"  {lv.comparison}: {lv.label} ({_weight(lv.weight)})" for lv in self.levels]
            out.append(f"  match probability {self.probability:.4f} -> {self.outcome}")
        elif not self.shared:
            out.append(
                "  no pair of their records scored 0.3 or more "
                "(or no blocking rule put them side by side)"
            )
        out += [f"  via {a} -> {b} ({p:.3f})" for a, b, p in self.chain]
        out += [f"  decision {d.describe()}" for d in self.decisions]
        return out


def _names(refs: list[str]) -> str:
    return "/".join(refs) or "(no subject)"


def _weight(weight: float | None) -> str:
    return "no evidence" if weight is None else f"{weight:+.1f}"


def explain(ledger: Ledger, a: str, b: str) -> Explanation:
    tables = latest_tables(ledger)
    if tables is None:
        raise ExplainError("no resolution yet: run `dossier resolve` first")
    made_by = tables["manifest"].connector_version
    if made_by != MODEL_VERSION:  # its levels are numbered as that model's were
        raise ExplainError(
            f"the latest resolution was made by model {made_by}, and this is model "
            f"{MODEL_VERSION}: run `dossier resolve` again to explain it"
        )
    assignments: pd.DataFrame = tables["assignments"]
    side_a, side_b = find_profiles(ledger, assignments, a), find_profiles(ledger, assignments, b)
    rows = assignments.set_index("profile_id")
    result = Explanation(
        a=side_a,
        b=side_b,
        subjects_a=sorted(set(rows.loc[side_a, "subject_ref"])),
        subjects_b=sorted(set(rows.loc[side_b, "subject_ref"])),
        shared=_shared(rows, side_a, side_b),
    )
    _best_pair(result, tables["pairs"], set(side_a), set(side_b))
    if result.same_subject and result.outcome != LINKED:
        result.chain = _chain(tables["pairs"], set(side_a), set(side_b))
    touched = set(side_a) | set(side_b)
    result.decisions = [
        d
        for d in DecisionLog(ledger.root).active()
        if touched & (set(d.profiles_a) | set(d.profiles_b))
    ]
    return result


def find_profiles(ledger: Ledger, assignments: pd.DataFrame, key: str) -> list[str]:
    """The profiles a key names now; a subject ref that an earlier run handed out (and a
    merge or split retired) names the profiles it held then."""
    try:
        return profiles_of(assignments, key)
    except ExplainError:
        for manifest in reversed(ledger.batches()):
            if manifest.supersedes == KIND:
                earlier = ledger.table(manifest, "assignments").select(
                    ["profile_id", "subject_ref"]
                )
                columns = earlier.to_pydict()
                held = [
                    p
                    for p, r in zip(columns["profile_id"], columns["subject_ref"], strict=True)
                    if r == key
                ]
                if held:
                    return sorted(held)
        raise


def profiles_of(assignments: pd.DataFrame, key: str) -> list[str]:
    """A profile id, a subject ref or Subject node id, or a Person / Account node id."""
    for column in ("profile_id", "subject_ref", "node_id"):
        found = assignments.loc[assignments[column] == key, "profile_id"]
        if len(found):
            return sorted(found)
    if key.startswith("subject-"):
        from schemas.model import default_model

        refs = assignments.subject_ref.unique()
        for ref in refs:
            if default_model().entity_id("Subject", {"ref": ref}) == key:
                return sorted(assignments.loc[assignments.subject_ref == ref, "profile_id"])
    raise ExplainError(
        f"{key!r} is not a profile, subject or person/account id of the latest resolution; "
        "`dossier search NAME` finds ids"
    )


def _shared(rows: pd.DataFrame, side_a: list[str], side_b: list[str]) -> list[dict[str, Any]]:
    held: dict[str, list[str]] = defaultdict(list)
    for profile in side_a:
        for ident in _identifiers(rows, profile):
            held[ident].append(profile)
    shared = []
    for profile in side_b:
        for ident in _identifiers(rows, profile):
            for other in held.get(ident, []):
                shared.append(
                    {
                        "identifier": ident,
                        "record_a": rows.at[other, "record_id"],
                        "record_b": rows.at[profile, "record_id"],
                    }
                )
    return sorted(shared, key=lambda s: (s["identifier"], s["record_a"], s["record_b"]))[:20]


def _identifiers(rows: pd.DataFrame, profile: str) -> list[str]:
    values: Any = [rows.at[profile, "identifiers"], rows.at[profile, "documents"]]
    return [str(ident) for column in values for ident in column]


def _best_pair(result: Explanation, pairs: pd.DataFrame, a: set[str], b: set[str]) -> None:
    forward = pairs.unique_id_l.isin(a) & pairs.unique_id_r.isin(b)
    backward = pairs.unique_id_l.isin(b) & pairs.unique_id_r.isin(a)
    found = pairs[forward | backward]
    if found.empty:
        return
    best = found.iloc[int(found.match_probability.to_numpy().argmax())]
    result.probability = float(best.match_probability)
    result.outcome = str(best.outcome)
    result.levels = [
        Level(name, *_levels()[name].get(int(best[f"gamma_{name}"]), ("?", None)))
        for name in _levels()
    ]


@cache
def _levels() -> dict[str, dict[int, tuple[str, float | None]]]:
    """Comparison -> gamma value -> (label, match weight), read from the model itself:
    its m and u probabilities are fixed, so the weight of a level is log2(m / u)."""
    levels: dict[str, dict[int, tuple[str, float | None]]] = {}
    for creator in comparisons():
        comparison = creator.get_comparison("duckdb")  # type: ignore[union-attr]
        levels[comparison.output_column_name] = {
            level.comparison_vector_value: (level.label_for_charts, _weight_of(level))
            for level in comparison.comparison_levels
        }
    return levels


def _weight_of(level: Any) -> float | None:
    if level.is_null_level or not level.m_probability or not level.u_probability:
        return None
    return math.log2(level.m_probability / level.u_probability)


def _chain(pairs: pd.DataFrame, a: set[str], b: set[str]) -> list[tuple[str, str, float]]:
    """The shortest path of links from side A to side B (breadth-first)."""
    linked = pairs[pairs.outcome == LINKED]
    graph: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for x, y, p in zip(
        linked.unique_id_l, linked.unique_id_r, linked.match_probability, strict=True
    ):
        graph[x].append((y, float(p)))
        graph[y].append((x, float(p)))
    previous: dict[str, tuple[str, float] | None] = dict.fromkeys(a)
    queue = deque(sorted(a))
    while queue:
        node = queue.popleft()
        if node in b:
            return _unwind(previous, node)
        for nxt, p in graph.get(node, []):
            if nxt not in previous:
                previous[nxt] = (node, p)
                queue.append(nxt)
    return []


def _unwind(
    previous: dict[str, tuple[str, float] | None], end: str
) -> list[tuple[str, str, float]]:
    hops = []
    node = end
    while (step := previous[node]) is not None:
        hops.append((step[0], node, step[1]))
        node = step[0]
    return hops[::-1]
