"""The workspace folder and the objects built from settings: ledger, graph store, audit.

This is the composition root's factory: the only place a Neo4j driver or a Ladybug
database is created.
"""

from __future__ import annotations

import contextlib
import getpass
import json
from collections.abc import Iterator
from datetime import UTC, datetime

import neo4j

from dossier.settings import Settings
from graph.embedded import EmbeddedStore
from graph.neo4j_store import Neo4jStore
from graph.store import GraphStore
from ingest.ledger import Ledger
from schemas.errors import DossierError
from schemas.model import default_model


class GraphUnavailable(DossierError):
    exit_code = 69  # EX_UNAVAILABLE


class Workspace:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.workspace
        self.ledger = Ledger(self.root / "ledger")
        self.embedded_path = self.root / "graph" / "embedded.lbdb"
        self.audit_path = self.root / "audit.jsonl"

    @contextlib.contextmanager
    def graph(self, read_only: bool = False) -> Iterator[GraphStore]:
        """Open the configured graph store for the duration of a command; its reads keep
        to DOSSIER_QUERY_TIMEOUT."""
        with self._open_graph(read_only) as store:
            store.query_timeout_s = self.settings.query_timeout_s
            yield store

    @contextlib.contextmanager
    def _open_graph(self, read_only: bool) -> Iterator[GraphStore]:
        if self.settings.graph == "neo4j":
            with _neo4j_store(self.settings) as store:
                yield store
            return
        if read_only and not self.embedded_path.exists():
            raise GraphUnavailable(
                f"no embedded graph in {self.root}; run `dossier graph load` first"
            )
        store = EmbeddedStore(self.embedded_path, default_model(), read_only=read_only)
        try:
            yield store
        finally:
            store.close()

    def audit(self, action: str, details: dict[str, object]) -> None:
        """Append one line to the audit trail: who did what, when, with which inputs."""
        self.root.mkdir(parents=True, exist_ok=True)
        entry = {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "analyst": self.settings.analyst or getpass.getuser(),
            "backend": self.settings.graph,
            "action": action,
            **details,
        }
        with self.audit_path.open("a", encoding="utf-8") as fp:
            fp.write(json.dumps(entry, default=str, ensure_ascii=False) + "\n")


@contextlib.contextmanager
def _neo4j_store(settings: Settings) -> Iterator[GraphStore]:
    auth = (settings.neo4j_user, settings.neo4j_password) if settings.neo4j_password else None
    driver = neo4j.GraphDatabase.driver(
        settings.neo4j_uri, auth=auth, notifications_min_severity="OFF"
    )
    try:
        _check_reachable(driver, settings)
        yield Neo4jStore(driver, default_model(), settings.neo4j_database)
    finally:
        driver.close()


def _check_reachable(driver: neo4j.Driver, settings: Settings) -> None:
    """One query in the configured database proves the address, the credentials and the
    database at once; otherwise every later query would fail on its own. It runs once, in
    a session of its own: `execute_query` would retry an unreachable server for 30 s
    before the analyst heard what to check."""
    try:
        with driver.session(database=settings.neo4j_database) as session:
            session.run("RETURN 1").consume()
    except neo4j.exceptions.ClientError as exc:
        if "DatabaseNotFound" not in (exc.code or ""):
            raise _unreachable(settings, exc) from None
        raise GraphUnavailable(
            f"Neo4j at {settings.neo4j_uri} has no database {settings.neo4j_database!r}. "
            "Check DOSSIER_NEO4J_DATABASE (unset, the server's default database is used)."
        ) from None
    except Exception as exc:  # the driver raises several unrelated types here
        raise _unreachable(settings, exc) from None


def _unreachable(settings: Settings, exc: Exception) -> GraphUnavailable:
    return GraphUnavailable(
        f"cannot reach Neo4j at {settings.neo4j_uri}: {exc}. Check DOSSIER_NEO4J_URI, "
        "DOSSIER_NEO4J_USER and DOSSIER_NEO4J_PASSWORD, or use --graph embedded."
    )
