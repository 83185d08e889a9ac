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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ingest.batchparts import BatchPart, build_parts
from ingest.batchwriter import BatchCounts, BatchWriter
from ingest.durable import flush_folders, fsync_dir
from ingest.records import Rejected, SourceRecord
from schemas.ids import make_id
from schemas.model import default_model

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
    # A source batch rewritten by a retention purge: the batch its file was first read
    # into (a re-ingest of the file finds this one), and how many records purges took
    # out (read = accepted + quarantined + purged).
    replaces: str | None = None
    purged: int = 0

    @property
    def dirname(self) -> str:
        return f"{self.seq:06d}-{self.batch_id}"

    @classmethod
    def load(cls, path: Path) -> BatchManifest:
        return cls(**json.loads(path.read_text(encoding="utf-8")))


def replacements(manifests: Sequence[BatchManifest]) -> dict[str, list[BatchManifest]]:
    """Batch id -> the earlier batches it replaces, for each batch that replaces some: a
    derived batch replaces the earlier ones of its kind; a source batch, its file's same
    content read by another version of its connector (whose output changed, so a
    re-ingest read the file again)."""
    groups: dict[tuple[str, ...], list[BatchManifest]] = {}
    for manifest in sorted(manifests, key=lambda m: m.seq):
        groups.setdefault(_replacement_key(manifest), []).append(manifest)
    return {group[n].batch_id: group[:n] for group in groups.values() for n in range(1, len(group))}


def superseded(manifests: Sequence[BatchManifest]) -> set[str]:
    """Ids of the batches a later batch replaces (see `replacements`)."""
    return {old.batch_id for earlier in replacements(manifests).values() for old in earlier}


def _replacement_key(m: BatchManifest) -> tuple[str, ...]:
    """Batches with one key replace each other. One content read by one connector gets
    a new batch only from another version of it (the same version finds its batch)."""
    if m.supersedes is not None:
        return ("derived", m.supersedes)
    return ("source", m.source_path, m.source_sha256, m.connector)


