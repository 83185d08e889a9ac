"""A real Neo4j Community server for tests, assembled from Maven Central and run on loopback.

Why this exists: there is no Docker engine and no download site on these machines, and the
standalone tarball is not on Maven Central. The artifact ``org.neo4j:neo4j`` however contains
``org.neo4j.server.CommunityEntryPoint`` and its runtime dependency closure *is* the server, so
``assemble()`` copies that closure once into a cache directory and ``Neo4jServer`` starts it with
plain ``java`` (heap and JVM flags in neo4j.conf are ignored this way, so they are passed here).

Developers can run ``python -m tests.support.neo4j_server`` from the repository root to get a
throw-away server on a free loopback port; Ctrl-C stops it.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

from neo4j import Driver, GraphDatabase
from neo4j.exceptions import DriverError, Neo4jError

from .ports import LOOPBACK, free_port
from .process import die_with_parent, log_tail, stop_process

NEO4J_VERSION = "5.26.30"
POM_PATH = Path(__file__).resolve().parents[1] / "neo4j" / "pom.xml"
MARKER_NAME = ".complete"
MIN_JAVA = 17
START_TIMEOUT_S = 90.0
STOP_GRACE_S = 30.0
_START_ATTEMPTS = 3  # a free port can be taken between free_port() and the JVM binding it

JVM_OPTIONS = (
    "-Xms512m",
    "-Xmx1g",
    "-XX:+UseG1GC",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
)
MAIN_CLASS = "org.neo4j.server.CommunityEntryPoint"
# server.directories.* that must point into the throw-away home (nothing under the cache).
_HOME_DIRECTORIES = ("data", "logs", "run", "import", "plugins", "licenses", "lib")


class Neo4jSetupError(RuntimeError):
    """Assembling or starting the test server failed; the message carries the tool's output."""


def default_cache_dir() -> Path:
    """Where assembled servers are kept between runs (``DOSSIER_TEST_CACHE`` overrides).

    Outside the repository so that ``git clean`` and parallel checkouts share one copy.
    """
    env = os.environ.get("DOSSIER_TEST_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "dossier-test"


def assemble(cache_dir: Path | None = None) -> Path:
    """Return ``cache_dir/neo4j-<version>/lib``, copying the server's jars there with mvn if needed.

    The jars land in a temp dir with a marker file and are then renamed into place, so an
    interrupted run never leaves a half-filled lib dir that a later run would trust.
    """
    version_dir = (cache_dir or default_cache_dir()) / f"neo4j-{NEO4J_VERSION}"
    lib = version_dir / "lib"
    if (lib / MARKER_NAME).is_file():
        return lib
    if lib.exists():  # no marker: left by something else, never trust it
        shutil.rmtree(lib)
    version_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="lib.partial-", dir=version_dir))
    try:
        jars = _copy_dependencies(staging)
        (staging / MARKER_NAME).write_text(f"org.neo4j:neo4j:{NEO4J_VERSION} {jars} jars\n")
        try:
            staging.rename(lib)
        except OSError:  # a concurrent run finished first; its copy is as good as ours
            if not (lib / MARKER_NAME).is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return lib


def _copy_dependencies(out_dir: Path) -> int:
    """Run mvn to copy the runtime dependency closure into ``out_dir``; return the jar count."""
    mvn = shutil.which("mvn")
    if mvn is None:
        raise Neo4jSetupError("mvn is not on PATH; it is needed once to fetch the Neo4j jars")
    cmd = [
        mvn, "-B", "-q", "-f", str(POM_PATH), "dependency:copy-dependencies",
        "-DincludeScope=runtime", f"-DoutputDirectory={out_dir}",
        f"-Dneo4j.version={NEO4J_VERSION}",
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    jars = len(list(out_dir.glob("*.jar")))
    if proc.returncode != 0 or jars == 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])
        raise Neo4jSetupError(f"mvn failed (exit {proc.returncode}, {jars} jars):\n{tail}")
    return jars


