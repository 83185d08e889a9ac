"""Fixtures shared by the connector tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One file path per test module that property tests overwrite on every example."""
    return tmp_path_factory.mktemp("fuzz") / "input"
