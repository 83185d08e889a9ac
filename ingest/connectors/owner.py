"""The owner of a personal export (location history, GPX, SMS / call backup, mailbox).

`dossier ingest FILE --owner NAME` names the person whose device or account produced the
file. Without it the owner is still one subject per file, named after the file in
parentheses so that nobody mistakes it for a real name; entity resolution can later
link that subject to a named person.
"""

from __future__ import annotations

from pathlib import Path

from ingest.connectors.base import ReadOptions
from ingest.records import RecordBuilder


def owner_name(options: ReadOptions, source: Path) -> str:
    return options.owner or f"(owner of {source.name})"


def add_owner(builder: RecordBuilder, options: ReadOptions, source: Path) -> str:
    """The owner as a Person entity of this record; returns its id."""
    return builder.entity("Person", name=owner_name(options, source))
