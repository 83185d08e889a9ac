"""Named queries: the one place their Cypher lives, per dialect where the dialects differ.

The dialects differ in a few spots only: a node's label (`label(n)` vs `labels(n)[0]`),
a union of labels (`:A:B` vs `:A|B`), and co-presence's search for sightings near in time
(Neo4j compares durations; Ladybug, without an index on time, sieves by time slot first).
Everything else is shared text, and values always travel as parameters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from graph.schema import node_columns
from graph.store import Dialect, GraphStore
from schemas.errors import DossierError
from schemas.model import Model


class UnknownEntity(DossierError):
    exit_code = 66

    def __init__(self, entity_id: str) -> None:
        super().__init__(
            f"no node with id {entity_id!r}; find ids with `dossier search TEXT` or in the app"
        )


@dataclass(frozen=True)
class Dialects:
    label: str  # expression template giving the label of node `{v}`
    union: str  # separator between labels in a label union
    rel_type: str  # expression template giving the type of relationship `{v}`

    def label_of(self, var: str) -> str:
        return self.label.format(v=var)

    def rel_type_of(self, var: str) -> str:
        return self.rel_type.format(v=var)


DIALECTS: dict[Dialect, Dialects] = {
    "embedded": Dialects(label="label({v})", union=":", rel_type="label({v})"),
    "neo4j": Dialects(label="labels({v})[0]", union="|", rel_type="type({v})"),
}


def type_of(model: Model, node_id: str) -> str:
    """Ids start with their type in lower case (schemas.ids), so no lookup is needed."""
    prefix = node_id.split("-", 1)[0]
    for name in model.node_types:
        if name.lower() == prefix:
            return name
    raise UnknownEntity(node_id)


def find_entities(store: GraphStore, text: str, limit: int = 25) -> list[dict[str, Any]]:
    """Entities whose identifiers or names contain `text` (case-insensitive)."""
    d = DIALECTS[store.dialect]
    labels = d.union.join(t.name for t in store.model.entity_types())
    cypher = (
        f"MATCH (n:{labels}) WHERE n.search_text CONTAINS $q "
        f"RETURN n.id AS id, {d.label_of('n')} AS type, n.caption AS caption "
        "ORDER BY type, caption LIMIT $limit"
    )
    return store.read(cypher, {"q": text.strip().lower(), "limit": limit}).records()


def get_node(store: GraphStore, node_id: str) -> dict[str, Any]:
    """All stored columns of one node, in the order its type declares them (id first,
    provenance last): Neo4j hands a node's properties over in no fixed order."""
    label = type_of(store.model, node_id)
    result = store.read(f"MATCH (n:{label} {{id: $id}}) RETURN n", {"id": node_id})
    if not result.rows:
        raise UnknownEntity(node_id)
    columns = node_columns(store.model.node_type(label))
    rank = {column.name: n for n, column in enumerate(columns)}
    stored = [(k, v) for k, v in dict(result.rows[0][0]).items() if not k.startswith("_")]
    return dict(sorted(stored, key=lambda item: (rank.get(item[0], len(rank)), item[0])))


def timeline(store: GraphStore, node_id: str, limit: int = 1000) -> list[dict[str, Any]]:
    """Every event linked to the node, oldest first, with its place, how it is linked
    (`role`: the relationship; `via`: the node it links to) and its provenance. A
    Subject's timeline is that of its records (`subject_timeline`)."""
    label = type_of(store.model, node_id)
    if label == "Subject":
        return subject_timeline(store, node_id, limit)
    match = f"MATCH (x:{label} {{id: $id}})-[r]-(e:{_events(store)}) {_PLACE}"
    return _ordered_events(store, match, {"id": node_id, "limit": limit})


def subject_timeline(store: GraphStore, subject_id: str, limit: int = 1000) -> list[dict[str, Any]]:
    """A subject's events across its sources: those of each record that resolved to it
    (a traveller, a contact, an account), of each identifier such a person uses (phone,
    account, device, vehicle) and those naming the subject itself. An event reached
    more than one way (a call between two of its phones) is one row, its ways joined."""
    links = {
        label: (ids, types)
        for label, ids in subject_holders(store, subject_id).items()
        if (types := _event_links(store, label)) is not None
    }
    events = _events(store)  # all of them: a row reads properties some event types lack
    # The first `limit` events overall, by id and time alone (cheap), then every way each
    # of them is reached: a row limit could cut an event's second way off.
    firsts: dict[str, Any] = {}
    for label, (ids, types) in links.items():
        cypher = (
            f"UNWIND $ids AS i MATCH (:{label} {{id: i}})<-[:{types}]-(e:{events}) "
            "RETURN DISTINCT e.id AS id, e.time AS time ORDER BY time, id LIMIT $limit"
        )
        for event_id, time in store.read(cypher, {"ids": ids, "limit": limit}).rows:
            firsts[event_id] = plain(time)
    chosen = sorted(firsts, key=lambda e: (firsts[e] is None, firsts[e] or _EPOCH, e))[:limit]
    rows: list[dict[str, Any]] = []
    for label, (ids, types) in links.items():
        match = (
            f"UNWIND $events AS k MATCH (e:{events} {{id: k}})-[r:{types}]->(x:{label}) "
            f"WHERE x.id IN $ids {_PLACE}"
        )
        params = {"ids": ids, "events": chosen}
        rows.extend(_ordered_events(store, match, params, limit=""))
    rows.sort(key=lambda row: (row["time"] is None, row["time"] or _EPOCH, row["id"]))
    return _one_row_per_event(rows)


