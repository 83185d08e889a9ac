"""Named queries: the one place their Cypher lives, per dialect where the dialects differ.

The dialects differ in a few spots only: a node's label (`label(n)` vs `labels(n)[0]`),
a union of labels (`:A:B` vs `:A|B`), and co-presence's search for sightings near in time
(Neo4j compares durations; Ladybug, without an index on time, sieves by time slot first).
Everything else is shared text, and values always travel as parameters.
"""

from __future__ import annotations

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

    def label_of(self, var: str) -> str:
        return self.label.format(v=var)


DIALECTS: dict[Dialect, Dialects] = {
    "embedded": Dialects(label="label({v})", union=":"),
    "neo4j": Dialects(label="labels({v})[0]", union="|"),
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
    """Every event linked to the node, oldest first, with its place and provenance."""
    d = DIALECTS[store.dialect]
    label = type_of(store.model, node_id)
    events = d.union.join(t.name for t in store.model.event_types())
    match = f"MATCH (x:{label} {{id: $id}})-[r]-(e:{events}) OPTIONAL MATCH (e)-[:AT]->(p:Place) "
    params = {"id": node_id, "limit": limit}
    columns = _timeline_columns(d)
    if store.dialect == "neo4j":
        head = f"{match} WITH e, p ORDER BY e.time, e.id LIMIT $limit "
        return _packed_records(store, head, columns, params)
    returned = ", ".join(f"{expr} AS {name}" for name, expr in columns.items())
    return store.read(f"{match} RETURN {returned} ORDER BY time, id LIMIT $limit", params).records()


def _timeline_columns(d: Dialects) -> dict[str, str]:
    """A timeline row's columns over the event `e` and its place `p`."""
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
        "lat": "p.location_lat",
        "lon": "p.location_lon",
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
