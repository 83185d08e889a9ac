"""The script Streamlit runs: the app's composition root.

It reads the settings, opens the workspace's graph read-only once per server process and
hands an AppContext to `dashboards.app.run`; the dashboards never read settings or open
databases themselves. Start it with `dossier app`, which also keeps the server on
127.0.0.1 with usage statistics off.
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

# `streamlit run` puts this file's folder on sys.path, not the project's.
_PROJECT = str(Path(__file__).resolve().parents[1])
if _PROJECT not in sys.path:
    sys.path.insert(0, _PROJECT)

import streamlit as st  # noqa: E402

from dashboards import app  # noqa: E402
from dashboards.context import AppContext  # noqa: E402
from dossier.settings import Settings, load_settings  # noqa: E402
from dossier.workspace import Workspace  # noqa: E402
from graph.store import GraphStore  # noqa: E402
from schemas.errors import DossierError  # noqa: E402


@dataclass(frozen=True)
class OpenGraph:
    workspace: Workspace
    store: GraphStore
    resources: ExitStack


def _close(opened: OpenGraph) -> None:
    opened.resources.close()


@st.cache_resource(show_spinner="Opening the graph…", on_release=_close)
def open_graph(settings: Settings) -> OpenGraph:
    """One read-only store per server process (and per settings), shared by all sessions."""
    workspace = Workspace(settings)
    resources = ExitStack()
    store = resources.enter_context(workspace.graph(read_only=True))
    return OpenGraph(workspace, store, resources)


def main() -> None:
    settings = load_settings()
    try:
        opened = open_graph(settings)
    except DossierError as exc:
        st.error(f"The app cannot open the graph: {exc}")
        st.stop()
    workspace = opened.workspace
    app.run(
        AppContext(
            opened.store, workspace.ledger, workspace.audit, settings.graph, settings.analyst
        )
    )


main()
