"""Profiles to the columns the resolution model compares.

Shared by resolution over the ledger and by `dossier resolve --records` on any CSV, so
both compare names, dates and identifiers exactly alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from ingest.resolve.carriers import owner_groups, people_per_name
from ingest.resolve.names import (
    SOCIAL_PLATFORMS,
    Handle,
    NameParts,
    fold,
    handle_keys,
    handle_of,
    name_parts,
    spelling_keys,
    spellings,
)

MODEL_COLUMNS = [
    "unique_id",
    "name_folded",
    "given",
    "surname",
    "surname_initial",
    "surname_key",
    "tokens_key",
    "name_people",
    "initial_people",
    "dob",
    "ids",
    "id_kinds",
    "docs",
    "postcode",
    "city",
    "social_handle",
    "handle_stem",
    "spelt",
    "stem_names",
    "link_keys",
    "contacts",
    "contacts_n",
    "cluster",
    "circle_fits",
    "circle_pick",
    "owned",
    "owned_kinds",
]
# Columns holding lists (of strings), for engines that must be told when all are empty.
ARRAY_COLUMNS = frozenset(
    {"ids", "id_kinds", "docs", "spelt", "link_keys", "contacts", "owned", "owned_kinds"}
)


def model_input(
    ids: Iterable[str],
    names: Iterable[str | None],
    birth_dates: Iterable[str | None],
    identifiers: Iterable[list[str]],
    documents: Iterable[list[str]],
    addresses: Iterable[tuple[str | None, str | None]] | None = None,
    owners: Iterable[Iterable[str]] = (),
    ties: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Rows the model can compare, and the ids it cannot: no name and no identifier, or a
    name of several people ("Xenia & Rosa"). Those stay subjects of their own.
    `addresses` are (postcode, city) pairs where the records have them; `owners` the
    identifiers of each personal export's owner, one collection per export (see
    `relations.export_owners`), which tell whose export holds an identifier (`owned`),
    and `ties` who is in touch with whom (see `relations.read_ties`): both tell how many
    people carry a name (`carriers.people_per_name`)."""
    rows, alone, named = [], [], []
    places = iter(addresses) if addresses is not None else None
    for uid, name, dob, idents, docs in zip(
        ids, names, birth_dates, identifiers, documents, strict=True
    ):
        postcode, city = next(places) if places is not None else (None, None)
        handle = _handle(idents)
        parts = _unless_handle(name_parts(name), handle)
        if parts.group or (parts.folded is None and not idents and not docs):
            alone.append(uid)
            continue
        social = handle.text if handle and handle.platform in SOCIAL_PLATFORMS else None
        named.append(parts)
        rows.append(
            (
                uid,
                parts.folded,
                parts.given,
                parts.surname,
                parts.surname_initial,
                parts.surname_key,
                parts.tokens_key,
                0,
                0,
                dob or None,
                list(idents) or None,
                sorted({i.split(":", 1)[0] for i in idents}) or None,
                list(docs) or None,
                _postcode(postcode),
                fold(city) if city else None,
                social,
                handle.stem if handle else None,
                None,
                0,
                None,
                None,
                0,
                None,
                0,
                None,
                None,
                None,
            )
        )
    frame = pd.DataFrame(rows, columns=MODEL_COLUMNS)
    owner_of = owner_groups(owners)
    frame["owned"], frame["owned_kinds"] = _owned(frame["ids"], owner_of)
    frame["name_people"] = people_per_name(frame, owner_of, ties)
    frame["initial_people"] = _people_per_initial(frame)
    _spell_handles(frame, named)
    return frame, alone


def _owned(identifiers: pd.Series, owner_of: Mapping[str, int]) -> tuple[pd.Series, pd.Series]:
    """Which exports' owners hold each row's identifiers ("phone#3": the owner of the
    third group of exports, by a phone number), and of which kinds; None where none."""
    owned, kinds = [], []
    for idents in identifiers:
        groups = sorted(
            {f"{i.split(':', 1)[0]}#{owner_of[i]}" for i in idents or () if i in owner_of}
        )
        owned.append(groups or None)
        kinds.append(sorted({g.split("#", 1)[0] for g in groups}) or None)
    index = identifiers.index
    return pd.Series(owned, index=index, dtype=object), pd.Series(kinds, index=index, dtype=object)


