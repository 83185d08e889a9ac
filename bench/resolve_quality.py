"""Resolution quality on the generated scenario, against its ground truth.

`python -m bench.resolve_quality --scale small` generates the scenario (cached, see
`bench.common.scenario`), ingests the sources that carry people — messages (SMS and call
backups, mailboxes, the PBX's call records), social media, passenger manifests, and the
owner-only location exports (Google, GPX; `--no-locations` leaves them out) — runs
`resolve_ledger`, and maps every profile to the person it really is:

- the owner of a personal export ("(owner of P0003-sms.xml)") by the export's file name;
- any other profile by its identifiers and documents (phones, e-mail addresses, accounts,
  passports), narrowed by name when an identifier belonged to several people (a family
  phone, numbers swapped between people);
- a background traveller (not in `identities`) is a person of their own, keyed by passport.

Profiles whose person cannot be told (a phone-book entry naming two people, an airline's
mailbox) are listed and left out. Pairwise precision, recall and F1 follow, overall and per
pair of sources, with and without the profiles that carry no evidence at all (no name, no
identifier: owners of location exports and of call backups), which no resolver can join.
False merges of the planted look-alikes (namesakes, a family phone) are listed one by one.
Goals: F1 >= 0.98 and no look-alike merged.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations_with_replacement
from pathlib import Path
from typing import Any

import pandas as pd
from anyascii import anyascii

from bench.common import BENCH_DIR, scenario
from bench.resolve_bench import Scores, pairwise
from ingest.connectors.base import ReadOptions
from ingest.ledger import Ledger
from ingest.mapping import mapping_factory, shipped_mapping
from ingest.pipeline import FileReport, ingest_paths
from ingest.resolve.run import resolve_ledger

SNIFFED = ("social", "messages/sms", "messages/mail")
LOCATIONS = ("travel/google", "travel/gpx")
MAPPED = (("travel/manifests", "passenger_manifest"), ("messages/cdr", "asterisk_cdr"))
LOOK_ALIKES = ("namesake", "family_phone")
VARIANTS = ("transliteration", "nickname", "name_order")  # one person, several names
GOAL_F1 = 0.98
_OWNER = re.compile(r"^\(owner of (.+)\)$")
_GROUP = re.compile(r"&|\+|/|\band\b|\ben\b", re.IGNORECASE)
_TOKEN = re.compile(r"[a-z0-9]+")


def tokens(name: str) -> list[str]:
    return _TOKEN.findall(anyascii(name).lower())


@dataclass
class Truth:
    """Who is who, from ground_truth.json: identifiers, export files and written names."""

    exports: dict[str, str] = field(default_factory=dict)  # file name -> person
    label: dict[str, str] = field(default_factory=dict)  # person -> full name
    holders: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    names: dict[str, list[list[str]]] = field(default_factory=lambda: defaultdict(list))
    look_alikes: dict[str, list[set[str]]] = field(default_factory=lambda: defaultdict(list))
    variants: dict[str, str] = field(default_factory=dict)  # person -> kind of hard case

    @classmethod
    def load(cls, path: Path) -> Truth:
        doc = json.loads(path.read_text(encoding="utf-8"))
        truth = cls()
        for identity in doc["identities"]:
            truth._add(identity)
        for case in doc["hard_cases"]:
            if case["kind"] in LOOK_ALIKES:
                truth.look_alikes[case["kind"]].append(set(case["person_ids"]))
            elif case["kind"] in VARIANTS:
                truth.variants.update(dict.fromkeys(case["person_ids"], case["kind"]))
        return truth

    def _add(self, identity: dict[str, Any]) -> None:
        pid = identity["person_id"]
        self.label[pid] = identity["name"]
        for value in identity["exports"].values():
            for file in [value] if isinstance(value, str) else value:
                self.exports[Path(file).name] = pid
        keys = [f"phone:{p['number']}" for p in identity["phones"]]
        keys += [f"email:{e.lower()}" for e in identity["emails"]]
        keys += [_account(a) for a in identity["accounts"]]
        keys += [f"doc:{d['number'].upper()}" for d in identity["documents"]]
        for key in keys:
            self.holders[key].add(pid)
        written = [identity["name"], *identity["names"].get("contacts", [])]
        written += [v for k, v in identity["names"].items() if isinstance(v, str)]
        written += [a["display_name"] for a in identity["accounts"] if a.get("display_name")]
        written += [d["name"] for d in identity["documents"] if d.get("name")]
        self.names[pid] = [tokens(n) for n in dict.fromkeys(written)]

    def person_of(self, name: Any, identifiers: list[str], documents: list[str]) -> tuple[str, str]:
        """(truth id, "") or ("", why it cannot be told)."""
        text = name if isinstance(name, str) else ""
        owner = _OWNER.match(text)
        if owner:
            pid = self.exports.get(owner.group(1))
            return (pid, "") if pid else ("", "owner of an export the truth does not list")
        if _GROUP.search(text):
            return "", "a name of several people"
        votes = Counter(p for key in _keys(identifiers, documents) for p in self.holders[key])
        if not votes:
            if documents:  # a stranger on a passenger list: their passport is who they are
                return f"traveller {_keys([], documents)[0]}", ""
            return "", "no identifier the truth knows (not a person of the scenario)"
        top = max(votes.values())
        best = sorted(p for p, n in votes.items() if n == top)
        if len(best) > 1:
            best = [p for p in best if self.called(p, text)]
        return (best[0], "") if len(best) == 1 else ("", "identifiers of several people")

    def called(self, pid: str, name: str) -> bool:
        """Could `name` be how someone wrote this person? Every word of it is a word of
        one of the person's written names, or the initial of one."""
        words = tokens(name)
        return bool(words) and any(
            all(w in variant or (len(w) == 1 and any(v[0] == w for v in variant)) for w in words)
            for variant in self.names[pid]
        )


