"""Mastodon REST API Status arrays: timelines, account statuses, search results.

The file is one JSON array of Status entities, streamed element by element; each
status is one record, located as `path#/N`.

Why a Post is keyed by the status `uri`: the `id` is the row number in the database of
the server that answered, so the same status has a different id on every server that
has seen it, and two servers can give two statuses one id. The `uri` is the status's
identity in the federation, the same everywhere. A status without one is keyed by its
`url`, and only as a last resort by its id, which is then ambiguous across servers.

Accounts are `user@host` everywhere. `acct` omits the host for an account local to the
answering server, so the host is taken from the account's profile `url`. (A server
that serves its web pages from another domain than its handles, WEB_DOMAIN apart from
LOCAL_DOMAIN, then gives its local users the web domain; the API exposes no better
source.)

A boost (`reblog`) and an accepted quote (`quote.quoted_status`) carry the other status
whole, so it becomes a Post of its own with its author, linked REPOSTS / QUOTES. A reply
names only the id of the status it answers, which is meaningful on the answering server
only: the post is marked `post_kind` "reply" and no link is made. Text is the HTML
`content` reduced to plain text (paragraphs and line breaks kept); `spoiler_text` (the
content warning) is not a Post property and stays in the raw record.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import partial
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from ingest.connectors.base import Connector
from ingest.connectors.jsonhead import outline
from ingest.connectors.social import (
    PostFacts,
    add_post,
    first_char,
    guarded,
    head_text,
    identifier,
    items,
    mapping,
    post_kind,
    printable,
    text,
    unique,
)
from ingest.jsonstream import JsonItem, read_json
from ingest.records import RecordBuilder, Rejected, SourceRecord, excerpt
from schemas.errors import InvalidValue

PLATFORM = "mastodon"
# Status fields that make a head with the object cut off still look like a Status.
_STATUS_KEYS = frozenset({"visibility", "spoiler_text", "in_reply_to_id", "sensitive", "account"})
_ID = re.compile(r"[^\s@/]{1,64}")
_ACCT = re.compile(r"@?[^@\s]+(?:@[^@\s]+)?")
_PARAGRAPHS = frozenset({"p", "div", "blockquote", "pre", "ul", "ol", "h1", "h2", "h3", "h4"})


class MastodonStatuses(Connector):
    name = "mastodon-api"
    version = "1"
    title = "Mastodon API Status arrays (timelines, account statuses)"
    source_kind = "mastodon"

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        first = outline(head, in_array=True)
        if first is None or "content" not in first.keys:
            return False
        keys, nested = first.keys.keys(), first.nested
        if first.closed:
            return "account" in keys and bool(keys & {"uri", "url"})
        # cut off by the head: Mastodon writes uri and url before a long content, a
        # file with sorted keys the account (with its acct) before it
        located = keys & {"uri", "url"} or "acct" in nested.get("account", set())
        return bool(located) and bool(keys & _STATUS_KEYS)

    def read(self, path: Path) -> Iterator[SourceRecord | Rejected]:
        first = first_char(path)
        if first not in ("[", ""):
            shown = "an object" if first == "{" else f"text starting {first!r}"
            reason = f"expected a JSON array of Mastodon Status entities; found {shown}"
            yield Rejected(f"{path}#", reason, printable(head_text(path)))
            return
        for item, _line in read_json(path, count_lines=False):
            locator = f"{path}#/{item.index}"
            if isinstance(item, JsonItem):
                yield guarded(locator, item.raw, partial(self._record, locator, item))
            else:
                yield Rejected(locator, item.reason, excerpt(printable(item.raw)))

    def _record(self, locator: str, item: JsonItem) -> SourceRecord:
        builder = RecordBuilder(
            self.model, self.source_kind, locator, item.raw, self.options.assume_offset
        )
        add_post(builder, status_facts(item.value))
        return builder.build()


def status_facts(status: Any, where: str = "", follow: bool = True) -> PostFacts:
    """The Post one Status asserts; `follow` adds the boosted or quoted status."""
    if not isinstance(status, dict):
        raise InvalidValue(where.rstrip(".") or "status", status, "expected a Status object")
    key = text(status, "uri", where) or text(status, "url", where)
    key = key or cast(str, identifier(status, "id", where, _ID, required=True))
    content = text(status, "content", where)
    props = {
        "time": text(status, "created_at", where, required=True),
        "text": plain_text(content) if content else text(status, "text", where),
        "url": text(status, "url", where),
        "language": text(status, "language", where),
        "visibility": text(status, "visibility", where),
        "platform": PLATFORM,
        "post_kind": post_kind(_kinds(status, where)),
        "tags": unique(
            tag for t in items(status, "tags", where) if (tag := text(t, "name", where + "tags[]."))
        ),
    }
    return PostFacts(
        key=key,
        props=props,
        author=_author(status, where),
        mentions=[_mention(m, where + "mentions[].") for m in items(status, "mentions", where)],
        refs=_referenced(status, where) if follow else [],
    )


def _kinds(status: Mapping[str, Any], where: str) -> list[str]:
    """What the status is besides a post, whether or not the other status is at hand."""
    kinds = []
    if status.get("reblog") is not None:
        kinds.append("repost")
    if text(mapping(status, "quote", where), "state", where + "quote.") == "accepted":
        kinds.append("quote")
    if status.get("in_reply_to_id") is not None:
        kinds.append("reply")
    return kinds


def _referenced(status: Mapping[str, Any], where: str) -> list[tuple[str, PostFacts]]:
    """The boosted status and an accepted quote's status, each a Post of its own."""
    refs = []
    if status.get("reblog") is not None:
        refs.append(("REPOSTS", status_facts(status["reblog"], where + "reblog.", False)))
    quote = mapping(status, "quote", where)
    quoted = quote.get("quoted_status") if quote.get("state") == "accepted" else None
    if quoted is not None:  # a ShallowQuote names only the quoted id: nothing to link
        refs.append(("QUOTES", status_facts(quoted, where + "quote.quoted_status.", False)))
    return refs


