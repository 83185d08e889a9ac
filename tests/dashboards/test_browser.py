"""The whole app in headless Chromium: search a plate, open its dossier, and stay offline.

Streamlit serves `dossier/streamlit_main.py` on 127.0.0.1 from the dashboards folder (so
`dashboards/.streamlit/config.toml` applies); every request the page makes is logged and
none may leave the machine.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.dashboards.conftest import APP, PLATE, REPO, Workspace
from tests.support.browser import RequestLog, launch_browser, serve_streamlit

pytestmark = pytest.mark.browser
TIMEOUT_MS = 30_000


def search_and_open(page: Page, base_url: str) -> None:
    page.goto(base_url)
    box = page.get_by_label("Plate, camera, name or identifier")
    box.fill(PLATE.lower())
    box.press("Enter")
    expect(page.get_by_text(f"{PLATE} · GB", exact=True)).to_be_visible()
    page.get_by_role("button", name="Open").click()
    page.wait_for_url("**/entity?id=vehicle-*")


def test_search_open_dossier_offline(workspace: Workspace, tmp_path: Path) -> None:
    expect.set_options(timeout=TIMEOUT_MS)
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
            expect(page.get_by_text("embedded", exact=False).first).to_be_visible()

            page.wait_for_load_state("networkidle")
            # Streamlit scrolls inside its own container: a tall viewport shows the whole page.
            page.set_viewport_size({"width": 1400, "height": 2800})
            page.wait_for_timeout(1000)  # let the charts redraw at the new size
            page.screenshot(path=str(tmp_path / "entity.png"))
            assert requests.non_loopback() == []
            assert any(url.startswith(base_url) for url in requests.urls)
        finally:
            browser.close()
