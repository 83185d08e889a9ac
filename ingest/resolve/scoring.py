"""The probabilistic model: Splink comparisons with fixed, documented parameters.

Each comparison level has an m probability (how often records of one person land on it)
and a u probability (how often records of two different people do). The values are set
here, not estimated per run, so that scores are reproducible, identical on DuckDB and
Spark, and explainable level by level; term-frequency adjustment on the full name makes
a rare name count for more than a common one. `dossier explain` prints these weights.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Literal

import pandas as pd
import splink.comparison_level_library as cll
from splink import Linker, SettingsCreator, block_on
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator
from splink.internals.comparison_level_library import _translate_sql_string
from splink.internals.comparison_library import CustomComparison
from splink.internals.dialects import SplinkDialect

Engine = Literal["duckdb", "spark"]
# The comparisons and their levels: a level added or moved is a new version, since the
# gamma values a run stores (which `explain` names) number the levels in order.
MODEL_VERSION = "6"
# Prior odds that two profiles picked at random are one person: one in 10,000.
PRIOR = 1e-4
PRIOR_WEIGHT = math.log2(PRIOR / (1 - PRIOR))  # the match weight every pair starts from


def _level(level: Any, label: str, m: float, u: float) -> Any:
    return level.configure(m_probability=m, u_probability=u, label_for_charts=label)


def _only_fit(side: str, other: str) -> str:
    """`side` is a given name and an initial ("Yara H.") that one known person's full name
    fits, and `other` is that name."""
    return (
        f"(surname_{side} IS NULL AND initial_people_{side} = 1 AND surname_{other} IS NOT NULL "
        f"AND given_{side} = given_{other} AND surname_initial_{side} = surname_initial_{other})"
    )


def name_comparison() -> ComparisonCreator:
    return CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.CustomLevel("name_folded_l IS NULL OR name_folded_r IS NULL").configure(
                is_null_level=True, label_for_charts="a name is missing"
            ),
            _level(
                cll.CustomLevel("tokens_key_l = tokens_key_r AND name_people_l = 1"),
                "same full name (any order), carried by one known person",
                0.5,
                1e-6,
            ),
            _level(
                cll.ExactMatchLevel("tokens_key"),
                "same full name, carried by several people (namesakes)",
                0.05,
                1e-4,
            ),
            _level(
                cll.And(
                    cll.ExactMatchLevel("given"),
                    cll.Or(
                        cll.ExactMatchLevel("surname_key"), cll.JaroWinklerLevel("surname", 0.88)
                    ),
                ),
                "same given name, surname spelt differently",
                0.2,
                2e-6,
            ),
            _level(
                cll.CustomLevel(f"{_only_fit('l', 'r')} OR {_only_fit('r', 'l')}"),
                "same given name and surname initial, the one known person who fits",
                0.3,
                2e-5,
            ),
            _level(
                cll.CustomLevel(
                    "given_l = given_r AND (surname_l IS NULL OR surname_r IS NULL) AND "
                    "(surname_initial_l IS NULL OR surname_initial_r IS NULL "
                    "OR surname_initial_l = surname_initial_r)"
                ),
                "same given name, surname missing or an initial",
                0.17,
                0.004,
            ),
            _level(cll.JaroWinklerLevel("name_folded", 0.88), "similar names", 0.03, 0.01),
            _level(cll.ElseLevel(), "different names", 0.05, 0.985897),
        ],
    )


def dob_comparison() -> ComparisonCreator:
    return CustomComparison(
        output_column_name="dob",
        comparison_levels=[
            cll.NullLevel("dob"),
            _level(cll.ExactMatchLevel("dob"), "same date of birth", 0.92, 0.0002),
            _level(
                cll.Or(
                    cll.DamerauLevenshteinLevel("dob", 1),
                    # day and month swapped (US against European order); substr is
                    # 1-based in DuckDB and Spark alike
                    cll.CustomLevel(
                        "substr(dob_l, 1, 5) = substr(dob_r, 1, 5) "
                        "AND substr(dob_l, 6, 2) = substr(dob_r, 9, 2) "
                        "AND substr(dob_l, 9, 2) = substr(dob_r, 6, 2)"
                    ),
                ),
                "date of birth one typo apart, or day and month swapped",
                0.05,
                0.002,
            ),
            _level(cll.ElseLevel(), "different dates of birth", 0.03, 0.9978),
        ],
    )


def address_comparison() -> ComparisonCreator:
    """Where the records give an address (CSV records): a postcode names a few streets,
    a city many people; neither is strong, and people move, so a difference costs little."""
    return CustomComparison(
        output_column_name="address",
        comparison_levels=[
            cll.CustomLevel(
                "(postcode_l IS NULL OR postcode_r IS NULL) AND (city_l IS NULL OR city_r IS NULL)"
            ).configure(is_null_level=True, label_for_charts="an address is missing"),
            _level(cll.ExactMatchLevel("postcode"), "same postcode", 0.6, 0.001),
            _level(cll.ExactMatchLevel("city"), "same city", 0.25, 0.05),
            _level(cll.ElseLevel(), "different address", 0.15, 0.949),
        ],
    )


def _bare_handle(side: str) -> str:
    """`side` has a handle and no surname: where both have full names the name
    comparison has weighed them already."""
    return f"surname_{side} IS NULL AND handle_stem_{side} IS NOT NULL"


def _spells(side: str, other: str) -> str:
    """The bare handle of `side` spells the name of `other`."""
    return f"({_bare_handle(side)} AND array_contains(spelt_{other}, handle_stem_{side}))"


def _spells_one_person(side: str, other: str) -> str:
    """The handle spells one full name only (of those that agree with the given name or
    initial its profile shows), one known person carries that name, and the profile's own
    given name and initial, where it shows them, are the other's."""
    agrees = (
        f"(given_{side} IS NULL OR given_{side} = given_{other}) AND "
        f"(surname_initial_{side} IS NULL OR surname_initial_{side} = surname_initial_{other})"
    )
    return (
        f"({_spells(side, other)} AND stem_names_{side} = 1 AND name_people_{other} <= 1 "
        f"AND {agrees})"
    )


