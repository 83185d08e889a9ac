"""What only the Neo4j store does: reads chained to this process's writes by bookmarks."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.neo4j_store import Neo4jStore
from graph.projection import project
from ingest.ledger import Ledger
from tests.graph.builders import meeting_records, write_ledger

pytestmark = pytest.mark.neo4j


def test_every_session_shares_the_drivers_bookmarks(
    neo4j_store: Neo4jStore, tmp_path: Path
) -> None:
    # A cluster may serve a read from a replica that has not seen a write yet; a session
    # that carries the bookmarks of every earlier one waits until it has. Our sessions'
    # writes must therefore land in the driver's shared bookmark manager.
    manager = neo4j_store.driver.execute_query_bookmark_manager
    before = set(manager.get_bookmarks())
    write_ledger(tmp_path / "ledger", meeting_records())
    project(Ledger(tmp_path / "ledger"), neo4j_store)
    after = set(manager.get_bookmarks())
    assert after and after != before
    assert neo4j_store.read("MATCH (s:Sighting) RETURN count(s)").rows[0][0] == 12
