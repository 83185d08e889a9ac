"""Plotly figures for the entity page; pure functions of DataFrames, nothing fetched.

Everything renders offline: the plotly.js Streamlit ships, no map tiles (the map style is
an inline background-only MapLibre style with an explicit centre and zoom), no
`scatter_geo` (it loads topojson from a CDN).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

CONFIG: dict[str, Any] = {"displaylogo": False}
MAP_STYLE: dict[str, Any] = {
    "version": 8,
    "sources": {},
    "layers": [{"id": "bg", "type": "background", "paint": {"background-color": "#eef1f4"}}],
}
HOVER = {
    "place": True, "confidence": ":.2f", "plate_read": True, "label": True, "role": True,
    "via": True,
}  # fmt: skip


def timeline_figure(events: pd.DataFrame, rows: str) -> go.Figure:
    """Events over time (UTC), one row per event kind or place, coloured by connector."""
    frame = events.assign(time=events["time"].dt.tz_convert("UTC").dt.tz_localize(None))
    frame[rows] = frame[rows].fillna("(none)")
    figure = px.scatter(
        frame,
        x="time",
        y=rows,
        color="connector",
        hover_name="caption",
        hover_data={**HOVER, "connector": True, rows: False},
    )
    figure.update_traces(marker={"size": 11, "opacity": 0.8})
    figure.update_layout(
        xaxis_title="time (UTC)",
        yaxis_title=rows,
        height=max(260, 90 + 40 * frame[rows].nunique()),
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend_title_text="source",
    )
    return figure


def place_map(events: pd.DataFrame) -> go.Figure | None:
    """Places of the events with coordinates, sized by event count; None if there are none."""
    located = events.dropna(subset=["lat", "lon"])
    if located.empty:
        return None
    places = (
        located.fillna({"place": "(unnamed place)"})
        .groupby(["place", "lat", "lon"], as_index=False)
        .size()
        .rename(columns={"size": "events"})
    )
    figure = px.scatter_map(
        places, lat="lat", lon="lon", size="events", hover_name="place", size_max=24
    )
    figure.update_traces(marker={"sizemin": 8, "color": "#1f4e79"})
    figure.update_layout(
        map={
            "style": MAP_STYLE,
            "center": {"lat": _mid(places["lat"]), "lon": _mid(places["lon"])},
            "zoom": _zoom(places),
        },
        height=420,
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
    )
    return figure


def _mid(values: pd.Series) -> float:
    return float((values.min() + values.max()) / 2)


def _zoom(places: pd.DataFrame) -> float:
    """A zoom level that fits every point (each level halves the visible span)."""
    span = max(float(places["lat"].max() - places["lat"].min()),
               float(places["lon"].max() - places["lon"].min()))  # fmt: skip
    if span < 0.005:
        return 13.0
    return max(1.0, min(13.0, math.log2(360 / span) - 1))
