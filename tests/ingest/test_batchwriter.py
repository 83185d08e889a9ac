"""The batch writer's Parquet columns: built from buffers, bounded row groups."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ingest import batchparts
from ingest.batchparts import RECORD_SCHEMA, string_array
from ingest.batchwriter import _TableSink, _write_rows


def test_string_array_keeps_any_unicode_text() -> None:
    values = ["plain", "", "café", "東京", "😀 emoji", "x" * 1000]
    array = string_array(values)
    array.validate(full=True)
    assert array.to_pylist() == values
    assert array.type == pa.string()


def test_row_groups_are_bounded_by_bytes_as_well_as_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batchparts, "ROW_GROUP_BYTES", 40_000)
    sink = _TableSink(tmp_path / "records.parquet", RECORD_SCHEMA)
    rows = [(f"r{i}", f"file#{i}", "é" * 1000) for i in range(100)]
    _write_rows(sink, RECORD_SCHEMA, rows)
    sink.close()
    parquet = pq.ParquetFile(tmp_path / "records.parquet")
    assert parquet.num_row_groups >= 5  # 100 rows of 2 kB each, at most 40 kB a group
    assert [tuple(r.values()) for r in parquet.read().to_pylist()] == rows
