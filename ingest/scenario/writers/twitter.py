"""Twitter API v2 user-timeline pages as twarc2 saves them: one JSON response per line.

Files are ``social/twitter/<username>-<YYYY-MM>.jsonl``, newest tweet first, at most 100
tweets a page. Each page has ``data`` (tweets with id, author_id, created_at in
ISO-8601 Z, text, lang, entities.mentions / hashtags with offsets, referenced_tweets,
geo as a GeoJSON point [lon, lat] or a place id), ``includes`` (users, places, the
referenced tweets), ``meta`` and twarc's ``__twarc`` envelope, like
``samples/social/twitter_v2_geo_tweets.jsonl``.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from pathlib import Path
from typing import Any

from ingest.scenario.accounts import Account
from ingest.scenario.clock import day_start, utc_iso_ms
from ingest.scenario.geo import LAT_MAX, LAT_MIN, LON_MAX, LON_MIN
from ingest.scenario.posts import Post
from ingest.scenario.story import StoryDay
from ingest.scenario.writers.monthly import MonthlyPosts

PAGE = 100
TWARC_VERSION = "2.14.0"
EXPANSIONS = (
    "expansions=author_id%2Cin_reply_to_user_id%2Creferenced_tweets.id%2C"
    "referenced_tweets.id.author_id%2Centities.mentions.username%2Cgeo.place_id"
    "&tweet.fields=author_id%2Cconversation_id%2Ccreated_at%2Centities%2Cgeo%2Cid%2C"
    "in_reply_to_user_id%2Clang%2Cpublic_metrics%2Ctext%2Cpossibly_sensitive%2C"
    "referenced_tweets%2Creply_settings%2Csource&max_results=100"
)


def town(seed: int) -> dict[str, Any]:
    """The fictional town as a Twitter place (``includes.places``)."""
    return {
        "full_name": "Brakenveld, Nederland",
        "place_type": "city",
        "name": "Brakenveld",
        "country_code": "NL",
        "id": hashlib.blake2b(f"town:{seed}".encode(), digest_size=8).hexdigest(),
        "geo": {"type": "Feature", "bbox": [LON_MIN, LAT_MIN, LON_MAX, LAT_MAX], "properties": {}},
        "country": "Nederland",
    }


def _count(key: str, top: int) -> int:
    return zlib.crc32(key.encode()) % top


def user(account: Account) -> dict[str, Any]:
    return {
        "id": account.id,
        "name": account.display_name,
        "username": account.handle,
        "created_at": account.created_at,
        "description": "",
        "protected": False,
        "verified": False,
        "url": "",
        "profile_image_url": f"https://pbs.twimg.com/profile_images/{account.id}/avatar_normal.jpg",
        "public_metrics": {
            "followers_count": _count(account.id + "f", 900),
            "following_count": _count(account.id + "g", 700),
            "tweet_count": 200 + _count(account.id + "t", 9000),
            "listed_count": _count(account.id + "l", 12),
        },
    }


def _entities(post: Post) -> dict[str, Any]:
    entities: dict[str, Any] = {}
    mentions = []
    for other in post.mentions:
        start = post.text.find(f"@{other.handle}")
        if start >= 0:
            end = start + 1 + len(other.handle)
            mentions.append({"start": start, "end": end, "username": other.handle, "id": other.id})
    if mentions:
        entities["mentions"] = mentions
    tags = []
    for tag in post.tags:
        start = post.text.rfind(f"#{tag}")
        tags.append({"start": start, "end": start + 1 + len(tag), "tag": tag})
    if tags:
        entities["hashtags"] = tags
    return entities


def _extras(post: Post, town_id: str) -> dict[str, Any]:
    """The optional tweet fields: entities, references and geo."""
    out: dict[str, Any] = {}
    entities = _entities(post)
    if entities:
        out["entities"] = entities
    if post.reply_to:
        out["referenced_tweets"] = [{"type": "replied_to", "id": post.reply_to.id}]
        out["in_reply_to_user_id"] = post.reply_to.account.id
    elif post.repost_of:
        out["referenced_tweets"] = [{"type": "retweeted", "id": post.repost_of.id}]
    if post.point:
        lon_lat = [round(post.point[1], 8), round(post.point[0], 8)]  # GeoJSON order
        out["geo"] = {"coordinates": {"type": "Point", "coordinates": lon_lat}}
    elif post.town:
        out["geo"] = {"place_id": town_id}
    return out


def tweet(post: Post, town_id: str) -> dict[str, Any]:
    metrics = {
        "retweet_count": _count(post.id + "r", 3),
        "reply_count": _count(post.id + "p", 3),
        "like_count": _count(post.id + "l", 12),
        "quote_count": 0,
    }
    return {
        "id": post.id,
        "text": post.text,
        "author_id": post.account.id,
        "created_at": utc_iso_ms(post.time),
        "conversation_id": post.reply_to.id if post.reply_to else post.id,
        "lang": post.lang,
        "source": post.client,
        "reply_settings": "everyone",
        "possibly_sensitive": False,
        "public_metrics": metrics,
        **_extras(post, town_id),
    }


class TwitterWriter:
    """Writes each account's month of tweets as twarc2 timeline pages."""

    kind = "twitter"

    def __init__(self, out_dir: Path, seed: int, end_day: int) -> None:
        self.root = out_dir / "social" / "twitter"
        self.town = town(seed)
        self.retrieved = utc_iso_ms(day_start(end_day) + 3 * 3600 + 754)[:19] + "+00:00"
        self.months = MonthlyPosts("twitter", self._write)
        self.files_written = 0
        self.records = 0

    def _page(self, account: Account, posts: list[Post], last: bool) -> dict[str, Any]:
        users = {account.id: user(account)}
        refs = {}
        for post in posts:
            for other in post.mentions:
                users.setdefault(other.id, user(other))
            ref = post.reply_to or post.repost_of
            if ref is not None:
                refs[ref.id] = tweet(ref, self.town["id"])
                users.setdefault(ref.account.id, user(ref.account))
        includes: dict[str, Any] = {"users": list(users.values())}
        if refs:
            includes["tweets"] = list(refs.values())
        if any(p.town for p in posts):
            includes["places"] = [self.town]
        meta: dict[str, Any] = {
            "result_count": len(posts),
            "newest_id": posts[0].id,
            "oldest_id": posts[-1].id,
        }
        if not last:
            meta["next_token"] = hashlib.blake2b(posts[-1].id.encode(), digest_size=10).hexdigest()
        url = f"https://api.twitter.com/2/users/{account.id}/tweets?{EXPANSIONS}"
        data = [tweet(p, self.town["id"]) for p in posts]
        envelope = {"url": url, "version": TWARC_VERSION, "retrieved_at": self.retrieved}
        return {"data": data, "includes": includes, "meta": meta, "__twarc": envelope}

    def _write(self, account: Account, month: str, posts: list[Post]) -> None:
        posts = sorted(posts, key=lambda p: int(p.id), reverse=True)
        pages = [posts[i : i + PAGE] for i in range(0, len(posts), PAGE)]
        lines = [
            json.dumps(self._page(account, page, i == len(pages) - 1), ensure_ascii=False)
            for i, page in enumerate(pages)
        ]
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / f"{account.handle}-{month}.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
        self.files_written += 1
        self.records += len(posts)

    def write_day(self, story: StoryDay) -> None:
        self.months.add(story.day, story.posts)

    def close(self) -> None:
        self.months.flush()
