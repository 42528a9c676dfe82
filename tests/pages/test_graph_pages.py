"""The explorer, the lab map and the import page, run headless through ``AppTest``.

The explorer and the lab map read a store holding ``../shared/data/openalex-ego-bangor`` (imported once per module,
read in place). Expected values come from the raw OpenAlex records (who shares which work, who is affiliated with
Bangor University), never from the functions the pages call.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.config import get_settings
from core.db import init_db, make_engine
from core.ingest.loader import ImportFailed, import_paths
from core.ingest.seed import SEED_PATH
from ui import state

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
BANGOR = Path(__file__).resolve().parents[3] / "shared" / "data" / "openalex-ego-bangor"
BANGOR_ROR = "https://ror.org/006jb1a24"
TIMEOUT = 60

pytestmark = pytest.mark.slow


def _unescape(md: str) -> str:
    return re.sub(r"\\([^\w\s])", r"\1", md)


def texts(at: AppTest) -> str:
    parts = [*at.title, *at.markdown, *at.caption, *at.info, *at.warning, *at.error, *at.success, *at.subheader]
    return "\n".join(_unescape(str(p.value)) for p in parts)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


# ---- the raw records -----------------------------------------------------------------------------------------------
def _raw_works() -> list[dict]:
    with (BANGOR / "works.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _bylines() -> list[set[str]]:
    return [{a["author"]["display_name"] for a in w["authorships"] if a.get("author")} for w in _raw_works()]


def coauthors(name: str) -> set[str]:
    return {p for b in _bylines() if name in b for p in b} - {name}


def share_a_work(a: str, b: str) -> bool:
    return any(a in byline and b in byline for byline in _bylines())


def bangor_people() -> set[str]:
    """Authors with a Bangor University affiliation (or a unit whose lineage holds it) on some work."""
    inst = next(
        json.loads(line)
        for line in (BANGOR / "institutions.jsonl").read_text(encoding="utf-8").splitlines()
        if json.loads(line).get("ror") == BANGOR_ROR
    )
    out = set()
    for w in _raw_works():
        for a in w["authorships"]:
            if any(i["id"] == inst["id"] or inst["id"] in (i.get("lineage") or []) for i in a["institutions"]):
                out.add(a["author"]["display_name"])
    return out


def bangor_works() -> int:
    people = bangor_people()
    return sum(1 for b in _bylines() if b & people)


# ---- stores and the app --------------------------------------------------------------------------------------------
def _build_store(path: Path, *sources: Path) -> str:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    init_db(engine)
    if sources:
        import_paths(list(sources), engine=engine)
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def bangor_url(bangor_store, tmp_path_factory) -> str:
    # One import per test session (tests/conftest.py, shared with the browser journeys): copy it, never share it.
    db = tmp_path_factory.mktemp("bangor") / "peerscope.db"
    shutil.copyfile(bangor_store, db)
    return f"sqlite:///{db}"


@pytest.fixture
def open_app(monkeypatch):
    """``open_app(url, page, **query_params)`` -> an AppTest that has run once on that store."""

    def _reset() -> None:
        get_settings.cache_clear()
        st.cache_data.clear()
        st.cache_resource.clear()

    def _point(url: str) -> None:
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setenv("PEERSCOPE_LOAD_SEED_ON_FIRST_START", "false")
        _reset()

    def _open(url: str, page: str, *, session: dict | None = None, **params: str) -> AppTest:
        _point(url)
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.query_params.update(params)
        for k, v in (session or {}).items():
            at.session_state[k] = v
        at.switch_page(page)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    def _shell_without_rerun() -> None:
        # AppTest (Streamlit 1.67) turns the pages/ folder mode back on before every run, so the real
        # ``ensure_app_shell`` reruns each time, which drops a clicked button's value before the page sees it.
        # Switching the mode off without the rerun keeps clicks; the page still runs inside app.py.
        from streamlit.runtime.pages_manager import PagesManager

        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(state, "ensure_app_shell", _shell_without_rerun)
    _open.point = _point
    yield _open
    _reset()


def _researcher_id(url: str, name: str) -> int:
    from core import queries
    from core.db import session_scope

    engine = make_engine(url)
    try:
        with session_scope(engine) as s:
            return queries.resolve_researcher(session=s, query=name)
    finally:
        engine.dispose()


def _options(at: AppTest, label: str) -> list[str]:
    return list(next(s for s in at.selectbox if s.label == label).options)


def _people_on_screen(at: AppTest) -> set[str]:
    return {o.split(" · ", 1)[1] for o in _options(at, "Expand a node") if o.startswith("Researcher · ")}


def _open_tab(at: AppTest, label: str) -> AppTest:
    """Switch the explorer's analysis tabs to ``label`` (only the open tab is drawn) and rerun."""
    at.session_state["explorer_tab"] = label
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _showing(at: AppTest) -> tuple[int, int, int]:
    caption = next(c.value for c in at.caption if c.value.startswith("Showing "))
    m = re.match(r"Showing (\d+) of (\d+) links of the focus .* on screen: (\d+) nodes?", _unescape(caption))
    assert m, caption
    return int(m[1]), int(m[2]), int(m[3])


