"""Who uses which phone number and handset, and when.

Most people have one mobile for the whole scenario. Some change number half-way; one
meeting pair swaps SIM cards (each keeps their handset but uses the other's number from
the swap day on); one household shares a single family phone; employees at the depot
have a desk extension on the company's Asterisk PBX. Numbers are E.164 (+31 6 …) in the
model; sources write some of them in the national form (06 …).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from ingest.scenario.rng import derive_rng
from ingest.scenario.world import World

PBX_SITE = "W001"  # the depot runs the PBX whose Master.csv is exported
MOBILE_SHARE = 0.92
BACKUP_SHARE = 0.7
NUMBER_CHANGE_SHARE = 0.05


@dataclass(frozen=True, slots=True)
class PhoneLine:
    """A number used by ``person`` over [start_day, end_day)."""

    number: str  # E.164
    person: str
    start_day: int
    end_day: int
    kind: str  # mobile | family | desk
    holder: str  # whose name the number is saved under in other people's phones
    backup: str | None  # whose SMS / call backup file holds this line's traffic
    extension: str | None = None  # desk lines: the PBX extension


@dataclass(frozen=True, slots=True)
class Handset:
    """A phone (Google ``deviceTag``) carried by ``person`` over [start_day, end_day)."""

    tag: int
    person: str
    start_day: int
    end_day: int


@dataclass(frozen=True, slots=True)
class Swap:
    people: tuple[str, str]
    numbers: tuple[str, str]
    day: int


@dataclass(frozen=True, eq=False)
class Phones:
    lines: tuple[PhoneLine, ...]
    handsets: tuple[Handset, ...]
    swap: Swap | None
    backups: frozenset[str]  # people whose phone backup was exported
    _lines: dict[str, list[PhoneLine]] = field(default_factory=dict, repr=False)
    _sets: dict[str, list[Handset]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for line in self.lines:
            self._lines.setdefault(line.person, []).append(line)
        for handset in self.handsets:
            self._sets.setdefault(handset.person, []).append(handset)

    def line(self, person: str, day: int, desk: bool = False) -> PhoneLine | None:
        """The person's mobile (or family) line on a day, or with ``desk`` their desk line."""
        for line in self._lines.get(person, ()):
            if line.start_day <= day < line.end_day and (line.kind == "desk") == desk:
                return line
        return None

    def lines_of(self, person: str) -> list[PhoneLine]:
        return self._lines.get(person, [])

    def handset(self, person: str, day: int) -> Handset | None:
        for handset in self._sets.get(person, ()):
            if handset.start_day <= day < handset.end_day:
                return handset
        return None


def _number(rng: random.Random, taken: set[str], prefix: str = "+316", digits: int = 8) -> str:
    number = prefix + "".join(rng.choices("0123456789", k=digits))
    while number in taken or number[len(prefix)] == "0":
        number = prefix + "".join(rng.choices("0123456789", k=digits))
    taken.add(number)
    return number


def _tag(rng: random.Random) -> int:
    return rng.randrange(100_000_000, 2_147_483_647)


def _personal(
    rng: random.Random, person: str, days: int, taken: set[str], backup: str | None, steady: bool
) -> tuple[list[PhoneLine], list[Handset]]:
    """One mobile all along, or (a few people) a new number and handset half-way."""
    first = _number(rng, taken)
    if steady or rng.random() >= NUMBER_CHANGE_SHARE or days < 4:
        return [PhoneLine(first, person, 0, days, "mobile", person, backup)], [
            Handset(_tag(rng), person, 0, days)
        ]
    cut = rng.randrange(days // 4, 3 * days // 4)
    second = _number(rng, taken)
    lines = [
        PhoneLine(first, person, 0, cut, "mobile", person, backup),
        PhoneLine(second, person, cut, days, "mobile", person, backup),
    ]
    return lines, [Handset(_tag(rng), person, 0, cut), Handset(_tag(rng), person, cut, days)]


def _swap(lines: list[PhoneLine], pair: tuple[str, str], day: int) -> tuple[list[PhoneLine], Swap]:
    """From ``day`` on, each of the pair uses the other's number (SIMs swapped)."""
    own = {line.person: line for line in lines if line.person in pair and line.kind == "mobile"}
    out = [line for line in lines if line.person not in pair]
    for me, other in (pair, pair[::-1]):
        mine, theirs = own[me], own[other]
        out.append(PhoneLine(mine.number, me, 0, day, "mobile", me, mine.backup))
        out.append(PhoneLine(theirs.number, me, day, mine.end_day, "mobile", other, mine.backup))
    return out, Swap(pair, (own[pair[0]].number, own[pair[1]].number), day)


def _desk(rng: random.Random, world: World, taken: set[str]) -> list[PhoneLine]:
    staff = [p.id for p in world.people if p.work == PBX_SITE]
    return [
        PhoneLine(
            _number(rng, taken, "+31207", 6),
            person,
            0,
            world.spec.days,
            "desk",
            person,
            None,
            str(201 + i),
        )
        for i, person in enumerate(staff)
    ]


def build_phones(world: World, forced: set[str]) -> Phones:
    """Lines and handsets for everyone; ``forced`` people always have a phone and a backup."""
    rng = derive_rng(world.seed, "phones")
    days, family = world.spec.days, world.hard.family
    taken: set[str] = set()
    lines: list[PhoneLine] = []
    handsets: list[Handset] = []
    backups: set[str] = {family[0]}
    for person in world.people:
        pid = person.id
        if pid in family or (pid not in forced and rng.random() >= MOBILE_SHARE):
            continue
        if pid in forced or rng.random() < BACKUP_SHARE:
            backups.add(pid)
        backup = pid if pid in backups else None
        found, sets = _personal(rng, pid, days, taken, backup, pid in forced)
        lines.extend(found)
        handsets.extend(sets)
    shared = _number(rng, taken)
    for pid in family:
        lines.append(PhoneLine(shared, pid, 0, days, "family", family[0], family[0]))
    handsets.append(Handset(_tag(rng), family[0], 0, days))
    swap = None
    pair = world.meetings[0].people if world.meetings else ()
    mobiles = [line.person for line in lines if line.person in pair and line.kind == "mobile"]
    if days >= 4 and len(mobiles) == 2 == len(set(mobiles)):  # one steady mobile each
        lines, swap = _swap(lines, world.meetings[0].people, days // 2)
    lines.extend(_desk(rng, world, taken))
    return Phones(tuple(lines), tuple(handsets), swap, frozenset(backups))
