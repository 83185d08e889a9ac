"""Shared fixtures: the real Neo4j server (one per test session) and graph stores.

With CI=true the Neo4j tests must run: if the server cannot be assembled or started the
session fails instead of skipping. Locally, DOSSIER_TEST_NEO4J=skip skips them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest

from graph.embedded import EmbeddedStore
from graph.neo4j_store import Neo4jStore
from graph.store import GraphStore
from schemas.model import default_model
from tests.support.neo4j_server import Neo4jServer

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"


def samples_dir() -> Path:
    """The shared real-format samples, beside the repository (as in CI's clone)."""
    override = os.environ.get("DOSSIER_SAMPLES")
    return Path(override) if override else SAMPLES


@pytest.fixture(scope="session")
def neo4j_uri() -> Iterator[str]:
    if os.environ.get("DOSSIER_TEST_NEO4J") == "skip" and os.environ.get("CI") != "true":
        pytest.skip("DOSSIER_TEST_NEO4J=skip")
    with Neo4jServer() as server:
        yield server.uri


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_uri: str) -> Iterator[neo4j.Driver]:
    driver = neo4j.GraphDatabase.driver(neo4j_uri, auth=None, notifications_min_severity="OFF")
    yield driver
    driver.close()


@pytest.fixture
def neo4j_store(neo4j_driver: neo4j.Driver) -> Iterator[Neo4jStore]:
    store = Neo4jStore(neo4j_driver, default_model())
    store.ensure_schema()
    store.clear()
    yield store
    store.clear()


@pytest.fixture
def embedded_store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(tmp_path / "graph" / "embedded.lbdb", default_model())
    yield store
    store.close()


@pytest.fixture(params=["embedded", "neo4j"])
def store(request: pytest.FixtureRequest) -> GraphStore:
    """The same test, once per backend."""
    if request.param == "neo4j":
        request.applymarker(pytest.mark.neo4j)
    return request.getfixturevalue(f"{request.param}_store")
