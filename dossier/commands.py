"""What each CLI command does, as plain functions returning an exit code.

They compose library calls (ingest, graph, dashboards) with the workspace, print
results and progress, and write the audit trail; the CLI module only parses arguments.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

import dashboards
from dossier.output import OutputFormat, print_rows
from dossier.settings import Settings, SettingsError, to_env
from dossier.workspace import Workspace
from graph import associates as touch
from graph import queries
from graph.guard import check_read_only
from graph.projection import project
from graph.store import GraphStore
from ingest.connectors.base import ReadOptions
from ingest.ledger import Ledger
from ingest.mapping import mapping_factory, shipped_mapping
from ingest.pipeline import FileReport, choose_connector, ingest_paths
from ingest.scenario import SCALES
from ingest.scenario import generate as generate_scenario
from schemas.errors import DossierError

Action = Callable[[], int]
console = Console(stderr=True)
EXIT_PARTIAL = 3  # ingest: some records quarantined (the rest are in the ledger)
STREAMLIT_MAIN = Path(__file__).with_name("streamlit_main.py")
# Streamlit reads .streamlit/config.toml from its working directory.
APP_DIR = Path(dashboards.__file__).parent


class OutputExists(DossierError):
    exit_code = 73  # EX_CANTCREAT


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,.0f}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


def generate(out: Path, scale: str, seed: int) -> int:
    if scale not in SCALES:
        raise SettingsError(f"--scale must be one of {', '.join(SCALES)}, not {scale!r}")
    try:
        with _progress() as progress:
            task = progress.add_task("detections written", total=None)
            summary = generate_scenario(out, scale, seed, lambda n: progress.advance(task, n))
    except FileExistsError as exc:
        raise OutputExists(str(exc)) from None
    console.print(
        f"wrote {summary.detections:,} detections ({scale}, seed {seed}) to {out}; "
        f"ground truth in {out / 'ground_truth.json'}"
    )
    return 0


def parse_offset(text: str | None) -> timedelta | None:
    if text is None:
        return None
    match = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", text.strip())
    if not match or int(match.group(2)) > 14 or int(match.group(3)) > 59:
        raise SettingsError(f"--assume-offset must look like +01:00 or -0530, not {text!r}")
    sign = -1 if match.group(1) == "-" else 1
    return sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))


def _mapping_path(mapping: str) -> Path:
    """A mapping file, or the name of one shipped with dossier."""
    path = Path(mapping)
    return path if path.suffix in (".yaml", ".yml") or path.exists() else shipped_mapping(mapping)


def ingest(
    settings: Settings,
    paths: list[Path],
    owner: str | None,
    assume_offset: str | None,
    mapping: str | None = None,
    workers: int | None = None,
) -> int:
    workspace = Workspace(settings)
    connector_for = mapping_factory(_mapping_path(mapping)) if mapping else choose_connector
    options = ReadOptions(
        assume_offset=parse_offset(assume_offset),
        owner=owner,
        phone_region=settings.phone_region,
        include_bodies=settings.message_bodies,
    )
    with _progress() as progress:
        task = progress.add_task("records read", total=None)
        reports = ingest_paths(
            paths,
            workspace.ledger,
            options,
            lambda n: progress.advance(task, n),
            connector_for,
            workers,
        )
    _print_ingest(reports, workspace.ledger)
    workspace.audit(
        "ingest", {"paths": [str(p) for p in paths], "files": len(reports), "mapping": mapping}
    )
    if any(r.status == "failed" for r in reports):
        return 1
    return EXIT_PARTIAL if any(r.quarantined for r in reports if r.status != "unchanged") else 0


def _print_ingest(reports: list[FileReport], ledger: Ledger) -> None:
    # Purged records are shown only where a retention purge took some: read = accepted
    # + quarantined (+ purged) holds on every row.
    purged = any(r.purged for r in reports)
    columns = ["file", "status", "connector", "read", "accepted", "quarantined"]
    rows: list[list[object]] = [
        [r.path.name, r.status, r.connector, r.read, r.accepted, r.quarantined] for r in reports
    ]
    if purged:
        columns.append("purged")
        for row, report in zip(rows, reports, strict=True):
            row.append(report.purged)
    print_rows(columns, rows, "table", title="ingest")
    for hint in dict.fromkeys(r.hint for r in reports if r.hint):
        console.print(hint, highlight=False, soft_wrap=True)
    for report in reports:
        if report.status == "failed":
            console.print(f"[red]error:[/red] {report.message}", highlight=False, soft_wrap=True)
        elif report.quarantined and report.status != "unchanged":
            where = ledger.quarantine_path(report.batch_id)
            console.print(
                f"{report.path}: {report.quarantined} quarantined, reasons in {where}",
                highlight=False,
                soft_wrap=True,
            )
        elif report.message:
            console.print(f"{report.path}: {report.message}", highlight=False, soft_wrap=True)
    kinds = ("read", "accepted", "quarantined", "purged")
    totals = [sum(getattr(r, k) for r in reports) for k in kinds]
    gone = f" + purged {totals[3]:,}" if purged else ""
    console.print(
        f"{len(reports)} files: read {totals[0]:,} = accepted {totals[1]:,} "
        f"+ quarantined {totals[2]:,}{gone}"
    )


def graph_load(settings: Settings, rebuild: bool) -> int:
    workspace = Workspace(settings)
    with workspace.graph() as store, _progress() as progress:
        task = progress.add_task("rows projected", total=None)
        report = project(workspace.ledger, store, rebuild, lambda n: progress.advance(task, n))
    verb = "rebuilt" if rebuild else "loaded"
    console.print(
        f"{verb} {settings.graph} graph: {report.batches} batches, {report.nodes:,} node rows, "
        f"{report.edges:,} edge rows ({report.skipped} batches already present)"
    )
    workspace.audit("graph_rebuild" if rebuild else "graph_load", {"batches": report.batches})
    return 0


def _view(
    settings: Settings,
    audit: tuple[str, dict[str, Any]],
    fetch: Callable[[GraphStore], list[dict[str, Any]]],
    columns: list[str],
    fmt: OutputFormat,
) -> int:
    """Run a named query read-only, record the view in the audit trail, print the rows."""
    workspace = Workspace(settings)
    with workspace.graph(read_only=True) as store:
        rows = fetch(store)
    action, details = audit
    workspace.audit(action, {**details, "rows": len(rows)})
    print_rows(columns, [[row[c] for c in columns] for row in rows], fmt)
    return 0


def search(settings: Settings, text: str, fmt: OutputFormat) -> int:
    return _view(
        settings,
        ("search", {"text": text}),
        lambda store: queries.find_entities(store, text),
        ["id", "type", "caption"],
        fmt,
    )


def timeline(settings: Settings, node_id: str, fmt: OutputFormat) -> int:
    return _view(
        settings,
        ("view_timeline", {"id": node_id}),
        lambda store: queries.timeline(store, node_id),
        ["time", "kind", "caption", "role", "via", "place", "confidence", "record_id"],
        fmt,
    )


def co_presence(settings: Settings, node_id: str, window: timedelta, fmt: OutputFormat) -> int:
    return _view(
        settings,
        ("co_presence", {"id": node_id, "window_s": window.total_seconds()}),
        lambda store: queries.co_presence(store, node_id, window),
        ["id", "type", "caption", "times", "places", "first", "last"],
        fmt,
    )


def associates(settings: Settings, subject_id: str, fmt: OutputFormat) -> int:
    return _view(
        settings,
        ("view_associates", {"id": subject_id}),
        lambda store: touch.associates(store, subject_id),
        ["id", "type", "caption", "events", "ways", "first", "last", "through"],
        fmt,
    )


def parse_params(pairs: list[str]) -> dict[str, Any]:
    """key=value pairs; values that look like integers or numbers become numbers."""
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.isidentifier():
            raise SettingsError(f"--param must be key=value, not {pair!r}")
        params[key] = _number_or_text(value)
    return params


def _number_or_text(value: str) -> Any:
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            continue
    return value


def query(settings: Settings, cypher: str, pairs: list[str], fmt: OutputFormat) -> int:
    workspace = Workspace(settings)
    params = parse_params(pairs)
    workspace.audit("query", {"cypher": cypher, "params": params})
    check_read_only(cypher)
    with workspace.graph(read_only=True) as store:
        result = store.read(cypher, params)  # within DOSSIER_QUERY_TIMEOUT
    print_rows(result.columns, result.rows, fmt)
    return 0


def serve_app(settings: Settings, port: int) -> int:
    """Run Streamlit in the foreground, bound to loopback, with usage statistics off."""
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(STREAMLIT_MAIN),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--global.developmentMode",
        "false",
    ]
    console.print(f"dossier app: http://127.0.0.1:{port}/  (Ctrl-C to stop)")
    env = {**os.environ, **to_env(settings)}
    return subprocess.call(command, env=env, cwd=APP_DIR)


# Scenario folders read by sniffing, and those that are plain tables needing a mapping.
SCENARIO_SNIFFED = (
    "cctv",
    "social",
    "travel/google",
    "travel/gpx",
    "messages/sms",
    "messages/mail",
)
SCENARIO_MAPPED = (("travel/manifests", "passenger_manifest"), ("messages/cdr", "asterisk_cdr"))


def _ingest_scenario(settings: Settings, scenario: Path) -> None:
    """Every source of the generated scenario. Its phones are Dutch, written partly in
    national form, hence the region; personal exports stay one unnamed owner per file."""
    sniffed = [scenario / kind for kind in SCENARIO_SNIFFED if (scenario / kind).exists()]
    ingest(settings, sniffed, owner=None, assume_offset=None)
    for folder, mapping in SCENARIO_MAPPED:
        if (scenario / folder).exists():
            ingest(settings, [scenario / folder], None, None, mapping)


def demo(settings: Settings, scale: str, port: int, serve: bool) -> int:
    scenario = settings.workspace / "scenario"
    if (scenario / "ground_truth.json").exists():
        console.print(f"reusing the scenario in {scenario} (delete it to generate anew)")
    else:
        generate(scenario, scale, seed=7)
    _ingest_scenario(replace(settings, phone_region=settings.phone_region or "NL"), scenario)
    from dossier import linking  # the linking stage imports spaCy and Splink: load on use

    linking.resolve(settings, "duckdb", load_graph=False)
    linking.mentions(settings, load_graph=False)
    graph_load(settings, rebuild=False)
    console.print(
        "try: dossier query 'MATCH (v:Vehicle) RETURN v.plate LIMIT 5'  ·  dossier search PLATE"
    )
    return serve_app(settings, port) if serve else 0


def status(settings: Settings) -> int:
    workspace = Workspace(settings)
    batches = workspace.ledger.batches()
    columns = ["seq", "batch", "connector", "read", "accepted", "quarantined", "purged", "source"]
    rows = [
        [m.seq, m.batch_id, m.connector, m.read, m.accepted, m.quarantined, m.purged, m.source_path]
        for m in batches
    ]
    print_rows(columns, rows, "table", title=f"ledger: {workspace.ledger.root}")
    with workspace.graph(read_only=True) as store:
        counts = store.counts()
    print_rows(["label", "nodes"], sorted(counts.items()), "table", title=f"{settings.graph} graph")
    return 0
