"""The gazetteer: every name, handle, plate and flight the ledger already knows, so a
text that names one links to the existing node instead of inventing a new one.

Names are keyed by their ASCII-folded lower-case form; the PhraseMatcher gets both the
name as written and folded, so "Briskovic" in a text finds "Brisković" in a manifest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from anyascii import anyascii
from spacy.language import Language
from spacy.matcher import PhraseMatcher

from ingest.mentions.flights import Leg
from ingest.mentions.reading import NodeRow
from ingest.mentions.spans import Target
from schemas.errors import InvalidValue
from schemas.model import Model

# Shorter names (airport codes, initials, "Jo") would match ordinary words and acronyms.
MIN_NAME = 4
FAC_KINDS = frozenset({"airport", "camera-site"})  # built places; other places are GPE
NAME_LABELS = {"Person": "PERSON", "Subject": "PERSON", "Account": "PERSON", "Organization": "ORG"}


def fold(name: str) -> str:
    """The key a name is looked up by: ASCII letters, lower case, single spaces."""
    return " ".join(anyascii(name).lower().split())


@dataclass
class Gazetteer:
    model: Model
    known: set[str] = field(default_factory=set)  # ids of entities the ledger holds
    names: dict[str, list[tuple[str, Target]]] = field(default_factory=dict)  # (label, target)
    variants: dict[str, set[str]] = field(default_factory=dict)  # key -> names as written
    handles: dict[str, list[Target]] = field(default_factory=dict)
    plates: dict[str, list[Target]] = field(default_factory=dict)
    plate_prefixes: set[str] = field(default_factory=set)  # "A", "AB", ... "AB123C"
    legs: dict[str, list[Leg]] = field(default_factory=dict)  # flight key -> passenger legs
    hosts: dict[str, str] = field(default_factory=dict)  # post id -> author's Mastodon server

    def target(self, type_name: str, **raw: Any) -> Target | None:
        """The entity these properties identify: the known node, or a new entity; None
        when they are not valid values (a mention is then not made)."""
        try:
            props = self.model.node_type(type_name).clean(raw)
        except InvalidValue:
            return None
        node_id = self.model.entity_id(type_name, props)
        return Target(type_name, node_id, None if node_id in self.known else props)


def build(model: Model, nodes: Iterable[NodeRow], authors: Iterable[tuple[str, str]]) -> Gazetteer:
    """A gazetteer of these entities; `authors` are (post id, account id) pairs."""
    gazetteer = Gazetteer(model)
    names: dict[str, list[tuple[str, Target]]] = defaultdict(list)
    handle_of: dict[str, str] = {}
    for node in nodes:
        _add(gazetteer, names, node)
        if node.type == "Account" and node.props.get("platform") == "mastodon":
            handle_of[node.id] = str(node.props["handle"])
    for key, found in names.items():
        subjects = any(target.type == "Subject" for _, target in found)
        # Resolution already judged which person records are one person: name its Subject.
        gazetteer.names[key] = [
            (label, t) for label, t in found if not (subjects and t.type == "Person")
        ]
    for post_id, account_id in authors:
        if account_id in handle_of:
            gazetteer.hosts[post_id] = handle_of[account_id].partition("@")[2]
    return gazetteer


def _add(gazetteer: Gazetteer, names: dict[str, list[tuple[str, Target]]], node: NodeRow) -> None:
    props, target = node.props, Target(node.type, node.id)
    gazetteer.known.add(node.id)
    for name in _names(node):
        key = fold(name)
        if len(key) >= MIN_NAME and any(c.isalpha() for c in key):
            names[key].append((_label(node), target))
            gazetteer.variants.setdefault(key, set()).add(name)
    if node.type == "Account":
        gazetteer.handles.setdefault(str(props["handle"]), []).append(target)
    elif node.type == "Vehicle":
        plate = str(props["plate"])
        gazetteer.plates.setdefault(plate, []).append(target)
        gazetteer.plate_prefixes.update(plate[:end] for end in range(1, len(plate) + 1))


def _names(node: NodeRow) -> list[str]:
    """The names an entity goes by; "García Márquez, Ana Lucía" also as written in prose."""
    field_name = "display_name" if node.type == "Account" else "name"
    name = node.props.get(field_name) if node.type in (*NAME_LABELS, "Place") else None
    if not isinstance(name, str) or name.startswith("("):  # "(owner of FILE)": no name
        return []
    family, comma, given = name.partition(",")
    if node.type in ("Person", "Subject") and comma and given.strip() and "," not in given:
        return [name, f"{given.strip()} {family.strip()}"]
    return [name]


def _label(node: NodeRow) -> str:
    if node.type == "Place":
        return "FAC" if node.props.get("place_kind") in FAC_KINDS else "GPE"
    return NAME_LABELS[node.type]


def phrase_matcher(nlp: Language, gazetteer: Gazetteer) -> PhraseMatcher:
    """One matcher for every known name, as written and ASCII-folded, case-insensitive."""
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    for key, written in gazetteer.variants.items():
        phrases = sorted({*written, *(anyascii(name) for name in written)})
        matcher.add(key, [nlp.make_doc(phrase) for phrase in phrases])
    return matcher
