"""The ledger: the append-only system of record the graph is projected from.

A batch is one ingest of one source file: Parquet tables of canonical nodes, edges and
source records, a quarantine file, and a manifest. A batch is written under
`.staging/` and becomes visible by one atomic rename, so a killed ingest never leaves a
half batch behind; the rerun simply writes it again.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ingest.batchwriter import BatchWriter
from ingest.records import Rejected, SourceRecord
from schemas.ids import make_id

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class BatchManifest:
    batch_id: str
    seq: int
    source_path: str
    source_sha256: str
    source_bytes: int
    connector: str
    connector_version: str
    read: int
    accepted: int
    quarantined: int
    created_at: str
    # A derived batch (entity resolution, mention extraction) is computed from the whole
    # ledger and replaces every earlier batch of the same kind; None for source files.
    supersedes: str | None = None

    @property
    def dirname(self) -> str:
        return f"{self.seq:06d}-{self.batch_id}"

    @classmethod
    def load(cls, path: Path) -> BatchManifest:
        return cls(**json.loads(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class _Identity:
    """What a manifest says a batch was made from."""

    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class SourceFile:
    path: Path
    sha256: str
    size: int


class Ledger:
    """Append-only batches under one folder of the workspace."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.batches_dir = root / "batches"
        self.staging_dir = root / ".staging"
        self._cached: tuple[tuple[int, int, str], list[BatchManifest]] | None = None

    def batches(self) -> list[BatchManifest]:
        """Every published batch in ledger order. Read again only when the folder changed
        (a batch is published by a rename into it): ingesting N files asks N times."""
        try:
            names, stamp = self._stamp()
        except FileNotFoundError:
            return []
        if self._cached is None or self._cached[0] != stamp:
            manifests = [BatchManifest.load(self.batches_dir / n / MANIFEST) for n in names]
            self._cached = (stamp, sorted(manifests, key=lambda m: m.seq))
        return list(self._cached[1])

    def _stamp(self) -> tuple[list[str], tuple[int, int, str]]:
        names = os.listdir(self.batches_dir)
        return names, (self.batches_dir.stat().st_mtime_ns, len(names), max(names, default=""))

    def find(self, source: SourceFile, connector: str, version: str) -> BatchManifest | None:
        """The batch that already holds exactly this content read by this connector version."""
        batch_id = _batch_id(source.sha256, connector, version)
        return next((m for m in self.batches() if m.batch_id == batch_id), None)

    def previous_versions(self, source: SourceFile) -> list[BatchManifest]:
        """Earlier batches of the same path with different content (the file changed)."""
        path = str(source.path.resolve())
        return [
            m for m in self.batches() if m.source_path == path and m.source_sha256 != source.sha256
        ]

    def batch_dir(self, manifest: BatchManifest) -> Path:
        return self.batches_dir / manifest.dirname

    def write_batch(
        self,
        source: SourceFile,
        connector: str,
        version: str,
        items: Iterable[SourceRecord | Rejected],
    ) -> BatchManifest:
        """Write all items as one batch and publish it atomically."""
        batch_id = _batch_id(source.sha256, connector, version)
        identity = _Identity(str(source.path.resolve()), source.sha256, source.size)
        return self._publish(batch_id, identity, connector, version, items, None)

    def write_derived(
        self,
        kind: str,
        inputs_digest: str,
        version: str,
        items: Iterable[SourceRecord | Rejected],
        extras: Mapping[str, pa.Table] | None = None,
    ) -> BatchManifest:
        """Write a batch computed from the ledger itself; it supersedes earlier ones of its
        kind. The same inputs (digest) and version give the same batch: a re-run is a no-op.
        `extras` are further tables the derivation keeps beside the batch (name -> table)."""
        current = self.current_derived(kind, inputs_digest, version)
        if current is not None:
            return current
        # The same inputs as an earlier, since superseded run (A, B, then A again): a new
        # batch that comes after B, with an id of its own, so that the latest one counts.
        batch_id = _batch_id(inputs_digest, kind, version)
        repeats = sum(1 for m in self.batches() if m.batch_id.startswith(batch_id))
        if repeats:
            batch_id = f"{batch_id}-{repeats}"
        identity = _Identity(f"(derived: {kind})", inputs_digest, 0)
        return self._publish(batch_id, identity, kind, version, items, kind, extras)

    def latest_derived(self, kind: str) -> BatchManifest | None:
        return next((m for m in reversed(self.batches()) if m.supersedes == kind), None)

    def current_derived(self, kind: str, inputs_digest: str, version: str) -> BatchManifest | None:
        """The latest batch of a kind, if it was made from exactly these inputs and version:
        then a new run would write the same thing, and need not run at all."""
        latest = self.latest_derived(kind)
        if latest and (latest.source_sha256, latest.connector_version) == (inputs_digest, version):
            return latest
        return None

    def _publish(
        self,
        batch_id: str,
        identity: _Identity,
        connector: str,
        version: str,
        items: Iterable[SourceRecord | Rejected],
        supersedes: str | None,
        extras: Mapping[str, pa.Table] | None = None,
    ) -> BatchManifest:
        staging = self.staging_dir / batch_id
        shutil.rmtree(staging, ignore_errors=True)  # leftovers of a killed run
        staging.mkdir(parents=True)
        counts = BatchWriter(staging).write(items)
        for name, table in (extras or {}).items():
            pq.write_table(table, staging / f"{name}.parquet")
        with self._lock():
            manifest = BatchManifest(
                batch_id=batch_id,
                seq=self._next_seq(),
                source_path=identity.path,
                source_sha256=identity.sha256,
                source_bytes=identity.size,
                connector=connector,
                connector_version=version,
                read=counts.read,
                accepted=counts.accepted,
                quarantined=counts.quarantined,
                created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                supersedes=supersedes,
            )
            _write_json_durably(staging / MANIFEST, asdict(manifest))
            self.batches_dir.mkdir(parents=True, exist_ok=True)
            known = self.batches()  # under the lock: every batch but this one
            os.rename(staging, self.batch_dir(manifest))
            _fsync_dir(self.batches_dir)
            # Nobody else published meanwhile (the lock): the cache is what was known plus
            # this batch, so ingesting N files no longer re-reads N manifests each time.
            self._cached = (self._stamp()[1], [*known, manifest])
        return manifest

    def table(self, manifest: BatchManifest, name: str) -> pa.Table:
        """One of the batch tables: nodes, edges or records."""
        return pq.read_table(self.batch_dir(manifest) / f"{name}.parquet")

    def iter_table(self, manifest: BatchManifest, name: str, rows: int) -> Iterator[pa.RecordBatch]:
        parquet = pq.ParquetFile(self.batch_dir(manifest) / f"{name}.parquet")
        yield from parquet.iter_batches(batch_size=rows)

    def quarantine(self, manifest: BatchManifest) -> list[dict]:
        path = self.batch_dir(manifest) / "quarantine.jsonl"
        with path.open(encoding="utf-8") as fp:
            return [json.loads(line) for line in fp]

    def quarantine_path(self, batch_id: str) -> Path:
        """Where a batch's quarantined records and their reasons are."""
        manifest = next(m for m in self.batches() if m.batch_id == batch_id)
        return self.batch_dir(manifest) / "quarantine.jsonl"

    def glob(self, name: str) -> str:
        """A glob over one table in every batch, for DuckDB's read_parquet."""
        return str(self.batches_dir / "*" / f"{name}.parquet")

    def _next_seq(self) -> int:
        seqs = [m.seq for m in self.batches()]
        return max(seqs, default=0) + 1

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _batch_id(sha256: str, connector: str, version: str) -> str:
    return make_id("batch", sha256, connector, version)


def _write_json_durably(path: Path, data: dict) -> None:
    with path.open("w", encoding="utf-8") as fp:
        json.dump(data, fp, indent=2)
        fp.flush()
        os.fsync(fp.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
