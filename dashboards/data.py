"""The app's data access: thin, cached calls into graph.queries and the ledger (entity
resolution's subjects, review queue and decisions are in `dashboards.linking_data`).

Pages call only the public functions here. Each returns plain values or DataFrames, so the
pages hold no Cypher and no business logic, and each records what the analyst looked at
in the audit trail. The context (store, ledger, audit) is handed in once per run by
`dashboards.app.run`; cached functions take it as a leading-underscore argument (not
hashed) plus `scope`, which names the backend and ledger so two workspaces never share
cache entries.
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

import pandas as pd
import streamlit as st

from dashboards.context import AppContext
from graph import associates as touch
from graph import queries
from ingest.sources import source_records
from schemas.errors import DossierError

CACHE_TTL = timedelta(minutes=5)  # the graph grows while the app runs
CO_PRESENCE_TYPES = ("Vehicle", "Person")
TIMELINE_LIMIT = 1000  # events per entity page, oldest first
RESULT_COLUMNS = ["id", "type", "caption"]
EVENT_COLUMNS = [
    "time", "kind", "label", "caption", "place", "lat", "lon", "confidence", "plate_read",
    "role", "via", "connector", "locator", "source_path", "batch_id", "record_id", "raw", "id",
]  # fmt: skip
CO_PRESENCE_COLUMNS = ["id", "type", "caption", "times", "places", "first", "last"]
ASSOCIATE_COLUMNS = ["id", "type", "caption", "events", "ways", "first", "last", "through"]
_AUDITED = "_dossier_audited"  # session key: audit entries already written for this visit

_holder: dict[str, AppContext] = {}
# One store serves every session of the server; the embedded connection is not meant for
# concurrent queries (its per-query timeout is connection state), so its reads take turns.
# Neo4j's driver gives each read a session of its own: analysts' reads run side by side.
_read_lock = threading.Lock()


class AppNotStarted(DossierError):
    def __init__(self) -> None:
        super().__init__("the app context is missing; start the app with `dossier app`")


def use(context: AppContext) -> None:
    """Called by dashboards.app.run at the start of every script run."""
    _holder["context"] = context


def _context() -> AppContext:
    try:
        return _holder["context"]
    except KeyError:
        raise AppNotStarted() from None


def _scope(context: AppContext) -> str:
    return f"{context.backend}:{context.ledger.root}"


def backend() -> str:
    return _context().backend


def workspace() -> str:
    """The workspace folder, which holds the ledger folder."""
    root = _context().ledger.root
    return str(root.parent if root.name == "ledger" else root)


# --- audit -------------------------------------------------------------------------------


def begin_visit(page: str, params: dict[str, Any]) -> None:
    """A new page or a new entity starts a new visit, whose views are audited again."""
    visit = json.dumps([page, params], sort_keys=True, default=str)
    state = st.session_state.get(_AUDITED)
    if state is None or state["visit"] != visit:
        st.session_state[_AUDITED] = {"visit": visit, "done": set()}


def _audit(action: str, details: dict[str, object]) -> None:
    """Record a view once per visit, not on every rerun a widget causes."""
    key = json.dumps([action, details], sort_keys=True, default=str)
    state = st.session_state.setdefault(_AUDITED, {"visit": "", "done": set()})
    if key not in state["done"]:
        _context().audit(action, details)
        state["done"].add(key)


# --- public reads --------------------------------------------------------------------------


def entity_count() -> int:
    """Entities in the graph; zero means nothing was loaded yet."""
    context = _context()
    return _entity_count(context, _scope(context))


def search(text: str) -> pd.DataFrame:
    """Entities whose identifiers or names contain `text`: id, type, caption."""
    context = _context()
    frame = _search(context, _scope(context), text.strip())
    _audit("search", {"text": text.strip(), "results": len(frame)})
    return frame


def entity(entity_id: str) -> dict[str, Any] | None:
    """Type and stored properties of one entity, or None if there is no such node."""
    context = _context()
    node = _entity(context, _scope(context), entity_id)
    if node is not None:
        _audit("view_entity", {"id": entity_id})
    return node


def events(entity_id: str) -> pd.DataFrame:
    """The entity's timeline, each event joined with the source record behind it."""
    context = _context()
    frame = _events(context, _scope(context), entity_id)
    _audit("view_sources", {"id": entity_id, "records": int(frame["record_id"].nunique())})
    return frame


def has_co_presence(entity_type: str) -> bool:
    return entity_type in CO_PRESENCE_TYPES


def co_presence(entity_id: str, window_min: int) -> pd.DataFrame:
    """Others seen at the same places within `window_min` minutes of this entity."""
    context = _context()
    frame = _co_presence(context, _scope(context), entity_id, window_min)
    _audit("view_co_presence", {"id": entity_id, "window_min": window_min})
    return frame


def associates(subject_id: str) -> pd.DataFrame:
    """Who the subject's records are in touch with, most events first."""
    context = _context()
    frame = _associates(context, _scope(context), subject_id)
    _audit("view_associates", {"id": subject_id, "associates": len(frame)})
    return frame


# --- resolution: subjects, review, analyst decisions ---------------------------------------


# --- cached work ---------------------------------------------------------------------------


def _read(function: Any, *args: Any, **kwargs: Any) -> Any:
    if _context().store.dialect != "embedded":
        return function(*args, **kwargs)
    with _read_lock:
        return function(*args, **kwargs)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _entity_count(_context: AppContext, scope: str) -> int:
    counts = _read(_context.store.counts)
    return sum(counts.get(t.name, 0) for t in _context.store.model.entity_types())


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _search(_context: AppContext, scope: str, text: str) -> pd.DataFrame:
    rows = _read(queries.find_entities, _context.store, text) if text else []
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _entity(_context: AppContext, scope: str, entity_id: str) -> dict[str, Any] | None:
    try:
        node = _read(queries.get_node, _context.store, entity_id)
    except queries.UnknownEntity:
        return None
    node.pop("search_text", None)
    type_name = queries.type_of(_context.store.model, entity_id)
    properties = {k: queries.plain(v) for k, v in node.items() if v is not None}
    return {"type": type_name, "properties": properties}


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _events(_context: AppContext, scope: str, entity_id: str) -> pd.DataFrame:
    rows = _read(queries.timeline, _context.store, entity_id, TIMELINE_LIMIT)
    sources = source_records(_context.ledger, sorted({r["record_id"] for r in rows}))
    for row in rows:
        source = sources.get(row["record_id"], {})
        row["time"] = queries.plain(row["time"])
        row["connector"] = source.get("connector", "(not in ledger)")
        row["batch_id"] = source.get("batch_id", row["batch_id"])
        for column in ("locator", "source_path", "raw"):
            row[column] = source.get(column, "")
    frame = pd.DataFrame(rows, columns=EVENT_COLUMNS)
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    return frame


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _co_presence(_context: AppContext, scope: str, entity_id: str, window_min: int) -> pd.DataFrame:
    window = timedelta(minutes=window_min)
    rows = _read(queries.co_presence, _context.store, entity_id, window)
    frame = pd.DataFrame(rows, columns=CO_PRESENCE_COLUMNS)
    for column in ("first", "last"):
        frame[column] = pd.to_datetime(frame[column].map(queries.plain), utc=True)
    return frame


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _associates(_context: AppContext, scope: str, subject_id: str) -> pd.DataFrame:
    rows = _read(touch.associates, _context.store, subject_id)
    frame = pd.DataFrame(rows, columns=ASSOCIATE_COLUMNS)
    for column in ("first", "last"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame
