"""A ledger of the tiny scenario's person sources, built once per test session.

Resolution tests copy it (a run writes to the ledger), so each starts from the same state.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ingest.connectors.base import ReadOptions
from ingest.ledger import Ledger
from ingest.mapping import mapping_factory, shipped_mapping
from ingest.pipeline import ingest_paths
from ingest.scenario import generate

PERSON_SOURCES = ("messages/sms", "messages/mail", "social")


@dataclass(frozen=True)
class Scenario:
    ledger_root: Path
    truth: dict[str, Any]


@pytest.fixture(scope="session")
def person_scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    root = tmp_path_factory.mktemp("resolve")
    data = root / "data"
    generate(data, "tiny", seed=7)
    ledger = Ledger(root / "ledger")
    options = ReadOptions(phone_region="NL")
    ingest_paths([data / s for s in PERSON_SOURCES], ledger, options)
    manifests = mapping_factory(shipped_mapping("passenger_manifest"))
    ingest_paths([data / "travel" / "manifests"], ledger, options, None, manifests)
    truth = json.loads((data / "ground_truth.json").read_text(encoding="utf-8"))
    return Scenario(root / "ledger", truth)


@pytest.fixture
def ledger(person_scenario: Scenario, tmp_path: Path) -> Ledger:
    copy = tmp_path / "ledger"
    shutil.copytree(person_scenario.ledger_root, copy)
    return Ledger(copy)
