"""One scenario day: every detection on every camera, in time order.

A day is the unit of streaming: it is generated, written and dropped before the next,
which bounds memory whatever the scale. Each part of the day draws from its own derived
random stream, so the result does not depend on generation order.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.scenario.clock import DAY, day_start
from ingest.scenario.model import Detection, Occurrence
from ingest.scenario.rng import derive_rng
from ingest.scenario.routines import meeting_day, meeting_today, person_day
from ingest.scenario.traffic import FRIGATE_MARGIN, anpr_background, frigate_background
from ingest.scenario.world import World


@dataclass(frozen=True, slots=True)
class DayResult:
    day: int
    detections: list[Detection]  # sorted by time; stays within the UTC day
    occurrences: list[Occurrence]


def _in_day(det: Detection, begin: float) -> bool:
    """Keep a day's files self-contained: Frigate objects must also end inside the day."""
    end = begin + (DAY - FRIGATE_MARGIN if det.camera.kind == "frigate" else DAY)
    return begin <= det.time < end


def _meetings(world: World, day: int) -> tuple[list[Detection], list[Occurrence], set[str]]:
    dets: list[Detection] = []
    occurrences: list[Occurrence] = []
    busy: set[str] = set()
    for meeting in world.meetings:
        if meeting_today(meeting, day):
            rng = derive_rng(world.seed, "meeting", meeting.id, day)
            found, occurrence = meeting_day(rng, world, meeting, day)
            dets.extend(found)
            occurrences.append(occurrence)
            busy.update(meeting.people)
    return dets, occurrences, busy


def simulate_day(world: World, day: int) -> DayResult:
    seed = world.seed
    dets, occurrences, busy = _meetings(world, day)
    for person in world.people:
        rng = derive_rng(seed, "person", person.id, day)
        dets.extend(person_day(rng, world, person, day, evening_free=person.id not in busy))
    for camera in world.anpr:
        rng = derive_rng(seed, "anpr-bg", camera.slug, day)
        dets.extend(anpr_background(rng, world, camera, day))
    for camera in world.frigate:
        rng = derive_rng(seed, "frigate-bg", camera.slug, day)
        dets.extend(frigate_background(rng, world, camera, day))
    begin = day_start(day)
    kept = [d for d in dets if _in_day(d, begin)]
    kept.sort(key=lambda d: d.time)
    return DayResult(day, _distinct(kept), occurrences)


def _distinct(dets: list[Detection]) -> list[Detection]:
    """Drop a second read of the same plate by the same camera in the same second.

    Sources key a plate read by (device, time, plate), so such a pair would be one record
    on ingest; emitting both would make the counts disagree.
    """
    seen: set[tuple[str, str, int]] = set()
    out = []
    for det in dets:
        key = (det.camera.slug, det.read or det.label, int(det.time))
        if det.camera.kind == "hikvision":
            if key in seen:
                continue
            seen.add(key)
        out.append(det)
    return out
