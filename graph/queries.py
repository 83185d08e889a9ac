"""Named queries: the one place their Cypher lives, per dialect where the dialects differ.

The dialects differ in three spots only: a node's label (`label(n)` vs `labels(n)[0]`),
a union of labels (`:A:B` vs `:A|B`), and a time window (a parameter that is an
interval on Ladybug and a duration built from seconds on Neo4j). Everything else is
shared text, and values always travel as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

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
    window: str  # expression for the co-presence window parameter

    def label_of(self, var: str) -> str:
        return self.label.format(v=var)


DIALECTS: dict[Dialect, Dialects] = {
    "embedded": Dialects(label="label({v})", union=":", window="$window"),
    "neo4j": Dialects(label="labels({v})[0]", union="|", window="duration({seconds: $window_s})"),
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
    """All stored columns of one node."""
    label = type_of(store.model, node_id)
    result = store.read(f"MATCH (n:{label} {{id: $id}}) RETURN n", {"id": node_id})
    if not result.rows:
        raise UnknownEntity(node_id)
    node = dict(result.rows[0][0])
    return {k: v for k, v in node.items() if not k.startswith("_")}


def timeline(store: GraphStore, node_id: str, limit: int = 1000) -> list[dict[str, Any]]:
    """Every event linked to the node, oldest first, with its place and provenance."""
    d = DIALECTS[store.dialect]
    label = type_of(store.model, node_id)
    events = d.union.join(t.name for t in store.model.event_types())
    cypher = (
        f"MATCH (x:{label} {{id: $id}})-[r]-(e:{events}) "
        "OPTIONAL MATCH (e)-[:AT]->(p:Place) "
        f"RETURN e.id AS id, {d.label_of('e')} AS kind, e.time AS time, "
        "e.time_offset_min AS offset_min, e.caption AS caption, e.label AS label, "
        "e.confidence AS confidence, e.plate_read AS plate_read, "
        "p.id AS place_id, p.caption AS place, p.location_lat AS lat, p.location_lon AS lon, "
        "e.batch_id AS batch_id, e.record_id AS record_id "
        "ORDER BY time, id LIMIT $limit"
    )
    return store.read(cypher, {"id": node_id, "limit": limit}).records()


def co_presence(
    store: GraphStore, node_id: str, window: timedelta = timedelta(minutes=10), limit: int = 50
) -> list[dict[str, Any]]:
    """Others observed at the same place within `window` of this node's sightings."""
    d = DIALECTS[store.dialect]
    label = type_of(store.model, node_id)
    observed = d.union.join(store.model.rel_type("OBSERVED").targets)
    # The WITH clauses fix the join order: this node's few sightings first, then the
    # other sightings at each place inside the window, and only then who they observed;
    # left to itself the embedded planner expands every sighting of the place first.
    cypher = (
        f"MATCH (x:{label} {{id: $id}})<-[:OBSERVED]-(s1:Sighting)-[:AT]->(p:Place) "
        "WITH p, s1.time AS t "
        "MATCH (p)<-[:AT]-(s2:Sighting) "
        f"WHERE s2.time >= t - {d.window} AND s2.time <= t + {d.window} "
        "WITH p, t, s2 "
        f"MATCH (s2)-[:OBSERVED]->(y:{observed}) WHERE y.id <> $id "
        f"RETURN y.id AS id, {d.label_of('y')} AS type, y.caption AS caption, "
        "count(*) AS times, count(DISTINCT p.id) AS places, "
        "min(t) AS first, max(t) AS last "
        "ORDER BY times DESC, id LIMIT $limit"
    )
    params = {"id": node_id, "limit": limit, "window": window, "window_s": window.total_seconds()}
    if store.dialect == "neo4j":
        params.pop("window")
    else:
        params.pop("window_s")
    return store.read(cypher, params).records()
