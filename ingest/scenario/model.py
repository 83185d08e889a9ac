"""The population model: people, vehicles, places, cameras, drives, meetings, detections.

These types know nothing about output formats. Writers turn a ``Detection`` into a
Hikvision alert or a Frigate event; later sources (social, travel, messages) can be
generated from the same people and places without touching the CCTV writers.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Place:
    """Somewhere people go: a home, a workplace, a haunt, or a meeting spot."""

    id: str
    kind: str  # home | depot | office | work | shop | gym | cafe | ... | spot
    name: str
    lat: float
    lon: float
    anpr: str  # slug of the nearest ANPR camera: a car leaving or reaching it passes there


@dataclass(frozen=True, slots=True)
class Camera:
    """A camera. Hikvision cameras read plates; Frigate cameras detect people and cars."""

    slug: str  # file name stem; the Frigate camera name for Frigate cameras
    kind: str  # hikvision | frigate
    name: str  # Hikvision channelName / human label
    lat: float
    lon: float
    mac: str
    ip: str
    place: str | None  # the Place it watches (Frigate), None for roadside ANPR
    busyness: float  # scales background traffic
    mqtt: bool = False  # Frigate: also publishes MQTT frigate/events


@dataclass(frozen=True, slots=True)
class Vehicle:
    plate: str
    country: str  # ISO 3166 alpha-2
    colour: str
    make: str
    vehicle_type: str  # Hikvision vehicleType vocabulary


@dataclass(frozen=True, slots=True)
class Routine:
    """A person's habits, fixed for the whole scenario so behaviour is recognisable."""

    leave_minute: int  # usual local departure to work
    return_minute: int  # usual local departure from work
    errand_rate: float  # chance of a stop on the way home
    evening_rate: float  # chance of an evening outing
    haunts: tuple[str, ...]  # place ids visited outside work


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    given_name: str
    surname: str
    date_of_birth: str  # ISO date
    home: str  # place id
    work: str | None  # place id, None for people without a workplace
    routine: Routine

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.surname}"


@dataclass(frozen=True, slots=True)
class Drive:
    """Who drives which vehicle over which scenario days (``end_day`` exclusive)."""

    person: str
    plate: str
    country: str
    start_day: int
    end_day: int


@dataclass(frozen=True, slots=True)
class Meeting:
    """A planted recurring meeting: both cars pass ``camera`` minutes apart, weekly."""

    id: str
    people: tuple[str, str]
    plates: tuple[Vehicle, Vehicle]
    camera: str
    place: str
    weekday: int  # Monday = 0
    local_minute: int
    first_day: int


@dataclass(frozen=True, slots=True)
class Occurrence:
    meeting: str
    times: tuple[float, float]  # UTC epoch of each person's read, in ``Meeting.people`` order


@dataclass(frozen=True, slots=True)
class Detection:
    """One thing a camera saw. ``read`` is the plate as the camera read it (maybe wrong)."""

    time: float  # epoch seconds UTC; whole seconds for ANPR, the start for Frigate
    camera: Camera
    label: str  # car | person
    vehicle: Vehicle | None
    read: str | None
    confidence: int  # 0-100: plate-read confidence (ANPR) or LPR score (Frigate)
    direction: str  # forward | reverse
    zones: tuple[str, ...] = ()
    duration: float = 0.0  # seconds in view (Frigate)
    sub_label: str | None = None  # Frigate known-plate name


@dataclass(frozen=True, slots=True)
class Leg:
    """One movement of a person between two places, for location and track sources.

    ``points`` are (epoch, lat, lon) knots from departure to arrival; for a drive they
    include every roadside camera passed, at the moment it read the plate, so a location
    history and the plate reads of the same trip agree.
    """

    person: str
    origin: str  # place id
    dest: str  # place id
    mode: str  # drive | cycle | taxi | flight
    points: tuple[tuple[float, float, float], ...]

    @property
    def start(self) -> float:
        return self.points[0][0]

    @property
    def end(self) -> float:
        return self.points[-1][0]


@dataclass(slots=True)
class Trace:
    """What one person's day produced: camera detections and the legs behind them."""

    person: str
    detections: list[Detection] = field(default_factory=list)
    legs: list[Leg] = field(default_factory=list)
