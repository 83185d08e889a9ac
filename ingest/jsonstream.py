"""Stream JSON values out of files of any size without loading them whole.

Handles the three shapes exports come in: one top-level array (streamed element by
element), JSON lines, and concatenated objects. Parsing uses the C scanner of the
standard library (`raw_decode`) on a sliding text buffer, so memory stays bounded by
the largest single element, not the file.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import orjson

from ingest.stretches import Stretch, StretchMisaligned, open_stretch

CHUNK = 1 << 20
# One element may not exceed this; past it a parse error is final instead of reading on,
# so a damaged multi-gigabyte file never gets pulled into memory whole.
MAX_ELEMENT_CHARS = 64 << 20
_WHITESPACE = " \t\n\r"
_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class JsonItem:
    index: int  # position in the array or line sequence
    offset: int  # character offset of the value in the file
    value: Any
    raw: str


@dataclass(frozen=True)
class JsonDamage:
    """A part of the file that is not valid JSON; the rest of the file may still be read."""

    index: int
    offset: int
    reason: str
    raw: str


class _Buffer:
    """A text window over the file that refills on demand."""

    def __init__(self, fp: IO[str]) -> None:
        self.fp = fp
        self.text = ""
        self.pos = 0
        self.base = 0  # file offset of text[0]
        self.eof = False

    def fill(self) -> bool:
        if self.eof:
            return False
        chunk = self.fp.read(CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.text = self.text[self.pos :] + chunk
        self.base += self.pos
        self.pos = 0
        return True

    def skip(self, chars: str) -> str:
        """Skip characters in `chars`; return the next character or '' at end of file."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in chars:
                self.pos += 1
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.fill():
                return ""

    def decode(self) -> tuple[Any, str]:
        """Decode one value at the cursor, reading more text until it is complete."""
        fast = self._decode_fast()
        if fast is not None:
            return fast
        while True:
            try:
                value, end = _DECODER.raw_decode(self.text, self.pos)
            except json.JSONDecodeError:
                if len(self.text) - self.pos < MAX_ELEMENT_CHARS and self.fill():
                    continue
                raise
            if end == len(self.text) and not self.eof and self.fill():
                continue  # a number at the buffer's edge may continue in the next chunk
            raw = self.text[self.pos : end]
            self.pos = end
            return value, raw

    def _decode_fast(self) -> tuple[Any, str] | None:
        """The object or array at the cursor parsed by orjson (faster than the standard
        scanner) when it is the rest of its line (JSON lines, one element a line). A JSON
        object or array ends at one place only, so a line that parses whole is exactly
        the value; anything else (pretty-printed values, several on a line, text orjson
        refuses, a line past the buffer) returns None and the standard scanner decides,
        with its own error messages."""
        text, pos = self.text, self.pos
        close = _CLOSE.get(text[pos : pos + 1])
        if close is None:
            return None
        newline = text.find("\n", pos)
        if newline < 0:
            return None
        raw = text[pos:newline].rstrip().removesuffix(",").rstrip()
        if raw[-1:] != close:
            return None
        end = pos + len(raw)
        try:
            data = raw.encode("utf-8")  # lone surrogates (undecodable bytes) refuse here
            digits = data.translate(_DIGITS)
            if _LONG_INT in digits or _LONG_NEGATIVE in digits:
                return None
            value = orjson.loads(data)
        except (UnicodeEncodeError, orjson.JSONDecodeError):
            return None
        self.pos = end
        return value, raw


_CLOSE = {"{": "}", "[": "]"}
# orjson reads integers beyond 64 bits as floats where json keeps them exact: text with a
# run of digits that could be one (20 digits, or 19 after a minus) goes to the standard
# scanner. Checked on the bytes with every digit mapped to "0" (a regex is far slower).
_DIGITS = bytes(48 if 48 <= c <= 57 else c if c == ord("-") else 32 for c in range(256))
_LONG_INT = b"0" * 20
_LONG_NEGATIVE = b"-" + b"0" * 19


def iter_json(fp: IO[str]) -> Iterator[JsonItem | JsonDamage]:
    """Yield the elements of a top-level array, or each value of JSON lines."""
    buf = _Buffer(fp)
    first = buf.skip(_WHITESPACE + "\ufeff")
    if first == "[":
        buf.pos += 1
        yield from _array_items(buf)
    elif first:
        yield from _sequence_items(buf)


