"""The synthetic person records: deterministic, exact in size, and carrying what a resolver
must get right (duplicates with realistic corruption) and must not get wrong (look-alikes)."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from bench.person_corruptions import CORRUPTIONS
from bench.person_names import vocabulary
from bench.person_records import COLUMNS, Summary, write

RECORDS = 20_000


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Summary]:
    out = tmp_path_factory.mktemp("records") / "people.csv"
    return out, write(out, RECORDS, seed=3)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fp:
        return list(csv.DictReader(fp))


def test_same_seed_same_bytes_other_seed_other_people(
    written: tuple[Path, Summary], tmp_path: Path
) -> None:
    path, _summary = written
    again, other = tmp_path / "again.csv", tmp_path / "other.csv"
    write(again, RECORDS, seed=3)
    write(other, RECORDS, seed=4)
    assert again.read_bytes() == path.read_bytes()
    assert other.read_bytes() != path.read_bytes()
    assert not list(tmp_path.glob("*.partial"))


def test_counts_and_values(written: tuple[Path, Summary]) -> None:
    path, summary = written
    with path.open(encoding="utf-8", newline="") as fp:
        assert next(csv.reader(fp)) == COLUMNS
    rows = _rows(path)
    assert len(rows) == RECORDS == summary.records
    assert len({r["record_id"] for r in rows}) == RECORDS
    people = {r["true_id"] for r in rows}
    assert len(people) == summary.entities
    assert RECORDS - len(people) == summary.duplicates
    for row in rows:
        assert row["given_name"] and row["surname"]
        assert not row["phone"] or re.fullmatch(r"\+[1-9]\d{9,13}", row["phone"])
        assert not row["email"] or re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", row["email"])
        assert not row["date_of_birth"] or date.fromisoformat(row["date_of_birth"])


def test_duplicates_are_a_quarter_of_people_and_corrupted(written: tuple[Path, Summary]) -> None:
    path, summary = written
    assert 0.2 <= summary.with_duplicates / summary.entities <= 0.3
    per_person: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in _rows(path):
        per_person[row["true_id"]].append(row)
    sizes = [len(v) for v in per_person.values()]
    assert max(sizes) == 5 and sizes.count(2) > sizes.count(3) > sizes.count(5)
    assert set(summary.corruptions) == {f.__name__ for f, _w in CORRUPTIONS}
    vocab = vocabulary(3)
    variants = sum(
        any(b["given_name"] in vocab.variants.get(a["given_name"], ()) for a in v for b in v)
        for v in per_person.values()
    )
    assert variants > 50  # nicknames and transliterations of one person's given name
    assert any(not r["given_name"].isascii() for v in per_person.values() for r in v)


def test_look_alikes_are_planted(written: tuple[Path, Summary]) -> None:
    path, summary = written
    assert summary.namesakes > 100 and summary.family_phones > 100
    by_name: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    by_phone: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for row in _rows(path):
        by_name[row["given_name"], row["surname"]].add((row["true_id"], row["date_of_birth"]))
        if row["phone"]:
            by_phone[row["phone"]].add((row["true_id"], row["given_name"], row["surname"]))
    namesakes = [n for n, who in by_name.items() if len({t for t, _b in who}) > 1 and len(who) > 1]
    families = [
        p
        for p, who in by_phone.items()
        if len({t for t, _g, _s in who}) > 1 and len({s for _t, _g, s in who}) == 1
    ]
    assert len(namesakes) > summary.namesakes / 2
    assert len(families) > summary.family_phones / 2
