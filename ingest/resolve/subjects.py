"""Stable subject refs: a subject keeps its ref across runs while its records stay with it.

Each new cluster inherits the previous ref that most of its members held (a record
joining a subject does not renumber it). When two earlier subjects end up in one cluster
the larger keeps its ref and the other is recorded as merged into it; when an earlier
subject's records split, the largest part keeps the ref and the others get new refs,
recorded as split from it. Nothing is renumbered silently: every change is listed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from schemas.ids import make_id


@dataclass(frozen=True)
class Change:
    kind: str  # created, merged, split, grew, shrank
    ref: str
    other: str | None = None  # merged into / split from
    members: int = 0


def assign_refs(
    clusters: Mapping[str, list[str]],
    previous: Mapping[str, str],
    retired: frozenset[str] = frozenset(),
) -> tuple[dict[str, str], list[Change]]:
    """Cluster root -> subject ref, and what changed since the previous run.

    `clusters` maps a root to its member profile ids; `previous` maps profile id -> ref
    of the last run; `retired` are refs used before and never to be reused."""
    overlaps = []
    for root, members in clusters.items():
        for ref, count in Counter(previous[m] for m in members if m in previous).items():
            overlaps.append((-count, ref, root))
    refs: dict[str, str] = {}
    taken: set[str] = set()
    for _neg, ref, root in sorted(overlaps):
        if root not in refs and ref not in taken:
            refs[root] = ref
            taken.add(ref)  # in place: a new set per subject made a rerun quadratic
    used = set(previous.values()) | set(retired)
    for root in sorted(clusters):
        if root not in refs:
            refs[root] = _new_ref(min(clusters[root]), used)
            used.add(refs[root])
    return refs, _changes(clusters, previous, refs)


def _new_ref(seed: str, used: set[str]) -> str:
    ref, n = make_id("subject", seed).replace("subject-", "S-"), 1
    while ref in used:  # a retired ref is never handed to someone else
        ref, n = make_id("subject", seed, n).replace("subject-", "S-"), n + 1
    return ref


def _changes(
    clusters: Mapping[str, list[str]], previous: Mapping[str, str], refs: Mapping[str, str]
) -> list[Change]:
    before: dict[str, set[str]] = defaultdict(set)
    for profile, ref in previous.items():
        before[ref].add(profile)
    changes: list[Change] = []
    live = set(refs.values())
    for root, members in sorted(clusters.items(), key=lambda item: refs[item[0]]):
        ref, now = refs[root], set(members)
        earlier = {previous[m] for m in members if m in previous}
        if ref not in before:
            origin = sorted(earlier)
            changes.append(
                Change(
                    "split" if origin else "created", ref, origin[0] if origin else None, len(now)
                )
            )
        elif now != before[ref]:
            changes.append(Change("grew" if now > before[ref] else "shrank", ref, None, len(now)))
        for gone in sorted(earlier - live):
            changes.append(Change("merged", gone, ref, len(now)))
    return changes
