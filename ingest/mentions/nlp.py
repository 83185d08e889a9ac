"""spaCy's part: the pipeline, known names through the PhraseMatcher, and the model's
guesses at people, organisations and places no record names.

Without a model the pipeline is `spacy.blank("en")`: a tokenizer only, enough for the
gazetteer; with one, only its named-entity recogniser (and what that listens to) runs.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import orjson
import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from ingest.mentions.errors import SpacyModelMissing
from ingest.mentions.gazetteer import Gazetteer, fold
from ingest.mentions.spans import CONFIDENCE, NAME_CONFIDENCE, Mention, Target, ambiguous

MODEL_LABELS = ("PERSON", "ORG", "GPE", "FAC")
_KIND = {"PERSON": "person", "ORG": "org", "GPE": "place", "FAC": "place"}
# An untagged text (a message body) is read by the model only when more of its words are
# stop words of the model's language than of any of these: an English model reads Dutch
# or Japanese prose as a stream of ORGs and PERSONs. spaCy ships their stop-word lists.
RIVALS = ("en", "nl", "de", "fr", "es", "it", "pt", "pl", "sv", "da")


@cache  # loading a model takes about a second; the app and tests extract repeatedly
def load_pipeline(model_name: str | None) -> Language:
    if not model_name:
        return spacy.blank("en")
    try:
        nlp = spacy.load(model_name)
    except (OSError, ImportError) as exc:  # spaCy's E050: no package or path of that name
        raise SpacyModelMissing(model_name) from exc
    if "ner" not in nlp.pipe_names:
        raise SpacyModelMissing(model_name, "has no named-entity recogniser ('ner')")
    # The tagger, parser and lemmatizer add nothing here and halve the speed (NER alone:
    # 1.3k short texts/s, the whole small English pipeline 0.6k, on one core).
    needed = {"ner"} | {
        name for name, pipe in nlp.pipeline if "ner" in getattr(pipe, "listening_components", ())
    }
    nlp.select_pipes(enable=sorted(needed))
    return nlp


def model_version(model_name: str | None) -> str | None:
    """The installed version of a model: its package's, or for a model folder the version
    in its meta.json. Read from the package metadata, without loading the model (a second
    or more), so an unchanged run stays cheap. None without a model, or when none of that
    name is installed (loading it then fails with the reason)."""
    if not model_name:
        return None
    try:
        return importlib.metadata.version(model_name)
    except importlib.metadata.PackageNotFoundError:
        pass
    try:
        meta = orjson.loads((Path(model_name) / "meta.json").read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    version = meta.get("version") if isinstance(meta, dict) else None
    return str(version) if version is not None else None


def known_names(doc: Doc, matcher: PhraseMatcher, gazetteer: Gazetteer) -> Iterator[Mention]:
    """Every known name in the text, each linked to the entities that carry it."""
    for match_id, start, end in matcher(doc):
        span = doc[start:end]
        found = gazetteer.names[doc.vocab.strings[match_id]]
        for label, target in found:
            agrees = any(_agree(span, label, ent) for ent in doc.ents)
            confidence = NAME_CONFIDENCE[(len(span.text.split()) > 1) + agrees]
            same_type = sum(other.type == target.type for _, other in found)
            yield Mention(
                span.start_char,
                span.end_char,
                label,
                "gazetteer",
                ambiguous(confidence, same_type),
                target,
            )


def _agree(span: Span, label: str, ent: Span) -> bool:
    overlaps = ent.start < span.end and span.start < ent.end
    return overlaps and _KIND.get(ent.label_) == _KIND[label]


def guessed(doc: Doc, gazetteer: Gazetteer) -> Iterator[Mention]:
    """The model's PERSON, ORG, GPE and FAC entities as entities of the model."""
    for ent in doc.ents:
        if ent.label_ not in MODEL_LABELS or not _plausible(ent.text):
            continue
        target = _target(ent.label_, ent.text, gazetteer)
        if target is not None:
            key = "model:PERSON" if ent.label_ == "PERSON" else "model"
            yield Mention(
                ent.start_char, ent.end_char, ent.label_, "model", CONFIDENCE[key], target
            )


def speaks(nlp: Language, language: str | None, doc: Doc) -> bool:
    """Whether the model's guesses about this text are worth keeping: the text is in the
    model's language, as its source tagged it, or untagged and most like that language."""
    lang = nlp.lang or ""
    if language and language not in ("und", "zxx"):
        return language.split("-")[0].lower() == lang
    words = [token.lower_ for token in doc if token.is_alpha]
    own = _stop_hits(lang, words) if lang else 0
    rivals = (_stop_hits(rival, words) for rival in RIVALS if rival != lang)
    return own > 0 and all(own > hits for hits in rivals)


def _stop_hits(lang: str, words: list[str]) -> int:
    stop_words = _stop_words(lang)
    return sum(word in stop_words for word in words)


@cache
def _stop_words(lang: str) -> frozenset[str]:
    """A language's stop words from spaCy's own list, read without importing the language
    (French's tokenizer rules alone take seconds to import); empty when it has none."""
    path = Path(spacy.__file__).parent / "lang" / lang / "stop_words.py"
    spec = importlib.util.spec_from_file_location(f"_dossier_stop_words_{lang}", path)
    if spec is None or spec.loader is None or not path.is_file():
        return frozenset()
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return frozenset(getattr(module, "STOP_WORDS", ()))


def _plausible(name: str) -> bool:
    """A name has letters, and no digits or signs of an identifier ("KT8YV2", a booking
    reference the model took for a place; handles, tags and links the rules read)."""
    letters = any(c.isalpha() for c in name)
    return len(name) >= 2 and letters and not any(c.isdigit() or c in "@#/:" for c in name)


def _target(label: str, name: str, gazetteer: Gazetteer) -> Target | None:
    if label == "PERSON":
        return gazetteer.target("Person", name=name)
    if label == "ORG":
        return gazetteer.target("Organization", name=name)
    return gazetteer.target("Place", place_kind="named", ref=fold(name), name=name)
