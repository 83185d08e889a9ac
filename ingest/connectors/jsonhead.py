"""The outline of the first JSON object in a file's head, which the JSON sniffs read.

Frigate, Twitter and Mastodon files all open with an object (or an array of them), and
each connector tells its own by the keys of that first object. The head is scanned once
per layout and the outline shared by every sniff of the same file: before, each sniff
tokenised the head again, and choosing a connector took longer than reading a small file.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

_SPACE = " \t\r\n\ufeff"
# A JSON string (group 1 set when a colon follows: it is a key), or a bracket. Numbers and
# literals are not needed: an outline holds keys and their text values only.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"([ \t\r\n]*:)?|[{}\[\]]')


@dataclass(frozen=True)
class HeadOutline:
    """The first object's own keys with their text values (None for a value that is not
    text), the keys found anywhere beneath each of them, and whether the object closes
    within the head (a long first object is cut off by it)."""

    keys: dict[str, str | None]
    nested: dict[str, frozenset[str]]
    closed: bool


@lru_cache(maxsize=8)  # the sniffs of one file ask in turn; a few entries are plenty
def outline(head: bytes, in_array: bool) -> HeadOutline | None:
    """The outline of the head's first object: the head's own value with `in_array`
    false, the first element of a top-level array with it true. None when no object
    opens there."""
    text = head.decode("utf-8", errors="ignore").lstrip(_SPACE)
    if in_array:
        if not text.startswith("["):
            return None
        text = text[1:].lstrip(_SPACE)
    if not text.startswith("{"):
        return None
    return _scan(text)


def _scan(text: str) -> HeadOutline:
    depth = 0
    key: str | None = None  # a top-level key whose value has not been seen yet
    top_key = ""  # the top-level key the scan is beneath
    keys: dict[str, str | None] = {}
    nested: dict[str, set[str]] = defaultdict(set)
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in ("{", "["):
            depth, key = depth + 1, None
        elif token in ("}", "]"):
            depth -= 1
            if depth == 0:
                return _outline(keys, nested, True)
        elif match.group(1) is not None:  # a key
            name = token[1 : token.rindex('"')]
            if depth == 1:
                keys[name], key, top_key = None, name, name
            else:
                nested[top_key].add(name)
        elif depth == 1 and key is not None:  # the text value of the last key
            keys[key], key = token[1:-1], None
    return _outline(keys, nested, False)


def _outline(keys: dict[str, str | None], nested: dict[str, set[str]], closed: bool) -> HeadOutline:
    return HeadOutline(keys, {k: frozenset(v) for k, v in nested.items()}, closed)