def _handle(identifiers: Iterable[str]) -> Handle | None:
    """The profile's own handle: a social one before an e-mail local part."""
    found = [h for i in sorted(identifiers) if (h := handle_of(i))]
    social = [h for h in found if h.platform in SOCIAL_PLATFORMS]
    return next(iter(social or found), None)


def _unless_handle(parts: NameParts, handle: Handle | None) -> NameParts:
    """A display name that only repeats the handle ("Baltenvel" of @baltenvel67, "Greta
    Veld" of @greta_veld) is not a name of its own: the handle comparison weighs it, and
    the name comparison must not weigh it again. A mail address spelling its display
    name is the usual case, not a repeat: there the name is the holder's own."""
    if handle is None or handle.platform not in SOCIAL_PLATFORMS or parts.folded is None:
        return parts
    repeats = parts.folded.replace(" ", "") in (handle.stem, handle.text)
    return name_parts(None) if repeats else parts


def _spell_handles(frame: pd.DataFrame, names: list[NameParts]) -> None:
    """Which handles each name spells, and the blocking keys that pair them. Only the
    handles of profiles without a surname are looked for: elsewhere the name says more.
    A frame without such handles (most CSV records) gets no extra work and no pairs."""
    lonely = frame["surname"].isna() & frame["handle_stem"].notna()
    cuts: dict[str, set[str]] = {}  # a spelling, or a key of one -> the handles
    for stem in set(frame.loc[lonely, "handle_stem"]):
        for key in {stem} | handle_keys(stem):
            cuts.setdefault(key, set()).add(stem)
    spelt = [_spelt(n, cuts) if cuts else None for n in names]
    names_of: dict[str, set[tuple[str, str | None, str | None]]] = {}
    for key, given, initial, stems_spelt in zip(
        frame["tokens_key"], frame["given"], frame["surname_initial"], spelt, strict=True
    ):
        for stem in stems_spelt or ():
            names_of.setdefault(stem, set()).add((key, given, initial))
    frame["stem_names"] = [
        _names_spelling(names_of.get(stem, set()), given, initial)
        for stem, given, initial in zip(
            frame["handle_stem"], frame["given"], frame["surname_initial"], strict=True
        )
    ]
    keys = [
        ([stem] if alone else []) + (found or []) or None
        for stem, alone, found in zip(frame["handle_stem"], lonely, spelt, strict=True)
    ]
    frame["spelt"] = pd.Series(spelt, index=frame.index, dtype=object)
    frame["link_keys"] = pd.Series(keys, index=frame.index, dtype=object)


def _spelt(parts: NameParts, cuts: dict[str, set[str]]) -> list[str] | None:
    """The handles that spell this name, letter for letter or by the surname's skeleton
    ("oleksandrhryt" spells Aleksandr Gritsenkov)."""
    keys = spellings(parts) | spelling_keys(parts)
    found = {stem for key in keys for stem in cuts.get(key, ())}
    return sorted(found) or None


def _names_spelling(
    names: set[tuple[str, str | None, str | None]], given: str | None, initial: str | None
) -> int:
    """How many different full names a handle spells: "anoorderh" spells both Anouk and
    Amir Noorderhuis, and then says nothing about which of them holds it. Where the
    profile shows a given name or an initial of its own ("Hugo U." of @huitenbro82), only
    the names that agree with it count: Hanna Uitenbroek does not make it ambiguous."""
    return sum(
        1
        for _key, g, i in names
        if (not isinstance(given, str) or g == given)
        and (not isinstance(initial, str) or i == initial)
    )


def _postcode(text: str | None) -> str | None:
    """Postcodes compare without spaces and case ("1017 AB" = "1017ab")."""
    if not text:
        return None
    return "".join(text.split()).upper() or None


