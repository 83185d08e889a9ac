"""The `dossier` command. Commands parse arguments and call library functions only."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from dossier import commands, governance, linking
from dossier.output import OutputFormat
from dossier.settings import load_settings
from schemas.errors import DossierError

app = typer.Typer(
    help="Build analyst dossiers from real exports: ingest, link, graph, browse, query.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
graph_app = typer.Typer(help="Project the ledger into the graph.", no_args_is_help=True)
app.add_typer(graph_app, name="graph")
decide_app = typer.Typer(
    help="Analyst decisions on entity resolution: recorded in the ledger with who, when "
    "and why, applied at once, always overriding the model, undoable.",
    no_args_is_help=True,
)
app.add_typer(decide_app, name="decide")
Engine = Annotated[str, typer.Option(help="duckdb (one machine) or spark (DOSSIER_SPARK_MASTER).")]
Reason = Annotated[str, typer.Option(help="Why: shown wherever the decision applies.")]
First = Annotated[str, typer.Argument(help="Subject ref, Person / Account id or profile id.")]
Second = Annotated[str, typer.Argument(help="Another subject ref, Person / Account or profile id.")]
err = Console(stderr=True)


@app.callback()
def main(
    ctx: typer.Context,
    workspace: Annotated[
        Path | None, typer.Option(help="Workspace folder (env DOSSIER_WORKSPACE).")
    ] = None,
    graph: Annotated[
        str | None, typer.Option(help="Graph backend: embedded or neo4j (env DOSSIER_GRAPH).")
    ] = None,
) -> None:
    """Options common to all commands."""
    try:
        ctx.obj = load_settings().with_overrides(workspace=workspace, graph=graph)
    except DossierError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(exc.exit_code) from None


def _run(action: commands.Action) -> None:
    """Run a command; turn our errors into a message and the error's exit code."""
    try:
        code = action()
    except DossierError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(exc.exit_code) from None
    raise typer.Exit(code)


@app.command()
def generate(
    out: Annotated[Path, typer.Argument(help="Folder to write the scenario into.")],
    scale: Annotated[str, typer.Option(help="tiny, small or medium.")] = "tiny",
    seed: Annotated[int, typer.Option(help="Same seed, same files.")] = 7,
) -> None:
    """Write a synthetic scenario (CCTV, social, travel and message exports of one fictional
    population, in real formats) plus its ground truth."""
    _run(lambda: commands.generate(out, scale, seed))


@app.command()
def ingest(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of exports.")],
    owner: Annotated[
        str | None, typer.Option(help="Person whose device or account produced the export.")
    ] = None,
    assume_offset: Annotated[
        str | None,
        typer.Option(help="UTC offset such as +01:00 for times the source wrote without one."),
    ] = None,
    phone_region: Annotated[
        str | None,
        typer.Option(help="Region for national phone numbers, e.g. NL (env DOSSIER_PHONE_REGION)."),
    ] = None,
    mapping: Annotated[
        str | None,
        typer.Option(
            help="Mapping YAML for a plain table (CSV, JSON lines, Parquet), or the name of a "
            "shipped mapping: passenger_manifest, asterisk_cdr."
        ),
    ] = None,
    bodies: Annotated[
        bool | None,
        typer.Option(
            "--bodies/--no-bodies",
            help="Keep message bodies (default: metadata only; env DOSSIER_MESSAGE_BODIES).",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Processes reading files side by side (default: one per CPU when there "
            "is enough to read). The ledger is the same whatever the number.",
        ),
    ] = None,
) -> None:
    """Read exports into the ledger. Exit 0: all accepted; 3: some records quarantined;
    1: some files could not be read."""
    _run(
        lambda: commands.ingest(
            ctx.obj.with_overrides(phone_region=phone_region, message_bodies=bodies),
            paths,
            owner,
            assume_offset,
            mapping,
            workers,
        )
    )


@graph_app.command("load")
def graph_load(ctx: typer.Context) -> None:
    """Project ledger batches not yet in the graph (incremental, idempotent)."""
    _run(lambda: commands.graph_load(ctx.obj, rebuild=False))


@graph_app.command("rebuild")
def graph_rebuild(ctx: typer.Context) -> None:
    """Recreate the graph from the ledger alone."""
    _run(lambda: commands.graph_load(ctx.obj, rebuild=True))


@app.command()
def search(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="Part of a plate, camera, name or identifier.")],
    fmt: Annotated[OutputFormat, typer.Option("--format")] = "table",
) -> None:
    """Find entities by identifier or name."""
    _run(lambda: commands.search(ctx.obj, text, fmt))


@app.command()
def timeline(
    ctx: typer.Context,
    node_id: Annotated[str, typer.Argument(metavar="ID", help="Entity id (see `search`).")],
    fmt: Annotated[OutputFormat, typer.Option("--format")] = "table",
) -> None:
    """All events of an entity in time order, with their source."""
    _run(lambda: commands.timeline(ctx.obj, node_id, fmt))


@app.command("co-presence")
def co_presence(
    ctx: typer.Context,
    node_id: Annotated[str, typer.Argument(metavar="ID", help="Vehicle or person id.")],
    window: Annotated[int, typer.Option(help="Minutes either side of each sighting.")] = 10,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = "table",
) -> None:
    """Others seen at the same place within the window, with counts."""
    _run(lambda: commands.co_presence(ctx.obj, node_id, timedelta(minutes=window), fmt))


@app.command()
def associates(
    ctx: typer.Context,
    subject_id: Annotated[str, typer.Argument(metavar="ID", help="Subject id (see `search`).")],
    fmt: Annotated[OutputFormat, typer.Option("--format")] = "table",
) -> None:
    """Who a subject's records are in touch with (calls, messages, e-mails, posts)."""
    _run(lambda: commands.associates(ctx.obj, subject_id, fmt))


