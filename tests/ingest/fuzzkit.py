"""What every connector's property tests share: settings, JSON values, the item checks."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from ingest.connectors.base import Connector, ReadOptions
from ingest.records import Rejected, SourceRecord
from schemas.codec import encode_props


def fuzz_settings(max_examples: int) -> Any:
    """Bounded, deadline-free runs: connectors are I/O-bound on a busy CI machine."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def json_values(extra: Sequence[Any] = (), max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """Arbitrary JSON, plus `extra` values that look like the format's own."""
    scalars = st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=20)
    if extra:
        scalars = scalars | st.sampled_from(list(extra))
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=12), children, max_size=4)
        ),
        max_leaves=max_leaves,
    )


def read_all(
    connector: type[Connector],
    path: Path,
    data: bytes,
    options: ReadOptions | None = None,
    storable: bool = False,
) -> list[SourceRecord | Rejected]:
    """Read `data` through the connector and check every item it yields: a record or a
    rejection with a reason, located in the file; with `storable`, all text is valid
    Unicode so the ledger can keep it as it is."""
    path.write_bytes(data)
    items = list(connector(options=options).read(path))
    for item in items:
        assert isinstance(item, SourceRecord | Rejected), item
        assert item.locator.startswith(str(path))
        if isinstance(item, Rejected):
            assert item.reason.strip()
        else:
            assert item.nodes and item.record_id
        if storable:
            _assert_storable(item)
    return items


def _assert_storable(item: SourceRecord | Rejected) -> None:
    for text in (item.locator, item.raw, getattr(item, "reason", "")):
        text.encode("utf-8")
    for node in getattr(item, "nodes", []):
        encode_props(node.props)


_CHUNKS = st.binary(min_size=1, max_size=12)


def mutate(
    sample: bytes,
    data: st.DataObject,
    start: int = 0,
    chunks: st.SearchStrategy[bytes] = _CHUNKS,
) -> bytes:
    """Up to eight random overwrites, insertions or deletions at or after `start`."""
    mutated = bytearray(sample)
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(start, len(mutated)))
        action = data.draw(st.sampled_from(["flip", "insert", "delete"]))
        chunk = data.draw(chunks)
        if action == "flip":
            mutated[at : at + len(chunk)] = chunk
        elif action == "insert":
            mutated[at:at] = chunk
        else:
            del mutated[at : at + len(chunk)]
    return bytes(mutated)
