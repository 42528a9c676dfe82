"""A newcomer's journey through the running app, in Debian's chromium driven by Playwright (never a downloaded browser).

``streamlit run app.py`` runs as a subprocess on a free port over a temporary store holding the seed world.
Screenshots go to ``tests/browser/screenshots/`` (git-ignored); the researcher page is also saved as
``docs/screenshot.png`` for the README.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.db import init_db, make_engine
from core.ingest.loader import import_paths
from core.ingest.seed import SEED_PATH
from tests.browser.helpers import ROOT, SHOTS, TIMEOUT_MS, launch, main, settle, shot

pytestmark = pytest.mark.browser

README_SHOT = ROOT / "docs" / "screenshot.png"
WORLD = json.loads(SEED_PATH.read_text(encoding="utf-8"))
ZZ = next(p for p in WORLD["people"] if p["seed_key"] == "seed:person:zhongwang-zhang")
ZZ_WORKS = [w for w in WORLD["works"] if ZZ["seed_key"] in {a.get("person") for a in w.get("authors", [])}]
EMBEDDING = next(w for w in WORLD["works"] if w["seed_key"] == "seed:work:embedding-principle")


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory) -> Path:
    """A store holding the seed world, written before any server starts."""
    db = tmp_path_factory.mktemp("browser") / "peerscope.db"
    engine = make_engine(f"sqlite:///{db}")
    init_db(engine)
    import_paths([SEED_PATH], engine=engine, fmt="seed")
    engine.dispose()
    return db


@pytest.fixture(scope="module")
def server(seeded_db, streamlit_server) -> Iterator[str]:
    """One server shared by the journeys that start from the home page."""
    with streamlit_server(seeded_db) as base:
        yield base


@pytest.fixture
def fresh_server(seeded_db, streamlit_server) -> Iterator[str]:
    """A server nobody has visited yet: the first request decides how Streamlit treats the pages/ folder."""
    with streamlit_server(seeded_db) as base:
        yield base


@pytest.fixture
def page(sync_playwright):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            pg = context.new_page()
            pg.set_default_timeout(TIMEOUT_MS)
            errors: list[str] = []
            pg.on("pageerror", lambda exc: errors.append(str(exc)))
            yield pg
            assert not errors, errors
        finally:
            browser.close()


def trust_card(page):
    """The bordered block holding the trust card (the innermost block with its title and its expanders)."""
    return (
        main(page)
        .get_by_test_id("stVerticalBlock")
        .filter(has_text="Trust snapshot")
        .filter(has_text="How the score works")
        .last
    )


def graph_chart(page):
    """The plotly chart of the graph slice (the one whose legend names the focus)."""
    return (
        main(page).get_by_test_id("stPlotlyChart").filter(has=page.locator(".legendtext", has_text="This researcher"))
    )


def shot_of(locator, name: str) -> Path:
    """Screenshot of one element."""
    path = SHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    locator.scroll_into_view_if_needed()
    locator.screenshot(path=str(path))
    return path


def shot_between(page, top, bottom, name: str) -> Path:
    """Screenshot the band of the main area from ``top``'s top edge to ``bottom``'s bottom edge."""
    path = SHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": max(min(height, 8000), 600)})
    settle(page)
    a, b, m = top.bounding_box(), bottom.bounding_box(), main(page).bounding_box()
    clip = {"x": m["x"], "y": a["y"] - 8, "width": m["width"], "height": b["y"] + b["height"] - a["y"] + 16}
    page.screenshot(path=str(path), clip=clip)
    page.set_viewport_size(viewport)
    return path


def click_node(page, label: str) -> None:
    """Click the graph node whose hover text starts with ``label``, where plotly drew it."""
    chart = graph_chart(page)
    chart.scroll_into_view_if_needed()
    settle(page)
    pos = chart.locator(".js-plotly-plot").evaluate(
        """(gd, label) => {
            const ti = gd.data.findIndex(t => (t.hovertext || []).some(h => h.startsWith(label + "<br>")));
            const pi = gd.data[ti].hovertext.findIndex(h => h.startsWith(label + "<br>"));
            const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();
            return {x: box.left + xa._offset + xa.l2p(gd.data[ti].x[pi]),
                    y: box.top + ya._offset + ya.l2p(gd.data[ti].y[pi])};
        }""",
        label,
    )
    page.mouse.click(pos["x"], pos["y"])


def test_newcomer_journey(page, server):
    from playwright.sync_api import expect

    page.goto(server)
    sidebar = page.get_by_test_id("stSidebar")
    expect(main(page).get_by_role("heading", name="Peerscope")).to_be_visible()
    expect(sidebar.get_by_text("Store: 3 works")).to_be_visible()

    # Search from the sidebar box.
    box = sidebar.get_by_label("Search")
    box.fill("Zhongwang")
    box.press("Enter")
    person = main(page).get_by_role("link", name=ZZ["display_name"])
    expect(person).to_be_visible()
    settle(page)
    shot(page, "01_search")

    # The researcher page.
    person.click()
    expect(main(page).get_by_role("heading", name=ZZ["display_name"], exact=True)).to_be_visible()
    expect(main(page).get_by_text("Affiliation not imported").first).to_be_visible()
    expect(main(page).get_by_text("2 published items")).to_be_visible()
    for w in ZZ_WORKS:
        expect(main(page).get_by_role("link", name=w["title"])).to_be_visible()
    assert "/researcher?id=" in page.url
    settle(page)
    expect(main(page).locator('[data-testid="stPlotlyChart"] .main-svg').first).to_be_visible()
    shot(page, "02_researcher")
    shot(page, "readme", path=README_SHOT, height=1250)

    # The trust card and the graph slice.
    card = trust_card(page)
    for badge in ("Unverified", "Verification L1", "Unclaimed author"):
        expect(card.locator(".stMarkdownBadge", has_text=badge)).to_be_visible()
    expect(card.get_by_test_id("stMetricValue")).to_have_text("13")
    shot_of(card, "06_trust_card")
    graph = graph_chart(page)
    expect(graph.locator(".legendtext", has_text="This researcher")).to_be_visible()
    caption = main(page).get_by_text("Showing 8 of 8 nearby nodes")  # the seed person: 2 works, 4 co-authors, a topic
    expect(caption).to_be_visible()
    shot_between(page, main(page).get_by_role("heading", name="Research graph"), caption, "07_graph_slice")

    # Clicking a topic's node opens its panel here (topics have no page yet).
    topic = WORLD["topics"][0]["name"]
    click_node(page, topic)
    expect(main(page).get_by_text(f"Topic: {topic}")).to_be_visible()
    expect(main(page).get_by_text(f"{len(ZZ_WORKS)} works of this person on this topic in the store.")).to_be_visible()

    # Clicking a co-author's node opens their profile; clicking a work's node opens the paper.
    click_node(page, "Yaoyu Zhang")
    expect(main(page).get_by_role("heading", name="Yaoyu Zhang", exact=True)).to_be_visible()
    assert "/researcher?id=" in page.url and "id=1" not in page.url.split("?")[1].split("&")
    page.go_back()
    expect(main(page).get_by_role("heading", name=ZZ["display_name"], exact=True)).to_be_visible()
    settle(page)
    click_node(page, EMBEDDING["title"])
    expect(main(page).get_by_role("heading", name=EMBEDDING["title"], exact=True)).to_be_visible()
    assert "/paper?id=" in page.url
    page.go_back()
    expect(main(page).get_by_role("heading", name=ZZ["display_name"], exact=True)).to_be_visible()
    settle(page)

    # A co-author by link, then back.
    main(page).get_by_role("link", name="Yaoyu Zhang").first.click()
    expect(main(page).get_by_role("heading", name="Yaoyu Zhang", exact=True)).to_be_visible()
    settle(page)
    shot(page, "03_coauthor")
    page.go_back()
    expect(main(page).get_by_role("heading", name=ZZ["display_name"], exact=True)).to_be_visible()
    settle(page)

    # A paper, with its abstract.
    main(page).get_by_role("link", name=EMBEDDING["title"]).click()
    expect(main(page).get_by_role("heading", name=EMBEDDING["title"], exact=True)).to_be_visible()
    expect(main(page).get_by_text(EMBEDDING["abstract"][:80])).to_be_visible()
    expect(main(page).get_by_text("No code")).to_be_visible()
    assert "/paper?id=" in page.url
    settle(page)
    shot(page, "04_paper")


def test_deep_links_on_a_fresh_server_run_inside_the_app(page, fresh_server):
    """The very first request is a deep link: the page must still get app.py's sidebar and navigation."""
    from playwright.sync_api import expect

    page.goto(f"{fresh_server}/researcher?id=Zhongwang%20Zhang")
    expect(main(page).get_by_role("heading", name=ZZ["display_name"], exact=True)).to_be_visible()
    expect(main(page).get_by_text("Open to collaborate")).to_be_visible()
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Store: 3 works")).to_be_visible()
    expect(sidebar.get_by_label("Search")).to_be_visible()

    page.goto(f"{fresh_server}/paper?id=1")
    expect(main(page).get_by_role("heading", name=EMBEDDING["title"], exact=True)).to_be_visible()
    expect(sidebar.get_by_text("Store: 3 works")).to_be_visible()


def test_unknown_ids_show_a_message(page, server):
    from playwright.sync_api import expect

    page.goto(f"{server}/researcher?id=999999")
    expect(main(page).get_by_text("Researcher not found")).to_be_visible()
    settle(page)
    shot(page, "05_unknown_researcher")

    page.goto(f"{server}/paper?id=10.9999/no-such-doi")
    expect(main(page).get_by_text("Paper not found")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
