"""Mention runs in the graph, on both backends: one MENTIONS edge per post and target
where a connector and the extractor both see a mention."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.projection import project
from graph.store import GraphStore
from ingest.ledger import Ledger
from ingest.mentions import extract_mentions
from ingest.pipeline import ingest_paths
from tests.conftest import samples_dir

SOCIAL_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "social"


@pytest.fixture(scope="module")
def social_ledger(tmp_path_factory: pytest.TempPathFactory) -> Ledger:
    """The social samples and fixtures, ingested as a user would, with a mention run."""
    ledger = Ledger(tmp_path_factory.mktemp("social") / "ledger")
    reports = ingest_paths([samples_dir() / "social", SOCIAL_FIXTURES], ledger, workers=1)
    assert all(r.status == "ingested" for r in reports)
    extract_mentions(ledger)
    return ledger


def test_a_mention_the_platform_marked_is_one_edge(
    store: GraphStore, social_ledger: Ledger
) -> None:
    project(social_ledger, store)
    rows = store.read("MATCH (p:Post)-[m:MENTIONS]->(a:Account) RETURN p.id, a.id, m.method").rows
    pairs = [(post, account) for post, account, _ in rows]
    assert len(pairs) == len(set(pairs)) == 10  # one edge per post and account
    # Eight the platform marked (seven of them also written as an @handle in the text,
    # which the extractor's rule finds again): the connector's edge is the one kept.
    # Two handles no platform marked are the extractor's alone.
    methods = sorted(str(method) for _, _, method in rows)
    assert methods == ["None"] * 8 + ["rule"] * 2
