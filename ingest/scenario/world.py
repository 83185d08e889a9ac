"""The assembled world: population, cameras, planted meetings and lookup indexes.

Generators for any source (CCTV now; social, travel and messages later) take a ``World``
and a day, so every source describes the same people on the same days.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.scenario.cameras import FRIGATE_SITES, frigate_cameras
from ingest.scenario.hardcases import HardCases, plan_hard_cases, rename
from ingest.scenario.meetings import plan_meetings
from ingest.scenario.model import Camera, Drive, Meeting, Person, Place, Vehicle
from ingest.scenario.population import Population, build_population
from ingest.scenario.rng import derive_rng
from ingest.scenario.scales import ScaleSpec


@dataclass(frozen=True, eq=False)
class World:
    spec: ScaleSpec
    seed: int
    population: Population
    frigate: tuple[Camera, ...]
    meetings: tuple[Meeting, ...]
    hard: HardCases
    places: dict[str, Place] = field(repr=False)
    cameras: dict[str, Camera] = field(repr=False)
    drives_by_person: dict[str, tuple[Drive, ...]] = field(repr=False)
    place_cameras: dict[str, tuple[Camera, ...]] = field(repr=False)
    known_plates: dict[str, dict[str, str]] = field(repr=False)  # camera -> plate -> name
    regulars: dict[str, tuple[int, ...]] = field(repr=False)  # camera -> background indexes
    vehicles: dict[str, Vehicle] = field(repr=False)  # plate -> vehicle (people and traffic)
    persons: dict[str, Person] = field(repr=False)
    routes: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict, repr=False)

    @property
    def people(self) -> tuple[Person, ...]:
        return self.population.people

    @property
    def anpr(self) -> tuple[Camera, ...]:
        return self.population.anpr

    def driving(self, person: str, day: int) -> Vehicle | None:
        """The vehicle a person drives on a day, or None if they have none then."""
        for drive in self.drives_by_person.get(person, ()):
            if drive.start_day <= day < drive.end_day:
                return self.vehicles[drive.plate]
        return None


def _frigate_sites(pop: Population) -> dict[str, list[Place]]:
    """Candidate places per kind; homes only where someone drives, so cars are seen."""
    drivers = {d.person for d in pop.drives}
    homes = {p.home for p in pop.people if p.id in drivers}
    sites: dict[str, list[Place]] = {}
    for place in pop.places:
        if place.kind != "home" or place.id in homes:
            sites.setdefault(place.kind, []).append(place)
    return sites


def _known_plates(pop: Population, frigate: tuple[Camera, ...]) -> dict[str, dict[str, str]]:
    """Frigate LPR ``known_plates`` for home cameras: residents' cars get a friendly name."""
    by_id = {p.id: p for p in pop.people}
    known: dict[str, dict[str, str]] = {}
    for cam in frigate:
        residents = {p.id for p in pop.people if p.home == cam.place}
        names = {
            d.plate: f"{by_id[d.person].given_name}'s car"
            for d in pop.drives
            if d.person in residents
        }
        if names:
            known[cam.slug] = names
    return known


def _regulars(
    seed: int, pop: Population, cameras: tuple[Camera, ...]
) -> dict[str, tuple[int, ...]]:
    """Per camera, the background vehicles that pass it habitually (commuters)."""
    size = len(pop.background)
    out = {}
    for cam in cameras:
        rng = derive_rng(seed, "regulars", cam.slug)
        out[cam.slug] = tuple(rng.sample(range(size), min(size, max(10, size // 40))))
    return out


def build_world(spec: ScaleSpec, seed: int) -> World:
    pop = build_population(spec, seed)
    count = min(spec.frigate_cameras, len(FRIGATE_SITES))
    frigate = frigate_cameras(seed, count, spec.mqtt_cameras, _frigate_sites(pop))
    meetings, spots = plan_meetings(pop, seed, spec.meetings)
    hard = plan_hard_cases(pop, seed, meetings, frigate)
    pop = rename(pop, hard)
    places = {p.id: p for p in (*pop.places, *spots)}
    cameras = {c.slug: c for c in (*pop.anpr, *frigate)}
    drives: dict[str, list[Drive]] = {}
    for d in pop.drives:
        drives.setdefault(d.person, []).append(d)
    at_place: dict[str, list[Camera]] = {}
    for cam in frigate:
        at_place.setdefault(cam.place or "", []).append(cam)
    return World(
        spec=spec,
        seed=seed,
        population=pop,
        frigate=frigate,
        meetings=meetings,
        hard=hard,
        places=places,
        cameras=cameras,
        drives_by_person={k: tuple(v) for k, v in drives.items()},
        place_cameras={k: tuple(v) for k, v in at_place.items()},
        known_plates=_known_plates(pop, frigate),
        regulars=_regulars(seed, pop, (*pop.anpr, *frigate)),
        vehicles={v.plate: v for v in (*pop.vehicles, *pop.background)},
        persons={p.id: p for p in pop.people},
    )
