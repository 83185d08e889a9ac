"""What can be wrong with a mapping, or with a file read through one.

A broken mapping is a configuration error: the message names the mapping file and the
line in it, and says what to change. A file that lacks the columns a mapping names is a
source problem of that one file (the pipeline reports it as a failed file and goes on).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ingest.errors import UnreadableSource
from schemas.errors import DossierError


class MappingError(DossierError):
    """The mapping file is not valid YAML, or does not fit the model (line 0: no line)."""

    exit_code = 78  # EX_CONFIG

    def __init__(self, path: Path, line: int, problem: str, fix: str = "") -> None:
        text = f"{path}:{line}: {problem}" if line else f"{path}: {problem}"
        if fix:
            text += f"; {fix}"
        super().__init__(text)
        self.path = path
        self.line = line
        self.problem = problem


class ColumnsMissing(UnreadableSource):
    """The file's header (or Parquet schema) lacks columns the mapping names."""

    exit_code = 65  # EX_DATAERR

    def __init__(
        self,
        path: Path,
        mapping_path: Path,
        missing: dict[str, int],
        available: Iterable[str],
    ) -> None:
        named = ", ".join(f"{c!r} (line {line})" for c, line in missing.items())
        shown = ", ".join(repr(c) for c in available) or "none"
        super().__init__(
            path,
            f"the mapping {mapping_path} names columns this file does not have: {named}. "
            f"The file has: {shown}. Correct the names in the mapping, or choose the "
            "mapping written for this file",
        )
        self.mapping_path = mapping_path
        self.missing = dict(missing)
