"""Mention runs in the graph, on both backends: one MENTIONS edge per post and target
where a connector and the extractor both see a mention, and a newer run leaves no node
that only the run it replaced had made."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.projection import project
from graph.store import GraphStore
from ingest.ledger import Ledger, SourceFile
from ingest.mentions import extract_mentions
from ingest.pipeline import ingest_paths
from ingest.records import RecordBuilder
from schemas.model import default_model
from tests.conftest import samples_dir
from tests.ingest.mentions.conftest import MODEL, write_known_ledger

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


def _provenance(store: GraphStore) -> list[list[str]]:
    """(id, batch, record) of every node of the model, sorted by id."""
    rows = []
    for label in store.model.node_types:
        rows += store.read(f"MATCH (n:{label}) RETURN n.id, n.batch_id, n.record_id").rows
    return sorted(rows)


def _names(store: GraphStore, label: str) -> list[str]:
    return [row[0] for row in store.read(f"MATCH (n:{label}) RETURN n.name ORDER BY n.name").rows]


def test_a_newer_mention_run_leaves_no_orphans(store: GraphStore, tmp_path: Path) -> None:
    ledger = write_known_ledger(tmp_path / "ledger").ledger
    first = extract_mentions(ledger, model_name=MODEL).manifest
    project(ledger, store)
    # The model's guesses in "John Smith works for Acme Corporation in London." are nodes.
    assert _names(store, "Organization") == ["Acme Corporation"]
    assert _names(store, "Place") == ["London"]
    assert "John Smith" in _names(store, "Person")
    # A source names the organisation too (projected after the run, which made it first).
    builder = RecordBuilder(default_model(), "test", "orgs#1", "Acme Corporation")
    acme = builder.entity("Organization", name="Acme Corporation")
    orgs = SourceFile(Path("orgs.json"), "sha-orgs", 1)
    source = ledger.write_batch(orgs, "test", "1", [builder.build()])
    project(ledger, store)
    # A newer run without the model: nothing guesses John Smith or London any more.
    second = extract_mentions(ledger).manifest
    assert second.supersedes == first.supersedes and second.seq > first.seq
    project(ledger, store)
    assert _names(store, "Place") == []
    assert _names(store, "Person") == ["Ana Brisković", "Bob Stranger"]
    # The organisation a source asserts stays, and now cites that source, not the run.
    rows = store.read("MATCH (o:Organization) RETURN o.id, o.batch_id, o.record_id").rows
    assert rows == [[acme, source.batch_id, builder.build().record_id]]
    assert all(batch != first.batch_id for _, batch, _ in _provenance(store))
    # Nodes the newer run names again are its own, with their links.
    accounts = store.read(
        "MATCH (:Post)-[m:MENTIONS]->(a:Account) WHERE a.batch_id = $new RETURN count(m)",
        {"new": second.batch_id},
    )
    assert accounts.rows == [[2]]  # @friend@other.social and @local in the Mastodon post


def test_a_rebuild_after_a_newer_run_gives_the_same_graph(
    store: GraphStore, tmp_path: Path
) -> None:
    ledger = write_known_ledger(tmp_path / "ledger").ledger
    extract_mentions(ledger, model_name=MODEL)
    project(ledger, store)
    extract_mentions(ledger, include_bodies=False)
    project(ledger, store)
    incremental = _provenance(store)
    project(ledger, store, rebuild=True)
    assert _provenance(store) == incremental
