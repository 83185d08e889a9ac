"""Review links: candidate pairs near the threshold, the evidence side by side, a decision.

Every decision names its analyst and reason, goes to the ledger's decision log, and is
applied at once (a resolution run and a graph update), as `dossier decide` does.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import linking_data
from schemas.errors import DossierError

SIDES = [
    ("name", "name"), ("birth_date", "date of birth"), ("source_path", "source file"),
    ("connector", "connector"), ("record_id", "record"), ("identifiers", "identifiers"),
    ("documents", "documents"), ("subject_ref", "subject now"),
]  # fmt: skip
VERBS = {"merge": "Merged", "separate": "Kept apart"}
CONFIRMATION = "review_confirmation"  # session key: what the last decision did


def render() -> None:
    st.title("Review links")
    done = st.session_state.pop(CONFIRMATION, None)
    if done:
        st.success(done)
    queue = linking_data.review_queue()
    if queue is None:
        st.info(
            "Nothing to review yet: run `dossier resolve` to link the records that describe "
            "one person, then come back here."
        )
        return
    if queue.empty:
        st.info("No pair waits for review: every link is clear of the threshold or decided.")
        return
    shown = queue.head(linking_data.REVIEW_LIMIT)
    st.caption(
        f"{len(queue)} pair(s) near the threshold ({linking_data.THRESHOLD:.2f}) or set aside by "
        f"clustering, most uncertain first; {len(shown)} shown. A decision needs a reason "
        "and is applied at once."
    )
    for row in shown.itertuples(index=False):
        _pair(str(row.a), str(row.b))


def _pair(a: str, b: str) -> None:
    evidence = linking_data.pair_evidence(a, b)
    with st.container(border=True, key=f"pair-{a}-{b}"):
        probability = "-" if evidence.probability is None else f"{evidence.probability:.3f}"
        weight = evidence.levels["weight"].sum()
        st.markdown(
            f"**{evidence.a['name']}** and **{evidence.b['name']}** · probability "
            f"**{probability}** (match weight {weight:+.1f}) · {evidence.outcome or 'not scored'}"
        )
        st.table(_side_by_side(evidence), hide_index=True)
        levels = evidence.levels.assign(weight=evidence.levels["weight"].map(_weight))
        st.table(levels, hide_index=True)
        for decision in evidence.decisions:
            st.caption(f"Decision in force: {decision}")
        with st.form(key=f"decide-{a}-{b}", border=False):
            reason = st.text_input("Reason", key=f"reason-{a}-{b}",
                                   placeholder="what in the records settles it")  # fmt: skip
            merge_cell, apart_cell = st.columns(2)
            merge = merge_cell.form_submit_button("Same person (merge)", key=f"merge-{a}-{b}")
            apart = apart_cell.form_submit_button("Keep apart", key=f"apart-{a}-{b}")
        if merge or apart:
            _decide("merge" if merge else "separate", evidence, reason)


def _side_by_side(evidence: linking_data.PairEvidence) -> pd.DataFrame:
    rows = [(label, _cell(evidence.a[name]), _cell(evidence.b[name])) for name, label in SIDES]
    rows.append(("shared", ", ".join(evidence.shared) or "nothing", ""))
    return pd.DataFrame(rows, columns=["", "record A", "record B"])


def _cell(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "-"
    return "-" if value is None else str(value)


def _weight(weight: float | None) -> str:
    return "no evidence" if weight is None or pd.isna(weight) else f"{weight:+.1f}"


def _decide(kind: str, evidence: linking_data.PairEvidence, reason: str) -> None:
    a, b = evidence.a, evidence.b
    try:
        applied = linking_data.decide(kind, a["profile_id"], b["profile_id"], reason)
    except DossierError as exc:
        st.error(f"Not recorded: {exc}")
        return
    now = "now one subject" if applied.together else "now in different subjects"
    st.session_state[CONFIRMATION] = (
        f"{VERBS[kind]}: {a['name']} and {b['name']}, {now}. Decision "
        f"`{applied.decision.id}` recorded for {applied.decision.analyst}; resolution re-run "
        f"({applied.subjects} subjects) and the graph updated."
    )
    st.rerun()


render()
