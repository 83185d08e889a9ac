"""Commands of governance: retention purges.

A purge takes old records out of the ledger for good, then brings what was derived from
the ledger (resolution, mentions) and the graph up to date, so the dossier no longer
shows them when the command returns.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dossier.commands import console
from dossier.linking import update_graph
from dossier.settings import Settings
from dossier.workspace import Workspace
from ingest.mentions import extract_mentions
from ingest.mentions.extract import KIND as MENTIONS
from ingest.resolve.run import KIND as RESOLUTION
from ingest.resolve.run import resolve_ledger
from ingest.retention import PurgeReport, RetentionError, purge


def cutoff_of(before: str | None, older_than_days: int | None) -> datetime:
    """The cut-off from exactly one of a date (time) or an age in days."""
    if (before is None) == (older_than_days is None):
        raise RetentionError("give exactly one of --before DATE and --older-than DAYS")
    if older_than_days is not None:
        if older_than_days < 0:
            raise RetentionError(f"--older-than {older_than_days}: days cannot be negative")
        return datetime.now(UTC) - timedelta(days=older_than_days)
    try:
        moment = datetime.fromisoformat(str(before))
    except ValueError:
        raise RetentionError(
            f"--before {before!r} is not a date; write 2026-01-31 or 2026-01-31T12:00+01:00"
        ) from None
    # A date without a zone is read as UTC, the zone the ledger keeps times in.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def purge_records(
    settings: Settings,
    before: str | None,
    older_than_days: int | None,
    types: list[str],
    reason: str,
    load_graph: bool = True,
) -> int:
    workspace = Workspace(settings)
    ledger = workspace.ledger
    cutoff = cutoff_of(before, older_than_days)
    derived = {m.supersedes for m in ledger.batches() if m.supersedes}
    report = purge(ledger, cutoff, types or None, reason, settings.analyst)
    _print_purge(report)
    workspace.audit(
        "purge",
        {
            "purge": report.purge_id,
            "before": cutoff.isoformat(),
            "types": types,
            "records": report.records,
            "reason": reason,
        },
    )
    if not report.records:
        return 0
    # Subjects and mentions were computed from records that are gone: compute them again.
    if RESOLUTION in derived:
        resolve_ledger(ledger)
    if MENTIONS in derived:
        extract_mentions(ledger, settings.spacy_model, settings.message_bodies)
    if load_graph:
        update_graph(workspace)
    return 0


def _print_purge(report: PurgeReport) -> None:
    when = report.cutoff.isoformat(timespec="seconds")
    if not report.records:
        console.print(f"nothing to purge: no records with all their events before {when}")
        return
    events = ", ".join(f"{n:,} {t}" for t, n in sorted(report.events.items()))
    console.print(
        f"purged {report.records:,} records from {report.batches:,} batches "
        f"(events before {when}: {events}); purge {report.purge_id}"
    )
