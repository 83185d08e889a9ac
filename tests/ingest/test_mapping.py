"""Declarative mappings: the shipped mappings on realistic fixtures, every kind of mapping
mistake reported at its line, files that do not fit, JSON lines, Parquet, and the whole
way from a CSV row to a dossier timeline."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from graph.embedded import EmbeddedStore
from graph.projection import project
from graph.queries import timeline
from ingest.connectors.base import ReadOptions
from ingest.connectors.common import ISO_COUNTRIES
from ingest.errors import UnreadableSource
from ingest.ledger import Ledger, SourceFile
from ingest.mapping import (
    SHIPPED,
    ColumnsMissing,
    MappedTable,
    MappingError,
    load_mapping,
    mapping_connector,
    mapping_factory,
    shipped_mapping,
    shipped_mappings,
    spec,
)
from ingest.mapping.countries import ALPHA3_TO_ALPHA2, country_code
from ingest.mapping.props import SOURCE_KEYS
from ingest.pipeline import ingest_paths
from ingest.records import Rejected, SourceRecord
from schemas.errors import InvalidValue
from schemas.model import default_model

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mapping"
MANIFEST = FIXTURES / "passenger_manifest.csv"
MASTER = FIXTURES / "Master.csv"
NL = ReadOptions(phone_region="NL")


def read(mapping: Path, data: Path, options: ReadOptions | None = None) -> list:
    return list(mapping_connector(mapping, options or ReadOptions()).read(data))


def split(items: list) -> tuple[list[SourceRecord], list[Rejected]]:
    assert all(isinstance(i, SourceRecord | Rejected) for i in items)
    return (
        [i for i in items if isinstance(i, SourceRecord)],
        [i for i in items if isinstance(i, Rejected)],
    )


def at_line(items: list, line: int) -> SourceRecord | Rejected:
    return next(i for i in items if i.locator.endswith(f":line {line}"))


def props(record: SourceRecord, type_name: str) -> list[dict]:
    return [n.props for n in record.nodes if n.type == type_name]


def node_id(record: SourceRecord, type_name: str) -> str:
    [found] = [n.id for n in record.nodes if n.type == type_name]
    return found


def shapes(record: SourceRecord) -> set[tuple[str, str, str]]:
    return {(e.source_type, e.type, e.target_type) for e in record.edges}


# The shipped mappings ------------------------------------------------------------------


def test_shipped_mappings_load_as_connectors() -> None:
    assert shipped_mappings() == ["asterisk_cdr", "passenger_manifest"]
    conn = mapping_connector(shipped_mapping("passenger_manifest"), ReadOptions())
    assert isinstance(conn, MappedTable)
    assert conn.name == conn.source_kind == "mapping:passenger-manifest"
    digest = hashlib.sha256(shipped_mapping("passenger_manifest").read_bytes()).hexdigest()
    assert conn.version == digest[:12]
    assert not conn.sniff(MANIFEST.read_bytes())
    with pytest.raises(MappingError, match="no shipped mapping named 'nope'"):
        shipped_mapping("nope")
    with pytest.raises(MappingError):
        shipped_mapping("../passenger_manifest")


def mapping_line(mapping: Path, text: str) -> int:
    """The line of a mapping file on which `text` first appears."""
    lines = mapping.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


def test_manifest_counts_reconcile_and_rejections_name_the_column() -> None:
    mapping = shipped_mapping("passenger_manifest")
    items = read(mapping, MANIFEST)
    records, rejected = split(items)
    rows = len(MANIFEST.read_text(encoding="utf-8").splitlines()) - 1
    assert len(items) == rows == len(records) + len(rejected) == 12
    assert [r.locator.rsplit(":line ", 1)[1] for r in rejected] == ["9", "10", "11"]
    reasons = [r.reason for r in rejected]
    dob = mapping_line(mapping, "birth_date:")
    assert reasons[0] == (
        f"column 'date_of_birth' (mapping line {dob}) -> Person.birth_date: "
        "does not match the format '%d/%m/%Y' (value '31/02/1975')"
    )
    assert "does not match the format '%Y-%m-%d %H:%M'" in reasons[1]
    departure = mapping_line(mapping, "time: {column: departure")
    assert reasons[2] == (
        f"column 'departure' (mapping line {departure}) is empty, but Trip.time is required"
    )
    assert (
        rejected[0].raw
        == "Hiroshi Nakamura,31/02/1975,TZ1122334,JPN,LH0993,FRA,AMS,2024-03-18 11:05\n"
    )


def test_manifest_row_becomes_traveller_document_airports_and_leg() -> None:
    record = at_line(read(shipped_mapping("passenger_manifest"), MANIFEST), 2)
    assert isinstance(record, SourceRecord)
    assert props(record, "Person") == [{"name": "Aleksandr Volkov", "birth_date": "1984-11-02"}]
    assert props(record, "Document") == [
        {"doc_kind": "passport", "number": "753104882", "country": "RU"}
    ]
    assert [p["ref"] for p in props(record, "Place")] == ["AMS", "LHR"]
    [trip] = props(record, "Trip")
    assert trip == {
        "time": datetime(2024, 3, 14, 6, 45, tzinfo=UTC),
        "mode": "flight",
        "flight": "KL1234",
    }
    assert shapes(record) == {
        ("Trip", "PASSENGER", "Person"),
        ("Trip", "DEPARTED_FROM", "Place"),
        ("Trip", "ARRIVED_AT", "Place"),
        ("Person", "HOLDS", "Document"),
    }
    assert record.raw.startswith("Aleksandr Volkov,02/11/1984,753104882,RUS,KL1234")


def test_document_countries_as_passports_write_them() -> None:
    items = read(shipped_mapping("passenger_manifest"), MANIFEST)
    countries = {
        p["number"]: p.get("country") for r in split(items)[0] for p in props(r, "Document")
    }
    assert countries["C01X00T47"] == "DE"  # ICAO 9303 writes Germany as D
    assert countries["NXC4R1T82"] == "NL" and countries["PX1234567"] == "IE"


def test_country_codes_cover_iso_3166() -> None:
    assert len(ALPHA3_TO_ALPHA2) == 249
    assert set(ALPHA3_TO_ALPHA2.values()) == ISO_COUNTRIES
    assert [country_code("c", c) for c in ("nld", "D", "DEU", "UK", " gb ")] == [
        "NL",
        "DE",
        "DE",
        "GB",
        "GB",
    ]
    for bad in ("XXA", "Netherlands", "ZZ"):
        with pytest.raises(InvalidValue, match="not an ISO 3166 country code"):
            country_code("c", bad)


def test_transliterations_stay_two_people_holding_one_passport() -> None:
    items = read(shipped_mapping("passenger_manifest"), MANIFEST)
    aleksandr, alexander = at_line(items, 2), at_line(items, 5)
    assert isinstance(aleksandr, SourceRecord) and isinstance(alexander, SourceRecord)
    assert props(alexander, "Person")[0]["name"] == "Alexander Volkov"
    assert node_id(aleksandr, "Person") != node_id(alexander, "Person")
    assert node_id(aleksandr, "Document") == node_id(alexander, "Document")


def test_entity_with_all_required_columns_empty_is_left_out_with_its_links() -> None:
    record = at_line(read(shipped_mapping("passenger_manifest"), MANIFEST), 8)
    assert isinstance(record, SourceRecord)
    assert props(record, "Person")[0]["name"] == "García Márquez, Ana Lucía"
    assert props(record, "Document") == []
    assert ("Person", "HOLDS", "Document") not in shapes(record)
    assert ("Trip", "PASSENGER", "Person") in shapes(record)


def test_entity_with_some_required_columns_empty_quarantines_the_row(tmp_path: Path) -> None:
    mapping = tmp_path / "sites.yaml"
    mapping.write_text(
        "name: sites\nformat: csv\nentities:\n  site:\n    type: Place\n    properties:\n"
        "      place_kind: {column: kind}\n      ref: {column: ref}\n"
    )
    path = tmp_path / "sites.csv"
    path.write_text("kind,ref\nairport,AMS\nairport,\n,\n")
    whole, half, empty = read(mapping, path)
    assert isinstance(whole, SourceRecord)
    assert isinstance(half, Rejected)
    assert half.reason == "column 'ref' (mapping line 8) is empty, but Place.ref is required"
    assert isinstance(empty, Rejected) and empty.reason.startswith("the row asserts nothing")


def test_ids_are_deterministic_and_follow_the_key_not_the_position(tmp_path: Path) -> None:
    mapping = shipped_mapping("passenger_manifest")
    first, again = read(mapping, MANIFEST), read(mapping, MANIFEST)
    ids = [[n.id for n in r.nodes] for r in first if isinstance(r, SourceRecord)]
    assert ids == [[n.id for n in r.nodes] for r in again if isinstance(r, SourceRecord)]
    lines = MANIFEST.read_text(encoding="utf-8").splitlines()
    moved = tmp_path / "elsewhere.csv"
    moved.write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n", encoding="utf-8")
    by_key = {r.record_id: r for r in split(read(mapping, moved))[0]}
    for record in split(first)[0]:
        twin = by_key[record.record_id]
        assert [n.id for n in twin.nodes] == [n.id for n in record.nodes]
        assert twin.locator != record.locator


def test_a_changed_mapping_is_a_new_version(tmp_path: Path) -> None:
    copy = tmp_path / "manifest.yaml"
    shutil.copy(shipped_mapping("passenger_manifest"), copy)
    before = mapping_connector(copy, ReadOptions())
    copy.write_text(copy.read_text(encoding="utf-8") + "# reviewed\n", encoding="utf-8")
    after = mapping_connector(copy, ReadOptions())
    assert before.name == after.name and before.version != after.version


CET = timezone(timedelta(hours=1))


def test_asterisk_calls_link_phone_numbers_and_leave_out_extensions() -> None:
    items = read(shipped_mapping("asterisk_cdr"), MASTER, NL)
    records, rejected = split(items)
    assert (len(items), len(records), len(rejected)) == (12, 9, 3)
    outbound = at_line(items, 1)  # extension 2001 dials 0044 20 7946 0958
    assert isinstance(outbound, SourceRecord)
    assert props(outbound, "Phone") == [{"number": "+442079460958"}]
    assert shapes(outbound) == {("Communication", "TO", "Phone")}
    [call] = props(outbound, "Communication")
    assert call == {
        "time": datetime(2024, 3, 14, 9, 15, 2, tzinfo=CET),
        "channel": "call",
        "duration_s": 152.0,
        "status": "answered",
        "message_id": "1710404102.1",
    }
    inbound = at_line(items, 2)  # a mobile calls the desk's number
    assert isinstance(inbound, SourceRecord)
    assert props(inbound, "Phone") == [{"number": "+31612345678"}, {"number": "+31205550100"}]
    assert shapes(inbound) == {("Communication", "FROM", "Phone"), ("Communication", "TO", "Phone")}
    for line in (3, 5, 8, 9):  # 2002 -> 2003, anonymous -> s, 2001 -> *97, 2002 -> 112
        internal = at_line(items, line)
        assert isinstance(internal, SourceRecord)
        assert [n.type for n in internal.nodes] == ["Communication"]
    statuses = [props(r, "Communication")[0]["status"] for r in records]
    assert set(statuses) == {"answered", "no-answer", "busy", "failed"}
    assert "repeated in Europe/Amsterdam (clock change) (value '2024-10-27 02:30:00')" in (
        rejected[0].reason
    )
    assert "does not match the format" in rejected[1].reason
    assert rejected[2].reason == "the row has 16 fields where the mapping's `columns` name 18"


def test_asterisk_numbers_as_dialled_need_a_region() -> None:
    mapping = shipped_mapping("asterisk_cdr")
    rejected = split(read(mapping, MASTER))[1]
    lines = [r.locator.rsplit(":line ", 1)[1] for r in rejected]
    assert lines == ["1", "2", "4", "6", "7", "10", "11", "12"]
    src = mapping_line(mapping, "number: {column: src")
    assert rejected[1].reason.startswith(f"column 'src' (mapping line {src}) -> Phone.number")
    assert "national numbers need a default region" in rejected[1].reason
    assert "column 'dst'" in rejected[0].reason


def test_mapping_region_wins_over_the_workspace_region(tmp_path: Path) -> None:
    text = shipped_mapping("asterisk_cdr").read_text(encoding="utf-8")
    copy = tmp_path / "cdr.yaml"
    copy.write_text(text.replace("normalise: phone,", "normalise: phone, region: NL,"))
    records = split(read(copy, MASTER, ReadOptions(phone_region="US")))[0]
    numbers = {p["number"] for r in records for p in props(r, "Phone")}
    assert {"+31612345678", "+442079460958"} <= numbers


def test_asterisk_local_time_by_zone_by_offset_or_utc(tmp_path: Path) -> None:
    items = read(shipped_mapping("asterisk_cdr"), MASTER, NL)
    summer = at_line(items, 9)
    assert isinstance(summer, SourceRecord)
    time = props(summer, "Communication")[0]["time"]
    assert time.utcoffset() == timedelta(hours=2) and time.astimezone(UTC).hour == 15
    fixed = read(
        shipped_mapping("asterisk_cdr"), MASTER, ReadOptions(timedelta(hours=1), None, "NL")
    )
    repeated = at_line(fixed, 10)  # --assume-offset wins over the zone: no clock change
    assert isinstance(repeated, SourceRecord)
    assert props(repeated, "Communication")[0]["time"].utcoffset() == timedelta(hours=1)
    text = shipped_mapping("asterisk_cdr").read_text(encoding="utf-8")
    copy = tmp_path / "cdr.yaml"
    copy.write_text(text.replace("timezone: Europe/Amsterdam", "timezone: UTC"))
    first = at_line(read(copy, MASTER, NL), 1)
    assert isinstance(first, SourceRecord)
    assert props(first, "Communication")[0]["time"] == datetime(2024, 3, 14, 9, 15, 2, tzinfo=UTC)


def test_the_readme_documents_every_key_and_shipped_mapping() -> None:
    readme = (SHIPPED.parent / "README.md").read_text(encoding="utf-8")
    keys = spec.TOP_KEYS | spec.CSV_KEYS | spec.NODE_KEYS | spec.LINK_KEYS | SOURCE_KEYS
    for key in sorted(keys):
        assert re.search(rf"`{key}[`:]", readme), key
    for name in shipped_mappings():
        assert f"`{name}.yaml`" in readme


# Mapping mistakes, each reported at its line ----------------------------------------------

BASE = """\
name: broken
format: csv
key: [flight, departure]
entities:
  traveller:
    type: Person
    properties:
      name: {column: name}
      birth_date: {column: dob, format: "%d/%m/%Y"}
  origin:
    type: Place
    properties:
      place_kind: {value: airport}
      ref: {column: origin}
