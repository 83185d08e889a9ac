"""Synthetic person records with labelled duplicates, for benchmarking entity resolution.

`python -m bench.person_records OUT.csv --records 1000000 --seed 1` writes a CSV with
record_id, true_id (the label), given_name, surname, date_of_birth (ISO), phone (E.164),
email, document and city. Why synthetic: the repository holds no real personal data, and
a resolver can only be scored on data whose truth is known.

The population looks like a real one where it matters to resolution: a few thousand given
names and tens of thousands of surnames with skewed (Zipf) frequencies, so name blocks
stay small but common names still collide. About a quarter of the people have one to four
duplicate records carrying the corruption real registers show: typos, nicknames
(Bill / William), transliterations (Aleksandr / Oleksandr, Cyrillic script), swapped name
order, dropped accents, capitals, missing or mistyped dates of birth (one digit, day and
month swapped), missing phone / e-mail / document, a new phone number, a move. Planted
look-alikes must stay apart: namesakes (same name, another date of birth) and families
sharing one phone (same surname and phone, another given name).

Same records and seed give a byte-identical file. Generation streams: people are made one
at a time and shuffled in bounded chunks, so memory does not grow with the record count.
"""

from __future__ import annotations

import argparse
import csv
import random
import time
import unicodedata
from bisect import bisect
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple

COLUMNS = [
    "record_id",
    "true_id",
    "given_name",
    "surname",
    "date_of_birth",
    "phone",
    "email",
    "document",
    "city",
]
CHUNK = 50_000  # records shuffled together before writing
DUPLICATE_RATE = 0.25  # people with at least one duplicate record
DUPLICATES = ((1, 55), (2, 25), (3, 12), (4, 8))  # how many duplicates, weighted
_DUPLICATE_CUM = list(accumulate(w for _n, w in DUPLICATES))
NAMESAKE_RATE = 0.015
FAMILY_PHONE_RATE = 0.015
EARLIEST, LATEST = date(1935, 1, 1), date(2007, 12, 31)
_FIRST_DAY, _DAYS = EARLIEST.toordinal(), (LATEST - EARLIEST).days + 1


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    """ "a>b c>d" -> (("a", "b"), ("c", "d"))"""
    return tuple((old, new) for old, _, new in (w.partition(">") for w in text.split()))


def _groups(text: str) -> tuple[tuple[str, ...], ...]:
    """ "a b | c d" -> (("a", "b"), ("c", "d"))"""
    return tuple(_words(group) for group in text.split("|"))


