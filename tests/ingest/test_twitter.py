"""Twitter API v2 connector against the real twarc sample and hand-written response pages."""

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
from ingest.connectors.registry import CONNECTORS
from ingest.connectors.twitter import TwitterV2
from ingest.ledger import Ledger, SourceFile
from ingest.records import Rejected, SourceRecord
from schemas.ids import make_id
from schemas.model import default_model
from schemas.types import GeoPoint
from tests.conftest import samples_dir

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "social"
SAMPLE = samples_dir() / "social" / "twitter_v2_geo_tweets.jsonl"
REFERENCES = FIXTURES / "twitter_references.jsonl"
SINGLE = FIXTURES / "twitter_single_response.json"
ALL_CONNECTORS = CONNECTORS  # the registry lists every connector


def read(path: Path) -> list[SourceRecord | Rejected]:
    return list(TwitterV2().read(path))


def accepted(items: list[SourceRecord | Rejected]) -> list[SourceRecord]:
    assert all(isinstance(i, SourceRecord) for i in items), items
    return [i for i in items if isinstance(i, SourceRecord)]


def nodes(record: SourceRecord, type_name: str) -> list[dict]:
    return [n.props for n in record.nodes if n.type == type_name]


def post(record: SourceRecord) -> dict:
    return record.nodes[0].props  # the record's own post comes first


def links(record: SourceRecord) -> list[tuple[str, str, str]]:
    return sorted((e.source_type, e.type, e.target_type) for e in record.edges)


def post_id(tweet_id: str) -> str:
    return make_id("Post", "twitter", tweet_id)


def account_id(handle: str) -> str:
    return default_model().entity_id("Account", {"platform": "twitter", "handle": handle})


def write(tmp_path: Path, text: str, name: str = "tweets.jsonl") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the real twarc sample -------------------------------------------------------------


def test_sample_reads_both_tweets_with_line_locators_and_exact_raw() -> None:
    records = accepted(read(SAMPLE))
    assert [r.locator for r in records] == [f"{SAMPLE}:line 1#data[0]", f"{SAMPLE}:line 2#data[0]"]
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    for record, line in zip(records, lines, strict=True):
        assert record.raw in line  # the tweet's own source text, not a re-serialisation
        assert record.record_id == make_id("record", "twitter", json.loads(record.raw)["id"])
    assert [r.nodes[0].id for r in records] == [
        post_id("1249702384659554308"),
        post_id("1501963039859363843"),
    ]


def test_sample_odd_exact_coordinates_are_read_as_geojson_lon_lat() -> None:
    """[42.778, 88.018] is in range read either way; as GeoJSON it is lat 88.0 (near the
    North Pole), which is what the source says: it is kept, never swapped."""
    first = accepted(read(SAMPLE))[0]
    props = post(first)
    assert props["location"] == GeoPoint(lat=88.01785747, lon=42.77810097)
    assert props["time"] == datetime(2020, 4, 13, 14, 14, 1, tzinfo=UTC)
    assert props["language"] == "pl"
    assert props["post_kind"] == "post"
    assert props["url"] == "https://twitter.com/i/web/status/1249702384659554308"
    assert props["tags"][:3] == ["harrypotterdiy", "harrypotterandphilosophersstone", "potterhead"]
    assert props["tags"].count("harrypotter") == 1
    assert nodes(first, "Account") == [
        {"platform": "twitter", "handle": "kamanonickname", "display_name": "Kama"}
    ]
    assert links(first) == [("Post", "POSTED_BY", "Account")]


def test_sample_place_user_mentions_and_reply_are_resolved_from_includes() -> None:
    second = accepted(read(SAMPLE))[1]
    props = post(second)
    assert "location" not in props  # only a place, no exact point
    assert props["post_kind"] == "reply"
    assert "Fields & Expansions" in props["text"]  # &amp; unescaped once
    [place] = nodes(second, "Place")
    assert place["place_kind"] == "twitter-place"
    assert place["ref"] == "3078869807F9DD36"
    assert place["name"] == "Berlin, Germany"
    assert place["location"] == GeoPoint(lat=(52.338079 + 52.675323) / 2, lon=13.4246065)
    handles = {a["handle"] for a in nodes(second, "Account")}
    assert handles == {"igorbrigadir", "j2bryson", "twitter"}
    assert ("Post", "AT", "Place") in links(second)
    assert links(second).count(("Post", "MENTIONS", "Account")) == 3  # 2 + 1 in the replied-to
    replied = [e for e in second.edges if e.type == "REPLIES_TO"]
    assert [(e.source, e.target) for e in replied] == [
        (post_id("1501963039859363843"), post_id("1501958949863661574"))
    ]


# --- references, mentions, unknown users, geo -------------------------------------------