events:
  leg:
    type: Trip
    properties:
      time: {column: departure, format: "%Y-%m-%d %H:%M"}
      flight: {column: flight}
links:
  - {type: PASSENGER, from: leg, to: traveller}
  - {type: DEPARTED_FROM, from: leg, to: origin}
"""

MISTAKES = [
    # (replace, with, the line the error names contains, the message contains)
    ("format: csv", "format: xlsx", "format: xlsx", "unknown format 'xlsx'"),
    ("key: [", "kee: [", "kee:", "the mapping has no key 'kee'; did you mean 'key'?"),
    ("type: Person", "type: Persn", "Persn", "unknown entity type 'Persn'"),
    ("type: Place", "type: Trip", "type: Trip", "Trip is an event type; declare it under `events`"),
    ("{column: name}", "{colum: name}", "colum:", "has no key 'colum'; did you mean 'column'?"),
    ("      name: {", "      nme: {", "nme:", "Person has no property 'nme'"),
    ("%d/%m/%Y", "%d/%m/%Q", "%Q", "bad format '%d/%m/%Q'"),
    ("{column: flight}", "{column: flight, format: '%H'}", "'%H'", "not a time or date"),
    ("type: PASSENGER", "type: PASENGER", "PASENGER", "did you mean 'PASSENGER'"),
    ("to: traveller}", "to: traveler}", "traveler", "no entity or event has that name"),
    ("to: origin}", "to: traveller}", "DEPARTED_FROM", "DEPARTED_FROM cannot go to 'traveller'"),
    ("      ref: {column: origin}\n", "", "properties:\n      place_kind", "Place requires ref"),
    ("{value: airport}", "{value: ''}", "place_kind: {value: ''}", "empty text"),
    ("{column: name}", "{column: name, normalise: phone}", "normalise", "not a phone property"),
    ("{column: name}", "{column: name, value: x}", "name: {", "exactly one of column"),
    ("{column: name}", "{column: name, normalise: country}", "normalise", "not a country"),
    ("{column: name}", "{column: name, normalise: upper}", "upper", "unknown normaliser"),
    ("{column: name}", "{column: name, region: NL}", "region", "`region` belongs with"),
    ("{column: name}", "{column: name, empty_if: '(('}", "empty_if", "not a regular expression"),
    ("key: [flight, departure]\n", "", "name: broken", "a mapping with events needs a `key`"),
    ("  origin:\n", "  leg:\n", "  leg:\n    type: Trip", "'leg' is already declared"),
    ("format: csv\n", "format: csv\ntimezone: Mars/Olympus\n", "Mars", "unknown timezone"),
    ("format: csv\n", "format: csv\ncsv: {encoding: utf-16}\n", "utf-16", "line by line"),
    ("format: csv\n", "format: csv\ncsv: {encoding: klingon}\n", "klingon", "unknown encoding"),
    ("format: csv\n", "format: csv\ncsv: {delimiter: ';;'}\n", "';;'", "one character"),
    ("format: csv\n", "format: csv\nname: again\n", "name: again", "names 'name' twice"),
    ("flight: {column: flight}", "flight: {column: [flight", "links:", "sequence on line 20"),
    ("format: csv\n", "format: jsonl\ncsv: {header: true}\n", "csv: {", "for format csv only"),
    (
        "format: csv\n",
        "format: csv\ncsv: {header: false}\ncolumns: [name, dob, departure, flight]\n",
        "{column: origin}",
        "column 'origin' is not in `columns`",
    ),
    (
        "{column: name}",
        "{column: name, map: {A: b}, default: x, separator: '-'}",
        "separator",
        "`separator` belongs with `join`",
    ),
]


@pytest.mark.parametrize(("old", "new", "marker", "message"), MISTAKES, ids=lambda v: str(v)[:24])
def test_mapping_mistakes_name_their_line(
    tmp_path: Path, old: str, new: str, marker: str, message: str
) -> None:
    assert old in BASE
    text = BASE.replace(old, new, 1)
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    line = text[: text.index(marker)].count("\n") + 1
    with pytest.raises(MappingError) as caught:
        load_mapping(path)
    assert caught.value.exit_code == 78
    assert str(caught.value).startswith(f"{path}:{line}: "), str(caught.value)
    assert message in str(caught.value)


def test_the_base_of_the_mistakes_is_itself_valid(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(BASE, encoding="utf-8")
    mapping = load_mapping(path)
    assert mapping.columns == {"name": 8, "dob": 9, "origin": 14, "departure": 19, "flight": 20}


def test_unreadable_mapping_files(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="cannot read the mapping"):
        load_mapping(tmp_path / "missing.yaml")
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing\n")
    with pytest.raises(MappingError, match="the mapping is empty"):
        load_mapping(empty)


# Files that do not fit the mapping -------------------------------------------------------


def test_missing_columns_are_reported_before_any_row(tmp_path: Path) -> None:
    lines = MANIFEST.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "short.csv"
    path.write_text("\n".join([lines[0].replace("name,", "full_name,", 1), *lines[1:]]) + "\n")
    conn = mapping_connector(shipped_mapping("passenger_manifest"), ReadOptions())
    with pytest.raises(ColumnsMissing) as caught:
        next(iter(conn.read(path)))
    message = str(caught.value)
    line = mapping_line(shipped_mapping("passenger_manifest"), "name: {column: name}")
    assert f"'name' (line {line})" in message and "'full_name'" in message
    assert str(shipped_mapping("passenger_manifest")) in message
    with pytest.raises(ColumnsMissing):
        conn.check(path)
    with pytest.raises(ColumnsMissing):
        mapping_factory(shipped_mapping("passenger_manifest"))(path, ReadOptions())


def test_pipeline_reports_a_file_without_the_columns_as_failed(tmp_path: Path) -> None:
    bad = tmp_path / "a_bad.csv"
    bad.write_text("who,when\nx,y\n")
    reports = ingest_paths(
        [bad, MANIFEST],
        Ledger(tmp_path / "ledger"),
        connector_for=mapping_factory(shipped_mapping("passenger_manifest")),
    )
    assert [r.status for r in reports] == ["failed", "ingested"]
    assert "names columns this file does not have" in reports[0].message
    assert (reports[1].read, reports[1].accepted, reports[1].quarantined) == (12, 9, 3)


def test_bytes_outside_the_encoding_quarantine_that_row_only(tmp_path: Path) -> None:
    data = MANIFEST.read_bytes().replace("Müller".encode(), "Müller".encode("latin-1"))
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    items = read(shipped_mapping("passenger_manifest"), path)
    assert len(items) == 12 and len(split(items)[0]) == 8
    bad = at_line(items, 7)
    assert isinstance(bad, Rejected)
    assert bad.reason.startswith("line 7 is not valid utf-8 (byte 0xfc")
    assert "M\ufffdller" in bad.raw


def test_declared_encoding_reads_legacy_files(tmp_path: Path) -> None:
    text = shipped_mapping("passenger_manifest").read_text(encoding="utf-8")
    mapping = tmp_path / "latin.yaml"
    mapping.write_text(text.replace("encoding: utf-8", "encoding: cp1252"), encoding="utf-8")
    path = tmp_path / "latin.csv"
    path.write_bytes(MANIFEST.read_text(encoding="utf-8").encode("cp1252"))
    record = at_line(read(mapping, path), 7)
    assert isinstance(record, SourceRecord)
    assert props(record, "Person")[0]["name"] == "Jörg Müller"


def test_broken_quoting_and_multi_line_fields_keep_physical_lines(tmp_path: Path) -> None:
    lines = MANIFEST.read_text(encoding="utf-8").splitlines()
    rows = [
        lines[0],
        lines[1].replace("Aleksandr Volkov", '"Aleksandr\nVolkov Jr"'),  # lines 2-3
        lines[2].replace("Maartje de Vries", '"Maartje" de Vries'),  # line 4: broken quoting
        lines[3],  # line 5
    ]
    path = tmp_path / "quotes.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    items = read(shipped_mapping("passenger_manifest"), path)
    assert [i.locator.rsplit(":line ", 1)[1] for i in items] == ["2", "4", "5"]
    first, broken, last = items
    assert isinstance(first, SourceRecord) and first.raw.count("\n") == 2
    assert props(first, "Person")[0]["name"] == "Aleksandr Volkov Jr"
    assert isinstance(broken, Rejected) and broken.reason.startswith("not valid CSV")
    assert isinstance(last, SourceRecord)


def test_a_row_that_asserts_nothing_is_quarantined(tmp_path: Path) -> None:
    mapping = tmp_path / "people.yaml"
    mapping.write_text(
        "name: people\nformat: csv\n"
        "entities:\n  person: {type: Person, properties: {name: {column: name}}}\n"
    )
    path = tmp_path / "people.csv"
    path.write_text("name\nJane Roe\n\n  \n")
    first, second = read(mapping, path)
    assert isinstance(first, SourceRecord) and first.locator.endswith(":line 2")
    assert isinstance(second, Rejected) and second.locator.endswith(":line 4")
    assert second.reason.startswith("the row asserts nothing")


def test_yaml_booleans_stay_the_text_written(tmp_path: Path) -> None:
    mapping = tmp_path / "people.yaml"
    mapping.write_text(
        "name: people\nformat: csv\nentities:\n  person:\n    type: Person\n"
        "    properties:\n      name: {column: name}\n"
        "      nationality: {column: country, map: {NOR: NO, yes: GB}}\n"
    )
    path = tmp_path / "people.csv"
    path.write_text("name,country\nKari Nordmann,NOR\nJane Roe,yes\n")
    norway, by_yes = read(mapping, path)
    assert isinstance(norway, SourceRecord) and isinstance(by_yes, SourceRecord)
    assert props(norway, "Person")[0]["nationality"] == "NO"
    assert props(by_yes, "Person")[0]["nationality"] == "GB"


def test_a_header_naming_a_mapped_column_twice_is_refused(tmp_path: Path) -> None:
    lines = MANIFEST.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "twice.csv"
    path.write_text(f"{lines[0]},origin\n{lines[1]},LHR\n")
    with pytest.raises(UnreadableSource, match="the header names 'origin' more than once"):
        mapping_connector(shipped_mapping("passenger_manifest"), ReadOptions()).check(path)


# JSON lines and Parquet --------------------------------------------------------------------

JSON_MAPPING = """\
name: badge-log
format: jsonl
key: [id]
entities:
  holder:
    type: Person
    properties:
      name: {join: [person.first, person.last]}
  door:
    type: Place
    properties:
      place_kind: {value: door}
      ref: {field: site.door}