# A formal given name first, then the nicknames people are also written under.
NICKNAMES = _groups(
    """William Bill Will Billy | Robert Bob Rob Bobby | Richard Rick Dick Richie
    | Elizabeth Liz Beth Betty | Katherine Kate Kathy Katie | Margaret Maggie Peggy Meg
    | James Jim Jimmy Jamie | John Jack Johnny | Joseph Joe Joey | Michael Mike Mick
    | Nicholas Nick Nicky | Thomas Tom Tommy | Anthony Tony | Daniel Dan Danny
    | Andrew Andy Drew | Edward Ed Ted Eddie | Charles Charlie Chuck | Christopher Chris
    | Matthew Matt | Steven Steve | Benjamin Ben | Samuel Sam | Jennifer Jen Jenny
    | Patricia Pat Trish | Johannes Hans Jan | Hendrik Henk Rik | Cornelis Kees
    | Giuseppe Beppe | Francisco Paco"""
)
# One name as different languages and transliteration systems write it.
TRANSLITERATIONS = _groups(
    """Aleksandr Oleksandr Alexander Aleksander Alexandr | Dmitri Dmitry Dmytro Dmitrij
    | Sergei Sergey Serhiy Serhii | Yelena Olena Elena Jelena | Mikhail Mykhailo Michail
    | Nikolai Mykola Nikolay | Andrei Andriy Andrey | Yuri Yurii Iurii Jurij
    | Natalia Natalya Nataliya | Tatiana Tetiana Tatyana | Olga Olha | Pavel Pavlo
    | Anastasia Anastasiya | Maria Mariya | Yusuf Yousef Youssef
    | Mohammed Muhammad Mohamed Mohammad | Viktor Wiktor | Vladimir Volodymyr Wladimir
    | Yevgeny Yevhen Evgeny | Ekaterina Kateryna Yekaterina | Aleksei Oleksiy Alexei Alexey
    | Svetlana Svitlana | Ahmed Ahmad"""
)
OTHER_GIVEN = _words(
    """Anna Emma Sophie Julia Lotte Eva Sanne Lisa Femke Iris Noor Fleur Sara Laura Lieke
    Petra Ingrid Greta Helga Ursula Monika Sabine Claudia Karin Birgit Astrid Sigrid Marta
    Katarzyna Agnieszka Magdalena Joanna Ewa Zofia Helena Ioana Elif Zeynep Ayse Fatma Emine
    Hatice Fatima Aisha Amira Leila Yasmin Nadia Clara Lucia Carmen Rosa Isabel Ines Beatriz
    Chiara Giulia Francesca Valentina Elisa Camille Chloe Manon Pauline Juliette Alice
    Charlotte Olivia Amelia Grace Emily Hannah Lucy Mia Freya Mette Karen Hanne Siobhan Aoife
    Niamh Xenia Britt Vera Daan Joris Pieter Sander Bram Thijs Ruben Lars Jesse Niels Bas Stijn
    Koen Wouter Maarten Gijs Jeroen Klaus Jurgen Dieter Stefan Markus Tobias Lukas Felix Jonas
    Sven Erik Magnus Anders Nils Olaf Piotr Tomasz Krzysztof Pawel Marek Jakub Wojciech Adam
    Bogdan Ion Mihai Florin Emre Mehmet Mustafa Ali Hasan Ibrahim Omar Karim Hamza Rui Pedro
    Luis Carlos Javier Miguel Pablo Diego Marco Luca Matteo Lorenzo Giorgos Nikos Dimitris
    Kostas Yannis Pierre Louis Hugo Lucas Antoine Julien Oliver Harry George Jacob Oscar Noah
    Liam Ethan Connor Sean Patrick Declan Rowan Ahmet Burak Can"""
)
_ONSETS = _words("b br d dr f fr g gr h k kr kl l m n p pr r s st sl sch t tr v w z ch sh j bl")
_VOWELS = _words("a e i o u a e o ei oe aa ie y")
_CODAS = ("", "", "", *_words("n r l s k m t rn nd st ck"))
_SURNAME_ENDS = _words(
    """veld meer dijk huis berg hoven kamp man sma stra link horst beek donk wijk zand
    mann stein feld sson sen lund strom dahl holm gaard enko ov ova ski ska sky chuk vich
    iak czyk shyn kov ovich ets elli etti ini ez es ano ado eira escu opoulos akis idis oni
    son ton ley wood ford ham well by more field worth oglu er kaya dag soy han"""
)
_GIVEN_ONSETS = _words("b d f g h j k l m n p r s t v z br dr kr st tr")
_GIVEN_VOWELS = _words("a e i o u a e i o")
_GIVEN_ENDS = _words("na ra lo ran len mir sek ko ta dor lis nia rin vin la mo nek tte")
_BLOCKED = _words("fuc shit cunt nig fag cock piss slut whor rape")
_CITY_ENDS = _words("dam burg stad wijk hoven drecht mond veen horst ingen heim kirchen")
_PARTICLES = ("van", "van der", "de", "van den", "ter")
_ACCENTS = dict(zip("csoeuazn", "ćšöéüážñ", strict=True))
_KEYBOARD = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_SURNAME_TRANSLIT = _pairs("kh>h ov>off ov>ow v>w y>i j>y ks>x ts>tz sch>sh sky>ski ph>f c>k")
# Latin to Cyrillic, longest spellings first.
_CYRILLIC = _pairs(
    "shch>щ kh>х zh>ж ch>ч sh>ш ts>ц yu>ю ya>я ye>е x>кс a>а b>б v>в g>г d>д e>е "  # noqa: RUF001
    "z>з i>и k>к l>л m>м n>н o>о p>п r>р s>с t>т u>у f>ф h>х y>ы j>й c>ц w>в"  # noqa: RUF001
)
DOMAINS = _words(
    """mail.example inbox.example.org post.example.net webmail.example.com online.example.nl
    gmx.example.de outlook.example yahoo.example proton.example kpn.example telenet.example.be
    wp.example.pl ukr.example.net orange.example.fr libero.example.it web.example.de"""
)
# Mobile ranges that parse as valid numbers: country code, national prefix, digits after it.
PHONE_PLANS = (
    ("+316", 8, 50),
    ("+4915", 9, 12),
    ("+447", 9, 10),
    ("+336", 8, 8),
    ("+3247", 7, 5),
    ("+485", 8, 5),
    ("+38067", 7, 5),
    ("+90532", 7, 5),
)
_PLAN_CUM = list(accumulate(w for _p, _d, w in PHONE_PLANS))


