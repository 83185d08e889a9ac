"""The corruption real registers show in a duplicate record of a person: typos, nicknames,
transliterations (Latin and Cyrillic), swapped name order, dropped accents, capitals,
missing or mistyped dates of birth, missing or new phone, e-mail and document, a move.
Each returns the changed person, or None where it does not apply.
"""

from __future__ import annotations

import random
import unicodedata
from bisect import bisect
from collections.abc import Callable
from datetime import date
from itertools import accumulate

from bench.person_names import (
    CYRILLIC,
    EARLIEST,
    KEYBOARD,
    LATEST,
    SURNAME_TRANSLIT,
    Person,
    Vocabulary,
    phone_number,
)


def _typo(rng: random.Random, text: str) -> str | None:
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if len(letters) < 3:
        return None
    i = rng.choice(letters[1:])
    c = text[i].lower()
    row = next((r for r in KEYBOARD if c in r), "")
    near = [row[j] for j in (row.find(c) - 1, row.find(c) + 1) if row and 0 <= j < len(row)]
    op = rng.randrange(4)
    if op == 0 and near:
        return text[:i] + rng.choice(near) + text[i + 1 :]
    if op == 1:
        return text[:i] + text[i + 1 :]
    if op == 2 and i + 1 < len(text) and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + text[i] + text[i:]  # doubled letter


def typo_surname(rng: random.Random, vocab: Vocabulary, p: Person) -> Person | None:
    surname = _typo(rng, p.surname)
    return p._replace(surname=surname) if surname else None


def typo_given(rng: random.Random, vocab: Vocabulary, p: Person) -> Person | None:
    given = _typo(rng, p.given)
    return p._replace(given=given) if given else None


def nickname(rng: random.Random, vocab: Vocabulary, p: Person) -> Person | None:
    if vocab.kind.get(p.given) != "nickname":
        return None
    return p._replace(given=rng.choice(vocab.variants[p.given]))


def transliteration(rng: random.Random, vocab: Vocabulary, p: Person) -> Person | None:
    """Another spelling of a transliterated name; sometimes the surname too, or the
    whole name in Cyrillic script."""
    surname = p.surname
    rules = [(a, b) for a, b in SURNAME_TRANSLIT if a in surname.lower()]
    if rules:
        old, new = rng.choice(rules)
        surname = surname.replace(old, new).replace(old.capitalize(), new.capitalize())
    if vocab.kind.get(p.given) != "transliteration":
        return p._replace(surname=surname) if surname != p.surname else None
    if rng.random() < 0.15:
        return p._replace(given=_cyrillic(p.given), surname=_cyrillic(p.surname))
    return p._replace(given=rng.choice(vocab.variants[p.given]), surname=surname)


def _cyrillic(text: str) -> str:
    out, low, i = [], text.lower(), 0
    while i < len(low):
        for latin, cyr in CYRILLIC:
            if low.startswith(latin, i):
                out.append(cyr)
                i += len(latin)
                break
        else:
            out.append(low[i])
            i += 1
    return "".join(out).title()


def swap_order(rng: random.Random, vocab: Vocabulary, p: Person) -> Person | None:
    return p._replace(given=p.surname, surname=p.given)


def drop_accents(rng: random.Random, vocab: Vocabulary, p: Person) -> Person | None:
    plain = unicodedata.normalize("NFKD", p.surname).encode("ascii", "ignore").decode()
    return p._replace(surname=plain) if plain != p.surname else None


def capitals(rng: random.Random, vocab: Vocabulary, p: Person) -> Person | None:
    return p._replace(given=p.given.upper(), surname=p.surname.upper())


def missing_dob(rng: random.Random, vocab: Vocabulary, p: Person) -> Person | None:
    return p._replace(born=None) if p.born else None


def dob_digit(rng: random.Random, vocab: Vocabulary, p: Person) -> Person | None:
    if not p.born:
        return None
    text = p.born.isoformat()
    for _ in range(10):
        i = rng.choice((2, 3, 5, 6, 8, 9))
        typed = text[:i] + str(rng.randrange(10)) + text[i + 1 :]
        try:
            born = date.fromisoformat(typed)
        except ValueError:
            continue
        if born != p.born and EARLIEST.replace(year=1900) <= born <= LATEST:
            return p._replace(born=born)
    return None


def dob_day_month(rng: random.Random, vocab: Vocabulary, p: Person) -> Person | None:
    if not p.born or p.born.day > 12 or p.born.day == p.born.month:
        return None
    return p._replace(born=p.born.replace(month=p.born.day, day=p.born.month))


def missing_phone(rng: random.Random, vocab: Vocabulary, p: Person) -> Person | None:
    return p._replace(phone="") if p.phone else None


def new_phone(rng: random.Random, vocab: Vocabulary, p: Person) -> Person | None:
    return p._replace(phone=phone_number(rng, 2 * p.idx + 1))


def missing_email(rng: random.Random, vocab: Vocabulary, p: Person) -> Person | None:
    return p._replace(email="") if p.email else None


def missing_document(rng: random.Random, vocab: Vocabulary, p: Person) -> Person | None:
    return p._replace(document="") if p.document else None


def moved(rng: random.Random, vocab: Vocabulary, p: Person) -> Person | None:
    city = vocab.cities.draw(rng)
    return p._replace(city=city) if city != p.city else None


Corruption = Callable[[random.Random, Vocabulary, Person], Person | None]
CORRUPTIONS: tuple[tuple[Corruption, int], ...] = (
    (typo_surname, 20),
    (typo_given, 10),
    (nickname, 12),
    (transliteration, 10),
    (swap_order, 6),
    (drop_accents, 4),
    (capitals, 4),
    (missing_dob, 10),
    (dob_digit, 6),
    (dob_day_month, 4),
    (missing_phone, 12),
    (new_phone, 2),
    (missing_email, 10),
    (missing_document, 8),
    (moved, 5),
)
_CORRUPT_CUM = list(accumulate(w for _f, w in CORRUPTIONS))


def pick(rng: random.Random) -> Corruption:
    """One corruption, drawn by its weight."""
    return CORRUPTIONS[bisect(_CORRUPT_CUM, rng.random() * _CORRUPT_CUM[-1])][0]