def _people_per_initial(frame: pd.DataFrame) -> pd.Series:
    """For a name written as a given name and an initial ("Yara H."): how many known people
    carry a full name that fits it (Yara Holtekamp, and Yara Hagenvlier if she is known
    too); 0 for other names. One fit is a strong hint, not proof: the holder may be
    someone the records never name in full."""
    full = frame.dropna(subset=["tokens_key"]).drop_duplicates("tokens_key")
    fits = full.groupby(["given", "surname_initial"])["name_people"].sum()
    short = frame["surname"].isna() & frame["surname_initial"].notna() & frame["given"].notna()
    keys = pd.MultiIndex.from_arrays([frame["given"], frame["surname_initial"]])
    counts = pd.Series(fits.reindex(keys).to_numpy(), index=frame.index).fillna(0)
    return counts.where(short, 0).astype("int64")


def with_circles(
    frame: pd.DataFrame,
    roots: Mapping[str, str],
    circles: Mapping[str, frozenset[str]],
    close: Sequence[tuple[str, str]],
) -> pd.DataFrame:
    """The rows whose first-pass cluster is in touch with others, each with its cluster
    and the cluster's circle (`contacts`, `contacts_n`), for the second pass. Two
    clusters whose circles are close (`close`) are put side by side where they share a
    given name: a key for the pair and the name joins their profiles that carry it.
    Without a shared given name the circles alone cannot reach a link, and comparing
    every such pair would cost much; only an alias, which shows no given name, is put
    side by side with the one cluster its circle picks (`_alias_picks`)."""
    rooted = frame["unique_id"].map(roots)
    in_touch = rooted.map(lambda r: bool(circles.get(r))).astype(bool)
    kept = frame.loc[in_touch].copy()
    root_of = rooted[kept.index]
    kept["contacts"] = [sorted(circles[r]) for r in root_of]
    kept["contacts_n"] = [len(circles[r]) for r in root_of]
    kept["cluster"] = root_of
    kept["circle_fits"] = _circle_fits(kept, close)
    picks = _circle_picks(kept, circles)
    aliases = _alias_picks(kept, circles, close)
    kept["circle_pick"] = pd.Series(
        [a if a is not None else p for p, a in zip(picks, aliases, strict=True)],
        index=kept.index,
        dtype=object,
    )
    givens: dict[str, set[str]] = defaultdict(set)
    for root, given in zip(root_of, kept["given"], strict=True):
        if isinstance(given, str):
            givens[root].add(given)
    keys: dict[tuple[str, str], list[str]] = defaultdict(list)  # (root, given) -> keys
    for a, b in close:
        for given in givens.get(a, set()) & givens.get(b, set()):
            key = f"circle:{a}|{b}|{given}"
            keys[a, given].append(key)
            keys[b, given].append(key)
    for root, picked in {(r, a) for r, a in zip(root_of, aliases, strict=True) if a}:
        keys[root, ""].append(f"alias:{root}|{picked}")
        keys[picked, ""].append(f"alias:{root}|{picked}")
    link_keys = [
        (list(existing) if isinstance(existing, list) else [])
        + keys.get((root, given), [])
        + keys.get((root, ""), [])
        or None
        for existing, root, given in zip(kept["link_keys"], root_of, kept["given"], strict=True)
    ]
    kept["link_keys"] = pd.Series(link_keys, index=kept.index, dtype=object)
    return kept.reset_index(drop=True)


def _circle_fits(kept: pd.DataFrame, close: Sequence[tuple[str, str]]) -> list[int]:
    """For a name without a surname ("Amir", "Yara H.") in a cluster that shows none
    either: how many other clusters whose circle is close to this one's (a third or more
    in common: `close`) carry that given name with a surname; 0 for other names. Where
    only one does, and its circle is half this one's, that is a strong hint, as one full
    name fitting an initial is."""
    full: dict[str, set[str]] = defaultdict(set)
    for root, given, surname in zip(kept["cluster"], kept["given"], kept["surname"], strict=True):
        if isinstance(given, str) and isinstance(surname, str):
            full[root].add(given)
    near: dict[str, set[str]] = defaultdict(set)
    for a, b in close:
        near[a].add(b)
        near[b].add(a)
    rows = zip(kept["cluster"], kept["given"], kept["surname"], strict=True)
    return [
        sum(1 for other in near.get(root, ()) if given in full.get(other, ()))
        if isinstance(given, str) and not isinstance(surname, str) and not full.get(root)
        else 0
        for root, given, surname in rows
    ]