# ---- the explorer --------------------------------------------------------------------------------------------------
def test_explorer_deep_link_shows_the_focus_and_its_co_authors(open_app, bangor_url):
    rid = _researcher_id(bangor_url, "Joseph Mearman")
    at = open_app(bangor_url, "pages/explorer.py", focus=f"r:{rid}")
    assert at.title[0].value == "Explorer: Joseph Mearman"
    shown, total, nodes = _showing(at)
    assert 0 < shown <= total and nodes == shown + 1  # a star around the focus: one edge per neighbour
    assert coauthors("Joseph Mearman") - {"Joseph Mearman"} <= _people_on_screen(at)


def test_explorer_without_a_focus_says_what_to_do(open_app, bangor_url):
    at = open_app(bangor_url, "pages/explorer.py")
    assert "No focus chosen." in texts(at)
    at = open_app(bangor_url, "pages/explorer.py", focus="x:1")
    assert "Cannot start here" in texts(at)


def test_expanding_a_co_author_adds_nodes_and_remove_then_undo_restores(open_app, bangor_url):
    rid = _researcher_id(bangor_url, "Peter Butcher")
    at = open_app(bangor_url, "pages/explorer.py", focus=f"r:{rid}")
    before = _people_on_screen(at)
    _, _, nodes_before = _showing(at)
    assert before == coauthors("Peter Butcher") | {"Peter Butcher"}
    assert "Jonathan C. Roberts" in before

    roberts = f"r:{_researcher_id(bangor_url, 'Jonathan C. Roberts')}"
    # Widgets hold node keys and show names: AppTest sets the key, the page shows the name.
    next(s for s in at.selectbox if s.label == "Expand a node").set_value(roberts).run()
    next(b for b in at.button if b.label == "Expand").click().run()
    assert not at.exception
    after = _people_on_screen(at)
    _, _, nodes_after = _showing(at)
    assert nodes_after > nodes_before
    # Roberts' own co-authors are now on screen too.
    assert after == before | coauthors("Jonathan C. Roberts")
    assert metric(at, "Expansions") == "2"

    remove = next(m for m in at.multiselect if m.label == "Remove nodes")
    assert "Researcher · Jonathan C. Roberts" in remove.options
    remove.select(roberts).run()
    next(b for b in at.button if b.label == "Remove").click().run()
    assert "Jonathan C. Roberts" not in _people_on_screen(at)
    assert metric(at, "Removed") == "1"

    next(b for b in at.button if b.label == "Undo").click().run()
    assert "Jonathan C. Roberts" in _people_on_screen(at)
    assert metric(at, "Removed") == "0"
    assert _showing(at)[2] == nodes_after


