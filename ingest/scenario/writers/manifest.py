"""Passenger manifests: one CSV per flight per day.

Header ``name,date_of_birth,document_number,document_country,flight,origin,destination,
departure``; ``date_of_birth`` as DD/MM/YYYY, ``departure`` as "YYYY-MM-DD HH:MM" in UTC,
countries as ISO alpha-3 (as passports write them), airports as IATA codes.
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

from ingest.scenario.manifests import Flight
from ingest.scenario.story import StoryDay

COLUMNS = (
    "name",
    "date_of_birth",
    "document_number",
    "document_country",
    "flight",
    "origin",
    "destination",
    "departure",
)


def _dmy(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def render(flight: Flight) -> str:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(COLUMNS)
    departure = time.strftime("%Y-%m-%d %H:%M", time.gmtime(flight.departure))
    for p in flight.passengers:
        out.writerow(
            (
                p.name,
                _dmy(p.date_of_birth),
                p.document,
                p.country,
                flight.number,
                flight.origin,
                flight.destination,
                departure,
            )
        )
    return buffer.getvalue()


class ManifestWriter:
    """Writes ``travel/manifests/<flight>-<YYYY-MM-DD>.csv``."""

    kind = "manifests"

    def __init__(self, out_dir: Path) -> None:
        self.root = out_dir / "travel" / "manifests"
        self.files_written = 0
        self.records = 0  # passengers

    def write_day(self, story: StoryDay) -> None:
        for flight in story.flights:
            self.root.mkdir(parents=True, exist_ok=True)
            date = time.strftime("%Y-%m-%d", time.gmtime(flight.departure))
            path = self.root / f"{flight.number}-{date}.csv"
            path.write_text(render(flight), encoding="utf-8", newline="")
            self.files_written += 1
            self.records += len(flight.passengers)

    def close(self) -> None:
        """Each manifest is complete when written."""
