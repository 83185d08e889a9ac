"""Every real sample and every connector fixture is claimed by exactly one connector."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.connectors.base import SNIFF_BYTES
from ingest.connectors.registry import CONNECTORS, by_name
from tests.conftest import samples_dir

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXPECTED_SAMPLES = {
    "cctv/frigate_api_events_front_door.json": "frigate-api",
    "cctv/hikvision_isapi_anpr_event.xml": "hikvision-isapi-anpr",
    "social/twitter_v2_geo_tweets.jsonl": "twitter-v2",
    "social/mastodon_api_public_timeline.json": "mastodon-api",
    "travel/google_takeout_records.json": "google-location",
    "travel/garmin_etrex_track.gpx": "gpx",
    "messages/sms_backup_restore_sms_small.xml": "sms-backup-restore",
    "messages/sms_backup_restore_calls_minimal.xml": "sms-backup-restore",
    "messages/gmail_takeout_small.mbox": "mbox",
}


def claimants(path: Path) -> list[str]:
    head = path.read_bytes()[:SNIFF_BYTES]
    return [c.name for c in CONNECTORS if c.sniff(head)]


@pytest.mark.parametrize(("sample", "expected"), sorted(EXPECTED_SAMPLES.items()))
def test_each_sample_has_exactly_its_connector(sample: str, expected: str) -> None:
    assert claimants(samples_dir() / sample) == [expected]


@pytest.mark.parametrize(
    "fixture",
    sorted(p for d in ("cctv", "social", "travel", "messages") for p in (FIXTURES / d).iterdir()),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_fixtures_are_claimed_at_most_once(fixture: Path) -> None:
    assert len(claimants(fixture)) <= 1


def test_names_are_unique_and_resolvable() -> None:
    names = [c.name for c in CONNECTORS]
    assert len(names) == len(set(names))
    assert all(by_name(name).name == name for name in names)
