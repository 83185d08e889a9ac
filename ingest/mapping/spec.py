"""A mapping file, parsed and checked against the model before any row is read.

Every check names the line of the mapping it is about: unknown types, properties,
relationships and link ends, links the model does not allow between two types,
unknown keys, bad formats and patterns, constants the value types refuse, and required
properties left unmapped.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from yaml.nodes import Node

from ingest.mapping.errors import MappingError
from ingest.mapping.props import PropSource, parse_source
from ingest.mapping.yamldoc import YamlDoc, choices, line_of
from schemas.model import Model, NodeKind, default_model

TableFormat = Literal["csv", "jsonl", "parquet"]
FORMATS: tuple[TableFormat, ...] = ("csv", "jsonl", "parquet")
TOP_KEYS = frozenset(
    {"name", "description", "format", "csv", "columns", "timezone", "key"}
    | {"entities", "events", "links"}
)
CSV_KEYS = frozenset({"delimiter", "quotechar", "encoding", "header"})
NODE_KEYS = frozenset({"type", "properties"})
LINK_KEYS = frozenset({"type", "from", "to"})
_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]*")
_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})")


@dataclass(frozen=True)
class CsvDialect:
    delimiter: str = ","
    quotechar: str = '"'
    encoding: str = "utf-8"
    header: bool = True
    columns: tuple[str, ...] = ()  # the column order when there is no header row


@dataclass(frozen=True)
class NodeMap:
    """One entity or event a row asserts, under its name in the mapping (its handle)."""

    handle: str
    type_name: str
    kind: NodeKind
    sources: tuple[PropSource, ...]
    line: int


@dataclass(frozen=True)
class LinkMap:
    rel: str
    source: str  # handles
    target: str
    line: int


@dataclass(frozen=True)
class Mapping:
    path: Path
    name: str
    table_format: TableFormat
    csv: CsvDialect
    timezone: timedelta | ZoneInfo | None
    key: tuple[str, ...]
    entities: tuple[NodeMap, ...]
    events: tuple[NodeMap, ...]
    links: tuple[LinkMap, ...]
    digest: str  # short hash of the file's bytes: a changed mapping is a new version
    columns: dict[str, int]  # every column (or field) named -> first line naming it
    description: str = ""


def load_mapping(path: Path, model: Model | None = None) -> Mapping:
    """Parse and check a mapping file; raises MappingError naming the line at fault."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        problem = f"cannot read the mapping ({exc.strerror})"
        raise MappingError(path, 0, problem, "check the path") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MappingError(path, 0, f"the mapping is not UTF-8 ({exc.reason})") from None
    digest = hashlib.sha256(data).hexdigest()[:12]
    return _Loader(YamlDoc(path, text), model or default_model()).mapping(digest)


