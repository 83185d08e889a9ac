"""How many people carry a name: namesakes that no record gives a date of birth are told
apart by the owners of personal exports and by circles of contacts far apart, and one
person's records still come together."""

from __future__ import annotations

import pandas as pd

from ingest.resolve.carriers import CIRCLE_LEAST, apart
from ingest.resolve.prepare import model_input
from ingest.resolve.relations import export_owners
from ingest.resolve.run import THRESHOLD
from ingest.resolve.scoring import score_pairs

Row = tuple[str, str | None, list[str]]


def _scored(rows: list[Row], owners: list[set[str]]) -> tuple[pd.DataFrame, dict]:
    ids = [r[0] for r in rows]
    frame, _alone = model_input(
        ids,
        [r[1] for r in rows],
        [None] * len(ids),
        [r[2] for r in rows],
        [[]] * len(ids),
        owners=owners,
    )
    pairs = score_pairs(frame, floor=0.0)
    scores = zip(pairs.unique_id_l, pairs.unique_id_r, pairs.match_probability, strict=True)
    return frame.set_index("unique_id"), {(a, b): float(p) for a, b, p in scores}


def test_namesakes_owning_two_mailboxes_stay_apart() -> None:
    """Two Wout Moerkapels, neither with a date of birth: each owns a mailbox with an
    address of his own, so the name is two people's and proves too little alone."""
    frame, scores = _scored(
        [
            ("a-mail", "Wout Moerkapel", ["email:woutmoe@mail.example"]),
            ("a-phone", "Wout Moerkapel", ["phone:+31659364192"]),
            ("b-mail", "Wout Moerkapel", ["email:wmoerkapel@post.example.net"]),
        ],
        owners=[{"email:woutmoe@mail.example"}, {"email:wmoerkapel@post.example.net"}],
    )
    assert set(frame.name_people) == {2}
    assert scores.get(("a-mail", "b-mail"), 0.0) < THRESHOLD
    assert scores.get(("a-phone", "b-mail"), 0.0) < THRESHOLD


def test_namesakes_owning_two_phone_backups_stay_apart() -> None:
    """The numbers other backups show for two backups' owners differ: two people. A
    mailbox's owner may be either of them, so it adds no third."""
    frame, scores = _scored(
        [
            ("a", "Anouk Moerkapel", ["phone:+31618142602"]),
            ("b", "Anouk Moerkapel", ["phone:+31685685591"]),
            ("b-mail", "Anouk Moerkapel", ["email:anoukmoe@inbox.example.org"]),
        ],
        owners=[
            {"phone:+31618142602"},
            {"phone:+31685685591"},
            {"email:anoukmoe@inbox.example.org"},
        ],
    )
    assert set(frame.name_people) == {2}
    assert scores.get(("a", "b"), 0.0) < THRESHOLD
    assert scores.get(("a", "b-mail"), 0.0) < THRESHOLD


def test_one_person_on_several_records_still_joins() -> None:
    """Lotte's mailbox holds both her addresses, and her phone's SMS and call backups show
    one number: however many exports, one person carries the name, and it joins her
    records of every kind."""
    rows: list[Row] = [
        ("home", "Lotte Rozenwaard", ["email:lotteroz@mail.example"]),
        ("work", "Lotte Rozenwaard", ["email:lotte.rozenwaard@depot-wadderzee.example"]),
        ("phone", "Lotte Rozenwaard", ["phone:+31685607875"]),
        ("tweets", "Lotte Rozenwaard", ["twitter:zwerfkei42"]),
    ]
    mailbox = {"email:lotteroz@mail.example", "email:lotte.rozenwaard@depot-wadderzee.example"}
    frame, scores = _scored(rows, [mailbox, {"phone:+31685607875"}, {"phone:+31685607875"}])
    assert set(frame.name_people) == {1}
    ids = [r[0] for r in rows]
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            assert scores[min(a, b), max(a, b)] >= THRESHOLD, (a, b)


def test_export_owners_are_the_marked_owners_and_the_numbers_backups_show() -> None:
    """The owner of a mailbox is the Person its messages are KEPT_BY, whatever its name
    (here one the analyst gave with --owner); a mailbox read before connectors marked
    owners still names its owner by the placeholder."""
    profiles = pd.DataFrame(
        [
            ("/x/P1.mbox", "n1", "Wout Moerkapel", ["email:a@x", "email:b@x"]),
            ("/x/P1.mbox", "n2", "Bram", ["email:c@x"]),
            ("/x/P2-sms.xml", "n3", "(owner of P2-sms.xml)", []),
            ("/x/P2-sms.xml", "n4", "Eva", ["phone:+312"]),
            ("/x/P3.mbox", "n5", "(owner of P3.mbox)", ["email:d@x"]),
        ],
        columns=["source_path", "node_id", "name", "identifiers"],
    )
    numbers = pd.DataFrame({"source_path": ["/x/P2-sms.xml"], "number": ["phone:+311"]})
    marked = pd.DataFrame({"source_path": ["/x/P1.mbox", "/x/P2-sms.xml"], "node_id": ["n1", "n3"]})
    owners = export_owners(profiles, numbers, marked)
    assert sorted(owners, key=sorted) == [
        frozenset({"email:a@x", "email:b@x"}),
        frozenset({"email:d@x"}),
        frozenset({"phone:+311"}),
    ]
    assert frozenset({"email:a@x", "email:b@x"}) not in export_owners(profiles, numbers)


