"""A lab lead's journey through the explorer and the lab map, in Debian's chromium driven by Playwright.

Search a researcher, open the explorer, expand a co-author, click a node to open its page, find a path to another
researcher, open the lab map of Bangor University (``../shared/data/openalex-ego-bangor``) and export its GraphML,
which must load back into networkx with the nodes and edges of the lab's graph. Screenshots go to
``tests/browser/screenshots/`` (``1x_*.png``).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import networkx as nx
import pytest

from core import lab_snapshots, queries
from core.db import make_engine, session_scope
from tests.browser.helpers import BANGOR, TIMEOUT_MS, launch, settle, shot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _bylines() -> list[set[str]]:
    with (BANGOR / "works.jsonl").open(encoding="utf-8") as f:
        works = [json.loads(line) for line in f if line.strip()]
    return [{a["author"]["display_name"] for a in w["authorships"] if a.get("author")} for w in works]


@pytest.fixture
def bangor_db(bangor_store, tmp_path) -> Path:
    db = tmp_path / "peerscope.db"
    shutil.copyfile(bangor_store, db)
    return db


@pytest.fixture
def page(sync_playwright):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
            pg = context.new_page()
            pg.set_default_timeout(TIMEOUT_MS)
            errors: list[str] = []
            pg.on("pageerror", lambda exc: errors.append(str(exc)))
            yield pg
            assert not errors, errors
        finally:
            browser.close()


def nodes_on_screen(main) -> int:
    caption = main.get_by_text(re.compile(r"^Showing \d+ of \d+ links")).inner_text()
    return int(re.search(r"on screen: (\d+) node", caption)[1])


def test_lab_lead_journey(page, bangor_db, tmp_path, streamlit_server):
    from playwright.sync_api import expect

    with streamlit_server(bangor_db) as base:
        page.goto(base)
        main = page.get_by_test_id("stMain")
        sidebar = page.get_by_test_id("stSidebar")

        # Search a researcher, open the profile, then the explorer.
        box = sidebar.get_by_label("Search")
        box.fill("Butcher")
        box.press("Enter")
        main.get_by_role("link", name="Peter Butcher").click()
        expect(main.get_by_role("heading", name="Peter Butcher", exact=True)).to_be_visible()
        main.get_by_role("link", name="Open full explorer").click()
        expect(main.get_by_role("heading", name="Explorer: Peter Butcher")).to_be_visible()
        assert "/explorer?focus=r%3A" in page.url or "/explorer?focus=r:" in page.url
        expect(main.locator('[data-testid="stPlotlyChart"] .main-svg').first).to_be_visible()
        expect(main.get_by_text("Minimum co-authorship strength")).to_be_visible()
        settle(page)
        before = nodes_on_screen(main)
        shot(page, "10_explorer")

        # Expand a co-author: his co-authors join the graph.
        picker = main.get_by_test_id("stSelectbox").filter(has_text="Expand a node")
        picker.locator("input").click()
        page.keyboard.type("Jonathan C. Roberts")
        page.get_by_role("option", name=re.compile("Jonathan C. Roberts")).first.click()
        expect(picker.locator("input")).to_have_value("Researcher · Jonathan C. Roberts")
        main.get_by_role("button", name="Expand", exact=True).click()
        expect(main.get_by_text(re.compile(r"Expansions"))).to_be_visible()
        page.wait_for_function(
            """(n) => [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
                 .some(e => /on screen: (\\d+) node/.test(e.innerText) && +e.innerText.match(/on screen: (\\d+)/)[1] > n)""",
            arg=before,
        )
        settle(page)
        roberts_people = set().union(*(b for b in _bylines() if "Jonathan C. Roberts" in b))
        butcher_people = set().union(*(b for b in _bylines() if "Peter Butcher" in b))
        assert nodes_on_screen(main) > before
        assert roberts_people - butcher_people  # so there was something to add
        shot(page, "11_explorer_expanded")

        # Click a work node: its paper page opens.
        chart = main.locator('[data-testid="stPlotlyChart"]').first
        work_index = page.evaluate(
            "() => document.querySelector('.js-plotly-plot').data.findIndex(t => t.name === 'Work')"
        )
        assert work_index >= 0
        point = chart.locator(".scatterlayer .trace").nth(work_index).locator(".points path").first
        box = point.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_url(re.compile(r"/paper\?id=\d+"))
        expect(main.get_by_role("heading").first).to_be_visible()
        settle(page)
        shot(page, "12_clicked_work")

        # Find a path from the focus to another researcher.
        page.goto(page.url.split("/paper")[0] + "/explorer?focus=Peter%20Butcher")
        expect(main.get_by_role("heading", name="Explorer: Peter Butcher")).to_be_visible()
        main.get_by_role("tab", name="How to reach a researcher").click()
        main.get_by_label("…or another person (id, ORCID or exact name)").nth(1).fill("Raimund Karl")
        main.get_by_role("button", name="Find path").click()
        expect(main.get_by_text("2 hops of co-authorship")).to_be_visible()
        expect(main.get_by_text(re.compile(r"Peter Butcher → .+ → Raimund Karl"))).to_be_visible()
        settle(page)
        shot(page, "13_path")

        # The lab map of Bangor University, then export its GraphML.
        sidebar.get_by_role("link", name="Lab map").click()
        main.get_by_role("textbox", name="Institution").fill("Bangor")
        main.get_by_role("textbox", name="Institution").press("Enter")
        main.get_by_role("link", name="Bangor University").click()
        expect(main.get_by_role("heading", name="Lab map: Bangor University")).to_be_visible()
        expect(main.locator('[data-testid="stPlotlyChart"] .main-svg').first).to_be_visible()
        settle(page)
        shot(page, "14_lab_map")
        main.get_by_role("tab", name="Export").click()
        # Opening a tab reruns the page (only the open tab is drawn): click the button of the finished run, not one
        # the rerun is about to replace. The file is written on the click (a deferred download), which does not rerun
        # the page; the button is disabled while its file is being written.
        settle(page)
        graphml = main.get_by_role("button", name="GraphML")
        expect(graphml).to_be_enabled()
        with page.expect_download(timeout=60_000) as info:
            graphml.click()
        expect(graphml).to_be_enabled()
        expect(main.get_by_test_id("stDownloadButtonError")).to_have_count(0)
        saved = tmp_path / "lab.graphml"
        info.value.save_as(saved)
        settle(page)
        shot(page, "15_lab_export")

    exported = nx.read_graphml(saved)
    engine = make_engine(f"sqlite:///{bangor_db}")
    try:
        with session_scope(engine) as s:
            lab = lab_snapshots.institution_lab_map(
                session=s, institution_id=queries.resolve_institution(session=s, query="Bangor University")
            )
    finally:
        engine.dispose()
    expected_nodes = set(lab.graph.nodes)
    expected_edges = {frozenset((a, b)) for a, b in lab.graph.edges}
    assert set(exported.nodes) == expected_nodes
    assert {frozenset(e) for e in exported.edges} == expected_edges
    members = {d["label"] for _, d in exported.nodes(data=True) if d.get("member")}
    assert "Joseph Mearman" in members and "Jonathan C. Roberts" in members