events:
  entry:
    type: Visit
    properties:
      time: {field: at, format: epoch_ms}
      place_name: {field: site.name}
      confidence: {field: result, map: {granted: 1, denied: 0}, default: null}
links:
  - {type: LOCATED, from: entry, to: holder}
  - {type: AT, from: entry, to: door}
"""


def test_json_lines_with_dotted_fields(tmp_path: Path) -> None:
    mapping = tmp_path / "badges.yaml"
    mapping.write_text(JSON_MAPPING)
    good = {
        "id": 7,
        "at": 1710407702000,
        "person": {"first": "Jane", "last": "Roe"},
        "site": {"door": "b2-east", "name": "Building 2 east"},
        "result": "granted",
    }
    lines = [
        json.dumps(good),
        json.dumps([1, 2]),
        '{"id": 8, "at": ',
        json.dumps({**good, "id": 9, "at": "noon"}),
        json.dumps({**good, "id": 10, "result": "tailgated"}),
    ]
    path = tmp_path / "badges.jsonl"
    path.write_text("\n".join(lines) + "\n")
    items = read(mapping, path)
    assert [i.locator.rsplit(":line ", 1)[1] for i in items] == ["1", "2", "3", "4", "5"]
    first, not_object, damaged, bad_time, unmapped = items
    assert isinstance(first, SourceRecord)
    assert props(first, "Person") == [{"name": "Jane Roe"}]
    assert props(first, "Place") == [{"place_kind": "door", "ref": "B2-EAST"}]
    visit = props(first, "Visit")[0]
    assert visit["time"] == datetime(2024, 3, 14, 9, 15, 2, tzinfo=UTC)
    assert visit["confidence"] == 1.0 and visit["place_name"] == "Building 2 east"
    assert isinstance(not_object, Rejected) and "found list" in not_object.reason
    assert isinstance(damaged, Rejected) and "invalid JSON" in damaged.reason
    assert isinstance(bad_time, Rejected) and "expected epoch milliseconds" in bad_time.reason
    assert isinstance(unmapped, SourceRecord)  # `default: null` leaves it out
    assert "confidence" not in props(unmapped, "Visit")[0]


def test_json_lines_with_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    mapping = tmp_path / "badges.yaml"
    mapping.write_text(JSON_MAPPING)
    good = '{"id": 1, "at": 1710407702000, "person": {"first": "Jane", "last": "Roe"}}'
    escaped = '{"id": 2, "at": 1710407702000, "person": {"first": "\\udc80", "last": "R"}}'
    path = tmp_path / "badges.jsonl"
    path.write_bytes(
        b"\n".join([good.encode(), good.encode().replace(b"Jane", b"J\xffne"), escaped.encode()])
    )
    first, raw_bytes, escape = read(mapping, path)
    assert isinstance(first, SourceRecord)
    assert isinstance(raw_bytes, Rejected) and "not valid UTF-8" in raw_bytes.reason
    assert isinstance(escape, Rejected) and "not valid Unicode" in escape.reason
    json.dumps(raw_bytes.raw).encode("utf-8")  # storable in the quarantine file


PARQUET_MAPPING = """\
name: calls-parquet
format: parquet
key: [call_id]
entities:
  caller: {type: Phone, properties: {number: {field: parties.from, normalise: phone}}}
  callee: {type: Phone, properties: {number: {field: parties.to, normalise: phone, region: NL}}}
