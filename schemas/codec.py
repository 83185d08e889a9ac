"""Property values to and from the JSON text the ledger stores.

Timestamps keep their original offset in the text ("2024-01-19T11:17:19+08:00");
geo points are [lat, lon]. Decoding uses the model, so the types come back exactly.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from schemas.model import NodeType
from schemas.types import GeoPoint, GeoType, TimestampType


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, GeoPoint):
        return [value.lat, value.lon]
    raise TypeError(f"cannot store {type(value).__name__} in the ledger")


def encode_props(props: dict[str, Any]) -> str:
    return json.dumps(props, default=_default, ensure_ascii=False, separators=(",", ":"))


def decode_props(node_type: NodeType | None, text: str) -> dict[str, Any]:
    """Decode a node's (or, with None, an edge's) properties."""
    props: dict[str, Any] = json.loads(text)
    if node_type is None:
        return props
    for name, value in props.items():
        value_type = node_type.properties[name].value_type
        if isinstance(value_type, TimestampType):
            props[name] = datetime.fromisoformat(value)
        elif isinstance(value_type, GeoType):
            props[name] = GeoPoint(*value)
    return props
