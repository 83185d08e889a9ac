"""A backup read again after its connector's output changed (KEPT_BY the owner, version
2) replaces the earlier reading: resolution reads each record once."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ingest.connectors.sms_backup import SmsBackupRestore
from ingest.ledger import Ledger, SourceFile
from ingest.pipeline import ingest_paths
from ingest.resolve.profiles import read_profiles
from ingest.resolve.relations import read_ties
from tests.ingest.test_sms_backup import SMS_SMALL


def test_an_upgraded_reading_replaces_the_old_one_for_resolution(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger")
    [fresh] = ingest_paths([SMS_SMALL], ledger)
    alone, ties = read_profiles(ledger), read_ties(ledger)
    assert len(alone) > 1 and ties.events.sum() > 0

    older = Ledger(tmp_path / "older")
    data = SMS_SMALL.read_bytes()
    source = SourceFile(SMS_SMALL, hashlib.sha256(data).hexdigest(), len(data))
    records = list(SmsBackupRestore().read(SMS_SMALL))
    old = older.write_batch(source, SmsBackupRestore.name, "1", records)  # as version 1 left it
    [report] = ingest_paths([SMS_SMALL], older)
    assert report.status == "ingested" and SmsBackupRestore.version != "1"
    assert [m.batch_id for m in older.live_sources()] == [report.batch_id]
    assert old.batch_id != report.batch_id == fresh.batch_id
    assert len(read_profiles(older)) == len(alone)
    assert read_ties(older).equals(ties)  # each message once: the owner's ties not doubled
