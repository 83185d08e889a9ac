"""Ingest: files in, ledger batches out, with a report per file.

Decides per file whether it is new, unchanged (same content already in the ledger) or
changed (same path, new content), picks the connector by sniffing the content, and
writes one batch. Problems with a whole file become a failed report, never a crash of
the run, so one bad file in a folder does not stop the others.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ingest.connectors.base import SNIFF_BYTES, Connector, ReadOptions
from ingest.connectors.registry import CONNECTORS
from ingest.errors import UnknownFormat, UnreadableSource
from ingest.ledger import BatchManifest, Ledger, SourceFile
from ingest.records import Rejected, SourceRecord

Status = Literal["ingested", "unchanged", "changed", "failed"]


@dataclass(frozen=True)
class FileReport:
    path: Path
    status: Status
    connector: str = ""
    read: int = 0
    accepted: int = 0
    quarantined: int = 0
    batch_id: str = ""
    message: str = ""
    hint: str = ""  # what to do, shared by many reports (printed once)


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, plus every file under named folders, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and _visible(p)))
        else:
            found.append(path)
    return found


def _visible(path: Path) -> bool:
    return not any(part.startswith(".") for part in path.parts[-1:])


def describe_source(path: Path) -> SourceFile:
    """Hash a file; unreadable paths raise with what to check."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fp:
            size = 0
            while chunk := fp.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
    except FileNotFoundError:
        raise UnreadableSource(path, "no such file; check the path") from None
    except IsADirectoryError:
        raise UnreadableSource(path, "is a folder") from None
    except PermissionError:
        raise UnreadableSource(path, "permission denied; check the file's owner and mode") from None
    except OSError as exc:
        raise UnreadableSource(path, exc.strerror or str(exc)) from None
    return SourceFile(path, digest.hexdigest(), size)


def choose_connector(path: Path, options: ReadOptions) -> Connector:
    """Pick the connector from the file's first bytes, not its name."""
    with path.open("rb") as fp:
        head = fp.read(SNIFF_BYTES)
    for connector in CONNECTORS:
        if connector.sniff(head):
            return connector(options=options)
    raise UnknownFormat(path, [c.title for c in CONNECTORS])


ConnectorFactory = Callable[[Path, ReadOptions], Connector]


def ingest_file(
    path: Path,
    ledger: Ledger,
    options: ReadOptions,
    on_record: Callable[[], None] | None = None,
    connector_for: ConnectorFactory = choose_connector,
) -> FileReport:
    """Ingest one file; `connector_for` is sniffing by default, or a mapping's connector."""
    try:
        source = describe_source(path)
        connector = connector_for(path, options)
    except UnknownFormat as exc:
        return FileReport(path, "failed", message=str(exc), hint=exc.hint)
    except UnreadableSource as exc:
        return FileReport(path, "failed", message=str(exc))
    existing = ledger.find(source, connector.name, connector.version)
    if existing is not None:
        return _report(path, "unchanged", existing, "already in the ledger; nothing changed")
    previous = ledger.previous_versions(source)
    items = _counting(connector.read(path), on_record)
    manifest = ledger.write_batch(source, connector.name, connector.version, items)
    if previous:
        return _report(
            path, "changed", manifest, f"content changed since batch {previous[-1].batch_id}"
        )
    return _report(path, "ingested", manifest, "")


def _report(path: Path, status: Status, manifest: BatchManifest, message: str) -> FileReport:
    return FileReport(
        path,
        status,
        manifest.connector,
        manifest.read,
        manifest.accepted,
        manifest.quarantined,
        manifest.batch_id,
        message,
    )


def _counting(
    items: Iterable[SourceRecord | Rejected], on_record: Callable[[], None] | None
) -> Iterator[SourceRecord | Rejected]:
    for item in items:
        if on_record is not None:
            on_record()
        yield item


def ingest_paths(
    paths: Iterable[Path],
    ledger: Ledger,
    options: ReadOptions | None = None,
    on_record: Callable[[], None] | None = None,
    connector_for: ConnectorFactory = choose_connector,
) -> list[FileReport]:
    files = expand_paths(paths)
    chosen = options or ReadOptions()
    return [ingest_file(p, ledger, chosen, on_record, connector_for) for p in files]
