"""Ground truth for the non-camera sources: identities and planted relations.

``identities`` lists, per person, every identifier they use in any source (phones with
the days they used them, handsets, accounts, e-mail addresses, plates, passports) and
the files exported from their devices; the relation keys list the planted links an
entity-resolution or link-analysis run should recover.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.scenario.cast import Cast
from ingest.scenario.clock import day_start, utc_iso
from ingest.scenario.comms import Planted
from ingest.scenario.geo import distance_km
from ingest.scenario.hardcases import contact_variants
from ingest.scenario.model import Detection, Person
from ingest.scenario.travel import HOME_AIRPORT, Trip
from ingest.scenario.world import World


def _span(start: int, end: int) -> dict[str, str]:
    return {"from": utc_iso(day_start(start)), "to": utc_iso(day_start(end))}


def _phones(cast: Cast, person: str) -> list[dict[str, Any]]:
    out = []
    for line in cast.phones.lines_of(person):
        entry: dict[str, Any] = {
            "number": line.number,
            "kind": line.kind,
            **_span(line.start_day, line.end_day),
        }
        if line.holder != person:
            entry["subscriber"] = line.holder
        if line.extension:
            entry["extension"] = line.extension
        out.append(entry)
    return out


def _exports(out_dir: Path, cast: Cast, person: str) -> dict[str, Any]:
    candidates = {
        "google_records": f"travel/google/{person}-Records.json",
        "google_timeline": f"travel/google/{person}-Timeline.json",
        "sms": f"messages/sms/{person}-sms.xml",
        "calls": f"messages/sms/{person}-calls.xml",
        "mbox": f"messages/mail/{person}.mbox",
    }
    found: dict[str, Any] = {k: v for k, v in candidates.items() if (out_dir / v).exists()}
    gpx = sorted(
        str(p.relative_to(out_dir)) for p in (out_dir / "travel" / "gpx").glob(f"{person}-*.gpx")
    )
    if gpx:
        found["gpx"] = gpx
    return found


def _names(cast: Cast, world: World, person: Person) -> dict[str, Any]:
    """Name as written per source, and every name others saved this person under."""
    names: dict[str, Any] = dict(cast.names[person.id])
    names["contacts"] = list(contact_variants(person, world.hard))
    return names


def _accounts(cast: Cast, person: str) -> list[dict[str, Any]]:
    return [
        {
            "platform": a.platform,
            "username": a.handle,
            "id": a.id,
            "server": a.instance,
            "display_name": a.display_name,
            "url": a.url,
        }
        for a in cast.accounts
        if a.person == person
    ]


def _identity(out_dir: Path, world: World, cast: Cast, person: Person) -> dict[str, Any]:
    pid, doc = person.id, cast.travel.documents[person.id]
    handsets = [h for h in cast.phones.handsets if h.person == pid]
    drives = world.drives_by_person.get(pid, ())
    return {
        "person_id": pid,
        "name": person.name,
        "date_of_birth": person.date_of_birth,
        "names": _names(cast, world, person),
        "phones": _phones(cast, pid),
        "device_tags": [{"tag": h.tag, **_span(h.start_day, h.end_day)} for h in handsets],
        "accounts": _accounts(cast, pid),
        "emails": list(cast.emails.get(pid, ())),
        "plates": [
            {"plate": d.plate, "country": d.country, **_span(d.start_day, d.end_day)}
            for d in drives
        ],
        "documents": [
            {
                "kind": doc.kind,
                "number": doc.number,
                "country": doc.country,
                "name": cast.names[pid]["passport"],
            }
        ],
        "exports": _exports(out_dir, cast, pid),
    }


def identities(out_dir: Path, world: World, cast: Cast) -> list[dict[str, Any]]:
    """Every identifier of every person, with the days each was in use."""
    return [_identity(out_dir, world, cast, person) for person in world.people]


def _flight(trip: Trip, outbound: bool) -> dict[str, Any]:
    route = trip.route
    day, minute = (
        (trip.out_day, route.out_minute) if outbound else (trip.back_day, route.back_minute)
    )
    ends = (HOME_AIRPORT[0], route.code) if outbound else (route.code, HOME_AIRPORT[0])
    return {
        "flight": route.out if outbound else route.back,
        "departure": utc_iso(day_start(day) + minute * 60),
        "origin": ends[0],
        "destination": ends[1],
    }


def trips(cast: Cast) -> list[dict[str, Any]]:
    return [
        {
            "id": t.id,
            "person_ids": list(t.people),
            "out": _flight(t, True),
            "back": _flight(t, False),
        }
        for t in cast.travel.trips
    ]


def shared_flights(cast: Cast) -> list[dict[str, Any]]:
    return [
        {"trip": t.id, "person_ids": list(t.people), **_flight(t, outbound)}
        for t in cast.travel.trips
        if len(t.people) > 1
        for outbound in (True, False)
    ]


def calls_before_meetings(planted: list[Planted]) -> list[dict[str, Any]]:
    return [
        {
            "meeting": p.meeting,
            "meeting_time": utc_iso(p.meeting_time),
            "kind": p.kind,
            "from_person": p.sender.person,
            "to_person": p.recipient.person,
            "from_number": p.sender.number,
            "to_number": p.recipient.number,
            "time": utc_iso(p.time),
        }
        for p in planted
    ]


def phone_relations(world: World, cast: Cast) -> dict[str, list[dict[str, Any]]]:
    family = [line for line in cast.phones.lines if line.kind == "family"]
    shared = (
        [
            {
                "number": family[0].number,
                "person_ids": [line.person for line in family],
                "kind": "family",
                "backup": family[0].backup,
                **_span(0, world.spec.days),
            }
        ]
        if family
        else []
    )
    swap = cast.phones.swap
    swapped = (
        [
            {
                "person_ids": list(swap.people),
                "numbers": list(swap.numbers),
                "on": utc_iso(day_start(swap.day)),
            }
        ]
        if swap
        else []
    )
    return {"shared_phones": shared, "swapped_phones": swapped}


def _clone_case(cast: Cast, clones: list[tuple[Detection, Detection]]) -> dict[str, Any]:
    plan = cast.clone
    assert plan is not None
    return {
        "kind": "cloned_plate",
        "plate": plan.genuine.plate,
        "country": plan.genuine.country,
        "person_ids": [plan.person],
        "genuine": {"make": plan.genuine.make, "colour": plan.genuine.colour},
        "clone": {"make": plan.clone.make, "colour": plan.clone.colour},
        "sightings": [
            {
                "camera": c.camera.slug,
                "time": utc_iso(c.time),
                "genuine_camera": g.camera.slug,
                "genuine_time": utc_iso(g.time),
                "km_apart": round(
                    distance_km(g.camera.lat, g.camera.lon, c.camera.lat, c.camera.lon), 2
                ),
            }
            for g, c in clones
        ],
    }


def _name_cases(world: World, cast: Cast) -> list[dict[str, Any]]:
    hard, people = world.hard, world.persons
    cases: list[dict[str, Any]] = [
        {
            "kind": "namesake",
            "person_ids": list(hard.namesakes),
            "name": people[hard.namesakes[0]].name,
            "dates_of_birth": [people[p].date_of_birth for p in hard.namesakes],
        },
    ]
    kinds = (("transliteration", hard.transliterated), ("nickname", hard.nicknamed))
    for kind, pid in (*kinds, ("name_order", hard.name_order)):
        person = people[pid]
        written = {person.name, *cast.names[pid].values(), *contact_variants(person, hard)}
        case = {"kind": kind, "person_ids": [pid], "name": person.name, "variants": sorted(written)}
        cases.append(case)
    return cases


def hard_cases(
    world: World, cast: Cast, clones: list[tuple[Detection, Detection]]
) -> list[dict[str, Any]]:
    """Each planted hard case with its kind (see ``hardcases.KINDS``)."""
    cases = _name_cases(world, cast)
    family = [line for line in cast.phones.lines if line.kind == "family"]
    number = family[0].number if family else None
    cases.append({"kind": "family_phone", "person_ids": list(world.hard.family), "number": number})
    if cast.clone is not None:
        cases.append(_clone_case(cast, clones))
    return cases