GIVEN = ["Anna", "Bram", "Cas", "Dewi", "Eva", "Gijs", "Hugo", "Ilse"]


def _friends(surname: str, kind: str) -> list[Row]:
    """Eight friends of one family name, each with an identifier of `kind`."""
    return [
        (f"{surname}-{kind}-{i}", f"{given} {surname}", [f"{kind}:{surname.lower()}{i}"])
        for i, given in enumerate(GIVEN)
    ]


def _ties(ident: str, friends: list[Row]) -> pd.DataFrame:
    """`ident` in touch with each friend's identifier."""
    others = [row[2][0] for row in friends]
    return pd.DataFrame({"x": [ident] * len(others), "y": others, "events": 1})


def _scored_with(
    rows: list[Row], ties: list[pd.DataFrame]
) -> tuple[pd.DataFrame, dict[tuple[str, str], float]]:
    ids = [r[0] for r in rows]
    frame, _alone = model_input(
        ids,
        [r[1] for r in rows],
        [None] * len(ids),
        [r[2] for r in rows],
        [[]] * len(ids),
        ties=pd.concat(ties, ignore_index=True) if ties else None,
    )
    pairs = score_pairs(frame, floor=0.0)
    scores = zip(pairs.unique_id_l, pairs.unique_id_r, pairs.match_probability, strict=True)
    return frame.set_index("unique_id"), {(a, b): float(p) for a, b, p in scores}


def test_namesakes_in_touch_with_different_people_stay_apart() -> None:
    """Two Lotte Rozenwaards, no date of birth, no export of their own: the numbers
    phone books save under the name call and text two different circles of friends, so
    two people carry it, and the name alone no longer joins their records (an address
    written with it, in touch with too few to tell, does not count either way)."""
    corlaans, veldmans = _friends("Corlaan", "phone"), _friends("Veldman", "phone")
    lottes: list[Row] = [
        ("a", "Lotte Rozenwaard", ["phone:+31600000001"]),
        ("a-mail", "Lotte Rozenwaard", ["email:lotte@mail.example"]),
        ("b", "Lotte Rozenwaard", ["phone:+31600000002"]),
    ]
    rows = lottes + corlaans + veldmans
    ties = [
        _ties("phone:+31600000001", corlaans),
        _ties("phone:+31600000002", veldmans),
        _ties("email:lotte@mail.example", corlaans[:2]),
    ]
    frame, scores = _scored_with(rows, ties)
    assert set(frame.name_people[["a", "a-mail", "b"]]) == {2}
    assert scores.get(("a", "b"), 0.0) < THRESHOLD
    assert scores.get(("a-mail", "b"), 0.0) < THRESHOLD
    _frame, without = _scored_with(rows, [])
    assert without[("a", "b")] >= THRESHOLD  # what the circles prevent


def test_one_person_in_touch_with_one_circle_by_phone_and_mail_still_joins() -> None:
    """Lotte calls her friends and mails them: her number's circle and her address's
    are the same names, though not the same identifiers. One person carries the name,
    and it joins her phone and mail records."""
    by_phone, by_mail = _friends("Corlaan", "phone"), _friends("Corlaan", "email")
    lottes: list[Row] = [
        ("phone", "Lotte Rozenwaard", ["phone:+31600000001"]),
        ("mail", "Lotte Rozenwaard", ["email:lotte@mail.example"]),
    ]
    ties = [
        _ties("phone:+31600000001", by_phone[:6]),
        _ties("email:lotte@mail.example", by_mail[2:]),
    ]
    frame, scores = _scored_with(lottes + by_phone + by_mail, ties)
    assert set(frame.name_people[["phone", "mail"]]) == {1}
    assert scores[("mail", "phone")] >= THRESHOLD


def test_circles_apart_need_enough_names_each_and_little_in_common() -> None:
    names = [f"name {i}" for i in range(20)]
    big, other = frozenset(names[:CIRCLE_LEAST]), frozenset(names[10 : 10 + CIRCLE_LEAST])
    assert apart(big, other)
    assert not apart(big, frozenset(names[10 : 9 + CIRCLE_LEAST]))  # too few to tell
    assert not apart(frozenset(names[:10]), frozenset(names[7:17]))  # 3 of 10 in common
    assert apart(frozenset(names[:10]), frozenset(names[8:18]))  # 2 of 10


def test_the_numbers_of_two_backups_owners_are_two_people() -> None:
    """ "Hugo C." born 1990-01-12 on one backup owner's number, and Hugo Corlaan born
    1990-01-21 (a typo apart) on another's: the one Hugo Corlaan fits the initial, but
    two backups of phones with other numbers are two people's, and that outweighs it."""
    mine, theirs = "phone:+31610547249", "phone:+31622732852"

    def scored(owners: list[set[str]]) -> pd.DataFrame:
        frame, _alone = model_input(
            ["a", "b"],
            ["Hugo C.", "Hugo Corlaan"],
            ["1990-01-12", "1990-01-21"],
            [[mine], [theirs]],
            [[], []],
            owners=owners,
        )
        return score_pairs(frame, floor=0.0, keep_levels=True)

    apart = scored([{mine}, {theirs}])
    assert list(apart.gamma_ids) == [1]  # the level of two exports' owners
    assert apart.match_probability.iloc[0] < THRESHOLD
    assert scored([]).match_probability.iloc[0] >= THRESHOLD  # what the owners change
    assert list(scored([{mine, theirs}]).gamma_ids) == [0]  # one owner's two numbers