def test_reply_quote_and_retweet_link_the_referenced_posts_with_their_authors() -> None:
    items = read(REFERENCES)
    reply, quote, retweet = accepted(items[:3])
    assert [post(r)["post_kind"] for r in (reply, quote, retweet)] == ["reply", "quote", "repost"]
    for record, rel, target, author in (
        (reply, "REPLIES_TO", "1500000000000000001", "bob_example"),
        (quote, "QUOTES", "1500000000000000002", "carol_example"),
        (retweet, "REPOSTS", "1500000000000000001", "bob_example"),
    ):
        [edge] = [e for e in record.edges if e.type == rel]
        assert edge.target == post_id(target)
        by = [e for e in record.edges if e.type == "POSTED_BY" and e.source == edge.target]
        assert [e.target for e in by] == [account_id(author)]
    original = [n.props for n in reply.nodes if n.id == post_id("1500000000000000001")]
    assert original[0]["text"] == "Original thought with #OSINT & more"
    assert original[0]["tags"] == ["OSINT"]


def test_a_referenced_post_is_built_the_same_from_every_record() -> None:
    """Events are upserted whole, so two records asserting one post must agree on it."""
    reply, _quote, retweet = accepted(read(REFERENCES)[:3])
    target = post_id("1500000000000000001")
    assert [n.props for n in reply.nodes if n.id == target] == [
        n.props for n in retweet.nodes if n.id == target
    ]


def test_mentions_become_accounts_with_display_names_from_includes() -> None:
    reply = accepted(read(REFERENCES)[:1])[0]
    [mention] = [e for e in reply.edges if e.type == "MENTIONS"]
    assert mention.target == account_id("bob_example")
    assert {"platform": "twitter", "handle": "bob_example", "display_name": "Bob"} in nodes(
        reply, "Account"
    )


def test_unresolvable_reference_keeps_the_kind_and_links_nothing() -> None:
    record = accepted(read(REFERENCES)[3:4])[0]
    assert post(record)["post_kind"] == "reply"
    assert [n.type for n in record.nodes] == ["Post", "Account"]
    assert "1499999999999999999" in record.raw  # the id stays in the raw record


def test_author_missing_from_includes_is_an_account_by_id() -> None:
    record = accepted(read(REFERENCES)[4:5])[0]
    assert nodes(record, "Account") == [{"platform": "twitter", "handle": "id:999999"}]
    assert post(record)["language"] == "und"


def test_out_of_range_geo_and_missing_time_quarantine_only_their_tweet() -> None:
    items = read(REFERENCES)
    assert len(items) == 8  # 5 + 3 tweets; the page without data holds none
    out_of_range, in_range, undated = items[5:]
    assert isinstance(out_of_range, Rejected)
    assert out_of_range.locator == f"{REFERENCES}:line 3#data[0]"
    assert "geo.coordinates.coordinates" in out_of_range.reason
    assert "out of range" in out_of_range.reason
    assert json.loads(out_of_range.raw)["id"] == "1500000000000000020"
    assert isinstance(in_range, SourceRecord)
    assert post(in_range)["location"] == GeoPoint(lat=51.5072, lon=-0.1276)
    assert isinstance(undated, Rejected)
    assert "created_at" in undated.reason


def test_single_response_object_over_many_lines() -> None:
    [record] = accepted(read(SINGLE))
    assert record.locator == f"{SINGLE}:line 1#data"
    assert json.loads(record.raw)["id"] == "1600000000000000001"
    props = post(record)
    assert props["text"] == "A single tweet looked up by id <3"
    [place] = nodes(record, "Place")
    assert place["name"] == "Manhattan, NY"
    assert place["location"] == GeoPoint(lat=(40.683935 + 40.877483) / 2, lon=-73.9685415)


def test_array_of_response_pages_is_read_too(tmp_path: Path) -> None:
    pages = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    path = write(tmp_path, json.dumps(pages, indent=1), "pages.json")
    assert TwitterV2.sniff(path.read_bytes()[:SNIFF_BYTES])
    assert len(accepted(read(path))) == 2