def _event_links(store: GraphStore, label: str) -> str | None:
    """The relationship types, `A|B`, that link events to a node of `label`, or None.
    They are named: Ladybug, unwinding several ids, loses rows of an untyped `-[r]-`
    over many relationship tables (20 of 164 events of two accounts)."""
    events = {t.name for t in store.model.event_types()}
    rels = [
        r.name
        for r in store.model.rel_types.values()
        if label in r.targets and events & set(r.sources)
    ]
    return "|".join(rels) or None


def plain(value: Any) -> Any:
    """A driver's value as Python's (Neo4j returns its own DateTime type)."""
    to_native = getattr(value, "to_native", None)
    return to_native() if callable(to_native) else value


def subject_holders(store: GraphStore, subject_id: str) -> dict[str, list[str]]:
    """Node ids by label whose events are the subject's: the subject, its member
    records, and what those members use."""
    cypher = (
        "MATCH (s:Subject {id: $id})<-[:RESOLVED_AS]-(m) "
        "OPTIONAL MATCH (m)-[:USES]->(u) RETURN m.id AS member, u.id AS used"
    )
    found = {subject_id}
    for member, used in store.read(cypher, {"id": subject_id}).rows:
        found.update(i for i in (member, used) if i is not None)
    return by_label(store.model, found)


def by_label(model: Model, node_ids: Iterable[str]) -> dict[str, list[str]]:
    """Node ids grouped by their type (read from the id), each group sorted: one
    `UNWIND $ids` query per label finds each id by its key."""
    grouped: dict[str, list[str]] = {}
    for node_id in sorted(node_ids):
        grouped.setdefault(type_of(model, node_id), []).append(node_id)
    return grouped


