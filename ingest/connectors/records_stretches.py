"""Cutting a big Takeout `Records.json` between the elements of its `locations` array.

Exports write the array one way throughout: one element a line, pretty-printed with a
fixed indentation, or Takeout's `}, {` style. How the first element ends and the
second begins (its last line, the comma, the whitespace) is the marker the cuts are
made at; the elements of each stretch are read as if it were a file of its own, with
the array's head put back in front. Every stretch must hold exactly the elements
counted for it and end where an element ends, or the file is read whole.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, cast

from ingest.connectors.location import Damage, Member, iter_members, pointer
from ingest.stretches import Stretch, StretchMisaligned, marker_stretches, open_stretch

KEY = "locations"
_HEAD_BYTES = 1 << 16
_FIRST_ELEMENT = re.compile(r'\s*\{\s*"locations"\s*:\s*\[\s*(?=\{)')
_SEPARATOR = re.compile(r"\s*,\s*(?=\{)")
_ARRAY_HEAD = '{"locations": ['


def records_stretches(path: Path) -> list[Stretch] | None:
    """The stretches of a Records.json, or None when the file is small, another layout,
    or its first two elements are not in its first 64 KB."""
    marker = _element_marker(path)
    if marker is None:
        return None
    # The first element follows "[", not a marker.
    return marker_stretches(path, marker, skip=len(marker) - 1, unmarked=1)


def _element_marker(path: Path) -> bytes | None:
    """What stands between the first two elements, from the first one's last line to
    the second one's "{" (b"\\n    },\\n    {" for an indent of two)."""
    with path.open("rb") as fp:
        head = fp.read(_HEAD_BYTES).removeprefix(b"\xef\xbb\xbf").decode("utf-8", "ignore")
    start = _FIRST_ELEMENT.match(head)
    if start is None:
        return None
    try:
        _first, end = json.JSONDecoder().raw_decode(head, start.end())
    except json.JSONDecodeError:
        return None
    separator = _SEPARATOR.match(head, end)
    if separator is None:
        return None
    last_line = head.rfind("\n", start.end(), end)
    tail = head[last_line:end] if last_line >= 0 else "}"
    return (tail + separator.group() + "{").encode("utf-8")


def stretch_members(path: Path, stretch: Stretch, size: int) -> Iterator[Member]:
    """The members one stretch holds, with their indexes in the whole array."""
    last = stretch.end >= size
    read = 0
    with open_stretch(path, stretch) as fp:
        text = fp if stretch.start == 0 else _Prefixed(_ARRAY_HEAD, fp)
        for item in iter_members(cast(IO[str], text)):
            if isinstance(item, Damage):
                if not last and _ends_in_array(item, read):
                    break
                raise StretchMisaligned(f"{path}#{item.pointer}: {item.reason}")
            if item.key == KEY and item.index is not None:
                yield dataclasses.replace(item, index=item.index + stretch.first_record)
                read += 1
            elif last:
                yield item  # a member after the array, read as the whole file would
            else:
                raise StretchMisaligned(f"{path}: member {item.key!r} inside a stretch")
    if read != stretch.records:
        raise StretchMisaligned(f"{path}: {read} elements where {stretch.records} start")


def _ends_in_array(damage: Damage, read: int) -> bool:
    """The damage a stretch that is not the last must end with: the text stops after
    its last element and a comma."""
    return damage.pointer == pointer(KEY, read) and damage.reason.startswith("the file ends inside")


class _Prefixed:
    """A text stream with some text read first."""

    def __init__(self, prefix: str, fp: IO[str]) -> None:
        self.prefix = prefix
        self.fp = fp

    def read(self, size: int = -1) -> str:
        if self.prefix:
            text, self.prefix = self.prefix, ""
            return text
        return self.fp.read(size)
