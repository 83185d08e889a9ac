"""Relational evidence: ties read from the ledger, circles of contacts, and the second
pass that compares them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ingest.connectors.base import ReadOptions
from ingest.ledger import Ledger
from ingest.pipeline import ingest_paths
from ingest.resolve.prepare import model_input, with_circles
from ingest.resolve.profiles import read_profiles
from ingest.resolve.relations import (
    close_circles,
    contacts,
    export_owners,
    owner_endpoint,
    owner_numbers,
    read_relations,
    read_ties,
)
from ingest.resolve.run import _rescored
from ingest.resolve.scoring import score_pairs
from tests.ingest.resolve.conftest import Scenario


def test_owner_numbers_are_the_owners_phones(ledger: Ledger, person_scenario: Scenario) -> None:
    """A backup's own number is read from the other parties' backups of the same calls
    and messages; every number read is a phone of the person whose export it is."""
    phones = {
        Path(file).name: {p["number"] for p in identity["phones"]}
        for identity in person_scenario.truth["identities"]
        for value in identity["exports"].values()
        for file in ([value] if isinstance(value, str) else value)
    }
    found = owner_numbers(ledger)
    assert len(found) > 0
    for path, number in zip(found.source_path, found.number, strict=True):
        assert number.removeprefix("phone:") in phones[Path(path).name], path


def test_ties_join_identifiers_and_owners(ledger: Ledger) -> None:
    ties = read_ties(ledger)
    kinds = {end.split(":", 1)[0] for end in [*ties.x, *ties.y]}
    assert {"phone", "email", "twitter"} <= kinds
    assert (ties.x != ties.y).all() and (ties.events > 0).all()


def test_owners_named_by_the_analyst_are_known_by_their_edges(
    person_scenario: Scenario, tmp_path: Path
) -> None:
    """An owner named with --owner is no placeholder "(owner of FILE)": the mailbox's
    messages are KEPT_BY it and a location export's fixes LOCATED to it, and its
    addresses are one export owner's."""
    data = person_scenario.ledger_root.parent / "data"
    mailbox = sorted((data / "messages" / "mail").glob("*.mbox"))[0]
    track = sorted((data / "travel" / "gpx").glob("*.gpx"))[0]
    ledger = Ledger(tmp_path / "ledger")
    ingest_paths([mailbox, track], ledger, ReadOptions(owner="Lotte Rozenwaard"))
    relations, profiles = read_relations(ledger), read_profiles(ledger)
    owners = profiles.set_index(["source_path", "node_id"]).loc[
        list(zip(relations.owners.source_path, relations.owners.node_id, strict=True))
    ]
    assert sorted(Path(p).name for p, _node in owners.index) == [mailbox.name, track.name]
    assert set(owners.name) == {"Lotte Rozenwaard"}
    addresses = owners.identifiers.loc[str(mailbox)].iloc[0]
    assert addresses and all(a.startswith("email:") for a in addresses)
    assert frozenset(addresses) in export_owners(profiles, relations.numbers, relations.owners)


def test_empty_ledger_has_no_ties(tmp_path: Path) -> None:
    assert read_ties(Ledger(tmp_path / "empty")).empty


def test_circles_are_clusters_in_touch() -> None:
    ties = pd.DataFrame(
        {
            "x": ["phone:1", "phone:1", "twitter:a", owner_endpoint("f.xml", "person-9")],
            "y": ["email:b", "phone:2", "twitter:c", "phone:1"],
            "events": [1, 1, 1, 1],
        }
    )
    held = {
        "p1": ["phone:1"],
        "p2": ["twitter:a"],  # one cluster with p1
        "p3": ["email:b", "twitter:c"],
        "p4": ["phone:2"],
        "p5": [owner_endpoint("f.xml", "person-9")],
    }
    roots = {"p1": "r1", "p2": "r1", "p3": "r3", "p4": "r4", "p5": "r5"}
    circles = contacts(ties, held, roots)
    assert circles["r1"] == {"r3", "r4", "r5"}  # two profiles, one circle
    assert circles["r3"] == {"r1"}
    assert "r1" not in circles["r1"]


def test_close_circles_need_two_in_common_and_a_third_of_the_smaller() -> None:
    circles = {
        "a": frozenset({"x", "y", "z"}),
        "b": frozenset({"x", "y", "q", "r", "s", "t", "u"}),  # 2 of a's 3
        "c": frozenset({"x"} | {f"n{i}" for i in range(9)}),  # 1 in common
        "d": frozenset({"x", "y"} | {f"m{i}" for i in range(10)}),  # 2, too few of b's 7
    }
    close = close_circles(circles)
    assert ("a", "b") in close and ("a", "d") in close
    assert not any("c" in pair for pair in close)
    assert ("b", "d") not in close


