"""Settings are read once, typed, and bad values are refused with the variable's name."""

from __future__ import annotations

from pathlib import Path

import pytest

from dossier.settings import Settings, SettingsError, load_settings, to_env


def test_defaults_and_overrides() -> None:
    settings = load_settings({})
    assert settings == Settings(analyst=settings.analyst)
    assert settings.with_overrides(graph="neo4j", workspace=None).graph == "neo4j"


def test_environment_is_read_and_round_trips() -> None:
    env = {
        "DOSSIER_WORKSPACE": "/tmp/ws",
        "DOSSIER_GRAPH": "neo4j",
        "DOSSIER_NEO4J_URI": "bolt://127.0.0.1:7999",
        "DOSSIER_QUERY_TIMEOUT": "2.5",
        "DOSSIER_PHONE_REGION": "nl",
        "DOSSIER_MESSAGE_BODIES": "1",
        "DOSSIER_ANALYST": "ana",
    }
    settings = load_settings(env)
    assert settings.workspace == Path("/tmp/ws") and settings.query_timeout_s == 2.5
    assert settings.phone_region == "NL" and settings.message_bodies is True
    assert load_settings(to_env(settings)) == settings


@pytest.mark.parametrize(
    ("name", "value"),
    [("DOSSIER_GRAPH", "sqlite"), ("DOSSIER_QUERY_TIMEOUT", "-1"), ("DOSSIER_QUERY_TIMEOUT", "x")],
)
def test_bad_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError):
        load_settings({name: value})