def _author(status: Mapping[str, Any], where: str) -> dict[str, Any]:
    account = status.get("account")
    here = where + "account."
    if not isinstance(account, dict):
        raise InvalidValue(here.rstrip("."), account, "expected the Account that posted")
    return {
        "platform": PLATFORM,
        "handle": full_acct(account, here),
        "display_name": text(account, "display_name", here),
    }


def _mention(mention: Mapping[str, Any], where: str) -> dict[str, Any]:
    return {"platform": PLATFORM, "handle": full_acct(mention, where)}


def full_acct(account: Mapping[str, Any], where: str) -> str:
    """`user@host` for an Account or Mention: `acct` as written when it names a host,
    else with the host of the profile `url` (the answering server's local users)."""
    acct = text(account, "acct", where, required=True) or ""
    if not _ACCT.fullmatch(acct.strip()):
        raise InvalidValue(where + "acct", acct, "expected user or user@host")
    user, _at, host = acct.strip().lstrip("@").partition("@")
    if host:
        return f"{user}@{host}"
    url = text(account, "url", where)
    try:
        host = urlsplit(url or "").hostname or ""
    except ValueError:
        host = ""
    if not host:
        raise InvalidValue(
            where + "url", url, "a local account's acct has no host and its url names none"
        )
    return f"{user}@{host}"


class _PlainText(HTMLParser):
    """Status HTML to text: tags dropped, entities decoded, paragraphs and breaks kept.
    The parts of a link Mastodon hides (`invisible` spans) are kept, so links read whole."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.pending = ""  # the break owed before the next text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append(self.pending + "\n")
            self.pending = ""
        elif tag in _PARAGRAPHS or tag == "li":
            self._break("\n" if tag == "li" else "\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _PARAGRAPHS:
            self._break("\n\n")

    def handle_data(self, data: str) -> None:
        if self.pending and not data.strip():
            return  # layout whitespace between blocks
        if self.parts:
            self.parts.append(self.pending)
        self.parts.append(data)
        self.pending = ""

    def _break(self, newlines: str) -> None:
        if len(newlines) > len(self.pending):
            self.pending = newlines


def plain_text(content: str) -> str | None:
    """The text an HTML `content` shows; None when it shows none."""
    if "<" not in content and "&" not in content:
        return content.strip() or None
    parser = _PlainText()
    parser.feed(content)
    parser.close()
    return "".join(parser.parts).strip() or None