def handle_comparison() -> ComparisonCreator:
    """What a handle tells: the same handle on two platforms, or a handle that spells the
    other profile's name ("ealtenvel72" and "Eva Altenveld") where its own display name
    does not say as much ("Eva A."). Handles are chosen by their holders, so neither is
    proof, and an alias handle ("mistbank38") says little against. Either side may hold
    the handle, so each level reads both ways."""
    reuse = "(social_handle_l IS NOT NULL AND social_handle_r IS NOT NULL)"
    spelling = (
        f"({_bare_handle('l')} AND spelt_r IS NOT NULL) OR "
        f"({_bare_handle('r')} AND spelt_l IS NOT NULL)"
    )
    return CustomComparison(
        output_column_name="handle",
        comparison_levels=[
            cll.CustomLevel(f"NOT ({reuse} OR {spelling})").configure(
                is_null_level=True, label_for_charts="no handle to compare"
            ),
            _level(
                cll.ExactMatchLevel("social_handle"),
                "the same handle on another platform",
                0.35,
                1e-6,
            ),
            _level(
                cll.CustomLevel(
                    f"{_spells_one_person('l', 'r')} OR {_spells_one_person('r', 'l')}"
                ),
                "the handle spells the other's name, carried by one known person",
                0.6,
                2e-6,
            ),
            _level(
                cll.CustomLevel(f"{_spells('l', 'r')} OR {_spells('r', 'l')}"),
                "the handle spells the other's name, or several names, carried by several people",
                0.06,
                2e-4,
            ),
            _level(cll.ElseLevel(), "the handle does not spell the name", 0.3, 0.999797),
        ],
    )


class SharedContactsLevel(ComparisonLevelCreator):
    """The two circles of contacts have at least `least` clusters in common, and those are
    at least `share` (a fraction) of the smaller circle: a big circle shares a few contacts
    with many others by chance, a small one rarely does."""

    def __init__(self, least: int, share: tuple[int, int], same_given: bool) -> None:
        self.least = least
        self.share = share
        self.same_given = same_given

    def create_sql(self, sql_dialect: SplinkDialect) -> str:
        numerator, denominator = self.share
        common = "ARRAY_SIZE(ARRAY_INTERSECT(contacts_l, contacts_r))"
        sql = (
            f"{common} >= {self.least} AND {common} * {denominator} >= "
            f"LEAST(contacts_n_l, contacts_n_r) * {numerator}"
        )
        if self.same_given:
            sql = f"given_l = given_r AND {sql}"
        return _translate_sql_string(sql, sql_dialect.sqlglot_dialect)

    def create_label_for_charts(self) -> str:
        return f"at least {self.least} contacts in common"


def _one_close_circle(side: str, other: str) -> str:
    """`side` shows a given name without a surname ("Amir", "Yara H.") and `other` is the
    one cluster, of those carrying that given name with a surname, whose circle is close
    to `side`'s at all (see `prepare.with_circles`); the level asks for half of it."""
    return f"(surname_{side} IS NULL AND circle_fits_{side} = 1 AND surname_{other} IS NOT NULL)"


