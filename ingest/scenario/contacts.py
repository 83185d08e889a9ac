"""Who talks to whom, and how each person saved the others in their phone.

Contacts are household members, some coworkers, meeting partners and a few friends,
with a weight for how often they talk. The saved name is what a phone backup shows as
``contact_name``: often just a first name, sometimes a nickname or surname first — the
hard cases write their planted variant. Some numbers are saved in the national form
(06…) instead of E.164, as people type them.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass

from ingest.scenario.hardcases import contact_variants
from ingest.scenario.rng import derive_rng
from ingest.scenario.world import World

NATIONAL_SHARE = 25  # percent of (owner, number) pairs saved as 06…
WEIGHTS = {"household": 3.0, "meeting": 4.0, "work": 1.0, "friend": 1.0}


@dataclass(frozen=True, eq=False)
class Contacts:
    friends: dict[str, tuple[tuple[str, float], ...]]  # person -> (other, weight) pairs
    saved: dict[tuple[str, str], str]  # (owner, other) -> name in the owner's phone
    family_name: str  # how the shared family phone is saved

    def pick(self, rng: random.Random, person: str) -> str | None:
        """A contact to call or write, weighted by closeness."""
        friends = self.friends.get(person)
        if not friends:
            return None
        return rng.choices([f for f, _ in friends], [w for _, w in friends])[0]


def national(owner: str, number: str) -> bool:
    """Whether ``owner`` saved ``number`` in the national form (stable per pair)."""
    key = f"{owner}|{number}".encode()
    return number.startswith("+31") and zlib.crc32(key) % 100 < NATIONAL_SHARE


def as_written(owner: str, number: str) -> str:
    """The number as the owner's phone shows it: +31612345678 or 0612345678."""
    return "0" + number[3:] if national(owner, number) else number


def _edges(rng: random.Random, world: World) -> dict[tuple[str, str], str]:
    people = world.people
    edges: dict[tuple[str, str], str] = {}

    def add(a: str, b: str, kind: str) -> None:
        if a != b:
            edges.setdefault((min(a, b), max(a, b)), kind)

    for meeting in world.meetings:
        add(*meeting.people, "meeting")
    for a in people:
        for b in people:
            if a.id < b.id and a.home == b.home:
                add(a.id, b.id, "household")
    for person in people:
        mates = [p.id for p in people if p.work and p.work == person.work]
        for mate in rng.sample(mates, min(3, len(mates))):
            add(person.id, mate, "work")
        for other in rng.sample(people, min(2, len(people))):
            add(person.id, other.id, "friend")
    return edges


def build_contacts(world: World) -> Contacts:
    rng = derive_rng(world.seed, "contacts")
    friends: dict[str, list[tuple[str, float]]] = {}
    for (a, b), kind in sorted(_edges(rng, world).items()):
        friends.setdefault(a, []).append((b, WEIGHTS[kind]))
        friends.setdefault(b, []).append((a, WEIGHTS[kind]))
    saved: dict[tuple[str, str], str] = {}
    for owner, others in sorted(friends.items()):
        for other, _ in others:
            person = world.persons[other]
            saved[owner, other] = rng.choice(contact_variants(person, world.hard))
    first, second = (world.persons[p] for p in world.hard.family)
    return Contacts(
        friends={k: tuple(v) for k, v in friends.items()},
        saved=saved,
        family_name=f"{first.given_name} & {second.given_name}",
    )
