"""The whole app in headless Chromium: search a plate, open its dossier, review a link,
and stay offline; once on the embedded graph and once on the Neo4j server.

Streamlit serves `dossier/streamlit_main.py` on 127.0.0.1 from the dashboards folder (so
`dashboards/.streamlit/config.toml` applies); every request the page makes is logged and
none may leave the machine. The workspace also holds person records from three files,
resolved as `dossier resolve` leaves them (see tests/dashboards/test_review.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.dashboards.conftest import APP, PLATE, REPO, Backend, Template, Workspace, workspace_from
from tests.dashboards.test_review import profiles, resolved_template
from tests.support.browser import RequestLog, launch_browser, serve_streamlit

pytestmark = pytest.mark.browser
TIMEOUT_MS = 30_000
REASON = "booked by an agent for two different travellers"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return resolved_template(tmp_path_factory.mktemp("resolved") / "workspace")


@pytest.fixture
def resolved(template: Template, backend: Backend, tmp_path: Path) -> Workspace:
    """The workspace with person records added, resolved and loaded into the graph."""
    return workspace_from(template, tmp_path / "workspace", backend)


def search_and_open(page: Page, base_url: str) -> None:
    page.goto(base_url)
    box = page.get_by_label("Plate, camera, name or identifier")
    box.fill(PLATE.lower())
    box.press("Enter")
    expect(page.get_by_text(f"{PLATE} · GB", exact=True)).to_be_visible()
    page.get_by_role("button", name="Open").click()
    page.wait_for_url("**/entity?id=vehicle-*")


def review_keep_apart(page: Page, base_url: str, workspace: Workspace) -> None:
    """Keep the most uncertain pair apart, with a reason; it is recorded in the ledger."""
    page.goto(f"{base_url}/review")
    expect(page.get_by_role("heading", name="Review links")).to_be_visible()
    pairs = page.locator("[class*='st-key-pair-']")
    expect(pairs).to_have_count(2)
    first = pairs.first
    expect(first).to_contain_text("Petra Zandmeijer")
    expect(first).to_contain_text("probability 0.909")
    expect(first.get_by_test_id("stTable")).to_have_count(2)  # the records, the comparisons
    expect(first).to_contain_text("same given name, surname spelt differently")
    first.get_by_label("Reason").fill(REASON)
    first.get_by_role("button", name="Keep apart").click()
    expect(page.get_by_text("Kept apart: ", exact=False)).to_be_visible()
    expect(page.get_by_text("now in different subjects", exact=False)).to_be_visible()
    expect(pairs).to_have_count(1)
    log = workspace.root / "ledger" / "decisions.jsonl"
    [decision] = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert (decision["kind"], decision["reason"]) == ("separate", REASON)
    assert decision["analyst"] == "test-analyst"


def pages_show_the_decision(page: Page, base_url: str, workspace: Workspace) -> None:
    """After the keep-apart the graph holds two subjects where there was one: search finds
    both, and the record's page lists no other record in its subject."""
    page.goto(base_url)
    box = page.get_by_label("Plate, camera, name or identifier")
    box.fill("zandme")
    box.press("Enter")
    expect(page.get_by_text("Subject", exact=True)).to_have_count(2)
    person = profiles(workspace)["Petra Zandmeer"]["node_id"]
    page.goto(f"{base_url}/entity?id={person}")
    expect(page.get_by_role("heading", name="Resolved subject")).to_be_visible()
    expect(page.get_by_text("No other record resolved to this subject.")).to_be_visible()


def test_dossier_and_review_offline(resolved: Workspace, tmp_path: Path) -> None:
    expect.set_options(timeout=TIMEOUT_MS)
    workspace = resolved
    with (
        serve_streamlit(APP, workspace.env(), cwd=REPO / "dashboards") as base_url,
        sync_playwright() as playwright,
    ):
        browser = launch_browser(playwright)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            requests = RequestLog().attach(page)
            search_and_open(page, base_url)

            expect(page.get_by_role("heading", name=f"{PLATE} · GB")).to_be_visible()
            timeline = page.locator(".st-key-timeline .js-plotly-plot")
            expect(timeline).to_be_visible()
            expect(timeline.locator(".scatterlayer .point")).to_have_count(4)
            expect(page.locator(".st-key-map .js-plotly-plot")).to_be_visible()
            sources = page.locator(".st-key-sources")
            expect(sources.get_by_role("heading", name="Source records")).to_be_visible()
            expect(sources.get_by_test_id("stDataFrame")).to_be_visible()
            expect(sources.get_by_text("· Sighting · line", exact=False)).to_have_count(3)
            sources.get_by_text("Sighting · alert#1").click()
            expect(page.get_by_text("<licensePlate>AB12CDE</licensePlate>")).to_be_visible()
            backend = f"Graph: {workspace.backend.name}"
            expect(page.get_by_test_id("stSidebar")).to_contain_text(backend)

            page.wait_for_load_state("networkidle")
            # Streamlit scrolls inside its own container: a tall viewport shows the whole page.
            page.set_viewport_size({"width": 1400, "height": 2800})
            page.wait_for_timeout(1000)  # let the charts redraw at the new size
            page.screenshot(path=str(tmp_path / "entity.png"))

            page.set_viewport_size({"width": 1400, "height": 1000})
            review_keep_apart(page, base_url, workspace)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(tmp_path / "review.png"), full_page=True)
            pages_show_the_decision(page, base_url, workspace)
            assert requests.non_loopback() == []
            assert any(url.startswith(base_url) for url in requests.urls)
        finally:
            browser.close()
