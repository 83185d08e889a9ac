"""Person names as comparable parts: folded to ASCII, given names to a canonical form.

Resolution compares names written by different systems: passports in Latin capitals,
phone books with nicknames ("Bill"), Cyrillic originals, "Surname, Given" or
"Surname Given" order, and initials ("Petra Z."). Everything here is deterministic and
offline; the tables are small, general equivalences, not tuned to any dataset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii

# Given names that are the same name: nicknames and transliterations. Each group maps to
# its first member. Extend by adding a group; a name belongs to one group only.
_GIVEN_GROUPS = (
    (
        "alexander",
        "aleksandr",
        "oleksandr",
        "olexander",
        "alexandr",
        "aleksander",
        "sasha",
        "sacha",
        "alex",
        "sanya",
    ),
    ("william", "bill", "billy", "will", "willy"),
    ("robert", "bob", "bobby", "rob", "robbie"),
    ("richard", "dick", "rick", "rich"),
    ("elizabeth", "liz", "beth", "betty", "eliza"),
    ("katherine", "catherine", "kate", "katie", "kathy"),
    ("katarzyna", "kasia"),
    ("margaret", "maggie", "meg", "peggy"),
    ("james", "jim", "jimmy", "jamie"),
    ("john", "johnny", "jack"),
    ("joseph", "joe", "joey"),
    ("michael", "mike", "mikey", "mikhail", "mykhailo", "misha"),
    ("nicholas", "nick", "nicky", "nikolai", "nikolay", "mykola"),
    ("dmitri", "dmitry", "dmytro", "dimitri", "dimitris", "dima"),
    ("george", "georgiy", "georgii", "heorhiy", "giorgos"),
    ("peter", "pete", "petr", "petro"),
    ("thomas", "tom", "tommy"),
    ("anthony", "tony"),
    ("daniel", "dan", "danny", "danylo"),
    ("andrew", "andy", "andrei", "andriy"),
    ("sergei", "sergey", "serhiy", "serhii"),
    ("elena", "olena", "yelena", "jelena", "lena"),
    ("anastasia", "nastya", "anastasiya"),
    ("natalia", "natalya", "nataliya", "natasha"),
    ("maria", "mariya", "masha"),
    ("sofia", "sophia", "sofiya"),
    ("yusuf", "yousef", "youssef"),
)
GIVEN_CANONICAL: dict[str, str] = {n: group[0] for group in _GIVEN_GROUPS for n in group}

# Text that names several people ("Xenia & Rosa", "Mum and Dad") is not one person.
_GROUP = re.compile(r"(&|\+|/|\band\b|\ben\b|\bund\b|\bet\b)", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"^\(.*\)$")  # "(owner of P0003-sms.xml)": no name at all
_TOKEN = re.compile(r"[a-z0-9']+")


@dataclass(frozen=True)
class NameParts:
    """A name ready for comparison; None parts are unknown, never guessed."""

    folded: str | None  # ASCII, lower case, tokens in written order
    given: str | None  # canonical given name (nicknames and transliterations folded)
    surname: str | None  # folded surname; None when only an initial was written
    surname_initial: str | None
    surname_key: str | None  # a transliteration skeleton of the surname
    tokens_key: str | None  # sorted canonical tokens (swapped order is equal); needs a surname
    group: bool = False  # the text names several people


NO_NAME = NameParts(None, None, None, None, None, None)


def fold(text: str) -> str:
    """ASCII lower case with single spaces ("Brisković" -> "briskovic")."""
    return " ".join(_TOKEN.findall(anyascii(text).lower().replace("'", "")))


def canonical_given(token: str) -> str:
    return GIVEN_CANONICAL.get(token, token)


@lru_cache(maxsize=1 << 16)
def name_parts(raw: str | None) -> NameParts:
    """Split a written name; "Surname, Given" is reordered, initials kept as initials."""
    if raw is None or not raw.strip() or _PLACEHOLDER.match(raw.strip()):
        return NO_NAME
    if _GROUP.search(anyascii(raw)):
        return NameParts(fold(raw) or None, None, None, None, None, None, group=True)
    text = raw
    if "," in text:  # "Altenveld, Mara": the surname is written first
        head, _, tail = text.partition(",")
        text = f"{tail} {head}"
    tokens = fold(text).split()
    if not tokens:
        return NO_NAME
    given = canonical_given(tokens[0])
    rest = tokens[1:]
    surname_tokens = [t for t in rest if len(t) > 1]
    initial = rest[0][0] if rest else None
    surname = " ".join(surname_tokens) or None
    canonical = sorted([given, *surname_tokens, *(t for t in rest if len(t) == 1)])
    return NameParts(
        folded=" ".join(tokens),
        given=given,
        surname=surname,
        surname_initial=initial,
        surname_key=skeleton(surname) if surname else None,
        tokens_key=" ".join(canonical) if surname else None,  # given-only names are weak
    )


# Letters that transliteration systems write differently for one sound: Ukrainian
# "Hrytsenkov" and Russian "Gritsenkov", "Aleksandr" and "Alexander".
_SKELETON_RULES = (
    ("kh", "h"),
    ("x", "ks"),
    ("ck", "k"),
    ("ph", "f"),
    ("w", "v"),
    ("g", "h"),
    ("j", "i"),
    ("y", "i"),
    ("c", "k"),
    ("q", "k"),
)
_VOWELS = re.compile(r"[aeiou]+")


def skeleton(surname: str) -> str:
    """Consonant skeleton after folding spelling variants; vowels collapse to one mark."""
    text = surname.replace(" ", "").replace("-", "")
    for old, new in _SKELETON_RULES:
        text = text.replace(old, new)
    text = re.sub(r"(.)\1+", r"\1", text)
    return _VOWELS.sub("a", text)


# Account handles and e-mail local parts often spell their holder's name: "ealtenvel72"
# is E. Altenveld, "eva_alte" Eva Alte…, "a.gritsenkov" A. Gritsenkov. The platforms whose
# identifiers carry a handle chosen by the holder, and the letters a handle must reveal.
HANDLE_PLATFORMS = ("twitter", "mastodon", "email")
SOCIAL_PLATFORMS = ("twitter", "mastodon")
MIN_STEM = 5  # letters of a handle that spell a name: an initial and four of the surname
MIN_SURNAME_LETTERS = 4
_TRAILING_DIGITS = re.compile(r"\d+$")
_LETTERS = re.compile(r"[^a-z]")


@dataclass(frozen=True)
class Handle:
    """The handle of one identifier: as written (for reuse across platforms) and its
    letters without the trailing number (for spelling a name)."""

    platform: str
    text: str
    stem: str


def handle_of(identifier: str) -> Handle | None:
    """ "twitter:ealtenvel72" -> ealtenvel72 / ealtenvel; "mastodon:x@host" -> x; an
    e-mail address -> its local part. Other identifiers have no handle."""
    platform, _, value = identifier.partition(":")
    if platform not in HANDLE_PLATFORMS or not value:
        return None
    text = fold(value.split("@", 1)[0].replace(".", " ").replace("_", " ")).replace(" ", "")
    stem = _LETTERS.sub("", _TRAILING_DIGITS.sub("", text))
    return Handle(platform, text, stem) if len(stem) >= MIN_STEM else None


def _heads(parts: NameParts) -> set[str]:
    """How a handle may begin for this name: the given name as written, canonical, or its
    initial."""
    assert parts.folded is not None and parts.given is not None
    written = _LETTERS.sub("", parts.folded.split()[0])
    return {h for h in (written, written[:1], _LETTERS.sub("", parts.given)) if h}


def spellings(parts: NameParts) -> set[str]:
    """The ways a handle spells this name: the given name (as written or canonical) or its
    initial, then the surname or at least its first four letters ("evaalte", "ealtenvel")."""
    if parts.folded is None or parts.given is None or parts.surname is None:
        return set()
    surname = _LETTERS.sub("", parts.surname)
    if len(surname) < MIN_SURNAME_LETTERS:
        return set()
    return {
        head + surname[:end]
        for head in _heads(parts)
        for end in range(MIN_SURNAME_LETTERS, len(surname) + 1)
    }


# Transliterations of one given name ("Oleksandr" of "Aleksandr"): a handle may start with
# any of them; nicknames of fewer than five letters ("Alex", "Sasha") are not spelt out.
GIVEN_VARIANTS: dict[str, tuple[str, ...]] = {
    group[0]: tuple(n for n in group if len(n) >= MIN_STEM) for group in _GIVEN_GROUPS
}


def spelling_keys(parts: NameParts) -> frozenset[str]:
    """What a handle spelling this name looks like, as "head|surname skeleton": the heads of
    `spellings` and the given name's transliterations, then the skeleton of four or more
    letters of the surname. A handle transliterating the surname another way ("hryt" for
    "Grit...") has the same skeleton; `handle_keys` cuts handles alike."""
    if parts.folded is None or parts.given is None or parts.surname is None:
        return frozenset()
    return _spelling_keys(parts)


@lru_cache(maxsize=1 << 16)
def _spelling_keys(parts: NameParts) -> frozenset[str]:
    surname = _LETTERS.sub("", parts.surname or "")
    if len(surname) < MIN_SURNAME_LETTERS:
        return frozenset()
    heads = _heads(parts) | set(GIVEN_VARIANTS.get(parts.given or "", ()))
    tails = {skeleton(surname[:end]) for end in range(MIN_SURNAME_LETTERS, len(surname) + 1)}
    return frozenset(
        f"{head}|{tail}" for head in heads for tail in tails if len(tail) >= MIN_SURNAME_LETTERS
    )


def handle_keys(stem: str) -> set[str]:
    """Every cut of a handle into a head and a skeleton of at least four letters after it."""
    cuts = ((stem[:cut], skeleton(stem[cut:])) for cut in range(1, len(stem)))
    return {f"{head}|{tail}" for head, tail in cuts if len(tail) >= MIN_SURNAME_LETTERS}