def _account(account: dict[str, Any]) -> str:
    handle = account["username"]
    if account["platform"] == "mastodon":
        handle = f"{handle}@{account['server']}"
    return f"{account['platform']}:{handle}".lower()


def _keys(identifiers: Iterable[str], documents: Iterable[str]) -> list[str]:
    """Identifiers as the truth keys them: documents by number alone (the ledger writes
    the issuing country in two letters, the truth in three)."""
    keys = [i.lower() if not i.startswith("phone:") else i for i in identifiers]
    return keys + [f"doc:{d.rsplit(':', 1)[-1].upper()}" for d in documents]


# -- the run ---------------------------------------------------------------------------


def ingest(scenario_dir: Path, ledger: Ledger, locations: bool) -> list[FileReport]:
    options = ReadOptions(phone_region="NL")  # the scenario's phones are Dutch
    folders = [*SNIFFED, *(LOCATIONS if locations else ())]
    reports = ingest_paths([scenario_dir / f for f in folders], ledger, options)
    for folder, mapping in MAPPED:
        factory = mapping_factory(shipped_mapping(mapping))
        reports += ingest_paths([scenario_dir / folder], ledger, options, None, factory)
    return reports


def with_truth(assignments: pd.DataFrame, truth: Truth) -> pd.DataFrame:
    """The assignments with `truth`, `why` (when there is no truth), `evidence` and a
    short `source` (connector without "mapping:")."""
    frame = assignments.copy()
    told = [
        truth.person_of(n, list(i), list(d))
        for n, i, d in zip(frame.name, frame.identifiers, frame.documents, strict=True)
    ]
    frame["truth"] = [t for t, _w in told]
    frame["why"] = [w for _t, w in told]
    named = frame.name.map(lambda n: isinstance(n, str) and not _OWNER.match(n))
    has_ids = [
        len(i) > 0 or len(d) > 0 for i, d in zip(frame.identifiers, frame.documents, strict=True)
    ]
    frame["evidence"] = named | pd.Series(has_ids, index=frame.index)
    frame["source"] = frame.connector.str.removeprefix("mapping:")
    return frame


def by_source_pair(frame: pd.DataFrame) -> pd.DataFrame:
    """Pairwise counts and scores per pair of sources (each unordered pair once)."""
    counts: dict[str, Counter[tuple[str, str]]] = {}
    for name, keys in (("true", ["truth"]), ("predicted", ["subject_ref"])):
        counts[name] = _pair_counts(frame, keys)
    counts["correct"] = _pair_counts(frame, ["subject_ref", "truth"])
    sources = sorted(frame.source.unique())
    rows = []
    for a, b in combinations_with_replacement(sources, 2):
        s = Scores(*(counts[k][a, b] for k in ("true", "predicted", "correct")))
        if s.true_pairs or s.predicted_pairs:
            rows.append((a, b, s.true_pairs, s.predicted_pairs, s.correct_pairs, *_pct(s)))
    columns = ["source", "other source", "true", "predicted", "correct", "P %", "R %", "F1 %"]
    return pd.DataFrame(rows, columns=columns)


def _pct(s: Scores) -> tuple[float, float, float]:
    return round(100 * s.precision, 2), round(100 * s.recall, 2), round(100 * s.f1, 2)


