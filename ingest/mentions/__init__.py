"""Mentions in text: who and what posts and message bodies name, with character offsets.

`extract_mentions(ledger)` reads every post text and message body in the ledger, finds
identifiers by rule (phones, e-mail addresses, @handles, known plates and flights), known
names through a gazetteer of the ledger's entities, and with a spaCy model unknown people,
organisations and places, and writes them as MENTIONS edges in one derived batch.
"""

from ingest.mentions.errors import SpacyModelMissing
from ingest.mentions.extract import EXTRACTOR_VERSION, KIND, MentionReport, extract_mentions

__all__ = ["EXTRACTOR_VERSION", "KIND", "MentionReport", "SpacyModelMissing", "extract_mentions"]
