"""What connectors produce: canonical records built through the model, or rejections.

A `SourceRecord` is everything one record of a source file asserts (nodes and edges),
together with where it came from, so the ledger can keep provenance per record.
A `Rejected` is a record that could not be read; it goes to quarantine with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, NamedTuple

from schemas.errors import SchemaError
from schemas.ids import edge_id, make_id
from schemas.model import Model, RelType

RAW_LIMIT = 4000  # characters of the original record kept for the analyst to read
# The same cameras, places and vehicles recur in nearly every record of a file; cleaning
# them and hashing their ids once per distinct value (not per record) doubles ingest speed.
# Keyed by what the connector passed; the value keeps the model it was cleaned by.
_ENTITY_CACHE: dict[tuple[Any, ...], tuple[Model, str, dict[str, Any]]] = {}
_ENTITY_CACHE_LIMIT = 200_000


def excerpt(raw: str) -> str:
    return raw if len(raw) <= RAW_LIMIT else raw[:RAW_LIMIT] + "…"


# Named tuples, not frozen dataclasses: a record makes about ten of these and a frozen
# dataclass takes twice as long to build (every field goes through object.__setattr__).
class Node(NamedTuple):
    type: str
    id: str
    props: dict[str, Any]


class Edge(NamedTuple):
    type: str
    id: str
    source: str
    target: str
    source_type: str
    target_type: str
    props: dict[str, Any]


class SourceRecord(NamedTuple):
    record_id: str
    locator: str
    raw: str
    nodes: list[Node]
    edges: list[Edge]


@dataclass(frozen=True)
class Rejected:
    locator: str
    reason: str
    raw: str = ""


class RecordBuilder:
    """Collects the nodes and edges one source record asserts, cleaning every value."""

    def __init__(
        self,
        model: Model,
        source_kind: str,
        locator: str,
        raw: str,
        assume_offset: timedelta | None = None,
    ) -> None:
        self.model = model
        self.source_kind = source_kind
        self.locator = locator
        self.raw = raw
        self.assume_offset = assume_offset
        self.nodes: list[Node] = []
        self.types: dict[str, str] = {}  # node id -> type, for the ends of links
        self.edges: list[Edge] = []
        self.record_id: str | None = None

    def entity(self, type_name: str, **raw: Any) -> str:
        # The value types are part of the key: 1, 1.0 and True are equal keys but clean
        # to different text; the assumed offset is, as it changes how times clean.
        key = (type_name, tuple(raw.items()), tuple(map(type, raw.values())), self.assume_offset)
        try:
            cached = _ENTITY_CACHE.get(key)
            hashable = True
        except TypeError:  # an unhashable value (a list): clean without the cache
            cached, hashable = None, False
        if cached is not None and cached[0] is self.model:
            node_id, props = cached[1], cached[2]
        else:
            node_id, props = self._clean_entity(type_name, raw)
            if hashable:
                if len(_ENTITY_CACHE) >= _ENTITY_CACHE_LIMIT:
                    _ENTITY_CACHE.clear()
                _ENTITY_CACHE[key] = (self.model, node_id, props)
        # The cached props are shared by every record naming this entity: nothing may
        # change a node's props after it is built (the batch writer merges into a copy).
        self._add(Node(type_name, node_id, props))
        return node_id

    def _clean_entity(self, type_name: str, raw: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        props = self.model.node_type(type_name).clean(raw, self.assume_offset)
        return self.model.entity_id(type_name, props), props

    def event(self, type_name: str, natural_key: str, **raw: Any) -> str:
        """An event is identified by the source kind and the record's natural key."""
        props = self.model.node_type(type_name).clean(raw, self.assume_offset)
        node_id = make_id(type_name, self.source_kind, natural_key)
        self._add(Node(type_name, node_id, props))
        if self.record_id is None:
            self.record_id = make_id("record", self.source_kind, natural_key)
        return node_id

    def refer(self, type_name: str, node_id: str) -> str:
        """A node already in the ledger that this record links to without asserting
        anything about it (a mention of a known person, a resolved subject)."""
        self.model.node_type(type_name)  # an unknown type fails here, not at projection
        self.types[node_id] = type_name
        return node_id

    def _add(self, node: Node) -> None:
        self.nodes.append(node)
        self.types[node.id] = node.type

    def link(
        self, rel_type: str, source: str, target: str, occurrence: str | None = None, **props: Any
    ) -> None:
        """Link two nodes of this record; the model decides which types a link may join.

        One edge per (type, source, target) by default; `occurrence` keeps several apart
        (two mentions of one name in a text are two edges with their own offsets)."""
        source_type, target_type = self.types[source], self.types[target]
        rel, from_event = _checked_rel(self.model, rel_type, source_type, target_type)
        if occurrence is not None:
            link_id = make_id(rel_type, source, target, occurrence)
        elif from_event:  # a new event each record: the id cache would only churn
            link_id = make_id(rel_type, source, target)
        else:
            link_id = edge_id(rel_type, source, target)
        cleaned = rel.clean(props) if props else {}
        self.edges.append(
            Edge(rel_type, link_id, source, target, source_type, target_type, cleaned)
        )

    def build(self) -> SourceRecord:
        record_id = self.record_id or make_id("record", self.source_kind, self.locator)
        return SourceRecord(record_id, self.locator, excerpt(self.raw), self.nodes, self.edges)


# (model, link type, source type, target type) -> (the link type, source is an event);
# the model is kept in the value so that its id cannot be reused by another model.
_LINK_CHECKS: dict[tuple[int, str, str, str], tuple[Model, RelType, bool]] = {}


def _checked_rel(
    model: Model, rel_type: str, source_type: str, target_type: str
) -> tuple[RelType, bool]:
    """The link type, checked once per combination: may it join these node types?"""
    key = (id(model), rel_type, source_type, target_type)
    cached = _LINK_CHECKS.get(key)
    if cached is not None and cached[0] is model:
        return cached[1], cached[2]
    rel = model.rel_type(rel_type)
    if source_type not in rel.sources or target_type not in rel.targets:
        raise SchemaError(f"{rel_type} cannot link {source_type} to {target_type}")
    from_event = model.node_type(source_type).kind == "event"
    _LINK_CHECKS[key] = (model, rel, from_event)
    return rel, from_event
