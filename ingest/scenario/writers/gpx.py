"""GPX 1.1 tracks of some drives, as a dashboard navigator or handheld logs them.

One file per person per logged day (``travel/gpx/<person>-<YYYY-MM-DD>.gpx``) with one
``<trk>`` per drive: ``<trkpt lat lon>`` every five seconds with ``<ele>`` and a UTC
``<time>``, like ``samples/travel/garmin_etrex_track.gpx``. The points follow the same
legs as the plate reads, so a track passes each camera when it read the car.
"""

from __future__ import annotations

import time
from pathlib import Path

from ingest.scenario.clock import local_time
from ingest.scenario.rng import derive_rng
from ingest.scenario.story import StoryDay
from ingest.scenario.whereabouts import Move, jitter, position

STEP = 5.0
LOG_RATE = 0.5  # share of driving days a logger person records
HEADER = (
    '<?xml version="1.0" encoding="UTF-8" standalone="no" ?>\n'
    '<gpx xmlns="http://www.topografix.com/GPX/1/1" creator="eTrex 20x" version="1.1" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://www.topografix.com/GPX/1/1 '
    'http://www.topografix.com/GPX/1/1/gpx.xsd">\n'
    '  <metadata><link href="http://www.garmin.com"><text>Garmin International</text></link>'
    "<time>{created}</time></metadata>\n"
)


def _z(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(epoch)))


def _track(seed: int, person: str, move: Move) -> tuple[str, int]:
    rng = derive_rng(seed, "gpx-points", person, move.start)
    name = time.strftime("%Y-%m-%d %H:%M:%S", local_time(move.start))
    points = []
    t = move.start
    while t <= move.end:
        lat, lon = jitter(rng, *position(move.leg, t), 2.5)
        points.append(
            f'      <trkpt lat="{lat:.10f}" lon="{lon:.10f}">'
            f"<ele>{rng.uniform(-1.5, 4.0):.2f}</ele><time>{_z(t)}</time></trkpt>\n"
        )
        t += STEP
    head = f"  <trk>\n    <name>{name}</name>\n    <trkseg>\n"
    return head + "".join(points) + "    </trkseg>\n  </trk>\n", len(points)


class GpxWriter:
    """Writes a GPX file for each logged driving day of the logger people."""

    kind = "gpx"

    def __init__(self, out_dir: Path, seed: int, people: tuple[str, ...]) -> None:
        self.root = out_dir / "travel" / "gpx"
        self.seed, self.people = seed, people
        self.files_written = 0
        self.records = 0  # track points

    def write_day(self, story: StoryDay) -> None:
        for person in self.people:
            track = story.tracks.get(person)
            drives = (
                [s for s in track.segments if isinstance(s, Move) and s.leg.mode == "drive"]
                if track
                else []
            )
            if (
                not drives
                or derive_rng(self.seed, "gpx-day", person, story.day).random() >= LOG_RATE
            ):
                continue
            parts = [_track(self.seed, person, move) for move in drives]
            created = _z(drives[-1].end + 8)
            self.root.mkdir(parents=True, exist_ok=True)
            day = time.strftime("%Y-%m-%d", time.gmtime(drives[0].start))
            text = HEADER.format(created=created) + "".join(p for p, _ in parts) + "</gpx>\n"
            (self.root / f"{person}-{day}.gpx").write_text(text, encoding="utf-8", newline="\n")
            self.files_written += 1
            self.records += sum(n for _, n in parts)

    def close(self) -> None:
        """Nothing stays open: each day's file is complete when written."""
