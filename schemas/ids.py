"""Deterministic ids: the same record or identifier always gets the same id.

Re-ingesting a file therefore produces the same ids, and MERGE on id is idempotent.
"""

from __future__ import annotations

from functools import lru_cache
from hashlib import sha1 as _sha1

_SEPARATOR = "\x1f"  # unit separator: cannot occur in cleaned values by accident


def make_id(namespace: str, *parts: object) -> str:
    """Hash a namespace (type or source kind) and natural-key parts into a stable id."""
    # Text parts (nearly all) join as they are; the list comprehension is the hot path of
    # every ingest, so it avoids a call per part. str(p) of a str is p: ids stay the same.
    text = _SEPARATOR.join(
        [namespace, *[p if type(p) is str else "" if p is None else str(p) for p in parts]]
    )
    digest = _sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:24]
    return f"{namespace.lower()}-{digest}"


@lru_cache(maxsize=1 << 16)  # links between recurring entities repeat in every record
def edge_id(rel_type: str, source: str, target: str) -> str:
    """One edge per (type, source, target): repeated evidence updates it, never duplicates."""
    return make_id(rel_type, source, target)
