"""Mastodon Status-array connector against the real mstdn.jp timeline and hand-written
statuses (a boost, a reply, a quote, local and remote accounts)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graph import queries
from graph.embedded import EmbeddedStore
from graph.projection import project
from ingest.connectors.base import SNIFF_BYTES
from ingest.connectors.mastodon import MastodonStatuses, plain_text
from ingest.connectors.registry import CONNECTORS
from ingest.ledger import Ledger, SourceFile
from ingest.records import Rejected, SourceRecord
from schemas.ids import make_id
from schemas.model import default_model
from tests.conftest import samples_dir

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "social"
SAMPLE = samples_dir() / "social" / "mastodon_api_public_timeline.json"
STATUSES = FIXTURES / "mastodon_reblog_local.json"
ALL_CONNECTORS = CONNECTORS  # the registry lists every connector
REMOTE_URI = "https://other.example/users/bob/statuses/42"
ALICE = {"acct": "alice", "url": "https://example.social/@alice"}


def read(path: Path) -> list[SourceRecord | Rejected]:
    return list(MastodonStatuses().read(path))


def accepted(items: list[SourceRecord | Rejected]) -> list[SourceRecord]:
    assert all(isinstance(i, SourceRecord) for i in items), items
    return [i for i in items if isinstance(i, SourceRecord)]


def post(record: SourceRecord) -> dict:
    return record.nodes[0].props


def author(record: SourceRecord) -> dict:
    [edge] = [e for e in record.edges if e.type == "POSTED_BY" and e.source == record.nodes[0].id]
    return next(n.props for n in record.nodes if n.id == edge.target)


def account_id(handle: str) -> str:
    return default_model().entity_id("Account", {"platform": "mastodon", "handle": handle})


def post_id(uri: str) -> str:
    return make_id("Post", "mastodon", uri)


def write(tmp_path: Path, value: object) -> Path:
    path = tmp_path / "statuses.json"
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


# --- the real mstdn.jp timeline ---------------------------------------------------------


def test_sample_reads_all_twenty_statuses() -> None:
    records = accepted(read(SAMPLE))
    raw = json.loads(SAMPLE.read_text(encoding="utf-8"))
    assert len(records) == len(raw) == 20
    assert [r.locator for r in records] == [f"{SAMPLE}#/{i}" for i in range(20)]
    for record, status in zip(records, raw, strict=True):
        assert json.loads(record.raw) == status
        assert record.nodes[0].id == post_id(status["uri"])


def test_sample_accounts_are_user_at_host() -> None:
    records = accepted(read(SAMPLE))
    handles = [author(r)["handle"] for r in records]
    assert handles[0] == "iorin0225@mstdn.jp"  # local: host from account.url
    assert handles[1] == "cocoabottle@mastodon.cloud"  # remote: acct as written
    assert handles[5] == "rossweisse@mstdn.jp"  # handles compare case-insensitively
    assert all(h.count("@") == 1 and not h.startswith("@") for h in handles)
    assert author(records[0])["display_name"] == "イオリン"
    assert "display_name" not in author(records[1])  # "" is no name


def test_sample_post_properties() -> None:
    records = accepted(read(SAMPLE))
    first = post(records[0])
    assert first == {
        "time": datetime(2017, 4, 14, 6, 11, 41, 893000, tzinfo=UTC),
        "text": "電話であれ、テキストであれ、伝達能力はしっかり鍛えてほしい。",
        "url": "https://mstdn.jp/@iorin0225/172429",
        "visibility": "public",
        "platform": "mastodon",
        "post_kind": "post",
    }
    assert (
        post(records[12])["text"]
        == "それっぽいウソ話とか\n変なリプライとかが一切無いこの空間は良いねー"
    )
    assert all("<" not in (post(r).get("text") or "") for r in records)


# --- boosts, replies, quotes, tags and mentions -----------------------------------------


def test_boost_by_a_local_account_reposts_the_remote_status_as_its_own_post() -> None:
    boost = accepted(read(STATUSES)[:1])[0]
    props = post(boost)
    assert props["post_kind"] == "repost"
    assert "text" not in props and "url" not in props  # a boost has no content of its own
    assert author(boost)["handle"] == "alice@example.social"
    [repost] = [e for e in boost.edges if e.type == "REPOSTS"]
    assert repost.target == post_id(REMOTE_URI)
    boosted = next(n.props for n in boost.nodes if n.id == repost.target)
    assert boosted["text"] == "Meeting at the #Harbour & then @alice\n\nline one\nline two"
    assert boosted["tags"] == ["harbour"]
    by = [e.target for e in boost.edges if e.type == "POSTED_BY" and e.source == repost.target]
    assert by == [account_id("bob@other.example")]
    mentions = sorted(e.target for e in boost.edges if e.type == "MENTIONS")
    assert mentions == sorted(
        [account_id("alice@example.social"), account_id("carol@third.example")]
    )


def test_reply_is_marked_and_links_nothing_it_cannot_resolve() -> None:
    reply = accepted(read(STATUSES)[1:2])[0]
    props = post(reply)
    assert props["post_kind"] == "reply"
    assert props["visibility"] == "unlisted"
    assert props["text"] == "@bob see you there"
    assert {e.type for e in reply.edges} == {"POSTED_BY", "MENTIONS"}
    [mention] = [e for e in reply.edges if e.type == "MENTIONS"]
    assert mention.target == account_id("bob@other.example")


def test_accepted_quote_links_the_quoted_status_built_as_everywhere_else() -> None:
    boost, _reply, quote = accepted(read(STATUSES)[:3])
    assert post(quote)["post_kind"] == "quote"
    assert post(quote)["tags"] == ["Harbour"]  # repeated tag kept once
    [edge] = [e for e in quote.edges if e.type == "QUOTES"]
    assert edge.target == post_id(REMOTE_URI)
    quoted = [n.props for n in quote.nodes if n.id == edge.target]
    boosted = [n.props for n in boost.nodes if n.id == edge.target]
    assert quoted == boosted


def test_missing_created_at_is_quarantined_and_counts_reconcile() -> None:
    items = read(STATUSES)
    assert len(items) == len(json.loads(STATUSES.read_text(encoding="utf-8"))) == 4
    rejected = items[3]
    assert isinstance(rejected, Rejected)
    assert rejected.locator == f"{STATUSES}#/3"
    assert "'created_at'" in rejected.reason


def test_plain_text_keeps_paragraphs_and_breaks() -> None:
    assert plain_text("<p>a &amp; b</p><p>c<br>d<br/>e</p>") == "a & b\n\nc\nd\ne"
    assert plain_text("<p></p>") is None
    assert plain_text("no markup") == "no markup"
    assert plain_text("<ul><li>one</li><li>two</li></ul>") == "one\ntwo"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ([5], "expected a Status object"),
        ([{"uri": "u", "created_at": "2023-01-01T00:00:00Z"}], "'account'"),
        (
            [{"uri": "u", "created_at": "2023-01-01T00:00:00Z", "account": {"acct": "x"}}],
            "'account.url'",
        ),
        (
            [{"uri": "u", "created_at": "2023-01-01T00:00:00Z", "account": {"acct": 3}}],
            "'account.acct'",
        ),
        ([{"created_at": "2023-01-01T00:00:00Z"}], "'id'"),
        ([{"uri": "u", "created_at": "yesterday", "account": ALICE}], "ISO 8601"),
        (
            [{"uri": "u", "created_at": "2023-01-01T00:00:00Z", "reblog": 5, "account": ALICE}],
            "reblog",
        ),
        (
            [{"uri": "u", "created_at": "2023-01-01T00:00:00Z", "account": ALICE, "tags": {}}],
            "tags",
        ),
        ({"uri": "u"}, "expected a JSON array"),
    ],
)
def test_bad_statuses_are_quarantined_with_a_reason(
    tmp_path: Path, value: object, reason: str
) -> None:
    [item] = read(write(tmp_path, value))
    assert isinstance(item, Rejected)
    assert reason in item.reason, item.reason


def test_truncated_array_keeps_the_whole_statuses_before_the_cut(tmp_path: Path) -> None:
    data = SAMPLE.read_bytes()
    path = tmp_path / "cut.json"
    path.write_bytes(data[: len(data) // 2])
    items = read(path)
    assert all(isinstance(i, SourceRecord) for i in items[:-1])
    assert isinstance(items[-1], Rejected)
    assert 5 <= len(items) <= 12


def test_a_second_array_appended_to_the_file_is_reported_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "two-pages.json"
    path.write_bytes(SAMPLE.read_bytes() + STATUSES.read_bytes())
    items = read(path)
    assert len(items) == 21 and all(isinstance(i, SourceRecord) for i in items[:20])
    assert isinstance(items[20], Rejected)
    assert "after the end of the JSON array" in items[20].reason


def test_bytes_that_are_not_utf8_quarantine_only_their_status(tmp_path: Path) -> None:
    data = SAMPLE.read_bytes().replace("電話".encode(), b"\xff\xfe", 1)
    path = tmp_path / "latin.json"
    path.write_bytes(data)
    items = read(path)
    assert len(items) == 20
    assert isinstance(items[0], Rejected) and "byte 0xff" in items[0].reason
    assert all(isinstance(i, SourceRecord) for i in items[1:])


# --- sniffing and the graph -------------------------------------------------------------


@pytest.mark.parametrize("path", [SAMPLE, STATUSES], ids=lambda p: p.name)
def test_only_this_connector_recognises_mastodon_files(path: Path) -> None:
    head = path.read_bytes()[:SNIFF_BYTES]
    assert [c.name for c in ALL_CONNECTORS if c.sniff(head)] == ["mastodon-api"]


@pytest.mark.parametrize("sort_keys", [False, True], ids=["mastodon-order", "sorted"])
def test_a_status_cut_off_by_the_sniffed_head_is_still_recognised(sort_keys: bool) -> None:
    status = json.loads(SAMPLE.read_text(encoding="utf-8"))[0]
    # Mastodon's serializer order: ids and uri, url before content, the account after it
    first = ["id", "created_at", "in_reply_to_id", "sensitive", "spoiler_text", "visibility"]
    ordered = {k: status[k] for k in [*first, "uri", "url"]}
    ordered.update(content="<p>" + "x" * 10_000 + "</p>", account=status["account"])
    head = json.dumps([ordered], sort_keys=sort_keys).encode()[:SNIFF_BYTES]
    assert [c.name for c in ALL_CONNECTORS if c.sniff(head)] == ["mastodon-api"]


def test_cctv_samples_are_not_recognised_as_mastodon() -> None:
    for path in sorted((samples_dir() / "cctv").iterdir()):
        assert not MastodonStatuses.sniff(path.read_bytes()[:SNIFF_BYTES]), path


def test_statuses_project_into_the_graph_and_the_timeline_shows_the_posts(
    tmp_path: Path,
) -> None:
    ledger = Ledger(tmp_path / "ledger")
    for path in (SAMPLE, STATUSES):
        data = path.read_bytes()
        source = SourceFile(path, hashlib.sha256(data).hexdigest(), len(data))
        items = MastodonStatuses().read(path)
        ledger.write_batch(source, MastodonStatuses.name, MastodonStatuses.version, items)
    assert [(m.read, m.accepted) for m in ledger.batches()] == [(20, 20), (4, 3)]
    store = EmbeddedStore(tmp_path / "g.lbdb", default_model())
    try:
        project(ledger, store)
        [row] = queries.timeline(store, account_id("iorin0225@mstdn.jp"))
        assert row["id"] == post_id("tag:mstdn.jp,2017-04-14:objectId=172429:objectType=Status")
        assert row["kind"] == "Post"
        bob = queries.timeline(store, account_id("bob@other.example"))
        # bob's own status, then alice's reply mentioning him; one row per linked event
        assert [r["id"] for r in bob] == [
            post_id(REMOTE_URI),
            post_id("https://example.social/users/alice/statuses/110000000000000004"),
        ]
        alice = queries.timeline(store, account_id("alice@example.social"))
        assert len({r["id"] for r in alice}) == 4  # boost, reply, quote, and bob's mention
    finally:
        store.close()
