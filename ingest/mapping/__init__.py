"""Declarative mappings: plain tables (CSV, JSON lines, Parquet) into the canonical model.

A YAML file says which columns of a row fill which properties of which entities and
events, and how they link; `mapping_connector` turns it into a Connector. The language
is documented in README.md beside this file; `shipped/` holds ready-made mappings.
"""

from __future__ import annotations

import re
from pathlib import Path

from ingest.mapping.connector import MappedTable, mapping_connector, mapping_factory
from ingest.mapping.errors import ColumnsMissing, MappingError
from ingest.mapping.spec import Mapping, load_mapping

SHIPPED = Path(__file__).with_name("shipped")

__all__ = [
    "SHIPPED",
    "ColumnsMissing",
    "MappedTable",
    "Mapping",
    "MappingError",
    "load_mapping",
    "mapping_connector",
    "mapping_factory",
    "shipped_mapping",
    "shipped_mappings",
]


def shipped_mappings() -> list[str]:
    """Names of the mappings that ship with dossier."""
    return sorted(p.stem for p in SHIPPED.glob("*.yaml"))


def shipped_mapping(name: str) -> Path:
    """The path of a shipped mapping, by name ("asterisk_cdr" or "asterisk_cdr.yaml")."""
    path = SHIPPED / f"{name.removesuffix('.yaml')}.yaml"
    if not re.fullmatch(r"[a-z0-9_-]+(\.yaml)?", name) or not path.is_file():
        known = ", ".join(shipped_mappings())
        raise MappingError(path, 0, f"no shipped mapping named {name!r}", f"shipped: {known}")
    return path
