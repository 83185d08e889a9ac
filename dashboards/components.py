"""Small building blocks the pages share: tables whose rows open an entity."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from dashboards import routes


def entity_table(frame: pd.DataFrame, columns: Sequence[tuple[str, str]], key: str) -> None:
    """One line per entity with the given (column, heading) cells and an Open button.

    Buttons rather than links keep the analyst in the same session (and testable with
    AppTest); the target page takes the id from the URL.
    """
    widths = [1] + [3 if name == "caption" else 1 for name, _ in columns]
    header = st.columns(widths, vertical_alignment="bottom")
    for cell, (_, heading) in zip(header[1:], columns, strict=True):
        cell.markdown(f"**{heading}**")
    for row in frame.to_dict("records"):
        cells = st.columns(widths, vertical_alignment="center")
        if cells[0].button("Open", key=f"{key}-{row['id']}", help=str(row["id"])):
            routes.open_entity(str(row["id"]))
        for cell, (name, _) in zip(cells[1:], columns, strict=True):
            cell.write(_text(row[name]))


def _text(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M:%S UTC")
    return "" if value is None else str(value)