class Person(NamedTuple):
    idx: int
    given: str
    surname: str
    born: date | None
    phone: str
    email: str
    document: str
    city: str

    @property
    def true_id(self) -> str:
        return f"E{self.idx:07d}"


@dataclass
class Summary:
    """What one run wrote: people, their duplicates and the planted look-alikes."""

    records: int = 0
    entities: int = 0
    with_duplicates: int = 0
    duplicates: int = 0
    namesakes: int = 0
    family_phones: int = 0
    corruptions: dict[str, int] = field(default_factory=dict)


class Weighted:
    """Draw from a list with precomputed Zipf weights (rank k has weight (k + 5)^-s)."""

    def __init__(self, items: Sequence[str], s: float) -> None:
        self.items = list(items)
        self.cum = list(accumulate((k + 5) ** -s for k in range(len(self.items))))
        self.total = self.cum[-1]

    def draw(self, rng: random.Random) -> str:
        return self.items[bisect(self.cum, rng.random() * self.total)]


@dataclass(frozen=True)
class Vocabulary:
    given: Weighted
    surnames: Weighted
    cities: Weighted
    domains: Weighted
    variants: dict[str, tuple[str, ...]]  # given name -> names it is also written as
    kind: dict[str, str]  # given name -> "nickname" or "transliteration"


def vocabulary(seed: int, given: int = 3000, surnames: int = 40_000) -> Vocabulary:
    rng = random.Random(f"vocabulary-{seed}")
    variants, kind = _variant_table()
    real = sorted({*OTHER_GIVEN, *(group[0] for group in (*NICKNAMES, *TRANSLITERATIONS))})
    rng.shuffle(real)  # real names are the common ones, in no particular order
    made = _unique(lambda: _given(rng), given - len(real), real)
    family = _unique(lambda: _surname(rng), surnames, ())
    cities = _unique(lambda: _syllables(rng, 1) + rng.choice(_CITY_ENDS), 400, ())
    return Vocabulary(
        Weighted(real + made, 0.9),
        Weighted(family, 0.75),
        Weighted(cities, 1.0),
        Weighted(DOMAINS, 1.0),
        variants,
        kind,
    )


def _variant_table() -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    variants: dict[str, tuple[str, ...]] = {}
    kind: dict[str, str] = {}
    for what, groups in (("nickname", NICKNAMES), ("transliteration", TRANSLITERATIONS)):
        for group in groups:
            for name in group:
                variants[name] = tuple(n for n in group if n != name)
                kind[name] = what
    return variants, kind


def _unique(make: Callable[[], str], count: int, taken: Sequence[str]) -> list[str]:
    seen, out = set(taken), list[str]()
    while len(out) < count:
        name = make()
        if name not in seen and not any(b in name.lower() for b in _BLOCKED):
            seen.add(name)
            out.append(name)
    return out


def _syllables(rng: random.Random, count: int) -> str:
    text = "".join(
        rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(count)
    )
    return text.capitalize()


def _given(rng: random.Random) -> str:
    """A made-up given name: two simple syllables and a name-like ending ("Mareko")."""
    syllables = (rng.choice(_GIVEN_ONSETS) + rng.choice(_GIVEN_VOWELS) for _ in range(2))
    return ("".join(syllables) + rng.choice(_GIVEN_ENDS)).capitalize()


def _surname(rng: random.Random) -> str:
    name = _syllables(rng, rng.choice((1, 1, 2))) + rng.choice(_SURNAME_ENDS)
    if rng.random() < 0.04:
        name = "".join(_ACCENTS.get(c, c) if rng.random() < 0.3 else c for c in name)
    if rng.random() < 0.03:
        name = f"{name}-{_syllables(rng, 1)}"
    if rng.random() < 0.05:
        name = f"{rng.choice(_PARTICLES)} {name}"
    return name


