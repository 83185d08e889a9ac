"""Small building blocks the pages share: tables whose rows open an entity."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from dashboards import routes

# Relative column widths; other columns get 1, the Open button's column grows with the row.
WIDTHS = {
    "caption": 3,
    "source_path": 4,
    "decision": 3,
    "connector": 2,
    "birth_date": 2,
    "method": 2,
    "ways": 3,
    "type": 2,
    "first": 2,
    "last": 2,
    "through": 3,
}


def entity_table(
    frame: pd.DataFrame, columns: Sequence[tuple[str, str]], key: str, row_key: str = "id"
) -> None:
    """One line per entity with the given (column, heading) cells and an Open button.

    Buttons rather than links keep the analyst in the same session (and testable with
    AppTest); the target page takes the id from the URL. `row_key` names the column that
    tells rows apart when one entity has several (a person named in two source files).
    """
    spans = [WIDTHS.get(name, 1) for name, _ in columns]
    widths = [max(1, round(sum(spans) / 8)), *spans]
    header = st.columns(widths, vertical_alignment="bottom")
    for cell, (_, heading) in zip(header[1:], columns, strict=True):
        cell.markdown(f"**{heading}**")
    for row in frame.to_dict("records"):
        cells = st.columns(widths, vertical_alignment="center")
        if cells[0].button("Open", key=f"{key}-{row[row_key]}", help=str(row["id"])):
            routes.open_entity(str(row["id"]))
        for cell, (name, _) in zip(cells[1:], columns, strict=True):
            cell.write(_text(row[name]))


def _text(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M:%S UTC")
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.3f}"
    return "" if value is None else str(value)
