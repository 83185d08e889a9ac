"""Scenario time: UTC day windows, Europe/Amsterdam offsets and ISO weeks.

Cameras stamp events in local time, so the writers need the real Amsterdam offset
(+01:00 in winter, +02:00 in summer time). The EU rule is computed here instead of using
``zoneinfo`` so that output never depends on the host's tz database.
"""

from __future__ import annotations

import calendar
import time
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

START = datetime(2026, 3, 1, tzinfo=UTC)
START_EPOCH = int(START.timestamp())
DAY = 86_400
TIMEZONE = "Europe/Amsterdam"


def _last_sunday_0100_utc(year: int, month: int) -> int:
    """EU summer time switches at 01:00 UTC on the last Sunday of March and October."""
    last = calendar.monthrange(year, month)[1]
    day = date(year, month, last)
    day -= timedelta(days=(day.weekday() - 6) % 7)
    return calendar.timegm((day.year, day.month, day.day, 1, 0, 0))


@lru_cache(maxsize=8)
def _summer_window(year: int) -> tuple[int, int]:
    return _last_sunday_0100_utc(year, 3), _last_sunday_0100_utc(year, 10)


def offset_seconds(epoch: float) -> int:
    """Amsterdam UTC offset at an instant: 3600 (CET) or 7200 (CEST)."""
    year = time.gmtime(epoch).tm_year
    begin, end = _summer_window(year)
    return 7200 if begin <= epoch < end else 3600


def day_start(day: int) -> int:
    """Epoch of UTC midnight that opens scenario day ``day`` (day 0 = 2026-03-01)."""
    return START_EPOCH + day * DAY


def day_offset(day: int) -> int:
    """Amsterdam offset in effect for the daytime of a scenario day (taken at noon UTC)."""
    return offset_seconds(day_start(day) + DAY // 2)


def weekday(day: int) -> int:
    """Monday = 0 … Sunday = 6, as ``date.weekday``."""
    return (START.weekday() + day) % 7


def local_epoch(day: int, local_seconds: float) -> float:
    """Epoch for a local wall-clock time (seconds after local midnight) on a scenario day."""
    return day_start(day) + local_seconds - day_offset(day)


def week_key(day: int) -> str:
    """ISO week label of a UTC day, e.g. ``2026-W09``: the unit in which files rotate."""
    year, week, _ = (START + timedelta(days=day)).isocalendar()
    return f"{year}-W{week:02d}"


def local_iso(epoch: float) -> str:
    """Camera-style local timestamp with offset, second precision: 2026-03-01T08:15:03+01:00."""
    off = offset_seconds(epoch)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(epoch) + off))
    return f"{stamp}+{off // 3600:02d}:00"


def utc_iso(epoch: float) -> str:
    """UTC timestamp with a Z suffix, second precision (used in ground truth)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(epoch)))


def to_datetime(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


@lru_cache(maxsize=4)
def _utc_date(days: int) -> str:
    return time.strftime("%Y-%m-%dT", time.gmtime(days * DAY))


def utc_iso_ms(epoch: float) -> str:
    """UTC timestamp with milliseconds and a Z suffix, as JSON APIs write it.

    Formatted by arithmetic on top of a cached date: millions of location records use it.
    """
    seconds, ms = divmod(int(epoch * 1000), 1000)
    days, rest = divmod(seconds, DAY)
    hour, rest = divmod(rest, 3600)
    return f"{_utc_date(days)}{hour:02d}:{rest // 60:02d}:{rest % 60:02d}.{ms:03d}Z"


def local_time(epoch: float) -> time.struct_time:
    """Amsterdam wall-clock time at an instant (as a phone or PBX shows it)."""
    return time.gmtime(int(epoch) + offset_seconds(epoch))


def local_iso_ms(epoch: float) -> str:
    """Local timestamp with milliseconds and offset: 2026-03-01T08:15:03.250+01:00."""
    off = offset_seconds(epoch)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(epoch) + off))
    return f"{stamp}.{int(epoch * 1000) % 1000:03d}+{off // 3600:02d}:00"


def month_key(day: int) -> str:
    """Calendar month of a UTC day, e.g. ``2026-03``: the unit social exports rotate in."""
    return (START + timedelta(days=day)).strftime("%Y-%m")
