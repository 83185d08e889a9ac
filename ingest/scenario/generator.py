"""Drive the day-by-day stream: simulate a day, hand it to every writer, forget it.

Only the world (people, places, cameras, plates) and one day of detections are in memory
at any time, plus one week of Frigate API events (the API lists newest first), so memory
stays flat from tiny to medium.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ingest.scenario.clock import to_datetime
from ingest.scenario.ground_truth import FILE_NAME, write_ground_truth
from ingest.scenario.model import Occurrence
from ingest.scenario.scales import SCALES
from ingest.scenario.simulate import simulate_day
from ingest.scenario.world import World, build_world
from ingest.scenario.writers.frigate import FrigateWriter
from ingest.scenario.writers.hikvision import HikvisionWriter

OUTPUTS = ("cctv/hikvision", "cctv/frigate", "cctv/frigate-mqtt", FILE_NAME)


@dataclass(frozen=True)
class ScenarioSummary:
    """What was written: counts reconcile with the files (records = alerts/events/messages)."""

    out_dir: Path
    scale: str
    seed: int
    files: Mapping[str, int]  # hikvision / frigate / frigate-mqtt -> number of files
    records: Mapping[str, int]  # hikvision alerts, frigate events, frigate-mqtt messages
    detections: int  # hikvision alerts + frigate events (MQTT repeats frigate objects)
    first_time: datetime
    last_time: datetime
    people: int
    vehicles: int
    background_vehicles: int
    cameras: int
    meetings: int
    meeting_occurrences: int


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
    hik: HikvisionWriter,
    frigate: FrigateWriter,
    span: tuple[float, float],
    occurrences: int,
) -> ScenarioSummary:
    return ScenarioSummary(
        out_dir=out_dir,
        scale=world.spec.name,
        seed=world.seed,
        files={
            "hikvision": hik.files.files_written,
            "frigate": frigate.files_written,
            "frigate-mqtt": frigate.mqtt.files.files_written,
        },
        records={
            "hikvision": hik.records,
            "frigate": frigate.records,
            "frigate-mqtt": frigate.mqtt.records,
        },
        detections=hik.records + frigate.records,
        first_time=to_datetime(span[0]),
        last_time=to_datetime(span[1]),
        people=len(world.people),
        vehicles=len(world.population.vehicles),
        background_vehicles=len(world.population.background),
        cameras=len(world.cameras),
        meetings=len(world.meetings),
        meeting_occurrences=occurrences,
    )


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
    hik, frigate = HikvisionWriter(out_dir, seed), FrigateWriter(out_dir, seed)
    occurrences: list[Occurrence] = []
    first, last = float("inf"), float("-inf")
    for day in range(world.spec.days):
        result = simulate_day(world, day)
        hik.write_day(day, result.detections)
        frigate.write_day(day, result.detections)
        occurrences.extend(result.occurrences)
        if result.detections:
            first = min(first, result.detections[0].time)
            last = max(last, result.detections[-1].time)
        if progress is not None:
            progress(len(result.detections))
    hik.close()
    frigate.close()
    summary = _summary(out_dir, world, hik, frigate, (first, last), len(occurrences))
    counts = {**summary.records, "detections": summary.detections}
    write_ground_truth(out_dir, world, occurrences, counts)
    return summary
