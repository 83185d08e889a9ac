"""`dossier resolve --records FILE.csv`: resolve any CSV of person records.

The same model and clustering as resolution over the ledger, on a plain table, writing
`record_id,cluster_id` — so the resolver can be measured on any labelled dataset. Bad
columns stop the run before any work; bad rows are quarantined with their line and
reason beside the output (read = accepted + quarantined).
"""

from __future__ import annotations

import csv
import json
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ingest.resolve.cluster import Link, cluster
from ingest.resolve.prepare import model_input
from ingest.resolve.scoring import Engine, score_pairs
from schemas.errors import DossierError, InvalidValue
from schemas.types import phone_e164

FIELDS = (
    "given_name",
    "surname",
    "full_name",
    "date_of_birth",
    "phone",
    "email",
    "document",
    "postcode",
    "city",
)
NAME_FIELDS = ("given_name", "surname", "full_name")
THRESHOLD = 0.9
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class RecordsError(DossierError):
    exit_code = 65


@dataclass(frozen=True)
class RecordsReport:
    read: int
    accepted: int
    quarantined: int
    clusters: int
    seconds: float
    out: Path
    quarantine: Path


def resolve_records_csv(
    path: Path,
    id_column: str,
    out: Path,
    column_map: Mapping[str, str] | None = None,
    engine: Engine = "duckdb",
    threshold: float = THRESHOLD,
    phone_region: str | None = None,
) -> RecordsReport:
    started = time.perf_counter()
    columns = _columns(path, id_column, column_map or {})
    quarantine = out.with_name(out.name + ".quarantine.jsonl")
    accepted: dict[str, dict[str, Any]] = {}
    read = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with quarantine.open("w", encoding="utf-8") as bad:
        for line, row in _rows(path):
            read += 1
            try:
                record_id, record = _record(row, id_column, columns, accepted, phone_region)
            except InvalidValue as exc:
                bad.write(_quarantine_line(line, str(exc), row))
                continue
            accepted[record_id] = record
    clusters = _cluster(accepted, engine, threshold)
    with out.open("w", encoding="utf-8", newline="") as fp:
        writer = csv.writer(fp)
        writer.writerow(["record_id", "cluster_id"])
        writer.writerows(sorted(clusters.items()))
    return RecordsReport(
        read,
        len(accepted),
        read - len(accepted),
        len(set(clusters.values())),
        time.perf_counter() - started,
        out,
        quarantine,
    )


def _columns(path: Path, id_column: str, column_map: Mapping[str, str]) -> dict[str, str]:
    """Canonical field -> CSV column; every named column must exist. Checked up front."""
    if not path.is_file():
        raise RecordsError(f"{path}: no such file")
    with path.open(encoding="utf-8", errors="replace", newline="") as fp:
        header = next(csv.reader(fp), [])
    unknown_fields = sorted(set(column_map) - set(FIELDS))
    if unknown_fields:
        raise RecordsError(
            f"--column names unknown fields {unknown_fields}; fields are {', '.join(FIELDS)}"
        )
    columns = {f: column_map.get(f, f) for f in FIELDS if column_map.get(f, f) in header}
    missing = sorted({id_column, *column_map.values()} - set(header))
    if missing:
        raise RecordsError(
            f"{path}: no column {', '.join(repr(m) for m in missing)} in the header "
            f"({', '.join(header)}); fix --id-column / --column"
        )
    if not any(f in columns for f in NAME_FIELDS):
        raise RecordsError(
            f"{path}: no name column; map one with --column given_name=COL, surname=COL "
            "or full_name=COL"
        )
    return columns


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row); bytes that are not UTF-8 survive as surrogates and are judged per row."""
    with path.open(encoding="utf-8", errors="surrogateescape", newline="") as fp:
        reader = csv.DictReader(fp)
        for row in reader:
            yield reader.line_num, {k: v for k, v in row.items() if isinstance(k, str)}


def _record(
    row: dict[str, str],
    id_column: str,
    columns: Mapping[str, str],
    seen: Mapping[str, Any],
    region: str | None,
) -> tuple[str, dict[str, Any]]:
    for key, value in row.items():
        if isinstance(value, str) and _not_utf8(value):
            raise InvalidValue(
                key,
                value.encode("utf-8", "surrogateescape"),
                "not UTF-8 text; re-save the file as UTF-8",
            )
    record_id = (row.get(id_column) or "").strip()
    if not record_id:
        raise InvalidValue(id_column, record_id, "the record has no id")
    if record_id in seen:
        raise InvalidValue(id_column, record_id, "the id repeats an earlier record")
    fields = {f: (row.get(c) or "").strip() for f, c in columns.items()}
    name = fields.get("full_name") or " ".join(
        v for v in (fields.get("given_name"), fields.get("surname")) if v
    )
    identifiers = _identifiers(fields, region)
    if not name and not identifiers:
        raise InvalidValue("name", "", "no name and no identifier to resolve by")
    return record_id, {
        "name": name or None,
        "dob": _birth_date(fields.get("date_of_birth", "")),
        "identifiers": identifiers,
        "documents": [f"doc:{fields['document'].upper()}"] if fields.get("document") else [],
        "address": (fields.get("postcode") or None, fields.get("city") or None),
    }


def _quarantine_line(line: int, reason: str, row: dict[str, str]) -> str:
    """Undecodable bytes are kept visible as \\x escapes, never dropped."""
    raw = {
        k: v.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        for k, v in row.items()
        if isinstance(v, str)
    }
    return json.dumps({"line": line, "reason": reason, "raw": raw}, ensure_ascii=False) + "\n"


def _not_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _identifiers(value: Mapping[str, str], region: str | None) -> list[str]:
    found = []
    if value.get("phone"):
        found.append("phone:" + phone_e164("phone", value["phone"], region))
    if value.get("email"):
        email = value["email"].lower()
        if not _EMAIL.match(email):
            raise InvalidValue("email", value["email"], "not an e-mail address")
        found.append("email:" + email)
    return found


def _birth_date(text: str) -> str | None:
    if not text:
        return None
    try:
        born = date.fromisoformat(text)
    except ValueError:
        raise InvalidValue("date_of_birth", text, "not a real date (write YYYY-MM-DD)") from None
    if not date(1880, 1, 1) <= born <= date.today():
        raise InvalidValue("date_of_birth", text, "impossible date of birth")
    return born.isoformat()


def _cluster(
    records: dict[str, dict[str, Any]], engine: Engine, threshold: float
) -> dict[str, str]:
    ids = list(records)
    frame, _alone = model_input(
        ids,
        [r["name"] for r in records.values()],
        [r["dob"] for r in records.values()],
        [r["identifiers"] for r in records.values()],
        [r["documents"] for r in records.values()],
        [r["address"] for r in records.values()],
    )
    pairs = score_pairs(frame, engine, floor=threshold)
    links = [
        Link(a, b, float(p))
        for a, b, p in zip(
            pairs.unique_id_l, pairs.unique_id_r, pairs.match_probability, strict=True
        )
    ]
    roots, _outcome = cluster(ids, links, {k: r["dob"] for k, r in records.items()}, threshold)
    members: dict[str, str] = {}
    for record_id, root in roots.items():  # name each cluster after its smallest record id
        members[root] = min(members.get(root, record_id), record_id)
    return {record_id: members[root] for record_id, root in roots.items()}
