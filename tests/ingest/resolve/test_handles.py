"""Handles as evidence: a handle that spells a name, one reused across platforms, and
identifiers of kinds the other profile lacks, which say nothing either way."""

from __future__ import annotations

import pytest

from ingest.resolve.explain import _levels
from ingest.resolve.names import handle_of, name_parts, spellings
from ingest.resolve.prepare import model_input
from ingest.resolve.run import REVIEW_FLOOR, THRESHOLD
from ingest.resolve.scoring import score_pairs


@pytest.mark.parametrize(
    ("identifier", "text", "stem"),
    [
        ("twitter:ealtenvel72", "ealtenvel72", "ealtenvel"),
        ("mastodon:eva_alte@social.example", "evaalte", "evaalte"),
        ("email:a.gritsenkov@post.example.net", "agritsenkov", "agritsenkov"),
    ],
)
def test_handles_of_accounts_and_mail_addresses(identifier: str, text: str, stem: str) -> None:
    handle = handle_of(identifier)
    assert handle is not None
    assert (handle.text, handle.stem) == (text, stem)


def test_phones_and_short_handles_have_none() -> None:
    assert handle_of("phone:+31612345678") is None
    assert handle_of("twitter:bo12") is None  # two letters reveal nobody


def test_spellings_need_four_letters_of_the_surname() -> None:
    spelt = spellings(name_parts("Bill Bosscheraad"))
    assert {"bbossc", "billboss", "williamboss", "bbosscheraad"} <= spelt
    assert "bbos" not in spelt and "bill" not in spelt
    assert spellings(name_parts("Eva A.")) == set()


Row = tuple[str, str | None, list[str]] | tuple[str, str | None, list[str], str]


def _probabilities(rows: list[Row]) -> dict[tuple[str, str], float]:
    ids = [r[0] for r in rows]
    names = [r[1] for r in rows]
    identifiers = [r[2] for r in rows]
    births = [r[3] if len(r) > 3 else None for r in rows]
    frame, alone = model_input(ids, names, births, identifiers, [[]] * len(ids))
    assert alone == []
    pairs = score_pairs(frame, floor=0.0)
    return {
        (a, b): float(p)
        for a, b, p in zip(
            pairs.unique_id_l, pairs.unique_id_r, pairs.match_probability, strict=True
        )
    }


def test_a_handle_that_spells_the_name_links_an_account_to_its_holder() -> None:
    scores = _probabilities(
        [
            ("mail", "Eva Altenveld", ["email:eva.altenveld@mail.example"]),
            ("tweets", "Eva A.", ["twitter:ealtenvel72"]),
            ("toots", "Baltenvel", ["mastodon:baltenvel67@social.example"]),
            ("brother", "Bram Altenveld", ["phone:+31695183532"]),
        ]
    )
    assert scores[("mail", "tweets")] >= THRESHOLD
    # a display name that only repeats the handle is no name, and the handle spells Bram
    assert scores[("brother", "toots")] >= THRESHOLD
    assert scores.get(("brother", "tweets"), 0.0) < THRESHOLD  # "Eva A." is not Bram


def test_a_spelt_name_that_namesakes_carry_proves_little() -> None:
    scores = _probabilities(
        [
            ("traveller", "Xenia Wadderzee", [], "1969-08-17"),
            ("namesake", "Xenia Wadderzee", [], "1991-02-03"),
            ("tweets", "Xenia", ["twitter:xwadderzee90"]),
        ]
    )
    assert scores[("traveller", "tweets")] < THRESHOLD
    assert scores[("namesake", "tweets")] < THRESHOLD


def test_the_same_handle_on_two_platforms_links_and_other_kinds_cost_nothing() -> None:
    scores = _probabilities(
        [
            ("tweets", "Yvlietmon", ["twitter:yvlietmon69"]),
            ("toots", "Yvlietmon", ["mastodon:yvlietmon69@social.example"]),
            ("phone", "Quinn Duinewater", ["phone:+31684466234"]),
            ("tweets2", "Quinn Duinewater", ["twitter:kadeloper60"]),
        ]
    )
    assert scores[("toots", "tweets")] >= THRESHOLD
    # a full name carried by one person; a phone against an account costs nothing
    assert scores[("phone", "tweets2")] >= THRESHOLD


def test_a_handle_that_spells_two_people_links_neither() -> None:
    scores = _probabilities(
        [
            ("sister", "Anouk Noorderhuis", ["phone:+31611111111"]),
            ("brother", "Amir Noorderhuis", ["phone:+31622222222"]),
            ("tweets", "Anoorderh", ["twitter:anoorderh77"]),
        ]
    )
    assert scores[("brother", "tweets")] < THRESHOLD
    assert scores[("sister", "tweets")] < THRESHOLD


def test_a_handle_transliterating_the_surname_spells_the_name() -> None:
    scores = _probabilities(
        [
            ("mail", "Aleksandr Gritsenkov", ["email:a.gritsenkov@inbox.example.org"]),
            ("tweets", "Alexander G.", ["twitter:oleksandr_hryt"]),
        ]
    )
    assert scores[("mail", "tweets")] >= THRESHOLD


def test_the_given_name_shown_picks_among_the_names_a_handle_spells() -> None:
    scores = _probabilities(
        [
            ("brother", "Hugo Uitenbroek", ["phone:+31611111111"]),
            ("sister", "Hanna Uitenbroek", ["phone:+31622222222"]),
            ("toots", "Hugo U.", ["mastodon:huitenbro82@social.example"]),
        ]
    )
    assert scores[("brother", "toots")] >= THRESHOLD
    assert scores.get(("sister", "toots"), 0.0) < REVIEW_FLOOR


def test_a_handle_spelling_a_name_with_another_given_name_does_not_link() -> None:
    scores = _probabilities(
        [
            ("joris", "Joris Zwanenkamp", ["phone:+31611111111"]),
            ("tweets", "Jesse", ["twitter:jzwanenka75"]),
        ]
    )
    assert scores.get(("joris", "tweets"), 0.0) < REVIEW_FLOOR


def test_a_given_name_and_initial_that_one_known_person_fits_is_for_review() -> None:
    alone = _probabilities(
        [
            ("mail", "Yara Holtekamp", ["email:yara.holtekamp@post.example.net"]),
            ("tweets", "Yara H.", ["twitter:dijkwacht32"]),
        ]
    )
    assert REVIEW_FLOOR <= alone[("mail", "tweets")] < THRESHOLD
    two = _probabilities(
        [
            ("mail", "Yara Holtekamp", ["email:yara.holtekamp@post.example.net"]),
            ("other", "Yara Hagenvlier", ["email:yhagenvlier@mail.example"]),
            ("tweets", "Yara H.", ["twitter:dijkwacht32"]),
        ]
    )
    assert two.get(("mail", "tweets"), 0.0) < REVIEW_FLOOR
    assert two.get(("other", "tweets"), 0.0) < REVIEW_FLOOR


def test_explanations_name_the_new_levels() -> None:
    labels = {label for label, _weight in _levels()["name"].values()}
    assert "same given name and surname initial, the one known person who fits" in labels