def test_path_finder_shows_a_chain_between_two_bangor_researchers(open_app, bangor_url):
    rid = _researcher_id(bangor_url, "Joseph Mearman")
    at = open_app(bangor_url, "pages/explorer.py", focus=f"r:{rid}")
    _open_tab(at, "How to reach a researcher")
    at.text_input(key="path_from_typed").input("Peter Butcher")
    at.text_input(key="path_to_typed").input("Raimund Karl")
    next(b for b in at.button if b.label == "Find path").click().run()
    assert not at.exception
    chain_line = next(_unescape(m.value) for m in at.markdown if "→" in m.value and m.value.startswith("**"))
    people = [p.strip("* ") for p in chain_line.split("→")]
    assert people[0] == "Peter Butcher" and people[-1] == "Raimund Karl"
    assert not share_a_work("Peter Butcher", "Raimund Karl")  # so at least two hops
    assert len(people) == 3
    for a, b in zip(people, people[1:], strict=False):
        assert share_a_work(a, b), (a, b)


# ---- the lab map ---------------------------------------------------------------------------------------------------
def test_lab_map_of_bangor_university(open_app, bangor_url):
    at = open_app(bangor_url, "pages/lab.py", institution=BANGOR_ROR)
    assert at.title[0].value == "Lab map: Bangor University"
    members = bangor_people()
    assert metric(at, "Members") == str(len(members))
    assert metric(at, "Works") == str(bangor_works())
    pairs = at.dataframe[0].value
    assert len(pairs) > 0
    assert list(pairs["Strength"]) == sorted(pairs["Strength"], reverse=True)
    for a, b in zip(pairs["Member A"], pairs["Member B"], strict=True):
        assert a in members and b in members and share_a_work(a, b)
    assert not at.get("download_button")  # only the open tab is drawn
    at.session_state["lab_tab"] = "Export"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    labels = [d.label for d in at.get("download_button")]
    assert labels == ["Nodes CSV", "Edges CSV", "GraphML", "GEXF", f"BibTeX ({bangor_works()} works)"]


def test_lab_map_of_a_team_from_its_link(open_app, bangor_url):
    ids = [_researcher_id(bangor_url, n) for n in ("Peter Butcher", "Raimund Karl")]
    at = open_app(bangor_url, "pages/lab.py", team=",".join(map(str, ids)), name="Two people")
    assert at.title[0].value == "Lab map: Two people"
    assert metric(at, "Members") == "2"
    assert metric(at, "Internal pairs") == "0"  # they never share a work
    assert metric(at, "No internal links") == "2"


def test_lab_without_a_choice_says_what_to_do(open_app, bangor_url):
    at = open_app(bangor_url, "pages/lab.py")
    assert "No lab chosen." in texts(at)
    at = open_app(bangor_url, "pages/lab.py", institution="No Such Place")
    assert "Institution not found" in texts(at)


# ---- the import page -----------------------------------------------------------------------------------------------
def _openalex_work(n: int, title: str) -> dict:
    return {
        "id": f"https://openalex.org/W99{n}",
        "title": title,
        "publication_year": 2020 + n,
        "type": "article",
        "authorships": [
            {"author_position": "first", "author": {"id": f"https://openalex.org/A99{n}", "display_name": f"Imp Person {n}"},
             "institutions": [], "countries": [], "is_corresponding": False, "raw_affiliation_strings": []}
        ],
    }  # fmt: skip