def _birth(rng: random.Random) -> date:
    return date.fromordinal(_FIRST_DAY + int(rng.random() * _DAYS))


def _phone(rng: random.Random, slot: int) -> str:
    """A mobile number unique to `slot`: the slot scrambled through a bijection."""
    prefix, digits, _w = PHONE_PLANS[bisect(_PLAN_CUM, rng.random() * _PLAN_CUM[-1])]
    modulus = 10**digits
    return f"{prefix}{(slot * 7_654_321 + 1_234_567) % modulus:0{digits}d}"


def _email(rng: random.Random, vocab: Vocabulary, given: str, surname: str, idx: int) -> str:
    g, s = _ascii(given).replace(" ", ""), _ascii(surname).replace(" ", "").replace("-", "")
    style = rng.randrange(4)
    local = (f"{g}.{s}", f"{g[:1]}{s}", f"{s}.{g}", f"{g}_{s[:3]}")[style]
    return f"{local}{idx}@{vocab.domains.draw(rng)}"


def _document(idx: int) -> str:
    value = (idx * 7919 + 104_729) % (26 * 26 * 10**7)
    letters, digits = divmod(value, 10**7)
    first, second = divmod(letters, 26)
    return f"{chr(65 + first)}{chr(65 + second)}{digits:07d}"


@lru_cache(maxsize=1 << 16)
def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in " -"))


def make_person(rng: random.Random, vocab: Vocabulary, idx: int) -> Person:
    given, surname = vocab.given.draw(rng), vocab.surnames.draw(rng)
    return Person(
        idx,
        given,
        surname,
        _birth(rng),
        _phone(rng, 2 * idx) if rng.random() < 0.75 else "",
        _email(rng, vocab, given, surname, idx) if rng.random() < 0.6 else "",
        _document(idx) if rng.random() < 0.35 else "",
        vocab.cities.draw(rng),
    )


def namesake(rng: random.Random, vocab: Vocabulary, idx: int, model: Person) -> Person:
    """Another person with the model's exact name, born at least two years apart."""
    other = make_person(rng, vocab, idx)
    born = other.born or _birth(rng)
    if model.born and abs((born - model.born).days) < 730:
        born = _apart(rng, model.born, 730, 9000)
    email = _email(rng, vocab, model.given, model.surname, idx) if other.email else ""
    return other._replace(given=model.given, surname=model.surname, born=born, email=email)


def _apart(rng: random.Random, born: date, least: int, spread: int) -> date:
    """A date of birth `least` to `least + spread` days from `born`, within the range."""
    days = least + rng.randrange(spread)
    later, earlier = born + timedelta(days=days), born - timedelta(days=days)
    return later if later <= LATEST and (earlier < EARLIEST or rng.random() < 0.5) else earlier


def relative(rng: random.Random, vocab: Vocabulary, idx: int, model: Person) -> Person:
    """A household member on the model's phone: same surname and city, own given name."""
    other = make_person(rng, vocab, idx)
    given = other.given
    while given == model.given or given in vocab.variants.get(model.given, ()):
        given = vocab.given.draw(rng)
    born = other.born
    if model.born and born and abs((born - model.born).days) < 365:
        born = _apart(rng, model.born, 730, 12_000)
    email = _email(rng, vocab, given, model.surname, idx) if other.email else ""
    return other._replace(
        given=given,
        surname=model.surname,
        born=born,
        phone=model.phone,
        city=model.city,
        email=email,
    )


# Corruptions of a duplicate record: each returns the changed person, or None when it
# does not apply (no nickname for this name, no date to mistype, ...).
def _typo(rng: random.Random, text: str) -> str | None:
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if len(letters) < 3:
        return None
    i = rng.choice(letters[1:])
    c = text[i].lower()
    row = next((r for r in _KEYBOARD if c in r), "")
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
    rules = [(a, b) for a, b in _SURNAME_TRANSLIT if a in surname.lower()]
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
        for latin, cyr in _CYRILLIC:
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
    return p._replace(phone=_phone(rng, 2 * p.idx + 1))


def missing_email(rng: random.Random, vocab: Vocabulary, p: Person) -> Person | None:
    return p._replace(email="") if p.email else None


def missing_document(rng: random.Random, vocab: Vocabulary, p: Person) -> Person | None:
    return p._replace(document="") if p.document else None


