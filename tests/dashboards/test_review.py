"""Link review and resolved subjects, on a real ledger, a real resolution and a real graph
(embedded and Neo4j: see `backend` in conftest.py).

The people, in three source files: a passenger manifest names "Petra Zandmeer" (born
1990-04-12, phone PHONE) and "Jan de Vries"; a contact list has "Petra Z" with the same
phone but a birthday of 1985-07-30; a booking names "Petra Zandmeijer" and nothing else.
The model scores Zandmeer / Zandmeijer 0.91 (a surname spelt differently, just over the
threshold: linked) and Zandmeer / Petra Z 0.99 (a shared phone outweighs the initial, but
the dates of birth disagree: clustering blocks the link). Both wait for review, the first
more uncertain; Jan de Vries is compared with no one. The booking also puts Petra
Zandmeijer on a flight, and a call log holds a call from PHONE: the events a subject's
page gathers through its records and identifiers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path

import pytest
import streamlit as st

from dashboards import data, linking_data
from dashboards.context import AppContext
from dossier.settings import load_settings
from dossier.workspace import Workspace as AppWorkspace
from graph import queries
from ingest.ledger import Ledger
from ingest.records import RecordBuilder, SourceRecord
from ingest.resolve.decisions import DecisionLog
from ingest.resolve.run import latest_tables, resolve_ledger
from schemas.errors import DossierError
from schemas.model import default_model
from tests.dashboards.conftest import (
    ANALYST,
    Backend,
    Template,
    Workspace,
    make_template,
    set_env,
    workspace_from,
    write_batch,
    write_records,
)
from tests.dashboards.test_app_logic import open_entity, search, start, texts

REVIEW_PAGE = "../dashboards/pages/review.py"  # relative to the main script, for AppTest
PHONE = "+31612345678"
REASON = "different passengers on the same booking"


@dataclass(frozen=True)
class Named:
    name: str
    birth_date: str | None
    phone: str | None
    file: str
    connector: str
    flight: str | None = None


PEOPLE = (
    Named("Petra Zandmeer", "1990-04-12", PHONE, "manifest.csv", "test-manifest"),
    Named("Jan de Vries", "1970-01-01", None, "manifest.csv", "test-manifest"),
    Named("Petra Z", "1985-07-30", PHONE, "contacts.csv", "test-contacts"),
    Named("Petra Zandmeijer", None, None, "booking.csv", "test-booking", flight="KL1234"),
)
FLIGHT_TIME = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)
CALL_TIME = datetime(2026, 3, 3, 18, 5, tzinfo=UTC)


def person_record(person: Named, line: int) -> SourceRecord:
    raw = f"{person.name},{person.birth_date or ''},{person.phone or ''}"
    builder = RecordBuilder(default_model(), person.connector, f"line {line}", raw)
    born = {"birth_date": person.birth_date} if person.birth_date else {}
    node = builder.entity("Person", name=person.name, **born)
    if person.phone:
        builder.link("USES", node, builder.entity("Phone", number=person.phone))
    if person.flight:
        trip = builder.event("Trip", person.flight, time=FLIGHT_TIME, mode="flight")
        builder.link("PASSENGER", trip, node)
    return builder.build()


def call_record() -> SourceRecord:
    raw = f"{CALL_TIME.isoformat()},{PHONE},+31699999999"
    builder = RecordBuilder(default_model(), "test-calls", "line 2", raw)
    call = builder.event("Communication", "call-1", time=CALL_TIME, channel="call")
    builder.link("FROM", call, builder.entity("Phone", number=PHONE))
    builder.link("TO", call, builder.entity("Phone", number="+31699999999"))
    return builder.build()


def add_people(root: Path) -> None:
    """Ingest the people's files and resolve them, as `dossier ingest` and `dossier resolve`
    leave the ledger (the graph is loaded from it afterwards)."""
    ledger = Ledger(root / "ledger")
    exports = root / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    for file, group in groupby(PEOPLE, key=lambda p: p.file):
        people = list(group)
        records = [person_record(p, n) for n, p in enumerate(people, start=2)]
        text = "\n".join(r.raw for r in records) + "\n"
        write_batch(ledger, exports / file, text, people[0].connector, records)
    call = call_record()
    write_batch(ledger, exports / "calls.csv", call.raw + "\n", "test-calls", [call])
    resolve_ledger(ledger)


def resolved_template(root: Path) -> Template:
    """The vehicle records and the people, resolved: the workspace the review starts from."""
    raw_lines = write_records(root)
    add_people(root)
    return make_template(root, raw_lines)


def profiles(workspace: Workspace) -> dict[str, dict[str, str]]:
    """Name -> profile_id, node_id and subject_ref in the latest resolution."""
    tables = latest_tables(Ledger(workspace.root / "ledger"))
    assert tables is not None
    rows = tables["assignments"][["name", "profile_id", "node_id", "subject_ref"]]
    return {str(r.pop("name")): r for r in rows.to_dict("records")}


def audit_entries(workspace: Workspace) -> list[dict[str, object]]:
    lines = workspace.audit_path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def resolved(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return resolved_template(tmp_path_factory.mktemp("resolved") / "workspace")


@pytest.fixture
def people(resolved: Template, backend: Backend, tmp_path: Path) -> Workspace:
    return workspace_from(resolved, tmp_path / "workspace", backend)


Reopen = Callable[[], AppContext]


@pytest.fixture
def app(people: Workspace) -> Iterator[Reopen]:
    """Hand the data module a context as the app's composition root builds it (the graph of
    the workspace's settings, opened read-only; the workspace's ledger and audit trail); call
    again after a decision to see the updated graph, as the app does on its next run."""
    with ExitStack() as opened:

        def use() -> AppContext:
            context = open_context(people, opened)
            data.use(context)
            st.session_state.clear()  # a new visit: views are audited again
            return context

        use()
        yield use


def open_context(workspace: Workspace, opened: ExitStack) -> AppContext:
    """The AppContext `dossier/streamlit_main.py` builds from the workspace's settings."""
    settings = load_settings(workspace.env())
    app_workspace = AppWorkspace(settings)
    store = opened.enter_context(app_workspace.graph(read_only=True))
    return AppContext(store, app_workspace.ledger, app_workspace.audit, settings.graph, ANALYST)


