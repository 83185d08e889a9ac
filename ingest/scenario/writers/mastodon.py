"""Mastodon REST API Status entities: ``social/mastodon/<username>-<YYYY-MM>.json``.

Each file is one account's statuses of a month as ``GET /api/v1/accounts/:id/statuses``
returns them (a JSON array, newest first): id, uri, url, created_at (ISO-8601 Z),
``content`` as HTML with h-card mentions and hashtag links, visibility, language,
``account`` {id, username, acct, url, display_name, …}, ``mentions`` (acct is
``user@server`` for remote accounts), ``tags``, ``reblog`` (the boosted status, with an
empty ``content`` on the wrapper) and ``in_reply_to_id`` / ``in_reply_to_account_id``.
"""

from __future__ import annotations

import html
import json
import zlib
from pathlib import Path
from typing import Any

from ingest.scenario.accounts import Account
from ingest.scenario.clock import utc_iso_ms
from ingest.scenario.posts import Post, handle_in
from ingest.scenario.story import StoryDay
from ingest.scenario.writers.monthly import MonthlyPosts


def acct(account: Account, server: str) -> str:
    return account.handle if account.instance == server else f"{account.handle}@{account.instance}"


def account_json(account: Account, server: str) -> dict[str, Any]:
    base = f"https://{account.instance}"
    return {
        "id": account.id,
        "username": account.handle,
        "acct": acct(account, server),
        "display_name": account.display_name,
        "locked": False,
        "bot": False,
        "created_at": account.created_at,
        "note": "",
        "url": account.url,
        "avatar": f"{base}/avatars/original/missing.png",
        "avatar_static": f"{base}/avatars/original/missing.png",
        "header": f"{base}/headers/original/missing.png",
        "header_static": f"{base}/headers/original/missing.png",
        "followers_count": zlib.crc32(account.id.encode()) % 400,
        "following_count": zlib.crc32(account.handle.encode()) % 300,
        "statuses_count": 100 + zlib.crc32(account.url.encode()) % 3000,
        "emojis": [],
        "fields": [],
    }


def content(post: Post) -> str:
    """The post as Mastodon renders it: escaped text, h-card mentions, hashtag links."""
    text = html.escape(post.text, quote=False)
    server = f"https://{post.account.instance}"
    for other in sorted(post.mentions, key=lambda a: -len(handle_in(post.account, a))):
        typed = handle_in(post.account, other)
        link = (
            f'<span class="h-card" translate="no"><a href="{other.url}" class="u-url mention">'
            f"@<span>{other.handle}</span></a></span>"
        )
        text = text.replace(typed, link, 1)
    for tag in post.tags:
        link = (
            f'<a href="{server}/tags/{tag}" class="mention hashtag" rel="tag">'
            f"#<span>{tag}</span></a>"
        )
        text = text.replace(f"#{tag}", link, 1)
    return f"<p>{text}</p>"


def status(post: Post, server: str) -> dict[str, Any]:
    author, base = post.account, f"https://{post.account.instance}"
    wrapper = post.repost_of is not None
    return {
        "id": post.id,
        "created_at": utc_iso_ms(post.time),
        "in_reply_to_id": post.reply_to.id if post.reply_to else None,
        "in_reply_to_account_id": post.reply_to.account.id if post.reply_to else None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": post.visibility,
        "language": None if wrapper else post.lang,
        "uri": f"{base}/users/{author.handle}/statuses/{post.id}"
        + ("/activity" if wrapper else ""),
        "url": None if wrapper else f"{base}/@{author.handle}/{post.id}",
        "replies_count": 0,
        "reblogs_count": 0 if wrapper else zlib.crc32(post.id.encode()) % 3,
        "favourites_count": 0 if wrapper else zlib.crc32(post.id.encode()) % 9,
        "edited_at": None,
        "content": "" if wrapper else content(post),
        "reblog": status(post.repost_of, server) if post.repost_of else None,
        "application": None if wrapper else {"name": post.client, "website": None},
        "account": account_json(author, server),
        "media_attachments": [],
        "mentions": [
            {"id": a.id, "username": a.handle, "url": a.url, "acct": acct(a, server)}
            for a in ([] if wrapper else post.mentions)
        ],
        "tags": [{"name": t, "url": f"https://{server}/tags/{t}"} for t in post.tags],
        "emojis": [],
        "card": None,
        "poll": None,
    }


class MastodonWriter:
    """Writes each account's month of statuses, newest first, as its server returns them."""

    kind = "mastodon"

    def __init__(self, out_dir: Path) -> None:
        self.root = out_dir / "social" / "mastodon"
        self.months = MonthlyPosts("mastodon", self._write)
        self.files_written = 0
        self.records = 0

    def _write(self, account: Account, month: str, posts: list[Post]) -> None:
        posts = sorted(posts, key=lambda p: int(p.id), reverse=True)
        items = [status(p, account.instance) for p in posts]
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / f"{account.handle}-{month}.json"
        path.write_text(
            json.dumps(items, indent=2, ensure_ascii=False) + "\n", encoding="utf-8", newline="\n"
        )
        self.files_written += 1
        self.records += len(posts)

    def write_day(self, story: StoryDay) -> None:
        self.months.add(story.day, story.posts)

    def close(self) -> None:
        self.months.flush()
