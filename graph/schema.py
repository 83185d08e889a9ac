"""The graph's shape, derived from the canonical model: columns, DDL, constraints, rows.

Labels and relationship types are the model's type names on both backends. Each model
property becomes one or more columns: a timestamp keeps UTC in `<name>` and the
original offset in `<name>_offset_min`; a geo point becomes `<name>_lat` / `<name>_lon`.
Every node and edge also carries provenance: the ledger batch and source record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from schemas.model import Model, NodeType, RelType
from schemas.types import GeoPoint, GeoType, TimestampType, offset_minutes

PROVENANCE = (("batch_id", "STRING"), ("record_id", "STRING"))
# Derived display and search text, so that one query finds any entity by name or identifier.
DERIVED = (("caption", "STRING"), ("search_text", "STRING"))
BATCH_LABEL = "IngestBatch"
BATCH_COLUMNS = (
    ("id", "STRING"),
    ("seq", "INT64"),
    ("source_path", "STRING"),
    ("connector", "STRING"),
    ("records", "INT64"),
)


@dataclass(frozen=True)
class Column:
    name: str
    graph_type: str  # Ladybug column type; Neo4j takes the same Python values


def property_columns(node_type: NodeType | RelType) -> list[Column]:
    columns: list[Column] = []
    for name, spec in node_type.properties.items():
        if isinstance(spec.value_type, TimestampType):
            columns += [Column(name, "TIMESTAMP"), Column(f"{name}_offset_min", "INT64")]
        elif isinstance(spec.value_type, GeoType):
            columns += [Column(f"{name}_lat", "DOUBLE"), Column(f"{name}_lon", "DOUBLE")]
        else:
            columns.append(Column(name, spec.value_type.graph_type))
    return columns


def node_columns(node_type: NodeType) -> list[Column]:
    """All columns of a node table, id first."""
    extra = [Column(n, t) for n, t in (*DERIVED, *PROVENANCE)]
    return [Column("id", "STRING"), *property_columns(node_type), *extra]


def edge_columns(rel_type: RelType) -> list[Column]:
    """All columns of a relationship table: id, the evidence it carries, provenance."""
    provenance = [Column(n, t) for n, t in PROVENANCE]
    return [Column("id", "STRING"), *property_columns(rel_type), *provenance]


def flatten(node_type: NodeType | RelType, props: dict[str, Any]) -> dict[str, Any]:
    """Model values to column values (UTC instants, split geo points)."""
    row: dict[str, Any] = {}
    for name, value in props.items():
        if isinstance(value, datetime):
            row[name] = value.astimezone(UTC)
            row[f"{name}_offset_min"] = offset_minutes(value)
        elif isinstance(value, GeoPoint):
            row[f"{name}_lat"], row[f"{name}_lon"] = value.lat, value.lon
        else:
            row[name] = value
    return row


def caption(node_type: NodeType, props: dict[str, Any]) -> str:
    """A short human label: an entity's name or key values; an event's kind and time."""
    if node_type.kind == "event":
        time = props.get("time")
        when = time.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if time else "undated"
        return " ".join(p for p in (node_type.name, _event_detail(props), when) if p)
    if props.get("name"):
        return str(props["name"])
    parts = [str(props[k]) for k in node_type.key if props.get(k) is not None]
    return " · ".join(parts) or node_type.name


# The first of these an event has says best what it was, in a timeline row.
_DETAIL_PROPS = ("label", "channel", "mode", "place_name", "text")
_DETAIL_CHARS = 60


def _event_detail(props: dict[str, Any]) -> str:
    for name in _DETAIL_PROPS:
        value = props.get(name)
        if value:
            text = " ".join(str(value).split())
            if name == "channel" and props.get("direction"):
                text = f"{text} {props['direction']}"
            return text if len(text) <= _DETAIL_CHARS else text[: _DETAIL_CHARS - 1] + "…"
    return ""


def search_text(node_type: NodeType, props: dict[str, Any]) -> str | None:
    """Lower-case text an entity is found by; events are found through their entities."""
    if node_type.kind == "event":
        return None
    values = [str(v) for k, v in props.items() if isinstance(v, str) and k != "id"]
    return " ".join(values).lower()


def indexed_properties(node_type: NodeType) -> list[str]:
    """Columns worth an index: entity keys and names, event times."""
    if node_type.kind == "event":
        return ["time"]
    names = list(node_type.key) + (["name"] if "name" in node_type.properties else [])
    return [
        n
        for n in dict.fromkeys(names)
        if not isinstance(node_type.properties[n].value_type, GeoType)
    ]


def ladybug_ddl(model: Model) -> list[str]:
    """CREATE statements for the embedded store, one per node and relationship table."""
    statements = []
    for node_type in model.node_types.values():
        columns = ", ".join(f"{c.name} {c.graph_type}" for c in node_columns(node_type))
        statements.append(
            f"CREATE NODE TABLE IF NOT EXISTS {node_type.name}({columns}, PRIMARY KEY(id))"
        )
    batch_cols = ", ".join(f"{n} {t}" for n, t in BATCH_COLUMNS)
    statements.append(
        f"CREATE NODE TABLE IF NOT EXISTS {BATCH_LABEL}({batch_cols}, PRIMARY KEY(id))"
    )
    for rel in model.rel_types.values():
        pairs = ", ".join(f"FROM {s} TO {t}" for s in rel.sources for t in rel.targets)
        columns = ", ".join(f"{c.name} {c.graph_type}" for c in edge_columns(rel))
        statements.append(f"CREATE REL TABLE IF NOT EXISTS {rel.name}({pairs}, {columns})")
    return statements


def neo4j_ddl(model: Model) -> list[str]:
    """Uniqueness constraints on id and range indexes, named after what they cover."""
    statements = []
    for node_type in [*model.node_types.values()]:
        label = node_type.name
        statements.append(
            f"CREATE CONSTRAINT {label.lower()}_id IF NOT EXISTS "
            f"FOR (n:{label}) REQUIRE n.id IS UNIQUE"
        )
        for prop in indexed_properties(node_type):
            statements.append(
                f"CREATE INDEX {label.lower()}_{prop} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})"
            )
    statements.append(
        f"CREATE CONSTRAINT ingestbatch_id IF NOT EXISTS "
        f"FOR (n:{BATCH_LABEL}) REQUIRE n.id IS UNIQUE"
    )
    for rel in model.rel_types.values():
        statements.append(
            f"CREATE INDEX {rel.name.lower()}_id IF NOT EXISTS FOR ()-[e:{rel.name}]-() ON (e.id)"
        )
    return statements
