"""The app's logic through Streamlit's AppTest, against a real graph and ledger.

Each test runs `dossier/streamlit_main.py` in-process exactly as `streamlit run` would,
with the settings taken from the environment (DOSSIER_WORKSPACE, DOSSIER_GRAPH and the
DOSSIER_NEO4J_* settings), once on the embedded graph and once on a Neo4j server.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboards.conftest import APP, OTHER_PLATE, PLATE, Workspace, set_env
from tests.support.ports import free_port

ENTITY_PAGE = "../dashboards/pages/entity.py"  # relative to the main script, for AppTest
PROPERTIES, SOURCES = 0, 1  # the entity page's tables, in page order


def start() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception, at.exception
    return at


def search(at: AppTest, text: str) -> AppTest:
    at.text_input(key="search_text").input(text).run()
    assert not at.exception, at.exception
    return at


def open_entity(at: AppTest, entity_id: str) -> AppTest:
    at.query_params["id"] = entity_id
    at.switch_page(ENTITY_PAGE).run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> list[str]:
    """Every piece of text on the page: markdown, captions, titles and messages."""
    found: list[Any] = []
    for kind in ("markdown", "caption", "title", "subheader", "info", "warning", "error"):
        found += [element.value for element in getattr(at, kind)]
    return [str(value) for value in found]


def audit_actions(path: Path) -> list[tuple[str, str]]:
    entries = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [(e["action"], str(e.get("id") or e.get("text"))) for e in entries]


def chart_spec(at: AppTest, key: str) -> dict[str, Any]:
    charts = [c for c in at.get("plotly_chart") if c.key == key]
    assert charts, f"no plotly chart {key!r}"
    spec: dict[str, Any] = json.loads(charts[0].proto.spec)
    return spec


def test_search_finds_the_plate_and_opens_its_dossier(app_env: Workspace) -> None:
    at = search(start(), PLATE[:4].lower())
    assert f"{PLATE} · GB" in texts(at)
    at.button(key=f"result-{app_env.vehicle_id}").click().run()
    assert not at.exception, at.exception
    assert at.query_params["id"] == app_env.vehicle_id
    assert at.title[0].value == f"{PLATE} · GB"
    assert any(t.startswith("Vehicle · ") for t in texts(at))


def test_entity_page_shows_timeline_map_and_source_records(app_env: Workspace) -> None:
    at = open_entity(start(), app_env.vehicle_id)
    assert [s.value for s in at.subheader] == [
        "Properties", "Timeline", "Map", "Source records", "Co-presence",
    ]  # fmt: skip
    properties = at.dataframe[PROPERTIES].value
    # In the schema's order on both backends (Neo4j returns a node's properties unordered),
    # without the search index's text.
    assert list(properties["property"]) == [
        "id", "plate", "country", "colour", "caption", "batch_id", "record_id",
    ]  # fmt: skip
    assert dict(zip(properties["property"], properties["value"], strict=True))["plate"] == PLATE

    timeline = chart_spec(at, "timeline")
    times = [t for trace in timeline["data"] for t in trace["x"]]
    assert sorted(times)[0].startswith("2026-03-02T07:00:00")  # 08:00 +01:00 shown in UTC
    assert len(times) == 4
    assert chart_spec(at, "map")["layout"]["map"]["style"]["sources"] == {}

    sources = at.dataframe[SOURCES].value
    assert len(sources) == 4
    assert set(sources["connector"]) == {"test", "test-xml"}
    assert {"line 2", "line 4", "line 5", "alert#1"} == set(sources["locator"])
    assert sorted(c.value for c in at.code) == sorted(app_env.raw_lines)
    assert len(at.expander) == 4


def test_connector_filter_narrows_timeline_and_sources(app_env: Workspace) -> None:
    at = open_entity(start(), app_env.vehicle_id)
    at.multiselect(key=f"connectors-{app_env.vehicle_id}").unselect("test-xml").run()
    assert not at.exception, at.exception
    assert set(at.dataframe[SOURCES].value["connector"]) == {"test"}
    assert "3 of 4 events" in texts(at)
    assert len([t for tr in chart_spec(at, "timeline")["data"] for t in tr["x"]]) == 3


def test_co_presence_lists_and_opens_the_other_vehicle(app_env: Workspace) -> None:
    at = open_entity(start(), app_env.vehicle_id)
    assert f"{OTHER_PLATE} · GB" in texts(at)
    at.slider(key="window_min").set_value(1).run()  # they were two minutes apart
    assert f"{OTHER_PLATE} · GB" not in texts(at)
    at.slider(key="window_min").set_value(10).run()
    at.button(key=f"copresent-{app_env.other_id}").click().run()
    assert not at.exception, at.exception
    assert at.query_params["id"] == app_env.other_id
    assert at.title[0].value == f"{OTHER_PLATE} · GB"


def test_views_are_audited_once_per_visit(app_env: Workspace) -> None:
    at = search(start(), PLATE)
    at.button(key=f"result-{app_env.vehicle_id}").click().run()
    at.radio(key="rows").set_value("place").run()  # a rerun of the same view
    actions = audit_actions(app_env.audit_path)
    assert actions.count(("view_entity", app_env.vehicle_id)) == 1
    assert ("search", PLATE) in actions
    assert ("view_sources", app_env.vehicle_id) in actions
    entry = json.loads(app_env.audit_path.read_text(encoding="utf-8").splitlines()[0])
    assert entry["analyst"] == "test-analyst"


@pytest.mark.parametrize("text", ["NOSUCHPLATE", "zz-99"])
def test_no_results_says_so(app_env: Workspace, text: str) -> None:
    at = search(start(), text)
    assert [w.value for w in at.warning] and "Nothing matches" in at.warning[0].value
    assert not [b for b in at.button if str(b.key).startswith("result-")]


@pytest.mark.parametrize("entity_id", ["vehicle-0000", "nonsense"])
def test_unknown_entity_is_a_message(app_env: Workspace, entity_id: str) -> None:
    at = open_entity(start(), entity_id)
    assert f"No entity with id “{entity_id}”." in texts(at)


def test_entity_page_without_id(app_env: Workspace) -> None:
    at = start()
    at.switch_page(ENTITY_PAGE).run()
    assert not at.exception, at.exception
    assert "No entity chosen." in texts(at)


def test_empty_graph_is_explained(
    empty_workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_env(empty_workspace, monkeypatch)
    at = search(start(), PLATE)
    assert any("The graph is empty" in t for t in texts(at))


def test_missing_graph_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOSSIER_WORKSPACE", str(tmp_path / "nothing-here"))
    monkeypatch.setenv("DOSSIER_GRAPH", "embedded")
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception, at.exception
    assert "dossier graph load" in at.error[0].value


def test_unreachable_neo4j_says_what_to_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"  # nothing listens there
    monkeypatch.setenv("DOSSIER_WORKSPACE", str(tmp_path))
    monkeypatch.setenv("DOSSIER_GRAPH", "neo4j")
    monkeypatch.setenv("DOSSIER_NEO4J_URI", uri)
    monkeypatch.setenv("DOSSIER_NEO4J_PASSWORD", "")
    # Said at once, not after the driver's 30 s of retries (which outlasted a slow
    # machine's patience): the page must finish well within 20 s.
    at = AppTest.from_file(str(APP), default_timeout=20).run()
    assert not at.exception, at.exception
    assert f"cannot reach Neo4j at {uri}" in at.error[0].value
    assert "DOSSIER_NEO4J_URI" in at.error[0].value


@pytest.mark.neo4j
def test_unknown_neo4j_database_is_a_message(
    neo4j_uri: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server answers, but not for the database the settings name: the app says which
    setting to check instead of failing on every read."""
    env = {"DOSSIER_WORKSPACE": str(tmp_path), "DOSSIER_GRAPH": "neo4j",
           "DOSSIER_NEO4J_URI": neo4j_uri, "DOSSIER_NEO4J_PASSWORD": "",
           "DOSSIER_NEO4J_DATABASE": "nosuchdb"}  # fmt: skip
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception, at.exception
    assert at.error[0].value.startswith("The app cannot open the graph: ")
    assert "nosuchdb" in at.error[0].value and "DOSSIER_NEO4J_DATABASE" in at.error[0].value


def test_sidebar_names_backend_and_workspace(app_env: Workspace) -> None:
    at = start()
    sidebar = [c.value for c in at.sidebar.caption]
    backend = f"Graph: **{app_env.backend.name}**"
    assert any(backend in line and str(app_env.root) in line for line in sidebar)


def test_reads_take_turns_only_on_the_embedded_graph(app_env: Workspace) -> None:
    # The embedded connection serves one query at a time; Neo4j serves sessions side by
    # side, so there a read must not wait while another holds the app's read lock.
    from dashboards import data

    at = start()
    finished = threading.Event()

    def read() -> None:
        search(at, PLATE[:4].lower())
        finished.set()

    # Long enough for a slow machine to finish a free read; a blocked one never does.
    patience = 5 if app_env.backend.embedded else 60
    with data._read_lock:
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        waited_alone = not finished.wait(timeout=patience)
    reader.join(timeout=60)
    assert finished.is_set()
    assert waited_alone == app_env.backend.embedded
