"""The social layer in a real browser (Debian's chromium through Playwright): a member signs up, signs in, follows and
claims a researcher, a moderator approves the claim, the member votes, rates, saves, reviews, discusses, the
moderator reports a comment and invites the new owner, who accepts in the inbox. Along the way the member posts the
usual script / event-handler / javascript: / data: / Markdown-image payloads; no dialog may open and no element
built from them may exist in the page.

Two browser contexts are two independent Streamlit sessions (member and moderator) on one server and one store.
Screenshots go to ``tests/browser/screenshots/social_*.png``.
"""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from core import accounts
from core.db import init_db, make_engine
from core.ingest.loader import import_paths
from core.ingest.seed import SEED_PATH
from core.models import Researcher, Work
from core.writes import run_write
from tests.browser.helpers import (
    TIMEOUT_MS,
    choose,
    expand,
    form_with,
    launch,
    main,
    nav,
    open_by_id,
    settle,
    sign_in,
    sign_up,
    submit,
)
from tests.browser.helpers import shot as _shot

pytestmark = pytest.mark.browser

WORLD = json.loads(SEED_PATH.read_text(encoding="utf-8"))
EMBEDDING = next(w for w in WORLD["works"] if w["seed_key"] == "seed:work:embedding-principle")
PASSWORD, MOD_PASSWORD = "member password 1", "moderator password 1"
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](https://evil.example/x.png)",
    '<a href="javascript:alert(1)">x</a>',
]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> dict:
    """The seed world and a moderator account (an admin made the way the CLI makes one)."""
    db = tmp_path_factory.mktemp("social") / "peerscope.db"
    engine = make_engine(f"sqlite:///{db}")
    init_db(engine)
    import_paths([SEED_PATH], engine=engine, fmt="seed")
    run_write(
        engine,
        lambda s: accounts.create_admin(session=s, email="mod@example.org", password=MOD_PASSWORD, display_name="Mo"),
    )
    ids = run_write(
        engine,
        lambda s: {
            # not by the claimed researcher: authors (and so owners) cannot review their own work
            "work": s.exec(select(Work.id).where(Work.seed_key == "seed:work:overparameterization-deep-resnet")).one(),
            "person": s.exec(select(Researcher.id).where(Researcher.display_name == "Zhongwang Zhang")).one(),
        },
    )
    engine.dispose()
    return {"db": db, **ids}


def shot(page, name: str):
    return _shot(page, f"social_{name}")


@pytest.fixture(scope="module")
def server(store, streamlit_server):
    with streamlit_server(store["db"]) as base:
        yield base


