"""Planted entity-resolution hard cases, chosen once per world.

Real sources disagree about who is who: two people share a name, one name is spelt three
ways, a nickname replaces a given name, a surname comes first, a household shares one
phone, a cloned plate shows up where the real car cannot be. Each kind is planted on
different people (never the meeting pairs, so the meeting ground truth stays simple),
and ``ground_truth.json`` lists every one with its kind.

Renamed people are chosen away from homes watched by Frigate, whose known-plate labels
carry first names, so renaming does not disturb the existing CCTV output.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, timedelta

from ingest.scenario.model import Camera, Meeting, Person
from ingest.scenario.population import Population
from ingest.scenario.rng import derive_rng

KINDS = ("namesake", "transliteration", "nickname", "name_order", "family_phone", "cloned_plate")

# One person, three transliterations of one Ukrainian name, and the Cyrillic original.
TRANSLITERATED = ("Oleksandr", "Hrytsenkov")
TRANSLIT_NAMES = {
    "passport": "Aleksandr Gritsenkov",
    "social": "Alexander G.",
    "email": "Олександр Гриценков",
    "contact": "Sasha",
}
NICKNAMED = "William"
NICKNAME = "Bill"


@dataclass(frozen=True, slots=True)
class HardCases:
    """Who carries which hard case (person ids); ``namesakes[1]`` was given ``[0]``'s name."""

    namesakes: tuple[str, str]
    transliterated: str
    nicknamed: str
    name_order: str
    family: tuple[str, str]
    cloned: str  # the person whose car's plate is cloned

    def people(self) -> set[str]:
        return {
            *self.namesakes,
            self.transliterated,
            self.nicknamed,
            self.name_order,
            *self.family,
            self.cloned,
        }


def _stable(pop: Population) -> set[str]:
    """People who drive one car all along that nobody else drives (clone candidates)."""
    per_person = Counter(d.person for d in pop.drives)
    per_plate = Counter(d.plate for d in pop.drives)
    return {
        d.person
        for d in pop.drives
        if per_person[d.person] == 1 and per_plate[d.plate] == 1 and d.start_day == 0
    }


def _pick(rng: random.Random, pool: list[str], taken: set[str], fallback: list[str]) -> str:
    """A free person from ``pool``, else from ``fallback`` (small worlds run short)."""
    for candidates in (pool, fallback):
        free = [p for p in candidates if p not in taken]
        if free:
            choice = rng.choice(free)
            taken.add(choice)
            return choice
    raise ValueError("the world is too small to plant every hard case")


def _family(rng: random.Random, pop: Population, taken: set[str]) -> tuple[str, str]:
    homes: dict[str, list[str]] = {}
    for person in pop.people:
        homes.setdefault(person.home, []).append(person.id)
    pairs = [tuple(ids) for ids in homes.values() if len(ids) == 2 and not taken & set(ids)]
    if not pairs:
        pairs = [tuple(ids) for ids in homes.values() if len(ids) == 2]
    first, second = rng.choice(sorted(pairs))
    taken.update((first, second))
    return first, second


def plan_hard_cases(
    pop: Population, seed: int, meetings: tuple[Meeting, ...], frigate: tuple[Camera, ...]
) -> HardCases:
    rng = derive_rng(seed, "hard-cases")
    everyone = [p.id for p in pop.people]
    taken = {p for m in meetings for p in m.people}
    watched = {c.place for c in frigate}
    quiet = [p.id for p in pop.people if p.home not in watched]  # safe to rename
    family = _family(rng, pop, taken)
    cloned = _pick(rng, sorted(_stable(pop)), taken, everyone)
    first = _pick(rng, everyone, taken, everyone)
    second = _pick(rng, quiet, taken, everyone)
    return HardCases(
        namesakes=(first, second),
        transliterated=_pick(rng, quiet, taken, everyone),
        nicknamed=_pick(rng, quiet, taken, everyone),
        name_order=_pick(rng, everyone, taken, everyone),
        family=family,
        cloned=cloned,
    )


def rename(pop: Population, hard: HardCases) -> Population:
    """Give the namesake, transliterated and nicknamed people their planted names."""
    by_id = {p.id: p for p in pop.people}
    model = by_id[hard.namesakes[0]]
    names = {
        hard.namesakes[1]: (model.given_name, model.surname),
        hard.transliterated: TRANSLITERATED,
        hard.nicknamed: (NICKNAMED, by_id[hard.nicknamed].surname),
    }
    people = tuple(
        replace(p, given_name=names[p.id][0], surname=names[p.id][1]) if p.id in names else p
        for p in pop.people
    )
    twin = by_id[hard.namesakes[1]]
    if twin.date_of_birth == model.date_of_birth:  # namesakes differ by date of birth
        born = date.fromisoformat(twin.date_of_birth) + timedelta(days=400)
        people = tuple(
            replace(p, date_of_birth=born.isoformat()) if p.id == twin.id else p for p in people
        )
    return replace(pop, people=people)


def contact_variants(person: Person, hard: HardCases) -> tuple[str, ...]:
    """Names other people saved this person under in their phones (hard cases vary)."""
    if person.id == hard.transliterated:
        return (TRANSLIT_NAMES["contact"], "Alexander", f"{person.given_name} H.")
    if person.id == hard.nicknamed:
        return (NICKNAME, f"{NICKNAME} {person.surname}")
    if person.id == hard.name_order:
        return (f"{person.surname} {person.given_name}",)
    return (
        person.given_name,
        person.name,
        person.name,
        f"{person.given_name} {person.surname[0]}",
    )


def written_names(person: Person, hard: HardCases) -> dict[str, str]:
    """How each kind of source writes this person's name (passport, social, email, contact)."""
    full = person.name
    names = {"passport": full, "social": full, "email": full, "contact": person.given_name}
    if person.id == hard.transliterated:
        names.update(TRANSLIT_NAMES)
    elif person.id == hard.nicknamed:
        nick = f"{NICKNAME} {person.surname}"
        names.update(social=f"{NICKNAME} {person.surname[0]}.", email=nick, contact=NICKNAME)
    elif person.id == hard.name_order:
        reverse = f"{person.surname} {person.given_name}"
        names.update(passport=reverse, email=f"{person.surname}, {person.given_name}")
        names.update(contact=reverse)
    return names
