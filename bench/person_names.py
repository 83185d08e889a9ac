"""The people of the synthetic person records: names with real-world skew, dates of birth,
phones, e-mail addresses, documents and cities, and the planted look-alikes (namesakes,
relatives sharing a family phone). `bench.person_corruptions` makes the duplicate records
of these people; `bench.person_records` writes them.
"""

from __future__ import annotations

import random
import unicodedata
from bisect import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from itertools import accumulate
from typing import NamedTuple

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
KEYBOARD = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
SURNAME_TRANSLIT = _pairs("kh>h ov>off ov>ow v>w y>i j>y ks>x ts>tz sch>sh sky>ski ph>f c>k")
# Latin to Cyrillic, longest spellings first.
CYRILLIC = _pairs(
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


def phone_number(rng: random.Random, slot: int) -> str:
    """A mobile number unique to `slot`: the slot scrambled through a bijection."""
    prefix, digits, _w = PHONE_PLANS[bisect(_PLAN_CUM, rng.random() * _PLAN_CUM[-1])]
    modulus = 10**digits
    return f"{prefix}{(slot * 7_654_321 + 1_234_567) % modulus:0{digits}d}"


def _email(rng: random.Random, vocab: Vocabulary, given: str, surname: str, idx: int) -> str:
    g = plain_ascii(given).replace(" ", "")
    s = plain_ascii(surname).replace(" ", "").replace("-", "")
    style = rng.randrange(4)
    local = (f"{g}.{s}", f"{g[:1]}{s}", f"{s}.{g}", f"{g}_{s[:3]}")[style]
    return f"{local}{idx}@{vocab.domains.draw(rng)}"


def _document(idx: int) -> str:
    value = (idx * 7919 + 104_729) % (26 * 26 * 10**7)
    letters, digits = divmod(value, 10**7)
    first, second = divmod(letters, 26)
    return f"{chr(65 + first)}{chr(65 + second)}{digits:07d}"


@lru_cache(maxsize=1 << 16)
def plain_ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in " -"))


def make_person(rng: random.Random, vocab: Vocabulary, idx: int) -> Person:
    given, surname = vocab.given.draw(rng), vocab.surnames.draw(rng)
    return Person(
        idx,
        given,
        surname,
        _birth(rng),
        phone_number(rng, 2 * idx) if rng.random() < 0.75 else "",
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
