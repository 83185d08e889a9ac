"""Resolution over a real ledger of the scenario's person sources, against its ground truth.

The planted hard cases are the point: look-alikes (namesakes, a family phone) must stay
apart, variants of one person (transliteration, nickname, name order) must come together.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from graph.projection import project
from graph.store import GraphStore
from ingest.ledger import Ledger
from ingest.resolve.decisions import DecisionLog
from ingest.resolve.explain import ExplainError, explain
from ingest.resolve.run import resolve_ledger
from tests.ingest.resolve.conftest import Scenario


def _subjects_of(assignments: pd.DataFrame, name: str, connector: str | None = None) -> set[str]:
    rows = assignments[assignments.name == name]
    if connector:
        rows = rows[rows.connector.str.contains(connector)]
    assert len(rows), f"no profile named {name!r}"
    return set(rows.subject_ref)


def _case(scenario: Scenario, kind: str) -> dict:
    return next(c for c in scenario.truth["hard_cases"] if c["kind"] == kind)


def _nicknamed(scenario: Scenario) -> str:
    """The full name of the person whose phone books and social accounts say "Bill"."""
    case = _case(scenario, "nickname")
    assert "Bill" in case["variants"]
    return str(case["name"])


def test_namesakes_stay_apart_and_variants_join(ledger: Ledger, person_scenario: Scenario) -> None:
    assignments = resolve_ledger(ledger).assignments
    namesake = _case(person_scenario, "namesake")["name"]
    travellers = assignments[
        (assignments.name == namesake) & assignments.connector.str.contains("passenger")
    ]
    by_birth = travellers.groupby("birth_date").subject_ref.agg(set)
    assert len(by_birth) == 2  # two people born apart ...
    first, second = by_birth.tolist()
    assert not first & second  # ... never one subject
    # transliteration: the passport's Latin spelling and the Cyrillic mail name
    translit = _case(person_scenario, "transliteration")
    cyrillic = next(v for v in translit["variants"] if not v.isascii())
    assert _subjects_of(assignments, "Aleksandr Gritsenkov") == _subjects_of(assignments, cyrillic)
    # nickname and name order
    assert _subjects_of(assignments, _nicknamed(person_scenario)) == _subjects_of(
        assignments, "Bill", "sms"
    )
    given, surname = _case(person_scenario, "name_order")["name"].split(" ", 1)
    assert _subjects_of(assignments, f"{surname}, {given}") == _subjects_of(
        assignments, f"{surname} {given}", "passenger"
    )


def test_family_phone_joins_nobody(ledger: Ledger, person_scenario: Scenario) -> None:
    assignments = resolve_ledger(ledger).assignments
    number = "phone:" + _case(person_scenario, "family_phone")["number"]
    holders = assignments[[number in ids for ids in assignments.identifiers]]
    household = holders[holders.name.str.contains("&", na=False)]
    assert len(household)  # the phone book entry naming two people
    for ref in household.subject_ref:
        members = assignments[assignments.subject_ref == ref]
        assert set(members.name) == set(household.name)  # its subject holds nobody else


def test_rerun_is_a_no_op_and_new_records_keep_refs(ledger: Ledger) -> None:
    first = resolve_ledger(ledger)
    again = resolve_ledger(ledger)
    assert again.unchanged and again.manifest == first.manifest
    assert first.changes and all(c.kind == "created" for c in first.changes)
    assert first.subjects < first.profiles  # records did join


def test_decisions_override_and_undo(ledger: Ledger, person_scenario: Scenario) -> None:
    first = resolve_ledger(ledger).assignments
    [ref] = _subjects_of(first, _nicknamed(person_scenario))
    members = first[first.subject_ref == ref]
    nick = members[members.name == "Bill"].profile_id.iloc[0]
    rest = sorted(set(members.profile_id) - {nick})
    log = DecisionLog(ledger.root)
    from ingest.resolve.decisions import Decision

    split = log.record(Decision("split", "ana", "Bill is the son, not William", rest, [nick]))
    after = resolve_ledger(ledger).assignments.set_index("profile_id")
    assert after.at[nick, "subject_ref"] != ref
    assert after.at[rest[0], "subject_ref"] == ref  # the larger part keeps its ref
    assert after.at[nick, "method"] == "analyst" and after.at[nick, "decision"] == split.id
    text = "\n".join(explain(ledger, nick, rest[0]).lines())
    assert "different subjects" in text and split.id in text
    log.record(Decision("undo", "ana", "checked: it is William", undoes=split.id))
    back = resolve_ledger(ledger).assignments.set_index("profile_id")
    assert back.at[nick, "subject_ref"] == ref


def test_explanation_names_evidence_and_weights(ledger: Ledger, person_scenario: Scenario) -> None:
    assignments = resolve_ledger(ledger).assignments
    named = assignments[assignments.name == _nicknamed(person_scenario)]
    named_pair = named.sort_values("connector")
    lines = explain(ledger, named_pair.profile_id.iloc[0], named_pair.profile_id.iloc[-1]).lines()
    text = "\n".join(lines)
    assert "the same subject" in text
    assert "same full name" in text and "+18.9" in text
    with pytest.raises(ExplainError, match="dossier search"):
        explain(ledger, "nobody", named_pair.profile_id.iloc[0])


def test_a_resolution_by_another_model_is_not_explained_with_this_ones_levels(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = resolve_ledger(ledger).assignments.profile_id.iloc[0]
    monkeypatch.setattr("ingest.resolve.explain.MODEL_VERSION", "next")
    with pytest.raises(ExplainError, match="dossier resolve"):
        explain(ledger, profile, profile)


def test_resolution_projects_to_the_graph(
    ledger: Ledger, store: GraphStore, person_scenario: Scenario
) -> None:
    report = resolve_ledger(ledger)
    project(ledger, store)
    counts = store.counts()
    assert counts["Subject"] == report.subjects
    edges = store.read("MATCH (p)-[r:RESOLVED_AS]->(s:Subject) RETURN count(r)").rows[0][0]
    assert edges == report.profiles
    william = _nicknamed(person_scenario)
    row = store.read(
        "MATCH (p:Person {name: $name})-[r:RESOLVED_AS]->(s:Subject) "
        "RETURN s.records, r.method LIMIT 1",
        {"name": william},
    ).rows[0]
    assert row[0] > 3 and row[1] == "model"
    # a decision re-resolves; projecting replaces the old subjects, never adds to them
    from ingest.resolve.decisions import Decision

    # (records are chosen by what they say: profile ids hash the data's absolute path)
    a = report.assignments
    [ref] = _subjects_of(a, william)
    members = a[a.subject_ref == ref]
    bill = members[members.name == "Bill"].profile_id.iloc[0]
    rest = sorted(set(members.profile_id) - {bill})
    DecisionLog(ledger.root).record(Decision("split", "ana", "test", rest, [bill]))
    second = resolve_ledger(ledger)
    project(ledger, store)
    assert store.counts()["Subject"] == second.subjects > report.subjects
    edges = store.read("MATCH (p)-[r:RESOLVED_AS]->(s:Subject) RETURN count(r)").rows[0][0]
    assert edges == second.profiles
    moved = store.read(
        "MATCH ()-[r:RESOLVED_AS {profile_id: $bill}]->(s:Subject) RETURN s.records, r.method",
        {"bill": bill},
    ).rows
    assert moved == [[1, "analyst"]]


def test_ledger_without_people(tmp_path: Path) -> None:
    report = resolve_ledger(Ledger(tmp_path / "empty"))
    assert report.profiles == 0 and report.subjects == 0
