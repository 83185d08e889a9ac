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
from bisect import bisect
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

from bench.person_corruptions import pick
from bench.person_names import Person, Vocabulary, make_person, namesake, relative, vocabulary

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


def duplicate(rng: random.Random, vocab: Vocabulary, p: Person, summary: Summary) -> Person:
    """The person as another record shows them: one to three corruptions applied."""
    wanted = 1 + (rng.random() < 0.5) + (rng.random() < 0.2)
    copy, done = p, 0
    for _ in range(wanted * 4):
        corrupt = pick(rng)
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
