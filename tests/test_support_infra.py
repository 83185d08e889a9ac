"""Tests of the test infrastructure itself: the real Neo4j server and the headless browser.

If these fail, every @neo4j / @browser test would fail for a reason unrelated to the product,
so they prove the helpers first, against the real server and the real chromium.
"""

from __future__ import annotations

import functools
import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import browser, neo4j_server
from tests.support.ports import free_port, port_is_open

# --- RequestLog / URL classification: pure unit tests, no network at all ---------------------

LOOPBACK_URLS = [
    "http://127.0.0.1:8501/",
    "http://127.0.0.1:8501/static/js/main.js?v=1",
    "ws://127.0.0.1:8501/_stcore/stream",
    "http://localhost:8080/x.css",
    "http://LOCALHOST/x",
    "http://[::1]:9000/x.png",
    "data:image/png;base64,iVBORw0KGgo=",
    "blob:http://127.0.0.1:8501/3f2a-11",
    "about:blank",
]
EXTERNAL_URLS = [
    "https://example.com/x.js",
    "http://127.0.0.2/x",  # only 127.0.0.1 itself counts
    "http://localhost.example.com/x",
    "http://127.0.0.1.nip.io/x",
    "http://127.0.0.1@example.com/x",  # userinfo trick: the host is example.com
    "https://fonts.googleapis.com/css?family=Source+Sans",
    "file:///etc/passwd",  # host-less: not provably loopback
    "http://[::1/broken",  # unparsable
    "//example.com/protocol-relative",
]


def test_non_loopback_keeps_only_external_urls_in_order() -> None:
    log = browser.RequestLog([*LOOPBACK_URLS, *EXTERNAL_URLS])
    assert log.non_loopback() == EXTERNAL_URLS


def test_non_loopback_is_empty_for_loopback_only() -> None:
    assert browser.RequestLog(LOOPBACK_URLS).non_loopback() == []
    assert browser.RequestLog().non_loopback() == []


@pytest.mark.parametrize("url", EXTERNAL_URLS)
def test_is_loopback_url_rejects(url: str) -> None:
    assert not browser.is_loopback_url(url)


def test_chromium_path_env_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOSSIER_CHROMIUM", raising=False)
    assert browser.chromium_path() == "/usr/bin/chromium"
    monkeypatch.setenv("DOSSIER_CHROMIUM", "/opt/chromium/chrome")
    assert browser.chromium_path() == "/opt/chromium/chrome"


def test_streamlit_command_is_loopback_and_headless(tmp_path: Path) -> None:
    cmd = " ".join(browser.streamlit_command(tmp_path / "app.py", 8599))
    assert "--server.address 127.0.0.1 --server.port 8599" in cmd
    assert "--server.headless true --browser.gatherUsageStats false" in cmd


# --- Neo4j helper: cheap checks first, then the real server ---------------------------------


def test_render_config_is_loopback_only_and_under_home(tmp_path: Path) -> None:
    conf = neo4j_server.render_config(tmp_path, 17999)
    settings = dict(line.split("=", 1) for line in conf.splitlines() if line)
    assert len(settings) == len(conf.splitlines()), "duplicate keys stop neo4j at start-up"
    assert settings["server.default_listen_address"] == "127.0.0.1"
    assert settings["server.bolt.listen_address"] == "127.0.0.1:17999"
    assert settings["server.http.enabled"] == settings["server.https.enabled"] == "false"
    assert settings["dbms.security.auth_enabled"] == "false"
    assert settings["dbms.usage_report.enabled"] == "false"
    dirs = {k: v for k, v in settings.items() if k.startswith("server.directories.")}
    assert {"data", "logs", "run", "import", "plugins"} <= {k.rsplit(".", 1)[1] for k in dirs}
    assert all(Path(v).is_relative_to(tmp_path) for v in dirs.values())


def test_default_cache_dir_env_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOSSIER_TEST_CACHE", str(tmp_path))
    assert neo4j_server.default_cache_dir() == tmp_path
    monkeypatch.delenv("DOSSIER_TEST_CACHE")
    assert neo4j_server.default_cache_dir() == Path.home() / ".cache" / "dossier-test"


def test_assemble_trusts_marker_and_skips_mvn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = tmp_path / f"neo4j-{neo4j_server.NEO4J_VERSION}" / "lib"
    lib.mkdir(parents=True)
    (lib / neo4j_server.MARKER_NAME).write_text("done\n")
    monkeypatch.setenv("PATH", "")  # mvn would not even be found
    assert neo4j_server.assemble(tmp_path) == lib


