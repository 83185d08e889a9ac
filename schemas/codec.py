"""Property values to and from the JSON text the ledger stores.

Timestamps keep their original offset in the text ("2024-01-19T11:17:19+08:00");
geo points are [lat, lon]. Decoding uses the model, so the types come back exactly.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from schemas.model import NodeType, RelType
from schemas.types import GeoPoint, GeoType, TimestampType


def _default(value: Any) -> Any:
    if isinstance(value, GeoPoint):
        return [value.lat, value.lon]
    raise TypeError(f"cannot store {type(value).__name__} in the ledger")


# orjson writes aware datetimes as ISO 8601 with their own offset, which is the format
# the ledger keeps; it is several times faster than json.dumps on this hot path.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATACLASS


def encode_props(props: dict[str, Any]) -> str:
    if not props:
        return "{}"
    return orjson.dumps(props, default=_default, option=_OPTIONS).decode()


def decode_props(node_type: NodeType | RelType | None, text: str) -> dict[str, Any]:
    """Decode a node's or an edge's properties (with None: as plain JSON)."""
    props: dict[str, Any] = orjson.loads(text)
    if node_type is None:
        return props
    for name, value in props.items():
        value_type = node_type.properties[name].value_type
        if isinstance(value_type, TimestampType):
            props[name] = datetime.fromisoformat(value)
        elif isinstance(value_type, GeoType):
            props[name] = GeoPoint(*value)
    return props
