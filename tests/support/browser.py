"""Headless-browser helpers: Debian chromium driven by Playwright, with everything on loopback.

Why: the analyst app must work with no internet, and the only convincing proof is to load it in
a real browser and look at every request it made. Playwright's own browser download is not
available here, so the Debian ``/usr/bin/chromium`` is used through ``executable_path``.

Chromium is also pointed at a dead proxy on 127.0.0.1 for anything that is not loopback, so a
page that tries to reach the internet fails locally (and shows up in ``RequestLog``) instead of
sending traffic off the machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, Playwright, Request, WebSocket

from .ports import LOOPBACK, free_port
from .process import die_with_parent, log_tail, stop_process

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
# Non-loopback traffic goes to a closed port on 127.0.0.1 and fails at once. "<-loopback>" drops
# Chromium's implicit bypass list (which also covers link-local 169.254/16); the three loopback
# names are then re-added explicitly so the app under test is reached directly.
BLACKHOLE_PROXY_ARGS = (
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>;127.0.0.1;localhost;[::1]",
)
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
LOCAL_SCHEMES = frozenset({"data", "blob", "about"})
STREAMLIT_START_TIMEOUT_S = 60.0
STREAMLIT_STOP_GRACE_S = 10.0
REPO_ROOT = Path(__file__).resolve().parents[2]


def chromium_path() -> str:
    """Return the chromium binary: ``DOSSIER_CHROMIUM`` if set, else the Debian package's."""
    return os.environ.get("DOSSIER_CHROMIUM") or DEFAULT_CHROMIUM


def launch_browser(playwright: Playwright, *, block_external: bool = True) -> Browser:
    """Launch headless chromium with the flags that keep it quiet and offline.

    The flags stop Chromium's own background traffic (updates, sync, field trials, QUIC);
    ``block_external`` adds the dead loopback proxy so pages cannot reach the internet either.
    """
    args = list(CHROMIUM_ARGS)
    if block_external:
        args += BLACKHOLE_PROXY_ARGS
    return playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=args)


def is_loopback_url(url: str) -> bool:
    """True if ``url`` stays on this machine: a loopback host or a local-only scheme.

    Anything unparsable, host-less (``file:``) or not plainly 127.0.0.1 / localhost / [::1]
    counts as non-loopback: the check exists to catch leaks, so it errs on the side of reporting.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    if parts.scheme.lower() in LOCAL_SCHEMES:
        return True
    return host is not None and host in LOOPBACK_HOSTS


class RequestLog:
    """Records the URL of every request (and WebSocket) a page makes, in order.

    Attach it before navigating; then ``non_loopback()`` is the list of offending URLs, which a
    test asserts is empty.
    """

    def __init__(self, urls: Iterable[str] = ()) -> None:
        """Start empty, or from ``urls`` (handy for unit tests of the filtering)."""
        self.urls: list[str] = list(urls)

    def attach(self, page: Page) -> RequestLog:
        """Listen to ``page``'s requests and WebSocket connections; returns self for chaining."""
        page.on("request", self._on_request)
        page.on("websocket", self._on_websocket)
        return self

    def _on_request(self, request: Request) -> None:
        self.urls.append(request.url)

    def _on_websocket(self, websocket: WebSocket) -> None:
        self.urls.append(websocket.url)

    def non_loopback(self) -> list[str]:
        """Return the recorded URLs that would leave the machine (see ``is_loopback_url``)."""
        return [url for url in self.urls if not is_loopback_url(url)]


def _fetch_local(url: str, timeout: float = 2.0) -> str:
    """GET a loopback URL ignoring any *_proxy environment variables (they could route it out)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=timeout) as response:
        body: bytes = response.read()
    return body.decode("utf-8", errors="replace")


def streamlit_command(app_path: Path, port: int) -> list[str]:
    """Return the ``streamlit run`` command line: loopback only, headless, no usage stats.

    ``server.address`` also stops Streamlit looking up the machine's external address, and
    ``gatherUsageStats=false`` stops the page fetching a metrics file from the internet.
    """
    return [
        sys.executable, "-m", "streamlit", "run", str(app_path.resolve()),
        "--server.address", LOOPBACK, "--server.port", str(port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip


def _streamlit_env(env: dict[str, str]) -> dict[str, str]:
    """Inherit the environment, put the repo root on PYTHONPATH, then apply ``env`` on top."""
    merged = dict(os.environ)
    paths = [str(REPO_ROOT), *filter(None, [merged.get("PYTHONPATH")])]
    merged["PYTHONPATH"] = os.pathsep.join(paths)
    merged.update(env)
    return merged


def _wait_for_health(proc: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    """Poll ``/_stcore/health`` until it says "ok"; fail fast with the output if it exits."""
    deadline = time.monotonic() + STREAMLIT_START_TIMEOUT_S
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}:\n{log_tail(log)}")
        try:
            if _fetch_local(f"{base_url}/_stcore/health").strip() == "ok":
                return
        except (OSError, urllib.error.URLError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"streamlit not healthy at {base_url} in time:\n{log_tail(log)}")
        time.sleep(0.25)


@contextmanager
def serve_streamlit(
    app_path: Path, env: dict[str, str], port: int | None = None, cwd: Path | None = None
) -> Iterator[str]:
    """Run ``streamlit run app_path`` on 127.0.0.1 and yield its base URL until the block ends.

    ``env`` is added to the inherited environment (e.g. the test Neo4j URI). ``cwd`` defaults to
    the app's directory so its ``.streamlit/config.toml`` applies. The server is always stopped.
    """
    port = port or free_port()
    base_url = f"http://{LOOPBACK}:{port}"
    with tempfile.TemporaryDirectory(prefix="dossier-streamlit-") as tmp:
        log = Path(tmp) / "streamlit.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                streamlit_command(app_path, port), env=_streamlit_env(env),
                cwd=cwd or app_path.parent, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=die_with_parent(),
            )  # fmt: skip
        try:
            _wait_for_health(proc, base_url, log)
            yield base_url
        finally:
            stop_process(proc, STREAMLIT_STOP_GRACE_S)