def _pair_counts(frame: pd.DataFrame, keys: list[str]) -> Counter[tuple[str, str]]:
    out: Counter[tuple[str, str]] = Counter()
    shared = frame[frame.groupby(keys).source.transform("size") > 1]
    for _key, sources in shared.groupby(keys).source:
        n = Counter(sources)
        for a, b in combinations_with_replacement(sorted(n), 2):
            out[a, b] += n[a] * (n[a] - 1) // 2 if a == b else n[a] * n[b]
    return out


def false_merges(frame: pd.DataFrame) -> pd.DataFrame:
    """Subjects holding profiles of more than one person: one row per profile."""
    people = frame.groupby("subject_ref").truth.nunique()
    merged = frame[frame.subject_ref.isin(people[people > 1].index)]
    return merged.sort_values(["subject_ref", "truth"])


def look_alike_merges(frame: pd.DataFrame, truth: Truth) -> list[tuple[str, str, str, str]]:
    """(kind, subject, person a, person b) for each subject joining two look-alikes."""
    found = []
    for ref, members in false_merges(frame).groupby("subject_ref"):
        inside = set(members.truth)
        for kind, cases in truth.look_alikes.items():
            for case in cases:
                if len(both := sorted(case & inside)) > 1:
                    found.append((kind, str(ref), both[0], both[1]))
    return found


def merge_kinds(frame: pd.DataFrame, evident: pd.DataFrame, truth: Truth) -> pd.DataFrame:
    """Each false merge with what it looks like: a planted look-alike, strangers with
    one name and date of birth, namesakes the scenario did not plant, or a bridge (a
    profile whose identifiers belong to several people joined them)."""
    bridges = set(frame[frame.why == "identifiers of several people"].subject_ref)
    planted = {
        (a, b): k
        for k, cases in truth.look_alikes.items()
        for c in cases
        for a in c
        for b in c
        if a != b
    }
    rows = []
    for ref, group in false_merges(evident).groupby("subject_ref", sort=True):
        people = sorted(set(group.truth))
        names = {truth.label.get(p, str(group[group.truth == p].name.iloc[0])) for p in people}
        kind = next((planted[a, b] for a in people for b in people if (a, b) in planted), "")
        if not kind:
            kind = (
                "strangers with one name and birth date"
                if people[0].startswith("traveller")
                else "namesakes not planted"
                if len(names) < len(people)
                else "bridged by a profile of several people"
                if ref in bridges
                else "other"
            )
        counts = Counter(group.truth)
        who = ", ".join(
            f"{p} {truth.label.get(p, '')} ({counts[p]})".replace("  ", " ") for p in people
        )
        rows.append((kind, str(ref)[:12], who))
    kinds = pd.DataFrame(rows, columns=["kind", "subject", "people (profiles)"])
    strangers = kinds.kind.str.startswith("strangers")
    return pd.concat([kinds[~strangers], kinds[strangers]], ignore_index=True)


def missed_people(frame: pd.DataFrame) -> pd.DataFrame:
    """People (with evidence) whose profiles landed in several subjects."""
    split = frame.groupby("truth").subject_ref.nunique()
    return frame[frame.truth.isin(split[split > 1].index)].sort_values(["truth", "subject_ref"])


# -- printing --------------------------------------------------------------------------


def markdown(frame: pd.DataFrame) -> str:
    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.itertuples(False)]
    return "\n".join([head, rule, *body])


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _profiles(frame: pd.DataFrame, columns: Iterable[str] = ()) -> pd.DataFrame:
    shown = frame.assign(file=frame.source_path.map(lambda p: Path(str(p)).name))
    ids = shown.identifiers.map(lambda i: ", ".join(i)[:60])
    return shown.assign(ids=ids)[[*columns, "name", "birth_date", "source", "file", "ids"]]


def print_report(frame: pd.DataFrame, truth: Truth, shown: int) -> dict[str, Scores]:
    known = _print_coverage(frame)
    evident = known[known.evidence]
    cast = evident[~evident.truth.str.startswith("traveller")]  # no background strangers
    scores = {
        "all profiles": pairwise(known.subject_ref, known.truth),
        "profiles with evidence": pairwise(evident.subject_ref, evident.truth),
        "with evidence, scenario people only": pairwise(cast.subject_ref, cast.truth),
    }
    table = [
        (k, s.true_pairs, s.predicted_pairs, s.correct_pairs, *_pct(s)) for k, s in scores.items()
    ]
    columns = ["profiles", "true", "predicted", "correct", "P %", "R %", "F1 %"]
    print("\n" + markdown(pd.DataFrame(table, columns=columns)))
    print("\nper pair of sources (profiles with evidence):")
    print(markdown(by_source_pair(evident)))
    merges = look_alike_merges(known, truth)
    print(f"\nlook-alike false merges: {len(merges)}")
    for kind, ref, a, b in merges:
        members = known[(known.subject_ref == ref) & known.truth.isin([a, b])]
        print(f"  {kind}: {a} and {b} in {ref}\n" + markdown(_profiles(members, ["truth"])))
    _print_errors(frame, evident, truth, shown)
    return scores


