"""Value types normalise one way everywhere, and refuse bad values naming field and value."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.errors import InvalidValue
from schemas.types import REGISTRY, GeoPoint, offset_minutes


def clean(type_name: str, value: object) -> object:
    return REGISTRY[type_name].clean("T.f", value)


def test_timestamp_keeps_the_original_offset() -> None:
    value = clean("timestamp", "2024-01-19T11:17:19+08:00")
    assert isinstance(value, datetime)
    assert value.astimezone(UTC) == datetime(2024, 1, 19, 3, 17, 19, tzinfo=UTC)
    assert offset_minutes(value) == 480


def test_epoch_seconds_are_utc() -> None:
    value = clean("timestamp", 1623454583.525913)
    assert value == datetime(2021, 6, 11, 23, 36, 23, 525913, tzinfo=UTC)


def test_timestamp_without_offset_is_refused_unless_a_zone_is_named() -> None:
    with pytest.raises(InvalidValue, match="no UTC offset"):
        clean("timestamp", "2024-01-19T11:17:19")
    value = REGISTRY["timestamp"].clean("T.f", "2024-01-19T11:17:19", timedelta(hours=1))  # type: ignore[call-arg]
    assert offset_minutes(value) == 60


@pytest.mark.parametrize("raw", ["yesterday", "", 1e20, "1850-01-01T00:00:00Z"])
def test_bad_timestamps(raw: object) -> None:
    with pytest.raises(InvalidValue) as info:
        clean("timestamp", raw)
    assert "T.f" in str(info.value)


def test_plate_phone_handle_country() -> None:
    assert clean("plate", " ab-12 cd ") == "AB12CD"
    assert clean("phone", "+44 20 7946 0958") == "+442079460958"
    assert clean("handle", "@Some_User") == "some_user"
    assert clean("country", "nl") == "NL"
    with pytest.raises(InvalidValue, match="phone"):
        clean("phone", "not a number")
    with pytest.raises(InvalidValue, match="alpha-2"):
        clean("country", "NON")


@pytest.mark.parametrize("raw", [(91, 0), (0, 181), (-90.5, 0), ("x", 1), (float("nan"), 0)])
def test_geo_out_of_range_is_refused(raw: tuple[object, object]) -> None:
    with pytest.raises(InvalidValue):
        clean("geo", raw)


@given(st.floats(-90, 90), st.floats(-180, 180))
def test_geo_in_range_round_trips(lat: float, lon: float) -> None:
    assert clean("geo", (lat, lon)) == GeoPoint(lat, lon)


@given(st.text(max_size=30))
def test_plate_cleaning_is_idempotent(text: str) -> None:
    try:
        once = clean("plate", text)
    except InvalidValue:
        return
    assert clean("plate", once) == once


@pytest.mark.parametrize("raw", [1.5, -0.1, "high"])
def test_scores_lie_between_zero_and_one(raw: object) -> None:
    with pytest.raises(InvalidValue):
        clean("score", raw)
