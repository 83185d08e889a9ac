"""What the message connectors (SMS / call backups, mailboxes) share: the graph shape of
one communication, and how statuses are written.

Every message source asserts the same small pattern, built in one place:

    Communication -FROM-> Phone | Account        (the sender)
    Communication -TO->   Phone | Account        (each recipient)
    Communication -CC->   Account                (copies, e-mail only)
    Communication -KEPT_BY-> Person(owner)       (the owner of the export took part)
    Person(contact name) -USES-> Phone           (the name the phone book gives a number)
    Person(owner)        -USES-> Phone | Account (when the export shows it is the owner's)

The owner of the export (see `ingest.connectors.owner`) is a Person in every record, even
when nothing in the record says which number or address is theirs: a backup names only
the other party. KEPT_BY carries the owner's side, so the owner's dossier holds every
call, message and e-mail of their own export, whether or not their number is known.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ingest.records import RecordBuilder, SourceRecord

Role = Literal["FROM", "TO", "CC"]
PartyType = Literal["Phone", "Account"]


@dataclass(frozen=True)
class Party:
    """One end of a communication: a number or an account, and what the source says of it."""

    role: Role | None  # None: no link from the communication (an owner's mailbox)
    type_name: PartyType
    props: Mapping[str, Any] = field(default_factory=dict)
    contact: str | None = None  # the name the owner's phone book gives this party
    owner: bool = False  # the export shows that the owner uses this number or account


def add_communication(
    builder: RecordBuilder,
    owner_name: str,
    natural_key: str,
    event: Mapping[str, Any],
    parties: Iterable[Party],
) -> str:
    """The owner, the Communication and its parties; returns the Communication's id."""
    owner_id = builder.entity("Person", name=owner_name)
    communication = builder.event("Communication", natural_key, **event)
    builder.link("KEPT_BY", communication, owner_id)
    linked: set[tuple[str, str, str]] = set()
    for party in parties:
        target = builder.entity(party.type_name, **party.props)
        for rel, source in _links(party, communication, owner_id, builder):
            if (rel, source, target) not in linked:  # a party named twice is one link
                linked.add((rel, source, target))
                builder.link(rel, source, target)
    return communication


def _links(
    party: Party, communication: str, owner_id: str, builder: RecordBuilder
) -> list[tuple[str, str]]:
    links: list[tuple[str, str]] = [(party.role, communication)] if party.role else []
    if party.contact:
        links.append(("USES", builder.entity("Person", name=party.contact)))
    if party.owner:
        links.append(("USES", owner_id))
    return links


def status(*flags: str | None) -> str | None:
    """The flags that apply, comma separated ("missed,number-restricted"), or None."""
    text = ",".join(f for f in flags if f)
    return text or None


def build(
    builder: RecordBuilder,
    owner_name: str,
    natural_key: str,
    event: Mapping[str, Any],
    parties: Iterable[Party],
) -> SourceRecord:
    """`add_communication`, then the finished record."""
    add_communication(builder, owner_name, natural_key, event, parties)
    return builder.build()