def _print_coverage(frame: pd.DataFrame) -> pd.DataFrame:
    """Print whose truth is unknown and who carries no evidence; return the known."""
    unknown = frame[frame.truth == ""]
    print(f"\n{len(frame):,} profiles; by source: {dict(Counter(frame.source))}")
    print(f"truth undetermined for {len(unknown):,} (left out):")
    for why, group in unknown.groupby("why"):
        names = sorted(set(group.name.astype(str)))
        print(f"  {len(group):,} {why}: {', '.join(names[:8])}{' ...' * (len(names) > 8)}")
    known = frame[frame.truth != ""]
    bare = known[~known.evidence]
    print(f"no evidence (no name, no identifier): {len(bare):,} {dict(Counter(bare.source))}")
    return known


def _print_errors(frame: pd.DataFrame, evident: pd.DataFrame, truth: Truth, shown: int) -> None:
    kinds = merge_kinds(frame, evident, truth)
    print(f"\nfalse merges: {len(kinds):,} subjects holding several people")
    if len(kinds):
        print(dict(Counter(kinds.kind)))
        print(markdown(kinds.head(shown)))
    planted = evident[evident.truth.isin(truth.variants)]
    print("\nplanted name variants (transliteration, nickname, name order), by subject:")
    print(markdown(_subjects(planted).assign(kind=lambda t: t.truth.map(truth.variants))))
    missed = missed_people(evident)
    print(f"\nmissed: {missed.truth.nunique():,} people split over several subjects")
    if len(missed):
        print(markdown(_subjects(missed).head(shown)))


def _subjects(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (person, subject): how many profiles, from where, under which names."""
    rows = []
    for (person, ref), group in frame.groupby(["truth", "subject_ref"], sort=True):
        idents = sorted({i for ids in group.identifiers for i in ids})
        rows.append(
            (
                person,
                str(ref)[:12],
                len(group),
                ", ".join(sorted(set(group.source))),
                ", ".join(sorted(set(group.name.astype(str)))),
                ", ".join(sorted({str(b) for b in group.birth_date if isinstance(b, str)})),
                ", ".join(idents[:3]) + (" ..." if len(idents) > 3 else ""),
            )
        )
    columns = ["truth", "subject", "profiles", "sources", "names", "born", "identifiers"]
    return pd.DataFrame(rows, columns=columns)


def run(scale: str, seed: int, locations: bool, fresh: bool, shown: int) -> dict[str, Scores]:
    scenario_dir = scenario(scale, seed)
    root = BENCH_DIR / f"resolve-quality-{scale}-{seed}" / ("ledger" if locations else "people")
    if fresh:
        shutil.rmtree(root, ignore_errors=True)
    ledger = Ledger(root)
    done = root / "bench-ingested"  # the sources are in: skip re-reading them (slow)
    if not done.exists():
        started = time.perf_counter()
        reports = ingest(scenario_dir, ledger, locations)
        took = time.perf_counter() - started
        print(f"ingested {len(reports):,} files in {took:,.1f} s into {root}")
        for report in reports:
            if report.status == "failed" or report.quarantined:
                why = f" ({report.message})" if report.message else ""
                print(
                    f"  {report.path.name}: {report.status}{why}, "
                    f"{report.quarantined:,} of {report.read:,} records quarantined"
                )
        done.write_text(f"{len(reports)} files\n")
    resolution = resolve_ledger(ledger)
    state = "unchanged, reused" if resolution.unchanged else f"{resolution.seconds:,.1f} s"
    print(
        f"resolved {resolution.profiles:,} profiles into {resolution.subjects:,} subjects "
        f"({resolution.pairs:,} scored pairs, {resolution.linked:,} links; {state})"
    )
    truth = Truth.load(scenario_dir / "ground_truth.json")
    return print_report(with_truth(resolution.assignments, truth), truth, shown)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="small", choices=["tiny", "small", "medium"])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-locations", action="store_true", help="leave out Google / GPX")
    parser.add_argument("--fresh", action="store_true", help="ingest anew into an empty ledger")
    parser.add_argument("--show", type=int, default=40, help="error rows to print")
    args = parser.parse_args()
    scores = run(args.scale, args.seed, not args.no_locations, args.fresh, args.show)
    f1 = scores["profiles with evidence"].f1
    print(
        f"\ngoal F1 >= {GOAL_F1} (profiles with evidence): {f1:.4f}, "
        f"{'met' if f1 >= GOAL_F1 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