# A pick needs this much of the short name's circle in common with the person picked: as
# many contacts as `scoring.contacts_comparison` asks of its strongest level.
PICK_SHARED, PICK_SHARE = 3, (1, 2)


def _circle_picks(kept: pd.DataFrame, circles: Mapping[str, frozenset[str]]) -> list[str | None]:
    """For a name without a surname ("Kiki", "Nils H.") in a cluster that shows none
    either: the one cluster, of those carrying that given name with a surname, whose
    circle holds the most of this one's (three or more, half of it or more, and more than
    any other such cluster's); None where there is no such cluster or two tie. Several
    people share a bare given name, and the circle chooses among them as a person's
    friends are theirs and not a namesake's. A cluster this one is in touch with is not
    its person (nobody calls or mentions themselves), so it is never picked."""
    carriers: dict[str, set[tuple[str, str]]] = defaultdict(set)  # given -> (cluster, initial)
    full: set[str] = set()
    columns = ("cluster", "given", "surname", "surname_initial")
    for root, given, surname, initial in zip(*(kept[c] for c in columns), strict=True):
        if isinstance(given, str) and isinstance(surname, str):
            carriers[given].add((root, initial))
            full.add(root)
    picks: dict[tuple[str, str, str | None], str | None] = {}
    out: list[str | None] = []
    for root, given, surname, initial in zip(*(kept[c] for c in columns), strict=True):
        if not isinstance(given, str) or isinstance(surname, str) or root in full:
            out.append(None)
            continue
        shown = initial if isinstance(initial, str) else None  # "Nils H." is no Nils S.
        if (root, given, shown) not in picks:
            candidates = {c for c, i in carriers.get(given, set()) if shown in (None, i)}
            picks[root, given, shown] = _pick(circles[root], root, candidates, circles)
        out.append(picks[root, given, shown])
    return out


def _alias_picks(
    kept: pd.DataFrame, circles: Mapping[str, frozenset[str]], close: Sequence[tuple[str, str]]
) -> list[str | None]:
    """For a social account in a cluster that shows no given name at all (an alias:
    "Kadeloper", or a handle repeated as its display name): the one cluster, of all
    those showing a full name, whose circle holds the most of this one's, as
    `_circle_picks` chooses (three or more, half or more, more than any other, not a
    contact); None elsewhere. Only clusters close to it (`close`) can hold half of its
    circle, so only they are looked at."""
    named = {r for r, g in zip(kept["cluster"], kept["given"], strict=True) if isinstance(g, str)}
    full = {r for r, s in zip(kept["cluster"], kept["surname"], strict=True) if isinstance(s, str)}
    near: dict[str, set[str]] = defaultdict(set)
    for a, b in close:
        near[a].add(b)
        near[b].add(a)
    picks: dict[str, str | None] = {}
    out: list[str | None] = []
    for root, social in zip(kept["cluster"], kept["social_handle"], strict=True):
        if root in named or not isinstance(social, str):
            out.append(None)
            continue
        if root not in picks:
            picks[root] = _pick(circles[root], root, near[root] & full, circles)
        out.append(picks[root])
    return out


def _pick(
    circle: frozenset[str], root: str, candidates: set[str], circles: Mapping[str, frozenset[str]]
) -> str | None:
    """The candidate holding most of `circle`, if it holds enough and no other as much."""
    shared = sorted(
        ((len(circle & circles[c]), c) for c in candidates if c != root and c not in circle),
        reverse=True,
    )
    if not shared:
        return None
    best, picked = shared[0]
    numerator, denominator = PICK_SHARE
    enough = best >= PICK_SHARED and best * denominator >= len(circle) * numerator
    alone = len(shared) == 1 or shared[1][0] < best
    return picked if enough and alone else None