def _frame(names: list[str | None], identifiers: list[list[str]]) -> pd.DataFrame:
    ids = [f"p{i}" for i in range(len(names))]
    frame, _alone = model_input(ids, names, [None] * len(ids), identifiers, [[]] * len(ids))
    return frame


def test_given_name_alone_joins_the_one_close_circle() -> None:
    """An alias account shown as "Amir" whose circle is Amir Lindemaar's joins him, not
    Amir Gaastwijk, whose circle is another; without the circles it joins nobody."""
    frame = _frame(
        ["Amir", "Amir Lindemaar", "Amir Gaastwijk"],
        [["twitter:nachtuil28"], ["phone:+31600000001"], ["phone:+31600000002"]],
    )
    roots = {"p0": "p0", "p1": "p1", "p2": "p2"}
    friends = frozenset({"f1", "f2", "f3", "f4"})
    circles = {
        "p0": friends,
        "p1": friends | {"f5", "f6"},
        "p2": frozenset({"g1", "g2", "g3", "f1"}),
    }
    second = with_circles(frame, roots, circles, close_circles(circles))
    assert list(second.circle_fits) == [1, 0, 0]
    scored = score_pairs(second, floor=0.0)
    pairs = zip(scored.unique_id_l, scored.unique_id_r, scored.match_probability, strict=True)
    best = {(a, b): p for a, b, p in pairs}
    assert best[("p0", "p1")] >= 0.9
    assert best.get(("p0", "p2"), 0.0) < 0.3
    assert score_pairs(frame, floor=0.3).empty  # the name alone says too little


def test_a_short_name_in_a_cluster_with_a_full_name_fits_nobody() -> None:
    """ "Carla" saved in a phone book and already joined to Carla Duinewater must not bridge
    her to Carla Wadderzee, however close their circles (a household shares friends)."""
    frame = _frame(
        ["Carla", "Carla Duinewater", "Carla Wadderzee"],
        [["phone:+31600000003"], ["phone:+31600000003"], ["phone:+31600000004"]],
    )
    roots = {"p0": "p1", "p1": "p1", "p2": "p2"}
    shared = frozenset({"f1", "f2", "f3", "f4"})
    circles = {"p1": shared, "p2": shared | {"f5"}}
    second = with_circles(frame, roots, circles, close_circles(circles))
    assert list(second.circle_fits) == [0, 0, 0]
    scored = score_pairs(second, floor=0.9)
    linked = set(zip(scored.unique_id_l, scored.unique_id_r, strict=True))
    assert ("p0", "p2") not in linked and ("p1", "p2") not in linked


def test_one_clusters_profiles_are_not_weighed_by_their_own_circle() -> None:
    frame = _frame(["Vera", "Vera Kampenhaag"], [["phone:+31600000005"], ["phone:+31600000005"]])
    circles = {"p0": frozenset({"a", "b", "c"})}
    second = with_circles(frame, {"p0": "p0", "p1": "p0"}, circles, [])
    scored = score_pairs(second, floor=0.0, keep_levels=True)
    assert list(scored.gamma_contacts) == [-1]  # the null level


def _kikis(circles: dict[str, frozenset[str]]) -> tuple[pd.DataFrame, dict[tuple[str, str], float]]:
    """An alias account shown as "Kiki" (p0) and two women called Kiki (p1, p2), each a
    cluster of their own with the given circles: the second pass, scored."""
    frame = _frame(
        ["Kiki", "Kiki Elzemond", "Kiki Altenveld"],
        [["twitter:polderrat15"], ["phone:+31600000011"], ["phone:+31600000012"]],
    )
    second = with_circles(frame, {p: p for p in circles}, circles, close_circles(circles))
    scored = score_pairs(second, floor=0.0)
    pairs = zip(scored.unique_id_l, scored.unique_id_r, scored.match_probability, strict=True)
    return second, {(a, b): p for a, b, p in pairs}


def test_the_clearly_closest_circle_chooses_among_namesakes() -> None:
    """Both Kikis' circles are close to the alias's (so neither is the one close circle),
    but Kiki Elzemond's holds all of it and Kiki Altenveld's only two: the alias is hers."""
    friends = frozenset({"f1", "f2", "f3", "f4"})
    second, best = _kikis(
        {
            "p0": friends,
            "p1": friends | {"f5", "f6"},
            "p2": frozenset({"f1", "f2", "g1", "g2"}),
        }
    )
    assert list(second.circle_fits) == [2, 0, 0]
    assert list(second.circle_pick) == ["p1", None, None]
    assert best[("p0", "p1")] >= 0.9
    assert best.get(("p0", "p2"), 0.0) < 0.3