def moved(rng: random.Random, vocab: Vocabulary, p: Person) -> Person | None:
    city = vocab.cities.draw(rng)
    return p._replace(city=city) if city != p.city else None


CORRUPTIONS = (
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


def duplicate(rng: random.Random, vocab: Vocabulary, p: Person, summary: Summary) -> Person:
    """The person as another record shows them: one to three corruptions applied."""
    wanted = 1 + (rng.random() < 0.5) + (rng.random() < 0.2)
    copy, done = p, 0
    for _ in range(wanted * 4):
        corrupt = CORRUPTIONS[bisect(_CORRUPT_CUM, rng.random() * _CORRUPT_CUM[-1])][0]
        changed = corrupt(rng, vocab, copy)
        if changed is not None:
            copy, done = changed, done + 1
            name = corrupt.__name__
            summary.corruptions[name] = summary.corruptions.get(name, 0) + 1
            if done == wanted:
                break
    return copy


def people(seed: int, summary: Summary) -> Iterator[Person]:
    """Every person and then their duplicates, endlessly; look-alikes copy a recent one."""
    rng, vocab = random.Random(seed), vocabulary(seed)
    recent: deque[Person] = deque(maxlen=4096)
    idx = 0
    while True:
        idx += 1
        roll = rng.random()
        if roll < NAMESAKE_RATE and recent:
            person = namesake(rng, vocab, idx, rng.choice(recent))
            summary.namesakes += 1
        elif roll < NAMESAKE_RATE + FAMILY_PHONE_RATE and recent and recent[-1].phone:
            person = relative(rng, vocab, idx, recent[-1])
            summary.family_phones += 1
        else:
            person = make_person(rng, vocab, idx)
        recent.append(person)
        summary.entities += 1
        yield person
        if rng.random() < DUPLICATE_RATE:
            summary.with_duplicates += 1
            count = DUPLICATES[bisect(_DUPLICATE_CUM, rng.random() * _DUPLICATE_CUM[-1])][0]
            for _ in range(count):
                summary.duplicates += 1
                yield duplicate(rng, vocab, person, summary)


def rows(records: int, seed: int, summary: Summary) -> Iterator[list[str]]:
    """`records` CSV rows (without the header), shuffled within chunks of CHUNK."""
    rng = random.Random(f"shuffle-{seed}")
    stream = people(seed, summary)
    written = 0
    while written < records:
        chunk = [next(stream) for _ in range(min(CHUNK, records - written))]
        rng.shuffle(chunk)
        for p in chunk:
            written += 1
            born = p.born.isoformat() if p.born else ""
            yield [f"r{written:08d}", p.true_id, p.given, p.surname, born, *p[4:]]
    summary.records = written


def write(out: Path, records: int, seed: int) -> Summary:
    """Write the CSV (through a temporary file, so a half-written file never looks done)."""
    summary = Summary()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with partial.open("w", encoding="utf-8", newline="") as fp:
        writer = csv.writer(fp, lineterminator="\n")
        writer.writerow(COLUMNS)
        batch: list[list[str]] = []
        for row in rows(records, seed, summary):
            batch.append(row)
            if len(batch) == 10_000:
                writer.writerows(batch)
                batch.clear()
        writer.writerows(batch)
    partial.replace(out)
    return summary


def cached(directory: Path, records: int, seed: int) -> Path:
    """The records file for (records, seed) in `directory`, written on first use."""
    out = directory / f"person-records-{records}-{seed}.csv"
    if not out.exists():
        print(f"generating {records:,} person records into {out} ...", flush=True)
        started = time.perf_counter()
        summary = write(out, records, seed)
        print(describe(summary, time.perf_counter() - started), flush=True)
    return out


def describe(summary: Summary, seconds: float) -> str:
    return (
        f"{summary.records:,} records of {summary.entities:,} people in {seconds:,.1f} s: "
        f"{summary.with_duplicates:,} people with {summary.duplicates:,} duplicates, "
        f"{summary.namesakes:,} namesakes, {summary.family_phones:,} family phones"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the CSV file to write")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    summary = write(args.out, args.records, args.seed)
    print(describe(summary, time.perf_counter() - started))
    print("corruptions: " + ", ".join(f"{k} {v:,}" for k, v in sorted(summary.corruptions.items())))


if __name__ == "__main__":
    main()