def java_binary() -> str:
    """Return the java to use: ``$JAVA_HOME/bin/java`` if set, else ``java`` on PATH, Java 17+.

    Neo4j 5.26 refuses older JVMs with an obscure class-version error, so check up front.
    """
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if not java:
        raise Neo4jSetupError("no java: set JAVA_HOME or put Java 17+ on PATH")
    out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if match is None:
        raise Neo4jSetupError(f"cannot tell the version of {java}: {out.stderr.strip()}")
    major = int(match.group(1))
    if major == 1 and match.group(2):  # "1.8.0_392" style
        major = int(match.group(2))
    if major < MIN_JAVA:
        raise Neo4jSetupError(f"{java} is Java {major}; Neo4j {NEO4J_VERSION} needs {MIN_JAVA}+")
    return java


# Enough for the tests' small graphs; a benchmark on a big graph passes a page cache the
# size of its store (Neo4j's own sizing advice), or its queries pay for page faults.
DEFAULT_PAGE_CACHE = "256m"


def memory_config(page_cache: str = DEFAULT_PAGE_CACHE) -> str:
    """Return the neo4j.conf lines that size memory: the page cache (``256m``, ``4g``, ...)
    and the cap on memory held by open transactions."""
    return f"server.memory.pagecache.size={page_cache}\ndbms.memory.transaction.total.max=512m\n"


def render_config(home: Path, bolt_port: int) -> str:
    """Return neo4j.conf text: loopback only, Bolt on ``bolt_port``, no HTTP(S), no auth.

    Validation is strict (a typo or duplicate stops start-up with exit code 3), so the file is
    always written whole, from here and ``memory_config``, rather than patched.
    """
    lines = [
        f"server.default_listen_address={LOOPBACK}",
        f"server.default_advertised_address={LOOPBACK}",
        "server.bolt.enabled=true",
        f"server.bolt.listen_address={LOOPBACK}:{bolt_port}",
        f"server.bolt.advertised_address={LOOPBACK}:{bolt_port}",
        "server.http.enabled=false",
        "server.https.enabled=false",
        "dbms.security.auth_enabled=false",
        "dbms.usage_report.enabled=false",
        "db.tx_log.preallocate=false",
        # Netty's default 2 x 5 s graceful-shutdown quiet period made every stop() take 10 s;
        # with 0 the server stops in ~0.2 s and still checkpoints cleanly (internal setting).
        "internal.dbms.bolt.netty_server_shutdown_quiet_period=0",
    ]
    lines += [f"server.directories.{name}={home / name}" for name in _HOME_DIRECTORIES]
    return "\n".join(lines) + "\n"


