"""Narrowing what a connector yields, for tests that expect one kind of item."""

from __future__ import annotations

from ingest.records import Rejected, SourceRecord


def reason(item: SourceRecord | Rejected) -> str:
    """The quarantine reason of an item that must be a rejection."""
    assert isinstance(item, Rejected), f"expected a rejection, got {item!r}"
    return item.reason


def accepted(item: SourceRecord | Rejected) -> SourceRecord:
    """An item that must be an accepted record."""
    assert isinstance(item, SourceRecord), f"expected a record, got {item!r}"
    return item
