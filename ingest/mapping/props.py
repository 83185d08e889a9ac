"""Property sources: where one property's value comes from in a row, and how it is read.

A source is a column (or JSON field), a constant, or several columns joined. The value
then passes, in this order, through `empty_if`, `map`, `normalise: phone` and `format`;
the model's value type cleans the result. Each step that refuses a value raises
InvalidValue naming the property, so the row is quarantined with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache, partial
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from yaml.nodes import MappingNode, Node

from ingest.mapping.countries import country_code
from ingest.mapping.yamldoc import YamlDoc, line_of
from schemas.errors import InvalidValue
from schemas.model import NodeType, PropertySpec
from schemas.types import (
    CountryType,
    DateType,
    GeoType,
    ListType,
    PhoneType,
    TimestampType,
    ValueType,
    phone_e164,
)

SOURCE_KEYS = frozenset(
    {"column", "field", "value", "join", "separator", "format", "map", "default"}
    | {"normalise", "region", "empty_if"}
)
EPOCH_FORMATS = {"epoch": 1.0, "epoch_ms": 1000.0}
NORMALISERS: dict[str, type[ValueType]] = {"phone": PhoneType, "country": CountryType}
_SURROGATE = re.compile("[\ud800-\udfff]")
_SAMPLE_TIME = datetime(2024, 11, 23, 21, 4, 5, 678000, tzinfo=UTC)

Getter = Callable[[Any], Any]  # row -> value or None


@dataclass(frozen=True)
class PropSource:
    """How one property of one mapped node is filled from a row."""

    owner: str  # the node type, e.g. "Trip"
    prop: str
    spec: PropertySpec
    line: int
    columns: tuple[str, ...] = ()  # one column, or the parts of a join
    constant: Any = None
    separator: str = " "
    fmt: str | None = None
    table: dict[str, Any] | None = None
    default: tuple[Any, ...] = ()  # (value,) when `default` was given
    normalise: str | None = None  # "phone" or "country"
    region: str | None = None
    empty_if: re.Pattern[str] | None = field(default=None, compare=False)

    @property
    def qualified(self) -> str:
        return f"{self.owner}.{self.prop}"

    def describe(self) -> str:
        """Where the value came from, for a quarantine reason."""
        if not self.columns:
            return f"the constant on mapping line {self.line}"
        names = ", ".join(repr(c) for c in self.columns)
        plural = "s" if len(self.columns) > 1 else ""
        return f"column{plural} {names} (mapping line {self.line})"


def parse_source(
    doc: YamlDoc, node_type: NodeType, prop: str, node: Node, table_format: str
) -> PropSource:
    """Check one `prop: {…}` entry of a mapping against the model."""
    spec = node_type.properties[prop]
    what = f"{node_type.name}.{prop}"
    if not isinstance(node, MappingNode):
        raise doc.error(node, f"{what} must be a mapping", "write {column: NAME} or {value: X}")
    keys = doc.fields(node, what, SOURCE_KEYS)
    _check_type(doc, node, spec, what, table_format)
    base = PropSource(node_type.name, prop, spec, line_of(node))
    origins = [k for k in ("column", "field", "value", "join") if k in keys]
    if len(origins) != 1:
        found = f"keep one of {', '.join(origins)}" if origins else "add one"
        raise doc.error(node, f"{what} needs exactly one of column, field, value, join", found)
    if origins[0] == "value":
        return _constant(doc, base, keys, what)
    return _steps(doc, _columns(doc, base, keys, origins[0], what), keys, what)


def _check_type(doc: YamlDoc, node: Node, spec: PropertySpec, what: str, fmt: str) -> None:
    if isinstance(spec.value_type, GeoType):
        raise doc.error(node, f"{what} is a geo point, which mappings cannot fill yet")
    if isinstance(spec.value_type, ListType) and fmt == "csv":
        raise doc.error(node, f"{what} is a list, which a CSV column cannot fill")


def _constant(doc: YamlDoc, base: PropSource, keys: dict, what: str) -> PropSource:
    extra = sorted(set(keys) - {"value"})
    if extra:
        raise doc.error(keys[extra[0]][0], f"{what}: a constant value takes no `{extra[0]}`")
    value_node = keys["value"][1]
    value = doc.value(value_node, f"{what} value")
    _validate(doc, value_node, base.spec, what, value)
    return replace(base, constant=value)


def _columns(doc: YamlDoc, base: PropSource, keys: dict, origin: str, what: str) -> PropSource:
    value_node = keys[origin][1]
    if origin == "join":
        parts = doc.texts(value_node, f"{what} join")
        sep_node = keys.get("separator", (None, None))[1]
        separator = " " if sep_node is None else str(doc.scalar(sep_node, "separator"))
        columns = tuple(name for name, _ in parts)
        return replace(base, columns=columns, separator=separator)
    if "separator" in keys:
        raise doc.error(keys["separator"][0], f"{what}: `separator` belongs with `join`")
    column = doc.text(value_node, f"{what} {origin}")
    return replace(base, columns=(column,))


def _steps(doc: YamlDoc, source: PropSource, keys: dict, what: str) -> PropSource:
    changes: dict[str, Any] = {}
    if "empty_if" in keys:
        changes["empty_if"] = _pattern(doc, keys["empty_if"][1], what)
    if "map" in keys:
        changes["table"] = _table(doc, keys["map"][1], what)
        if "default" in keys:
            changes["default"] = (doc.value(keys["default"][1], f"{what} default"),)
    elif "default" in keys:
        raise doc.error(keys["default"][0], f"{what}: `default` belongs with `map`")
    if "normalise" in keys:
        changes.update(_normalise(doc, source.spec, keys, what))
    if "region" in keys and changes.get("normalise") != "phone":
        raise doc.error(keys["region"][0], f"{what}: `region` belongs with `normalise: phone`")
    if "format" in keys:
        changes["fmt"] = _format(doc, source.spec, keys["format"][1], what)
    source = replace(source, **changes)
    if source.table is not None and source.normalise is None and source.fmt is None:
        for value in (*source.table.values(), *source.default):
            if value is not None:
                _validate(doc, keys["map"][1], source.spec, what, value)
    return source


def _pattern(doc: YamlDoc, node: Node, what: str) -> re.Pattern[str]:
    text = doc.text(node, f"{what} empty_if")
    try:
        return re.compile(text)
    except re.error as exc:
        raise doc.error(node, f"{what} empty_if is not a regular expression ({exc})") from None


def _table(doc: YamlDoc, node: Node, what: str) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for key, (_, value_node) in doc.pairs(node, f"{what} map").items():
        table[key] = doc.value(value_node, f"{what} map value for {key!r}")
    if not table:
        raise doc.error(node, f"{what} map is empty")
    return table


def _normalise(doc: YamlDoc, spec: PropertySpec, keys: dict, what: str) -> dict[str, Any]:
    key_node, value_node = keys["normalise"]
    kind = doc.scalar(value_node, "normalise")
    if kind not in NORMALISERS:
        raise doc.error(value_node, f"{what}: unknown normaliser {kind!r}", "use phone or country")
    if not isinstance(spec.value_type, NORMALISERS[kind]):
        raise doc.error(key_node, f"{what} is not a {kind} property; remove `normalise`")
    if kind == "country":
        return {"normalise": kind}
    region = None
    if "region" in keys:
        region_node = keys["region"][1]
        region = doc.text(region_node, f"{what} region").upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise doc.error(region_node, f"{what}: unknown phone region {region!r}", "use NL, GB…")
    return {"normalise": kind, "region": region}


def _format(doc: YamlDoc, spec: PropertySpec, node: Node, what: str) -> str:
    if not isinstance(spec.value_type, TimestampType | DateType):
        raise doc.error(node, f"{what} is not a time or date; `format` applies to those only")
    fmt = doc.text(node, f"{what} format")
    if fmt in EPOCH_FORMATS:
        return fmt
    if "%" not in fmt:
        raise doc.error(node, f"{what}: format {fmt!r} has no % directive", _FORMAT_HELP)
    try:
        datetime.strptime(_SAMPLE_TIME.strftime(fmt), fmt)
    except ValueError as exc:
        raise doc.error(node, f"{what}: bad format {fmt!r} ({exc})", _FORMAT_HELP) from None
    return fmt


_FORMAT_HELP = "write a strptime format such as %Y-%m-%d %H:%M:%S, or epoch / epoch_ms"


def _validate(doc: YamlDoc, node: Node, spec: PropertySpec, what: str, value: Any) -> None:
    """Clean a constant now, so a typo is a mapping error and not a million rejections."""
    try:
        if isinstance(spec.value_type, TimestampType):
            spec.value_type.clean(what, value, timedelta(0))
        else:
            spec.value_type.clean(what, value)
    except InvalidValue as exc:
        raise doc.error(node, f"{what}: {exc.reason} (value {value!r})") from None


# Reading a value from a row -------------------------------------------------------------


def compile_source(
    source: PropSource,
    column: Callable[[str], Getter],
    region: str | None,
    zone: ZoneInfo | None,
) -> Getter:
    """A function from a row to this property's value (None when empty)."""
    if not source.columns:
        constant = source.constant
        return lambda row: constant
    name = source.qualified
    if len(source.columns) == 1:
        read = partial(_one, name, column(source.columns[0]))
    else:
        getters = tuple(column(c) for c in source.columns)
        read = partial(_joined, name, getters, source.separator)
    steps = _value_steps(source, region, zone)
    if not steps:
        return read
    return partial(_chain, read, steps)


