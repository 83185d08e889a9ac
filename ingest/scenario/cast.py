"""The cast: every identifier the fictional people use, beyond their cars.

Built once per world (small: hundreds of people), it ties each person to phones,
handsets, accounts, addresses, passports and trips, says whose exports exist (phone
backups, mailboxes, location histories, GPX logs) and holds the planted cloned plate.
Per-day generators read it; writers only format what they are given.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.scenario.accounts import MBOX_SHARE, Account, build_accounts, build_emails
from ingest.scenario.clones import ClonePlan, plan_clone
from ingest.scenario.contacts import Contacts, build_contacts
from ingest.scenario.hardcases import written_names
from ingest.scenario.phones import Phones, build_phones
from ingest.scenario.rng import derive_rng
from ingest.scenario.travel import Travel, plan_travel
from ingest.scenario.world import World

LOCATION_SHARE = 0.8


@dataclass(frozen=True, eq=False)
class Cast:
    phones: Phones
    accounts: tuple[Account, ...]
    emails: dict[str, tuple[str, ...]]  # person -> addresses, personal first
    mailboxes: frozenset[str]  # people whose mailbox was exported
    contacts: Contacts
    travel: Travel
    clone: ClonePlan | None
    location: dict[str, str]  # person -> "records" | "timeline"
    gpx: tuple[str, ...]  # people who log drives as GPX
    names: dict[str, dict[str, str]]  # person -> source -> name as written there

    def accounts_of(self, person: str, platform: str) -> list[Account]:
        return [a for a in self.accounts if a.person == person and a.platform == platform]


def _location(world: World, phones: Phones) -> dict[str, str]:
    """Records.json for most people who carry a phone; the on-device Timeline for a few."""
    rng = derive_rng(world.seed, "location-exports")
    meeting = {p for m in world.meetings for p in m.people}
    carriers = [p.id for p in world.people if p.id not in world.hard.family]
    carriers = [p for p in carriers if phones.handset(p, 0) is not None]
    owners = [p for p in carriers if p in meeting or rng.random() < LOCATION_SHARE]
    others = [p for p in owners if p not in meeting]
    timeline = set(rng.sample(others, min(world.spec.timeline_people, len(others))))
    return {p: "timeline" if p in timeline else "records" for p in owners}


def _gpx(world: World) -> tuple[str, ...]:
    """A meeting participant first (their tracks pass the meeting camera), then drivers."""
    rng = derive_rng(world.seed, "gpx")
    first = [world.meetings[0].people[1]] if world.meetings else []
    drivers = sorted({d.person for d in world.population.drives} - set(first))
    wanted = max(0, world.spec.gpx_people - len(first))
    return tuple(first + rng.sample(drivers, min(wanted, len(drivers))))


def build_cast(world: World) -> Cast:
    hard = world.hard
    meeting = {p for m in world.meetings for p in m.people}
    named = {*hard.namesakes, hard.transliterated, hard.nicknamed, hard.name_order}
    phones = build_phones(world, meeting | named | {hard.cloned})
    emails = build_emails(world, meeting | named)
    rng = derive_rng(world.seed, "mailboxes")
    mailboxes = frozenset(p for p in emails if p in meeting | named or rng.random() < MBOX_SHARE)
    social = set(world.meetings[0].people) if world.meetings else set()
    return Cast(
        phones=phones,
        accounts=build_accounts(world, social | named),
        emails=emails,
        mailboxes=mailboxes,
        contacts=build_contacts(world),
        travel=plan_travel(world),
        clone=plan_clone(world),
        location=_location(world, phones),
        gpx=_gpx(world),
        names={p.id: written_names(p, hard) for p in world.people},
    )
