"""Google Takeout Location History ``Records.json``: ``{"locations": [...]}`` per person.

Each record has ``latitudeE7`` / ``longitudeE7`` (degrees x 1e7 as integers),
``accuracy`` in metres, optional ``velocity`` / ``heading`` for moving GPS fixes, an
optional nested ``activity`` list of guesses, ``source``, the handset's ``deviceTag``
and an ISO-8601 UTC ``timestamp`` with milliseconds — the 2019-2024 Takeout layout of
``samples/travel/google_takeout_records.json``, indented the same way. Built from
string templates: a medium scenario has millions of records.
"""

from __future__ import annotations

from pathlib import Path

from ingest.scenario.cast import Cast
from ingest.scenario.clock import utc_iso_ms
from ingest.scenario.fixes import Fix
from ingest.scenario.story import StoryDay
from ingest.scenario.writers.streams import ArrayFiles

HEADER = '{\n  "locations": [\n'
FOOTER = "\n  ]\n}\n"


def _activity(fix: Fix) -> str:
    guesses = ",\n".join(
        f'            {{\n              "type": "{kind}",\n'
        f'              "confidence": {confidence}\n            }}'
        for kind, confidence in fix.activity
    )
    return (
        f'      "activity": [\n        {{\n          "activity": [\n{guesses}\n          ],\n'
        f'          "timestamp": "{utc_iso_ms(fix.time - 1.5)}"\n        }}\n      ],\n'
    )


def render(fix: Fix, tag: int) -> str:
    moving = (
        f'      "velocity": {fix.velocity},\n      "heading": {fix.heading},\n'
        if fix.velocity is not None
        else ""
    )
    return (
        f'    {{\n      "latitudeE7": {round(fix.lat * 1e7)},\n'
        f'      "longitudeE7": {round(fix.lon * 1e7)},\n'
        f'      "accuracy": {fix.accuracy},\n{moving}'
        f"{_activity(fix) if fix.activity else ''}"
        f'      "source": "{fix.source}",\n      "deviceTag": {tag},\n'
        f'      "timestamp": "{utc_iso_ms(fix.time)}"\n    }}'
    )


class GoogleRecordsWriter:
    """Writes ``travel/google/<person>-Records.json`` for people with that export."""

    kind = "google-records"

    def __init__(self, out_dir: Path, cast: Cast) -> None:
        self.root = out_dir / "travel" / "google"
        self.cast = cast
        self.people = sorted(p for p, layout in cast.location.items() if layout == "records")
        self.files = ArrayFiles(HEADER, FOOTER)
        self.records = 0

    def write_day(self, story: StoryDay) -> None:
        for person in self.people:
            handset = self.cast.phones.handset(person, story.day)
            fixes = story.fixes.get(person, [])
            if handset is None or not fixes:
                continue
            self.files.add_items(
                self.root / f"{person}-Records.json", [render(f, handset.tag) for f in fixes]
            )
            self.records += len(fixes)

    @property
    def files_written(self) -> int:
        return self.files.files_written

    def close(self) -> None:
        self.files.close()
