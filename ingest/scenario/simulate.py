"""One scenario day: every detection on every camera, in time order, and everyone's legs.

A day is the unit of streaming: it is generated, written and dropped before the next,
which bounds memory whatever the scale. Each part of the day draws from its own derived
random stream, so the result does not depend on generation order.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from ingest.scenario.clock import DAY, day_start
from ingest.scenario.clones import ClonePlan, clone_reads
from ingest.scenario.model import Detection, Leg, Occurrence, Trace
from ingest.scenario.rng import derive_rng
from ingest.scenario.routines import meeting_day, meeting_today, person_day
from ingest.scenario.traffic import FRIGATE_MARGIN, anpr_background, frigate_background
from ingest.scenario.world import World


@dataclass(frozen=True, slots=True)
class DayResult:
    day: int
    detections: list[Detection]  # sorted by time; stays within the UTC day
    occurrences: list[Occurrence]
    legs: list[Leg] = field(default_factory=list)  # people's drives, in no particular order
    clones: list[tuple[Detection, Detection]] = field(default_factory=list)  # (genuine, clone)


def _in_day(det: Detection, begin: float) -> bool:
    """Keep a day's files self-contained: Frigate objects must also end inside the day."""
    end = begin + (DAY - FRIGATE_MARGIN if det.camera.kind == "frigate" else DAY)
    return begin <= det.time < end


def _meetings(world: World, day: int) -> tuple[list[Trace], list[Occurrence], set[str]]:
    traces: list[Trace] = []
    occurrences: list[Occurrence] = []
    busy: set[str] = set()
    for meeting in world.meetings:
        if meeting_today(meeting, day):
            rng = derive_rng(world.seed, "meeting", meeting.id, day)
            found, occurrence = meeting_day(rng, world, meeting, day)
            traces.extend(found)
            occurrences.append(occurrence)
            busy.update(meeting.people)
    return traces, occurrences, busy


def _people(world: World, day: int, busy: set[str], away: Collection[str]) -> list[Trace]:
    """Everyone's routine, except people away on a trip (they leave their car at home)."""
    traces = []
    for person in world.people:
        if person.id in away:
            continue
        rng = derive_rng(world.seed, "person", person.id, day)
        traces.append(person_day(rng, world, person, day, evening_free=person.id not in busy))
    return traces


def simulate_day(
    world: World, day: int, away: Collection[str] = (), clone: ClonePlan | None = None
) -> DayResult:
    """The day's detections; ``away`` people are travelling, ``clone`` plants a cloned plate."""
    seed = world.seed
    traces, occurrences, busy = _meetings(world, day)
    traces.extend(_people(world, day, busy, away))
    dets = [d for trace in traces for d in trace.detections]
    for camera in world.anpr:
        rng = derive_rng(seed, "anpr-bg", camera.slug, day)
        dets.extend(anpr_background(rng, world, camera, day))
    for camera in world.frigate:
        rng = derive_rng(seed, "frigate-bg", camera.slug, day)
        dets.extend(frigate_background(rng, world, camera, day))
    clones = clone_reads(world, clone, day, dets) if clone else []
    dets.extend(read for _, read in clones)
    begin = day_start(day)
    kept = [d for d in dets if _in_day(d, begin)]
    kept.sort(key=lambda d: d.time)
    legs = [leg for trace in traces for leg in trace.legs]
    return DayResult(day, _distinct(kept), occurrences, legs, clones)


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
