"""Mention extraction over the whole ledger, written as one derived batch.

Each post text and message body is read once; whatever it names (a phone, an address, a
handle, a known plate or flight, a known name, and with a model also unknown people,
organisations and places) becomes a MENTIONS edge with its character offsets, method and
confidence, in one record per text. The batch supersedes the previous mention run; the
same inputs give the same batch, so a re-run changes nothing. The inputs are the source
batches, the resolution run, whether bodies are read, spaCy's version (its tokenizer sets
the offsets) and the model by name and installed version: upgrading either runs
extraction again.

One MENTIONS edge per post and target: where a source batch already asserts that a text
mentions an entity (a platform's own structured mention of an account), that edge is the
one kept, and extraction writes none for the pair, even where its rule finds the @handle
in the text. The platform's word is the surer evidence, and a mention run that is retracted
or re-run never touches it.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import orjson
import spacy
from spacy.language import Language

from ingest.ledger import BatchManifest, Ledger
from ingest.mentions import flights, reading, rules
from ingest.mentions import gazetteer as gaz
from ingest.mentions import nlp as spacy_part
from ingest.mentions.spans import Mention, select
from ingest.records import RecordBuilder, SourceRecord
from schemas.model import default_model

KIND = "mentions"
EXTRACTOR_VERSION = "5"  # raise whenever the same inputs would give other mentions
BATCH_SIZE = 256
# spaCy's memory grows with a text's length; past this, a (rare, long) message body is
# still read by the rules in full, but names are looked for in its start only.
NLP_CHARS = 100_000


@dataclass(frozen=True)
class MentionReport:
    texts_read: int
    texts_with_mentions: int
    by_label: dict[str, int]  # MENTIONS edges (one per target of a mention) by label
    by_method: dict[str, int]
    manifest: BatchManifest
    unchanged: bool  # the batch for these inputs already existed: nothing was written


def extract_mentions(
    ledger: Ledger, model_name: str | None = None, include_bodies: bool = True
) -> MentionReport:
    """Find mentions in every post and (with `include_bodies`) message body of the
    ledger; `model_name` is an installed spaCy model, None for rules and known names."""
    batches = reading.source_batches(ledger)
    resolution = ledger.latest_derived("resolution")
    digest = inputs_digest(batches, resolution, model_name, include_bodies)
    texts = reading.texts(reading.newest_nodes(ledger, batches, reading.TEXT_TYPES), include_bodies)
    existing = ledger.current_derived(KIND, digest, EXTRACTOR_VERSION)
    if existing is not None:
        return summarise(ledger, existing, len(texts), unchanged=True)
    nlp = spacy_part.load_pipeline(model_name)
    asserted = set(reading.edge_pairs(ledger, batches, "MENTIONS"))
    records = _records(nlp, _known(ledger, batches, resolution), texts, asserted)
    manifest = ledger.write_derived(KIND, digest, EXTRACTOR_VERSION, records)
    return summarise(ledger, manifest, len(texts), unchanged=False)


def _known(
    ledger: Ledger, batches: list[BatchManifest], resolution: BatchManifest | None
) -> gaz.Gazetteer:
    """Everything the ledger knows that a text may name."""
    nodes = reading.newest_nodes(ledger, batches, reading.ENTITY_TYPES)
    entities = [n for n in nodes if n.type != "Trip"] + reading.subjects(ledger, resolution)
    authors = reading.edge_pairs(ledger, batches, "POSTED_BY")
    known = gaz.build(default_model(), entities, authors)
    trips = [n for n in nodes if n.type == "Trip"]
    passengers = reading.edge_pairs(ledger, batches, "PASSENGER")
    known.legs = flights.index(trips, passengers, reading.resolved(ledger, resolution))
    return known


def inputs_digest(
    batches: list[BatchManifest],
    resolution: BatchManifest | None,
    model_name: str | None,
    include_bodies: bool,
) -> str:
    """What a run depends on: the source batches, the resolution run, spaCy's version, the
    model (by name and installed version, read without loading it), bodies."""
    inputs = {
        "batches": sorted(m.batch_id for m in batches),
        "resolution": resolution.batch_id if resolution else None,
        "spacy": spacy.__version__,
        "model": model_name or None,
        "model_version": spacy_part.model_version(model_name),
        "bodies": include_bodies,
    }
    return hashlib.sha256(orjson.dumps(inputs, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _records(
    nlp: Language,
    known: gaz.Gazetteer,
    texts: list[reading.Text],
    asserted: set[tuple[str, str]],
) -> Iterator[SourceRecord]:
    """One record per text that mentions something; `asserted` are the (text, target)
    pairs a source already links by MENTIONS, which get no second edge."""
    matcher = gaz.phrase_matcher(nlp, known)
    docs = nlp.pipe((t.text[:NLP_CHARS] for t in texts), batch_size=BATCH_SIZE)
    for text, doc in zip(texts, docs, strict=True):
        names = list(spacy_part.known_names(doc, matcher, known))
        if doc.ents and spacy_part.speaks(nlp, text.language, doc):
            names.extend(spacy_part.guessed(doc, known))
        people = {m.target.id for m in names if m.label == "PERSON"}
        found = [*rules.find(text, known), *flights.find(text, known.legs, people), *names]
        chosen = select(found, rules.blocked(text.text))
        # After select: the span stays taken by what the source names, so no lesser
        # finding of the same characters takes its place.
        mentions = [m for m in chosen if (text.node_id, m.target.id) not in asserted]
        if mentions:
            yield _record(text, mentions)


def _record(text: reading.Text, mentions: list[Mention]) -> SourceRecord:
    builder = RecordBuilder(default_model(), KIND, f"{text.node_id} (mentions)", text.text)
    source = builder.refer(text.node_type, text.node_id)
    for mention in mentions:
        target = mention.target
        if target.props is None:  # known: link it, assert nothing about it
            target_id = builder.refer(target.type, target.id)
        else:
            target_id = builder.entity(target.type, **target.props)
        builder.link(
            "MENTIONS",
            source,
            target_id,
            occurrence=f"{mention.start}:{mention.end}",
            char_start=mention.start,
            char_end=mention.end,
            text=text.text[mention.start : mention.end],
            label=mention.label,
            confidence=mention.confidence,
            method=mention.method,
        )
    return builder.build()


def summarise(
    ledger: Ledger, manifest: BatchManifest, texts_read: int, unchanged: bool
) -> MentionReport:
    """The report, counted from the batch itself, so a re-run reports what is stored."""
    edges = ledger.table(manifest, "edges").to_pydict()
    labels: Counter[str] = Counter()
    methods: Counter[str] = Counter()
    for rel_type, props in zip(edges["type"], edges["props"], strict=True):
        if rel_type == "MENTIONS":
            values = orjson.loads(props)
            labels[values["label"]] += 1
            methods[values["method"]] += 1
    return MentionReport(
        texts_read, manifest.accepted, dict(labels), dict(methods), manifest, unchanged
    )
