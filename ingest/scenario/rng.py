"""Seeded randomness that does not depend on call order.

Every stream of random numbers is derived from the scenario seed plus a path of labels
(for example ``("bg", day, camera)``). A day, camera or person therefore gets the same
numbers whatever else was generated before it, which keeps output byte-identical per seed
and lets later issues add new sources without shifting the existing ones.
"""

from __future__ import annotations

import hashlib
import math
import random
import string

ALNUM_LOWER = string.ascii_lowercase + string.digits
ALNUM = string.ascii_letters + string.digits


def derive_rng(seed: int, *parts: object) -> random.Random:
    """A ``random.Random`` keyed by the seed and a label path (stable across runs and hosts)."""
    key = ":".join([str(seed), *(str(p) for p in parts)]).encode()
    digest = hashlib.blake2b(key, digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


class DayStreams:
    """One derived stream per camera for a day, created on first use (writers use this)."""

    def __init__(self, seed: int, label: str, day: int) -> None:
        self.seed, self.label, self.day = seed, label, day
        self._streams: dict[str, random.Random] = {}

    def __getitem__(self, key: str) -> random.Random:
        stream = self._streams.get(key)
        if stream is None:
            stream = self._streams[key] = derive_rng(self.seed, self.label, key, self.day)
        return stream


def poisson(rng: random.Random, mean: float) -> int:
    """Poisson-like count; a normal approximation is fine for volumes and much faster."""
    if mean <= 0:
        return 0
    if mean < 30:
        limit, k, p = math.exp(-mean), 0, rng.random()
        while p > limit:
            k += 1
            p *= rng.random()
        return k
    return max(0, round(rng.gauss(mean, math.sqrt(mean))))


def token(rng: random.Random, length: int, alphabet: str = ALNUM_LOWER) -> str:
    """Random identifier text, e.g. the 6-character suffix of a Frigate event id."""
    return "".join(rng.choices(alphabet, k=length))
