"""Rows out of CSV, JSON lines and Parquet files, each with its locator and raw text.

A row that cannot be read (bytes not in the declared encoding, broken quoting, the
wrong number of fields, a JSON line that is not an object) comes back with the problem
instead of values, so the connector quarantines that row and reads on.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import pyarrow as pa
import pyarrow.parquet as pq

from ingest.errors import UnreadableSource
from ingest.jsonstream import JsonDamage, LineCounter, json_items
from ingest.mapping.spec import CsvDialect
from ingest.records import excerpt

PARQUET_BATCH = 8192
BLOCK = 1 << 20
MAX_LINE_BYTES = 64 << 20  # a longer "line" is cut, rather than read into memory whole


@dataclass(frozen=True, slots=True)
class Row:
    locator: str
    raw: str
    values: Any  # list of CSV fields, or a dict; None when `problem` says why not
    problem: str = ""


class _Lines:
    """Feeds csv.reader one decoded physical line at a time; remembers the text of the
    current record and the first line of it that was not in the declared encoding.

    Blocks of whole lines are decoded at once; only a block that fails to decode is
    decoded again line by line, so that exactly the bad lines are found."""

    def __init__(self, fp: IO[bytes], encoding: str) -> None:
        self.fp = fp
        self.encoding = encoding
        self.line = 0
        self.parts: list[str] = []
        self.bad = ""

    def __iter__(self) -> Iterator[str]:
        return self._lines()

    def _lines(self) -> Iterator[str]:
        for block in self._blocks():
            try:
                pieces = block.decode(self.encoding).split("\n")
            except UnicodeDecodeError:
                yield from self._checked(block.split(b"\n"))
            else:
                yield from self._decoded(pieces)

    def _decoded(self, pieces: list[str]) -> Iterator[str]:
        parts = self.parts
        last = pieces.pop()  # the text after the block's last newline, if any
        for piece in pieces:
            self.line += 1
            parts.append(piece + "\n")
            yield parts[-1]
        if last:
            self.line += 1
            parts.append(last)
            yield last

    def _checked(self, pieces: list[bytes]) -> Iterator[str]:
        """A block with undecodable bytes, line by line, noting the first bad line."""
        last = len(pieces) - 1
        for index, data in enumerate(pieces):
            if index == last and not data:
                return
            text = self._decode(data) + ("\n" if index < last else "")
            self.line += 1
            self.parts.append(text)
            yield text

    def _blocks(self) -> Iterator[bytes]:
        """The file in blocks that end at a newline (the last one may not)."""
        rest = b""
        chunk = self.fp.read(BLOCK).removeprefix(b"\xef\xbb\xbf")
        while chunk:
            data = rest + chunk
            cut = data.rfind(b"\n") + 1
            if cut == 0 and len(data) > MAX_LINE_BYTES:
                cut = len(data)
            if cut:
                yield data[:cut]
            rest = data[cut:]
            chunk = self.fp.read(BLOCK)
        if rest:
            yield rest

    def _decode(self, data: bytes) -> str:
        try:
            return data.decode(self.encoding)
        except UnicodeDecodeError as exc:
            if not self.bad:  # the line about to be handed to csv.reader
                self.bad = (
                    f"line {self.line + 1} is not valid {self.encoding} "
                    f"(byte {data[exc.start]:#04x} at position {exc.start + 1}); "
                    "check the mapping's csv encoding"
                )
            return data.decode(self.encoding, errors="replace")

    def take(self) -> tuple[str, str]:
        """The raw text of the record just read, and its decoding problem if any."""
        parts = self.parts
        raw = parts[0] if len(parts) == 1 else "".join(parts)
        parts.clear()
        bad, self.bad = self.bad, ""
        return raw, bad


class CsvTable:
    def __init__(self, path: Path, dialect: CsvDialect) -> None:
        self.path = path
        self.dialect = dialect

    def _reader(self, lines: _Lines) -> Iterator[list[str]]:
        d = self.dialect
        return csv.reader(lines, delimiter=d.delimiter, quotechar=d.quotechar, strict=True)

    def header(self) -> list[str]:
        """The column names: the first row, or the mapping's `columns` without a header."""
        if not self.dialect.header:
            return list(self.dialect.columns)
        with self.path.open("rb") as fp:
            lines = _Lines(fp, self.dialect.encoding)
            try:
                first = next(self._reader(lines), [])
            except csv.Error as exc:
                reason = f"the header row is not valid CSV ({exc})"
                raise UnreadableSource(self.path, reason) from None
            if lines.bad:
                raise UnreadableSource(self.path, f"the header row: {lines.bad}")
        return [name.strip() for name in first]

    def rows(self) -> Iterator[Row]:
        """Every record after the header; blank lines are not records."""
        width = len(self.header())
        with self.path.open("rb") as fp:
            lines = _Lines(fp, self.dialect.encoding)
            reader = self._reader(lines)
            if self.dialect.header:
                next(reader, None)
                lines.take()
            while True:
                start = lines.line + 1
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raw, bad = lines.take()
                    yield self._row(start, raw, None, bad or f"not valid CSV ({exc})")
                    if lines.line < start:  # nothing consumed: do not loop on it
                        return
                    continue
                raw, bad = lines.take()
                if fields:
                    yield self._row(start, raw, fields, bad or self._width(fields, width))

    def _width(self, fields: list[str], width: int) -> str:
        if len(fields) == width:
            return ""
        where = "the header has" if self.dialect.header else "the mapping's `columns` name"
        return f"the row has {len(fields)} fields where {where} {width}"

    def _row(self, line: int, raw: str, fields: list[str] | None, problem: str) -> Row:
        locator = f"{self.path}:line {line}"
        if problem:
            return Row(locator, excerpt(raw), None, problem)
        return Row(locator, raw, fields)