@app.command()
def query(
    ctx: typer.Context,
    cypher: Annotated[str, typer.Argument(help="Read-only Cypher.")],
    param: Annotated[
        list[str] | None, typer.Option("--param", help="Query parameter as key=value.")
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = "table",
) -> None:
    """Run read-only Cypher on the configured graph (writes, LOAD CSV and most procedures
    are refused; a time limit applies)."""
    _run(lambda: commands.query(ctx.obj, cypher, param or [], fmt))


@app.command("app")
def run_app(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(help="Local port.")] = 8501,
) -> None:
    """Start the analyst app on 127.0.0.1 and print its URL."""
    _run(lambda: commands.serve_app(ctx.obj, port))


@app.command()
def demo(
    ctx: typer.Context,
    scale: Annotated[str, typer.Option(help="Scenario size: tiny, small or medium.")] = "tiny",
    port: Annotated[int, typer.Option(help="Local port of the app.")] = 8501,
    serve: Annotated[bool, typer.Option(help="Start the app at the end.")] = True,
) -> None:
    """Generate a scenario, ingest it, load the graph and start the app."""
    _run(lambda: commands.demo(ctx.obj, scale, port, serve))


@app.command()
def status(ctx: typer.Context) -> None:
    """Ledger batches and graph counts of the workspace."""
    _run(lambda: commands.status(ctx.obj))


if __name__ == "__main__":
    sys.exit(app())


def _engine(value: str) -> linking.Engine:
    if value not in ("duckdb", "spark"):
        raise typer.BadParameter("--engine is duckdb or spark")
    return value  # type: ignore[return-value]


@app.command()
def resolve(
    ctx: typer.Context,
    records: Annotated[
        Path | None, typer.Option(help="Resolve this CSV of person records instead of the ledger.")
    ] = None,
    id_column: Annotated[
        str, typer.Option(help="With --records: the column of record ids.")
    ] = "id",
    out: Annotated[
        Path, typer.Option(help="With --records: where to write record_id,cluster_id.")
    ] = Path("clusters.csv"),
    column: Annotated[
        list[str] | None,
        typer.Option(
            help="With --records: FIELD=COLUMN, fields given_name, surname, full_name, "
            "date_of_birth, phone, email, document, postcode, city (default: same names)."
        ),
    ] = None,
    engine: Engine = "duckdb",
) -> None:
    """Link the records that describe one person into subjects with stable refs, then
    update the graph. With --records, resolve a CSV and write its clusters."""
    chosen = _engine(engine)
    if records is not None:
        _run(
            lambda: linking.resolve_records(ctx.obj, records, id_column, out, column or [], chosen)
        )
    _run(lambda: linking.resolve(ctx.obj, chosen))


@app.command()
def explain(ctx: typer.Context, a: First, b: Second) -> None:
    """Why two records or subjects are, or are not, one person: shared identifiers, each
    comparison with its match weight, the probability, or the analyst's decision."""
    _run(lambda: linking.explain_pair(ctx.obj, a, b))


@app.command()
def mentions(ctx: typer.Context) -> None:
    """Find who and what posts (and, with DOSSIER_MESSAGE_BODIES, messages) name; link the
    mentions to known entities; update the graph. A model: DOSSIER_SPACY_MODEL."""
    _run(lambda: linking.mentions(ctx.obj))


@app.command()
def purge(
    ctx: typer.Context,
    reason: Annotated[str, typer.Option(help="Why: the retention rule or order applied.")],
    before: Annotated[
        str | None, typer.Option(help="Purge records whose events all happened before this date.")
    ] = None,
    older_than: Annotated[
        int | None, typer.Option(help="Purge records whose events are all older than DAYS.")
    ] = None,
    event_type: Annotated[
        list[str] | None,
        typer.Option("--type", help="Only records with an event of this type (repeatable)."),
    ] = None,
) -> None:
    """Retention: delete old records from the ledger for good (their raw text, events and
    the entities only they named), then redo resolution and mentions and update the
    graph. Recorded in the ledger's purges.jsonl and the audit trail."""
    _run(lambda: governance.purge_records(ctx.obj, before, older_than, event_type or [], reason))


@decide_app.command("merge")
def decide_merge(ctx: typer.Context, a: First, b: Second, reason: Reason) -> None:
    """These are the same person: B joins A."""
    _run(lambda: linking.decide(ctx.obj, "merge", a, [b], reason))


@decide_app.command("separate")
def decide_separate(ctx: typer.Context, a: First, b: Second, reason: Reason) -> None:
    """These are not the same person: the model may never join them."""
    _run(lambda: linking.decide(ctx.obj, "separate", a, [b], reason))


@decide_app.command("split")
def decide_split(
    ctx: typer.Context,
    subject: Annotated[str, typer.Argument(help="The subject ref to split.")],
    records: Annotated[list[str], typer.Argument(help="Profiles or Person ids that leave it.")],
    reason: Reason,
) -> None:
    """Take these records out of a subject into a subject of their own."""
    _run(lambda: linking.decide(ctx.obj, "split", subject, records, reason))


@decide_app.command("undo")
def decide_undo(
    ctx: typer.Context,
    decision: Annotated[str, typer.Argument(help="The decision id (see `dossier decide list`).")],
    reason: Reason,
) -> None:
    """Withdraw a decision; the model's judgement applies again."""
    _run(lambda: linking.undo(ctx.obj, decision, reason))


@decide_app.command("list")
def decide_list(
    ctx: typer.Context, fmt: Annotated[OutputFormat, typer.Option("--format")] = "table"
) -> None:
    """Every decision, in force or undone."""
    _run(lambda: linking.list_decisions(ctx.obj, fmt))
