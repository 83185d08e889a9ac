"""Mentions in the real social samples, ingested by the pipeline as a user would."""

from __future__ import annotations

from dataclasses import replace

import duckdb
import pytest

from ingest.ledger import Ledger
from ingest.mentions import extract_mentions
from ingest.pipeline import ingest_paths
from tests.conftest import samples_dir
from tests.ingest.mentions.conftest import MODEL


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Ledger:
    ledger = Ledger(tmp_path_factory.mktemp("samples") / "ledger")
    reports = ingest_paths([samples_dir() / "social"], ledger)
    assert [r.status for r in reports] == ["ingested", "ingested"]
    return ledger


def _mentions(ledger: Ledger) -> list[tuple[str, str, int, int, str]]:
    """(post text, target, start, end, mention props) of the latest mention run."""
    manifest = ledger.latest_derived("mentions")
    assert manifest is not None
    with duckdb.connect() as connection:
        return connection.execute(
            "SELECT n.props->>'text', e.target, (e.props->>'char_start')::INT, "
            "(e.props->>'char_end')::INT, e.props "
            "FROM read_parquet(?) e JOIN read_parquet(?) n ON n.id = e.source "
            "ORDER BY e.source, 3",
            [str(ledger.batch_dir(manifest) / "edges.parquet"), ledger.glob("nodes")],
        ).fetchall()


def _mention_pairs(ledger: Ledger) -> list[tuple[str, str]]:
    """(post, account) of every MENTIONS edge of the source batches and the latest run."""
    latest = ledger.latest_derived("mentions")
    batches = [m for m in ledger.batches() if m.supersedes is None or m == latest]
    pairs = []
    for manifest in batches:
        edges = ledger.table(manifest, "edges").to_pydict()
        found = zip(edges["type"], edges["source"], edges["target"], strict=True)
        pairs += [(source, target) for rel, source, target in found if rel == "MENTIONS"]
    return pairs


def test_handles_the_platform_marked_are_linked_once(ledger: Ledger) -> None:
    report = extract_mentions(ledger)
    # "@Twitter", "@j2bryson" and "@twitter" in the tweets are mentions the platform
    # marked itself: the connector's edges stand, and the mention run adds no second one.
    assert report.texts_read == 23 and report.by_label == {}
    pairs = _mention_pairs(ledger)
    assert len(pairs) == len(set(pairs)) == 3
    with duckdb.connect() as connection:
        handles = connection.execute(
            "SELECT DISTINCT props->>'handle' FROM read_parquet(?) "
            "WHERE type = 'Account' AND list_contains(?, id)",
            [ledger.glob("nodes"), [target for _, target in pairs]],
        ).fetchall()
    assert {"twitter", "j2bryson"} <= {h for (h,) in handles}


def test_the_model_reads_english_posts_only(ledger: Ledger) -> None:
    report = extract_mentions(ledger, model_name=MODEL)
    found = _mentions(ledger)
    places = [text[start:end] for text, _, start, end, props in found if '"GPE"' in props]
    assert places == ["Berlin"]
    # The Japanese posts say nothing an English model can read: no guesses there.
    assert all(text.isascii() or '"model"' not in props for text, *_, props in found)
    assert "HANDLE" not in report.by_label  # the platform marked every @handle itself
    # Links in Mastodon texts ("https://mstdn.jp/@user/1") are never read as names.
    assert all("http" not in text[start - 20 : start] for text, _, start, _, _ in found)


def test_rerun_on_the_samples_is_unchanged(ledger: Ledger) -> None:
    first = extract_mentions(ledger)
    assert extract_mentions(ledger) == replace(first, unchanged=True)
