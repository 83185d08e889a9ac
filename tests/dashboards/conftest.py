"""A real workspace for the app tests: ledger batches projected into an embedded graph.

Two source files feed it: an ANPR CSV export (connector "test") with four plate reads at
one camera, and an XML alert (connector "test-xml") at a second camera, so the app has two
places, two connectors, a co-present vehicle and raw text for every event.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from graph.projection import project
from ingest.ledger import Ledger, SourceFile
from ingest.records import RecordBuilder, SourceRecord
from schemas.model import default_model

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "dossier" / "streamlit_main.py"
PLATE = "AB12CDE"
OTHER_PLATE = "XY34FGH"
CET = timezone(timedelta(hours=1))
START = datetime(2026, 3, 2, 8, 0, tzinfo=CET)  # 07:00 UTC


@dataclass(frozen=True)
class Camera:
    serial: str
    site: str
    lat: float
    lon: float


HIGH_ST = Camera("CAM-0042", "High Street", 51.5072, -0.1276)
DOCKS = Camera("CAM-0077", "Dock Road", 51.5010, -0.0190)


@dataclass(frozen=True)
class Workspace:
    root: Path
    vehicle_id: str  # the subject, plate PLATE
    other_id: str  # seen at the same camera two minutes after the subject
    raw_lines: tuple[str, ...]  # raw text of the subject's source records

    @property
    def audit_path(self) -> Path:
        return self.root / "audit.jsonl"

    def env(self) -> dict[str, str]:
        return {
            "DOSSIER_WORKSPACE": str(self.root),
            "DOSSIER_GRAPH": "embedded",
            "DOSSIER_ANALYST": "test-analyst",
        }


def sighting(source_kind: str, locator: str, raw: str, camera: Camera, plate: str,
             when: datetime, confidence: float) -> SourceRecord:  # fmt: skip
    builder = RecordBuilder(default_model(), source_kind, locator, raw)
    place = builder.entity(
        "Place", place_kind="camera-site", ref=camera.serial, name=camera.site,
        location=(camera.lat, camera.lon),
    )  # fmt: skip
    device = builder.entity("Device", id_kind="camera", serial=camera.serial, name=camera.site)
    vehicle = builder.entity("Vehicle", plate=plate, country="GB", colour="blue")
    event = builder.event(
        "Sighting", locator, time=when, label="plate", confidence=confidence, plate_read=plate
    )
    builder.link("INSTALLED_AT", device, place)
    builder.link("AT", event, place)
    builder.link("RECORDED_BY", event, device)
    builder.link("OBSERVED", event, vehicle)
    return builder.build()


def _write(ledger: Ledger, path: Path, text: str, connector: str, items: list) -> None:
    path.write_text(text, encoding="utf-8")
    data = path.read_bytes()
    source = SourceFile(path, hashlib.sha256(data).hexdigest(), len(data))
    ledger.write_batch(source, connector, "1", items)


def anpr_csv(folder: Path, ledger: Ledger) -> list[str]:
    """Four reads of PLATE at High Street, one of OTHER_PLATE two minutes after the first."""
    reads = [(PLATE, 0, 0.97), (OTHER_PLATE, 2, 0.91), (PLATE, 60 * 24, 0.88),
             (PLATE, 60 * 24 * 3, 0.93)]  # fmt: skip
    lines, items = ["time,camera,plate,confidence"], []
    for n, (plate, minutes, confidence) in enumerate(reads, start=2):
        when = START + timedelta(minutes=minutes)
        lines.append(f"{when.isoformat()},{HIGH_ST.serial},{plate},{confidence}")
        items.append(sighting("test-anpr", f"line {n}", lines[-1], HIGH_ST, plate, when,
                              confidence))  # fmt: skip
    _write(ledger, folder / "anpr.csv", "\n".join(lines) + "\n", "test", items)
    return [line for line in lines if PLATE in line]


def alert_xml(folder: Path, ledger: Ledger) -> str:
    """One alert for PLATE at the docks, from a second connector."""
    when = START + timedelta(days=1, hours=3)
    raw = (
        f"<EventNotificationAlert><dateTime>{when.isoformat()}</dateTime><ANPR>"
        f"<licensePlate>{PLATE}</licensePlate></ANPR><channelName>{DOCKS.serial}"
        "</channelName></EventNotificationAlert>"
    )
    item = sighting("test-xml", "alert#1", raw, DOCKS, PLATE, when, 0.8)
    _write(ledger, folder / "alerts.xml", raw + "\n", "test-xml", [item])
    return raw


def build_workspace(root: Path, with_records: bool = True) -> Workspace:
    """Ledger and embedded graph as `dossier ingest` and `dossier graph load` leave them."""
    ledger = Ledger(root / "ledger")
    raw_lines: list[str] = []
    if with_records:
        exports = root / "exports"
        exports.mkdir(parents=True)
        raw_lines = [*anpr_csv(exports, ledger), alert_xml(exports, ledger)]
    store = EmbeddedStore(root / "graph" / "embedded.lbdb", default_model())
    try:
        project(ledger, store)
    finally:
        store.close()  # the app opens it read-only
    model = default_model()
    return Workspace(
        root,
        model.entity_id("Vehicle", {"plate": PLATE, "country": "GB"}),
        model.entity_id("Vehicle", {"plate": OTHER_PLATE, "country": "GB"}),
        tuple(raw_lines),
    )


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return build_workspace(tmp_path / "workspace")


@pytest.fixture
def empty_workspace(tmp_path: Path) -> Workspace:
    return build_workspace(tmp_path / "empty", with_records=False)


@pytest.fixture
def app_env(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    """The workspace, with the environment the app reads its settings from."""
    for name, value in workspace.env().items():
        monkeypatch.setenv(name, value)
    yield workspace
