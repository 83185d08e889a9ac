"""Property tests: whatever a social connector is given (cut-off samples, arbitrary bytes,
samples with values of the wrong type) it yields records or rejections with a reason,
never raises, and yields exactly one item per tweet in `data` or per array element."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.connectors.base import Connector
from ingest.connectors.mastodon import MastodonStatuses
from ingest.connectors.twitter import TwitterV2
from ingest.records import Rejected, SourceRecord
from tests.conftest import samples_dir
from tests.ingest import fuzzkit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "social"
SAMPLES = {
    TwitterV2: (samples_dir() / "social" / "twitter_v2_geo_tweets.jsonl").read_bytes(),
    MastodonStatuses: (samples_dir() / "social" / "mastodon_api_public_timeline.json").read_bytes(),
}
FIXTURE_FILES = {
    TwitterV2: (FIXTURES / "twitter_references.jsonl").read_bytes(),
    MastodonStatuses: (FIXTURES / "mastodon_reblog_local.json").read_bytes(),
}
CONNECTOR_CLASSES = list(SAMPLES)
PAGE_KEYS = {"includes", "__twarc", "meta", "errors", "matching_rules"}
FUZZ = fuzzkit.fuzz_settings(100)
json_values = fuzzkit.json_values(
    ["2022-03-10T16:47:48.000Z", "123", "a@b", "<p>x</p>", "\udc80"], max_leaves=10
)


def read_all(connector: type[Connector], path: Path, data: bytes) -> list:
    return fuzzkit.read_all(connector, path, data, storable=True)


def page_items(page: Any) -> int:
    """How many items the connector owes for one response page."""
    if not isinstance(page, dict):
        return 1  # quarantined: not a response page
    if "data" not in page:
        return 0 if page.keys() & PAGE_KEYS else 1  # a page without tweets, or not a page
    return len(page["data"]) if isinstance(page["data"], list) else 1


def mutate(value: Any, data: st.DataObject) -> Any:
    """The value with one randomly chosen part (anywhere in the tree) replaced."""
    if isinstance(value, dict) and value and data.draw(st.booleans()):
        key = data.draw(st.sampled_from(sorted(value)))
        return {**value, key: mutate(value[key], data)}
    if isinstance(value, list) and value and data.draw(st.booleans()):
        i = data.draw(st.integers(0, len(value) - 1))
        return [*value[:i], mutate(value[i], data), *value[i + 1 :]]
    return data.draw(json_values)


@pytest.mark.parametrize("connector", CONNECTOR_CLASSES, ids=lambda c: c.name)
@FUZZ
@given(data=st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(
    connector: type[Connector], scratch: Path, data: bytes
) -> None:
    connector.sniff(data)
    read_all(connector, scratch, data)


@pytest.mark.parametrize("connector", CONNECTOR_CLASSES, ids=lambda c: c.name)
@FUZZ
@given(st.data())
def test_every_truncation_never_raises(
    connector: type[Connector], scratch: Path, data: st.DataObject
) -> None:
    sample = SAMPLES[connector]
    prefix = sample[: data.draw(st.integers(0, len(sample)))]
    items = read_all(connector, scratch, prefix)
    whole_lines = connector is TwitterV2 and prefix.endswith(b"\n")
    if prefix.strip() and prefix.rstrip() != sample.rstrip() and not whole_lines:
        assert isinstance(items[-1], Rejected)


@pytest.mark.parametrize("connector", CONNECTOR_CLASSES, ids=lambda c: c.name)
@FUZZ
@given(st.data())
def test_byte_mutations_never_raise(
    connector: type[Connector], scratch: Path, data: st.DataObject
) -> None:
    sample = bytearray(data.draw(st.sampled_from([SAMPLES[connector], FIXTURE_FILES[connector]])))
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(sample)))
        chunk = data.draw(st.binary(min_size=1, max_size=8))
        if data.draw(st.booleans()):
            sample[at : at + len(chunk)] = chunk
        else:
            sample[at:at] = chunk
    read_all(connector, scratch, bytes(sample))


@FUZZ
@given(st.data())
def test_mutated_statuses_yield_one_item_each(scratch: Path, data: st.DataObject) -> None:
    source = data.draw(st.sampled_from([SAMPLES, FIXTURE_FILES]))[MastodonStatuses]
    statuses = json.loads(source)
    for _ in range(data.draw(st.integers(1, 4))):
        statuses = mutate(statuses, data)
    text = json.dumps(statuses, ensure_ascii=data.draw(st.booleans()))
    items = read_all(MastodonStatuses, scratch, text.encode("utf-8", "surrogatepass"))
    if isinstance(statuses, list):
        assert len(items) == len(statuses)
    else:
        assert len(items) <= 1


@FUZZ
@given(st.data())
def test_mutated_pages_yield_one_item_per_tweet(scratch: Path, data: st.DataObject) -> None:
    source = data.draw(st.sampled_from([SAMPLES, FIXTURE_FILES]))[TwitterV2]
    pages = [json.loads(line) for line in source.splitlines() if line.strip()]
    for _ in range(data.draw(st.integers(1, 4))):
        pages = mutate(pages, data)
    if not isinstance(pages, list):
        pages = [pages]
    while pages and isinstance(pages[0], list):  # a leading array makes the file one
        pages.pop(0)  # array of pages: that shape is tested on its own
    text = "".join(json.dumps(page) + "\n" for page in pages)
    items = read_all(TwitterV2, scratch, text.encode("utf-8", "surrogatepass"))
    assert len(items) == sum(page_items(page) for page in pages)


@FUZZ
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "id": st.integers(1, 10**18).map(str),
                "created_at": st.datetimes(datetime(1971, 1, 1), datetime(2099, 1, 1)).map(
                    lambda d: d.isoformat() + "Z"
                ),
                "text": st.text(max_size=40),
                "author_id": st.sampled_from(["1", "2"]),
                "lang": st.sampled_from(["en", "und", "pl"]),
                "geo": st.fixed_dictionaries(
                    {
                        "coordinates": st.fixed_dictionaries(
                            {
                                "type": st.just("Point"),
                                "coordinates": st.tuples(
                                    st.floats(-180, 180), st.floats(-90, 90)
                                ).map(list),
                            }
                        )
                    }
                ),
            }
        ),
        max_size=8,
    )
)
def test_valid_tweets_are_all_accepted(scratch: Path, tweets: list[dict]) -> None:
    page = {"data": tweets, "includes": {"users": [{"id": "1", "username": "someone"}]}}
    items = read_all(TwitterV2, scratch, json.dumps(page).encode())
    assert len(items) == len(tweets)
    assert all(isinstance(i, SourceRecord) for i in items), items
