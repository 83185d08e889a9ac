"""Calls and text messages of one day between the fictional people (and strangers).

People text and call their contacts during waking hours; texts often get a reply and
missed calls a call back. Before every meeting occurrence one of the pair calls or texts
the other one to four hours ahead; those contacts are planted and listed in the ground
truth. Desk phones at the depot go through the company PBX (its CDR is exported).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ingest.scenario.cast import Cast
from ingest.scenario.clock import local_epoch, weekday
from ingest.scenario.model import Occurrence
from ingest.scenario.phones import PhoneLine
from ingest.scenario.rng import derive_rng, poisson
from ingest.scenario.texts import BEFORE_MEETING, REPLIES, SMS, clock, fill
from ingest.scenario.world import World

CALLS_PER_DAY, SMS_PER_DAY, STRANGER_RATE = 1.0, 2.2, 0.15
DESK_CALLS_PER_DAY = 1.5


@dataclass(frozen=True, slots=True)
class Party:
    person: str | None  # None: someone outside the population
    number: str  # E.164
    line: PhoneLine | None


@dataclass(frozen=True, slots=True)
class Call:
    time: float
    caller: Party
    callee: Party
    outcome: str  # answered | missed | rejected | busy
    ring: int  # seconds until answered or given up
    duration: int  # seconds talked (0 unless answered)


@dataclass(frozen=True, slots=True)
class Sms:
    time: float
    sender: Party
    recipient: Party
    body: str


@dataclass(frozen=True, slots=True)
class Planted:
    """A call or text between a meeting pair before one occurrence."""

    meeting: str
    meeting_time: float
    kind: str  # call | sms
    sender: Party
    recipient: Party
    time: float


@dataclass(slots=True)
class DayComms:
    calls: list[Call]
    sms: list[Sms]
    planted: list[Planted]


def stranger(rng: random.Random) -> Party:
    """A business or unknown caller: a non-mobile Dutch number nobody saved."""
    return Party(
        None, rng.choice(("+3188", "+3185", "+3130")) + str(rng.randrange(10**6, 10**7)), None
    )


def _party(cast: Cast, person: str, day: int) -> Party | None:
    line = cast.phones.line(person, day)
    return Party(person, line.number, line) if line else None


def _waking(rng: random.Random, day: int) -> float:
    return local_epoch(day, rng.uniform(8 * 60, 22 * 60 + 30) * 60)


def _call(rng: random.Random, when: float, caller: Party, callee: Party) -> Call:
    roll = rng.random()
    outcome = "answered" if roll < 0.8 else "missed" if roll < 0.95 else "rejected"
    ring = rng.randint(3, 25) if outcome != "missed" else rng.randint(20, 45)
    talk = int(rng.lognormvariate(4.2, 1.0)) + 5 if outcome == "answered" else 0
    return Call(when, caller, callee, outcome, ring, min(talk, 3600))


def _text(rng: random.Random, day: int, me: Party, you: Party, out: DayComms, place: str) -> None:
    when = _waking(rng, day)
    body = fill(rng, rng.choice(SMS), place=place)
    out.sms.append(Sms(when, me, you, body))
    if rng.random() < 0.6:
        out.sms.append(Sms(when + rng.uniform(40, 1200), you, me, rng.choice(REPLIES)))


def _phone(rng: random.Random, day: int, me: Party, you: Party, out: DayComms) -> None:
    call = _call(rng, _waking(rng, day), me, you)
    out.calls.append(call)
    if call.outcome == "missed" and rng.random() < 0.5:
        out.calls.append(_call(rng, call.time + rng.uniform(120, 1800), you, me))


def _person_day(world: World, cast: Cast, day: int, person: str, out: DayComms) -> None:
    me = _party(cast, person, day)
    if me is None:
        return
    rng = derive_rng(world.seed, "comms", person, day)
    haunts = world.persons[person].routine.haunts
    place = world.places[haunts[0]].name if haunts else "huis"
    for kind in ["sms"] * poisson(rng, SMS_PER_DAY) + ["call"] * poisson(rng, CALLS_PER_DAY):
        friend = cast.contacts.pick(rng, person)
        you = _party(cast, friend, day) if friend else None
        if you is None or you.number == me.number:
            continue
        if kind == "sms":
            _text(rng, day, me, you, out, place)
        else:
            _phone(rng, day, me, you, out)
    if rng.random() < STRANGER_RATE:
        out.calls.append(_call(rng, _waking(rng, day), stranger(rng), me))


def _desk_day(world: World, cast: Cast, day: int, line: PhoneLine, out: DayComms) -> None:
    """Office-hours calls on a PBX extension: to and from strangers and contacts."""
    rng = derive_rng(world.seed, "desk", line.person, day)
    desk = Party(line.person, line.number, line)
    for _ in range(poisson(rng, DESK_CALLS_PER_DAY)):
        friend = cast.contacts.pick(rng, line.person) if rng.random() < 0.3 else None
        other = (_party(cast, friend, day) if friend else None) or stranger(rng)
        when = local_epoch(day, rng.uniform(9 * 60, 17 * 60) * 60)
        pair = (desk, other) if rng.random() < 0.55 else (other, desk)
        out.calls.append(_call(rng, when, *pair))


def _before(world: World, cast: Cast, day: int, occ: Occurrence, out: DayComms) -> None:
    meeting = next(m for m in world.meetings if m.id == occ.meeting)
    rng = derive_rng(world.seed, "before-meeting", occ.meeting, day)
    first = min(occ.times)
    a, b = meeting.people if rng.random() < 0.5 else meeting.people[::-1]
    me, you = _party(cast, a, day), _party(cast, b, day)
    if me is None or you is None:
        return
    when = first - rng.uniform(3600, 4 * 3600)
    if rng.random() < 0.6:
        call = _call(rng, when, me, you)
        out.calls.append(Call(when, me, you, "answered", call.ring, rng.randint(25, 180)))
        kind = "call"
    else:
        body = fill(rng, rng.choice(BEFORE_MEETING), time=clock(meeting.local_minute))
        out.sms.append(Sms(when, me, you, body))
        out.sms.append(Sms(when + rng.uniform(60, 900), you, me, rng.choice(REPLIES)))
        kind = "sms"
    out.planted.append(Planted(occ.meeting, first, kind, me, you, when))


def day_comms(world: World, cast: Cast, day: int, occurrences: list[Occurrence]) -> DayComms:
    out = DayComms([], [], [])
    for occ in occurrences:
        _before(world, cast, day, occ, out)
    away = cast.travel.away.get(day, frozenset())
    for person in world.people:
        _person_day(world, cast, day, person.id, out)
        desk = cast.phones.line(person.id, day, desk=True)
        if desk and weekday(day) < 5 and person.id not in away:
            _desk_day(world, cast, day, desk, out)
    out.calls.sort(key=lambda c: (c.time, c.caller.number))
    out.sms.sort(key=lambda s: (s.time, s.sender.number))
    return out