def _jsonl(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


GOOD = _jsonl(json.dumps(_openalex_work(1, "Imported one")), json.dumps(_openalex_work(2, "Imported two")))
BAD = _jsonl(json.dumps(_openalex_work(3, "Imported three")), "{not json", json.dumps(_openalex_work(4, "Four")))


@pytest.fixture
def seed_store(tmp_path) -> str:
    return _build_store(tmp_path / "peerscope.db", SEED_PATH)


def _works(url: str) -> int:
    from sqlalchemy import func
    from sqlmodel import select

    from core.db import session_scope
    from core.models import Work

    engine = make_engine(url)
    try:
        with session_scope(engine) as s:
            return s.exec(select(func.count()).select_from(Work)).one()
    finally:
        engine.dispose()


def test_import_of_a_small_openalex_file_and_its_summary(open_app, seed_store):
    from ui import graph_state

    at = open_app(seed_store, "pages/import_data.py")
    works_before = _works(seed_store)
    assert "Upload OpenAlex" in texts(at)

    open_app.point(seed_store)
    result = graph_state.run_import([("two.jsonl", GOOD)])
    assert result["by_entity"]["work"]["added"] == 2
    assert result["files"] == ["two.jsonl"]
    again = graph_state.run_import([("two.jsonl", GOOD)])
    assert again["added"] == 0 and again["by_entity"]["work"]["unchanged"] == 2

    at = open_app(seed_store, "pages/import_data.py", session={"import_result": result})
    assert _works(seed_store) == works_before + 2
    assert metric(at, "Added") == str(result["added"])
    assert "Imported 1 source: two.jsonl" in texts(at)
    assert not any("lab map" in c.value for c in at.caption)  # no stored lab map was touched
    at = open_app(seed_store, "pages/import_data.py", session={"import_result": {**result, "labs_outdated": 2}})
    assert "2 stored lab maps now out of date: each is rebuilt when next opened." in [c.value for c in at.caption]


def test_a_bad_record_stops_the_import_unless_skipped(open_app, seed_store):
    from ui import graph_state

    open_app.point(seed_store)
    with pytest.raises(ImportFailed) as failed:
        graph_state.run_import([("bad.jsonl", BAD)])
    assert str(failed.value).startswith("bad.jsonl: line 2: ")
    at = open_app(seed_store, "pages/import_data.py", session={"import_result": {"error": str(failed.value)}})
    shown = texts(at)
    assert "Import failed." in shown and "bad.jsonl: line 2" in shown and "Nothing was written" in shown
    works_before = _works(seed_store)

    open_app.point(seed_store)
    result = graph_state.run_import([("bad.jsonl", BAD)], skip_bad=True)
    assert result["rejected"] == 1 and result["by_entity"]["work"]["added"] == 2
    assert result["rejections"][0].startswith("bad.jsonl: line 2: ")
    at = open_app(seed_store, "pages/import_data.py", session={"import_result": result})
    assert _works(seed_store) == works_before + 2
    assert metric(at, "Rejected") == "1"
    assert next(t.value for t in at.text).startswith("bad.jsonl: line 2: ")


def test_path_finder_starts_from_the_signed_in_owners_profile(open_app, bangor_url, tmp_path):
    """An account that owns a profile finds paths from it without choosing itself."""
    from core import accounts, claims
    from core.db import make_engine, session_scope
    from core.models import User
    from ui.session import ACTOR_KEY

    own_db = tmp_path / "owned.db"  # a private copy: this test changes who owns what
    shutil.copyfile(bangor_url.removeprefix("sqlite:///"), own_db)
    url = f"sqlite:///{own_db}"
    butcher = _researcher_id(url, "Peter Butcher")
    engine = make_engine(url)
    accounts.configure_hasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    try:
        with session_scope(engine) as s:
            me = accounts.sign_up(
                session=s, actor=None, email="pb@example.org", password="a long pass phrase", display_name="PB"
            )
            mod = accounts.sign_up(
                session=s, actor=None, email="mod@example.org", password="a long pass phrase", display_name="Mod"
            )
            s.get(User, mod.user_id).role = "moderator"
        with session_scope(engine) as s:
            claim = claims.open_claim(
                session=s, actor=me, researcher_id=butcher, evidence_kind="page", evidence="https://example.org/~pb"
            )
        with session_scope(engine) as s:
            claims.decide_claim(session=s, actor=mod, claim_id=claim.id, approve=True)
    finally:
        accounts.configure_hasher()
        engine.dispose()
    roberts = _researcher_id(url, "Jonathan C. Roberts")
    at = open_app(url, "pages/explorer.py", focus=f"r:{roberts}", session={ACTOR_KEY: me})
    _open_tab(at, "How to reach a researcher")
    assert at.selectbox(key="path_from").value == f"r:{butcher}"
    assert any("Starting from your own profile." in c.value for c in at.caption)