def _picked_circle(side: str, other: str) -> str:
    """`side` shows a given name without a surname and `other` is in the cluster its
    circle picks among those carrying that given name in full (see
    `prepare.with_circles`): several people share a bare given name, and of them the one
    whose circle holds clearly the most of `side`'s."""
    return f"(surname_{side} IS NULL AND circle_pick_{side} = cluster_{other})"


def _picked_for_alias(side: str, other: str) -> str:
    """`side` is a social account whose cluster shows no given name (an alias), and
    `other` is in the cluster its circle picks among all those showing a full name
    (see `prepare._alias_picks`)."""
    return (
        f"(given_{side} IS NULL AND social_handle_{side} IS NOT NULL "
        f"AND circle_pick_{side} = cluster_{other})"
    )


def contacts_comparison() -> ComparisonCreator:
    """Whether the two profiles' subjects are in touch with the same people (see
    `relations`): people call, mail and mention one circle of friends across channels.
    Circles are those of the first pass's clusters, so the comparison speaks only in the
    second pass, and only between two clusters (within one, the circle is the cluster's
    own and would count its links twice). A household shares its friends, so overlap
    says most where the given names agree too: those levels are measured among pairs
    that agree on the given name (u: how often two different people with one given name
    share that much of their circles, on the generated town's first-pass clusters; m:
    how often two clusters of one person do). The strongest level also takes the clear
    closest of several people by one given name (`prepare._circle_picks`): on three
    generated towns (medium seed 8, small seeds 8 and 7) it or the one close circle
    picked 44 of 117 pairs of first-pass clusters of one person that share a bare given
    name, and none of 749 such pairs of different people (so u is below 0.004 at 95%
    on that sample alone; it is kept at the value of the one close circle it extends).
    An alias that shows no given name ("Kadeloper") is weighed by the same pick among
    everyone known in full: on those three towns, of 38 alias clusters in touch with
    anyone, 22 had a pick, all of their own person (m about 22/38), and none of 11,453
    pairs of an alias cluster and another person's cluster in touch was picked (u below
    3/11,453, 2.6e-4, at 95%). That is 11 bits: not enough alone against the prior, as
    it should not be on so few towns, but enough with a handle that spells the name of
    one of a few people ("fzandmeer")."""
    return CustomComparison(
        output_column_name="contacts",
        comparison_levels=[
            cll.CustomLevel(
                "contacts_n_l = 0 OR contacts_n_r = 0 OR cluster_l = cluster_r"
            ).configure(
                is_null_level=True,
                label_for_charts="no circle of contacts to compare (or one cluster's)",
            ),
            _level(
                cll.And(
                    cll.CustomLevel(
                        f"{_one_close_circle('l', 'r')} OR {_one_close_circle('r', 'l')} OR "
                        f"{_picked_circle('l', 'r')} OR {_picked_circle('r', 'l')}"
                    ),
                    SharedContactsLevel(3, (1, 2), same_given=True),
                ),
                "same given name; of the people known in full by it, the one whose circle of "
                "contacts is close or clearly the closest, and half the smaller circle in "
                "common (3 or more)",
                0.4,
                5e-5,
            ),
            _level(
                cll.And(
                    cll.CustomLevel(
                        f"{_picked_for_alias('l', 'r')} OR {_picked_for_alias('r', 'l')}"
                    ),
                    SharedContactsLevel(3, (1, 2), same_given=False),
                ),
                "an alias (no given name); of the people known in full, the one whose circle "
                "of contacts clearly holds the most of the alias's, half the smaller circle in "
                "common (3 or more)",
                0.58,
                2.6e-4,
            ),
            _level(
                SharedContactsLevel(3, (1, 2), same_given=True),
                "same given name, half the smaller circle of contacts in common (3 or more)",
                0.2,
                0.0025,
            ),
            _level(
                SharedContactsLevel(2, (1, 3), same_given=True),
                "same given name, a third of the smaller circle of contacts in common (2 or more)",
                0.3,
                0.015,
            ),
            _level(
                SharedContactsLevel(3, (1, 2), same_given=False),
                "half the smaller circle of contacts in common (3 or more)",
                0.15,
                0.013,
            ),
            _level(cll.ElseLevel(), "circles of contacts with little in common", 0.35, 0.95),
        ],
    )


def _shared(
    column: str, what: str, m: float, u: float, null: Any | None = None
) -> ComparisonCreator:
    return CustomComparison(
        output_column_name=column,
        comparison_levels=[
            null or cll.NullLevel(column),
            _level(cll.ArrayIntersectLevel(column, 1), f"a shared {what}", m, u),
            _level(cll.ElseLevel(), f"no shared {what}", 1 - m, 1 - u),
        ],
    )


