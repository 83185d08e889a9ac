"""Search: find an entity by plate, camera, name or identifier and open its dossier."""

from __future__ import annotations

import streamlit as st

from dashboards import components, data

RESULT_COLUMNS = [("type", "Type"), ("caption", "Entity")]


def render() -> None:
    st.title("Search")
    text = st.text_input(
        "Plate, camera, name or identifier",
        key="search_text",
        placeholder="e.g. AB12CDE, a camera serial, a phone number, a name",
    )
    if data.entity_count() == 0:
        st.info(
            "The graph is empty. Ingest exports with `dossier ingest PATH` and load them "
            "with `dossier graph load`, then search here."
        )
        return
    if not text.strip():
        st.caption("Type part of an identifier or a name and press Enter.")
        return
    results = data.search(text)
    if results.empty:
        st.warning(
            f"Nothing matches “{text.strip()}”. Try fewer characters, a plate without "
            "spaces, or another identifier."
        )
        return
    st.caption(f"{len(results)} result(s)")
    components.entity_table(results, RESULT_COLUMNS, key="result")


render()
