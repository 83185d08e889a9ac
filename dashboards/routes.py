"""The app's pages and the moves between them, in one place."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import streamlit as st

PAGES_DIR = Path(__file__).resolve().parent / "pages"
SEARCH = PAGES_DIR / "search.py"
ENTITY = PAGES_DIR / "entity.py"
REVIEW = PAGES_DIR / "review.py"


def pages() -> list[st.Page]:
    return [
        st.Page(SEARCH, title="Search", default=True),
        st.Page(ENTITY, title="Entity", url_path="entity"),
        st.Page(REVIEW, title="Review links", url_path="review"),
    ]


def open_entity(entity_id: str) -> NoReturn:
    """Show one entity's dossier; its id travels in the URL so the page can be shared."""
    st.switch_page(ENTITY, query_params={"id": entity_id})


def open_search() -> NoReturn:
    st.switch_page(SEARCH)
