"""One entity's dossier: properties, resolved subject, timeline, map, co-presence, sources."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import charts, components, data, linking_data, routes

CO_PRESENCE_COLUMNS = [
    ("type", "Type"), ("caption", "Seen with"), ("times", "Times"), ("places", "Places"),
    ("first", "First"), ("last", "Last"),
]  # fmt: skip
SOURCE_COLUMNS = {
    "time": "time (UTC)", "kind": "kind", "role": "linked as", "via": "through",
    "place": "place", "locator": "locator", "source_path": "source file", "batch_id": "batch",
    "connector": "connector",
}  # fmt: skip
MEMBER_COLUMNS = [
    ("caption", "Record"), ("birth_date", "Born"), ("source_path", "Source file"),
    ("connector", "Connector"), ("method", "How"), ("probability", "p"), ("decision", "Decision"),
]  # fmt: skip
ASSOCIATE_COLUMNS = [
    ("caption", "In touch with"), ("type", "Type"), ("events", "Events"), ("ways", "How"),
    ("first", "First"), ("last", "Last"), ("through", "Through"),
]  # fmt: skip
PLACED_COLUMNS = {
    "source_path": "source file", "connector": "connector", "record_id": "record",
    "method": "method", "probability": "probability", "decision": "decision",
}  # fmt: skip
MAX_RAW = 100  # expanders with raw records; the table lists every event


def render() -> None:
    entity_id = st.query_params.get("id", "")
    node = data.entity(entity_id) if entity_id else None
    if node is None:
        st.title("Entity")
        st.info(f"No entity with id “{entity_id}”." if entity_id else "No entity chosen.")
        if st.button("Back to search"):
            routes.open_search()
        return
    properties = node["properties"]
    st.title(str(properties.get("caption", entity_id)))
    st.caption(f"{node['type']} · `{entity_id}`")
    st.subheader("Properties")
    table = pd.DataFrame({"property": list(properties), "value": map(str, properties.values())})
    st.dataframe(table, hide_index=True, width="stretch")
    if linking_data.resolves(node["type"]):
        _resolved_as(entity_id)
    elif node["type"] == "Subject":
        _members(str(properties.get("ref", "")))
        _associates(entity_id)
    events = data.events(entity_id)
    if events.empty:
        st.info("No events are linked to this entity.")
    else:
        shown = _timeline(entity_id, events)
        _map(shown)
        with st.container(key="sources"):
            _sources(shown)
    if data.has_co_presence(node["type"]):
        _co_presence(entity_id)


def _resolved_as(entity_id: str) -> None:
    """The subject this record resolved to, how, and the subject's other records."""
    st.subheader("Resolved subject")
    subjects = linking_data.resolution(entity_id)
    if subjects is None:
        st.caption("No resolution yet: `dossier resolve` links the records of one person.")
        return
    if not subjects:
        st.caption("Not in the latest resolution (no name to compare, or added since).")
    for subject in subjects:
        with st.container(key=f"subject-{subject.ref}"):
            st.markdown(
                f"**{subject.name or subject.ref}** · subject `{subject.ref}` · "
                f"{subject.records} record(s)"
            )
            if st.button("Open subject", key=f"open-{subject.ref}"):
                routes.open_entity(subject.id)
            placed = subject.placed[list(PLACED_COLUMNS)].rename(columns=PLACED_COLUMNS)
            st.dataframe(placed, hide_index=True, width="stretch")
            if subject.others.empty:
                st.caption("No other record resolved to this subject.")
            else:
                st.markdown("Other records of this subject")
                components.entity_table(
                    subject.others, MEMBER_COLUMNS, key=f"other-{subject.ref}",
                    row_key="profile_id",
                )  # fmt: skip


def _members(ref: str) -> None:
    members = linking_data.subject_members(ref)
    empty = "No record resolves to this subject in the latest resolution."
    _listing("Member records", members, MEMBER_COLUMNS, empty, key="member", row_key="profile_id")


