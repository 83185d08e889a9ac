"""E-mail of one day: messages between contacts, reply threads, booking confirmations.

Threads keep RFC 5322 ``In-Reply-To`` / ``References`` chains and one Gmail thread id.
Display names are written as each sender writes their own name (the transliterated
person signs in Cyrillic, the nicknamed one as Bill, the surname-first one as
"Surname, Given"), which the mbox writer encodes per RFC 2047 where needed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ingest.scenario.cast import Cast
from ingest.scenario.clock import DAY, day_start, local_epoch, utc_iso, weekday
from ingest.scenario.rng import derive_rng, poisson, token
from ingest.scenario.texts import BODIES, REPLY_BODIES, SUBJECTS, WEEKDAYS_NL, clock
from ingest.scenario.travel import Trip
from ingest.scenario.world import World

MAILS_PER_DAY = 0.6
AIRLINE = ("ZQ Airways", "bookings@fly-zq.example")


@dataclass(frozen=True, slots=True)
class Address:
    person: str | None
    display: str
    address: str


@dataclass(frozen=True, slots=True)
class Mail:
    message_id: str  # without angle brackets
    thread: int  # Gmail X-GM-THRID
    time: float
    sender: Address
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    subject: str
    body: str
    in_reply_to: str | None
    references: tuple[str, ...]


def _address(cast: Cast, person: str, work: bool = False) -> Address | None:
    addresses = cast.emails.get(person)
    if not addresses:
        return None
    address = addresses[-1] if work else addresses[0]
    return Address(person, cast.names[person]["email"], address)


def _message_id(rng: random.Random, sender: Address, when: float) -> str:
    return f"{token(rng, 20)}.{int(when)}@{sender.address.split('@')[1]}"


def _values(world: World, cast: Cast, sender: Address, to: Address, day: int) -> dict[str, str]:
    person = world.persons[sender.person or ""]
    haunts = person.routine.haunts
    return {
        "name": cast.names[to.person or ""]["contact"].split()[0] if to.person else "",
        "me": cast.names[person.id]["email"].split(",")[-1].strip().split()[0],
        "day": WEEKDAYS_NL[(weekday(day) + 2) % 7],
        "place": world.places[haunts[-1]].name if haunts else "kantoor",
        "time": clock(12 * 60 + 30),
    }


def _reply(rng: random.Random, world: World, cast: Cast, first: Mail, day: int) -> Mail | None:
    """A reply-all by the first recipient, some minutes to hours later, the same day."""
    when = first.time + rng.uniform(600, 3 * 3600)
    responder = first.to[0]
    if when >= day_start(day) + DAY - 600 or responder.person is None:
        return None
    others = tuple(a for a in first.cc if a.person != responder.person)
    values = _values(world, cast, responder, first.sender, day)
    subject = first.subject if first.subject.startswith("Re: ") else f"Re: {first.subject}"
    return Mail(
        _message_id(rng, responder, when),
        first.thread,
        when,
        responder,
        (first.sender,),
        others,
        subject,
        rng.choice(REPLY_BODIES).format(**values),
        first.message_id,
        (*first.references, first.message_id),
    )


def _new(rng: random.Random, world: World, cast: Cast, person: str, day: int) -> list[Mail]:
    friend = cast.contacts.pick(rng, person)
    work = rng.random() < 0.3 and weekday(day) < 5
    sender = _address(cast, person, work)
    to = _address(cast, friend, work) if friend else None
    if sender is None or to is None:
        return []
    third = cast.contacts.pick(rng, person)
    cc = _address(cast, third, work) if third and third not in (friend, person) else None
    when = local_epoch(day, rng.uniform(7 * 60, 23 * 60) * 60)
    values = _values(world, cast, sender, to, day)
    first = Mail(
        _message_id(rng, sender, when),
        rng.randrange(10**18, 2**63),
        when,
        sender,
        (to,),
        (cc,) if cc and rng.random() < 0.3 else (),
        rng.choice(SUBJECTS).format(**values),
        rng.choice(BODIES).format(**values),
        None,
        (),
    )
    thread = [first]
    while rng.random() < (0.55 if len(thread) == 1 else 0.3):
        nxt = _reply(rng, world, cast, thread[-1], day)
        if nxt is None:
            break
        thread.append(nxt)
    return thread


def _booking(rng: random.Random, cast: Cast, trip: Trip, day: int) -> Mail | None:
    """The airline's confirmation to the first traveller, naming everyone booked."""
    to = _address(cast, trip.people[0])
    if to is None:
        return None
    route = trip.route
    names = ", ".join(cast.names[p]["passport"] for p in trip.people)
    when = local_epoch(day, rng.uniform(9 * 60, 21 * 60) * 60)
    sender = Address(None, *AIRLINE)
    out = utc_iso(day_start(trip.out_day) + route.out_minute * 60)
    back = utc_iso(day_start(trip.back_day) + route.back_minute * 60)
    body = (
        f"Dear {names},\n\nYour booking is confirmed.\n\n"
        f"Outbound: {route.out} AMS-{route.code}, departs {out}\n"
        f"Return: {route.back} {route.code}-AMS, departs {back}\n\n"
        f"Reference: {token(rng, 6).upper()}\n"
    )
    subject = f"Booking confirmation {route.out} AMS-{route.code}"
    thread = rng.randrange(10**18, 2**63)
    return Mail(
        _message_id(rng, sender, when), thread, when, sender, (to,), (), subject, body, None, ()
    )


def day_mails(world: World, cast: Cast, day: int) -> list[Mail]:
    out: list[Mail] = []
    for person in world.people:
        if person.id not in cast.emails:
            continue
        rng = derive_rng(world.seed, "mail", person.id, day)
        for _ in range(poisson(rng, MAILS_PER_DAY)):
            out.extend(_new(rng, world, cast, person.id, day))
    for trip in cast.travel.trips:
        if day == max(0, trip.out_day - 3):
            rng = derive_rng(world.seed, "booking", trip.id)
            mail = _booking(rng, cast, trip, day)
            out.extend([mail] if mail else [])
    out.sort(key=lambda m: (m.time, m.message_id))
    return out