class JsonLinesTable:
    def __init__(self, path: Path) -> None:
        self.path = path

    def rows(self) -> Iterator[Row]:
        # Undecodable bytes become lone surrogates, so one bad line quarantines that line
        # only; `props.plain` refuses such text wherever a value is read.
        with self.path.open(encoding="utf-8", errors="surrogateescape", newline="") as fp:
            lines = LineCounter(fp)
            for item in json_items(cast(IO[str], lines)):
                locator = f"{self.path}:line {lines.line_of(item.offset)}"
                raw = _printable(item.raw)
                if isinstance(item, JsonDamage):
                    yield Row(locator, excerpt(raw), None, item.reason)
                elif not isinstance(item.value, dict):
                    shown = type(item.value).__name__
                    yield Row(locator, excerpt(raw), None, f"expected a JSON object, found {shown}")
                elif raw is not item.raw:
                    yield Row(locator, excerpt(raw), None, "the line is not valid UTF-8")
                else:
                    yield Row(locator, raw, item.value)


def _printable(text: str) -> str:
    """The text itself, or (when it holds undecodable bytes) a copy that can be stored."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


class ParquetTable:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _open(self) -> pq.ParquetFile:
        try:
            return pq.ParquetFile(self.path)
        except (pa.ArrowException, OSError) as exc:
            raise UnreadableSource(self.path, f"not a readable Parquet file ({exc})") from None

    def fields(self) -> list[str]:
        """Every field path of the schema, nested struct fields as `a.b`."""
        found: list[str] = []
        _field_paths(self._open().schema_arrow, "", found)
        return found

    def top_level(self) -> list[str]:
        return list(self._open().schema_arrow.names)

    def rows(self, columns: list[str]) -> Iterator[Row]:
        parquet = self._open()
        index = 0
        try:
            for batch in parquet.iter_batches(batch_size=PARQUET_BATCH, columns=columns):
                for values in batch.to_pylist():
                    raw = json.dumps(values, default=str, ensure_ascii=False)
                    yield Row(f"{self.path}#row[{index}]", raw, values)
                    index += 1
        except (pa.ArrowException, OSError) as exc:
            reason = f"damaged Parquet data ({exc}); rest of file unread"
            yield Row(f"{self.path}#row[{index}]", "", None, reason[:300])


def _field_paths(fields: Any, prefix: str, found: list[str]) -> None:
    for field in fields:
        name = prefix + field.name
        found.append(name)
        if pa.types.is_struct(field.type):
            _field_paths(field.type, name + ".", found)
