"""A subject's associates: who its records are in touch with, as the graph shows it.

Touch is read from events, never inferred: the other parties of its calls, messages and
e-mails (numbers and addresses, and the owner of the backup or mailbox that keeps them),
the accounts its posts mention or reply to, and the authors of posts that mention it.
Each other party is shown as the subject it resolved to when that is exactly one
subject (a person's record, or the one person known to use a number or account), and as
itself otherwise: a number nobody is named for, or a family phone several people use.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from graph.queries import DIALECTS, by_label, plain, subject_holders, type_of
from graph.store import GraphStore
from schemas.errors import DossierError
from schemas.model import Model

PARTIES = ("FROM", "TO", "CC", "KEPT_BY")  # who a communication is between
REFERENCES = ("REPLIES_TO", "QUOTES", "REPOSTS")


@dataclass(frozen=True)
class _Way:
    """One way of being in touch: a pattern from a holder `h` of the subject through the
    event `e` to the other party `o`, its relationships typed: r1 on h's side, r2 on o's
    and r3 between two posts (Ladybug, unwinding several ids, loses rows of untyped
    relationships over many tables)."""

    pattern: str
    near: tuple[str, ...]  # types r1 may have
    far: tuple[str, ...]  # types r2 may have
    between: tuple[str, ...] = ()  # types r3 may have

    def cypher(self, model: Model, label: str) -> str | None:
        """The pattern from a holder of `label`, or None when none of `near` reaches it."""
        near = [rel for rel in self.near if label in model.rel_type(rel).targets]
        if not near:
            return None
        return self.pattern.format(
            near="|".join(near), far="|".join(self.far), between="|".join(self.between)
        )


_WAYS = {
    "communication": _Way("(h)<-[r1:{near}]-(e:Communication)-[r2:{far}]->(o)", PARTIES, PARTIES),
    "mentions": _Way("(h)<-[r1:{near}]-(e:Post)-[r2:{far}]->(o)", ("POSTED_BY",), ("MENTIONS",)),
    "mentioned by": _Way(
        "(h)<-[r1:{near}]-(e:Post)-[r2:{far}]->(o)", ("MENTIONS",), ("POSTED_BY",)
    ),
    "replies": _Way(
        "(h)<-[r1:{near}]-(e:Post)-[:{between}]-(:Post)-[r2:{far}]->(o)",
        ("POSTED_BY",),
        ("POSTED_BY",),
        REFERENCES,
    ),
}


class NotASubject(DossierError):
    exit_code = 65

    def __init__(self, node_id: str) -> None:
        super().__init__(
            f"{node_id!r} is not a subject: associates are a subject's; find subjects with "
            "`dossier search NAME` (ids subject-…)"
        )


@dataclass
class Associate:
    """One other party, and the events that tie the subject to it."""

    id: str
    type: str
    caption: str
    events: set[str] = field(default_factory=set)
    ways: Counter[str] = field(default_factory=Counter)
    first: datetime | None = None
    last: datetime | None = None
    through: set[str] = field(default_factory=set)  # the identifiers, when not itself

    def add(self, touch: dict[str, Any]) -> None:
        """One touch: its event, way and time, and the other party it names (an identifier
        of this associate, or the associate itself)."""
        event, time = touch["event"], touch["time"]
        if event in self.events:
            return
        self.events.add(event)
        self.ways[touch["way"]] += 1
        if time is not None:
            self.first = time if self.first is None else min(self.first, time)
            self.last = time if self.last is None else max(self.last, time)
        if touch["other"] != self.id:
            self.through.add(str(touch["caption"]))

    def row(self) -> dict[str, Any]:
        ways = " · ".join(f"{way} {n}" for way, n in sorted(self.ways.items()))
        return {
            "id": self.id,
            "type": self.type,
            "caption": self.caption,
            "events": len(self.events),
            "ways": ways,
            "first": self.first,
            "last": self.last,
            "through": "; ".join(sorted(self.through)),
        }


def associates(store: GraphStore, subject_id: str, limit: int = 100) -> list[dict[str, Any]]:
    """The subject's associates, most events first: id, type, caption, events, ways (per
    kind of touch), first, last, and through (the numbers or accounts of theirs the
    events name, when the associate is a subject)."""
    if type_of(store.model, subject_id) != "Subject":
        raise NotASubject(subject_id)
    holders = subject_holders(store, subject_id)
    held = sorted(i for ids in holders.values() for i in ids)
    touches = [t for label, ids in holders.items() for t in _touches(store, label, ids, held)]
    owners = _subjects_of(store, {t["other"] for t in touches})
    found: dict[str, Associate] = {}
    for touch in touches:
        subjects = owners.get(touch["other"], {})
        if subject_id in subjects:
            continue  # one of its own numbers, used by no member record
        key, type_name, caption = _shown_as(touch, subjects)
        associate = found.setdefault(key, Associate(key, type_name, caption))
        associate.add(touch)
    ranked = sorted(found.values(), key=lambda a: (-len(a.events), a.caption, a.id))
    return [a.row() for a in ranked[:limit]]


def _touches(
    store: GraphStore, label: str, ids: list[str], held: list[str]
) -> list[dict[str, Any]]:
    """Every (other party, event) the holders of one label touch, with the way."""
    d = DIALECTS[store.dialect]
    found = []
    for name, way in _WAYS.items():
        pattern = way.cypher(store.model, label)
        if pattern is None:
            continue  # Ladybug refuses a pattern no relationship table can bind
        channel = "e.channel" if name == "communication" else "NULL"  # posts have none
        cypher = (
            f"UNWIND $ids AS i MATCH (h:{label} {{id: i}}) MATCH {pattern} "
            "WHERE NOT o.id IN $held "
            f"RETURN DISTINCT o.id AS other, {d.label_of('o')} AS type, o.caption AS caption, "
            f"e.id AS event, e.time AS time, {channel} AS channel"
        )
        for row in store.read(cypher, {"ids": ids, "held": held}).records():
            row["way"] = row.pop("channel") or name
            row["time"] = plain(row["time"])
            found.append(row)
    return found


# How another party leads to a subject: (relationship, the end `o` sits at, the path).
_TO_SUBJECT = (
    ("RESOLVED_AS", "source", "(o)-[:RESOLVED_AS]->(s:Subject)"),
    ("USES", "target", "(o)<-[:USES]-(:Person)-[:RESOLVED_AS]->(s:Subject)"),
)


def _subjects_of(store: GraphStore, others: set[str]) -> dict[str, dict[str, str]]:
    """Other party id -> {subject id: caption} of the subjects it resolved to, or whose
    member records use it."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for label, ids in by_label(store.model, others).items():
        for rel, end, path in _TO_SUBJECT:
            rel_type = store.model.rel_type(rel)
            if label not in (rel_type.sources if end == "source" else rel_type.targets):
                continue  # Ladybug refuses a pattern no relationship table can bind
            cypher = (
                f"UNWIND $ids AS i MATCH (o:{label} {{id: i}}) MATCH {path} "
                "RETURN DISTINCT o.id AS other, s.id AS subject, s.caption AS caption"
            )
            for row in store.read(cypher, {"ids": ids}).records():
                found[row["other"]][row["subject"]] = row["caption"]
    return found


def _shown_as(touch: dict[str, Any], subjects: dict[str, str]) -> tuple[str, str, str]:
    """(id, type, caption) an associate is listed under: its one subject, or itself."""
    if len(subjects) == 1:
        [(subject, caption)] = subjects.items()
        return subject, "Subject", caption or subject
    caption = str(touch["caption"])
    if subjects:
        caption += " (used by " + ", ".join(sorted(c or s for s, c in subjects.items())) + ")"
    return str(touch["other"]), str(touch["type"]), caption