# --- the data functions ----------------------------------------------------------------------


def test_queue_lists_pairs_near_the_threshold_most_uncertain_first(
    people: Workspace, app: Reopen
) -> None:
    queue = linking_data.review_queue()
    assert queue is not None
    ids = profiles(people)
    found = [
        ({a, b}, outcome) for a, b, outcome in zip(queue.a, queue.b, queue.outcome, strict=True)
    ]
    zandmeer, zandmeijer, petra_z = (
        ids[n]["profile_id"] for n in ("Petra Zandmeer", "Petra Zandmeijer", "Petra Z")
    )
    assert found == [({zandmeer, zandmeijer}, "linked"), ({zandmeer, petra_z}, "blocked")]
    assert list(queue.probability.round(2)) == [0.91, 0.99]
    assert ("view_review", 2) in [(e["action"], e.get("pairs")) for e in audit_entries(people)]


def test_evidence_sets_the_records_side_by_side(people: Workspace, app: Reopen) -> None:
    ids = profiles(people)
    a, b = ids["Petra Zandmeer"]["profile_id"], ids["Petra Z"]["profile_id"]
    evidence = linking_data.pair_evidence(a, b)
    assert (evidence.a["name"], evidence.b["name"]) == ("Petra Zandmeer", "Petra Z")
    assert (evidence.a["birth_date"], evidence.b["birth_date"]) == ("1990-04-12", "1985-07-30")
    assert evidence.a["source_path"].endswith("manifest.csv")
    assert (evidence.a["connector"], evidence.b["connector"]) == ("test-manifest", "test-contacts")
    assert evidence.a["identifiers"] == evidence.b["identifiers"] == [f"phone:{PHONE}"]
    assert evidence.shared == [f"phone:{PHONE}"]
    assert evidence.outcome == "blocked"
    assert evidence.probability == pytest.approx(0.987, abs=0.001)
    levels = dict(zip(evidence.levels.comparison, evidence.levels.evidence, strict=True))
    comparisons = ["prior", "name", "dob", "ids", "docs", "address", "handle", "contacts"]
    assert list(levels) == comparisons
    assert levels["dob"] == "different dates of birth"
    weights = evidence.levels.weight.dropna()
    assert weights.sum() == pytest.approx(6.26, abs=0.01)  # the match weight: log2 odds
    explained = [e for e in audit_entries(people) if e["action"] == "explain"]
    assert [(e["a"], e["b"]) for e in explained] == [(a, b)]