def _associates(subject_id: str) -> None:
    found = data.associates(subject_id)
    empty = "No calls, messages, e-mails or posts tie this subject to anyone."
    note = (
        "The other parties of its communications, the accounts its posts mention or reply "
        "to, and the authors of posts naming it: as the one subject each resolved to, "
        "else as the number or account itself."
    )
    _listing("Associates", found, ASSOCIATE_COLUMNS, empty, key="associate", note=note)


def _listing(
    title: str,
    frame: pd.DataFrame,
    columns: list[tuple[str, str]],
    empty: str,
    key: str,
    row_key: str = "id",
    note: str = "",
) -> None:
    """A section listing entities that open on a click, or saying why there are none."""
    st.subheader(title)
    if frame.empty:
        st.caption(empty)
        return
    if note:
        st.caption(note)
    components.entity_table(frame, columns, key=key, row_key=row_key)


def _timeline(entity_id: str, events: pd.DataFrame) -> pd.DataFrame:
    """The chart and its filters (kept per entity); returns the events that pass them."""
    st.subheader("Timeline")
    kinds, connectors, rows = st.columns([2, 2, 1])
    kind_options = sorted(events["kind"].unique())
    connector_options = sorted(events["connector"].unique())
    chosen_kinds = kinds.multiselect(
        "Event kinds", kind_options, kind_options, key=f"kinds-{entity_id}"
    )
    chosen_connectors = connectors.multiselect(
        "Source connectors", connector_options, connector_options, key=f"connectors-{entity_id}"
    )
    axis = rows.radio("Rows", ["kind", "place"], horizontal=True, key="rows")
    shown = events[events["kind"].isin(chosen_kinds) & events["connector"].isin(chosen_connectors)]
    shown = _through(entity_id, shown, events)
    st.caption(f"{len(shown)} of {len(events)} events")
    if len(events) >= data.TIMELINE_LIMIT:
        st.warning(f"Only the first {data.TIMELINE_LIMIT} events are shown.")
    if not shown.empty:
        figure = charts.timeline_figure(shown, axis)
        st.plotly_chart(figure, config=charts.CONFIG, width="stretch", key="timeline")
    return shown


def _through(entity_id: str, shown: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """A subject's events arrive through its records and identifiers: a filter by them,
    when there is more than one. An event reached several ways lists them all."""
    ways = events["via"].fillna("").str.split("; ")
    options = sorted({way for found in ways for way in found if way})
    if len(options) < 2:
        return shown
    chosen = set(st.multiselect("Through", options, options, key=f"through-{entity_id}"))
    return shown[ways[shown.index].map(lambda found: bool(chosen.intersection(found)))]


def _map(events: pd.DataFrame) -> None:
    figure = charts.place_map(events)
    if figure is not None:
        st.subheader("Map")
        st.plotly_chart(figure, config=charts.CONFIG, width="stretch", key="map")


def _sources(events: pd.DataFrame) -> None:
    st.subheader("Source records")
    # "through" tells ways apart on a subject's page; elsewhere it repeats the entity
    columns = [c for c in SOURCE_COLUMNS if c != "via" or events["via"].nunique() > 1]
    table = events[columns].rename(columns=SOURCE_COLUMNS)
    table["time (UTC)"] = table["time (UTC)"].dt.strftime("%Y-%m-%d %H:%M:%S")
    st.dataframe(table, hide_index=True, width="stretch")
    for row in events.head(MAX_RAW).to_dict("records"):
        label = f"{row['time']:%Y-%m-%d %H:%M:%S} · {row['kind']} · {row['locator']}"
        with st.expander(label):
            st.caption(f"{row['source_path']} · {row['batch_id']} · {row['record_id']}")
            st.code(row["raw"] or "(raw record not in the ledger)", language=None, wrap_lines=True)
    if len(events) > MAX_RAW:
        st.caption(f"Raw text shown for the first {MAX_RAW} records; narrow the filters.")


def _co_presence(entity_id: str) -> None:
    st.subheader("Co-presence")
    window = st.slider("Window (minutes)", 1, 120, 10, key="window_min")
    others = data.co_presence(entity_id, window)
    if others.empty:
        st.caption(f"No one else seen at the same place within {window} minute(s).")
        return
    components.entity_table(others, CO_PRESENCE_COLUMNS, key="copresent")


render()
