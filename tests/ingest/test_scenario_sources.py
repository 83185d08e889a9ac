"""The scenario's non-camera sources: real formats that parse, one consistent story."""

from __future__ import annotations

import csv
import json
import mailbox
import math
import os
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from defusedxml import ElementTree

from ingest.scenario import ScenarioSummary, generate
from ingest.scenario.hardcases import KINDS
from ingest.scenario.travel import ROUTES

START = datetime(2026, 3, 1, tzinfo=UTC)
END = START + timedelta(days=14)
GPX = "{http://www.topografix.com/GPX/1/1}"
LAT_LNG = re.compile(r"^(-?\d+\.\d+)°, (-?\d+\.\d+)°$")
MANIFEST_HEADER = [
    "name",
    "date_of_birth",
    "document_number",
    "document_country",
    "flight",
    "origin",
    "destination",
    "departure",
]


@dataclass(frozen=True)
class Run:
    out: Path
    summary: ScenarioSummary


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    out = tmp_path_factory.mktemp("sources") / "scenario"
    return Run(out, generate(out, "tiny", seed=7))


@pytest.fixture(scope="module")
def truth(run: Run) -> dict[str, Any]:
    return json.loads((run.out / "ground_truth.json").read_text(encoding="utf-8"))


def in_range(moment: datetime) -> bool:
    return START <= moment < END


def iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def files(run: Run, folder: str, pattern: str) -> list[Path]:
    found = sorted((run.out / folder).glob(pattern))
    assert found, f"no {pattern} in {folder}"
    return found


def metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6_371_000 * math.hypot(x, math.radians(lat2 - lat1))


def test_every_source_kind_is_written(run: Run, truth: dict[str, Any]) -> None:
    layout = {
        "twitter": ("social/twitter", r"^[a-z0-9_]+-2026-\d{2}\.jsonl$"),
        "mastodon": ("social/mastodon", r"^[a-z0-9_]+-2026-\d{2}\.json$"),
        "google-records": ("travel/google", r"^P\d{4}-Records\.json$"),
        "google-timeline": ("travel/google", r"^P\d{4}-Timeline\.json$"),
        "gpx": ("travel/gpx", r"^P\d{4}-2026-\d{2}-\d{2}\.gpx$"),
        "manifests": ("travel/manifests", r"^ZQ\d{4}-2026-\d{2}-\d{2}\.csv$"),
        "sms-backup": ("messages/sms", r"^P\d{4}-(sms|calls)\.xml$"),
        "mbox": ("messages/mail", r"^P\d{4}\.mbox$"),
        "cdr": ("messages/cdr", r"^Master\.csv$"),
    }
    for kind, (folder, pattern) in layout.items():
        names = [p.name for p in (run.out / folder).iterdir() if re.match(pattern, p.name)]
        assert len(names) == run.summary.files[kind] > 0, kind
        assert run.summary.records[kind] > 0, kind
        assert truth["sources"][kind]["files"] == len(names)
        assert truth["sources"][kind]["records"] == truth["counts"][kind]
    assert not list(run.out.rglob("*.part"))


def at_home_or_abroad(lat: float, lon: float) -> bool:
    """In the scenario's region, or near a trip's destination (a post from the hotel)."""
    near = any(abs(lat - r.lat) < 0.3 and abs(lon - r.lon) < 0.3 for r in ROUTES)
    return (52.2 < lat < 52.5 and 4.7 < lon < 5.1) or near