def _value_steps(source: PropSource, region: str | None, zone: ZoneInfo | None) -> list[Getter]:
    name = source.qualified
    steps: list[Getter] = []
    if source.empty_if is not None:
        steps.append(partial(_blank, source.empty_if))
    if source.table is not None:
        steps.append(partial(_lookup, name, source.table, source.default))
    if source.normalise == "phone":
        steps.append(partial(phone_e164, name, region=source.region or region))
    elif source.normalise == "country":
        steps.append(partial(country_code, name))
    as_date = isinstance(source.spec.value_type, DateType)
    if source.fmt in EPOCH_FORMATS:
        steps.append(partial(_epoch, name, EPOCH_FORMATS[source.fmt], as_date))
    elif source.fmt is not None:
        steps.append(partial(_strptime, name, source.fmt, as_date))
    if zone is not None and isinstance(source.spec.value_type, TimestampType):
        steps.append(partial(_localise, name, zone))
    return steps


def _chain(read: Getter, steps: list[Getter], row: Any) -> Any:
    value = read(row)
    for step in steps:
        if value is None:
            return None
        value = step(value)
    return value


def _one(name: str, get: Getter, row: Any) -> Any:
    value = get(row)
    if value.__class__ is str and value.isascii():  # the common case, without a call
        return value.strip() or None
    return plain(name, value)