def shared_identifier_comparison() -> ComparisonCreator:
    """Only identifiers of a kind both profiles have can fail to be shared: a Twitter
    account and a phone number say nothing about each other. A phone, e-mail or handle in
    common is strong evidence but not proof (families share phones), and different
    names still outweigh it. Where each holds an identifier of one kind that the owners
    of two personal exports hold ("phone#3" and "phone#7": the numbers other backups
    show for two backups' owners, two mailboxes' owners' addresses), they are two
    people, as `carriers` counts them: on four generated towns (medium and small, seeds
    7 and 8) none of 1,355,000 pairs of one person's profiles did so (below 2.2e-6 at
    95%; the generator backs up one phone per person, so m is set at 1e-5 for those who
    back up two), against 6.0e-4 and 6.4e-4 of pairs of different people on the medium
    towns (1.1e-3 on the small ones, with fewer people): about -5.9 bits."""
    no_common_kind = cll.Or(
        cll.NullLevel("ids"), cll.Not(cll.ArrayIntersectLevel("id_kinds", 1))
    ).configure(is_null_level=True, label_for_charts="no identifiers of one kind to compare")
    shared_m, shared_u, owners_m, owners_u = 0.6, 1e-6, 1e-5, 6e-4
    return CustomComparison(
        output_column_name="ids",
        comparison_levels=[
            no_common_kind,
            _level(
                cll.ArrayIntersectLevel("ids", 1),
                "a shared phone, e-mail address, handle or device",
                shared_m,
                shared_u,
            ),
            _level(
                cll.And(
                    cll.ArrayIntersectLevel("owned_kinds", 1),
                    cll.Not(cll.ArrayIntersectLevel("owned", 1)),
                ),
                "identifiers of two different exports' owners (two people's)",
                owners_m,
                owners_u,
            ),
            _level(
                cll.ElseLevel(),
                "no shared phone, e-mail address, handle or device",
                1 - shared_m - owners_m,
                1 - shared_u - owners_u,
            ),
        ],
    )


def comparisons() -> list[ComparisonCreator | dict[str, Any]]:
    return [
        name_comparison(),
        dob_comparison(),
        shared_identifier_comparison(),
        # A travel document in common is close to proof.
        _shared("docs", "identity document", 0.95, 1e-8),
        address_comparison(),
        handle_comparison(),
        contacts_comparison(),
    ]


def blocking_rules() -> list[Any]:
    """Which pairs are compared at all: each rule an equality that people's records share."""
    return [
        block_on("given", "surname_key"),
        block_on("tokens_key"),
        block_on("dob"),
        block_on("ids", arrays_to_explode=["ids"]),
        block_on("docs", arrays_to_explode=["docs"]),
        block_on("link_keys", arrays_to_explode=["link_keys"]),
        {
            "blocking_rule": "l.given = r.given AND l.surname_initial = r.surname_initial "
            "AND (l.surname IS NULL OR r.surname IS NULL)"
        },
    ]


def settings(keep_levels: bool = False) -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons(),
        blocking_rules_to_generate_predictions=blocking_rules(),
        probability_two_random_records_match=PRIOR,
        retain_intermediate_calculation_columns=keep_levels,
        retain_matching_columns=keep_levels,
    )


def score_pairs(
    frame: pd.DataFrame,
    engine: Engine = "duckdb",
    floor: float = 0.3,
    keep_levels: bool = False,
) -> pd.DataFrame:
    """Every blocked pair scoring at least `floor`: unique_id_l, unique_id_r,
    match_probability, match_weight (and each level's gamma / Bayes factor if asked)."""
    if len(frame) < 2:
        return pd.DataFrame(columns=["unique_id_l", "unique_id_r", "match_probability"])
    register, close = _database(engine)
    try:
        linker = Linker(register(frame), settings(keep_levels), log_level=None)
        predictions = linker.inference.predict(threshold_match_probability=floor)
        return _as_pandas(predictions)
    finally:
        close()


def _as_pandas(predictions: Any) -> pd.DataFrame:
    frame = predictions.as_pandas_dataframe()
    return frame.sort_values(["unique_id_l", "unique_id_r"], ignore_index=True)


def _database(engine: Engine) -> tuple[Callable[[pd.DataFrame], Any], Callable[[], None]]:
    if engine == "spark":
        from ingest.resolve.spark import spark_database

        return spark_database()
    from splink import DuckDBAPI

    api = DuckDBAPI()
    return api.register, lambda: api._con.close()
