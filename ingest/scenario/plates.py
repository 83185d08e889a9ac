"""Fictional registration plates per country, and plate-reader misreads.

Formats are deliberately simple letter/digit patterns (not the official side codes) so the
plates look plausible to a parser without copying any real numbering scheme. Misreads swap
one character for a visually similar one, as real ANPR engines do.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Country:
    """A plate country: ISO alpha-2 (canonical, and Hikvision ``countryAbbreviation``).

    ``hik_code`` fills the numeric ``<country>``/``<CRIndex>`` elements; the vendor's real
    index table is not public, so this is the generator's own stable numbering. ``alpha3``
    is kept for sources that spell countries with three letters.
    """

    alpha2: str
    alpha3: str
    hik_code: int
    pattern: str  # L = letter, D = digit
    plate_colour: str
    weight: int


COUNTRIES: tuple[Country, ...] = (
    Country("NL", "NLD", 6, "LLDDDD", "yellow", 78),
    Country("DE", "DEU", 3, "LLLDDDD", "white", 9),
    Country("BE", "BEL", 13, "DLLLDDD", "white", 6),
    Country("GB", "GBR", 17, "LLDDLLL", "yellow", 4),
    Country("FR", "FRA", 2, "LLDDDLL", "white", 3),
)
BY_ALPHA2: dict[str, Country] = {c.alpha2: c for c in COUNTRIES}

# Letters that plate fonts avoid (easily confused); fewer accidental real-looking words.
_LETTERS = "".join(c for c in string.ascii_uppercase if c not in "AEIOUQ")
_CONFUSABLE: dict[str, str] = {
    "0": "D",
    "D": "0",
    "8": "B",
    "B": "8",
    "5": "S",
    "S": "5",
    "2": "Z",
    "Z": "2",
    "1": "L",
    "L": "1",
    "6": "G",
    "G": "6",
    "7": "T",
    "T": "7",
    "4": "H",
    "H": "4",
}


def pick_country(rng: random.Random) -> Country:
    return rng.choices(COUNTRIES, weights=[c.weight for c in COUNTRIES])[0]


def make_plate(rng: random.Random, country: Country) -> str:
    """A plate text in the country's pattern (upper case, no separators, as readers report)."""
    return "".join(
        rng.choice(_LETTERS) if ch == "L" else rng.choice(string.digits) for ch in country.pattern
    )


def misread(rng: random.Random, plate: str) -> str:
    """The plate with one character read wrong (a look-alike where one exists)."""
    pos = rng.randrange(len(plate))
    old = plate[pos]
    new = _CONFUSABLE.get(old) or rng.choice(_LETTERS if old.isalpha() else string.digits)
    if new == old:
        new = "X" if old != "X" else "K"
    return plate[:pos] + new + plate[pos + 1 :]
