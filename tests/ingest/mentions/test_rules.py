"""The rules and the choice between overlapping findings, on plain strings."""

from __future__ import annotations

from datetime import UTC, datetime

from spacy.tokens import Span

from ingest.mentions.flights import Leg, flight_key
from ingest.mentions.flights import find as find_flights
from ingest.mentions.gazetteer import Gazetteer, build, fold, phrase_matcher
from ingest.mentions.nlp import known_names, load_pipeline, speaks
from ingest.mentions.reading import NodeRow, Text
from ingest.mentions.rules import blocked, find
from ingest.mentions.spans import Mention, Target, select
from schemas.model import default_model

WHEN = datetime(2024, 3, 14, tzinfo=UTC)


def _gazetteer(*nodes: NodeRow) -> Gazetteer:
    return build(default_model(), nodes, [])


def _found(text: str, gazetteer: Gazetteer, platform: str | None = None) -> list[Mention]:
    return select(
        find(Text("post-1", "Post", text, WHEN, platform, None), gazetteer), blocked(text)
    )


def _spans(text: str, found: list[Mention]) -> list[tuple[str, str]]:
    return [(m.label, text[m.start : m.end]) for m in found]


def test_identifiers_are_found_with_exact_offsets() -> None:
    text = "Mail bob+x@mail.example.com, call +44 20 7946 0958, ping @bob_1 or @ann@fedi.example."
    found = _found(text, _gazetteer(), platform="twitter")
    assert _spans(text, found) == [
        ("EMAIL", "bob+x@mail.example.com"),
        ("PHONE", "+44 20 7946 0958"),
        ("HANDLE", "@bob_1"),
        ("HANDLE", "@ann@fedi.example"),
    ]
    assert found[3].target.props == {"platform": "mastodon", "handle": "ann@fedi.example"}


def test_links_and_hashtags_hold_no_mentions() -> None:
    text = "see https://home.social/@ann/1 #ann@fedi.example #KL1234 C# &#64;bob"
    assert blocked(text) == [(4, 30), (31, 35), (49, 56)]
    assert _found(text, _gazetteer(), platform="twitter") == []


def test_national_numbers_and_unknown_plates_and_flights_are_not_guessed() -> None:
    text = "Call 020 7946 0958 about XY-99-ZZ on flight KL1234."
    assert _found(text, _gazetteer()) == []


def test_a_bare_handle_outside_a_platform_needs_a_known_account() -> None:
    text = "ask @carol"
    assert _found(text, _gazetteer()) == []
    carol = NodeRow("account-1", "Account", {"platform": "twitter", "handle": "carol"})
    [found] = _found(text, _gazetteer(carol))
    assert found.target == Target("Account", "account-1")


def test_plates_match_however_they_are_spaced_but_not_inside_words() -> None:
    car = NodeRow("vehicle-1", "Vehicle", {"plate": "AB123C", "country": "NL"})
    gazetteer = _gazetteer(car)
    for written in ("AB-123-C", "ab 123 c", "AB123C", "AB.123.C"):
        text = f"seen {written}, twice"
        assert _spans(text, _found(text, gazetteer)) == [("PLATE", written)]
    assert _found("seen XAB123C and AB--123-C", gazetteer) == []


def test_two_known_plates_in_other_countries_are_each_half_sure() -> None:
    cars = [NodeRow(f"vehicle-{c}", "Vehicle", {"plate": "AB123C", "country": c}) for c in "NB"]
    found = _found("AB123C", _gazetteer(*cars))
    assert [(m.target.id, m.confidence) for m in found] == [("vehicle-B", 0.4), ("vehicle-N", 0.4)]


def test_flight_numbers_normalise_like_manifests() -> None:
    assert flight_key("BA0437") == flight_key("BA 437") == flight_key("ba437") == "BA437"
    assert flight_key("12 34") is None and flight_key("KL0") is None


def test_a_flight_is_dated_only_by_a_date_on_its_own_line() -> None:
    may = datetime(2024, 5, 14, 6, tzinfo=UTC)
    legs = {"KL1234": [Leg("trip-may", may, frozenset({"person-1"}))]}

    def found(text: str) -> list[str]:
        post = Text("post-1", "Post", text, WHEN, None, None)
        return [m.target.id for m in find_flights(post, legs, {"person-1"})]

    assert found("KL1234 AMS-LHR departs 2024-05-14 06:00") == ["trip-may"]
    assert found("KL1234 AMS-LHR\nbooked 2024-05-14") == []  # undated; March is not May
    assert found("KL1234 on 2024-05-15") == []


def test_the_surer_method_wins_overlapping_text_and_urls_block_everything() -> None:
    target = Target("Person", "person-1")
    rule = Mention(0, 10, "PHONE", "rule", 0.95, Target("Phone", "phone-1"))
    guess = Mention(3, 14, "PERSON", "model", 0.3, target)
    known = Mention(20, 30, "PERSON", "gazetteer", 0.8, target)
    inner = Mention(20, 25, "PERSON", "gazetteer", 0.8, Target("Person", "person-2"))
    assert select([guess, inner, known, rule]) == [rule, known]
    assert select([rule, known], blocked=[(5, 22)]) == []


def test_names_match_folded_and_swapped_and_agreeing_models_raise_confidence() -> None:
    ana = NodeRow("person-1", "Person", {"name": "Brisković, Ana"})
    gazetteer = _gazetteer(ana)
    nlp = load_pipeline(None)
    matcher = phrase_matcher(nlp, gazetteer)
    doc = nlp("ANA BRISKOVIC and Ana Brisković, then brisković, ana")
    found = list(known_names(doc, matcher, gazetteer))
    assert [(doc.text[m.start : m.end], m.confidence) for m in found] == [
        ("ANA BRISKOVIC", 0.8),
        ("Ana Brisković", 0.8),
        ("brisković, ana", 0.8),
    ]
    doc.ents = [Span(doc, 0, 2, label="PERSON")]
    assert next(known_names(doc, matcher, gazetteer)).confidence == 0.95
    assert fold(" Jörg  Müller ") == "jorg muller"


def test_the_model_guesses_only_about_texts_in_its_language() -> None:
    nlp = load_pipeline(None)  # spacy.blank("en")
    assert speaks(nlp, "en", nlp("anything")) and not speaks(nlp, "ja", nlp("Tokyo"))
    for untagged in ("Your booking is confirmed.", "See you there"):
        assert speaks(nlp, None, nlp(untagged))
    for untagged in ("Kun je even bellen?", "消されるなこの思以下略", "Running late"):
        assert not speaks(nlp, None, nlp(untagged))