def test_keep_apart_is_recorded_and_applied(people: Workspace, app: Reopen) -> None:
    ids = profiles(people)
    a, b = ids["Petra Zandmeer"], ids["Petra Zandmeijer"]
    assert a["subject_ref"] == b["subject_ref"]
    applied = linking_data.decide(
        "separate", a["profile_id"], b["profile_id"], " booked by an agent "
    )
    assert not applied.together
    assert applied.batches == 1  # the new resolution batch went into the graph
    [decision] = DecisionLog(people.root / "ledger").all()
    assert (decision.kind, decision.analyst, decision.reason) == ("separate", ANALYST,
                                                                  "booked by an agent")  # fmt: skip
    assert (decision.profiles_a, decision.profiles_b) == ([a["profile_id"]], [b["profile_id"]])
    after = profiles(people)
    assert after["Petra Zandmeer"]["subject_ref"] != after["Petra Zandmeijer"]["subject_ref"]
    decided = [e for e in audit_entries(people) if e["action"] == "decide"]
    assert [(e["decision"], e["analyst"]) for e in decided] == [(decision.id, ANALYST)]

    context = app()  # the app's next run: a fresh graph
    queue = linking_data.review_queue()
    assert queue is not None and len(queue) == 1  # the decided pair left the queue
    [subject] = linking_data.resolution(a["node_id"]) or []
    assert subject.others.empty
    assert subject.ref == after["Petra Zandmeer"]["subject_ref"]
    node = queries.get_node(context.store, a["node_id"])
    assert node["name"] == "Petra Zandmeer"


def test_merge_joins_the_subjects_in_the_graph(people: Workspace, app: Reopen) -> None:
    ids = profiles(people)
    a, b = ids["Petra Z"], ids["Petra Zandmeer"]
    assert a["subject_ref"] != b["subject_ref"]
    applied = linking_data.decide(
        "merge", a["profile_id"], b["profile_id"], "same phone, typo in date"
    )
    assert applied.together

    context = app()
    [subject] = linking_data.resolution(a["node_id"]) or []
    assert subject.records == 3  # Zandmeijer stays linked to Zandmeer
    assert sorted(subject.others.caption) == ["Petra Zandmeer", "Petra Zandmeijer"]
    assert subject.placed.method.tolist() == ["analyst"]
    assert "merge by test-analyst" in subject.placed.decision.iloc[0]
    graph_subject = queries.get_node(context.store, subject.id)
    assert (graph_subject["ref"], graph_subject["records"]) == (subject.ref, 3)
    queue = linking_data.review_queue()
    assert queue is not None  # the merged pair left it; Zandmeer / Zandmeijer is still open
    assert [{*pair} for pair in zip(queue.a, queue.b, strict=True)] == [
        {ids["Petra Zandmeer"]["profile_id"], ids["Petra Zandmeijer"]["profile_id"]}
    ]


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_decision_needs_a_reason(people: Workspace, app: Reopen, reason: str) -> None:
    ids = profiles(people)
    pz, jan = ids["Petra Z"]["profile_id"], ids["Jan de Vries"]["profile_id"]
    with pytest.raises(linking_data.ReasonMissing):
        linking_data.decide("separate", pz, jan, reason)
    with pytest.raises(DossierError, match="unknown decision"):
        linking_data.decide("split", pz, jan, "x")
    assert DecisionLog(people.root / "ledger").all() == []


def test_subject_lists_its_member_records_with_sources(people: Workspace, app: Reopen) -> None:
    ref = profiles(people)["Petra Zandmeer"]["subject_ref"]
    members = linking_data.subject_members(ref)
    assert sorted(members.caption) == ["Petra Zandmeer", "Petra Zandmeijer"]
    sources = {Path(p).name: c for p, c in zip(members.source_path, members.connector, strict=True)}
    assert sources == {"manifest.csv": "test-manifest", "booking.csv": "test-booking"}
    assert set(members.method) == {"model"}
    assert members.probability.tolist() == pytest.approx([0.909, 0.909], abs=0.001)


def test_nothing_to_review_before_resolution(workspace: Workspace) -> None:
    with ExitStack() as opened:
        data.use(open_context(workspace, opened))
        assert linking_data.review_queue() is None
        assert linking_data.resolution(workspace.vehicle_id) is None


