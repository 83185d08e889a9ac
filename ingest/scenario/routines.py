"""A person's day as trips: commute, errands, evening outings, weekends, meetings.

Times are drawn around each person's fixed habits in local (Amsterdam) time, so the same
car shows up at the same cameras at similar hours day after day, which is what makes
pattern-of-life analysis meaningful on the generated data.
"""

from __future__ import annotations

import random

from ingest.scenario.clock import local_epoch, weekday
from ingest.scenario.model import Meeting, Occurrence, Person, Place, Trace, Vehicle
from ingest.scenario.trips import drive, travel_seconds
from ingest.scenario.world import World

MINUTE = 60.0
LATEST_HOME = 22 * 60 + 45  # local minute by which outings are over


def _outing(
    rng: random.Random,
    world: World,
    vehicle: Vehicle,
    home: Place,
    haunt: Place,
    depart: float,
    dwell: float,
    out: Trace,
) -> None:
    """Home → somewhere → home."""
    arrive = drive(rng, world, vehicle, home, haunt, depart, out)
    drive(rng, world, vehicle, haunt, home, arrive + dwell, out)


def _haunt(rng: random.Random, world: World, person: Person) -> Place:
    return world.places[rng.choice(person.routine.haunts)]


def _workday(
    rng: random.Random,
    world: World,
    person: Person,
    vehicle: Vehicle,
    day: int,
    evening_free: bool,
    out: Trace,
) -> None:
    home, work, habit = world.places[person.home], world.places[person.work or ""], person.routine
    leave = local_epoch(day, (habit.leave_minute + rng.gauss(0, 12)) * MINUTE)
    drive(rng, world, vehicle, home, work, leave, out)
    back = local_epoch(day, (habit.return_minute + rng.gauss(0, 15)) * MINUTE)
    if evening_free and rng.random() < habit.errand_rate:
        stop = _haunt(rng, world, person)
        arrive = drive(rng, world, vehicle, work, stop, back, out)
        drive(rng, world, vehicle, stop, home, arrive + rng.uniform(15, 60) * MINUTE, out)
    else:
        drive(rng, world, vehicle, work, home, back, out)
    if evening_free and rng.random() < habit.evening_rate:
        start = local_epoch(day, rng.uniform(19 * 60, 20 * 60 + 30) * MINUTE)
        _outing(
            rng,
            world,
            vehicle,
            home,
            _haunt(rng, world, person),
            start,
            rng.uniform(45, 120) * MINUTE,
            out,
        )


def _free_day(
    rng: random.Random,
    world: World,
    person: Person,
    vehicle: Vehicle,
    day: int,
    out: Trace,
) -> None:
    """Weekend or no job: up to two outings, one late morning and one afternoon."""
    home = world.places[person.home]
    trips = rng.choices((0, 1, 2), (30, 50, 20))[0]
    windows = ((10 * 60, 12 * 60), (14 * 60, 17 * 60 + 30))[:trips]
    for low, high in windows:
        start = local_epoch(day, rng.uniform(low, high) * MINUTE)
        _outing(
            rng,
            world,
            vehicle,
            home,
            _haunt(rng, world, person),
            start,
            rng.uniform(30, 120) * MINUTE,
            out,
        )


def person_day(
    rng: random.Random, world: World, person: Person, day: int, evening_free: bool = True
) -> Trace:
    """Everything cameras see of one person's car and doorstep on one day, and its legs."""
    out = Trace(person.id)
    vehicle = world.driving(person.id, day)
    if vehicle is None or rng.random() < 0.04:  # no car, or a day at home
        return out
    if weekday(day) < 5 and person.work:
        _workday(rng, world, person, vehicle, day, evening_free, out)
    else:
        _free_day(rng, world, person, vehicle, day, out)
    return out


def meeting_today(meeting: Meeting, day: int) -> bool:
    return day >= meeting.first_day and weekday(day) == meeting.weekday


def _origin(world: World, person: Person, meeting: Meeting, day: int) -> Place:
    """Lunch meetings on workdays start from work; others from home."""
    at_work = person.work and weekday(day) < 5 and meeting.local_minute < 15 * 60
    return world.places[person.work or ""] if at_work else world.places[person.home]


def meeting_day(
    rng: random.Random, world: World, meeting: Meeting, day: int
) -> tuple[list[Trace], Occurrence]:
    """Both cars pass the meeting camera 1-7 minutes apart, then leave 40-90 min later."""
    spot = world.places[meeting.place]
    first = int(local_epoch(day, meeting.local_minute * MINUTE + rng.randint(-600, 600)))
    gap = rng.randint(60, 420)
    order = (0, 1) if rng.random() < 0.5 else (1, 0)
    times = [0.0, 0.0]
    traces = []
    for rank, idx in enumerate(order):
        person, vehicle = world.persons[meeting.people[idx]], meeting.plates[idx]
        out = Trace(person.id)
        traces.append(out)
        times[idx] = float(first + rank * gap)
        origin = _origin(world, person, meeting, day)
        depart = times[idx] - 0.88 * travel_seconds(origin, spot) - rng.uniform(10, 60)
        drive(rng, world, vehicle, origin, spot, depart, out, fixed=(meeting.camera, times[idx]))
        drive(rng, world, vehicle, spot, origin, times[idx] + rng.uniform(40, 90) * MINUTE, out)
    return traces, Occurrence(meeting.id, (times[0], times[1]))
