"""`MappedTable`: the connector a mapping file defines.

Each mapping becomes its own Connector subclass, so the contract holds as for any
hand-written connector: `name` is "mapping:<name>", `version` a short hash of the
mapping file (a changed mapping is a new version, so the file is ingested again), and
`source_kind` the namespace of its event ids. Mappings are chosen explicitly, never
sniffed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import Any, ClassVar, cast

from ingest.connectors.base import Connector, ReadOptions
from ingest.errors import UnreadableSource
from ingest.mapping.errors import ColumnsMissing
from ingest.mapping.props import Getter
from ingest.mapping.rowmap import RowMapper
from ingest.mapping.spec import Mapping, load_mapping
from ingest.mapping.tables import CsvTable, JsonLinesTable, ParquetTable, Row
from ingest.records import Rejected, SourceRecord


class MappedTable(Connector):
    """Reads a CSV, JSON lines or Parquet file through a declarative mapping."""

    mapping: ClassVar[Mapping]
    name = "mapping"
    version = "0"
    title = "a plain table read through a mapping file"
    source_kind = "mapping"

    @classmethod
    def bind(cls, mapping: Mapping) -> type[MappedTable]:
        """The connector class of one mapping."""
        attrs = {
            "mapping": mapping,
            "name": f"mapping:{mapping.name}",
            "version": mapping.digest,
            "title": f"{mapping.table_format} read through the mapping {mapping.path}",
            "source_kind": f"mapping:{mapping.name}",
        }
        return cast(type[MappedTable], type(f"MappedTable[{mapping.name}]", (cls,), attrs))

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        return False

    def check(self, path: Path) -> None:
        """Raise ColumnsMissing (or UnreadableSource) now if the file does not fit."""
        self._plan(path)

    def read(self, path: Path) -> Iterator[SourceRecord | Rejected]:
        rows, mapper = self._plan(path)
        for row in rows:
            yield mapper.apply(row)

    def _plan(self, path: Path) -> tuple[Iterator[Row], RowMapper]:
        """Resolve the mapping's columns against the file, before any row is read."""
        mapping = self.mapping
        if not path.is_file():
            raise UnreadableSource(path, "no such file; check the path")
        if mapping.table_format == "csv":
            table = CsvTable(path, mapping.csv)
            index = self._csv_columns(path, table.header())
            rows: Iterator[Row] = table.rows()
            column: Callable[[str], Getter] = partial(_position, index)
        elif mapping.table_format == "parquet":
            parquet = ParquetTable(path)
            self._require(path, parquet.fields())
            top = set(parquet.top_level())
            tops = sorted({c if c in top else c.split(".", 1)[0] for c in mapping.columns})
            rows, column = parquet.rows(tops), _field
        else:
            rows, column = JsonLinesTable(path).rows(), _field
        mapper = RowMapper(mapping, self.model, self.source_kind, self.options, column)
        return rows, mapper

    def _csv_columns(self, path: Path, header: list[str]) -> dict[str, int]:
        self._require(path, header)
        twice = sorted({c for c in self.mapping.columns if header.count(c) > 1})
        if twice:
            reason = f"the header names {', '.join(map(repr, twice))} more than once"
            raise UnreadableSource(path, f"{reason}; the mapping cannot tell which to read")
        return {name: header.index(name) for name in self.mapping.columns}

    def _require(self, path: Path, available: list[str]) -> None:
        have = set(available)
        missing = {c: line for c, line in self.mapping.columns.items() if c not in have}
        if missing:
            raise ColumnsMissing(path, self.mapping.path, missing, available)


def _position(index: dict[str, int], name: str) -> Getter:
    """A CSV column by its position in the header (rows are checked for width first)."""
    return itemgetter(index[name])


def _field(name: str) -> Getter:
    """A JSON or Parquet field by name; a dotted name walks into nested objects."""
    if "." not in name:
        return lambda row: row.get(name)
    parts = tuple(name.split("."))
    return lambda row: row[name] if name in row else _walk(row, parts)


def _walk(value: Any, parts: tuple[str, ...]) -> Any:
    for part in parts:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def mapping_connector(mapping_path: Path, options: ReadOptions) -> MappedTable:
    """The connector for one mapping file; MappingError names the line at fault."""
    return MappedTable.bind(load_mapping(mapping_path))(options=options)


def mapping_factory(mapping_path: Path) -> Callable[[Path, ReadOptions], MappedTable]:
    """For `ingest.pipeline` (`connector_for`): the mapping is loaded and checked once,
    now; each file's columns are checked before its batch is started."""
    connector_class = MappedTable.bind(load_mapping(mapping_path))

    def connector_for(path: Path, options: ReadOptions) -> MappedTable:
        connector = connector_class(options=options)
        connector.check(path)
        return connector

    return connector_for