def _array_items(buf: _Buffer) -> Iterator[JsonItem | JsonDamage]:
    index = 0
    while True:
        nxt = buf.skip(_WHITESPACE + ",")
        if nxt == "]":
            buf.pos += 1
            yield from _after_array(buf, index)
            return
        if not nxt:
            yield JsonDamage(index, buf.base + buf.pos, "file ends inside the JSON array", "")
            return
        offset = buf.base + buf.pos
        try:
            value, raw = buf.decode()
        except json.JSONDecodeError as exc:
            tail = buf.text[buf.pos : buf.pos + 200]
            yield JsonDamage(index, offset, f"invalid JSON ({exc.msg}); rest of array unread", tail)
            return
        yield JsonItem(index, offset, value, raw)
        index += 1


def _after_array(buf: _Buffer, index: int) -> Iterator[JsonDamage]:
    """Anything but whitespace after the closing bracket (a second response appended to
    the file, say) is reported, never left unread in silence."""
    if buf.skip(_WHITESPACE):
        offset = buf.base + buf.pos
        rest = buf.text[buf.pos : buf.pos + 200]
        reason = "content after the end of the JSON array (another response appended?)"
        yield JsonDamage(index, offset, reason, rest)


def _sequence_items(buf: _Buffer) -> Iterator[JsonItem | JsonDamage]:
    """JSON lines or concatenated values; a bad line is reported and reading resumes."""
    index = 0
    while buf.skip(_WHITESPACE):
        offset = buf.base + buf.pos
        try:
            value, raw = buf.decode()
        except json.JSONDecodeError as exc:
            yield JsonDamage(index, offset, f"invalid JSON ({exc.msg})", _skip_line(buf))
        else:
            yield JsonItem(index, offset, value, raw)
        index += 1


def _skip_line(buf: _Buffer) -> str:
    start = buf.pos
    while True:
        newline = buf.text.find("\n", buf.pos)
        if newline >= 0:
            raw = buf.text[start:newline]
            buf.pos = newline + 1
            return raw[:200]
        buf.pos = len(buf.text)
        if not buf.fill():
            return buf.text[:200]
        start = 0


def json_items(fp: IO[str]) -> Iterator[JsonItem | JsonDamage]:
    """`iter_json`, with the errors it lets through (bytes that are not UTF-8, nesting
    too deep for the decoder, a number too long to convert) as a final JsonDamage."""
    index = offset = 0
    try:
        for item in iter_json(fp):
            if isinstance(item, JsonItem):
                index, offset = item.index + 1, item.offset + len(item.raw)
            yield item
    except (ValueError, RecursionError) as exc:
        reason = f"unreadable JSON ({type(exc).__name__}: {exc}); rest of file unread"
        yield JsonDamage(index, offset, reason[:300], "")


class LineCounter:
    """Reads text for `iter_json` and remembers where lines break, so that the
    character offsets it reports become line numbers; memory stays one chunk's lines."""

    def __init__(self, fp: IO[str], first_line: int = 1) -> None:
        self.fp = fp
        self.chars = 0  # characters handed out so far
        self.breaks: deque[int] = deque()  # offsets of newlines not yet passed
        self.line = first_line

    def read(self, size: int = -1) -> str:
        chunk = self.fp.read(size)
        pos = chunk.find("\n")
        while pos >= 0:
            self.breaks.append(self.chars + pos)
            pos = chunk.find("\n", pos + 1)
        self.chars += len(chunk)
        return chunk

    def line_of(self, offset: int) -> int:
        """The 1-based line of a character offset; offsets must not decrease."""
        while self.breaks and self.breaks[0] < offset:
            self.breaks.popleft()
            self.line += 1
        return self.line


def read_json(path: Path, count_lines: bool = True) -> Iterator[tuple[JsonItem | JsonDamage, int]]:
    """The values of a JSON file (array elements, or JSON lines) with the line each
    starts on (0 without `count_lines`), streamed. Bytes that are not UTF-8 are read as
    lone surrogates, so they quarantine the record they are in (see `guarded`) instead
    of ending the read of the whole file."""
    with path.open(encoding="utf-8", errors="surrogateescape", newline="") as fp:
        yield from _with_lines(fp, 1 if count_lines else None)


def read_json_stretch(path: Path, stretch: Stretch) -> Iterator[tuple[JsonItem, int]]:
    """The values of one stretch of JSON lines with their line numbers in the file. Any
    damage raises StretchMisaligned: a cut inside a value looks just like damage, and the
    caller reads the file whole instead (which reports real damage as it always does)."""
    with open_stretch(path, stretch) as fp:
        for item, line in _with_lines(fp, stretch.first_line):
            if isinstance(item, JsonDamage):
                raise StretchMisaligned(f"{path}: line {line}: {item.reason}")
            yield item, line


def _with_lines(fp: IO[str], first_line: int | None) -> Iterator[tuple[JsonItem | JsonDamage, int]]:
    lines = LineCounter(fp, first_line) if first_line is not None else None
    for item in json_items(cast(IO[str], lines or fp)):
        yield item, lines.line_of(item.offset) if lines else 0
