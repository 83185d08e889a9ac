"""How many people carry each full name: a name several people carry proves less.

The name comparison (`scoring.name_comparison`) weighs a full name carried by one known
person as near proof, so counting too few carriers joins namesakes. Three kinds of
evidence each tell a lower bound, and the count is the highest of them:
- distinct dates of birth written with the name;
- distinct owners of personal exports holding identifiers written with it
  (`_owners_per_name`);
- identifiers written with it whose circles of contacts are far apart
  (`_holders_per_name`): a phone and an address in touch with different people are two
  people's, as nobody keeps two circles of friends.
Counting records instead would make the most documented person look common.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

import pandas as pd

# Two identifiers written with one name are two people's where the full names written
# with their contacts' identifiers number CIRCLE_LEAST or more each and they share less
# than CIRCLE_SHARE of the smaller set. Names, not identifiers, make the circles: a
# friend's phone and address are one contact whichever of them a tie names, so a
# person's phone and address can be compared too. On the generated town's medium
# scenarios (seeds 7 and 8), before any resolution, among identifiers written with one
# full name whose circles hold 5 names or more: of 918 pairs of one person's, one shared
# less (0.2 of the smaller circle; the next fewest 1/3); of 160 pairs of namesakes', 149
# did. So 30 of the 33 full names that two or three people carry on seed 7 count as
# several (seed 8's one too), and none of the 768 names of one person does. Comparing
# raw identifiers of one kind instead (a phone's numbers, an address's addresses) told
# 29 of those 34 names and counted 2 names of one person twice.
CIRCLE_LEAST = 5
CIRCLE_SHARE = (3, 10)

Circles = Mapping[str, frozenset[str]]


def people_per_name(
    frame: pd.DataFrame, owner_of: Mapping[str, int], ties: pd.DataFrame | None = None
) -> pd.Series:
    """For each row of `frame` (tokens_key, dob, ids), how many different people are known
    to carry its full name (at least one; 0 for rows without one). `owner_of` tells whose
    export's owner an identifier is (`owner_groups`), `ties` who is in touch with whom
    (`relations.read_ties`: x, y)."""
    named = frame.dropna(subset=["tokens_key"])
    circles = name_circles(named, ties) if ties is not None else {}
    births = named.groupby("tokens_key")["dob"].nunique()
    owned = _owners_per_name(named, owner_of).reindex(births.index, fill_value=0)
    held = _holders_per_name(named, circles).reindex(births.index, fill_value=0)
    people = pd.concat([births, owned, held], axis=1).max(axis=1).clip(lower=1)
    return frame["tokens_key"].map(people).fillna(0).astype("int64")


def _owners_per_name(named: pd.DataFrame, owner_of: Mapping[str, int]) -> pd.Series:
    """Full name -> how many export owners with no identifier in common hold identifiers
    of one kind written with that name, for the kind where they are most. Each personal
    export (a mailbox, a phone's backup) is one person's, so two mailboxes whose owners'
    addresses differ are two people's, as are two backups of phones with other numbers;
    a mailbox's owner and a backup's owner may be one person, so kinds count apart. A
    name written on a number that is not its carrier's can only add a count: the name
    then proves less, and joins nobody it should not."""
    seen: dict[tuple[str, str], set[int]] = defaultdict(set)
    if owner_of:
        for key, idents in zip(named["tokens_key"], named["ids"], strict=True):
            for ident in _listed(idents):
                if (group := owner_of.get(ident)) is not None:
                    seen[key, _kind(ident)].add(group)
    counts: dict[str, int] = {}
    for (key, _kind_name), groups in seen.items():
        counts[key] = max(counts.get(key, 0), len(groups))
    return pd.Series(counts, dtype="int64")


def owner_groups(owners: Iterable[Iterable[str]]) -> dict[str, int]:
    """Identifier -> its owner, one number per group of exports whose owners share an
    identifier: those may be one person (a phone's SMS and call backups), so count once."""
    group_of: dict[str, int] = {}
    members: dict[int, set[str]] = {}
    for number, idents in enumerate(owners):
        joined = set(idents)
        for other in {group_of[i] for i in joined if i in group_of}:
            joined |= members.pop(other)
        members[number] = joined
        group_of.update(dict.fromkeys(joined, number))
    return group_of


def name_circles(named: pd.DataFrame, ties: pd.DataFrame) -> dict[str, frozenset[str]]:
    """Identifier -> the full names (tokens_key) written with the identifiers it is tied
    to. An export's owner whose number no other backup shows is a contact without a name."""
    names_of: dict[str, set[str]] = defaultdict(set)
    for key, idents in zip(named["tokens_key"], named["ids"], strict=True):
        for ident in _listed(idents):
            names_of[ident].add(key)
    circle: dict[str, set[str]] = defaultdict(set)
    for x, y in zip(ties.x, ties.y, strict=True):
        circle[x].update(names_of.get(y, ()))
        circle[y].update(names_of.get(x, ()))
    return {ident: frozenset(names) for ident, names in circle.items()}


def _holders_per_name(named: pd.DataFrame, circles: Circles) -> pd.Series:
    """Full name -> the most identifiers written with it that are pairwise far apart
    (`apart`): each is another person's. A circle is read without the name itself (a
    namesake may know the other). Identifiers with small circles say nothing either way,
    so a name only ever written on such counts as one carrier. Like an owner count, a
    wrong number written with a name can only add a count."""
    written: dict[str, dict[str, frozenset[str]]] = defaultdict(dict)
    for key, idents in zip(named["tokens_key"], named["ids"], strict=True):
        for ident in _listed(idents):
            others = circles.get(ident, frozenset()) - {key}
            if len(others) >= CIRCLE_LEAST:
                written[key][ident] = others
    return pd.Series(
        {key: _most_apart(held) for key, held in written.items() if len(held) > 1},
        dtype="int64",
    )


def _most_apart(circles: Circles) -> int:
    """How many of the identifiers are pairwise apart, chosen greedily from the largest
    circle (a name has a handful of identifiers; the greedy count is a lower bound)."""
    chosen: list[frozenset[str]] = []
    for ident in sorted(circles, key=lambda i: (-len(circles[i]), i)):
        if all(apart(circles[ident], other) for other in chosen):
            chosen.append(circles[ident])
    return len(chosen)


def apart(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two circles of contacts are two people's: each holds CIRCLE_LEAST or more, and
    they share less than CIRCLE_SHARE of the smaller."""
    numerator, denominator = CIRCLE_SHARE
    smaller = min(len(a), len(b))
    return smaller >= CIRCLE_LEAST and len(a & b) * denominator < smaller * numerator


def _kind(identifier: str) -> str:
    return identifier.split(":", 1)[0]


def _listed(value: object) -> list[str]:
    return value if isinstance(value, list) else []