events:
  call:
    type: Communication
    properties:
      time: {field: started}
      channel: {value: call}
      duration_s: {field: seconds}
links:
  - {type: FROM, from: call, to: caller}
  - {type: TO, from: call, to: callee}
"""


def test_parquet_with_typed_and_nested_fields(tmp_path: Path) -> None:
    mapping = tmp_path / "calls.yaml"
    mapping.write_text(PARQUET_MAPPING)
    table = pa.table(
        {
            "call_id": ["c1", "c2", "c3"],
            "started": pa.array(
                [datetime(2024, 3, 14, 9, 0, tzinfo=UTC)] * 2 + [None],
                type=pa.timestamp("ms", tz="UTC"),
            ),
            "seconds": [61, 0, 5],
            "parties": [
                {"from": "+442079460958", "to": "020 555 0123"},
                {"from": "+442079460958", "to": None},
                {"from": "+442079460958", "to": "0205550123"},
            ],
        }
    )
    path = tmp_path / "calls.parquet"
    pq.write_table(table, path)
    items = read(mapping, path)
    assert [i.locator.rsplit("#", 1)[1] for i in items] == ["row[0]", "row[1]", "row[2]"]
    first, no_callee, no_time = items
    assert isinstance(first, SourceRecord)
    assert [p["number"] for p in props(first, "Phone")] == ["+442079460958", "+31205550123"]
    assert props(first, "Communication")[0]["time"] == datetime(2024, 3, 14, 9, tzinfo=UTC)
    assert isinstance(no_callee, SourceRecord)
    assert shapes(no_callee) == {("Communication", "FROM", "Phone")}
    assert isinstance(no_time, Rejected) and "Communication.time is required" in no_time.reason


def test_parquet_schema_without_a_field_fails_before_any_row(tmp_path: Path) -> None:
    mapping = tmp_path / "calls.yaml"
    mapping.write_text(PARQUET_MAPPING)
    path = tmp_path / "calls.parquet"
    pq.write_table(pa.table({"call_id": ["c1"], "started": ["2024-03-14T09:00Z"]}), path)
    with pytest.raises(ColumnsMissing) as caught:
        next(iter(read_lazily(mapping, path)))
    assert "'parties.from'" in str(caught.value) and "'seconds'" in str(caught.value)
    junk = tmp_path / "junk.parquet"
    junk.write_text("not parquet")
    with pytest.raises(UnreadableSource, match="not a readable Parquet file"):
        mapping_connector(mapping, ReadOptions()).check(junk)


def read_lazily(mapping: Path, path: Path) -> Iterator[SourceRecord | Rejected]:
    return mapping_connector(mapping, ReadOptions()).read(path)


def test_several_events_of_one_row_get_distinct_ids(tmp_path: Path) -> None:
    mapping = tmp_path / "legs.yaml"
    mapping.write_text(
        "name: two-legs\nformat: csv\nkey: [ref]\nevents:\n"
        "  out: {type: Trip, properties: {time: {column: out}, mode: {value: flight}}}\n"
        "  back: {type: Trip, properties: {time: {column: back}, mode: {value: flight}}}\n"
    )
    path = tmp_path / "legs.csv"
    path.write_text("ref,out,back\nR1,2024-03-14T06:45Z,2024-03-16T17:20+00:00\n")
    [record] = read(mapping, path)
    assert isinstance(record, SourceRecord)
    assert len({n.id for n in record.nodes}) == 2


# End to end ----------------------------------------------------------------------------------


def test_manifest_row_reaches_the_travellers_timeline(tmp_path: Path) -> None:
    conn = mapping_connector(shipped_mapping("passenger_manifest"), ReadOptions())
    data = MANIFEST.read_bytes()
    source = SourceFile(MANIFEST, hashlib.sha256(data).hexdigest(), len(data))
    ledger = Ledger(tmp_path / "ledger")
    manifest = ledger.write_batch(source, conn.name, conn.version, conn.read(MANIFEST))
    assert (manifest.read, manifest.accepted, manifest.quarantined) == (12, 9, 3)
    assert ledger.find(source, conn.name, conn.version) == manifest
    assert len(ledger.quarantine(manifest)) == 3
    first = at_line(list(conn.read(MANIFEST)), 2)
    assert isinstance(first, SourceRecord)
    person = node_id(first, "Person")
    store = EmbeddedStore(tmp_path / "g.lbdb", default_model())
    try:
        report = project(ledger, store)
        assert report.batches == 1
        events = timeline(store, person)
    finally:
        store.close()
    assert [(e["kind"], e["record_id"]) for e in events] == [("Trip", first.record_id)]
    assert events[0]["time"].replace(tzinfo=UTC) == datetime(2024, 3, 14, 6, 45, tzinfo=UTC)