def plain(name: str, value: Any) -> Any:
    """A row value as the steps take it: stripped text or a typed value; None if empty."""
    if value.__class__ is str and value.isascii():  # the common case, cheaply
        return value.strip() or None
    if isinstance(value, str):
        value = value.strip()
        if not value.isascii() and _SURROGATE.search(value):
            shown = value.encode("utf-8", "replace").decode("utf-8")
            raise InvalidValue(name, shown, "text is not valid Unicode (bytes of another encoding)")
        return value or None
    if isinstance(value, dict):
        raise InvalidValue(name, value, "expected a single value, found an object")
    return value


def _joined(name: str, getters: tuple[Getter, ...], separator: str, row: Any) -> Any:
    parts = [plain(name, get(row)) for get in getters]
    text = separator.join(str(p) for p in parts if p is not None)
    return text or None


def _blank(pattern: re.Pattern[str], value: Any) -> Any:
    return None if pattern.fullmatch(str(value)) else value


def _lookup(name: str, table: dict[str, Any], default: tuple[Any, ...], value: Any) -> Any:
    try:
        return table[value if isinstance(value, str) else _as_written(value)]
    except KeyError:
        if default:
            return default[0]
        known = ", ".join(repr(k) for k in list(table)[:12])
        raise InvalidValue(name, value, f"not in the mapping's map table ({known})") from None


def _as_written(value: Any) -> str:
    """A typed value (JSON, Parquet) as text, to look it up in a `map` table."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _strptime(name: str, fmt: str, as_date: bool, value: Any) -> Any:
    if isinstance(value, date):  # already typed (Parquet, or a YAML date)
        return value
    try:
        parsed = _parse_time(str(value), fmt)
    except ValueError:
        raise InvalidValue(name, value, f"does not match the format {fmt!r}") from None
    return parsed.date() if as_date else parsed


@lru_cache(maxsize=1 << 16)  # times and dates recur (one departure, many passengers)
def _parse_time(text: str, fmt: str) -> datetime:
    return datetime.strptime(text, fmt)


def _epoch(name: str, scale: float, as_date: bool, value: Any) -> Any:
    if isinstance(value, date):
        return value
    unit = "milliseconds" if scale > 1 else "seconds"
    if isinstance(value, bool):
        raise InvalidValue(name, value, f"expected epoch {unit}")
    try:
        parsed = datetime.fromtimestamp(float(value) / scale, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise InvalidValue(name, value, f"expected epoch {unit}") from None
    return parsed.date() if as_date else parsed


def _localise(name: str, zone: ZoneInfo, value: Any) -> Any:
    """A wall-clock time in the mapping's zone, with the offset that applied then."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value  # the model refuses it with its own reason
    if not isinstance(value, datetime) or value.tzinfo is not None:
        return value
    offset = value.replace(tzinfo=zone).utcoffset()
    if offset != value.replace(tzinfo=zone, fold=1).utcoffset() or offset is None:
        reason = f"this local time is skipped or repeated in {zone.key} (clock change)"
        raise InvalidValue(name, value.isoformat(sep=" "), reason)
    return value.replace(tzinfo=timezone(offset))
