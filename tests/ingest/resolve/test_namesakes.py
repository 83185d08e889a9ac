"""How many people carry a name: namesakes that no record gives a date of birth are told
apart by the owners of personal exports, and one person's records still come together."""

from __future__ import annotations

import pandas as pd

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
