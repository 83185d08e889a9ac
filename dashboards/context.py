"""What the app needs from the outside world, handed in by the composition root.

Pages never open databases or read settings themselves: `dossier.streamlit_main` builds
an AppContext (store, ledger, audit) and the pages use it through dashboards.data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from graph.store import GraphStore
from ingest.ledger import Ledger

AuditFn = Callable[[str, dict[str, object]], None]


@dataclass(frozen=True)
class AppContext:
    store: GraphStore
    ledger: Ledger
    audit: AuditFn  # audit(action, details): every view is recorded
    backend: str  # shown in the sidebar so analysts know which graph they see
    analyst: str = "analyst"  # who decides: recorded on analyst decisions
