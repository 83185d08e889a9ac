"""The `dossier` command end to end on both backends, through the same entry point users run."""

from __future__ import annotations

import json
from pathlib import Path

import neo4j
import pytest
from typer.testing import CliRunner

from dossier.cli import app
from dossier.settings import load_settings
from dossier.workspace import Workspace
from graph.neo4j_store import Neo4jStore
from graph.store import QueryTimedOut, StoreUnreachable
from schemas.model import default_model
from tests.conftest import samples_dir
from tests.support.ports import free_port

runner = CliRunner()


def run(workspace: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["--workspace", str(workspace), *args], env=env)
    return result.exit_code, result.output


def json_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


@pytest.fixture(params=["embedded", "neo4j"])
def backend_env(request: pytest.FixtureRequest) -> dict[str, str]:
    if request.param == "embedded":
        return {"DOSSIER_GRAPH": "embedded"}
    store = request.getfixturevalue("neo4j_store")  # a clean database on the test server
    uri = request.getfixturevalue("neo4j_uri")
    assert store is not None
    return {"DOSSIER_GRAPH": "neo4j", "DOSSIER_NEO4J_URI": uri, "DOSSIER_NEO4J_PASSWORD": ""}


def test_ingest_load_search_timeline_query(tmp_path: Path, backend_env: dict[str, str]) -> None:
    code, out = run(tmp_path, "ingest", str(samples_dir() / "cctv"), env=backend_env)
    assert code == 0, out
    assert "read 51 = accepted 51 + quarantined 0" in out
    code, out = run(tmp_path, "ingest", str(samples_dir() / "cctv"), env=backend_env)
    assert code == 0 and "unchanged" in out
    code, out = run(tmp_path, "graph", "load", env=backend_env)
    assert code == 0, out
    code, out = run(tmp_path, "search", "pect600", "--format", "json", env=backend_env)
    [vehicle] = json_lines(out)
    assert vehicle["type"] == "Vehicle"
    code, out = run(tmp_path, "timeline", vehicle["id"], "--format", "json", env=backend_env)
    [event] = json_lines(out)
    assert event["time"].startswith("2024-01-19T03:17:19")
    code, out = run(
        tmp_path,
        "query",
        "MATCH (s:Sighting)-[:AT]->(p:Place) WHERE s.label = $label RETURN count(s) AS n",
        "--param",
        "label=person",
        "--format",
        "csv",
        env=backend_env,
    )
    assert code == 0 and out.splitlines()[:2] == ["n", "50"], out


def test_query_refuses_writes_with_exit_77(tmp_path: Path, backend_env: dict[str, str]) -> None:
    run(tmp_path, "ingest", str(samples_dir() / "cctv"), env=backend_env)
    run(tmp_path, "graph", "load", env=backend_env)
    code, out = run(tmp_path, "query", "MATCH (n) DETACH DELETE n", env=backend_env)
    assert code == 77 and "query refused" in out
    code, out = run(
        tmp_path, "query", "LOAD CSV FROM 'file:///etc/hosts' AS r RETURN r", env=backend_env
    )
    assert code == 77
    audit = (tmp_path / "audit.jsonl").read_text().splitlines()
    assert any('"action": "query"' in line and "DETACH DELETE" in line for line in audit)


def test_rebuild_recreates_the_same_graph(tmp_path: Path, backend_env: dict[str, str]) -> None:
    run(tmp_path, "ingest", str(samples_dir() / "cctv"), env=backend_env)
    run(tmp_path, "graph", "load", env=backend_env)
    count = "MATCH (n) RETURN count(n) AS n"
    _, before = run(tmp_path, "query", count, "--format", "json", env=backend_env)
    code, out = run(tmp_path, "graph", "rebuild", env=backend_env)
    assert code == 0, out
    _, after = run(tmp_path, "query", count, "--format", "json", env=backend_env)
    assert json_lines(before) == json_lines(after) and json_lines(after)[0]["n"] > 50