@dataclass(frozen=True)
class _Identity:
    """What a manifest says a batch was made from."""

    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class StagedBatch:
    """A batch written under `.staging/` and not yet published: what its manifest will say."""

    batch_id: str
    identity: _Identity
    connector: str
    version: str
    counts: BatchCounts
    supersedes: str | None
    replaces: str | None = None
    purged: int = 0


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

    def live_sources(self) -> list[BatchManifest]:
        """The source batches in ledger order, without those a re-read replaced: what
        derivations (resolution, mentions) read."""
        manifests = self.batches()
        replaced = superseded(manifests)
        return [m for m in manifests if m.supersedes is None and m.batch_id not in replaced]

    def _stamp(self) -> tuple[list[str], tuple[int, int, str]]:
        names = os.listdir(self.batches_dir)
        return names, (self.batches_dir.stat().st_mtime_ns, len(names), max(names, default=""))

    def find(self, source: SourceFile, connector: str, version: str) -> BatchManifest | None:
        """The batch that already holds exactly this content read by this connector version."""
        batch_id = batch_id_of(source, connector, version)
        return next((m for m in self.batches() if batch_id in (m.batch_id, m.replaces)), None)

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
        return self.publish(self.stage_batch(source, connector, version, items))

    def stage_batch(
        self,
        source: SourceFile,
        connector: str,
        version: str,
        items: Iterable[SourceRecord | Rejected],
    ) -> StagedBatch:
        """Write a source file's batch under `.staging/`, not yet visible. Staging needs
        no lock and reads no manifest, so worker processes stage files side by side while
        one process publishes them in order."""
        return self.stage_parts(source, connector, version, build_parts(items, default_model()))

    def stage_parts(
        self, source: SourceFile, connector: str, version: str, parts: Iterable[BatchPart]
    ) -> StagedBatch:
        """`stage_batch` from parts already built (by workers reading stretches of it)."""
        batch_id = batch_id_of(source, connector, version)
        identity = _Identity(str(source.path.resolve()), source.sha256, source.size)
        return self._stage(batch_id, identity, connector, version, parts, None)

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
        parts = build_parts(items, default_model())
        return self.publish(self._stage(batch_id, identity, kind, version, parts, kind, extras))

    def latest_derived(self, kind: str) -> BatchManifest | None:
        return next((m for m in reversed(self.batches()) if m.supersedes == kind), None)

    def current_derived(self, kind: str, inputs_digest: str, version: str) -> BatchManifest | None:
        """The latest batch of a kind, if it was made from exactly these inputs and version:
        then a new run would write the same thing, and need not run at all."""
        latest = self.latest_derived(kind)
        if latest and (latest.source_sha256, latest.connector_version) == (inputs_digest, version):
            return latest
        return None

    def _stage(
        self,
        batch_id: str,
        identity: _Identity,
        connector: str,
        version: str,
        parts: Iterable[BatchPart],
        supersedes: str | None,
        extras: Mapping[str, pa.Table] | None = None,
    ) -> StagedBatch:
        staging = self.staging_dir / batch_id
        shutil.rmtree(staging, ignore_errors=True)  # leftovers of a killed run
        staging.mkdir(parents=True)
        counts = BatchWriter(staging).write_parts(parts)
        for name, table in (extras or {}).items():
            pq.write_table(table, staging / f"{name}.parquet")
        return StagedBatch(batch_id, identity, connector, version, counts, supersedes)

    def stage_rewrite(
        self,
        manifest: BatchManifest,
        batch_id: str,
        tables: Mapping[str, pa.Table],
        extras: Mapping[str, pa.Table],
        purged: int,
    ) -> StagedBatch:
        """A source batch written again from its own tables with `purged` records taken
        out (see `ingest.retention`); its quarantine stays as it was."""
        staging = self.staging_dir / batch_id
        shutil.rmtree(staging, ignore_errors=True)  # leftovers of a killed run
        staging.mkdir(parents=True)
        for name, table in {**tables, **extras}.items():
            pq.write_table(table, staging / f"{name}.parquet", compression="zstd")
        shutil.copyfile(self.batch_dir(manifest) / "quarantine.jsonl", staging / "quarantine.jsonl")
        accepted = manifest.accepted - purged
        return StagedBatch(
            batch_id,
            _Identity(manifest.source_path, manifest.source_sha256, manifest.source_bytes),
            manifest.connector,
            manifest.connector_version,
            BatchCounts(manifest.read, accepted, manifest.quarantined),
            None,
            replaces=manifest.replaces or manifest.batch_id,
            purged=manifest.purged + purged,
        )

    def delete(self, manifests: Iterable[BatchManifest]) -> None:
        """Remove batches from disk for good (a retention purge, once the batches that
        replace them are published)."""
        with self._lock():
            for manifest in manifests:
                shutil.rmtree(self.batch_dir(manifest), ignore_errors=True)
            fsync_dir(self.batches_dir)
            self._cached = None

    def publish(self, staged: StagedBatch) -> BatchManifest:
        """Make a staged batch visible: the next sequence number, a durable manifest, and
        one atomic rename, all under the ledger's lock."""
        [manifest] = self.publish_all([staged])
        return manifest

    def publish_all(self, staged: Sequence[StagedBatch]) -> list[BatchManifest]:
        """Publish staged batches in order, with one flush to disk for all of them: a folder
        of small files pays for durability once a group, not once a file."""
        if not staged:
            return []
        with self._lock():
            known = self.batches()  # under the lock: every batch but these
            seq = max((m.seq for m in known), default=0)
            manifests = [self._manifest(batch, seq + n) for n, batch in enumerate(staged, 1)]
            folders = [self.staging_dir / batch.batch_id for batch in staged]
            for folder, manifest in zip(folders, manifests, strict=True):
                (folder / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2), "utf-8")
            # The tables and the manifests reach the disk before a rename shows them: after
            # a power cut a visible batch is whole, not a manifest over empty Parquet pages.
            flush_folders(folders)
            self.batches_dir.mkdir(parents=True, exist_ok=True)
            for folder, manifest in zip(folders, manifests, strict=True):
                os.rename(folder, self.batch_dir(manifest))
            fsync_dir(self.batches_dir)
            # Nobody else published meanwhile (the lock): the cache is what was known plus
            # these batches, so ingesting N files no longer re-reads N manifests each time.
            self._cached = (self._stamp()[1], [*known, *manifests])
        return manifests

    @staticmethod
    def _manifest(staged: StagedBatch, seq: int) -> BatchManifest:
        return BatchManifest(
            batch_id=staged.batch_id,
            seq=seq,
            source_path=staged.identity.path,
            source_sha256=staged.identity.sha256,
            source_bytes=staged.identity.size,
            connector=staged.connector,
            connector_version=staged.version,
            read=staged.counts.read,
            accepted=staged.counts.accepted,
            quarantined=staged.counts.quarantined,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            supersedes=staged.supersedes,
            replaces=staged.replaces,
            purged=staged.purged,
        )

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

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def batch_id_of(source: SourceFile, connector: str, version: str) -> str:
    """The id a source file's batch gets: the same content read by the same connector
    version is the same batch."""
    return _batch_id(source.sha256, connector, version)


def _batch_id(sha256: str, connector: str, version: str) -> str:
    return make_id("batch", sha256, connector, version)
