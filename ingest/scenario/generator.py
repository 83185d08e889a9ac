"""Drive the day-by-day stream: simulate a day, hand it to every writer, forget it.

Only the world (people, places, cameras, plates), the cast (phones, accounts, trips) and
one day of detections and messages are in memory at any time, plus one week of Frigate
API events and one month of posts (both APIs list newest first), so memory stays flat
from tiny to medium.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ingest.scenario import truth_sources as truth
from ingest.scenario.cast import Cast, build_cast
from ingest.scenario.clock import to_datetime
from ingest.scenario.comms import Planted
from ingest.scenario.ground_truth import FILE_NAME, write_ground_truth
from ingest.scenario.model import Detection, Occurrence
from ingest.scenario.scales import SCALES
from ingest.scenario.simulate import DayResult, simulate_day
from ingest.scenario.story import Story, StoryDay
from ingest.scenario.world import World, build_world
from ingest.scenario.writers.frigate import FrigateWriter
from ingest.scenario.writers.hikvision import HikvisionWriter
from ingest.scenario.writers.sources import FOLDERS, SourceWriters

OUTPUTS = ("cctv/hikvision", "cctv/frigate", "cctv/frigate-mqtt", *FOLDERS, FILE_NAME)


@dataclass(frozen=True)
class ScenarioSummary:
    """What was written: counts reconcile with the files.

    ``files`` / ``records`` have the CCTV kinds (hikvision alerts, frigate events,
    frigate-mqtt messages) and one entry per other source kind (twitter tweets, mastodon
    statuses, google-records / google-timeline entries, gpx points, manifests
    passengers, sms-backup entries, mbox messages per mailbox, cdr rows).
    """

    out_dir: Path
    scale: str
    seed: int
    files: Mapping[str, int]
    records: Mapping[str, int]
    detections: int  # hikvision alerts + frigate events (MQTT repeats frigate objects)
    first_time: datetime
    last_time: datetime
    people: int
    vehicles: int
    background_vehicles: int
    cameras: int
    meetings: int
    meeting_occurrences: int


@dataclass
class _Run:
    """What the day loop collects for the summary and the ground truth."""

    occurrences: list[Occurrence]
    planted: list[Planted]
    clones: list[tuple[Detection, Detection]]
    first: float = float("inf")
    last: float = float("-inf")

    def add(self, result: DayResult, today: StoryDay) -> None:
        self.occurrences.extend(result.occurrences)
        self.planted.extend(today.comms.planted)
        self.clones.extend(result.clones)
        if result.detections:
            self.first = min(self.first, result.detections[0].time)
            self.last = max(self.last, result.detections[-1].time)


def _check_empty(out_dir: Path) -> None:
    """Refuse to mix with earlier output: counts must reconcile with what is on disk."""
    clash = [name for name in OUTPUTS if (out_dir / name).exists()]
    if clash:
        raise FileExistsError(
            f"{out_dir} already holds scenario output ({', '.join(clash)}); "
            "generate into a new or empty directory, or delete those first"
        )


def _summary(
    out_dir: Path,
    world: World,
    cctv: tuple[HikvisionWriter, FrigateWriter],
    sources: SourceWriters,
    run: _Run,
) -> ScenarioSummary:
    hik, frigate = cctv
    return ScenarioSummary(
        out_dir=out_dir,
        scale=world.spec.name,
        seed=world.seed,
        files={
            "hikvision": hik.files.files_written,
            "frigate": frigate.files_written,
            "frigate-mqtt": frigate.mqtt.files.files_written,
            **sources.files,
        },
        records={
            "hikvision": hik.records,
            "frigate": frigate.records,
            "frigate-mqtt": frigate.mqtt.records,
            **sources.records,
        },
        detections=hik.records + frigate.records,
        first_time=to_datetime(run.first),
        last_time=to_datetime(run.last),
        people=len(world.people),
        vehicles=len(world.population.vehicles),
        background_vehicles=len(world.population.background),
        cameras=len(world.cameras),
        meetings=len(world.meetings),
        meeting_occurrences=len(run.occurrences),
    )


def _extra_truth(
    out_dir: Path, world: World, cast: Cast, run: _Run, sources: SourceWriters
) -> dict[str, Any]:
    return {
        "sources": sources.layout(),
        "identities": truth.identities(out_dir, world, cast),
        "calls_before_meetings": truth.calls_before_meetings(run.planted),
        "trips": truth.trips(cast),
        "shared_flights": truth.shared_flights(cast),
        **truth.phone_relations(world, cast),
        "hard_cases": truth.hard_cases(world, cast, run.clones),
    }


def generate(
    out_dir: Path,
    scale: str = "tiny",
    seed: int = 7,
    progress: Callable[[int], None] | None = None,
) -> ScenarioSummary:
    """Generate a scenario into ``out_dir``; ``progress(n)`` gets detections per day written."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    out_dir = Path(out_dir)
    _check_empty(out_dir)
    world = build_world(SCALES[scale], seed)
    cast = build_cast(world)
    hik, frigate = HikvisionWriter(out_dir, seed), FrigateWriter(out_dir, seed)
    sources = SourceWriters(out_dir, world, cast)
    run = _Run([], [], [])
    story = Story(world, cast)
    for day in range(world.spec.days):
        result = simulate_day(world, day, cast.travel.away.get(day, ()), cast.clone)
        hik.write_day(day, result.detections)
        frigate.write_day(day, result.detections)
        today = story.day(result)
        sources.write_day(today)
        run.add(result, today)
        if progress is not None:
            progress(len(result.detections))
    hik.close()
    frigate.close()
    sources.close()
    summary = _summary(out_dir, world, (hik, frigate), sources, run)
    counts = {**summary.records, "detections": summary.detections}
    extra = _extra_truth(out_dir, world, cast, run, sources)
    write_ground_truth(out_dir, world, run.occurrences, counts, extra)
    return summary
