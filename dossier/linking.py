"""Commands of the linking stage: resolve, explain, analyst decisions, mentions.

Each decision is recorded in the ledger and then applied at once (a resolution run and
a graph load), so the dossier reflects it when the command returns.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from dossier.commands import console
from dossier.output import OutputFormat, print_rows
from dossier.settings import Settings
from dossier.workspace import Workspace
from graph.projection import project
from ingest.mentions import extract_mentions
from ingest.resolve import apply
from ingest.resolve.decisions import Decision, DecisionLog
from ingest.resolve.explain import ExplainError, explain
from ingest.resolve.records import resolve_records_csv
from ingest.resolve.run import ResolutionReport, resolve_ledger
from ingest.resolve.scoring import Engine


def resolve(settings: Settings, engine: Engine, load_graph: bool = True) -> int:
    workspace = Workspace(settings)
    report = resolve_ledger(workspace.ledger, engine)
    _print_resolution(report)
    workspace.audit("resolve", {"engine": engine, "subjects": report.subjects})
    if load_graph:
        update_graph(workspace)
    return 0


def _print_resolution(report: ResolutionReport) -> None:
    if report.unchanged:
        console.print(
            f"resolution unchanged: {report.profiles:,} profiles in {report.subjects:,} subjects "
            "(no new records or decisions since the last run)"
        )
        return
    kinds = Counter(c.kind for c in report.changes)
    summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "no changes"
    console.print(
        f"resolved {report.profiles:,} person profiles into {report.subjects:,} subjects: "
        f"{report.pairs:,} pairs scored, {report.linked:,} links ({report.seconds:.1f} s); "
        f"subjects: {summary}"
    )


def update_graph(workspace: Workspace) -> None:
    with workspace.graph() as store:
        report = project(workspace.ledger, store)
    console.print(f"graph updated: {report.batches} batches projected")


def resolve_records(
    settings: Settings,
    records: Path,
    id_column: str,
    out: Path,
    columns: list[str],
    engine: Engine,
) -> int:
    column_map = dict(_pair(c) for c in columns)
    report = resolve_records_csv(
        records, id_column, out, column_map, engine, phone_region=settings.phone_region
    )
    console.print(
        f"{records}: read {report.read:,} = accepted {report.accepted:,} + quarantined "
        f"{report.quarantined:,}; {report.clusters:,} clusters written to {report.out} "
        f"({report.seconds:.1f} s)"
    )
    if report.quarantined:
        console.print(f"quarantined records and reasons: {report.quarantine}")
    Workspace(settings).audit("resolve_records", {"file": str(records), "read": report.read})
    return 3 if report.quarantined else 0


def _pair(text: str) -> tuple[str, str]:
    field, sep, column = text.partition("=")
    if not sep or not field or not column:
        raise ExplainError(f"--column takes FIELD=COLUMN (e.g. given_name=first), not {text!r}")
    return field.strip(), column.strip()


def explain_pair(settings: Settings, a: str, b: str) -> int:
    workspace = Workspace(settings)
    explanation = explain(workspace.ledger, a, b)
    for line in explanation.lines():
        console.print(line, highlight=False, soft_wrap=True)
    workspace.audit("explain", {"a": a, "b": b})
    return 0


def decide(settings: Settings, kind: str, a: str, b: list[str], reason: str) -> int:
    """Record a merge, separate (not the same) or split, then apply it."""
    workspace = Workspace(settings)
    decision, report = apply.decide(workspace.ledger, kind, a, b, settings.analyst, reason)
    return _applied(workspace, decision, report)


def undo(settings: Settings, decision_id: str, reason: str) -> int:
    workspace = Workspace(settings)
    decision, report = apply.undo(workspace.ledger, decision_id, settings.analyst, reason)
    return _applied(workspace, decision, report)


def _applied(workspace: Workspace, decision: Decision, report: ResolutionReport) -> int:
    console.print(f"recorded {decision.describe()}", highlight=False, soft_wrap=True)
    workspace.audit("decide", {"decision": decision.id, "kind": decision.kind})
    _print_resolution(report)
    update_graph(workspace)
    return 0


def list_decisions(settings: Settings, fmt: OutputFormat = "table") -> int:
    log = DecisionLog(Workspace(settings).ledger.root)
    active = {d.id for d in log.active()}
    rows = [
        [d.id, d.kind, d.analyst, d.at, "yes" if d.id in active else "no", d.reason]
        for d in log.all()
    ]
    columns = ["id", "kind", "analyst", "at", "active", "reason"]
    print_rows(columns, rows, fmt, title="decisions")
    return 0


def mentions(settings: Settings, load_graph: bool = True) -> int:
    workspace = Workspace(settings)
    report = extract_mentions(workspace.ledger, settings.spacy_model, settings.message_bodies)
    verb = "unchanged" if report.unchanged else "extracted"
    console.print(
        f"mentions {verb}: {report.texts_with_mentions:,} of {report.texts_read:,} texts name "
        f"known or new entities; by label {dict(sorted(report.by_label.items()))}"
    )
    workspace.audit("mentions", {"model": settings.spacy_model or "rules+gazetteer"})
    if load_graph:
        update_graph(workspace)
    return 0
