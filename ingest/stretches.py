"""Stretches: a big file cut where records start, so that workers read it side by side.

A connector that can find its record boundaries cheaply (a JSON object opening a line in
JSON lines) offers `stretches`; each stretch is read on its own and the parts come back
in order. Cutting only guesses at the boundaries: a stretch that turns out not to hold
whole records (damage, or a value that spans the cut) raises `StretchMisaligned`, and
the file is read whole instead, so the result never depends on where it was cut.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

# Big enough that a worker's part repays its trip between processes, small enough that
# a few parts in flight stay a few tens of megabytes.
STRETCH_BYTES = 8 << 20
_BLOCK = 1 << 20


@dataclass(frozen=True)
class Stretch:
    start: int  # byte offset where the stretch's first record starts
    end: int  # byte offset just past its last record
    first_line: int  # 1-based line number of `start`
    first_record: int = 0  # markers before `start`: the index of its first record
    records: int = -1  # markers in the stretch: the records it must hold (-1: not counted)


class StretchMisaligned(Exception):
    """A stretch held something other than whole records; read the file whole instead."""


def line_stretches(path: Path, lead: bytes) -> list[Stretch] | None:
    """Cut a file whose records each begin a line with `lead` (b"{" for JSON objects one
    a line) into stretches of about STRETCH_BYTES, counting lines on the way; None when
    the file is too small to be worth cutting."""
    return _stretches(path, b"\n" + lead, 1)


def marker_stretches(
    path: Path, marker: bytes, skip: int = 0, unmarked: int = 0
) -> list[Stretch] | None:
    """Cut a file whose records each begin `skip` bytes into an occurrence of `marker`
    (an alert at its XML declaration: 0; an array element at the "{" after the end of
    the one before and a comma) there, counting the records that start before and in
    each stretch: the reader checks that it found exactly that many. `unmarked` records
    open the file without a marker (the first array element, after "[")."""
    found = _stretches(path, marker, skip, count=marker)
    if found is None or not unmarked:
        return found
    first, *rest = found
    return [
        dataclasses.replace(first, records=first.records + unmarked),
        *(dataclasses.replace(s, first_record=s.first_record + unmarked) for s in rest),
    ]


def _stretches(
    path: Path, marker: bytes, skip: int, count: bytes | None = None
) -> list[Stretch] | None:
    """Stretches cut `skip` bytes into occurrences of `marker`, with their first line and
    (given `count`) the occurrences of `count` before and in each."""
    size, target = path.stat().st_size, STRETCH_BYTES
    if size < 2 * target:
        return None
    cuts = [0]
    with path.open("rb") as fp:
        while (found := _find(fp, cuts[-1] + target, marker)) is not None:
            if size - (found + skip) < target // 2:
                break  # no short tail stretch: it would cost a trip for little work
            cuts.append(found + skip)
        cuts.append(size)
        stretches, line, before = [], 1, 0
        for start, end in itertools.pairwise(cuts):
            # A record starting in the stretch has its marker begin up to `skip` before.
            inside = _count(fp, max(0, start - skip), end, count) if count else -1
            stretches.append(Stretch(start, end, line, before, inside))
            line += _count(fp, start, end, b"\n")
            before += max(inside, 0)
    return stretches if len(stretches) > 1 else None


def _find(fp: IO[bytes], offset: int, needle: bytes) -> int | None:
    """The first offset at or after `offset` where `needle` starts."""
    fp.seek(offset)
    base, carry = offset, b""
    while block := fp.read(_BLOCK):
        data = carry + block
        found = data.find(needle)
        if found >= 0:
            return base - len(carry) + found
        carry = data[-(len(needle) - 1) :] if len(needle) > 1 else b""
        base += len(block)
    return None


def _count(fp: IO[bytes], start: int, end: int, needle: bytes) -> int:
    """Occurrences of `needle` that lie within [start, end) (those across a block
    boundary too: each block is searched with the tail of the one before)."""
    fp.seek(start)
    total, left, carry = 0, end - start, b""
    while left > 0 and (block := fp.read(min(left, _BLOCK))):
        data = carry + block
        total += data.count(needle)
        carry = data[-(len(needle) - 1) :] if len(needle) > 1 else b""
        left -= len(block)
    return total


class _Window(io.RawIOBase):
    """The bytes [start, end) of a file, as a stream of their own; closing it closes the
    file."""

    def __init__(self, path: Path, start: int, end: int) -> None:
        super().__init__()
        self.fp = path.open("rb", buffering=0)
        self.fp.seek(start)
        self.left = end - start

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.left <= 0:
            return 0
        view = memoryview(buffer)[: min(len(buffer), self.left)]
        got = self.fp.readinto(view) or 0
        self.left -= got
        return got

    def close(self) -> None:
        self.fp.close()
        super().close()


def open_stretch_bytes(path: Path, stretch: Stretch) -> IO[bytes]:
    return io.BufferedReader(_Window(path, stretch.start, stretch.end), _BLOCK)


def open_stretch(path: Path, stretch: Stretch) -> IO[str]:
    """The stretch as text. Undecodable bytes become lone surrogates, as for whole files."""
    window = open_stretch_bytes(path, stretch)
    return io.TextIOWrapper(window, encoding="utf-8", errors="surrogateescape", newline="")