def test_exit_codes_for_bad_input(tmp_path: Path) -> None:
    code, out = run(tmp_path, "ingest", str(tmp_path / "nope.json"))
    assert code == 1 and "no such file" in out
    events = json.loads((samples_dir() / "cctv" / "frigate_api_events_front_door.json").read_text())
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps([events[0], dict(events[1], start_time=None)]))
    code, out = run(tmp_path, "ingest", str(partial))
    assert code == 3 and "quarantined 1" in out
    code, out = run(tmp_path, "ingest", str(partial), "--assume-offset", "CET")
    assert code == 78 and "+01:00" in out
    code, out = run(tmp_path, "timeline", "vehicle-0000")
    assert code in (66, 69)


def test_demo_runs_the_main_job_without_serving(tmp_path: Path) -> None:
    code, out = run(tmp_path, "demo", "--no-serve")
    assert code == 0, out
    code, out = run(tmp_path, "status")
    assert code == 0 and "Sighting" in out
    code, out = run(
        tmp_path, "query", "MATCH (s:Sighting) RETURN count(s) AS n", "--format", "json"
    )
    assert json_lines(out)[0]["n"] > 1000
    code, out = run(
        tmp_path,
        "query",
        "MATCH (s:Subject) WHERE s.records > 5 RETURN count(s) AS n",
        "--format",
        "json",
    )
    assert json_lines(out)[0]["n"] >= 5  # the demo resolved people across sources


def test_bad_settings_are_clear_errors(tmp_path: Path) -> None:
    code, out = run(tmp_path, "status", env={"DOSSIER_GRAPH": "mongo"})
    assert code == 78 and "embedded or neo4j" in out
    code, out = run(tmp_path, "ingest", "x", "--phone-region", "Netherlands")
    assert code == 78 and "two-letter region" in out
    code, out = run(tmp_path, "status", env={"DOSSIER_MESSAGE_BODIES": "maybe"})
    assert code == 78 and "1 or 0" in out


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mapping"


def test_ingest_with_shipped_mappings(tmp_path: Path) -> None:
    code, out = run(
        tmp_path,
        "ingest",
        str(FIXTURES / "passenger_manifest.csv"),
        "--mapping",
        "passenger_manifest",
    )
    assert code == 3 and "read 12 = accepted 9 + quarantined 3" in out, out
    code, out = run(
        tmp_path,
        "ingest",
        str(FIXTURES / "Master.csv"),
        "--mapping",
        "asterisk_cdr",
        "--phone-region",
        "NL",
    )
    assert code == 3 and "read 12 = accepted 9 + quarantined 3" in out, out
    run(tmp_path, "graph", "load")
    code, out = run(tmp_path, "query", "MATCH (t:Trip) RETURN count(t) AS n", "--format", "json")
    assert json_lines(out)[0]["n"] > 0
    code, out = run(
        tmp_path, "query", "MATCH (c:Communication) RETURN count(c) AS n", "--format", "json"
    )
    assert json_lines(out)[0]["n"] > 0


def test_broken_mapping_is_reported_with_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nformat: csv\nkey: [a]\nevents:\n  e:\n    type: Voyage\n")
    code, out = run(tmp_path, "ingest", str(FIXTURES / "Master.csv"), "--mapping", str(broken))
    assert code == 78 and "broken.yaml:6" in out
    code, out = run(tmp_path, "ingest", str(FIXTURES / "Master.csv"), "--mapping", "no_such_map")
    assert code == 78 and "passenger_manifest" in out


def test_every_shared_sample_ingests_and_projects(
    tmp_path: Path, backend_env: dict[str, str]
) -> None:
    kinds = [str(samples_dir() / kind) for kind in ("cctv", "social", "travel", "messages")]
    # Two worker processes read the files; the owner option travels with each file.
    code, out = run(
        tmp_path, "ingest", *kinds, "--owner", "Sample Owner", "--workers", "2", env=backend_env
    )
    assert code == 0, out
    assert "9 files: read 208 = accepted 208 + quarantined 0" in out
    code, out = run(tmp_path, "graph", "load", env=backend_env)
    assert code == 0, out
    for label in ("Sighting", "Post", "LocationFix", "Communication", "Account", "Phone"):
        code, out = run(
            tmp_path,
            "query",
            f"MATCH (n:{label}) RETURN count(n) AS n",
            "--format",
            "json",
            env=backend_env,
        )
        assert json_lines(out) and json_lines(out)[0]["n"] > 0, (label, out)
    code, out = run(tmp_path, "search", "sample owner", "--format", "json", env=backend_env)
    [owner] = json_lines(out)
    code, out = run(tmp_path, "timeline", owner["id"], "--format", "json", env=backend_env)
    assert len(json_lines(out)) >= 12 + 104  # the Google fixes and the GPX track


