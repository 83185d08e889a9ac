"""Social posts of one day on Twitter and Mastodon, from small templates.

People post about their day, mention their contacts (meeting partners mention each
other), reply to and repost their contacts' earlier posts, and sometimes geotag a post
with where they are at that moment (from their track), or with the town as a place.
Ids follow each platform's scheme (Twitter snowflakes, Mastodon time-based ids), so id
order is time order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from ingest.scenario.accounts import Account
from ingest.scenario.cast import Cast
from ingest.scenario.clock import local_epoch
from ingest.scenario.rng import derive_rng, poisson
from ingest.scenario.texts import HASHTAGS, POSTS_EN, POSTS_NL, fill
from ingest.scenario.whereabouts import Move, Track, position
from ingest.scenario.world import World

TWITTER_EPOCH_MS = 1_288_834_974_657
CLIENTS = {
    "twitter": ("Twitter for Android", "Twitter for iPhone", "Twitter Web App"),
    "mastodon": ("Web", "Tusky", "Ivory"),
}
SHORT_REPLIES = ("Helemaal mee eens", "Haha zeker", "See you there", "Klopt!", "Same here", "Mooi!")


@dataclass(frozen=True, slots=True)
class Post:
    account: Account
    id: str
    time: float
    text: str  # plain text; "@handle" mentions and "#tag" hashtags inline
    lang: str
    mentions: tuple[Account, ...]
    tags: tuple[str, ...]
    reply_to: Post | None
    repost_of: Post | None
    point: tuple[float, float] | None  # exact (lat, lon) geotag
    town: bool  # tagged with the town as a Twitter place
    visibility: str  # Mastodon: public | unlisted | private
    client: str


@dataclass
class PostState:
    """Each account's latest original post, for replies and reposts on later days."""

    latest: dict[str, Post] = field(default_factory=dict)
    peers: dict[str, list[Account]] = field(default_factory=dict)  # cache per account id

    def update(self, posts: list[Post]) -> None:
        for post in posts:
            if post.reply_to is None and post.repost_of is None:
                self.latest[post.account.id] = post


def post_id(rng: random.Random, platform: str, when: float) -> str:
    ms = int(when * 1000)
    if platform == "twitter":
        return str(
            ((ms - TWITTER_EPOCH_MS) << 22) | (rng.randrange(1024) << 12) | rng.randrange(4096)
        )
    return str((ms << 16) | rng.randrange(65536))


def handle_in(text_author: Account, other: Account) -> str:
    """How a mention is typed: Mastodon adds the server for remote accounts."""
    if other.platform == "mastodon" and other.instance != text_author.instance:
        return f"@{other.handle}@{other.instance}"
    return f"@{other.handle}"


def _peers(world: World, cast: Cast, account: Account) -> list[Account]:
    """Accounts of the author's contacts on the same platform; meeting partners first."""
    partners = {p for m in world.meetings if account.person in m.people for p in m.people}
    friends = {f for f, _ in cast.contacts.friends.get(account.person, ())} | partners
    peers = [a for a in cast.accounts if a.platform == account.platform and a.person in friends]
    peers.sort(key=lambda a: (a.person not in partners, a.id))
    return [a for a in peers if a.person != account.person]


def _geo(rng: random.Random, track: Track | None, when: float) -> tuple[float, float] | None:
    if track is None or rng.random() >= 0.15:
        return None
    for segment in track.segments:
        if segment.start <= when < segment.end:
            if isinstance(segment, Move):
                return position(segment.leg, when)
            return segment.place.lat, segment.place.lon
    return None


@dataclass(frozen=True, slots=True)
class _Body:
    text: str
    lang: str
    mentions: tuple[Account, ...] = ()
    tags: tuple[str, ...] = ()
    reply_to: Post | None = None
    repost_of: Post | None = None


def _original(rng: random.Random, world: World, account: Account, peers: list[Account]) -> _Body:
    """A templated post, sometimes mentioning a contact and carrying a hashtag."""
    lang = "nl" if rng.random() < 0.65 else "en"
    haunts = world.persons[account.person].routine.haunts
    place = world.places[rng.choice(haunts)].name if haunts else "de markt"
    template = rng.choice(POSTS_NL if lang == "nl" else POSTS_EN)
    text = fill(rng, template, place=place, site=rng.choice(world.anpr).name)
    mentions: tuple[Account, ...] = ()
    if peers and rng.random() < 0.3:
        other = peers[0] if rng.random() < 0.5 else rng.choice(peers)
        mentions = (other,)
        text = f"{text} {'met' if lang == 'nl' else 'with'} {handle_in(account, other)}"
    tags: tuple[str, ...] = ()
    if rng.random() < 0.4:
        tags = (rng.choice(HASHTAGS),)
        text = f"{text} #{tags[0]}"
    return _Body(text, lang, mentions, tags)


def _body(
    rng: random.Random, world: World, account: Account, peers: list[Account], state: PostState
) -> _Body:
    """A reply to or a repost of a contact's latest post, or an original post."""
    roll, targets = rng.random(), [state.latest[p.id] for p in peers if p.id in state.latest]
    if targets and roll < 0.15:
        target = rng.choice(targets)
        text = f"{handle_in(account, target.account)} {rng.choice(SHORT_REPLIES)}"
        return _Body(text, target.lang, (target.account,), reply_to=target)
    if targets and roll < 0.25:
        target = rng.choice(targets)
        text = (
            f"RT @{target.account.handle}: {target.text}" if account.platform == "twitter" else ""
        )
        return _Body(text, target.lang, (target.account,), repost_of=target)
    return _original(rng, world, account, peers)


def _post(
    rng: random.Random, account: Account, when: float, body: _Body, track: Track | None
) -> Post:
    geo = _geo(rng, track, when) if body.repost_of is None else None
    town = geo is None and rng.random() < 0.1 and account.platform == "twitter"
    visibility = rng.choices(("public", "unlisted", "private"), (85, 10, 5))[0]
    return Post(
        account,
        post_id(rng, account.platform, when),
        when,
        body.text,
        body.lang,
        body.mentions,
        body.tags,
        body.reply_to,
        body.repost_of,
        geo,
        town,
        visibility,
        rng.choice(CLIENTS[account.platform]),
    )


def day_posts(
    world: World, cast: Cast, day: int, tracks: dict[str, Track], state: PostState
) -> list[Post]:
    out: list[Post] = []
    for account in cast.accounts:
        rng = derive_rng(world.seed, "posts", account.platform, account.id, day)
        count = poisson(rng, account.rate)
        if not count:
            continue
        peers = state.peers.get(account.id)
        if peers is None:
            peers = state.peers[account.id] = _peers(world, cast, account)
        times = sorted(
            local_epoch(day, rng.uniform(7 * 60, 23 * 60 + 30) * 60) for _ in range(count)
        )
        track = tracks.get(account.person)
        for when in times:
            out.append(_post(rng, account, when, _body(rng, world, account, peers, state), track))
    state.update(out)
    out.sort(key=lambda p: (p.time, p.id))
    return out