def test_social_journey_and_hostile_text(sync_playwright, server, store):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    paper = f"{server}/paper?id={store['work']}"
    dialogs: list[str] = []
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            member, mod = (browser.new_context(viewport={"width": 1400, "height": 1000}).new_page() for _ in "ab")
            for pg in (member, mod):
                pg.set_default_timeout(TIMEOUT_MS)
                pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
                pg.on("pageerror", lambda exc: errors.append(str(exc)))

            # Anonymous: read-only paper page with 'Sign in to …' in place of each action.
            member.goto(paper)
            settle(member)
            for doing in ("vote", "rate", "save to a collection", "write a review", "comment"):
                expect(main(member).get_by_role("link", name=f"Sign in to {doing}")).to_be_visible()
            expect(main(member).get_by_role("button", name="Like")).to_have_count(0)

            # Sign up from the sidebar's "Sign in", sign out, sign in again.
            sign_up(member, PAYLOADS[1], "ada@example.org", PASSWORD)  # a hostile display name, shown as text
            expect(main(member).get_by_text("Account created: you are signed in.")).to_be_visible()
            shot(member, "01_signed_up")
            main(member).get_by_role("tab", name="Settings").click()
            main(member).get_by_role("button", name="Sign out", exact=True).click()
            settle(member)
            expect(main(member).get_by_text("Signed out.")).to_be_visible()
            sign_in(member, server, "ada@example.org", PASSWORD)
            expect(main(member).get_by_text("Signed in.", exact=True)).to_be_visible()
            expect(member.get_by_test_id("stSidebar").get_by_text(f"Signed in as {PAYLOADS[1]}")).to_be_visible()

            # Follow and claim (a public page: a moderator must decide).
            open_by_id(member, "Researcher", "Open a profile", store["person"])
            settle(member)
            main(member).get_by_role("button", name="Follow researcher · 0").click()
            settle(member)
            expect(main(member).get_by_role("button", name="Unfollow · 1")).to_be_visible()
            main(member).get_by_role("button", name="Claim this author").click()
            claim = form_with(member, "Send claim")
            choose(member, claim, "Evidence", "Public page (URL)")
            claim.get_by_role("textbox", name="Value", exact=True).fill("https://example.org/~zz")
            claim.get_by_role("textbox", name="Note for the moderators (optional)", exact=True).fill(PAYLOADS[0])
            submit(member, "Send claim")
            expect(main(member).get_by_text("Claim sent: it is waiting for a moderator.")).to_be_visible()
            shot(member, "02_claim_waiting")

            # The moderator approves the claim.
            sign_in(mod, server, "mod@example.org", MOD_PASSWORD)
            nav(mod, "Moderation")
            settle(mod)
            expect(main(mod).get_by_text("https://example.org/~zz")).to_be_visible()
            expect(main(mod).get_by_text(PAYLOADS[0], exact=True)).to_be_visible()  # the note, as text
            shot(mod, "03_moderation_queue")
            submit(mod, "Approve")
            expect(main(mod).get_by_text("approved.")).to_be_visible()

            # Vote, rate, save, review (with hostile fields), comment (hostile) and reply on the paper page.
            open_by_id(member, "Paper", "Open a paper", store["work"])
            settle(member)
            main(member).get_by_role("button", name="Like", exact=True).click()
            settle(member)
            expect(main(member).get_by_text("Liked.")).to_be_visible()
            rate = form_with(member, "Rate")
            choose(member, rate, "Your rating", "★★★★")
            submit(member, "Rate")
            expect(main(member).get_by_text("Rating saved.")).to_be_visible()
            save = form_with(member, "Save")
            save.get_by_role("textbox", name="New collection name", exact=True).fill(PAYLOADS[4])
            save.get_by_role("textbox", name="Note (optional)", exact=True).fill("for the reading group")
            submit(member, "Save")
            expect(main(member).get_by_text("Saved to the collection.")).to_be_visible()
            expand(member, "Write a structured review")
            review = form_with(member, "Publish review")
            review.get_by_role("textbox", name="Summary", exact=True).fill("Careful argument. " + PAYLOADS[2])
            review.get_by_role("textbox", name="Strengths", exact=True).fill(PAYLOADS[3])
            review.get_by_role("textbox", name="Concerns", exact=True).fill(PAYLOADS[5])
            review.get_by_role("textbox", name="Method questions", exact=True).fill(PAYLOADS[0])
            submit(member, "Publish review")
            expect(main(member).get_by_text("Review published.")).to_be_visible()
            expand(member, "Add a comment")
            comment = form_with(member, "Post comment")
            comment.get_by_role("textbox", name="Your comment", exact=True).fill("\n".join(PAYLOADS))
            submit(member, "Post comment")
            expect(main(member).get_by_text("Comment posted.")).to_be_visible()
            main(member).get_by_role("button", name="Reply").first.click()
            settle(member)
            form_with(member, "Post reply").get_by_role("textbox", name="Your reply", exact=True).fill("A plain reply.")
            submit(member, "Post reply")
            expect(main(member).get_by_text("Reply posted.")).to_be_visible()
            expect(main(member).get_by_test_id("stText").filter(has_text="A plain reply.")).to_be_visible()
            for label, value in (("Likes", "1"), ("Rating", "4.0 ★"), ("Saves", "1"), ("Reviews", "1")):
                metric = main(member).get_by_test_id("stMetric").filter(has_text=label).first
                expect(metric.get_by_test_id("stMetricValue")).to_have_text(value)
            shot(member, "04_paper_social")

            # The moderator reports the hostile comment, then sees it queued.
            open_by_id(mod, "Paper", "Open a paper", store["work"])
            settle(mod)
            mod_main = main(mod)
            mod_main.get_by_role("button", name="Report").first.click()
            form_with(mod, "Send report").get_by_role("textbox", name="What is wrong?", exact=True).fill(
                "Script injection attempt"
            )
            submit(mod, "Send report")
            expect(mod_main.get_by_text("Reported: a moderator will look at it.")).to_be_visible()
            nav(mod, "Moderation")
            settle(mod)
            expect(main(mod).get_by_role("tab", name="Reports (1)")).to_be_visible()

            # The new owner opens the profile to collaboration; the moderator invites; the owner accepts.
            open_by_id(member, "Researcher", "Open a profile", store["person"])
            settle(member)
            expect(main(member).get_by_text("You own this profile")).to_be_visible()
            expand(member, "Edit your profile")
            owner_form = form_with(member, "Save profile")
            owner_form.get_by_role("switch", name="Open to collaborate").check()
            submit(member, "Save profile")
            expect(main(member).get_by_text("Profile saved.")).to_be_visible()
            expect(main(member).get_by_text("not open to collaborate")).to_have_count(0)
            open_by_id(mod, "Researcher", "Open a profile", store["person"])
            settle(mod)
            main(mod).get_by_role("button", name="Invite to collaborate").click()
            form_with(mod, "Send invitation").get_by_role("textbox", name="Message", exact=True).fill(
                "Shall we write about dropout?"
            )
            submit(mod, "Send invitation")
            expect(main(mod).get_by_text("Invitation sent to the profile's owner.")).to_be_visible()
            nav(member, "Account")
            settle(member)
            main(member).get_by_role("tab", name="Invitations").click()
            expect(main(member).get_by_text("Shall we write about dropout?")).to_be_visible()
            main(member).get_by_role("button", name="Accept").click()
            settle(member)
            expect(main(member).get_by_text("Invitation accepted.")).to_be_visible()
            shot(member, "05_inbox_accepted")

            # The home feed lists the followed researcher's works.
            nav(member, "Search")
            settle(member)
            expect(main(member).get_by_role("heading", name="From people you follow")).to_be_visible()
            expect(main(member).get_by_role("link", name=EMBEDDING["title"])).to_be_visible()

            # Hostile text: literal on the page, never an element, never a dialog.
            open_by_id(member, "Paper", "Open a paper", store["work"])
            settle(member)
            body = main(member).inner_text()
            for payload in PAYLOADS:
                assert payload in body, payload
            shot(member, "06_hostile_text")
            for pg in (member, mod):
                assert pg.locator("[data-testid='stMain'] script").count() == 0
                assert pg.locator("img[onerror], img[src='x'], img[src*='evil.example']").count() == 0
                assert pg.locator("a[href^='javascript:' i], a[href^='data:' i]").count() == 0
            member.wait_for_timeout(500)
            assert dialogs == []
            assert errors == []
        finally:
            browser.close()