class _Loader:
    def __init__(self, doc: YamlDoc, model: Model) -> None:
        self.doc = doc
        self.model = model
        self.columns: dict[str, int] = {}
        self.handles: dict[str, NodeMap] = {}
        self.table_format: TableFormat = "csv"
        self.dialect = CsvDialect()

    def mapping(self, digest: str) -> Mapping:
        doc = self.doc
        top = doc.fields(doc.root, "the mapping", TOP_KEYS, required=("name", "format"))
        name = self._name(top["name"][1])
        self.table_format = self._format(top["format"][1])
        self.dialect = self._dialect(top)
        entities = self._nodes(top, "entities", "entity")
        events = self._nodes(top, "events", "event")
        if not entities and not events:
            raise doc.error(doc.root, "the mapping declares no entities and no events")
        return Mapping(
            path=doc.path,
            name=name,
            table_format=self.table_format,
            csv=self.dialect,
            timezone=self._timezone(top.get("timezone")),
            key=self._key(top.get("key"), bool(events)),
            entities=entities,
            events=events,
            links=self._links(top.get("links")),
            digest=digest,
            columns=dict(self.columns),
            description=str(doc.scalar(top["description"][1], "description"))
            if "description" in top
            else "",
        )

    def _name(self, node: Node) -> str:
        name = self.doc.text(node, "name")
        if not _NAME.fullmatch(name):
            fix = "use lower-case letters, digits, '-', '_' or '.', e.g. passenger-manifest"
            raise self.doc.error(node, f"name {name!r} is not a plain identifier", fix)
        return name

    def _format(self, node: Node) -> TableFormat:
        value = self.doc.text(node, "format")
        for known in FORMATS:
            if value == known:
                return known
        raise self.doc.error(node, f"unknown format {value!r}", f"use one of {', '.join(FORMATS)}")

    def _dialect(self, top: dict[str, tuple[Node, Node]]) -> CsvDialect:
        doc = self.doc
        if self.table_format != "csv":
            for key in ("csv", "columns"):
                if key in top:
                    raise doc.error(top[key][0], f"`{key}` is for format csv only", "remove it")
            return CsvDialect()
        options = doc.fields(top["csv"][1], "csv", CSV_KEYS) if "csv" in top else {}
        header = doc.flag(options["header"][1], "csv header") if "header" in options else True
        columns: tuple[str, ...] = ()
        if "columns" in top:
            if header:
                fix = "set `csv: {header: false}` when the file has no header row"
                raise doc.error(top["columns"][0], "`columns` names the columns of a file", fix)
            columns = tuple(c for c, _ in doc.texts(top["columns"][1], "columns"))
        elif not header:
            raise doc.error(options["header"][1], "a file without a header needs `columns`")
        return CsvDialect(
            delimiter=self._char(options, "delimiter", ","),
            quotechar=self._char(options, "quotechar", '"'),
            encoding=self._encoding(options),
            header=header,
            columns=columns,
        )

    def _char(self, options: dict[str, tuple[Node, Node]], key: str, default: str) -> str:
        if key not in options:
            return default
        node = options[key][1]
        value = self.doc.scalar(node, f"csv {key}")
        if not isinstance(value, str) or len(value) != 1 or value in "\r\n":
            raise self.doc.error(node, f"csv {key} must be one character, found {value!r}")
        return value

    def _encoding(self, options: dict[str, tuple[Node, Node]]) -> str:
        if "encoding" not in options:
            return "utf-8"
        node = options["encoding"][1]
        name = self.doc.text(node, "csv encoding")
        try:
            codec = codecs.lookup(name).name
            ascii_lines = '\n,;"\t'.encode(codec) == b'\n,;"\t'
        except LookupError:
            fix = "use e.g. utf-8 or cp1252"
            raise self.doc.error(node, f"unknown encoding {name!r}", fix) from None
        if not ascii_lines:
            fix = "convert the file to UTF-8 first (iconv -f UTF-16 -t UTF-8)"
            raise self.doc.error(node, f"encoding {name!r} cannot be read line by line", fix)
        return codec

    def _timezone(self, pair: tuple[Node, Node] | None) -> timedelta | ZoneInfo | None:
        if pair is None:
            return None
        node = pair[1]
        text = self.doc.text(node, "timezone").strip()
        if text in ("Z", "UTC"):
            return timedelta(0)
        match = _OFFSET.fullmatch(text)
        if match:
            sign, hours, minutes = match.groups()
            if int(hours) > 23 or int(minutes) > 59:
                raise self.doc.error(node, f"timezone {text!r} is not an offset")
            offset = timedelta(hours=int(hours), minutes=int(minutes))
            return -offset if sign == "-" else offset
        try:
            return ZoneInfo(text)
        except (ZoneInfoNotFoundError, ValueError):
            fix = "write an offset such as +01:00, or a zone name such as Europe/Amsterdam"
            raise self.doc.error(node, f"unknown timezone {text!r}", fix) from None

    def _nodes(
        self, top: dict[str, tuple[Node, Node]], section: str, kind: NodeKind
    ) -> tuple[NodeMap, ...]:
        if section not in top:
            return ()
        found = []
        for handle, (key_node, value_node) in self.doc.pairs(top[section][1], section).items():
            if handle in self.handles:
                first = self.handles[handle].line
                raise self.doc.error(key_node, f"{handle!r} is already declared on line {first}")
            node_map = self._node(handle, key_node, value_node, kind)
            self.handles[handle] = node_map
            found.append(node_map)
        return tuple(found)

    def _node(self, handle: str, key_node: Node, node: Node, kind: NodeKind) -> NodeMap:
        doc = self.doc
        what = f"{kind} {handle!r}"
        fields = doc.fields(node, what, NODE_KEYS, required=("type", "properties"))
        type_node = fields["type"][1]
        type_name = doc.text(type_node, f"{what} type")
        node_type = self.model.node_types.get(type_name)
        if node_type is None or node_type.kind != kind:
            raise doc.error(type_node, self._type_problem(type_name, kind))
        props_node = fields["properties"][1]
        sources = []
        for prop, (prop_key, prop_value) in doc.pairs(props_node, f"{what} properties").items():
            if prop not in node_type.properties:
                fix = choices(prop, node_type.properties, "properties")
                raise doc.error(prop_key, f"{type_name} has no property {prop!r}", fix)
            source = parse_source(doc, node_type, prop, prop_value, self.table_format)
            sources.append(source)
            for column in source.columns:
                self._column(column, prop_value)
        mapped = {s.prop for s in sources}
        missing = [p for p, s in node_type.properties.items() if s.required and p not in mapped]
        if missing:
            fix = f"add `{missing[0]}: {{column: …}}` or `{missing[0]}: {{value: …}}`"
            problem = f"{type_name} requires {', '.join(missing)}"
            raise doc.error(fields["properties"][0], problem, fix)
        return NodeMap(handle, type_name, kind, tuple(sources), line_of(key_node))

    def _type_problem(self, type_name: str, kind: NodeKind) -> str:
        node_type = self.model.node_types.get(type_name)
        if node_type is not None:
            section = "entities" if node_type.kind == "entity" else "events"
            return f"{type_name} is an {node_type.kind} type; declare it under `{section}`"
        names = sorted(t.name for t in self.model.node_types.values() if t.kind == kind)
        return f"unknown {kind} type {type_name!r}; the model has {', '.join(names)}"

    def _column(self, column: str, node: Node) -> None:
        dialect = self.dialect
        if self.table_format == "csv" and not dialect.header and column not in dialect.columns:
            known = ", ".join(dialect.columns)
            raise self.doc.error(node, f"column {column!r} is not in `columns` ({known})")
        self.columns.setdefault(column, line_of(node))

    def _key(self, pair: tuple[Node, Node] | None, has_events: bool) -> tuple[str, ...]:
        if pair is None:
            if has_events:
                fix = "add `key: [COLUMN, …]` naming the columns that identify a row"
                raise self.doc.error(self.doc.root, "a mapping with events needs a `key`", fix)
            return ()
        key_node, value_node = pair
        if not has_events:
            raise self.doc.error(key_node, "`key` identifies events; this mapping has none")
        columns = self.doc.texts(value_node, "key")
        for column, node in columns:
            self._column(column, node)
        return tuple(c for c, _ in columns)

    def _links(self, pair: tuple[Node, Node] | None) -> tuple[LinkMap, ...]:
        if pair is None:
            return ()
        return tuple(self._link(item) for item in self.doc.items(pair[1], "links"))

    def _link(self, node: Node) -> LinkMap:
        doc = self.doc
        fields = doc.fields(node, "a link", LINK_KEYS, required=("type", "from", "to"))
        rel_node = fields["type"][1]
        rel_name = doc.text(rel_node, "link type")
        rel = self.model.rel_types.get(rel_name)
        if rel is None:
            fix = choices(rel_name, self.model.rel_types, "relationships")
            raise doc.error(rel_node, f"unknown relationship {rel_name!r}", fix)
        ends = []
        for end, allowed in (("from", rel.sources), ("to", rel.targets)):
            end_node = fields[end][1]
            handle = doc.text(end_node, f"link {end}")
            target = self.handles.get(handle)
            if target is None:
                fix = choices(handle, self.handles, "declared")
                problem = f"link {end} {handle!r}: no entity or event has that name"
                raise doc.error(end_node, problem, fix)
            if target.type_name not in allowed:
                problem = f"{rel_name} cannot go {end} {handle!r}, a {target.type_name}"
                fix = f"{rel_name} links {_arrow(rel.sources, rel.targets)}"
                raise doc.error(end_node, problem, fix)
            ends.append(handle)
        return LinkMap(rel_name, ends[0], ends[1], line_of(node))


def _arrow(sources: tuple[str, ...], targets: tuple[str, ...]) -> str:
    return f"{' | '.join(sources)} -> {' | '.join(targets)}"
