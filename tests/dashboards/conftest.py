"""A real workspace for the app tests: ledger batches projected into the graph under test.

Two source files feed it: an ANPR CSV export (connector "test") with four plate reads at
one camera, and an XML alert (connector "test-xml") at a second camera, so the app has two
places, two connectors, a co-present vehicle and raw text for every event.

Every app test runs once per graph backend (`backend`): the embedded Ladybug store in the
workspace, and the session's real Neo4j server with a database cleared for the test. The
ledger (and, for the embedded backend, its projected graph) is written once per module as
a template and copied into each test's own workspace, so a test that records a decision
or appends to the audit trail never touches another's.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import streamlit as st

from dossier.settings import load_settings
from dossier.workspace import Workspace as AppWorkspace
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
ANALYST = "test-analyst"


@dataclass(frozen=True)
class Camera:
    serial: str
    site: str
    lat: float
    lon: float


HIGH_ST = Camera("CAM-0042", "High Street", 51.5072, -0.1276)
DOCKS = Camera("CAM-0077", "Dock Road", 51.5010, -0.0190)


@dataclass(frozen=True)
class Backend:
    """The graph the app reads, and the settings (DOSSIER_GRAPH and friends) naming it."""

    name: str  # embedded | neo4j, as the sidebar shows it
    env: dict[str, str] = field(default_factory=dict)

    @property
    def embedded(self) -> bool:
        return self.name == "embedded"


EMBEDDED = Backend("embedded", {"DOSSIER_GRAPH": "embedded"})


@dataclass(frozen=True)
class Template:
    """A workspace folder written once per module: ledger, exports, embedded graph."""

    root: Path
    raw_lines: tuple[str, ...]  # raw text of the subject's source records


@dataclass(frozen=True)
class Workspace:
    root: Path
    backend: Backend
    vehicle_id: str  # the subject, plate PLATE
    other_id: str  # seen at the same camera two minutes after the subject
    raw_lines: tuple[str, ...]  # raw text of the subject's source records

    @property
    def audit_path(self) -> Path:
        return self.root / "audit.jsonl"

    def env(self) -> dict[str, str]:
        return {"DOSSIER_WORKSPACE": str(self.root), "DOSSIER_ANALYST": ANALYST,
                **self.backend.env}  # fmt: skip


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


def write_batch(ledger: Ledger, path: Path, text: str, connector: str, items: list) -> None:
    """Write `text` as the export file `path` and its records as one ledger batch."""
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
    write_batch(ledger, folder / "anpr.csv", "\n".join(lines) + "\n", "test", items)
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
    write_batch(ledger, folder / "alerts.xml", raw + "\n", "test-xml", [item])
    return raw


def write_records(root: Path) -> tuple[str, ...]:
    """The two exports and their ledger batches, as `dossier ingest` leaves them."""
    exports = root / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    ledger = Ledger(root / "ledger")
    return (*anpr_csv(exports, ledger), alert_xml(exports, ledger))


def load_graph(root: Path, backend: Backend) -> None:
    """Project the workspace's ledger into the backend's graph through the composition
    root, as `dossier graph load` does with the same settings."""
    settings = load_settings({"DOSSIER_WORKSPACE": str(root), **backend.env})
    app_workspace = AppWorkspace(settings)
    with app_workspace.graph() as store:
        project(app_workspace.ledger, store)


def make_template(root: Path, raw_lines: tuple[str, ...] = ()) -> Template:
    """Freeze the ledger written under `root` as a template, with its embedded graph."""
    load_graph(root, EMBEDDED)
    return Template(root, raw_lines)


def workspace_from(template: Template, root: Path, backend: Backend) -> Workspace:
    """A test's own copy of the template, its graph in `backend`. The embedded graph is
    copied; a Neo4j workspace gets none, so an app that read it by mistake finds nothing."""
    ignore = None if backend.embedded else shutil.ignore_patterns("graph")
    shutil.copytree(template.root, root, ignore=ignore)
    if not backend.embedded:
        load_graph(root, backend)
    model = default_model()
    return Workspace(
        root,
        backend,
        model.entity_id("Vehicle", {"plate": PLATE, "country": "GB"}),
        model.entity_id("Vehicle", {"plate": OTHER_PLATE, "country": "GB"}),
        template.raw_lines,
    )


def set_env(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in workspace.env().items():
        monkeypatch.setenv(name, value)


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def backend(request: pytest.FixtureRequest) -> Backend:
    """The same test, once per graph backend."""
    if request.param == "embedded":
        return EMBEDDED
    request.getfixturevalue("neo4j_store")  # a clean database on the session's server
    uri = request.getfixturevalue("neo4j_uri")
    env = {"DOSSIER_GRAPH": "neo4j", "DOSSIER_NEO4J_URI": uri, "DOSSIER_NEO4J_PASSWORD": ""}
    return Backend("neo4j", env)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Template:
    root = tmp_path_factory.mktemp("recorded") / "workspace"
    return make_template(root, write_records(root))


@pytest.fixture
def workspace(recorded: Template, backend: Backend, tmp_path: Path) -> Workspace:
    return workspace_from(recorded, tmp_path / "workspace", backend)


@pytest.fixture
def empty_workspace(backend: Backend, tmp_path: Path) -> Workspace:
    template = make_template(tmp_path / "template")
    return workspace_from(template, tmp_path / "empty", backend)


@pytest.fixture
def app_env(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    """The workspace, with the environment the app reads its settings from."""
    set_env(workspace, monkeypatch)
    yield workspace


@pytest.fixture(autouse=True)
def _release_app_resources() -> Iterator[None]:
    """Each test's app opens its own graph (one Neo4j driver per workspace): release them
    after the test, as a server restart would, and start the next test with no cached reads."""
    yield
    st.cache_resource.clear()
    st.cache_data.clear()
