"""The connector contract: sniff a file's content, then yield records or rejections.

Adding a source is one new module with one Connector subclass, listed in the registry
(`ingest.connectors.registry`). Connectors never touch the ledger or the graph.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

from ingest.records import Rejected, SourceRecord
from ingest.stretches import Stretch
from schemas.model import Model, default_model

SNIFF_BYTES = 8192


@dataclass(frozen=True)
class ReadOptions:
    """Per-run choices a user makes about a source; defaults suit most exports."""

    assume_offset: timedelta | None = None  # zone for times written without an offset
    owner: str | None = None  # the person whose device or account produced the export
    phone_region: str | None = None  # ISO region for national phone numbers, e.g. "NL"
    include_bodies: bool = False  # message bodies are kept only when this is set


class Connector(ABC):
    """One source format. Subclasses set the class attributes and implement two methods."""

    name: ClassVar[str]  # stable identifier, recorded in every batch manifest
    version: ClassVar[str]  # bump when the output for the same input changes
    title: ClassVar[str]  # human description for `dossier ingest --help` and errors
    source_kind: ClassVar[str]  # namespace of event ids, e.g. "frigate"

    def __init__(self, model: Model | None = None, options: ReadOptions | None = None) -> None:
        self.model = model or default_model()
        self.options = options or ReadOptions()

    # A connector travels to the worker processes that read files in parallel. The shipped
    # model is not sent along: each process has it loaded once (`default_model`), and the
    # entity cache of `RecordBuilder` only hits for the very model object of its process.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        if state.get("model") is default_model():
            state["model"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if self.model is None:
            self.model = default_model()

    @classmethod
    @abstractmethod
    def sniff(cls, head: bytes) -> bool:
        """True when the first bytes of a file look like this format (content, not name)."""

    @abstractmethod
    def read(self, path: Path) -> Iterator[SourceRecord | Rejected]:
        """Yield one item per source record, in file order, streaming."""

    def stretches(self, path: Path) -> list[Stretch] | None:
        """Where a big file may be cut so that workers read it side by side, or None (the
        default): the file is read whole. Connectors that can find record boundaries
        cheaply override this and `read_stretch`."""
        return None

    def read_stretch(self, path: Path, stretch: Stretch) -> Iterator[SourceRecord | Rejected]:
        """The records of one stretch, exactly as `read` yields them there; raises
        StretchMisaligned when the stretch does not hold whole records."""
        raise NotImplementedError(f"{self.name} reads files whole")
