"""Identifiers in prose, found by rules: phone numbers, e-mail addresses, @handles, known
plates. Each yields character spans into the text.

Rules link only what they can name without guessing: a phone number needs its country
code (national numbers are skipped, as ingest refuses them without a region), a plate
only counts when the ledger already holds it, and a bare @handle only where the platform
says whose handle it is. Flights are in `flights`: they need the names found first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers

from ingest.mentions.gazetteer import Gazetteer
from ingest.mentions.reading import Text
from ingest.mentions.spans import CONFIDENCE, Mention, Target, ambiguous
from schemas.errors import InvalidValue
from schemas.types import REGISTRY

URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
HASHTAG = re.compile(r"(?<![\w&])#\w+")  # not "C#" nor "&#39;"
# Not after a letter, dot or "@": "@ana@host.social" is a handle, not the address ana@host.
EMAIL = re.compile(
    r"(?<![\w.+@-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
HANDLE = re.compile(
    r"(?<![\w@.])@([A-Za-z0-9_]{1,30})(?:@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+))?(?![\w@])"
)
_WORD = re.compile(r"[A-Za-z0-9]+")
PLATE_SEPARATORS = frozenset(" -·.")
PLATE_GROUPS = 4  # "AB-123-C", "12 ABC 3"; more groups are not one plate


def blocked(text: str) -> list[tuple[int, int]]:
    """URLs and hashtags: "/@user/123" in a link is not a mention, nor any name inside
    it; a tag ("#koffie") is kept as the post's tag, and models read tags as names."""
    return [m.span() for pattern in (URL, HASHTAG) for m in pattern.finditer(text)]


def find(text: Text, gazetteer: Gazetteer) -> Iterator[Mention]:
    yield from _phones(text.text, gazetteer)
    yield from _emails(text.text, gazetteer)
    yield from _handles(text, gazetteer)
    yield from _plates(text.text, gazetteer)


def _rule(start: int, end: int, label: str, target: Target, confidence: float) -> Mention:
    return Mention(start, end, label, "rule", confidence, target)


def _phones(text: str, gazetteer: Gazetteer) -> Iterator[Mention]:
    # With no region only numbers written with their country code (+31 …) are found.
    for match in phonenumbers.PhoneNumberMatcher(text, None):
        try:
            number = REGISTRY["phone"].clean("Phone.number", match.raw_string)
        except InvalidValue:
            continue
        target = gazetteer.target("Phone", number=number)
        if target is not None:
            yield _rule(match.start, match.end, "PHONE", target, CONFIDENCE["PHONE"])


def _emails(text: str, gazetteer: Gazetteer) -> Iterator[Mention]:
    for match in EMAIL.finditer(text):
        target = gazetteer.target("Account", platform="email", handle=match[0])
        if target is not None:
            yield _rule(*match.span(), "EMAIL", target, CONFIDENCE["EMAIL"])


def _handles(text: Text, gazetteer: Gazetteer) -> Iterator[Mention]:
    for match in HANDLE.finditer(text.text):
        targets = _handle_targets(text, match[1].lower(), (match[2] or "").lower(), gazetteer)
        for target in targets:
            confidence = ambiguous(CONFIDENCE["HANDLE"], len(targets))
            yield _rule(*match.span(), "HANDLE", target, confidence)


def _handle_targets(text: Text, user: str, host: str, gazetteer: Gazetteer) -> list[Target]:
    """`@user@host` is a fediverse account; a bare `@user` is the post's platform's
    (on Mastodon: of the author's server); elsewhere only a known handle counts."""
    if not host and text.platform == "mastodon":
        host = gazetteer.hosts.get(text.node_id, "")
    if host:
        found = gazetteer.target("Account", platform="mastodon", handle=f"{user}@{host}")
    elif text.platform == "twitter":
        found = gazetteer.target("Account", platform="twitter", handle=user)
    else:
        return list(gazetteer.handles.get(user, []))
    return [found] if found is not None else []


def _plates(text: str, gazetteer: Gazetteer) -> Iterator[Mention]:
    """Known plates only, however they are spaced: "AB-123-C", "ab 123 c"."""
    if not gazetteer.plates:
        return
    words = list(_WORD.finditer(text))
    i = 0
    while i < len(words):
        last, plate = _longest_plate(text, words, i, gazetteer)
        if plate is None:
            i += 1
            continue
        span = (words[i].start(), words[last].end())
        for target in gazetteer.plates[plate]:
            confidence = ambiguous(CONFIDENCE["PLATE"], len(gazetteer.plates[plate]))
            yield _rule(*span, "PLATE", target, confidence)
        i = last + 1


def _longest_plate(
    text: str, words: list[re.Match[str]], first: int, gazetteer: Gazetteer
) -> tuple[int, str | None]:
    """The most words from `first` on that join into a known plate. The words are joined
    as PlateType cleans (separators dropped, upper case) and each step must still begin a
    known plate, so a word costs one set lookup; a hit is confirmed by PlateType itself."""
    found: tuple[int, str | None] = (first, None)
    joined = ""
    for last in range(first, min(first + PLATE_GROUPS, len(words))):
        if last > first and not _joined(text, words[last - 1], words[last]):
            break
        joined += words[last][0].upper()
        if joined not in gazetteer.plate_prefixes:  # most words end the search here
            break
        if joined in gazetteer.plates and _plate(text[words[first].start() : words[last].end()]):
            found = (last, joined)
    return found


def _plate(written: str) -> bool:
    if not any(c.isdigit() for c in written):  # a word is not a plate, even if known
        return False
    try:
        REGISTRY["plate"].clean("Vehicle.plate", written)
    except InvalidValue:
        return False
    return True


def _joined(text: str, left: re.Match[str], right: re.Match[str]) -> bool:
    gap = text[left.end() : right.start()]
    return len(gap) == 1 and gap in PLATE_SEPARATORS
