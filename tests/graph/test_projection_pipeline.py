"""The projection builds rows in a worker thread ahead of the store: its errors must reach
the caller, and no thread may outlive a projection, whether it ends well or not."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pyarrow as pa
import pytest

from graph.projection import _ahead, project
from graph.store import GraphStore
from ingest.ledger import Ledger
from tests.graph.builders import meeting_records, write_ledger


def _workers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "projection-rows"]


def _count(until: int, fail_at: int | None = None) -> Iterator[int]:
    for i in range(until):
        if i == fail_at:
            raise ValueError(f"broken at {i}")
        yield i


def test_items_arrive_in_order_and_the_worker_ends() -> None:
    with closing(_ahead(_count(50), depth=2)) as items:  # type: ignore[arg-type]
        assert list(items) == list(range(50))
    assert not _workers()


def test_a_worker_error_reaches_the_caller() -> None:
    seen = []
    with (
        pytest.raises(ValueError, match="broken at 7"),
        closing(_ahead(_count(50, fail_at=7))) as items,  # type: ignore[arg-type]
    ):
        for item in items:
            seen.append(item)
    assert seen == list(range(7))  # everything made before the error was delivered
    assert not _workers()


def test_a_caller_that_stops_early_stops_the_worker() -> None:
    with closing(_ahead(_count(10_000))) as items:  # type: ignore[arg-type]
        assert next(items) == 0
    assert not _workers()


def test_an_unreadable_batch_fails_the_projection_and_marks_nothing(
    store: GraphStore, tmp_path: Path
) -> None:
    manifest = write_ledger(tmp_path / "ledger", meeting_records())
    ledger = Ledger(tmp_path / "ledger")
    (ledger.batch_dir(manifest) / "edges.parquet").write_bytes(b"not parquet")
    with pytest.raises(pa.ArrowInvalid):
        project(ledger, store)
    assert not _workers()
    assert store.projected_batches() == set()  # the batch is applied again next time
