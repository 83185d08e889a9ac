"""`dossier resolve --records`: any CSV of person records, good and bad."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from ingest.resolve.records import RecordsError, resolve_records_csv

HEADER = "id,first,last,dob,phone,email\n"
ROWS = [
    "1,William,Lindemaar,1987-05-17,+31612345678,",
    "2,Bill,Lindemaar,1987-05-17,+31612345678,",
    "3,Petra,Zandmeer,1961-12-05,,petra@example.org",
    "4,Petra,Zandmeer,1986-05-14,,",  # a namesake born 25 years later
    "5,Zandmeer,Petra,1961-12-05,,petra@example.org",  # swapped order
]


def _clusters(out: Path) -> dict[str, str]:
    with out.open(encoding="utf-8") as fp:
        return {row["record_id"]: row["cluster_id"] for row in csv.DictReader(fp)}


def _write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return path


COLUMNS = {"given_name": "first", "surname": "last", "date_of_birth": "dob"}


def test_clusters_and_counts(tmp_path: Path) -> None:
    source = _write(tmp_path / "people.csv", HEADER + "\n".join(ROWS) + "\n")
    report = resolve_records_csv(source, "id", tmp_path / "out.csv", COLUMNS)
    clusters = _clusters(tmp_path / "out.csv")
    assert clusters["1"] == clusters["2"] == "1"
    assert clusters["3"] == clusters["5"] != clusters["4"]
    assert (report.read, report.accepted, report.quarantined) == (5, 5, 0)
    assert report.clusters == 3


def test_bad_rows_are_quarantined_with_reasons(tmp_path: Path) -> None:
    bad = [
        "6,,,,,",  # nothing to resolve by
        "7,Eva,Hagenvlier,1995-02-30,,",  # impossible date
        "1,Again,Same,,,",  # repeated id
        "8,Nils,Polder,2999-01-01,,",  # born in the future
        "9,Bad,Mail,,,not-an-address",
    ]
    body = (HEADER + "\n".join(ROWS + bad) + "\n").encode("utf-8")
    body += b"10,Fran\xe7ois,Latin1,1970-01-01,,\n"  # one line in another encoding
    source = _write(tmp_path / "people.csv", body)
    report = resolve_records_csv(source, "id", tmp_path / "out.csv", COLUMNS)
    assert report.read == report.accepted + report.quarantined == 11
    reasons = [
        json.loads(line) for line in report.quarantine.read_text(encoding="utf-8").splitlines()
    ]
    assert [r["line"] for r in reasons] == [7, 8, 9, 10, 11, 12]
    text = " ".join(r["reason"] for r in reasons)
    for expected in (
        "no name and no identifier",
        "not a real date",
        "repeats",
        "impossible",
        "e-mail",
        "UTF-8",
    ):
        assert expected in text
    assert set(_clusters(tmp_path / "out.csv")) == {"1", "2", "3", "4", "5"}


def test_bad_columns_stop_before_any_work(tmp_path: Path) -> None:
    source = _write(tmp_path / "people.csv", HEADER + ROWS[0] + "\n")
    out = tmp_path / "out.csv"
    with pytest.raises(RecordsError, match="no column 'ident'"):
        resolve_records_csv(source, "ident", out, COLUMNS)
    with pytest.raises(RecordsError, match="no column 'vorname'"):
        resolve_records_csv(source, "id", out, {"given_name": "vorname"})
    with pytest.raises(RecordsError, match="unknown fields"):
        resolve_records_csv(source, "id", out, {"nickname": "first"})
    with pytest.raises(RecordsError, match="no name column"):
        resolve_records_csv(source, "id", out, {})
    assert not out.exists()


def test_address_parts_are_evidence(tmp_path: Path) -> None:
    """Three records of one rare name, no dates of birth or phones: the name alone links
    (+18.9 against a prior of -13.3); a different address (-2.7) tips one below 0.9."""
    text = (
        "id,given,family,postcode,city\n"
        "a,Jan,Jansen-Vermeulen,1017 AB,Amsterdam\n"
        "b,Jan,Jansen-Vermeulen,1017ab,Amsterdam\n"
        "c,Jan,Jansen-Vermeulen,3011 CD,Rotterdam\n"
    )
    source = _write(tmp_path / "people.csv", text)
    columns = {"given_name": "given", "surname": "family"}
    resolve_records_csv(source, "id", tmp_path / "out.csv", columns)
    clusters = _clusters(tmp_path / "out.csv")
    assert clusters["a"] == clusters["b"] != clusters["c"]