def _one_row_per_event(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows in order, one per event. The ways an event was reached (role, via id, via)
    are joined column by column, in one sorted order, so the n-th role goes with the
    n-th via."""
    ways: dict[str, set[tuple[str, ...]]] = {}
    first: dict[str, dict[str, Any]] = {}
    for row in rows:
        first.setdefault(row["id"], row)
        ways.setdefault(row["id"], set()).add(tuple(str(row[c]) for c in _WAY))
    for event_id, row in first.items():
        if len(ways[event_id]) > 1:
            columns = zip(*sorted(ways[event_id]), strict=True)
            row.update(
                {name: "; ".join(values) for name, values in zip(_WAY, columns, strict=True)}
            )
    return list(first.values())


_WAY = ("role", "via_id", "via")
_PLACE = "OPTIONAL MATCH (e)-[:AT]->(p:Place)"


def _events(store: GraphStore) -> str:
    return DIALECTS[store.dialect].union.join(t.name for t in store.model.event_types())


def _ordered_events(
    store: GraphStore, match: str, params: dict[str, Any], limit: str = "LIMIT $limit"
) -> list[dict[str, Any]]:
    """Timeline rows of a MATCH binding the event `e`, its place `p`, the link `r` and
    the node `x` it links to: oldest first, at most `$limit` unless `limit` is empty."""
    d = DIALECTS[store.dialect]
    columns = _timeline_columns(d)
    if store.dialect == "neo4j":
        head = f"{match} WITH e, p, r, x ORDER BY e.time, e.id {limit} "
        return _packed_records(store, head, columns, params)
    returned = ", ".join(f"{expr} AS {name}" for name, expr in columns.items())
    return store.read(f"{match} RETURN {returned} ORDER BY time, id {limit}", params).records()


def _timeline_columns(d: Dialects) -> dict[str, str]:
    """A timeline row's columns over the event `e`, its place `p`, the link `r` and the
    node `x` it links to."""
    return {
        "id": "e.id",
        "kind": d.label_of("e"),
        "time": "e.time",
        "offset_min": "e.time_offset_min",
        "caption": "e.caption",
        "label": "e.label",
        "confidence": "e.confidence",
        "plate_read": "e.plate_read",
        "place_id": "p.id",
        "place": "p.caption",
        # An event's own position (a fix, a geotagged post) is finer than its place's.
        "lat": "coalesce(e.location_lat, p.location_lat)",
        "lon": "coalesce(e.location_lon, p.location_lon)",
        "role": d.rel_type_of("r"),
        "via_id": "x.id",
        "via": "x.caption",
        "batch_id": "e.batch_id",
        "record_id": "e.record_id",
    }


# Columns that hold an instant; on Neo4j they travel as epoch microseconds.
_INSTANTS = frozenset({"time"})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _packed_records(
    store: GraphStore, head: str, columns: dict[str, str], params: dict[str, Any]
) -> list[dict[str, Any]]:
    """Run `head` (ordered rows) on Neo4j and return one dict per row, as `read` would.

    The Python driver builds an object per record and hydrates each DateTime in pure
    Python (about 0.1 ms apiece): 1000 timeline rows took ~150 ms client-side against
    ~15 ms in the server. One record holding every row as a list, with instants as
    epoch microseconds (exact), arrives in ~20 ms."""
    values = [
        f"{expr}.epochSeconds * 1000000 + {expr}.microsecond" if name in _INSTANTS else expr
        for name, expr in columns.items()
    ]
    cypher = f"{head} RETURN collect([{', '.join(values)}]) AS rows"
    rows = store.read(cypher, params).rows[0][0]
    instants = [i for i, name in enumerate(columns) if name in _INSTANTS]
    for row in rows:
        for i in instants:
            if row[i] is not None:
                row[i] = _EPOCH + timedelta(microseconds=row[i])
    return [dict(zip(columns, row, strict=True)) for row in rows]


def co_presence(
    store: GraphStore, node_id: str, window: timedelta = timedelta(minutes=10), limit: int = 50
) -> list[dict[str, Any]]:
    """Others observed at the same place within `window` of this node's sightings: each
    pair of sightings (this node's at time t, another's within t ± window) counts once."""
    d = DIALECTS[store.dialect]
    label = type_of(store.model, node_id)
    observed = d.union.join(store.model.rel_type("OBSERVED").targets)
    params: dict[str, Any] = {"id": node_id, "limit": limit}
    if store.dialect == "embedded":
        near = _NEAR_EMBEDDED
        params["window"] = window
        params["slot_ms"] = max(1, int(window.total_seconds() * 1000))
    else:
        near = _NEAR_NEO4J
        params["window_s"] = window.total_seconds()
    cypher = (
        f"MATCH (x:{label} {{id: $id}})<-[:OBSERVED]-(s1:Sighting)-[:AT]->(p:Place) "
        f"{near} "
        f"MATCH (s2)-[:OBSERVED]->(y:{observed}) WHERE y.id <> $id "
        f"RETURN y.id AS id, {d.label_of('y')} AS type, y.caption AS caption, "
        "count(*) AS times, count(DISTINCT p.id) AS places, "
        "min(t) AS first, max(t) AS last "
        "ORDER BY times DESC, id LIMIT $limit"
    )
    return store.read(cypher, params).records()


# From this node's sightings (s1 at place p) to the pairs (p, t, s2) of another sighting
# s2 at p within the window of t = s1.time. The WITH clauses fix the join order: this
# node's few sightings first, then the sightings of each place, and only then who they
# observed; left to itself a planner expands every sighting of the place first.
_NEAR_NEO4J = (
    "WITH p, s1.time AS t "
    "MATCH (p)<-[:AT]-(s2:Sighting) "
    "WHERE s2.time >= t - duration({seconds: $window_s}) "
    "AND s2.time <= t + duration({seconds: $window_s}) "
    "WITH p, t, s2"
)
# Ladybug has no index on time, so each place's sightings are read once (not once per
# sighting of this node, which took seconds on a camera with 100k sightings) and first
# sieved by time slot: cut time in slots as wide as the window, two sightings within it
# lie in the same or neighbouring slots; only the few left are compared exactly.
_NEAR_EMBEDDED = (
    "WITH p, collect(s1.time) AS ts, collect(to_epoch_ms(s1.time) / $slot_ms) AS slots "
    "MATCH (p)<-[:AT]-(s2:Sighting) "
    "WITH p, ts, slots, s2, to_epoch_ms(s2.time) / $slot_ms AS slot "
    "WHERE list_contains(slots, slot) OR list_contains(slots, slot - 1) "
    "OR list_contains(slots, slot + 1) "
    "UNWIND ts AS t "
    "WITH p, t, s2 WHERE s2.time >= t - $window AND s2.time <= t + $window"
)