def test_circles_that_tie_pick_nobody() -> None:
    """Two Kikis of one household share the alias's friends alike: no pick, no link."""
    friends = frozenset({"f1", "f2", "f3", "f4"})
    second, best = _kikis({"p0": friends, "p1": friends | {"f5"}, "p2": friends | {"f6"}})
    assert list(second.circle_pick) == [None, None, None]
    assert max(best.values()) < 0.9


def test_a_person_in_touch_with_the_alias_is_not_picked() -> None:
    """The alias mentions Kiki Altenveld, whose circle is its own: she is a friend, not
    the holder (nobody mentions themselves); Kiki Elzemond, with less in common, is."""
    friends = frozenset({"f1", "f2", "f3", "f4"})
    second, best = _kikis(
        {
            "p0": friends | {"p2"},
            "p1": friends | {"f7"},
            "p2": friends | {"p0", "f5"},
        }
    )
    assert list(second.circle_pick) == ["p1", None, None]
    assert best[("p0", "p1")] >= 0.9
    assert best.get(("p0", "p2"), 0.0) < 0.9


def test_a_surname_initial_narrows_the_pick() -> None:
    """ "Nils H." is not Nils Slootweide, however close his circle: no pick."""
    frame = _frame(
        ["Nils H.", "Nils Slootweide"], [["twitter:dijkwacht97"], ["phone:+31600000013"]]
    )
    friends = frozenset({"f1", "f2", "f3", "f4"})
    circles = {"p0": friends, "p1": friends | {"f5"}}
    second = with_circles(frame, {"p0": "p0", "p1": "p1"}, circles, close_circles(circles))
    assert list(second.circle_pick) == [None, None]


def test_a_later_pass_keeps_the_links_an_earlier_one_made() -> None:
    """A pass scores again the pairs between clusters; a pair that an earlier pass joined
    keeps its score (compared with the circle it now shares, its own, it would fall back
    to the first pass's score and come apart), and a pair between clusters that the new
    pass no longer scores at all is gone."""
    pairs = pd.DataFrame(
        {
            "unique_id_l": ["a", "a", "c"],
            "unique_id_r": ["b", "c", "d"],
            "match_probability": [0.97, 0.5, 0.4],
        }
    )
    rescored = pd.DataFrame(
        {"unique_id_l": ["a", "a"], "unique_id_r": ["b", "c"], "match_probability": [0.2, 0.95]}
    )
    roots = {"a": "a", "b": "a", "c": "c", "d": "d"}
    merged = _rescored(pairs, rescored, {"a", "b", "c", "d"}, roots)
    ids = zip(merged.unique_id_l, merged.unique_id_r, strict=True)
    found = dict(zip(ids, merged.match_probability, strict=True))
    assert found == {("a", "b"): 0.97, ("a", "c"): 0.95}


def _alias_scores(alias: str, handle: str) -> tuple[pd.DataFrame, dict[tuple[str, str], float]]:
    """An alias account (its display name repeats its handle) whose circle is Finn
    Zandmeer's, beside Femke Zandmeer, whose circle is another."""
    frame = _frame(
        [alias, "Finn Zandmeer", "Femke Zandmeer"],
        [[handle], ["phone:+31600000005"], ["phone:+31600000006"]],
    )
    roots = {"p0": "p0", "p1": "p1", "p2": "p2"}
    friends = frozenset({"f1", "f2", "f3", "f4"})
    circles = {"p0": friends, "p1": friends | {"f5"}, "p2": frozenset({"f1", "g1", "g2"})}
    second = with_circles(frame, roots, circles, close_circles(circles))
    scored = score_pairs(second, floor=0.0)
    pairs = zip(scored.unique_id_l, scored.unique_id_r, scored.match_probability, strict=True)
    return second, {(a, b): float(p) for a, b, p in pairs}


def test_an_alias_joins_the_person_its_circle_picks_where_its_handle_spells_the_name() -> None:
    """ "fzandmeer80" spells Finn and Femke Zandmeer alike; the circle picks Finn."""
    second, scores = _alias_scores("Fzandmeer", "twitter:fzandmeer80")
    assert list(second.circle_pick) == ["p1", None, None]
    assert scores[("p0", "p1")] >= 0.9
    assert scores.get(("p0", "p2"), 0.0) < 0.3


def test_an_alias_without_a_name_is_not_joined_on_its_circle_alone() -> None:
    """The pick is measured on too few towns to outweigh the prior by itself."""
    second, scores = _alias_scores("Kadeloper", "twitter:kadeloper60")
    assert list(second.circle_pick) == ["p1", None, None]
    assert 0.0 < scores[("p0", "p1")] < 0.9