def test_resolve_explain_decide_undo(tmp_path: Path, backend_env: dict[str, str]) -> None:
    messages = samples_dir() / "messages"
    code, out = run(tmp_path, "ingest", str(messages), "--owner", "Sam Owner", env=backend_env)
    assert code in (0, 3), out
    code, out = run(tmp_path, "resolve", env=backend_env)
    assert code == 0 and "person profiles into" in out, out
    code, out = run(tmp_path, "resolve", env=backend_env)
    assert code == 0 and "resolution unchanged" in out
    code, out = run(
        tmp_path,
        "query",
        "MATCH (p:Person)-[r:RESOLVED_AS]->(s:Subject) "
        "WHERE p.name = 'Sam Owner' RETURN s.ref AS ref, s.records AS n",
        "--format",
        "json",
        env=backend_env,
    )
    owner = json_lines(out)
    assert owner and all(row["n"] >= 1 for row in owner)
    refs = sorted({row["ref"] for row in owner})
    _the_owners_dossier(tmp_path, backend_env)
    code, out = run(
        tmp_path,
        "query",
        "MATCH (s:Subject) RETURN s.ref AS ref ORDER BY ref",
        "--format",
        "json",
        env=backend_env,
    )
    other = next(row for row in json_lines(out) if row["ref"] not in refs)
    code, out = run(tmp_path, "explain", refs[0], other["ref"], env=backend_env)
    assert code == 0 and "different subjects" in out, out
    code, out = run(
        tmp_path,
        "decide",
        "merge",
        refs[0],
        other["ref"],
        "--reason",
        "same handset IMEI",
        env=backend_env,
    )
    assert code == 0 and "recorded decision-" in out, out
    decision = out.split("recorded ")[1].split(":")[0]
    code, out = run(tmp_path, "explain", refs[0], other["ref"], env=backend_env)
    assert "the same subject" in out and decision in out, out
    code, out = run(
        tmp_path, "decide", "undo", decision, "--reason", "IMEI misread", env=backend_env
    )
    assert code == 0, out
    code, out = run(tmp_path, "explain", refs[0], other["ref"], env=backend_env)
    assert "different subjects" in out, out
    code, out = run(tmp_path, "decide", "list", "--format", "json", env=backend_env)
    listed = {row["id"]: row for row in json_lines(out)}
    assert listed[decision]["active"] == "no" and listed[decision]["kind"] == "merge"
    assert any(row["reason"] == "IMEI misread" for row in listed.values())
    code, out = run(tmp_path, "decide", "merge", refs[0], other["ref"], "--reason", " ")
    assert code == 65 and "reason" in out
    code, out = run(tmp_path, "explain", "nobody", other["ref"], env=backend_env)
    assert code == 66 and "dossier search" in out


def _the_owners_dossier(tmp_path: Path, backend_env: dict[str, str]) -> None:
    """Sam Owner's subject holds every message of Sam's backups and mailbox, and the
    people they were with."""
    cypher = (
        "MATCH (p:Person {name: 'Sam Owner'})-[:RESOLVED_AS]->(s:Subject) "
        "RETURN DISTINCT s.id AS id ORDER BY id"
    )
    code, out = run(tmp_path, "query", cypher, "--format", "json", env=backend_env)
    subject = json_lines(out)[0]["id"]
    code, out = run(tmp_path, "timeline", subject, "--format", "json", env=backend_env)
    kept = [row for row in json_lines(out) if "KEPT_BY" in row["role"].split("; ")]
    assert code == 0 and len(kept) >= 12, out  # at least the SMS sample's twelve
    code, out = run(tmp_path, "associates", subject, "--format", "json", env=backend_env)
    found = json_lines(out)
    assert code == 0 and found and all(row["events"] >= 1 for row in found), out
    code, out = run(tmp_path, "associates", "phone-0123", env=backend_env)
    assert code == 65 and "not a subject" in out


