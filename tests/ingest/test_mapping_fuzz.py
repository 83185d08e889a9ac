"""Property tests: whatever bytes a mapped CSV holds, reading it yields records or
rejections with a reason, one per record, never an exception; a file whose header does
not fit fails with the documented error before any row."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.connectors.base import ReadOptions
from ingest.errors import UnreadableSource
from ingest.mapping import mapping_connector, shipped_mapping
from ingest.records import Rejected, SourceRecord
from tests.ingest import fuzzkit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mapping"
MANIFEST = (FIXTURES / "passenger_manifest.csv").read_bytes()
HEADER = MANIFEST.split(b"\n", 1)[0] + b"\n"
MASTER = (FIXTURES / "Master.csv").read_bytes()
FUZZ = settings(
    max_examples=75,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CSV_BITS = st.sampled_from([b",", b'"', b'""', b"\n", b"\r\n", b"\r", b"\x00", b"\xff", b" "])


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "input.csv"


def read_all(mapping: str, path: Path, data: bytes) -> list[SourceRecord | Rejected]:
    """Read `data` through a shipped mapping and check every item it yields."""
    path.write_bytes(data)
    connector = mapping_connector(shipped_mapping(mapping), ReadOptions(phone_region="GB"))
    items = list(connector.read(path))
    for item in items:
        assert isinstance(item, SourceRecord | Rejected), item
        assert item.locator.startswith(f"{path}:line ")
        item.raw.encode("utf-8")  # storable in the ledger
        if isinstance(item, Rejected):
            assert item.reason.strip()
            json.dumps(item.__dict__, ensure_ascii=False).encode("utf-8")
        else:
            assert item.nodes and item.record_id
    lines = [int(i.locator.rsplit(" ", 1)[1]) for i in items]
    assert lines == sorted(set(lines))  # one item per record, in file order
    return items


@FUZZ
@given(body=st.lists(st.binary(max_size=40) | CSV_BITS, max_size=40))
def test_any_rows_under_the_header_never_raise(scratch: Path, body: list[bytes]) -> None:
    read_all("passenger_manifest", scratch, HEADER + b"".join(body))


@FUZZ
@given(data=st.binary(max_size=1500))
def test_any_bytes_give_items_or_the_documented_error(scratch: Path, data: bytes) -> None:
    try:
        read_all("passenger_manifest", scratch, data)
    except UnreadableSource as exc:  # ColumnsMissing, or an undecodable header row
        assert str(exc).startswith(f"{scratch}: cannot read")


@FUZZ
@given(st.data())
def test_mutated_manifest_never_raises(scratch: Path, data: st.DataObject) -> None:
    sample = fuzzkit.mutate(
        MANIFEST, data, start=len(HEADER), chunks=st.binary(min_size=1, max_size=12) | CSV_BITS
    )
    read_all("passenger_manifest", scratch, sample)


@FUZZ
@given(st.data())
def test_mutated_call_records_never_raise(scratch: Path, data: st.DataObject) -> None:
    sample = bytearray(MASTER)
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(sample)))
        sample[at:at] = data.draw(st.binary(min_size=1, max_size=8) | CSV_BITS)
    read_all("asterisk_cdr", scratch, bytes(sample))


@FUZZ
@given(
    st.lists(
        st.lists(st.text(max_size=12), min_size=12, max_size=12).map(
            lambda fields: ",".join(f'"{f.replace(chr(34), chr(34) * 2)}"' for f in fields)
        ),
        max_size=15,
    )
)
def test_every_well_formed_row_is_one_item(scratch: Path, rows: list[str]) -> None:
    text = HEADER.decode() + "".join(row + "\n" for row in rows)
    items = read_all("passenger_manifest", scratch, text.encode("utf-8", "surrogatepass"))
    assert len(items) == len(rows)
