"""The pieces of resolution on their own: names, constrained clustering, stable refs,
the decision log."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.resolve.cluster import (
    AMBIGUOUS,
    BLOCKED,
    LINKED,
    SEPARATED,
    Link,
    cluster,
    compatible_dates,
)
from ingest.resolve.decisions import Decision, DecisionError, DecisionLog, constraints
from ingest.resolve.names import name_parts, skeleton
from ingest.resolve.subjects import assign_refs


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Mara Altenveld", "Altenveld, Mara"),
        ("Mara Altenveld", "Altenveld Mara"),
        ("William Lindemaar", "Bill Lindemaar"),
        ("Aleksandr Gritsenkov", "Alexander Gritsenkov"),
        ("Bogdan Brisković", "BOGDAN BRISKOVIC"),
    ],
)
def test_name_variants_share_a_key(a: str, b: str) -> None:
    assert name_parts(a).tokens_key == name_parts(b).tokens_key


def test_transliterations_share_a_skeleton_and_initials_stay_initials() -> None:
    assert skeleton("hrytsenkov") == skeleton("gritsenkov")
    short = name_parts("Petra Z.")
    assert (short.given, short.surname, short.surname_initial) == ("petra", None, "z")
    assert name_parts("Олександр Гриценков").given == name_parts("Sasha").given == "alexander"


def test_groups_and_placeholders_are_not_names() -> None:
    assert name_parts("Xenia & Rosa").group
    assert name_parts("Mum and Dad").group
    assert name_parts("(owner of P0003-sms.xml)").folded is None
    assert name_parts("   ").folded is None


def test_dates_compatible_with_typos_and_swaps() -> None:
    assert compatible_dates("1990-03-04", "1990-03-05")
    assert compatible_dates("1990-03-04", "1990-04-03")
    assert not compatible_dates("1990-03-04", "1961-12-05")


def test_chaining_through_a_dateless_record_is_refused() -> None:
    """x (no date of birth) matches namesakes a and b born decades apart: x is
    ambiguous and a, b never meet; c (a's second flight) still joins a."""
    dobs = {"a": "1961-12-05", "b": "1986-05-14", "c": "1961-12-05", "x": None}
    links = [Link("a", "x", 0.97), Link("b", "x", 0.96), Link("a", "c", 0.99)]
    roots, outcome = cluster(list(dobs), links, dobs, 0.9)
    assert roots["a"] == roots["c"] != roots["b"]
    assert roots["x"] not in (roots["a"], roots["b"])
    assert outcome[("a", "x")] == outcome[("b", "x")] == AMBIGUOUS
    assert outcome[("a", "c")] == LINKED


def test_clusters_with_clashing_dates_are_not_joined() -> None:
    """a-b-d-c is a chain of good links, but a and c were born decades apart: the
    weakest link that would join them is refused."""
    dobs = {"a": "1961-12-05", "b": None, "d": None, "c": "1986-05-14"}
    links = [Link("a", "b", 0.99), Link("b", "d", 0.97), Link("c", "d", 0.95)]
    roots, outcome = cluster(list(dobs), links, dobs, 0.9)
    assert roots["a"] == roots["b"] == roots["d"] != roots["c"]
    assert outcome[("c", "d")] == BLOCKED


def test_analyst_walls_and_merges_override_the_model() -> None:
    log = [
        Decision("separate", "ana", "different voices", ["a"], ["b"], id="d1"),
        Decision("merge", "ana", "same passport photo", ["c"], ["d"], id="d2"),
    ]
    dobs: dict[str, str | None] = dict.fromkeys("abcd")
    links = [Link("a", "b", 0.999)]  # the model is sure; the analyst is not
    roots, outcome = cluster(list(dobs), links, dobs, 0.9, constraints(log))
    assert roots["a"] != roots["b"] and outcome[("a", "b")] == SEPARATED
    assert roots["c"] == roots["d"]  # no link at all, joined by decision


def test_refs_survive_growth_and_record_merges_and_splits() -> None:
    first, changes = assign_refs({"r1": ["p1", "p2"], "r2": ["p3"]}, {})
    assert {c.kind for c in changes} == {"created"}
    previous = {"p1": first["r1"], "p2": first["r1"], "p3": first["r2"]}
    grown, changes = assign_refs({"x": ["p1", "p2", "p4"], "y": ["p3"]}, previous)
    assert grown == {"x": first["r1"], "y": first["r2"]}
    assert [c.kind for c in changes] == ["grew"] or {c.kind for c in changes} == {"grew"}
    merged, changes = assign_refs({"x": ["p1", "p2", "p3"]}, previous)
    assert merged["x"] == first["r1"]
    assert any(
        c.kind == "merged" and c.ref == first["r2"] and c.other == first["r1"] for c in changes
    )
    split, changes = assign_refs(
        {"x": ["p1"], "y": ["p2"], "z": ["p3"]}, previous, frozenset(previous.values())
    )
    assert split["x"] == first["r1"] and split["y"] not in previous.values()
    assert any(c.kind == "split" and c.other == first["r1"] for c in changes)


def test_decision_log_undo_and_errors(tmp_path: Path) -> None:
    log = DecisionLog(tmp_path)
    merge = log.record(Decision("merge", "ana", "same passport", ["a"], ["b"]))
    assert merge.id and merge.at and [d.id for d in log.active()] == [merge.id]
    undo = log.record(Decision("undo", "bo", "photo was of the brother", undoes=merge.id))
    assert log.active() == []
    log.record(Decision("undo", "ana", "checked again", undoes=undo.id))
    assert [d.id for d in log.active()] == [merge.id]  # an undone undo restores
    with pytest.raises(DecisionError, match="reason"):
        log.record(Decision("merge", "ana", " ", ["a"], ["c"]))
    with pytest.raises(DecisionError, match="no decision"):
        log.record(Decision("undo", "ana", "x", undoes="decision-unknown"))
    with pytest.raises(DecisionError, match="share records"):
        log.record(Decision("separate", "ana", "x", ["a"], ["a"]))
    assert len(log.all()) == 3  # refused decisions leave no trace


def test_two_passports_are_two_people_unless_an_analyst_says_otherwise() -> None:
    dobs = {"a": "1963-04-24", "b": "1963-04-24"}
    docs = {"a": ["doc:passport:NL:NC1729317"], "b": ["doc:passport:DE:WC5865683"]}
    links = [Link("a", "b", 0.999)]
    roots, outcome = cluster(list(dobs), links, dobs, 0.9, None, docs)
    assert roots["a"] != roots["b"] and outcome[("a", "b")] == BLOCKED
    merged = constraints([Decision("merge", "ana", "dual national", ["a"], ["b"], id="d")])
    roots, _ = cluster(list(dobs), links, dobs, 0.9, merged, docs)
    assert roots["a"] == roots["b"]
