"""Small ledgers built from hand-made records, for graph tests on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from ingest.ledger import BatchManifest, Ledger, SourceFile
from ingest.records import RecordBuilder, SourceRecord
from schemas.model import default_model

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def sighting(
    uid: str, camera: str, plate: str, when: datetime, lat: float = 52.37, lon: float = 4.89
) -> SourceRecord:
    builder = RecordBuilder(default_model(), "test", f"fixture#{uid}", f"<alert {uid}/>")
    device = builder.entity("Device", id_kind="mac", serial=camera, name=f"cam {camera}")
    place = builder.entity(
        "Place", place_kind="camera-site", ref=camera, name=f"Site {camera}", location=(lat, lon)
    )
    vehicle = builder.entity("Vehicle", plate=plate, country="NL")
    event = builder.event(
        "Sighting", uid, time=when, label="plate", confidence=0.9, plate_read=plate
    )
    builder.link("INSTALLED_AT", device, place)
    builder.link("AT", event, place)
    builder.link("RECORDED_BY", event, device)
    builder.link("OBSERVED", event, vehicle)
    return builder.build()


def meeting_records() -> list[SourceRecord]:
    """KX1 and KX2 meet at camera A three times (2 minutes apart); KX3 passes A hours later."""
    records = []
    for week in range(3):
        base = START + timedelta(days=7 * week)
        records.append(sighting(f"a{week}", "A", "KX1", base))
        records.append(sighting(f"b{week}", "A", "KX2", base + timedelta(minutes=2)))
        records.append(sighting(f"c{week}", "A", "KX3", base + timedelta(hours=5)))
        records.append(sighting(f"d{week}", "B", "KX1", base + timedelta(hours=1), 52.30, 4.80))
    return records


def write_ledger(root: Path, records: list[SourceRecord], name: str = "f.xml") -> BatchManifest:
    ledger = Ledger(root)
    source = SourceFile(root / name, f"sha-{name}-{len(records)}", 1)
    return ledger.write_batch(source, "test", "1", records)
