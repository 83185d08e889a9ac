"""The figures are pure functions of DataFrames: check they stay offline and fit the data."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboards import charts


def events(*places: tuple[str | None, float | None, float | None]) -> pd.DataFrame:
    rows = [
        {"time": pd.Timestamp("2026-03-02 07:00", tz="UTC") + pd.Timedelta(hours=n),
         "kind": "Sighting", "label": "plate", "caption": f"Sighting {n}", "place": place,
         "lat": lat, "lon": lon, "confidence": 0.9, "plate_read": "AB12CDE",
         "role": "OBSERVED", "via": "AB12CDE", "connector": "test"}
        for n, (place, lat, lon) in enumerate(places)
    ]  # fmt: skip
    return pd.DataFrame(rows)


def test_map_uses_the_inline_style_and_fits_every_place() -> None:
    figure = charts.place_map(events(("A", 51.50, -0.12), ("A", 51.50, -0.12), ("B", 51.52, -0.02)))
    assert figure is not None
    layout = figure.to_plotly_json()["layout"]["map"]
    assert layout["style"] == charts.MAP_STYLE
    assert layout["center"] == {"lat": pytest.approx(51.51), "lon": pytest.approx(-0.07)}
    assert 8 <= layout["zoom"] <= 13
    assert list(figure.data[0].marker.size) == [2, 1]  # events per place
    assert "http" not in figure.to_json()


def test_no_map_without_coordinates() -> None:
    assert charts.place_map(events((None, None, None))) is None


def test_timeline_rows_by_place_in_utc() -> None:
    frame = events(("A", 1.0, 1.0), (None, None, None))
    frame["time"] = frame["time"].dt.tz_convert("Europe/Amsterdam")
    figure = charts.timeline_figure(frame, "place")
    assert sorted(figure.data[0].y) == ["(none)", "A"]
    assert str(figure.data[0].x[0]).startswith("2026-03-02T07:00")
    assert figure.layout.xaxis.title.text == "time (UTC)"
