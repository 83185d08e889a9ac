"""Geography of the fictional town: a bounding box, distances, nearest camera, DMS.

The box (lat 52.30-52.42, lon 4.80-5.00) is only a frame for plausible coordinates; all
sites and homes in it are invented.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable

from ingest.scenario.model import Camera

LAT_MIN, LAT_MAX = 52.30, 52.42
LON_MIN, LON_MAX = 4.80, 5.00


def random_point(rng: random.Random) -> tuple[float, float]:
    """A point inside the box, rounded to ~1 m as devices report."""
    return (
        round(rng.uniform(LAT_MIN, LAT_MAX), 6),
        round(rng.uniform(LON_MIN, LON_MAX), 6),
    )


def grid_point(rng: random.Random, index: int, count: int) -> tuple[float, float]:
    """A jittered grid cell centre, so roadside cameras cover the whole town."""
    cols = max(1, math.ceil(math.sqrt(count * 1.5)))
    rows = max(1, math.ceil(count / cols))
    row, col = divmod(index, cols)
    lat = LAT_MIN + (row + rng.uniform(0.25, 0.75)) * (LAT_MAX - LAT_MIN) / rows
    lon = LON_MIN + (col + rng.uniform(0.25, 0.75)) * (LON_MAX - LON_MIN) / cols
    return round(lat, 6), round(lon, 6)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance: exact enough at town scale and cheap."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6371.0 * math.hypot(x, y)


def nearest(cameras: Iterable[Camera], lat: float, lon: float) -> Camera:
    return min(cameras, key=lambda c: (distance_km(lat, lon, c.lat, c.lon), c.slug))


def to_dms(value: float) -> tuple[int, int, float]:
    """Degrees, minutes, seconds of an absolute coordinate (Hikvision DeviceGPSInfo)."""
    value = abs(value)
    degree = int(value)
    minutes_full = (value - degree) * 60
    minute = int(minutes_full)
    return degree, minute, (minutes_full - minute) * 60
