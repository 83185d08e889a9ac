"""The exception hierarchy: one base class, subclasses named for what went wrong.

Every message says what was wrong and, where it can, what to do next, because the
people who read them are analysts running a command, not the authors of the code.
"""

from __future__ import annotations


class DossierError(Exception):
    """Base class of every error dossier raises on purpose."""

    exit_code = 1


class InvalidValue(DossierError):
    """A value could not be normalised to its value type."""

    exit_code = 65  # EX_DATAERR

    def __init__(self, field: str, value: object, reason: str) -> None:
        shown = repr(value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        super().__init__(f"field {field!r}: {reason} (value {shown})")
        self.field = field
        self.value = value
        self.reason = reason


class SchemaError(DossierError):
    """The model file itself is inconsistent (a developer error, caught by the tests)."""

    exit_code = 78  # EX_CONFIG
