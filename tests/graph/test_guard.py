"""Analyst Cypher may read, never write, administer, or read files."""

from __future__ import annotations

import pytest

from graph.guard import QueryRefused, check_read_only


@pytest.mark.parametrize(
    "cypher",
    [
        "MATCH (v:Vehicle) RETURN v.plate LIMIT 5",
        "MATCH (s:Sighting)-[:AT]->(p:Place) WHERE s.label = 'set' RETURN p.name, count(*)",
        "MATCH (n) WHERE n.caption CONTAINS 'CREATE' RETURN n // DELETE in a comment",
        "CALL db.labels()",
        "CALL show_tables() RETURN *",
        "UNWIND [1,2] AS x WITH x RETURN x",
    ],
)
def test_reads_are_allowed(cypher: str) -> None:
    check_read_only(cypher)


@pytest.mark.parametrize(
    ("cypher", "reason"),
    [
        ("CREATE (n:Vehicle {id: 'x'})", "CREATE"),
        ("MATCH (n) DETACH DELETE n", "DELETE"),
        ("match (n) set n.x = 1", "SET"),
        ("MERGE (n:Place {id: 'p'})", "MERGE"),
        ("LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row", "LOAD"),
        ("LOAD FROM '/etc/passwd' RETURN *", "LOAD"),
        ("COPY Vehicle FROM '/tmp/x.csv'", "COPY"),
        ("CALL apoc.load.json('http://127.0.0.1/x')", "apoc.load.json"),
        ("CALL dbms.killQueries(['1'])", "dbms.killqueries"),
        ("MATCH (n) CALL { WITH n RETURN n } RETURN n", "subqueries"),
        ("DROP TABLE Vehicle", "DROP"),
        ("   ", "empty"),
        ("MATCH (n) REMOVE n.x", "REMOVE"),
        ("FOREACH (x IN [1] | CREATE ())", "CREATE"),
    ],
)
def test_writes_and_file_access_are_refused(cypher: str, reason: str) -> None:
    with pytest.raises(QueryRefused, match=reason):
        check_read_only(cypher)
