"""Panels drawn only when asked for (issue 6): the long co-author list, the trust card's tables, a long byline and
the explorer's analysis tabs are drawn on opening their expander or tab (a rerun), and then show what they always
showed. Run headless through ``AppTest`` over ``../shared/data/openalex-ego-bangor``; expected values come from the
raw OpenAlex records or from ``core.trust``'s constants, never from the functions the pages call.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.config import get_settings
from core.db import make_engine, session_scope
from core.trust import BANDS, LEVEL_MEANING, WEIGHTS
from ui import state

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
BANGOR = Path(__file__).resolve().parents[3] / "shared" / "data" / "openalex-ego-bangor"
MEARMAN = "A5017898742"
TIMEOUT = 60

pytestmark = pytest.mark.slow


def _unescape(md: str) -> str:
    return re.sub(r"\\([^\w\s])", r"\1", md)


def _raw_works() -> list[dict]:
    with (BANGOR / "works.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def links(at: AppTest, page: str) -> list[tuple[str, dict]]:
    """``(label as shown, query params)`` of every page link to ``page`` (e.g. "researcher")."""
    return [
        (_unescape(link.value), {k: v[0] for k, v in parse_qs(link.proto.query_string).items()})
        for link in at.get("page_link")
        if link.proto.page == page
    ]


@pytest.fixture(scope="module")
def bangor_url(bangor_store, tmp_path_factory) -> str:
    db = tmp_path_factory.mktemp("bangor-lazy") / "peerscope.db"
    shutil.copyfile(bangor_store, db)
    return f"sqlite:///{db}"


@pytest.fixture
def open_app(monkeypatch):
    """``open_app(url, page, **query_params)`` -> an AppTest that has run once on that store."""

    def _reset() -> None:
        get_settings.cache_clear()
        st.cache_data.clear()
        st.cache_resource.clear()

    def _open(url: str, page: str, **params: str) -> AppTest:
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setenv("PEERSCOPE_LOAD_SEED_ON_FIRST_START", "false")
        _reset()
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.query_params.update(params)
        at.switch_page(page)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    monkeypatch.setattr(state, "ensure_app_shell", lambda: None)
    yield _open
    _reset()


def _open_panel(at: AppTest, key: str, value: object) -> AppTest:
    """Open an expander (``True``) or choose a tab (its label) by its key, as a click would, and rerun."""
    at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _id_of(url: str, openalex_id: str) -> int:
    from core import queries

    engine = make_engine(url)
    try:
        with session_scope(engine) as s:
            return queries.resolve_researcher(session=s, query=openalex_id)
    finally:
        engine.dispose()


def _work_id(url: str, openalex_id: str) -> int:
    from core import queries

    engine = make_engine(url)
    try:
        with session_scope(engine) as s:
            return queries.resolve_work(session=s, query=openalex_id)
    finally:
        engine.dispose()


# ---- researcher page -----------------------------------------------------------------------------------------------
def test_all_co_authors_are_listed_once_the_list_is_opened(open_app, bangor_url):
    mine = [w for w in _raw_works() if any(a["author"]["id"].endswith(MEARMAN) for a in w["authorships"])]
    expected = {a["author"]["display_name"] for w in mine for a in w["authorships"]} - {
        next(a["author"]["display_name"] for a in mine[0]["authorships"] if a["author"]["id"].endswith(MEARMAN))
    }
    assert len(expected) == 17
    rid = _id_of(bangor_url, MEARMAN)
    at = open_app(bangor_url, "pages/researcher.py", id=MEARMAN)
    assert "All 17 co-authors" in [e.label for e in at.expander]
    closed = {label for label, _ in links(at, "researcher")}
    assert len(closed) == 10 and closed < expected  # the ten strongest, beside the expander
    _open_panel(at, f"coauthors_all_{rid}", True)
    opened = {label.split(" · ")[0] for label, _ in links(at, "researcher")}
    assert opened == expected
    shared = [label for label, _ in links(at, "researcher") if " · " in label]
    assert len(shared) == 7 and all(re.search(r" · \d+ shared works?$", label) for label in shared)


def test_trust_card_tables_are_drawn_when_opened(open_app, bangor_url):
    rid = _id_of(bangor_url, MEARMAN)
    at = open_app(bangor_url, "pages/researcher.py", id=MEARMAN)
    labels = {e.label for e in at.expander}
    assert {"Facts and sources behind each component", "How the score works"} <= labels
    assert [list(t.value.columns) for t in at.dataframe] == [["Source", "File", "Records", "Last seen"]]  # provenance
    _open_panel(at, f"trust_{rid}_facts", True)
    facts = _table(at, "Facts")
    assert list(facts.columns) == ["Component", "Points", "Sources", "Facts"]
    assert list(facts["Component"]) == [p.proto.text.split(" · ")[0].strip("*") for p in at.get("progress")]
    sources = dict(zip(facts["Component"], facts["Sources"], strict=True))  # where each component's facts were read
    assert re.fullmatch(r"OpenAlex \d{4}-\d\d-\d\d", sources["Record"]), sources
    assert sources["Impact"] == sources["Record"] and sources["Identity"].startswith(sources["Record"] + ", Peerscope ")
    assert re.fullmatch(r"Peerscope \d{4}-\d\d-\d\d", sources["Community"]) and sources["Network"] == sources["Community"]
    _open_panel(at, f"trust_{rid}_how", True)
    assert list(_table(at, "Band")["Band"]) == [band for _, band, _ in BANDS]
    assert list(_table(at, "Level")["Level"]) == list(LEVEL_MEANING)
    assert list(_table(at, "Maximum")["Component"]) == [name.capitalize() for name, _, _ in WEIGHTS]


def _table(at: AppTest, column: str):
    """The one dataframe on the page with ``column``."""
    (table,) = [t.value for t in at.dataframe if column in t.value.columns]
    return table


# ---- paper page ----------------------------------------------------------------------------------------------------
def test_a_long_byline_is_listed_in_full_once_opened(open_app, bangor_url):
    work = max(_raw_works(), key=lambda w: len(w["authorships"]))
    people = {a["author"]["id"]: a["author"]["display_name"] for a in reversed(work["authorships"])}
    names = [people[i] for i in dict.fromkeys(a["author"]["id"] for a in work["authorships"])]  # one listed twice
    assert len(names) > 40
    at = open_app(bangor_url, "pages/paper.py", id=work["id"].rsplit("/", 1)[-1])
    label = f"All {len(names)} authors"
    assert label in [e.label for e in at.expander]
    assert [name for name, _ in links(at, "researcher")] == names[:40]
    _open_panel(at, f"authors_all_{_work_id(bangor_url, work['id'].rsplit('/', 1)[-1])}", True)
    assert [name for name, _ in links(at, "researcher")] == names


# ---- explorer ------------------------------------------------------------------------------------------------------
def _on_screen(at: AppTest) -> int:
    caption = next(_unescape(c.value) for c in at.caption if c.value.startswith("Showing "))
    return int(re.search(r"on screen: (\d+) nodes?", caption)[1])


def test_explorer_tabs_draw_when_chosen(open_app, bangor_url):
    rid = _id_of(bangor_url, MEARMAN)
    at = open_app(bangor_url, "pages/explorer.py", focus=f"r:{rid}")
    assert [t.label for t in at.tabs] == [
        "Communities",
        "Centrality",
        "Bridges and brokers",
        "How to reach a researcher",
        "Time",
        "Export",
    ]
    assert any(c.value.startswith("Louvain communities") for c in at.caption)  # the tab open at first
    assert not at.dataframe and not at.get("download_button")

    _open_panel(at, "explorer_tab", "Centrality")
    table = at.dataframe[0].value
    assert list(table.columns) == ["Node", "Degree", "Betweenness", "PageRank"]
    assert len(table) == min(50, _on_screen(at))
    assert list(table["PageRank"]) == sorted(table["PageRank"], reverse=True)
    assert not any(c.value.startswith("Louvain communities") for c in at.caption)

    _open_panel(at, "explorer_tab", "Time")
    assert [c.proto.id for c in at.get("plotly_chart") if "growth" in c.proto.id] or any(
        c.value.startswith("Fewer than two dated links") for c in at.caption
    )

    _open_panel(at, "explorer_tab", "Export")
    assert [d.label for d in at.get("download_button")] == ["Nodes CSV", "Edges CSV", "GraphML", "GEXF"]
