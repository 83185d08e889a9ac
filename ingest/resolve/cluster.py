"""From scored pairs to clusters, under constraints that protect against false merges.

Plain connected components chain look-alikes together: a contact saved as "Petra
Zandmeer" with no date of birth scores high against two namesakes born decades apart and
would join them into one subject. So:
1. analyst merges are applied first and analyst "not the same" judgements are hard walls;
2. a profile whose strong links point at two profiles that cannot be one person (dates
   of birth that disagree, two different passports, or an analyst wall) is
   ambiguous: those links are set aside for review instead of picking one at random;
3. the remaining links join clusters strongest first, never joining two clusters whose
   dates of birth or identity documents disagree.
Every link keeps its outcome so `dossier explain` and the review page can show it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import jellyfish

LINKED, BLOCKED, AMBIGUOUS, BELOW, SEPARATED = (
    "linked",
    "blocked",
    "ambiguous",
    "below threshold",
    "kept apart by an analyst",
)


@dataclass(frozen=True)
class Link:
    a: str
    b: str
    probability: float


@dataclass
class Constraints:
    """Analyst judgements as must-link and cannot-link pairs, each with its decision id."""

    merge: list[tuple[str, str, str]] = field(default_factory=list)
    separate: list[tuple[str, str, str]] = field(default_factory=list)


def compatible_dates(a: str, b: str) -> bool:
    """Equal, one typo apart, or day and month swapped ("1990-03-04" / "1990-04-03")."""
    if a == b or jellyfish.damerau_levenshtein_distance(a, b) <= 1:
        return True
    return len(a) == len(b) == 10 and a[:4] == b[:4] and a[5:7] == b[8:10] and a[8:10] == b[5:7]


Documents = dict[str, set[str]]  # document kind ("passport") -> "country:number"


def document_numbers(documents: Iterable[str]) -> Documents:
    """Identity documents by kind; a document written without its kind and country (a bare
    number in a CSV) takes no part in conflicts."""
    found: Documents = defaultdict(set)
    for doc in documents:
        parts = doc.split(":")
        if len(parts) == 4:  # doc:<kind>:<country>:<number>
            found[parts[1]].add(f"{parts[2]}:{parts[3]}")
    return found


def documents_clash(a: Documents, b: Documents) -> bool:
    """Two different passports: two people, unless an analyst says otherwise (a dual
    national is the rarer case, and a false merge the worse error)."""
    return any(kind in b and not numbers & b[kind] for kind, numbers in a.items())


class _Clusters:
    """Union-find that keeps each cluster's dates of birth, documents and analyst walls."""

    def __init__(
        self, ids: Iterable[str], dobs: Mapping[str, str | None], docs: Mapping[str, Documents]
    ) -> None:
        self.parent = {i: i for i in ids}
        self.dobs: dict[str, set[str]] = {
            i: {d} if (d := dobs.get(i)) else set() for i in self.parent
        }
        self.docs: dict[str, Documents] = {i: docs.get(i, {}) for i in self.parent}
        self.walls: dict[str, set[str]] = defaultdict(set)

    def find(self, i: str) -> str:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:  # path compression
            self.parent[i], i = root, self.parent[i]
        return root

    def members_conflict(self, ra: str, rb: str) -> bool:
        if any(not compatible_dates(x, y) for x in self.dobs[ra] for y in self.dobs[rb]):
            return True
        if documents_clash(self.docs[ra], self.docs[rb]):
            return True
        return any(self.find(w) == rb for w in self.walls[ra])

    def union(self, ra: str, rb: str) -> None:
        keep, gone = sorted((ra, rb))
        self.parent[gone] = keep
        self.dobs[keep] |= self.dobs.pop(gone)
        merged: Documents = defaultdict(set)
        for docs in (self.docs[keep], self.docs.pop(gone)):
            for kind, numbers in docs.items():
                merged[kind] |= numbers
        self.docs[keep] = merged
        self.walls[keep] |= self.walls.pop(gone, set())


def cluster(
    ids: list[str],
    links: list[Link],
    dobs: Mapping[str, str | None],
    threshold: float,
    constraints: Constraints | None = None,
    documents: Mapping[str, Iterable[str]] | None = None,
) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Profile id -> cluster root, and (a, b) -> the outcome of each link."""
    constraints = constraints or Constraints()
    docs = {i: document_numbers(d) for i, d in (documents or {}).items() if d}
    clusters = _Clusters(ids, dobs, docs)
    outcome: dict[tuple[str, str], str] = {}
    for a, b, _decision in constraints.separate:
        clusters.walls[a].add(b)
        clusters.walls[b].add(a)
    for a, b, _decision in constraints.merge:
        ra, rb = clusters.find(a), clusters.find(b)
        if ra != rb:
            clusters.union(ra, rb)
    strong = [link for link in links if link.probability >= threshold]
    for link in links:
        if link.probability < threshold:
            outcome[(link.a, link.b)] = BELOW
    ambiguous = _ambiguous(strong, dobs, docs, constraints)
    for link in sorted(strong, key=lambda k: (-k.probability, k.a, k.b)):
        key = (link.a, link.b)
        if key in ambiguous:
            outcome[key] = AMBIGUOUS
            continue
        ra, rb = clusters.find(link.a), clusters.find(link.b)
        if ra == rb:
            outcome[key] = LINKED
        elif clusters.members_conflict(ra, rb) or clusters.members_conflict(rb, ra):
            outcome[key] = SEPARATED if _walled(clusters, ra, rb) else BLOCKED
        else:
            clusters.union(ra, rb)
            outcome[key] = LINKED
    return {i: clusters.find(i) for i in ids}, outcome


def _walled(clusters: _Clusters, ra: str, rb: str) -> bool:
    return any(clusters.find(w) == rb for w in clusters.walls.get(ra, ()))


def _ambiguous(
    strong: list[Link],
    dobs: Mapping[str, str | None],
    docs: Mapping[str, Documents],
    constraints: Constraints,
) -> set[tuple[str, str]]:
    """Links from a profile to neighbours that cannot both be its person."""
    walls = {frozenset((a, b)) for a, b, _ in constraints.separate}
    neighbours: dict[str, list[tuple[str, tuple[str, str]]]] = defaultdict(list)
    for link in strong:
        neighbours[link.a].append((link.b, (link.a, link.b)))
        neighbours[link.b].append((link.a, (link.a, link.b)))
    doubtful: set[tuple[str, str]] = set()
    for near in neighbours.values():
        if len(near) < 2:
            continue
        for i, (y, key_y) in enumerate(near):
            for z, key_z in near[i + 1 :]:
                dy, dz = dobs.get(y), dobs.get(z)
                dates_clash = bool(dy and dz and not compatible_dates(dy, dz))
                papers_clash = documents_clash(docs.get(y, {}), docs.get(z, {}))
                if dates_clash or papers_clash or frozenset((y, z)) in walls:
                    doubtful.update((key_y, key_z))
    return doubtful
