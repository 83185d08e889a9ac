"""The canonical model, loaded from model.yaml into a few small classes.

Connectors build records through `Model.entity` / `Model.event` so that every value is
normalised by its value type and every id is derived the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

from schemas.errors import InvalidValue, SchemaError
from schemas.ids import make_id
from schemas.types import REGISTRY, TimestampType, ValueType

MODEL_PATH = Path(__file__).with_name("model.yaml")
# libyaml's safe loader when PyYAML was built with it: the pure-Python one takes ~80 ms
# for the model, which every `dossier` command (and small-file ingest) paid.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
NodeKind = Literal["entity", "event"]


@dataclass(frozen=True)
class PropertySpec:
    name: str
    value_type: ValueType
    required: bool = False


@dataclass(frozen=True)
class NodeType:
    """An entity or event type: its properties and, for entities, its natural key."""

    name: str
    kind: NodeKind
    description: str
    properties: Mapping[str, PropertySpec]
    key: tuple[str, ...] = ()

    def clean(self, raw: Mapping[str, Any], assume_offset: timedelta | None = None) -> dict:
        """Normalise raw values; drop None; raise InvalidValue naming `Type.field`."""
        return clean_properties(self.name, self.properties, raw, assume_offset)


def clean_properties(
    type_name: str,
    properties: Mapping[str, PropertySpec],
    raw: Mapping[str, Any],
    assume_offset: timedelta | None = None,
) -> dict[str, Any]:
    """The cleaned values of a node's or relationship's properties, None values dropped."""
    if not raw.keys() <= properties.keys():
        unknown = set(raw) - set(properties)
        raise SchemaError(f"{type_name} has no properties {sorted(unknown)}")
    cleaned: dict[str, Any] = {}
    # Every property of every record passes here: the field names and the cleaners are
    # looked up once per type (_plan), not formatted and dispatched per value.
    for name, field_name, clean, takes_offset, required in _plan(type_name, properties):
        value = raw.get(name)
        if value is None or value == "":
            if required:
                raise InvalidValue(field_name, value, "required value is missing")
            continue
        if takes_offset:
            cleaned[name] = clean(field_name, value, assume_offset)
        else:
            cleaned[name] = clean(field_name, value)
    return cleaned


_Step = tuple[str, str, Callable[..., Any], bool, bool]
# (type name, id of its properties) -> (the properties, the steps); the properties are kept
# so that their id cannot be reused by another mapping while the entry exists.
_PLANS: dict[tuple[str, int], tuple[Mapping[str, PropertySpec], tuple[_Step, ...]]] = {}


def _plan(type_name: str, properties: Mapping[str, PropertySpec]) -> tuple[_Step, ...]:
    cached = _PLANS.get((type_name, id(properties)))
    if cached is not None and cached[0] is properties:
        return cached[1]
    steps = tuple(
        (
            name,
            f"{type_name}.{name}",
            spec.value_type.clean,
            isinstance(spec.value_type, TimestampType),
            spec.required,
        )
        for name, spec in properties.items()
    )
    _PLANS[(type_name, id(properties))] = (properties, steps)
    return steps


@dataclass(frozen=True)
class RelType:
    """A relationship type: which node types it joins, and the evidence it carries."""

    name: str
    description: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    properties: Mapping[str, PropertySpec] = field(default_factory=dict)

    def clean(self, raw: Mapping[str, Any]) -> dict:
        return clean_properties(self.name, self.properties, raw)


@dataclass(frozen=True)
class Model:
    node_types: Mapping[str, NodeType]
    rel_types: Mapping[str, RelType]
    version: int = 1
    _order: tuple[str, ...] = field(default=())

    def node_type(self, name: str) -> NodeType:
        try:
            return self.node_types[name]
        except KeyError:
            raise SchemaError(f"unknown node type {name!r}") from None

    def rel_type(self, name: str) -> RelType:
        try:
            return self.rel_types[name]
        except KeyError:
            raise SchemaError(f"unknown relationship type {name!r}") from None

    def entity_id(self, type_name: str, props: Mapping[str, Any]) -> str:
        """Entities are identified by their type and cleaned natural key, whatever the source."""
        node_type = self.node_type(type_name)
        return make_id(type_name, *(props.get(k) for k in node_type.key))

    def event_types(self) -> list[NodeType]:
        return [t for t in self.node_types.values() if t.kind == "event"]

    def entity_types(self) -> list[NodeType]:
        return [t for t in self.node_types.values() if t.kind == "entity"]


def _load_properties(type_name: str, spec: Mapping[str, Any]) -> dict[str, PropertySpec]:
    return {
        p: PropertySpec(p, _value_type(type_name, p, ps["type"]), bool(ps.get("required", False)))
        for p, ps in spec.get("properties", {}).items()
    }


def _load_node_types(section: Mapping[str, Any], kind: NodeKind) -> dict[str, NodeType]:
    types: dict[str, NodeType] = {}
    for name, spec in section.items():
        props = _load_properties(name, spec)
        key = tuple(spec.get("key", ()))
        missing = [k for k in key if k not in props]
        if missing:
            raise SchemaError(f"{name}: key names unknown properties {missing}")
        types[name] = NodeType(name, kind, spec.get("description", ""), props, key)
    return types


def _value_type(type_name: str, prop: str, value_type: str) -> ValueType:
    if value_type not in REGISTRY:
        raise SchemaError(f"{type_name}.{prop}: unknown value type {value_type!r}")
    return REGISTRY[value_type]


def _load_rel_types(section: Mapping[str, Any], nodes: Mapping[str, NodeType]) -> dict:
    rels: dict[str, RelType] = {}
    for name, spec in section.items():
        rel = RelType(
            name,
            spec.get("description", ""),
            tuple(spec["from"]),
            tuple(spec["to"]),
            _load_properties(name, spec),
        )
        unknown = [t for t in (*rel.sources, *rel.targets) if t not in nodes]
        if unknown:
            raise SchemaError(f"relationship {name} names unknown node types {unknown}")
        rels[name] = rel
    return rels


def load_model(path: Path = MODEL_PATH) -> Model:
    """Parse and check a model file."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    nodes = _load_node_types(data.get("entities", {}), "entity")
    nodes.update(_load_node_types(data.get("events", {}), "event"))
    rels = _load_rel_types(data.get("relationships", {}), nodes)
    return Model(nodes, rels, int(data.get("version", 1)))


@cache
def default_model() -> Model:
    """The model shipped with the package, loaded once per process."""
    return load_model()