def test_assemble_failure_reports_mvn_output_and_leaves_no_lib(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "pom.xml"
    broken.write_text("<project>this is not a POM</project>\n")
    monkeypatch.setattr(neo4j_server, "POM_PATH", broken)
    cache = tmp_path / "cache"
    with pytest.raises(neo4j_server.Neo4jSetupError, match="mvn failed"):
        neo4j_server.assemble(cache)
    assert list((cache / f"neo4j-{neo4j_server.NEO4J_VERSION}").iterdir()) == []


def test_java_is_17_or_later() -> None:
    assert neo4j_server.java_binary()


@pytest.mark.neo4j
def test_real_neo4j_server_starts_answers_and_stops() -> None:
    from neo4j import GraphDatabase

    with neo4j_server.Neo4jServer() as server:
        assert server.uri == f"bolt://127.0.0.1:{server.port}"
        with GraphDatabase.driver(server.uri, auth=None) as driver:
            records, _, _ = driver.execute_query("RETURN 1 AS one", database_="neo4j")
        assert [r["one"] for r in records] == [1]
        assert server.running
        home, port = server.home, server.port
    assert not server.running
    assert not port_is_open(port), "Bolt port still open after stop()"
    assert not home.exists(), "temp home left behind"


# --- Browser helper: real chromium against a local page and a real Streamlit app ------------


@pytest.fixture
def local_site(tmp_path: Path) -> Iterator[str]:
    """Serve a tiny page with a script and an image from a thread on 127.0.0.1."""
    (tmp_path / "index.html").write_text(
        '<!doctype html><title>t</title><img src="pixel.svg">'
        '<p id="out">waiting</p><script src="app.js"></script>'
    )
    (tmp_path / "app.js").write_text('document.getElementById("out").textContent = "ran";')
    (tmp_path / "pixel.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.browser
def test_chromium_loads_local_page_and_logs_only_loopback(local_site: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = browser.launch_browser(pw)
        try:
            page = chromium.new_page()
            log = browser.RequestLog().attach(page)
            page.goto(f"{local_site}/index.html", wait_until="load")
            assert page.text_content("#out") == "ran"
            page.goto(local_site.replace("127.0.0.1", "localhost") + "/index.html")
            assert page.text_content("#out") == "ran"
        finally:
            chromium.close()
    assert f"{local_site}/index.html" in log.urls
    assert f"{local_site}/app.js" in log.urls
    assert f"{local_site}/pixel.svg" in log.urls
    assert log.non_loopback() == []


@pytest.mark.browser
def test_serve_streamlit_renders_app_in_chromium(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    app = tmp_path / "app.py"
    app.write_text(
        "import os\nimport streamlit as st\n\n"
        "st.title('infra check')\nst.write('value:', os.environ['DOSSIER_INFRA_PROBE'])\n"
    )
    with (
        browser.serve_streamlit(app, {"DOSSIER_INFRA_PROBE": "42"}) as base_url,
        sync_playwright() as pw,
    ):
        assert base_url.startswith("http://127.0.0.1:")
        chromium = browser.launch_browser(pw)
        try:
            page = chromium.new_page()
            log = browser.RequestLog().attach(page)
            page.goto(base_url)
            page.get_by_text("value: 42").wait_for(timeout=30_000)
        finally:
            chromium.close()
    port = int(base_url.rsplit(":", 1)[1])
    assert not port_is_open(port), "streamlit still listening after the context exited"
    assert any(url.startswith("ws://127.0.0.1:") for url in log.urls), log.urls
    assert log.non_loopback() == [], log.non_loopback()


@pytest.mark.neo4j
def test_neo4j_start_failure_is_fast_and_carries_the_log(monkeypatch: pytest.MonkeyPatch) -> None:
    render = neo4j_server.render_config
    monkeypatch.setattr(  # a duplicate setting makes Neo4j refuse to start (strict validation)
        neo4j_server, "render_config", lambda home, port: render(home, port) * 2
    )
    server = neo4j_server.Neo4jServer()
    with pytest.raises(neo4j_server.Neo4jSetupError, match="declared multiple times"):
        server.start()
    assert not server.running
    assert not server.home.exists()


@pytest.mark.neo4j
def test_neo4j_retries_on_a_new_port_when_its_port_was_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with socket.socket() as squatter:  # accepts TCP but never speaks Bolt
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        offers = iter([taken])
        monkeypatch.setattr(neo4j_server, "free_port", lambda: next(offers, None) or free_port())
        with neo4j_server.Neo4jServer() as server:
            assert server.port != taken
            assert "Address already in use" in server.log_path.read_text()
