"""What a mention is, how sure each way of finding one is, and which of several
overlapping findings of one stretch of text wins.

A stretch of text may be found several times: "Ana Brisković" by the gazetteer and as a
PERSON by the model, "+31 6 1234 5678" by the phone rule and as a DATE by the model. The
surer method wins the stretch, so a known entity is never shadowed by a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# Methods by how much their findings are trusted when two claim the same characters:
# a rule reads an identifier, the gazetteer a known name, the model only guesses.
RANK = {"rule": 3, "gazetteer": 2, "model": 1}

CONFIDENCE = {
    "PHONE": 0.95,  # a valid international number is the number it says
    "EMAIL": 0.95,
    "HANDLE": 0.9,
    "PLATE": 0.8,  # a known plate written in prose; the plate may be read wrong
    "FLIGHT": 0.9,  # the leg of a passenger the text names, on the date it writes
    "FLIGHT:near": 0.7,  # ... departing within a day of the text, no date written
    "FLIGHT:anyone": 0.3,  # a leg of the one departure meant; whose, the text does not say
    "model:PERSON": 0.3,  # an unknown person the model guesses: low, a name alone says little
    "model": 0.5,  # an unknown organisation or place the model guesses
}
# A known name: one word ("Tessa") is carried by many, a full name by fewer, and a full
# name the model also reads as an entity of its kind is surest. Each step lifts one.
NAME_CONFIDENCE = (0.5, 0.8, 0.95)


@dataclass(frozen=True)
class Target:
    """The entity a mention points to. `props` is None for a node already in the ledger
    (linked without asserting anything about it), else the properties of a new entity."""

    type: str
    id: str
    props: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Mention:
    start: int  # Python str indices into the text: text[start:end] is the mention
    end: int
    label: str  # PERSON, ORG, GPE, FAC, PHONE, EMAIL, HANDLE, PLATE, FLIGHT
    method: str  # rule, gazetteer, model
    confidence: float
    target: Target


def ambiguous(confidence: float, candidates: int) -> float:
    """A name or handle that fits several known entities of one type names only one of
    them: each link gets half the confidence, so no analyst takes it at face value."""
    return confidence if candidates <= 1 else round(confidence / 2, 3)


def select(found: Iterable[Mention], blocked: Iterable[tuple[int, int]] = ()) -> list[Mention]:
    """The mentions that win their stretch of text: spans are taken by method rank, then
    length, then position; a span overlapping one already taken (or a blocked one, such as
    a URL) is dropped. A winning span keeps every target of its best method."""
    groups: dict[tuple[int, int], dict[str, Mention]] = {}
    for mention in found:
        group = groups.setdefault((mention.start, mention.end), {})
        known = group.get(mention.target.id)
        if known is None or RANK[mention.method] > RANK[known.method]:
            group[mention.target.id] = mention
    taken = list(blocked)
    chosen: list[Mention] = []
    for span in sorted(groups, key=lambda s: _rank(s, groups[s].values())):
        if any(start < span[1] and span[0] < end for start, end in taken):
            continue
        taken.append(span)
        best = max(RANK[m.method] for m in groups[span].values())
        chosen.extend(m for m in groups[span].values() if RANK[m.method] == best)
    return sorted(chosen, key=lambda m: (m.start, m.end, m.target.id))


def _rank(span: tuple[int, int], mentions: Iterable[Mention]) -> tuple[int, int, int]:
    best = max(RANK[m.method] for m in mentions)
    return (-best, span[0] - span[1], span[0])
