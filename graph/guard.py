"""The check that analyst Cypher only reads.

Both backends also enforce it themselves (Neo4j READ access mode; the embedded store is
opened read-only), but this check runs first on both so that the refusal is the same
clear message everywhere, and so that clauses that read files or URLs even in read mode
(`LOAD CSV`, `LOAD FROM`, `COPY`) never run.
"""

from __future__ import annotations

import re

from schemas.errors import DossierError

FORBIDDEN = (
    "CREATE",
    "MERGE",
    "DELETE",
    "DETACH",
    "SET",
    "REMOVE",
    "DROP",
    "ALTER",
    "LOAD",
    "COPY",
    "EXPORT",
    "IMPORT",
    "INSTALL",
    "ATTACH",
    "FOREACH",
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "CHECKPOINT",
    "GRANT",
    "DENY",
    "REVOKE",
    "TERMINATE",
    "START",
    "STOP",
    "ENABLE",
    "DISABLE",
    "RENAME",
    "USE",
)
# Procedures that only describe the schema; anything else (apoc.*, dbms.*, file readers)
# is refused.
ALLOWED_PROCEDURES = frozenset(
    {
        "db.labels",
        "db.relationshiptypes",
        "db.propertykeys",
        "db.schema.visualization",
        "show_tables",
        "table_info",
        "show_connection",
    }
)

_STRINGS_AND_COMMENTS = re.compile(
    r"'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.S
)
_WORD = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")
_CALL = re.compile(r"\bCALL\s*([A-Za-z_][A-Za-z_0-9.]*)?\s*(\(|\{)?", re.I)


class QueryRefused(DossierError):
    exit_code = 77  # EX_NOPERM

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"query refused: {reason}. `dossier query` runs read-only Cypher "
            "(MATCH / OPTIONAL MATCH / WITH / UNWIND / RETURN / schema procedures)."
        )


def strip_literals(cypher: str) -> str:
    """Blank out strings, quoted names and comments so keywords inside them don't count."""
    return _STRINGS_AND_COMMENTS.sub(" ", cypher)


def check_read_only(cypher: str) -> None:
    """Raise QueryRefused for anything that could write, administer, or read files."""
    code = strip_literals(cypher)
    if not code.strip():
        raise QueryRefused("the query is empty")
    _check_calls(code)
    words = {w.upper() for w in _WORD.findall(_CALL.sub(" ", code))}
    bad = sorted(words.intersection(FORBIDDEN))
    if bad:
        raise QueryRefused(f"clause {bad[0]} is not allowed")


def _check_calls(code: str) -> None:
    for match in _CALL.finditer(code):
        procedure = (match.group(1) or "").lower()
        if match.group(2) == "{" or not procedure:
            raise QueryRefused("CALL subqueries are not allowed")
        if procedure not in ALLOWED_PROCEDURES:
            raise QueryRefused(f"procedure {procedure} is not on the allowlist")