def test_bbox_across_the_antimeridian_is_centred_on_it(tmp_path: Path) -> None:
    page = {
        "data": [
            {"id": "1", "created_at": "2022-01-01T00:00:00Z", "text": "x", "geo": {"place_id": "p"}}
        ],
        "includes": {
            "places": [{"id": "p", "full_name": "Fiji", "geo": {"bbox": [177, -19, -179, -16]}}]
        },
    }
    [record] = accepted(read(write(tmp_path, json.dumps(page))))
    assert nodes(record, "Place")[0]["location"] == GeoPoint(lat=-17.5, lon=179.0)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"data": [5], "meta": {}}', "expected a tweet object"),
        ('{"data": "x", "meta": {}}', "expected a tweet object or a list"),
        ('{"data": [{"id": "a1", "text": "x"}], "meta": {}}', "'id'"),
        ('{"data": [{"id": "1", "created_at": 5}], "meta": {}}', "'created_at'"),
        ('{"data": [{"id": "1", "created_at": "2022-01-01"}], "meta": {}}', "UTC offset"),
        ('{"data": [{"id": "1", "created_at": "2022-01-01T00:00:00Z", "geo": 1}]}', "'geo'"),
        ("[1, 2", "file ends inside"),
        ('{"data": [', "invalid JSON"),
        ('{"other": 1}', "expected a Twitter API v2 response"),
    ],
)
def test_bad_input_is_quarantined_with_a_reason(tmp_path: Path, line: str, reason: str) -> None:
    items = read(write(tmp_path, line + "\n"))
    reasons = [i.reason for i in items if isinstance(i, Rejected)]
    assert items and len(reasons) == len(items)
    assert any(reason in r for r in reasons), reasons


def test_bytes_that_are_not_utf8_quarantine_only_their_line(tmp_path: Path) -> None:
    good = json.dumps({"data": [{"id": "1", "created_at": "2022-01-01T00:00:00Z", "text": "ok"}]})
    bad = good.replace("ok", "caf\xe9").encode("latin-1")
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(bad + b"\n" + good.encode() + b"\n")
    first, second = read(path)
    assert isinstance(first, Rejected) and "not UTF-8" in first.reason
    assert "\ufffd" in first.raw
    assert isinstance(second, SourceRecord)
    assert second.locator.endswith(":line 2#data[0]")


def test_a_broken_line_is_quarantined_and_reading_goes_on(tmp_path: Path) -> None:
    good = json.dumps({"data": [{"id": "1", "created_at": "2022-01-01T00:00:00Z", "text": "ok"}]})
    path = write(tmp_path, f'{good}\n{{"data": [{{"id": \n{good}\n')
    first, broken, last = read(path)
    assert isinstance(first, SourceRecord) and isinstance(last, SourceRecord)
    assert isinstance(broken, Rejected) and "invalid JSON" in broken.reason
    assert broken.locator == f"{path}:line 2"
    assert last.locator == f"{path}:line 3#data[0]"


# --- sniffing and the graph -------------------------------------------------------------


def recognisers(path: Path) -> list[str]:
    head = path.read_bytes()[:SNIFF_BYTES]
    return [c.name for c in ALL_CONNECTORS if c.sniff(head)]


@pytest.mark.parametrize("path", [SAMPLE, REFERENCES, SINGLE], ids=lambda p: p.name)
def test_only_this_connector_recognises_twitter_files(path: Path) -> None:
    assert recognisers(path) == ["twitter-v2"]


def test_a_page_larger_than_the_sniffed_head_is_still_recognised() -> None:
    tweet = {"id": "1", "text": "x" * 100, "author_id": "2", "created_at": "2022-01-01T00:00:00Z"}
    page = {"data": [tweet] * 200}  # includes and __twarc come after data
    head = json.dumps(page).encode()[:SNIFF_BYTES]
    assert [c.name for c in ALL_CONNECTORS if c.sniff(head)] == ["twitter-v2"]


def test_cctv_samples_are_not_recognised_as_twitter() -> None:
    for path in sorted((samples_dir() / "cctv").iterdir()):
        assert not TwitterV2.sniff(path.read_bytes()[:SNIFF_BYTES]), path


def test_sample_projects_into_the_graph_and_the_timeline_shows_the_posts(tmp_path: Path) -> None:
    data = SAMPLE.read_bytes()
    source = SourceFile(SAMPLE, hashlib.sha256(data).hexdigest(), len(data))
    ledger = Ledger(tmp_path / "ledger")
    manifest = ledger.write_batch(
        source, TwitterV2.name, TwitterV2.version, TwitterV2().read(SAMPLE)
    )
    assert (manifest.read, manifest.accepted, manifest.quarantined) == (2, 2, 0)
    store = EmbeddedStore(tmp_path / "g.lbdb", default_model())
    try:
        project(ledger, store)
        rows = queries.timeline(store, account_id("igorbrigadir"))
        assert [r["id"] for r in rows] == [post_id("1501963039859363843")]
        assert rows[0]["kind"] == "Post" and rows[0]["place"] == "Berlin, Germany"
        mentioned = queries.timeline(store, account_id("j2bryson"))
        assert [r["id"] for r in mentioned] == [
            post_id("1501958949863661574"),  # posted (the replied-to tweet)
            post_id("1501963039859363843"),  # mentioned in the reply
        ]
    finally:
        store.close()
