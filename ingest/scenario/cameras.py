"""Camera installations: roadside Hikvision ANPR and Frigate cameras at homes and sites.

Addresses are RFC 5737 documentation ranges and MACs are locally administered, so the
records look like real device pushes without pointing at any real device.
"""

from __future__ import annotations

import random
import re

from ingest.scenario.geo import grid_point
from ingest.scenario.model import Camera, Place
from ingest.scenario.names import SITE_STEMS, SITE_TAILS
from ingest.scenario.rng import derive_rng

# Frigate camera names in the order scales enable them, with the kind of place watched.
FRIGATE_SITES: tuple[tuple[str, str], ...] = (
    ("front_door", "home"),
    ("depot_gate", "depot"),
    ("driveway", "home"),
    ("office_entrance", "office"),
    ("carport", "home"),
    ("yard_gate", "depot"),
    ("garage_side", "home"),
    ("shop_backdoor", "shop"),
)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _mac(rng: random.Random) -> str:
    """A locally administered unicast MAC (first octet 0x02): stable and clearly synthetic."""
    return ":".join(["02", *(f"{rng.randrange(256):02x}" for _ in range(5))])


def _site_names(rng: random.Random, count: int) -> list[str]:
    pool = [f"{stem}{tail}" for stem in SITE_STEMS for tail in SITE_TAILS]
    return rng.sample(pool, count)


def anpr_cameras(seed: int, count: int) -> tuple[Camera, ...]:
    """Roadside plate readers on a jittered grid with unique invented site names."""
    rng = derive_rng(seed, "anpr-cameras")
    cameras = []
    for index, name in enumerate(_site_names(rng, count)):
        lat, lon = grid_point(rng, index, count)
        cameras.append(
            Camera(
                slug=f"anpr-{slugify(name)}",
                kind="hikvision",
                name=name,
                lat=lat,
                lon=lon,
                mac=_mac(rng),
                ip=f"192.0.2.{10 + index}",
                place=None,
                busyness=round(rng.uniform(0.5, 1.5), 3),
            )
        )
    return tuple(cameras)


def frigate_cameras(
    seed: int, count: int, mqtt: int, sites: dict[str, list[Place]]
) -> tuple[Camera, ...]:
    """Frigate cameras at the first free place of the kind each camera name implies."""
    rng = derive_rng(seed, "frigate-cameras")
    used: dict[str, int] = {}
    cameras = []
    for index, (name, kind) in enumerate(FRIGATE_SITES[:count]):
        candidates = sites.get(kind) or sites["home"]
        place = candidates[used.get(kind, 0) % len(candidates)]
        used[kind] = used.get(kind, 0) + (kind == "home")
        cameras.append(
            Camera(
                slug=name,
                kind="frigate",
                name=f"{name} ({place.name})",
                lat=place.lat,
                lon=place.lon,
                mac=_mac(rng),
                ip=f"198.51.100.{10 + index}",
                place=place.id,
                busyness=round(rng.uniform(0.6, 1.4), 3),
                mqtt=index < mqtt,
            )
        )
    return tuple(cameras)
