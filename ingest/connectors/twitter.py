"""Twitter / X API v2 responses: twarc's JSON lines, or one saved response object.

Each line (or the whole file, or each element of a top-level array) is one response
page: `data` holds the tweets, `includes` the users, tweets and places they refer to,
and twarc adds `__twarc` (where and when it fetched the page). Every tweet in `data` is
one record, located as `path:line N#data[i]`; its raw text is the tweet's own source
text, not the whole page. A page without `data` (no results, or only `errors`) holds no
tweets and yields nothing.

A Post is keyed by the tweet id (global on Twitter). Its author comes from
`includes.users`; a user missing there is still an Account, with the handle
`id:<author_id>` and no display name, because a bare number could be another user's
username. A referenced tweet (reply, quote, retweet) becomes a Post with its author
only when `includes.tweets` holds it with its `created_at`; otherwise only `post_kind`
says what the tweet is (the id stays in the raw record). Tweet text arrives HTML-escaped
(`&amp;`, `&lt;`, `&gt;`) and is unescaped once.

Geo: `geo.coordinates` is a GeoJSON Point, [longitude, latitude]; a pair out of range
quarantines the tweet rather than being swapped or clipped. `geo.place_id` becomes a
Place (kind "twitter-place") named and centred from `includes.places`.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, cast

from ingest.connectors.base import Connector
from ingest.connectors.jsonhead import outline
from ingest.connectors.social import (
    PostFacts,
    add_post,
    guarded,
    identifier,
    items,
    mapping,
    member_parts,
    post_kind,
    printable,
    text,
    unique,
)
from ingest.jsonstream import JsonItem, read_json, read_json_stretch
from ingest.records import RecordBuilder, Rejected, SourceRecord, excerpt
from ingest.stretches import Stretch, line_stretches
from schemas.errors import InvalidValue

PLATFORM = "twitter"
STATUS_URL = "https://twitter.com/i/web/status/{}"  # a string only; nothing is fetched
UNKNOWN_USER = "id:{}"  # handle of an author missing from includes.users
# Keys that make an object with `data` a v2 response page (twarc, search, stream).
_PAGE_KEYS = frozenset({"includes", "__twarc", "meta", "errors", "matching_rules"})
_TWEET_KEYS = frozenset({"author_id", "created_at", "edit_history_tweet_ids", "conversation_id"})
# referenced_tweets type -> (relationship, post kind)
_REFERENCES = {
    "replied_to": ("REPLIES_TO", "reply"),
    "quoted": ("QUOTES", "quote"),
    "retweeted": ("REPOSTS", "repost"),
}
_ID = re.compile(r"[0-9]{1,20}")
_PLACE_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")


@dataclass(frozen=True)
class Includes:
    """The lookup tables of one page. Entries that are not objects with an id are
    skipped: a tweet whose author cannot be resolved still reads, by author id."""

    users: Mapping[str, Mapping[str, Any]]
    tweets: Mapping[str, Mapping[str, Any]]
    places: Mapping[str, Mapping[str, Any]]

    @classmethod
    def of(cls, page: Mapping[str, Any]) -> Includes:
        includes = page.get("includes")
        includes = includes if isinstance(includes, dict) else {}
        return cls(*(_by_id(includes.get(name)) for name in ("users", "tweets", "places")))


def _by_id(entries: Any) -> dict[str, Mapping[str, Any]]:
    if not isinstance(entries, list):
        return {}
    return {e["id"]: e for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str)}


class TwitterV2(Connector):
    name = "twitter-v2"
    version = "1"
    title = "Twitter / X API v2 responses (twarc JSON lines or one response object)"
    source_kind = "twitter"

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        first = outline(head, in_array=False) or outline(head, in_array=True)
        if first is None or "data" not in first.keys:
            return False
        tweet_keys = first.nested.get("data", frozenset())
        return bool(first.keys.keys() & _PAGE_KEYS) or (
            {"id", "text"} <= tweet_keys and bool(tweet_keys & _TWEET_KEYS)
        )

    def read(self, path: Path) -> Iterator[SourceRecord | Rejected]:
        for item, line in read_json(path):
            locator = f"{path}:line {line}"
            if isinstance(item, JsonItem):
                yield from self._page(locator, item)
            else:
                yield Rejected(locator, item.reason, excerpt(printable(item.raw)))

    def stretches(self, path: Path) -> list[Stretch] | None:
        return line_stretches(path, b"{")

    def read_stretch(self, path: Path, stretch: Stretch) -> Iterator[SourceRecord | Rejected]:
        for item, line in read_json_stretch(path, stretch):
            yield from self._page(f"{path}:line {line}", item)

    def _page(self, locator: str, item: JsonItem) -> Iterator[SourceRecord | Rejected]:
        page = item.value
        if not isinstance(page, dict) or not ("data" in page or page.keys() & _PAGE_KEYS):
            reason = "expected a Twitter API v2 response object {data, includes, ...}"
            yield Rejected(locator, reason, excerpt(printable(item.raw)))
            return
        if "data" not in page:
            return  # a page without tweets: no results, or only errors
        tweets = _tweets(page, item.raw)
        if tweets is None:
            reason = "field 'data': expected a tweet object or a list of them"
            yield Rejected(f"{locator}#data", reason, excerpt(printable(item.raw)))
            return
        includes = Includes.of(page)
        for suffix, tweet, raw in tweets:
            build = partial(self._record, locator + suffix, raw, tweet, includes)
            yield guarded(locator + suffix, raw, build)

    def _record(self, locator: str, raw: str, tweet: Any, includes: Includes) -> SourceRecord:
        builder = RecordBuilder(
            self.model, self.source_kind, locator, raw, self.options.assume_offset
        )
        add_post(builder, tweet_facts(tweet, includes))
        return builder.build()


def _tweets(page: Mapping[str, Any], raw: str) -> list[tuple[str, Any, str]] | None:
    """(locator suffix, tweet, its source text) for each tweet of a page."""
    data = page["data"]
    if not isinstance(data, list | dict):
        return None
    try:
        parts = member_parts(raw, "data")
    except (ValueError, RecursionError):
        parts = None
    elements = data if isinstance(data, list) else [data]
    if parts is None or len(parts) != len(elements):  # not expected: raw parsed as this page
        parts = [(t, json.dumps(t, ensure_ascii=False)) for t in elements]
    if isinstance(data, dict):
        return [("#data", *parts[0])]
    return [(f"#data[{i}]", value, text) for i, (value, text) in enumerate(parts)]


def tweet_facts(tweet: Any, includes: Includes, where: str = "", follow: bool = True) -> PostFacts:
    """The Post one tweet object asserts; `follow` adds the tweets it references."""
    if not isinstance(tweet, dict):
        raise InvalidValue(where.rstrip(".") or "tweet", tweet, "expected a tweet object")
    tweet_id = cast(str, identifier(tweet, "id", where, _ID, required=True))
    created = text(tweet, "created_at", where)
    if created is None:
        raise InvalidValue(
            where + "created_at", None, "the tweet has no time; request tweet.fields=created_at"
        )
    note = mapping(tweet, "note_tweet", where)  # the whole text of a long tweet
    body = text(note, "text", where + "note_tweet.") or text(tweet, "text", where)
    entities = mapping(note, "entities", where + "note_tweet.") or mapping(tweet, "entities", where)
    refs = _references(tweet, where)
    props = {
        "time": created,
        "text": html.unescape(body).strip() or None if body else None,
        "url": STATUS_URL.format(tweet_id),
        "language": text(tweet, "lang", where),
        "location": _point(tweet, where),
        "platform": PLATFORM,
        "post_kind": post_kind(kind for _ref, (_rel, kind) in refs),
        "tags": _hashtags(entities, where),
    }
    return PostFacts(
        key=tweet_id,
        props=props,
        author=_account(includes, identifier(tweet, "author_id", where, _ID)),
        mentions=_mentions(entities, includes, where),
        place=_place(tweet, includes, where),
        refs=_referenced_posts(refs, includes) if follow else [],
    )


def _references(tweet: Mapping[str, Any], where: str) -> list[tuple[str, tuple[str, str]]]:
    """(referenced tweet id, (relationship, post kind)) of each known reference type."""
    found = []
    for ref in items(tweet, "referenced_tweets", where):
        kind = text(ref, "type", where + "referenced_tweets[].")
        if kind in _REFERENCES:
            ref_id = identifier(ref, "id", where + "referenced_tweets[].", _ID, required=True)
            found.append((cast(str, ref_id), _REFERENCES[kind]))
    return found


def _referenced_posts(
    refs: list[tuple[str, tuple[str, str]]], includes: Includes
) -> list[tuple[str, PostFacts]]:
    """The referenced tweets `includes.tweets` holds with a time; the others add nothing."""
    posts = []
    for ref_id, (rel_type, _kind) in refs:
        other = includes.tweets.get(ref_id)
        if other is not None and other.get("created_at") is not None:
            facts = tweet_facts(other, includes, f"includes.tweets[{ref_id}].", follow=False)
            posts.append((rel_type, facts))
    return posts


def _account(includes: Includes, user_id: str | None) -> dict[str, Any] | None:
    if user_id is None:
        return None  # author_id not requested: the post stands without an author
    user = includes.users.get(user_id)
    if user is None:
        return {"platform": PLATFORM, "handle": UNKNOWN_USER.format(user_id)}
    where = f"includes.users[{user_id}]."
    return {
        "platform": PLATFORM,
        "handle": text(user, "username", where, required=True),
        "display_name": text(user, "name", where),
    }


def _mentions(entities: Mapping[str, Any], includes: Includes, where: str) -> list[dict[str, Any]]:
    accounts = []
    for mention in items(entities, "mentions", where + "entities."):
        handle = text(mention, "username", where + "entities.mentions[].", required=True)
        mention_id = mention.get("id")
        user = includes.users.get(mention_id) if isinstance(mention_id, str) else None
        same = user is not None and user.get("username") == handle
        name = text(user, "name", f"includes.users[{mention_id}].") if user and same else None
        accounts.append({"platform": PLATFORM, "handle": handle, "display_name": name})
    return accounts


def _hashtags(entities: Mapping[str, Any], where: str) -> list[str] | None:
    where += "entities."
    tags = (text(h, "tag", where + "hashtags[].") for h in items(entities, "hashtags", where))
    return unique(tag for tag in tags if tag)


def _point(tweet: Mapping[str, Any], where: str) -> tuple[float, float] | None:
    """The exact position: GeoJSON [longitude, latitude], checked, as (lat, lon)."""
    geo = mapping(tweet, "geo", where)
    point = mapping(geo, "coordinates", where + "geo.")
    if not point:
        return None
    name = where + "geo.coordinates.coordinates"
    coords = point.get("coordinates")
    if not isinstance(coords, list) or len(coords) < 2 or not all(_is_number(c) for c in coords):
        raise InvalidValue(name, coords, "expected a GeoJSON position [longitude, latitude]")
    lon, lat = float(coords[0]), float(coords[1])
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise InvalidValue(
            name, coords, "GeoJSON [longitude, latitude] out of range (lon ±180, lat ±90)"
        )
    return lat, lon


def _place(tweet: Mapping[str, Any], includes: Includes, where: str) -> dict[str, Any] | None:
    geo = mapping(tweet, "geo", where)
    place_id = identifier(geo, "place_id", where + "geo.", _PLACE_ID)
    if place_id is None:
        return None
    place = includes.places.get(place_id, {})
    here = f"includes.places[{place_id}]."
    return {
        "place_kind": "twitter-place",
        "ref": place_id,
        "name": text(place, "full_name", here) or text(place, "name", here),
        "location": _bbox_centre(mapping(place, "geo", here), here + "geo."),
    }


def _bbox_centre(geo: Mapping[str, Any], where: str) -> tuple[float, float] | None:
    """The centre (lat, lon) of a [west, south, east, north] box, across the antimeridian
    when west > east."""
    bbox = geo.get("bbox")
    if bbox is None:
        return None
    if not isinstance(bbox, list) or len(bbox) != 4 or not all(_is_number(c) for c in bbox):
        raise InvalidValue(where + "bbox", bbox, "expected [west, south, east, north]")
    west, south, east, north = (float(c) for c in bbox)
    if not all(-180.0 <= x <= 180.0 for x in (west, east)) or not all(
        -90.0 <= y <= 90.0 for y in (south, north)
    ):
        raise InvalidValue(where + "bbox", bbox, "bounding box out of range (lon ±180, lat ±90)")
    lon = (west + east + (360.0 if west > east else 0.0)) / 2
    return (south + north) / 2, lon - 360.0 if lon > 180.0 else lon


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