class Neo4jServer:
    """One Neo4j Community server process on a free loopback port, with its own temp home.

    Use as a context manager (or ``start()`` / ``stop()``). ``uri`` is ``bolt://127.0.0.1:PORT``
    and auth is disabled, so ``GraphDatabase.driver(server.uri, auth=None)`` connects.
    """

    def __init__(
        self,
        lib_dir: Path | None = None,
        home: Path | None = None,
        page_cache: str = DEFAULT_PAGE_CACHE,
    ) -> None:
        """Prepare (but do not start) a server; ``lib_dir`` defaults to ``assemble()``'s result;
        ``page_cache`` is a Neo4j size such as ``256m`` or ``4g``."""
        self.lib_dir = lib_dir
        self.page_cache = page_cache
        self._own_home = home is None
        self.home: Path = home or Path(tempfile.mkdtemp(prefix="dossier-neo4j-"))
        self.port = 0
        self.uri = ""
        self.log_path = self.home / "console.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_offset = 0

    def start(self) -> Neo4jServer:
        """Start the JVM and return once Bolt answers; raise with the log tail otherwise."""
        if self._proc is not None:
            raise Neo4jSetupError("server already started")
        lib = self.lib_dir or assemble()
        java = java_binary()
        atexit.register(self.stop)  # backstop if the caller never reaches stop()
        try:
            self._start_with_retries(java, lib)
        except BaseException:  # includes Ctrl-C while waiting: never leave the JVM behind
            self.stop()
            raise
        return self

    def _start_with_retries(self, java: str, lib: Path) -> None:
        """Launch on a free port; retry on a new port only if the old one was taken meanwhile."""
        for attempt in range(1, _START_ATTEMPTS + 1):
            self._launch(java, lib, free_port())
            try:
                self._wait_until_ready(START_TIMEOUT_S)
                return
            except Neo4jSetupError:
                bind_race = "Address already in use" in self._log_since_launch()
                self._stop_process()
                if not bind_race or attempt == _START_ATTEMPTS:
                    raise

    def _launch(self, java: str, lib: Path, port: int) -> None:
        """Write a fresh conf for ``port`` and spawn the JVM with output to ``log_path``."""
        self.port, self.uri = port, f"bolt://{LOOPBACK}:{port}"
        self._prepare_home(lib)
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        cmd = [java, *JVM_OPTIONS, "-cp", f"{lib}/*", MAIN_CLASS,
               f"--home-dir={self.home}", f"--config-dir={self.home / 'conf'}",
               "--console-mode"]  # fmt: skip
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                cwd=self.home, start_new_session=True, preexec_fn=die_with_parent(),
            )  # fmt: skip

    def _prepare_home(self, lib: Path) -> None:
        """Create the home layout; ``home/lib`` is a symlink to the shared, read-only jar cache."""
        for name in ("conf", *_HOME_DIRECTORIES):
            if name != "lib":
                (self.home / name).mkdir(parents=True, exist_ok=True)
        link = self.home / "lib"
        if not link.exists() and not link.is_symlink():
            link.symlink_to(lib.resolve(), target_is_directory=True)
        conf = render_config(self.home, self.port) + memory_config(self.page_cache)
        (self.home / "conf" / "neo4j.conf").write_text(conf, encoding="utf-8")

    def _wait_until_ready(self, timeout: float) -> None:
        """Poll Bolt until it answers; fail fast, with the log tail, if the JVM exits."""
        deadline = time.monotonic() + timeout
        with self._probe_driver() as driver:
            while True:
                if self._proc is None or self._proc.poll() is not None:
                    code = None if self._proc is None else self._proc.returncode
                    raise Neo4jSetupError(self._failure(f"neo4j exited with code {code}"))
                try:
                    driver.verify_connectivity()
                    return
                except (DriverError, Neo4jError, OSError):
                    if time.monotonic() > deadline:
                        raise Neo4jSetupError(
                            self._failure(f"Bolt not up after {timeout:.0f} s")
                        ) from None
                    time.sleep(0.25)

    def _probe_driver(self) -> Driver:
        """A driver for readiness probes, with short timeouts.

        The acquisition timeout matters: a port squatter that accepts TCP but never answers the
        Bolt handshake would otherwise block each probe for the driver's default 60 s.
        """
        return GraphDatabase.driver(
            self.uri, auth=None, connection_timeout=2.0, connection_acquisition_timeout=3.0
        )

    def _log_since_launch(self) -> str:
        """Console output of the latest attempt only (the log is appended across retries)."""
        try:
            with self.log_path.open("rb") as log:
                log.seek(self._log_offset)
                return log.read().decode("utf-8", errors="replace")
        except OSError:
            return ""

    def _failure(self, what: str) -> str:
        """Build an error message that says where the server was and what it last logged."""
        return f"{what} ({self.uri}, home {self.home}); log tail:\n{log_tail(self.log_path)}"

    def _stop_process(self) -> None:
        """Stop the JVM if running: SIGTERM, up to STOP_GRACE_S, then SIGKILL."""
        if self._proc is not None:
            stop_process(self._proc, STOP_GRACE_S)
            self._proc = None

    def stop(self) -> None:
        """Stop the server and delete the temp home if this object created it. Idempotent."""
        self._stop_process()
        atexit.unregister(self.stop)
        if self._own_home:
            shutil.rmtree(self.home, ignore_errors=True)

    @property
    def running(self) -> bool:
        """True while the JVM process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def __enter__(self) -> Neo4jServer:
        """Start on entry so ``with Neo4jServer() as server:`` yields a ready server."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Always stop, even when the block raised."""
        self.stop()


def main() -> int:
    """Assemble, start and print the URI; stop on Ctrl-C (developer convenience)."""
    started = time.monotonic()
    lib = assemble()
    print(f"jars: {lib} ({time.monotonic() - started:.1f} s)", flush=True)
    with Neo4jServer(lib_dir=lib) as server:
        print(f"neo4j {NEO4J_VERSION} up at {server.uri} (home {server.home}, "
              f"{time.monotonic() - started:.1f} s); Ctrl-C to stop", flush=True)  # fmt: skip
        try:
            while server.running:
                time.sleep(1.0)
        except KeyboardInterrupt:
            print("stopping", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
