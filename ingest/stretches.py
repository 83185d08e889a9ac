"""Stretches: a big file cut where records start, so that workers read it side by side.

A connector that can find its record boundaries cheaply (a JSON object opening a line in
JSON lines) offers `stretches`; each stretch is read on its own and the parts come back
in order. Cutting only guesses at the boundaries: a stretch that turns out not to hold
whole records (damage, or a value that spans the cut) raises `StretchMisaligned`, and
the file is read whole instead, so the result never depends on where it was cut.
"""

from __future__ import annotations

import io
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


class StretchMisaligned(Exception):
    """A stretch held something other than whole records; read the file whole instead."""


def line_stretches(path: Path, lead: bytes) -> list[Stretch] | None:
    """Cut a file whose records each begin a line with `lead` (b"{" for JSON objects one
    a line) into stretches of about STRETCH_BYTES, counting lines on the way; None when
    the file is too small to be worth cutting."""
    size, target = path.stat().st_size, STRETCH_BYTES
    if size < 2 * target:
        return None
    stretches: list[Stretch] = []
    start, line = 0, 1
    with path.open("rb") as fp:
        while (cut := _next_line_start(fp, start + target, lead)) is not None:
            if size - cut < target // 2:
                break  # no short tail stretch: it would cost a trip for little work
            stretches.append(Stretch(start, cut, line))
            line += _count_newlines(fp, start, cut)
            start = cut
    stretches.append(Stretch(start, size, line))
    return stretches if len(stretches) > 1 else None


def _next_line_start(fp: IO[bytes], offset: int, lead: bytes) -> int | None:
    """The first offset at or after `offset` where a line starts with `lead`."""
    marker = b"\n" + lead
    fp.seek(offset - 1)
    base, carry = offset - 1, b""
    while block := fp.read(_BLOCK):
        data = carry + block
        found = data.find(marker)
        if found >= 0:
            return base - len(carry) + found + 1
        carry = data[-(len(marker) - 1) :]
        base += len(block)
    return None


def _count_newlines(fp: IO[bytes], start: int, end: int) -> int:
    fp.seek(start)
    count, left = 0, end - start
    while left > 0 and (block := fp.read(min(left, _BLOCK))):
        count += block.count(b"\n")
        left -= len(block)
    return count


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


def open_stretch(path: Path, stretch: Stretch) -> IO[str]:
    """The stretch as text. Undecodable bytes become lone surrogates, as for whole files."""
    window = io.BufferedReader(_Window(path, stretch.start, stretch.end), _BLOCK)
    return io.TextIOWrapper(window, encoding="utf-8", errors="surrogateescape", newline="")