@pytest.mark.neo4j
def test_a_missing_neo4j_database_names_the_setting(tmp_path: Path, neo4j_uri: str) -> None:
    env = {
        "DOSSIER_GRAPH": "neo4j",
        "DOSSIER_NEO4J_URI": neo4j_uri,
        "DOSSIER_NEO4J_PASSWORD": "",
        "DOSSIER_NEO4J_DATABASE": "casefiles",
    }
    code, out = run(tmp_path, "search", "pect600", env=env)
    assert code == 69 and "no database 'casefiles'" in out and "DOSSIER_NEO4J_DATABASE" in out


def test_an_unanswering_neo4j_is_a_clear_error() -> None:
    # The server went away after the command opened its store: a read or write ends in a
    # DossierError with exit code 69, not the driver's traceback. Nothing listens on
    # the free loopback port.
    driver = neo4j.GraphDatabase.driver(
        f"bolt://127.0.0.1:{free_port()}", auth=None, connection_acquisition_timeout=2
    )
    store = Neo4jStore(driver, default_model())
    try:
        with pytest.raises(StoreUnreachable) as caught:
            store.read("RETURN 1")
        with pytest.raises(StoreUnreachable):
            store.clear()  # writes go through the same session
    finally:
        driver.close()
    assert caught.value.exit_code == 69 and "stopped answering" in str(caught.value)


def test_every_read_keeps_to_the_query_timeout(tmp_path: Path, backend_env: dict[str, str]) -> None:
    # DOSSIER_QUERY_TIMEOUT binds the store itself, so the named queries of the CLI and
    # the app keep to it as `dossier query` does, on either backend.
    env = {**backend_env, "DOSSIER_QUERY_TIMEOUT": "0.5"}
    run(tmp_path, "ingest", str(samples_dir() / "cctv"), env=env)
    run(tmp_path, "graph", "load", env=env)
    settings = load_settings({**env, "DOSSIER_WORKSPACE": str(tmp_path)})
    heavy = (  # enumerated, not counted from the table sizes: it cannot finish in time
        "MATCH (a:Sighting), (b:Sighting), (c:Sighting), (d:Sighting), (e:Sighting), "
        "(f:Sighting) WHERE (a.id + b.id + c.id + d.id + e.id + f.id) CONTAINS 'never' "
        "RETURN count(*)"
    )
    with Workspace(settings).graph(read_only=True) as store:
        assert store.query_timeout_s == 0.5
        with pytest.raises(QueryTimedOut, match=r"0\.5 s"):
            store.read(heavy)
    code, out = run(tmp_path, "query", heavy, env=env)
    assert code == QueryTimedOut.exit_code and "DOSSIER_QUERY_TIMEOUT" in out


def test_purge_deletes_old_records_and_says_so_on_reingest(tmp_path: Path) -> None:
    cctv = str(samples_dir() / "cctv")
    assert run(tmp_path, "ingest", cctv)[0] == 0
    assert run(tmp_path, "graph", "load")[0] == 0
    code, out = run(
        tmp_path, "purge", "--before", "2100-01-01", "--type", "Sighting", "--reason", "test"
    )
    assert code == 0 and "purged 51 records from 2 batches" in out, out
    code, out = run(tmp_path, "query", "MATCH (s:Sighting) RETURN count(s) AS n", "--format", "csv")
    assert out.splitlines()[:2] == ["n", "0"], out
    code, out = run(tmp_path, "ingest", cctv)
    assert code == 0 and "read 51 = accepted 0 + quarantined 0 + purged 51" in out, out
    audit = (tmp_path / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    assert any(json.loads(line)["action"] == "purge" for line in audit)
    code, out = run(tmp_path, "purge", "--older-than", "1", "--reason", "again")
    assert code == 0 and "nothing to purge" in out, out


@pytest.mark.parametrize(
    "options",
    [
        ["--reason", "r"],
        ["--before", "2024-01-01", "--older-than", "3", "--reason", "r"],
        ["--before", "last tuesday", "--reason", "r"],
        ["--older-than", "-1", "--reason", "r"],
        ["--before", "2024-01-01", "--type", "Selfie", "--reason", "r"],
    ],
)
def test_purge_options_it_cannot_apply_exit_78(tmp_path: Path, options: list[str]) -> None:
    code, out = run(tmp_path, "purge", *options)
    assert code == 78 and "error:" in out, out
