"""The pages, run headless through ``streamlit.testing.v1.AppTest`` over throwaway SQLite stores.

Expected values come from the inputs themselves (the seed world's ``page_facts``, the raw OpenAlex records), never
from the query functions the pages call. Each test points ``DATABASE_URL`` at its own store and clears Streamlit's
caches and the settings cache, so no engine or cached read leaks from one store into another.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import streamlit as st
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from core import names
from core.config import get_settings
from core.db import init_db, make_engine, session_scope
from core.ingest.loader import import_paths
from core.ingest.seed import SEED_PATH
from core.models import Researcher
from ui import escape_md

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
SNOWBALL = Path(__file__).resolve().parents[3] / "shared" / "data" / "openalex-snowball"
WORLD = json.loads(SEED_PATH.read_text(encoding="utf-8"))
TIMEOUT = 60


def _unescape(md: str) -> str:
    """Markdown as the reader sees it: drop the backslashes ``ui.escape_md`` put before punctuation."""
    return re.sub(r"\\([^\w\s])", r"\1", md)


def _build_store(path: Path, *sources: Path) -> str:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    init_db(engine)
    if sources:
        import_paths(list(sources), engine=engine)
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def seed_url(tmp_path_factory) -> str:
    return _build_store(tmp_path_factory.mktemp("seed") / "peerscope.db", SEED_PATH)


@pytest.fixture(scope="module")
def snowball_url(tmp_path_factory) -> str:
    if not (SNOWBALL / "works.jsonl").is_file():
        pytest.skip(f"shared data folder absent: {SNOWBALL}")
    return _build_store(tmp_path_factory.mktemp("snowball") / "peerscope.db", SNOWBALL)


@pytest.fixture
def open_app(monkeypatch):
    """``open_app(url, page=..., seed=False, **query_params)`` -> an AppTest that has run once on that store."""

    def _reset() -> None:
        get_settings.cache_clear()
        st.cache_data.clear()
        st.cache_resource.clear()

    def _open(url: str, page: str | None = None, *, seed: bool = False, **params: str) -> AppTest:
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setenv("PEERSCOPE_LOAD_SEED_ON_FIRST_START", "true" if seed else "false")
        _reset()
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.query_params.update(params)
        if page:
            at.switch_page(page)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    yield _open
    _reset()


def links(at: AppTest, page: str) -> list[tuple[str, dict]]:
    """``(label as shown, query params)`` of every page link to ``page`` (e.g. "pages/paper.py")."""
    return [
        (_unescape(link.value), {k: v[0] for k, v in parse_qs(link.proto.query_string).items()})
        for link in at.get("page_link")
        if link.proto.page.endswith(page) or link.proto.page == page.removeprefix("pages/").removesuffix(".py")
    ]


def texts(at: AppTest) -> str:
    """All Markdown, captions, titles and info boxes of the run, unescaped, one per line."""
    parts = [*at.title, *at.markdown, *at.caption, *at.info, *at.warning, *at.error, *at.subheader]
    return "\n".join(_unescape(str(p.value)) for p in parts)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _seed_person(key: str) -> dict:
    return next(p for p in WORLD["people"] if p["seed_key"] == key)


def _seed_coauthors(key: str) -> set[str]:
    """Display names of everyone who shares a seed work with ``key``."""
    people = {p["seed_key"]: p["display_name"] for p in WORLD["people"]}
    out: set[str] = set()
    for w in WORLD["works"]:
        keys = {a.get("person") for a in w.get("authors", [])}
        if key in keys:
            out |= {people[k] for k in keys - {key} if k in people}
    return out


ZZ = "seed:person:zhongwang-zhang"
EMBEDDING = next(w for w in WORLD["works"] if w["seed_key"] == "seed:work:embedding-principle")


# ---- first start and the home page -----------------------------------------------------------------------------
def test_first_start_loads_the_seed_world_into_an_empty_store(open_app, tmp_path):
    at = open_app(f"sqlite:///{tmp_path / 'empty.db'}", seed=True)
    titled = sum(1 for w in WORLD["works"] if w.get("title"))
    assert f"Store: {titled} works · {len(WORLD['people'])} researchers" in texts(at)


def test_empty_store_says_how_to_import(open_app, tmp_path):
    at = open_app(f"sqlite:///{tmp_path / 'empty.db'}", seed=False)
    shown = texts(at)
    assert "The store is empty." in shown
    assert "python -m core import PATH" in shown
    assert not at.get("page_link")


def test_search_from_the_query_string_finds_zhongwang_zhang(open_app, seed_url):
    at = open_app(seed_url, q="Zhongwang")
    people = links(at, "pages/researcher.py")
    assert [label for label, _ in people] == [_seed_person(ZZ)["display_name"]]
    assert links(at, "pages/paper.py") == []  # no title contains the name


def test_sidebar_holds_the_search_box_and_the_store_summary(open_app, seed_url):
    # AppTest (Streamlit 1.67) does not follow st.switch_page from a script nor keep the entrypoint's sidebar after
    # a page switch, so submitting the box is covered by tests/browser/test_journeys.py.
    at = open_app(seed_url)
    assert at.sidebar.text_input(key="global_q").label == "Search"
    titled = sum(1 for w in WORLD["works"] if w.get("title"))
    assert [_unescape(c.value) for c in at.sidebar.caption] == [
        f"Store: {titled} works · {len(WORLD['people'])} researchers · 0 institutions · 1 topic"
    ]


def test_home_search_box_writes_the_query_string(open_app, seed_url):
    at = open_app(seed_url)
    at.main.text_input[0].input("Yaoyu").run()
    assert at.query_params.get("q") == "Yaoyu"
    assert [label for label, _ in links(at, "pages/researcher.py")] == ["Yaoyu Zhang"]


def test_search_with_no_match_says_what_to_try(open_app, seed_url):
    at = open_app(seed_url, q="zzqx-no-such-thing")
    assert "Nothing matches “zzqx-no-such-thing”." in texts(at)
    assert not links(at, "pages/researcher.py")


# ---- researcher page --------------------------------------------------------------------------------------------
def test_researcher_page_for_zhongwang_zhang(open_app, seed_url):
    facts = _seed_person(ZZ)["page_facts"]
    at = open_app(seed_url, "pages/researcher.py", id="Zhongwang Zhang")
    assert at.title[0].value == "Zhongwang Zhang"
    assert "Affiliation not imported" in texts(at)
    assert metric(at, "Works") == str(facts["works"]) == "2"
    assert metric(at, "Close collaborators") == str(facts["close_collaborators"]) == "4"
    assert metric(at, "Followers") == str(facts["followers"])
    coauthors = {label for label, _ in links(at, "pages/researcher.py")}
    assert coauthors == _seed_coauthors(ZZ) and len(coauthors) == 4
    mine = {w["title"] for w in WORLD["works"] if ZZ in {a.get("person") for a in w.get("authors", [])}}
    assert {label for label, _ in links(at, "pages/paper.py")} == mine
    assert "2 published items" in texts(at)
    assert [e.label for e in at.expander if e.label == "Abstract"] == ["Abstract", "Abstract"]
    actions = [(b.label, b.disabled) for b in at.main.button]
    assert actions[:3] == [
        ("Follow researcher · 0", True),
        ("Claim this author", True),
        ("Invite to collaborate", True),
    ]
    explorer = links(at, "pages/explorer.py")
    if (ROOT / "pages" / "explorer.py").is_file() and "explorer.py" in (ROOT / "app.py").read_text(encoding="utf-8"):
        assert explorer == [("Open full explorer", {"focus": _graph_focus(at)})]
    else:
        assert actions[3:] == [("Open full explorer", True)] and "Explorer arrives with the next release." in texts(at)


def test_seed_trust_card_matches_the_seed_page(open_app, seed_url):
    """The seed page shows "Trust 13 - Unverified · Verification L1 · Unclaimed author"."""
    at = open_app(seed_url, "pages/researcher.py", id="Zhongwang Zhang")
    assert metric(at, "Trust score") == "13"
    badges = texts(at)
    for shown in ("Unverified", "Verification L1", "Unclaimed author"):
        assert shown in badges
    # L1 earns 8 identity points; two preprints without DOI in one year: 2.5 log2(3) + 1 = 4.96 -> 5.0 record points.
    bars = {p.proto.text.split(" · ")[0].strip("*"): p.proto.text.split(" · ")[1] for p in at.get("progress")}
    assert bars == {
        "Identity": "8.0 of 25",
        "Record": "5.0 of 25",
        "Impact": "0.0 of 20",
        "Network": "0.0 of 15",
        "Community": "0.0 of 15",
        "Integrity": "0.0 (penalty, down to -30)",
    }
    assert "How to raise it" in badges and "Link your ORCID iD" in badges
    assert {e.label for e in at.expander} >= {"Facts and sources behind each component", "How the score works"}
    assert "One snapshot so far." in badges


def test_trust_history_explains_what_changed(open_app, tmp_path):
    from datetime import UTC, datetime

    from core.trust_refresh import recompute_trust

    url = _build_store(tmp_path / "history.db", SEED_PATH)
    engine = make_engine(url)
    with session_scope(engine) as session:
        person = session.exec(select(Researcher).where(Researcher.display_name == "Zhongwang Zhang")).one()
        person.orcid = "0000-0002-1825-0097"
        session.add(person)
        session.flush()
        recompute_trust(session=session, researcher_ids=[person.id], now=datetime(2030, 1, 1, tzinfo=UTC))
    engine.dispose()

    at = open_app(url, "pages/researcher.py", id="Zhongwang Zhang")
    assert metric(at, "Trust score") == "20"  # 13 + 7: an ORCID iD lifts identity from L1 (8) to L2 (15)
    shown = texts(at)
    assert "**Trust history** · 2 snapshots" in shown
    assert "Score: 13 → 20 (Unverified)." in shown
    assert "Identity: +7.0 (L1 → L2" in shown
    at.selectbox(key="trust_1_from").select_index(1).run()
    assert "Choose two different snapshots to compare." in texts(at)


def test_researcher_deep_link_by_internal_id(open_app, seed_url):
    by_name = open_app(seed_url, "pages/researcher.py", id="Zhongwang Zhang")
    coauthor, params = links(by_name, "pages/researcher.py")[0]
    at = open_app(seed_url, "pages/researcher.py", id=params["id"])
    assert at.title[0].value == coauthor
    assert {label for label, _ in links(at, "pages/researcher.py")} >= {"Zhongwang Zhang"}


def test_researcher_year_filter_hides_other_years(open_app, seed_url):
    at = open_app(seed_url, "pages/researcher.py", id="Zhongwang Zhang")
    at.multiselect[0].select(2022).run()
    assert len(links(at, "pages/paper.py")) == 2
    at.multiselect[1].select("preprint").run()
    assert len(links(at, "pages/paper.py")) == 2


def test_unknown_researcher_id_shows_a_message_not_a_traceback(open_app, seed_url):
    at = open_app(seed_url, "pages/researcher.py", id="999999")
    assert len(at.error) == 1
    assert "Researcher not found" in at.error[0].value
    assert not at.metric


def test_ambiguous_name_lists_the_candidates(open_app, tmp_path):
    url = _build_store(tmp_path / "twins.db", SEED_PATH)
    engine = make_engine(url)
    with session_scope(engine) as session:
        session.add(Researcher(display_name="Yaoyu Zhang", name_key=names.name_key("Yaoyu Zhang")))
    with session_scope(engine) as session:
        ids = sorted(session.exec(select(Researcher.id).where(Researcher.display_name == "Yaoyu Zhang")).all())
    engine.dispose()
    at = open_app(url, "pages/researcher.py", id="Yaoyu Zhang")
    assert "matches 2 researchers" in _unescape(at.warning[0].value)
    assert sorted(int(p["id"]) for _, p in links(at, "pages/researcher.py")) == ids
    assert not at.error and not at.metric


def test_hostile_name_is_shown_as_text_and_empty_states_say_what_to_do(open_app, tmp_path):
    hostile = "<b>Eve</b> *Mallory* [x](javascript:alert(1)) $x$ :red[y]"
    url = _build_store(tmp_path / "hostile.db", SEED_PATH)
    engine = make_engine(url)
    with session_scope(engine) as session:
        person = Researcher(display_name=hostile, name_key=names.name_key(hostile))
        session.add(person)
        session.flush()
        rid = person.id
    engine.dispose()

    at = open_app(url, "pages/researcher.py", id=str(rid))
    assert at.title[0].value == escape_md(hostile, one_line=True)
    assert "<b>" not in at.title[0].value and "](" not in at.title[0].value
    shown = texts(at)
    assert "No works in the store." in shown
    assert "No co-authors in the store." in shown
    assert "No dated works or citations to chart." in shown
    assert "Nothing around this person yet." in shown
    assert metric(at, "Works") == "0"

    found = open_app(url, q="Mallory")
    assert [link.value for link in found.get("page_link")] == [escape_md(hostile, one_line=True)]


# ---- paper page -----------------------------------------------------------------------------------------------
def test_paper_page_for_the_embedding_principle(open_app, seed_url):
    at = open_app(seed_url, "pages/paper.py", id=EMBEDDING["title"])
    shown = texts(at)
    assert at.title[0].value.replace("\\", "") == EMBEDDING["title"]
    authors = [label for label, _ in links(at, "pages/researcher.py")]
    assert authors == [_seed_person(a["person"])["display_name"] for a in EMBEDDING["authors"]]
    assert len(authors) == 5
    for v in EMBEDDING["versions"]:
        assert f"- **{v['kind']}** · " in shown
    assert f"“{EMBEDDING['versions'][1]['title']}”" in shown
    assert EMBEDDING["abstract"] in shown
    for g in EMBEDDING["geo_tags"]:
        assert f"{g['label']} · confidence {g['confidence']:.2f}" in shown
    assert "Low-confidence inferences" in shown
    assert "geo:" not in shown  # the tags appear once, with their weights, not again as topics
    assert "**Code:** No code" in shown and "**Dataset:** No dataset" in shown


def test_unknown_paper_id_shows_a_message_not_a_traceback(open_app, seed_url):
    at = open_app(seed_url, "pages/paper.py", id="10.9999/no-such-doi")
    assert len(at.error) == 1
    assert "Paper not found" in at.error[0].value
    assert not at.metric


def test_pages_without_an_id_ask_for_one(open_app, seed_url):
    for page in ("pages/researcher.py", "pages/paper.py"):
        at = open_app(seed_url, page)
        assert "chosen." in texts(at)
        assert not at.error


# ---- real OpenAlex records -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def snowball_records() -> list[dict]:
    if not (SNOWBALL / "works.jsonl").is_file():
        pytest.skip(f"shared data folder absent: {SNOWBALL}")
    return [json.loads(line) for line in (SNOWBALL / "works.jsonl").read_text(encoding="utf-8").splitlines() if line]


def _short(openalex_url: str) -> str:
    return openalex_url.rsplit("/", 1)[-1]


def test_snowball_paper_by_doi_links_references_and_citing_works(open_app, snowball_url, snowball_records):
    key = next(r for r in snowball_records if _short(r["id"]) == "W3046863325")
    in_file = {_short(r["id"]) for r in snowball_records}
    refs_in_store = [_short(u) for u in key["referenced_works"] if _short(u) in in_file]
    citing = [r for r in snowball_records if key["id"] in r.get("referenced_works", [])]

    at = open_app(snowball_url, "pages/paper.py", id=key["doi"].removeprefix("https://doi.org/"))
    assert [label for label, _ in links(at, "pages/researcher.py")] == [
        a["author"]["display_name"] for a in key["authorships"]
    ]
    assert metric(at, "References") == str(len(key["referenced_works"]))
    assert metric(at, "Citing works in store") == str(len(citing))
    assert metric(at, "Citations (reported)") == f"{key['cited_by_count']:,}"
    assert len(links(at, "pages/paper.py")) == len(refs_in_store) + len(citing)
    not_in_store = len(key["referenced_works"]) - len(refs_in_store)
    assert texts(at).count("· not in the store") == not_in_store


def test_snowball_researcher_by_openalex_id(open_app, snowball_url, snowball_records):
    author = "A5089069811"
    mine = [r for r in snowball_records if any(_short(a["author"]["id"]) == author for a in r["authorships"])]
    name = next(a["author"]["display_name"] for a in mine[0]["authorships"] if _short(a["author"]["id"]) == author)
    at = open_app(snowball_url, "pages/researcher.py", id=f"https://openalex.org/{author}")
    assert at.title[0].value == name
    assert metric(at, "Works") == str(len(mine))
    assert metric(at, "Citations") == f"{sum(r['cited_by_count'] for r in mine):,}"
    assert {label for label, _ in links(at, "pages/paper.py")} == {r["title"] for r in mine}


# ---- a rich author, a single-work author, a name-only author ------------------------------------------------------
BANGOR = Path(__file__).resolve().parents[3] / "shared" / "data" / "openalex-ego-bangor"
MEARMAN = "A5017898742"
META_LINE = re.compile(r"^[\w -]+ · (\d{4}|year unknown) · .* · (\d+) citations?$")


@pytest.fixture(scope="module")
def bangor_url(tmp_path_factory) -> str:
    """The Bangor ego network, imported once for the module (the import takes ~15 s)."""
    if not (BANGOR / "works.jsonl").is_file():
        pytest.skip(f"shared data folder absent: {BANGOR}")
    return _build_store(tmp_path_factory.mktemp("bangor") / "peerscope.db", BANGOR)


@pytest.fixture(scope="module")
def bangor_records() -> dict[str, list[dict]]:
    if not (BANGOR / "works.jsonl").is_file():
        pytest.skip(f"shared data folder absent: {BANGOR}")
    read = lambda name: [json.loads(x) for x in (BANGOR / name).read_text(encoding="utf-8").splitlines() if x]  # noqa: E731
    return {"works": read("works.jsonl"), "authors": read("authors.jsonl")}


def _works_of(records: list[dict], author: str) -> list[dict]:
    return [r for r in records if any(_short(a["author"]["id"]) == author for a in r["authorships"])]


def _h_index(cites: list[int]) -> int:
    ranked = sorted(cites, reverse=True)
    return sum(1 for i, c in enumerate(ranked, start=1) if c >= i)


def _meta_lines(at: AppTest) -> list[tuple[str, int]]:
    """(year, citations) of each work card, in page order."""
    found = [META_LINE.match(_unescape(c.value).split("  \n")[0]) for c in at.caption]  # a card's first line
    return [(m.group(1), int(m.group(2))) for m in found if m]


def _graph_focus(at: AppTest) -> str:
    """Node key of the person the graph slice is drawn around (its "This researcher" trace)."""
    (chart,) = [c for c in at.get("plotly_chart") if "graph_" in c.proto.id]
    (focus,) = [t for t in json.loads(chart.proto.spec)["data"] if t.get("name") == "This researcher"]
    return focus["customdata"][0]


def _graph_nodes(at: AppTest) -> list[str]:
    """Node keys drawn in the graph slice (the ``customdata`` of its node traces)."""
    (chart,) = [c for c in at.get("plotly_chart") if "graph_" in c.proto.id]
    spec = json.loads(chart.proto.spec)
    return [k for trace in spec["data"] for k in trace.get("customdata") or []]


def test_rich_author_matches_the_cli_and_the_raw_records(open_app, bangor_url, bangor_records, monkeypatch):
    import subprocess
    import sys

    mine = _works_of(bangor_records["works"], MEARMAN)
    cites = [r["cited_by_count"] for r in mine]
    coauthors = {_short(a["author"]["id"]) for r in mine for a in r["authorships"]} - {MEARMAN}
    author = next(a for a in bangor_records["authors"] if _short(a["id"]) == MEARMAN)
    cli = json.loads(
        subprocess.run(
            [sys.executable, "-m", "core", "researcher", MEARMAN, "--json"],
            cwd=ROOT, env={**__import__("os").environ, "DATABASE_URL": bangor_url},
            capture_output=True, text=True, check=True,
        ).stdout
    )  # fmt: skip

    at = open_app(bangor_url, "pages/researcher.py", id=MEARMAN)
    assert at.title[0].value == author["display_name"] == cli["display_name"]
    assert metric(at, "Works") == str(len(mine)) == str(cli["metrics"]["works_count"]) == "9"
    assert metric(at, "h-index") == str(_h_index(cites)) == str(cli["metrics"]["h_index"]) == "2"
    assert metric(at, "Citations") == f"{sum(cites):,}" == f"{cli['metrics']['citations']:,}"
    assert metric(at, "Close collaborators") == str(len(coauthors)) == str(cli["collaborators_total"]) == "17"
    assert metric(at, "Trust score") == str(cli["trust"]["score"])
    shown = texts(at)
    assert f"OpenAlex reports {author['summary_stats']['h_index']} · same as in the store" in shown
    assert "Bangor University · Bangor, GB" in shown
    assert "All 17 co-authors" in [e.label for e in at.expander]

    nodes = _graph_nodes(at)
    assert f"Showing {len(nodes)} of " in shown and len(nodes) == len(set(nodes)) <= 60
    assert {f"w:{w['id']}" for w in cli["works"]} <= set(nodes)  # all nine works are in the slice
    assert {f"r:{c['id']}" for c in cli["close_collaborators"]} <= set(nodes)

    # Sort: newest first (default), oldest first, most cited; filter by topic.
    assert [y for y, _ in _meta_lines(at)] == sorted((str(r["publication_year"]) for r in mine), reverse=True)
    at.selectbox(key="works_sort").select("Oldest first").run()
    assert [y for y, _ in _meta_lines(at)] == sorted(str(r["publication_year"]) for r in mine)
    at.selectbox(key="works_sort").select("Most cited").run()
    assert [c for _, c in _meta_lines(at)] == sorted(cites, reverse=True)
    topic = "Augmented Reality Applications"
    at.multiselect(key="works_topic").select(topic).run()
    tagged = [
        r for r in mine if topic in [t["display_name"] for t in sorted(r["topics"], key=lambda t: -t["score"])][:3]
    ]
    assert {label for label, _ in links(at, "pages/paper.py")} == {r["title"] for r in tagged}
    assert f"{len(tagged)} of {len(mine)} match." in texts(at)


def test_single_work_author_by_orcid(open_app, bangor_url, bangor_records):
    """Joel Roberts: one work (uncited, three authors) in the store, opened by his ORCID iD."""
    (work,) = _works_of(bangor_records["works"], "A5032230089")
    me = next(a for a in work["authorships"] if _short(a["author"]["id"]) == "A5032230089")["author"]
    orcid = me["orcid"].removeprefix("https://orcid.org/")
    at = open_app(bangor_url, "pages/researcher.py", id=orcid)
    assert at.title[0].value == me["display_name"]
    assert metric(at, "Works") == "1" and metric(at, "Citations") == str(work["cited_by_count"]) == "0"
    assert metric(at, "Close collaborators") == str(len(work["authorships"]) - 1)
    shown = texts(at)
    assert "1 published item" in shown
    assert "No citations recorded for these works yet." in shown
    assert "Verification L2" in shown  # an ORCID iD asserted by the source
    assert [label for label, _ in links(at, "pages/paper.py")] == [work["title"]]
    nodes = _graph_nodes(at)
    assert sum(k.startswith("w:") for k in nodes) == 1
    assert sum(k.startswith("r:") for k in nodes) >= len(work["authorships"])


def test_name_only_author_from_a_publication_list(open_app, tmp_path):
    """ "Z. Zhang" on one undated row of a CSV publication list: no identifier, no co-author, no year, no citation."""
    url = f"sqlite:///{tmp_path / 'publist.db'}"
    engine = make_engine(url)
    init_db(engine)
    import_paths([ROOT / "tests" / "data" / "publist_sample.csv"], engine=engine, skip_bad=True)
    engine.dispose()

    at = open_app(url, "pages/researcher.py", id="Z. Zhang")
    assert at.title[0].value == "Z\\. Zhang"
    assert metric(at, "Works") == "1" and metric(at, "Close collaborators") == "0"
    shown = texts(at)
    for empty in (
        "Affiliation not imported",
        "No co-authors in the store.",
        "No dated works or citations to chart.",
        "Verification L0",
        "No source reported its own figures for this person",
    ):
        assert empty in shown
    assert [label for label, _ in links(at, "pages/paper.py")] == ["Unpublished notes on the frequency principle"]
    assert "**Identity** · 0.0 of 25" in [p.proto.text for p in at.get("progress")]
    assert len(_graph_nodes(at)) == 2  # the person and the one work
