"""Flushing staged batch folders, with syncfs and with the per-file fallback."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest import durable

NAMES = ("nodes.parquet", "quarantine.jsonl", "manifest.json")


def _folders(root: Path, count: int) -> list[Path]:
    folders = [root / f"batch-{n}" for n in range(count)]
    for folder in folders:
        folder.mkdir()
        for name in NAMES:
            (folder / name).write_bytes(b"x" * 1000)
    return folders


def _flushed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every path os.fsync is called on, from now on."""
    seen: list[str] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        seen.append(os.readlink(f"/proc/self/fd/{fd}"))
        real(fd)

    monkeypatch.setattr(durable.os, "fsync", fsync)
    return seen


def test_syncfs_flushes_a_group_of_folders_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = durable._syncfs()
    assert real is not None  # Linux: the C library has syncfs
    calls: list[int] = []

    def counting(fd: int) -> int:
        calls.append(fd)
        return real(fd)

    monkeypatch.setattr(durable, "_syncfs", lambda: counting)
    seen = _flushed(monkeypatch)
    durable.flush_folders(_folders(tmp_path, 3))
    assert len(calls) == 1 and seen == []


def test_without_syncfs_each_file_and_folder_is_flushed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(durable, "_syncfs", lambda: None)
    seen = _flushed(monkeypatch)
    folders = _folders(tmp_path, 2)
    durable.flush_folders(folders)
    expected = {str(f / n) for f in folders for n in NAMES} | {str(f) for f in folders}
    assert set(seen) == expected


@pytest.mark.parametrize("syncfs", [durable._syncfs, lambda: None], ids=["syncfs", "per-file"])
def test_a_missing_folder_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, syncfs: Callable[[], object]
) -> None:
    monkeypatch.setattr(durable, "_syncfs", syncfs)
    [present] = _folders(tmp_path, 1)
    with pytest.raises(FileNotFoundError):
        durable.flush_folders([present, tmp_path / "gone"])
    with pytest.raises(FileNotFoundError):
        durable.flush_folders([tmp_path / "gone"])