# --- the pages, through AppTest --------------------------------------------------------------


@pytest.fixture
def people_env(people: Workspace, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    set_env(people, monkeypatch)
    return people


def test_review_page_keeps_a_pair_apart(people_env: Workspace) -> None:
    at = start()
    at.switch_page(REVIEW_PAGE).run()
    assert not at.exception, at.exception
    headers = [t for t in texts(at) if " · probability " in t]
    assert len(headers) == 2  # most uncertain first
    assert "Petra Zandmeijer" in headers[0]
    assert "**0.909** (match weight +3.3) · linked" in headers[0]
    assert "**Petra Z**" in headers[1] and "**0.987** (match weight +6.3) · blocked" in headers[1]
    assert len(at.table) == 4  # per pair: the records side by side, the comparisons
    ids = profiles(people_env)
    a, b = ids["Petra Zandmeijer"]["profile_id"], ids["Petra Zandmeer"]["profile_id"]
    a, b = sorted((a, b))  # pairs come as Splink lists them: ids in order
    at.button(key=f"apart-{a}-{b}").click().run()
    assert "Not recorded: give a reason" in at.error[0].value
    assert not (people_env.root / "ledger" / "decisions.jsonl").exists()

    at.text_input(key=f"reason-{a}-{b}").input(REASON)
    at.button(key=f"apart-{a}-{b}").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("Kept apart: ")
    assert "now in different subjects" in at.success[0].value
    [decision] = DecisionLog(people_env.root / "ledger").all()
    assert (decision.kind, decision.reason) == (
        "separate",
        "different passengers on the same booking",
    )
    left = [str(button.key) for button in at.button if str(button.key).startswith("apart-")]
    assert len(left) == 1 and left != [f"apart-{a}-{b}"]  # the decided pair left the queue


def test_entity_page_shows_the_resolved_subject(people_env: Workspace) -> None:
    ids = profiles(people_env)
    person = ids["Petra Zandmeer"]
    at = open_entity(start(), person["node_id"])
    assert "Resolved subject" in [s.value for s in at.subheader]
    assert any(f"subject `{person['subject_ref']}` · 2 record(s)" in t for t in texts(at))
    assert "Petra Zandmeijer" in texts(at)  # the subject's other record
    at.button(key=f"open-{person['subject_ref']}").click().run()
    assert not at.exception, at.exception
    assert at.query_params["id"].startswith("subject-")
    assert "Member records" in [s.value for s in at.subheader]
    assert {"Petra Zandmeer", "Petra Zandmeijer"} <= set(texts(at))


def test_subject_page_gathers_the_events_of_its_records(people_env: Workspace) -> None:
    ref = profiles(people_env)["Petra Zandmeer"]["subject_ref"]
    subject_id = default_model().entity_id("Subject", {"ref": ref})
    at = open_entity(start(), subject_id)
    assert "Timeline" in [s.value for s in at.subheader]
    assert "2 of 2 events" in texts(at)
    through = at.multiselect(key=f"through-{subject_id}")
    assert sorted(through.options) == [PHONE, "Petra Zandmeijer"]
    sources = at.dataframe[-1].value
    assert list(zip(sources["linked as"], sources["through"], strict=True)) == [
        ("FROM", PHONE), ("PASSENGER", "Petra Zandmeijer"),
    ]  # fmt: skip
    assert "Associates" in [s.value for s in at.subheader]
    assert {"+31699999999", "call 1"} <= set(texts(at))  # the number Petra called
    through.unselect(PHONE).run()
    assert not at.exception, at.exception
    assert "1 of 2 events" in texts(at)
    assert list(at.dataframe[-1].value["kind"]) == ["Trip"]


def test_search_finds_subjects(people_env: Workspace) -> None:
    at = search(start(), "zandme")  # the subject is named after one of its two records
    assert sorted(t for t in texts(at) if t in ("Person", "Subject")) == [
        "Person", "Person", "Subject",
    ]  # fmt: skip
    subject = next(b for b in at.button if str(b.key).startswith("result-subject-"))
    subject.click().run()
    assert not at.exception, at.exception
    assert any(t.startswith("Subject · ") for t in texts(at))
    assert "Member records" in [s.value for s in at.subheader]
