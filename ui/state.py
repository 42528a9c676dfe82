"""Cached resources and cached reads for the pages.

The engine is one per database URL for the whole process (``st.cache_resource``); read results are plain dicts
cached per URL and id (``st.cache_data``), so two stores never share an entry and nothing cached holds a session or
an ORM object. Pages call the public functions below without a URL: the current settings supply it.

There is no write path here yet; whatever writes later must clear the entries it changed (``st.cache_data.clear``
on the affected function). Imports made from the CLI while the app runs show up after ``READ_TTL`` seconds.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select

from core import queries
from core.config import get_settings
from core.db import init_db, make_engine, session_scope
from core.ingest.loader import import_paths
from core.ingest.seed import SEED_PATH
from core.models import Work

READ_TTL = 120  # seconds
READ_MAX_ENTRIES = 256
NotFound = queries.NotFound
Ambiguous = queries.Ambiguous


def ensure_app_shell() -> None:
    """Make sure the page runs inside ``app.py`` (navigation, sidebar), not as a bare script of ``pages/``.

    Call it first in every page. Streamlit treats a ``pages/`` folder beside the entrypoint as a v1 multipage app
    until ``st.navigation`` has run once in the process, so on a freshly started server a deep link such as
    ``/researcher?id=1`` would run the page alone, without the sidebar. Switching that mode off and rerunning runs
    ``app.py`` with the same page (v1 and v2 hash a page by its url path, ``researcher``) and query string.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()


def database_url() -> str:
    return get_settings().database_url


def get_engine() -> Engine:
    """The engine for the configured store, migrated, and holding the seed world if it was empty at first start."""
    return _engine(database_url(), get_settings().load_seed_on_first_start)


@st.cache_resource(show_spinner="Loading the seed world…", max_entries=8)
def _engine(url: str, seed_if_empty: bool) -> Engine:
    engine = make_engine(url)
    init_db(engine)
    if seed_if_empty:
        with session_scope(engine) as session:
            empty = session.exec(select(func.count()).select_from(Work)).one() == 0
        if empty:
            # A newcomer should see real pages at once, not an empty box.
            import_paths([SEED_PATH], engine=engine, fmt="seed")
    return engine


# ---- reads: public wrappers take ids, cached functions also take the URL -----------------------------------------
def store_stats() -> dict:
    return _store_stats(database_url())


def search(query: str, limit: int = 10) -> dict:
    return _search(database_url(), query.strip(), limit)


def resolve_researcher(query: str) -> int:
    """Internal id for what was typed or linked; raises ``NotFound`` / ``Ambiguous``."""
    return _resolve_researcher(database_url(), str(query).strip())


def resolve_work(query: str) -> int:
    return _resolve_work(database_url(), str(query).strip())


def researcher_profile(researcher_id: int) -> dict:
    """``core.queries.researcher_profile`` as a dict (collaborators: up to 100, ranked)."""
    return _researcher_profile(database_url(), int(researcher_id))


def paper_detail(work_id: int, *, citing_limit: int | None = None) -> dict:
    """``core.queries.paper_detail``; ``citing_limit`` keeps the newest citing works only (all are counted)."""
    return _paper_detail(database_url(), int(work_id), citing_limit)


@st.cache_data(ttl=READ_TTL, max_entries=16, show_spinner=False)
def _store_stats(url: str) -> dict:
    with session_scope(_engine_for(url)) as session:
        return dict(queries.store_stats(session=session))


@st.cache_data(ttl=READ_TTL, max_entries=READ_MAX_ENTRIES, show_spinner=False)
def _search(url: str, query: str, limit: int) -> dict:
    with session_scope(_engine_for(url)) as session:
        return queries.search(session=session, query=query, limit=limit)


@st.cache_data(ttl=READ_TTL, max_entries=READ_MAX_ENTRIES, show_spinner=False)
def _resolve_researcher(url: str, query: str) -> int:
    with session_scope(_engine_for(url)) as session:
        return queries.resolve_researcher(session=session, query=query)


@st.cache_data(ttl=READ_TTL, max_entries=READ_MAX_ENTRIES, show_spinner=False)
def _resolve_work(url: str, query: str) -> int:
    with session_scope(_engine_for(url)) as session:
        return queries.resolve_work(session=session, query=query)


@st.cache_data(ttl=READ_TTL, max_entries=READ_MAX_ENTRIES, show_spinner=False)
def _researcher_profile(url: str, researcher_id: int) -> dict:
    with session_scope(_engine_for(url)) as session:
        return queries.researcher_profile(session=session, researcher_id=researcher_id, collaborators=100).to_dict()


@st.cache_data(ttl=READ_TTL, max_entries=READ_MAX_ENTRIES, show_spinner=False)
def _paper_detail(url: str, work_id: int, citing_limit: int | None = None) -> dict:
    with session_scope(_engine_for(url)) as session:
        return queries.paper_detail(session=session, work_id=work_id, citing_limit=citing_limit)


def _engine_for(url: str) -> Engine:
    # Same cache entry as get_engine() when the URL is the configured one.
    return _engine(url, get_settings().load_seed_on_first_start)


# ---- researcher page: graph slice and trust history -------------------------------------------------------------
def researcher_graph_slice(researcher_id: int, max_nodes: int = 60) -> dict:
    """``core.queries.researcher_graph_slice``: nodes (with layout x/y) and weighted edges around a person."""
    return _researcher_graph_slice(database_url(), int(researcher_id), int(max_nodes))


def trust_history(researcher_id: int) -> list[dict]:
    """Every stored trust snapshot of a person, oldest first, as full dicts (components, facts, sources)."""
    return _trust_history(database_url(), int(researcher_id))


@st.cache_data(ttl=READ_TTL, max_entries=READ_MAX_ENTRIES, show_spinner=False)
def _researcher_graph_slice(url: str, researcher_id: int, max_nodes: int) -> dict:
    # The profile (cached, and already read by the page that draws the slice) holds the co-authors, topics and
    # affiliation the slice starts from: reusing them saves the slice its own copy of those queries.
    profile = _researcher_profile(url, researcher_id)
    with session_scope(_engine_for(url)) as session:
        return queries.researcher_graph_slice(
            session=session, researcher_id=researcher_id, max_nodes=max_nodes, profile=profile
        )


@st.cache_data(ttl=READ_TTL, max_entries=READ_MAX_ENTRIES, show_spinner=False)
def _trust_history(url: str, researcher_id: int) -> list[dict]:
    from core.trust_refresh import trust_history as stored_history

    with session_scope(_engine_for(url)) as session:
        return stored_history(session=session, researcher_id=researcher_id)
