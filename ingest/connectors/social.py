"""What the social-media connectors share: the graph shape of one post, checked access
to the fields of an API object, and reading JSON whose bytes may not all be UTF-8.

Every platform asserts the same small pattern, so it is built in one place:

    Post -POSTED_BY-> Account
    Post -MENTIONS-> Account                     (each account the post names)
    Post -AT-> Place                             (a place the post is tagged with)
    Post -REPLIES_TO | QUOTES | REPOSTS-> Post -POSTED_BY-> Account

The other post of a reply, quote or repost is built only when the source holds it
whole (with its time), by the same code as a post of its own, so that whichever
record projects last writes the same properties. A post known only by its id adds no
node: events are upserted with all their properties, and a stub holding just an id
and a time would erase the text of the full post read from another record.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.records import RecordBuilder, Rejected, SourceRecord, excerpt
from schemas.errors import InvalidValue

# Bytes that are not UTF-8 are read as lone surrogates (errors="surrogateescape"), so the
# rest of the file stays readable; a record holding one is quarantined, never stored.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class PostFacts:
    """What one post asserts, parsed and checked, before it becomes nodes and edges."""

    key: str  # natural key within the source kind: the platform's id or URI of the post
    props: dict[str, Any]  # Post properties, cleaned by the model when added
    author: dict[str, Any] | None = None  # Account properties
    mentions: list[dict[str, Any]] = field(default_factory=list)
    place: dict[str, Any] | None = None  # Place properties
    refs: list[tuple[str, PostFacts]] = field(default_factory=list)  # (relationship, post)


def add_post(builder: RecordBuilder, facts: PostFacts) -> str:
    """The post, its author, mentions, place and the posts it refers to; returns its id.
    The first post added names the record, so add the record's own post first."""
    post_id = builder.event("Post", facts.key, **facts.props)
    if facts.author is not None:
        builder.link("POSTED_BY", post_id, builder.entity("Account", **facts.author))
    mentioned = [builder.entity("Account", **mention) for mention in facts.mentions]
    for account_id in dict.fromkeys(mentioned):  # a handle named twice is one link
        builder.link("MENTIONS", post_id, account_id)
    if facts.place is not None:
        builder.link("AT", post_id, builder.entity("Place", **facts.place))
    for rel_type, other in facts.refs:
        builder.link(rel_type, post_id, add_post(builder, other))
    return post_id


def post_kind(refs: Iterable[str]) -> str:
    """One kind per post, for a post that is several at once (a reply that quotes):
    a repost is only a repost; a reply stays in its conversation before it quotes."""
    found = set(refs)
    for kind in ("repost", "reply", "quote"):
        if kind in found:
            return kind
    return "post"


def unique(values: Iterable[str]) -> list[str] | None:
    """Distinct values in first-seen order, or None for none (no empty list property)."""
    return list(dict.fromkeys(values)) or None


# --- checked field access -------------------------------------------------------------


def text(obj: Mapping[str, Any], key: str, where: str = "", required: bool = False) -> str | None:
    """A text field, None when absent or blank; wrong types and text that is not valid
    Unicode name the field."""
    value = obj.get(key)
    if value is None:
        if required:
            raise InvalidValue(where + key, value, "required field is missing")
        return None
    if not isinstance(value, str):
        raise InvalidValue(where + key, value, "expected text")
    if LONE_SURROGATE.search(value):
        raise InvalidValue(where + key, value, "text is not valid Unicode (a lone surrogate)")
    if not value.strip():  # blank optional text says nothing
        if required:
            raise InvalidValue(where + key, value, "required field is empty")
        return None
    return value


def identifier(
    obj: Mapping[str, Any], key: str, where: str, pattern: re.Pattern[str], required: bool = False
) -> str | None:
    """An id the platform writes as a string (or, in some clients' output, a number)."""
    value = obj.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not pattern.fullmatch(value) or LONE_SURROGATE.search(value):
        shown = "required field is missing" if value is None else "not an id of this platform"
        raise InvalidValue(where + key, obj.get(key), shown)
    return value


