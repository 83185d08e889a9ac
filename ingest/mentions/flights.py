"""Flight numbers in text, linked to the passenger legs (Trip events) they name.

A flight number alone names a route flown every day by a hundred passengers, so a
mention is pinned down in two steps. The departure: the date written after the number
on the same line ("ZQ1311 AMS-BCN, departs 2026-04-11T07:05Z"), else the departure
within a day of the text's own time. The leg: that of a passenger the text also names
("Dear Vera Achterveen, ..."). A flight whose departure is clear but whose passenger is
not links to every leg of that departure, at low confidence; otherwise nothing links.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from ingest.mentions.reading import NodeRow, Text
from ingest.mentions.spans import CONFIDENCE, Mention, Target

FLIGHT = re.compile(r"(?<![A-Za-z0-9])[A-Z0-9]{2} ?\d{1,4}(?![A-Za-z0-9])")
_KEY = re.compile(r"([A-Z0-9]{2})\s?0*(\d{1,4})")
_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
WINDOW = timedelta(days=1)


@dataclass(frozen=True)
class Leg:
    trip_id: str
    departure: datetime | None
    passengers: frozenset[str]  # Person ids, and the Subjects they were resolved to


def flight_key(flight: str) -> str | None:
    """ "BA0437", "BA 437" and "ba437" are one flight: code plus number without zeros."""
    match = _KEY.fullmatch(flight.strip().upper())
    if match is None or not any(c.isalpha() for c in match[1]) or int(match[2]) == 0:
        return None
    return f"{match[1]}{int(match[2])}"


def index(
    trips: Iterable[NodeRow],
    passengers: Iterable[tuple[str, str]],
    resolved: Iterable[tuple[str, str]],
) -> dict[str, list[Leg]]:
    """Legs by flight key; `passengers` are (trip, person), `resolved` (person, subject)."""
    subjects: dict[str, set[str]] = defaultdict(set)
    for person, subject in resolved:
        subjects[person].add(subject)
    aboard: dict[str, set[str]] = defaultdict(set)
    for trip_id, person in passengers:
        aboard[trip_id] |= {person, *subjects[person]}
    legs: dict[str, list[Leg]] = defaultdict(list)
    for trip in trips:
        key = flight_key(str(trip.props.get("flight", "")))
        when = trip.props.get("time")
        if key is not None:
            departure = datetime.fromisoformat(when) if isinstance(when, str) else None
            legs[key].append(Leg(trip.id, departure, frozenset(aboard[trip.id])))
    return dict(legs)


def find(text: Text, legs: Mapping[str, list[Leg]], named: set[str]) -> Iterator[Mention]:
    """FLIGHT mentions; `named` are the people (Person, Subject ids) the text names."""
    for match in FLIGHT.finditer(text.text):
        flown = legs.get(flight_key(match[0]) or "", [])
        chosen, confidence = _legs(text, match.end(), flown, named)
        for leg in chosen:
            target = Target("Trip", leg.trip_id)
            yield Mention(*match.span(), "FLIGHT", "rule", confidence, target)


def _legs(text: Text, after: int, legs: list[Leg], named: set[str]) -> tuple[list[Leg], float]:
    written = _written_date(text.text, after)
    if written is not None:
        near = [g for g in legs if g.departure and g.departure.astimezone(UTC).date() == written]
    elif text.time is not None:
        when = text.time
        near = [g for g in legs if g.departure and abs(g.departure - when) <= WINDOW]
    else:
        near = []
    aboard = [g for g in near if g.passengers & named]
    if aboard:
        return aboard, CONFIDENCE["FLIGHT" if written else "FLIGHT:near"]
    if len({g.departure for g in near}) == 1:
        return near, CONFIDENCE["FLIGHT:anyone"]
    return [], 0.0


def _written_date(text: str, after: int) -> date | None:
    """The first ISO date after the flight number on its line, if any."""
    end = text.find("\n", after)
    match = _DATE.search(text, after, len(text) if end < 0 else end)
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
