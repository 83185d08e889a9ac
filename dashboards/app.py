"""The app's entry point: page setup and routing only (pages live in dashboards/pages/)."""

from __future__ import annotations

import streamlit as st

from dashboards import data, routes
from dashboards.context import AppContext
from schemas.errors import DossierError


def run(context: AppContext) -> None:
    """Run one script pass: hand the context to the data module, then the chosen page."""
    data.use(context)
    # No page_icon: a material or emoji icon as favicon is fetched from Google or a CDN.
    st.set_page_config(page_title="dossier", layout="wide")
    page = st.navigation(routes.pages())
    data.begin_visit(page.url_path, st.query_params.to_dict())
    st.sidebar.caption(f"Graph: **{data.backend()}** · workspace `{data.workspace()}`")
    try:
        page.run()
    except DossierError as exc:
        # What the store can name (a Neo4j database that is not there, a query the server
        # refused or timed out) is a message to act on, not a traceback; the sidebar names
        # the graph and workspace the settings chose.
        st.error(f"This page stopped: {exc}")