def test_twitter_pages(run: Run) -> None:
    tweets = 0
    for path in files(run, "social/twitter", "*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            page = json.loads(line)
            assert set(page) == {"data", "includes", "meta", "__twarc"}
            users = {u["id"]: u for u in page["includes"]["users"]}
            referenced = {t["id"] for t in page["includes"].get("tweets", [])}
            ids = [int(t["id"]) for t in page["data"]]
            assert ids == sorted(ids, reverse=True)
            for tweet in page["data"]:
                assert in_range(iso(tweet["created_at"])) and tweet["author_id"] in users
                assert path.name.startswith(users[tweet["author_id"]]["username"] + "-")
                for mention in tweet.get("entities", {}).get("mentions", []):
                    assert mention["id"] in users
                    assert (
                        tweet["text"][mention["start"] : mention["end"]]
                        == "@" + mention["username"]
                    )
                for ref in tweet.get("referenced_tweets", []):
                    assert ref["id"] in referenced
                point = tweet.get("geo", {}).get("coordinates")
                if point:
                    lon, lat = point["coordinates"]
                    assert at_home_or_abroad(lat, lon)
            tweets += len(page["data"])
    assert tweets == run.summary.records["twitter"]


def test_mastodon_statuses(run: Run) -> None:
    statuses = 0
    for path in files(run, "social/mastodon", "*.json"):
        items = json.loads(path.read_text(encoding="utf-8"))
        assert [int(s["id"]) for s in items] == sorted((int(s["id"]) for s in items), reverse=True)
        for status in items:
            account = status["account"]
            assert path.name.startswith(account["username"] + "-")
            assert account["acct"] == account["username"] and account["url"].startswith("https://")
            assert in_range(iso(status["created_at"]))
            assert status["visibility"] in {"public", "unlisted", "private"}
            if status["reblog"]:
                assert status["content"] == "" and status["reblog"]["content"].startswith("<p>")
            else:
                assert status["content"].startswith("<p>") and status["uri"].endswith(status["id"])
            for mention in status["mentions"]:
                assert "@" not in mention["acct"] or mention["acct"].split("@")[1] in mention["url"]
        statuses += len(items)
    assert statuses == run.summary.records["mastodon"]


def test_google_records(run: Run) -> None:
    count = 0
    for path in files(run, "travel/google", "*-Records.json"):
        locations = json.loads(path.read_text(encoding="utf-8"))["locations"]
        times = [iso(loc["timestamp"]) for loc in locations]
        assert times == sorted(times) and all(in_range(t) for t in times)
        for loc in locations:
            assert isinstance(loc["latitudeE7"], int) and isinstance(loc["longitudeE7"], int)
            assert loc["source"] in {"GPS", "WIFI", "CELL"} and isinstance(loc["deviceTag"], int)
            assert 0 < loc["accuracy"] <= 1500
        count += len(locations)
    assert count == run.summary.records["google-records"]


def test_google_timeline(run: Run) -> None:
    kinds: Counter[str] = Counter()
    for path in files(run, "travel/google", "*-Timeline.json"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert set(doc) == {"semanticSegments", "rawSignals", "userLocationProfile"}
        for segment in doc["semanticSegments"]:
            start, end = (
                datetime.fromisoformat(segment["startTime"]),
                datetime.fromisoformat(segment["endTime"]),
            )
            assert start.utcoffset() in {timedelta(hours=1), timedelta(hours=2)} and start <= end
            assert in_range(start) and end <= END
            if "visit" in segment:
                assert LAT_LNG.match(segment["visit"]["topCandidate"]["placeLocation"]["latLng"])
            elif "activity" in segment:
                assert LAT_LNG.match(segment["activity"]["start"]["latLng"])
            else:
                assert all(LAT_LNG.match(p["point"]) for p in segment["timelinePath"])
            kinds.update(k for k in ("visit", "activity", "timelinePath") if k in segment)
    assert set(kinds) == {"visit", "activity", "timelinePath"}


def test_gpx_tracks(run: Run) -> None:
    points = 0
    for path in files(run, "travel/gpx", "*.gpx"):
        root = ElementTree.fromstring(path.read_bytes())
        assert root.tag == GPX + "gpx" and root.get("version") == "1.1"
        for point in root.iter(GPX + "trkpt"):
            assert 52.2 < float(point.get("lat")) < 52.5 and 4.7 < float(point.get("lon")) < 5.1
            assert in_range(iso(point.findtext(GPX + "time")))
            points += 1
    assert points == run.summary.records["gpx"]


def manifest_rows(run: Run) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in files(run, "travel/manifests", "*.csv"):
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            assert reader.fieldnames == MANIFEST_HEADER
            rows.extend(reader)
    return rows


def test_manifests(run: Run, truth: dict[str, Any]) -> None:
    rows = manifest_rows(run)
    assert len(rows) == run.summary.records["manifests"]
    for row in rows:
        departure = datetime.strptime(row["departure"], "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
        assert in_range(departure) and re.fullmatch(r"\d{2}/\d{2}/\d{4}", row["date_of_birth"])
        assert re.fullmatch(r"[A-Z]{3}", row["document_country"]) and row["document_number"]
    namesake = next(c for c in truth["hard_cases"] if c["kind"] == "namesake")
    births = {r["date_of_birth"] for r in rows if r["name"] == namesake["name"]}
    assert len(births) == 2  # two people, one name, two dates of birth


def test_shared_flight_in_manifests(run: Run, truth: dict[str, Any]) -> None:
    rows = manifest_rows(run)
    names = {i["person_id"]: i["names"]["passport"] for i in truth["identities"]}
    assert truth["shared_flights"]
    for flight in truth["shared_flights"]:
        departure = iso(flight["departure"]).strftime("%Y-%m-%d %H:%M")
        aboard = {
            r["name"]
            for r in rows
            if r["flight"] == flight["flight"] and r["departure"] == departure
        }
        assert {names[p] for p in flight["person_ids"]} <= aboard


def backups(run: Run, kind: str) -> dict[str, list[dict[str, str]]]:
    out = {}
    for path in files(run, "messages/sms", f"*-{kind}.xml"):
        root = ElementTree.fromstring(path.read_bytes())
        entries = [dict(e.attrib) for e in root]
        assert int(root.get("count")) == len(entries)
        out[path.name.split("-")[0]] = entries
    return out


def test_sms_backups(run: Run) -> None:
    texts, calls = backups(run, "sms"), backups(run, "calls")
    entries = [e for es in texts.values() for e in es] + [e for es in calls.values() for e in es]
    assert len(entries) == run.summary.records["sms-backup"]
    for sms in (e for es in texts.values() for e in es):
        assert sms["type"] in {"1", "2"} and in_range(
            datetime.fromtimestamp(int(sms["date"]) / 1000, UTC)
        )
    for call in (e for es in calls.values() for e in es):
        assert call["type"] in {"1", "2", "3", "5"} and int(call["duration"]) >= 0
    numbers = [e.get("address") or e.get("number") or "" for e in entries]
    assert all(re.fullmatch(r"\+\d{10,12}|0\d{9}", n) for n in numbers)
    assert any(n.startswith("06") for n in numbers) and any(n.startswith("+316") for n in numbers)
    assert any(e["contact_name"] == "(Unknown)" for e in entries)


def test_mbox(run: Run) -> None:
    count, encoded = 0, 0
    for path in files(run, "messages/mail", "*.mbox"):
        box = mailbox.mbox(path)
        ids = set()
        for message in box:
            assert message["Message-ID"].startswith("<") and message["X-GM-THRID"]
            date = parsedate_to_datetime(message["Date"])
            assert date.utcoffset() in {timedelta(hours=1), timedelta(hours=2)} and in_range(date)
            encoded += "=?" in message["From"]
            assert "@" in str(make_header(decode_header(message["From"])))
            if message["In-Reply-To"]:
                assert message["In-Reply-To"] in message["References"]
            ids.add(message["Message-ID"])
            count += 1
        box.close()
        assert len(ids) == len(box)
    assert count == run.summary.records["mbox"] and encoded > 0


def test_cdr(run: Run) -> None:
    with (run.out / "messages" / "cdr" / "Master.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == run.summary.records["cdr"]
    for row in rows:
        assert len(row) == 18
        start = datetime.strptime(row[9], "%Y-%m-%d %H:%M:%S")
        assert START.date() <= start.date() <= END.date()
        assert int(row[12]) >= int(row[13]) >= 0 and row[14] in {"ANSWERED", "NO ANSWER", "BUSY"}
        assert (row[10] == "") == (row[14] != "ANSWERED") and row[15] == "DOCUMENTATION"


def test_identities_and_hard_cases(truth: dict[str, Any]) -> None:
    people = {p["id"] for p in truth["people"]}
    identities = {i["person_id"]: i for i in truth["identities"]}
    assert set(identities) == people
    for identity in identities.values():
        assert all(re.fullmatch(r"\+31\d{9}", p["number"]) for p in identity["phones"])
        assert identity["documents"] and identity["names"]["passport"]
    assert {c["kind"] for c in truth["hard_cases"]} == set(KINDS)
    translit = next(c for c in truth["hard_cases"] if c["kind"] == "transliteration")
    assert {"Oleksandr", "Aleksandr", "Alexander"} <= {v.split()[0] for v in translit["variants"]}
    family = next(c for c in truth["hard_cases"] if c["kind"] == "family_phone")
    for pid in family["person_ids"]:
        assert family["number"] in {p["number"] for p in identities[pid]["phones"]}
    swap = truth["swapped_phones"][0]
    first, other = swap["person_ids"]
    assert swap["numbers"][1] in {p["number"] for p in identities[first]["phones"]}
    assert swap["numbers"][0] in {p["number"] for p in identities[other]["phones"]}


def test_cloned_plate_is_read_far_apart(run: Run, truth: dict[str, Any]) -> None:
    clone = next(c for c in truth["hard_cases"] if c["kind"] == "cloned_plate")
    assert clone["sightings"] and clone["genuine"] != clone["clone"]
    for sighting in clone["sightings"]:
        gap = iso(sighting["time"]) - iso(sighting["genuine_time"])
        assert timedelta(0) < gap < timedelta(minutes=10) and sighting["km_apart"] > 3
        week = iso(sighting["time"]).strftime("%G-W%V")
        text = (run.out / "cctv" / "hikvision" / f"{sighting['camera']}-{week}.xml").read_text()
        assert f"<licensePlate>{clone['plate']}</licensePlate>" in text


def test_meeting_pair_calls_and_is_there(run: Run, truth: dict[str, Any]) -> None:
    """Before every occurrence the pair called or texted; both phones were at the spot."""
    texts, calls = backups(run, "sms"), backups(run, "calls")
    cameras = {c["id"]: c for c in truth["cameras"]}
    meetings = {m["id"]: m for m in truth["meetings"]}
    planted = truth["calls_before_meetings"]
    assert len(planted) == sum(len(m["occurrences"]) for m in meetings.values())
    for contact in planted:
        when, meeting_at = iso(contact["time"]), iso(contact["meeting_time"])
        assert timedelta(hours=1) <= meeting_at - when <= timedelta(hours=4)
        kept = (texts if contact["kind"] == "sms" else calls)[contact["from_person"]]
        stamps = {int(e["date"]) // 1000 for e in kept if e["type"] == "2"}
        assert int(when.timestamp()) in stamps
        camera = cameras[meetings[contact["meeting"]]["camera"]]
        for person in (contact["from_person"], contact["to_person"]):
            path = run.out / "travel" / "google" / f"{person}-Records.json"
            fixes = json.loads(path.read_text(encoding="utf-8"))["locations"]
            near = [
                f
                for f in fixes
                if abs(iso(f["timestamp"]) - meeting_at) <= timedelta(minutes=15)
                and metres(
                    f["latitudeE7"] / 1e7, f["longitudeE7"] / 1e7, camera["lat"], camera["lon"]
                )
                < 200
            ]
            assert near, (contact["meeting"], person)


def test_same_bytes_in_another_process(run: Run, tmp_path: Path) -> None:
    """Output does not depend on hash randomisation (set order) or on the process."""
    out = tmp_path / "again"
    code = f"from ingest.scenario import generate; generate({str(out)!r}, 'tiny', seed=7)"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=Path(__file__).parents[2])
    for path in sorted(run.out.rglob("*")):
        if path.is_file():
            assert (out / path.relative_to(run.out)).read_bytes() == path.read_bytes(), path
