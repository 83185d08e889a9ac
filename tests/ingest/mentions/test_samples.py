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


def test_handles_in_tweets_link_to_the_accounts_the_connector_made(ledger: Ledger) -> None:
    report = extract_mentions(ledger)
    assert report.texts_read == 23 and report.by_label == {"HANDLE": 3}
    found = _mentions(ledger)
    assert sorted(text[start:end] for text, _, start, end, _ in found) == [
        "@Twitter",
        "@j2bryson",
        "@twitter",
    ]
    with duckdb.connect() as connection:
        accounts = {
            row[0]
            for row in connection.execute(
                "SELECT id FROM read_parquet(?) WHERE type = 'Account'", [ledger.glob("nodes")]
            ).fetchall()
        }
    assert {target for _, target, *_ in found} <= accounts
    # Known accounts are referred to, not asserted again; nothing new was needed.
    assert ledger.table(report.manifest, "nodes").num_rows == 0
    # Links in Mastodon texts ("https://mstdn.jp/@user/1") never count as handles.
    assert all("http" not in text[start - 20 : start] for text, _, start, _, _ in found)


def test_the_model_reads_english_posts_only(ledger: Ledger) -> None:
    report = extract_mentions(ledger, model_name=MODEL)
    found = _mentions(ledger)
    places = [text[start:end] for text, _, start, end, props in found if '"GPE"' in props]
    assert places == ["Berlin"]
    # The Japanese posts say nothing an English model can read: no guesses there.
    assert all(text.isascii() or '"model"' not in props for text, *_, props in found)
    assert report.by_label["HANDLE"] == 3


def test_rerun_on_the_samples_is_unchanged(ledger: Ledger) -> None:
    first = extract_mentions(ledger)
    assert extract_mentions(ledger) == replace(first, unchanged=True)