def mapping(obj: Mapping[str, Any], key: str, where: str = "") -> Mapping[str, Any]:
    """An object field; absent or null reads as empty."""
    value = obj.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidValue(where + key, value, "expected an object")
    return value


def items(obj: Mapping[str, Any], key: str, where: str = "") -> list[Mapping[str, Any]]:
    """A list-of-objects field; absent or null reads as empty."""
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise InvalidValue(where + key, value, "expected a list of objects")
    return value


# --- reading --------------------------------------------------------------------------


def _skip_chars(text: str, pos: int, chars: str) -> int:
    while pos < len(text) and text[pos] in chars:
        pos += 1
    return pos


def printable(raw: str) -> str:
    """Source text safe to store: each byte that was not UTF-8 shown as U+FFFD."""
    return LONE_SURROGATE.sub("\ufffd", raw)


def guarded(locator: str, raw: str, build: Callable[[], SourceRecord]) -> SourceRecord | Rejected:
    """Build one record; bytes that are not UTF-8, or a value the model or the format
    checks refuse, quarantine it with the reason."""
    bad = LONE_SURROGATE.search(raw)
    if bad:
        code = ord(bad.group())
        shown = f"byte 0x{code - 0xDC00:02x}" if code >= 0xDC80 else f"U+{code:04X}"
        reason = (
            f"the record holds bytes that are not UTF-8 ({shown} at character {bad.start()}); "
            "the file is damaged or not UTF-8 encoded"
        )
        return Rejected(locator, reason, excerpt(printable(raw)))
    try:
        return build()
    except InvalidValue as exc:
        return Rejected(locator, str(exc), excerpt(raw))


def first_char(path: Path) -> str:
    """The first character that is not whitespace or a byte-order mark, or ""."""
    with path.open("rb") as fp:
        while chunk := fp.read(1 << 16):
            data = chunk.lstrip(b" \t\r\n").removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
            if data:
                return data[:1].decode("latin-1")
    return ""


def head_text(path: Path) -> str:
    with path.open("rb") as fp:
        return excerpt(fp.read(4096).decode("utf-8", errors="replace"))


def member_parts(text: str, key: str) -> list[tuple[Any, str]] | None:
    """(value, exact source text) of each element of the array under `key` of the JSON
    object in `text` (or of the value itself when it is not an array), so a record keeps
    its own text rather than a re-serialisation. None without `key`; as in `json.loads`,
    the last occurrence of a key wins."""
    found: list[tuple[Any, str]] | None = None
    pos = _skip(text, 0)
    if text[pos : pos + 1] != "{":
        return None
    pos += 1
    while True:
        pos = _skip(text, pos)
        if text[pos : pos + 1] == "}":
            return found
        name, pos = _DECODER.raw_decode(text, pos)
        pos = _skip(text, _skip(text, pos) + 1)  # past the ':'
        if name == key and text[pos : pos + 1] == "[":
            found, pos = _elements(text, pos + 1)
        else:
            value, end = _DECODER.raw_decode(text, pos)
            found, pos = ([(value, text[pos:end])] if name == key else found), end
        pos = _skip(text, pos)
        pos += text[pos : pos + 1] == ","


def _skip(text: str, pos: int) -> int:
    match = _JSON_SPACE.match(text, pos)
    return match.end() if match else pos


def _elements(text: str, pos: int) -> tuple[list[tuple[Any, str]], int]:
    elements: list[tuple[Any, str]] = []
    while True:
        pos = _skip(text, pos)
        if text[pos : pos + 1] == "]":
            return elements, pos + 1
        value, end = _DECODER.raw_decode(text, pos)
        elements.append((value, text[pos:end]))
        pos = _skip(text, end)
        pos += text[pos : pos + 1] == ","
