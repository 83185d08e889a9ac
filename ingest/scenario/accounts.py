"""Social-media accounts and e-mail addresses of the fictional people.

Accounts use aliases (handles and display names that often do not contain the real
name); a few people reuse one handle on Twitter and Mastodon, most do not. Domains are
RFC 2606 ``.example`` names, so no address or URL points at a real service.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from ingest.scenario.cameras import slugify
from ingest.scenario.clock import DAY, START_EPOCH, utc_iso
from ingest.scenario.hardcases import written_names
from ingest.scenario.model import Person
from ingest.scenario.rng import derive_rng
from ingest.scenario.world import World

INSTANCES = ("social.example", "toot.example.net", "mastodon.example.org")
MAIL_DOMAINS = ("mail.example", "post.example.net", "inbox.example.org")
ALIAS_WORDS = (
    "nachtuil",
    "polderrat",
    "kadeloper",
    "grijzemuis",
    "stillewind",
    "dijkwacht",
    "zwerfkei",
    "hoekman",
    "rookpluim",
    "mistbank",
    "slootjumper",
    "waterhoen",
)
TWITTER_SHARE, MASTODON_SHARE, EMAIL_SHARE, MBOX_SHARE = 0.45, 0.3, 0.85, 0.55
WORK_MAIL_SITES = ("depot", "office")


@dataclass(frozen=True, slots=True)
class Account:
    person: str
    platform: str  # twitter | mastodon
    handle: str  # Twitter username / Mastodon username
    id: str  # numeric string, as both APIs send ids
    display_name: str
    instance: str  # twitter.com or the Mastodon server
    created_at: str  # ISO 8601 UTC
    rate: float  # mean posts per day

    @property
    def url(self) -> str:
        if self.platform == "twitter":
            return f"https://twitter.com/{self.handle}"
        return f"https://{self.instance}/@{self.handle}"


def _plain(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _handle(rng: random.Random, person: Person, taken: set[str]) -> str:
    given, surname = _plain(person.given_name), _plain(person.surname)
    while True:
        pattern = rng.randrange(3)
        if pattern == 0:
            handle = f"{rng.choice(ALIAS_WORDS)}{rng.randrange(10, 99)}"
        elif pattern == 1:
            handle = f"{given}_{surname[:4]}"
        else:
            handle = f"{given[0]}{surname[:8]}{rng.randrange(60, 99)}"
        if handle not in taken:
            taken.add(handle)
            return handle


def _display(rng: random.Random, person: Person, social: str, handle: str) -> str:
    """Hard cases keep their planted spelling; others pick a name or an alias."""
    if social != person.name:
        return social
    return rng.choice(
        (
            person.name,
            person.given_name,
            f"{person.given_name} {person.surname[0]}.",
            re.sub(r"\d+$", "", handle).replace("_", " ").title(),
        )
    )


def _account(
    rng: random.Random, person: Person, platform: str, handle: str, social: str
) -> Account:
    created = START_EPOCH - rng.randrange(200, 4000) * DAY + rng.randrange(DAY)
    instance = "twitter.com" if platform == "twitter" else rng.choice(INSTANCES)
    low, high = (10**17, 10**19) if platform == "twitter" else (10**16, 10**17)
    return Account(
        person=person.id,
        platform=platform,
        handle=handle,
        id=str(rng.randrange(low, high)),
        display_name=_display(rng, person, social, handle),
        instance=instance,
        created_at=utc_iso(created).replace("Z", ".000Z"),
        rate=round(rng.uniform(0.3, 2.5), 3),
    )


def build_accounts(world: World, forced: set[str]) -> tuple[Account, ...]:
    """Twitter and Mastodon accounts; ``forced`` people get at least a Twitter account."""
    rng = derive_rng(world.seed, "accounts")
    taken: set[str] = set()
    out: list[Account] = []
    for person in world.people:
        social = written_names(person, world.hard)["social"]
        handle = _handle(rng, person, taken)
        if person.id in forced or rng.random() < TWITTER_SHARE:
            out.append(_account(rng, person, "twitter", handle, social))
            if rng.random() >= 0.4:  # most people use another alias elsewhere
                handle = _handle(rng, person, taken)
        if rng.random() < MASTODON_SHARE:
            out.append(_account(rng, person, "mastodon", handle, social))
    return tuple(out)


def _local_part(rng: random.Random, person: Person, email_name: str) -> str:
    given, surname = _plain(person.given_name), _plain(person.surname)
    if not email_name.isascii():  # written in another script: a transliterated address
        return "a.gritsenkov"
    return rng.choice((f"{given}.{surname}", f"{given[0]}{surname}", f"{given}{surname[:3]}"))


def _unique(rng: random.Random, address: str, taken: set[str]) -> str:
    while address in taken:
        local, domain = address.split("@")
        address = f"{local}{rng.randrange(10)}@{domain}"
    taken.add(address)
    return address


def build_emails(world: World, forced: set[str]) -> dict[str, tuple[str, ...]]:
    """Personal (and for depot / office staff, work) addresses; unique across people."""
    rng = derive_rng(world.seed, "emails")
    taken: set[str] = set()
    out: dict[str, tuple[str, ...]] = {}
    for person in world.people:
        if person.id not in forced and rng.random() >= EMAIL_SHARE:
            continue
        name = written_names(person, world.hard)["email"]
        local = _local_part(rng, person, name)
        addresses = [_unique(rng, f"{local}@{rng.choice(MAIL_DOMAINS)}", taken)]
        work = world.places.get(person.work or "")
        if work is not None and work.kind in WORK_MAIL_SITES:
            local = f"{_plain(person.given_name)}.{_plain(person.surname)}"
            addresses.append(_unique(rng, f"{local}@{slugify(work.name)}.example", taken))
        out[person.id] = tuple(addresses)
    return out
