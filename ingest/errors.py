"""Errors about source files; each names the file and says what to do."""

from __future__ import annotations

from pathlib import Path

from schemas.errors import DossierError


class SourceError(DossierError):
    exit_code = 66  # EX_NOINPUT


class UnreadableSource(SourceError):
    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: cannot read: {reason}")
        self.path = path


class UnknownFormat(SourceError):
    exit_code = 65

    def __init__(self, path: Path, supported: list[str]) -> None:
        super().__init__(
            f"{path}: unknown format; none of the connectors recognised its content "
            "(for a plain table, pass --mapping)"
        )
        self.path = path
        self.hint = "Supported formats: " + "; ".join(supported) + "."
