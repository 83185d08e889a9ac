"""Frigate tracked objects: one model behind both the HTTP API event and the MQTT messages.

A detection becomes a tracked object with 2-4 frames (first sighting, 0-2 updates, end)
so the API list entry and the ``frigate/events`` messages for the same object agree on
id, times, scores, boxes, zones and plate.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ingest.scenario.model import Detection
from ingest.scenario.rng import token

WIDTH, HEIGHT = 1280, 720  # Frigate's default detect resolution
_SIZE = {"person": ((40, 140), (120, 380)), "car": ((200, 560), (120, 320))}


@dataclass(frozen=True, slots=True)
class Frame:
    time: float
    score: float
    box: tuple[int, int, int, int]  # x1, y1, x2, y2 in pixels
    region: tuple[int, int, int, int]
    zones: tuple[str, ...]  # current zones


@dataclass(frozen=True, slots=True)
class Tracked:
    id: str
    camera: str
    label: str
    start: float
    end: float
    frames: tuple[Frame, ...]  # first sighting, updates, final frame
    top_score: float
    sub_label: str | None
    sub_label_score: float | None
    plate: str | None
    plate_score: float | None
    attribute: tuple[str, float, tuple[int, int, int, int]] | None  # label, score, box
    has_snapshot: bool


def score(rng: random.Random, low: int = 560) -> float:
    """Detector scores come in 1/1024 steps (e.g. 0.720703125), as in real events."""
    return rng.randint(low, 1000) / 1024


def _box(rng: random.Random, label: str, x: int | None = None) -> tuple[int, int, int, int]:
    (w_lo, w_hi), (h_lo, h_hi) = _SIZE[label]
    w, h = rng.randint(w_lo, w_hi), rng.randint(h_lo, h_hi)
    x1 = rng.randint(0, WIDTH - w) if x is None else max(0, min(WIDTH - w, x))
    y1 = rng.randint(HEIGHT // 5, HEIGHT - h)
    return x1, y1, x1 + w, y1 + h


def region_of(box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The square model input region around a box, kept inside the frame."""
    side = min(HEIGHT, max(320, int(max(box[2] - box[0], box[3] - box[1]) * 1.3)))
    side -= side % 4
    cx, cy = (box[0] + box[2]) // 2, (box[1] + box[3]) // 2
    x1 = max(0, min(WIDTH - side, cx - side // 2))
    y1 = max(0, min(HEIGHT - side, cy - side // 2))
    return x1, y1, x1 + side, y1 + side


def _frames(rng: random.Random, det: Detection, end: float) -> tuple[Frame, ...]:
    """First sighting, 0-2 updates and the final frame, moving across the image."""
    count = 2 + rng.choice((0, 1, 1, 2))
    step = rng.choice((-1, 1)) * rng.randint(20, 120)
    best = rng.randrange(count)  # the frame that sets top_score (always >= 0.72)
    box = _box(rng, det.label)
    frames = []
    for i in range(count):
        when = det.time + (end - det.time) * (0.05 + 0.95 * i / (count - 1))
        zones = det.zones[: 1 + i * len(det.zones) // (count - 1)]
        value = score(rng, 738 if i == best else 560)
        frames.append(Frame(round(when, 6), value, box, region_of(box), zones))
        box = _box(rng, det.label, box[0] + step)
    return tuple(frames)


def _attribute(
    rng: random.Random, det: Detection, box: tuple[int, int, int, int]
) -> tuple[str, float, tuple[int, int, int, int]] | None:
    """A licence-plate box on cars whose plate was read; sometimes a face box on people."""
    if det.label == "car" and det.read:
        w = (box[2] - box[0]) // 5
        x = box[0] + (box[2] - box[0] - w) // 2
        return "license_plate", score(rng, 620), (x, box[3] - 40, x + w, box[3] - 14)
    if det.label == "person" and rng.random() < 0.3:
        w = (box[2] - box[0]) // 3
        x = box[0] + w
        return "face", score(rng, 520), (x, box[1] + 4, x + w, box[1] + 4 + w)
    return None


def build(rng: random.Random, det: Detection) -> Tracked:
    end = round(det.time + det.duration, 6)
    frames = _frames(rng, det, end)
    plate_score = round(det.confidence / 100 + rng.uniform(0, 0.009), 6) if det.read else None
    return Tracked(
        id=f"{det.time!r}-{token(rng, 6)}",
        camera=det.camera.slug,
        label=det.label,
        start=det.time,
        end=end,
        frames=frames,
        top_score=max(f.score for f in frames),
        sub_label=det.sub_label,
        sub_label_score=plate_score if det.sub_label else None,
        plate=det.read,
        plate_score=plate_score,
        attribute=_attribute(rng, det, max(frames, key=lambda f: f.score).box),
        has_snapshot=rng.random() < 0.85,
    )


def relative(box: tuple[int, int, int, int]) -> list[float]:
    """Frigate's ``to_relative_box``: [x, y, w, h] as fractions of the frame."""
    return [box[0] / WIDTH, box[1] / HEIGHT, (box[2] - box[0]) / WIDTH, (box[3] - box[1]) / HEIGHT]
