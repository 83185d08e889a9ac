"""Flushing a staged batch folder, with syncfs and with the per-file fallback."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import durable


@pytest.fixture(params=["syncfs", "per-file"])
def flushing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "per-file":
        monkeypatch.setattr(durable, "_syncfs", lambda: None)
    else:
        assert durable._syncfs() is not None  # Linux: the C library has syncfs
    return str(request.param)


def test_a_folder_of_files_is_flushed(tmp_path: Path, flushing: str) -> None:
    for name in ("nodes.parquet", "quarantine.jsonl", "manifest.json"):
        (tmp_path / name).write_bytes(b"x" * 1000)
    durable.flush_folder(tmp_path)
    durable.fsync_dir(tmp_path)


def test_a_missing_folder_is_an_error(tmp_path: Path, flushing: str) -> None:
    with pytest.raises(FileNotFoundError):
        durable.flush_folder(tmp_path / "gone")
