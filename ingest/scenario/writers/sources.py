"""Every non-camera writer behind one ``write_day`` / ``close``, with their counts."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from ingest.scenario.cast import Cast
from ingest.scenario.story import StoryDay
from ingest.scenario.world import World
from ingest.scenario.writers.cdr import CdrWriter
from ingest.scenario.writers.google_records import GoogleRecordsWriter
from ingest.scenario.writers.google_timeline import GoogleTimelineWriter
from ingest.scenario.writers.gpx import GpxWriter
from ingest.scenario.writers.manifest import ManifestWriter
from ingest.scenario.writers.mastodon import MastodonWriter
from ingest.scenario.writers.mbox import MboxWriter
from ingest.scenario.writers.sms_backup import SmsBackupWriter
from ingest.scenario.writers.twitter import TwitterWriter

# Top-level folders the writers fill (the generator refuses to write over them).
FOLDERS = ("social", "travel", "messages")

# Where each kind is written, what one record is, and how its times are written:
# copied into ground_truth.json so an ingest run knows which options a file needs.
LAYOUT: dict[str, dict[str, str]] = {
    "twitter": {
        "path": "social/twitter/<username>-<YYYY-MM>.jsonl",
        "record": "tweet",
        "time": "UTC, ISO 8601 with Z",
    },
    "mastodon": {
        "path": "social/mastodon/<username>-<YYYY-MM>.json",
        "record": "status",
        "time": "UTC, ISO 8601 with Z",
    },
    "google-records": {
        "path": "travel/google/<person>-Records.json",
        "record": "location",
        "time": "UTC, ISO 8601 with Z",
    },
    "google-timeline": {
        "path": "travel/google/<person>-Timeline.json",
        "record": "semantic segment",
        "time": "local, ISO 8601 with offset",
    },
    "gpx": {
        "path": "travel/gpx/<person>-<YYYY-MM-DD>.gpx",
        "record": "track point",
        "time": "UTC, ISO 8601 with Z",
    },
    "manifests": {
        "path": "travel/manifests/<flight>-<YYYY-MM-DD>.csv",
        "record": "passenger",
        "time": "UTC without offset",
    },
    "sms-backup": {
        "path": "messages/sms/<person>-sms.xml, messages/sms/<person>-calls.xml",
        "record": "sms or call",
        "time": "epoch milliseconds; readable_date in Europe/Amsterdam",
        "phone_region": "NL",
    },
    "mbox": {
        "path": "messages/mail/<person>.mbox",
        "record": "message in one mailbox",
        "time": "RFC 5322 Date with offset",
    },
    "cdr": {
        "path": "messages/cdr/Master.csv",
        "record": "call detail record",
        "time": "Europe/Amsterdam local time without offset",
        "phone_region": "NL",
    },
}


class SourceWriter(Protocol):
    kind: str
    records: int

    @property
    def files_written(self) -> int: ...

    def write_day(self, story: StoryDay) -> None: ...

    def close(self) -> None: ...


class SourceWriters:
    def __init__(self, out_dir: Path, world: World, cast: Cast) -> None:
        days = world.spec.days
        self.writers: tuple[SourceWriter, ...] = (
            TwitterWriter(out_dir, world.seed, days),
            MastodonWriter(out_dir),
            GoogleRecordsWriter(out_dir, cast),
            GoogleTimelineWriter(out_dir, world, cast),
            GpxWriter(out_dir, world.seed, cast.gpx),
            ManifestWriter(out_dir),
            SmsBackupWriter(out_dir, cast, world.hard.family, days),
            MboxWriter(out_dir, cast.mailboxes),
            CdrWriter(out_dir, world),
        )

    def write_day(self, story: StoryDay) -> None:
        for writer in self.writers:
            writer.write_day(story)

    def close(self) -> None:
        for writer in self.writers:
            writer.close()

    @property
    def files(self) -> dict[str, int]:
        return {w.kind: w.files_written for w in self.writers}

    @property
    def records(self) -> dict[str, int]:
        return {w.kind: w.records for w in self.writers}

    def layout(self) -> dict[str, dict[str, object]]:
        """``LAYOUT`` with the files and records each kind wrote."""
        return {
            w.kind: {**LAYOUT[w.kind], "files": w.files_written, "records": w.records}
            for w in self.writers
        }
