"""A month of posts per account, handed to a platform writer when the month is over.

Timeline exports list newest first, so each account's month is buffered (posts are a
small share of the volume) and written at the month change and at the end.
"""

from __future__ import annotations

from collections.abc import Callable

from ingest.scenario.accounts import Account
from ingest.scenario.clock import month_key
from ingest.scenario.posts import Post


class MonthlyPosts:
    def __init__(self, platform: str, write: Callable[[Account, str, list[Post]], None]) -> None:
        self.platform, self.write = platform, write
        self._month: str | None = None
        self._posts: dict[str, tuple[Account, list[Post]]] = {}

    def add(self, day: int, posts: list[Post]) -> None:
        month = month_key(day)
        if month != self._month:
            self.flush()
            self._month = month
        for post in posts:
            if post.account.platform == self.platform:
                self._posts.setdefault(post.account.id, (post.account, []))[1].append(post)

    def flush(self) -> None:
        for _, (account, posts) in sorted(self._posts.items()):
            self.write(account, self._month or "", posts)
        self._posts = {}
