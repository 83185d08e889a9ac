"""Named scenario sizes.

One place to tune volume: tests and the demo use ``tiny``; ``small`` and ``medium`` exist
for load and memory testing of the ingest path (medium is over a million detections).
Volumes are approximate; the summary reports exact counts.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ScaleSpec:
    """Size of a generated world and of the traffic it produces."""

    name: str
    days: int
    people: int
    background_vehicles: int
    anpr_cameras: int
    frigate_cameras: int
    mqtt_cameras: int  # the first N Frigate cameras also publish MQTT frigate/events
    workplaces: int
    haunts: int
    meetings: int
    anpr_background_per_day: float  # mean background reads per ANPR camera per day
    frigate_background_per_day: float  # mean background objects per Frigate camera per day
    target_detections: int  # what the parameters are tuned to produce (approximately)
    routes: int = 2  # flight routes with daily manifests (each way)
    timeline_people: int = 2  # people whose location history is an on-device Timeline export
    gpx_people: int = 1  # people who log some drives as GPX tracks


SCALES: dict[str, ScaleSpec] = {
    "tiny": ScaleSpec(
        name="tiny",
        days=14,
        people=16,
        background_vehicles=400,
        anpr_cameras=6,
        frigate_cameras=3,
        mqtt_cameras=1,
        workplaces=3,
        haunts=4,
        meetings=2,
        anpr_background_per_day=6.5,
        frigate_background_per_day=4.0,
        target_detections=2_000,
    ),
    "small": ScaleSpec(
        name="small",
        days=60,
        people=150,
        background_vehicles=6_000,
        anpr_cameras=12,
        frigate_cameras=6,
        mqtt_cameras=2,
        workplaces=8,
        haunts=12,
        meetings=4,
        anpr_background_per_day=66.0,
        frigate_background_per_day=14.0,
        target_detections=100_000,
        routes=4,
        timeline_people=3,
        gpx_people=2,
    ),
    "medium": ScaleSpec(
        name="medium",
        days=184,
        people=400,
        background_vehicles=40_000,
        anpr_cameras=24,
        frigate_cameras=8,
        mqtt_cameras=2,
        workplaces=15,
        haunts=25,
        meetings=8,
        anpr_background_per_day=165.0,
        frigate_background_per_day=30.0,
        target_detections=1_050_000,
        routes=6,
        timeline_people=4,
        gpx_people=4,
    ),
}
