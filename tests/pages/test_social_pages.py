"""Accounts, the social sections of the paper page, the profile actions and moderation, through ``AppTest``.

Each test gets a fresh store holding the seed world (about half a second to build), points ``DATABASE_URL`` at it and
clears Streamlit's caches. Accounts are made with ``core.accounts`` under cheap argon2 settings; a signed-in browser
session is simulated by putting the ``Actor`` where ``ui.session`` keeps it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import streamlit as st
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from core import accounts, claims, discussion, reviews, social, work_collections
from core.config import get_settings
from core.db import init_db, make_engine
from core.ingest.loader import import_paths
from core.ingest.seed import SEED_PATH
from core.models import Researcher, User, Work
from core.writes import run_write
from ui import escape_md
from ui.session import ACTOR_KEY

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
WORLD = json.loads(SEED_PATH.read_text(encoding="utf-8"))
EMBEDDING = next(w for w in WORLD["works"] if w["seed_key"] == "seed:work:embedding-principle")
PASSWORD = "correct horse battery"
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](https://evil.example/x.png)",
    '<a href="javascript:alert(1)">x</a>',
]


@pytest.fixture(autouse=True, scope="module")
def cheap_hashes():
    accounts.configure_hasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    yield
    accounts.configure_hasher()


@pytest.fixture
def world(tmp_path, monkeypatch):
    """A fresh seeded store; returns its engine (the app under test uses the same URL)."""
    url = f"sqlite:///{tmp_path / 'peerscope.db'}"
    engine = make_engine(url)
    init_db(engine)
    import_paths([SEED_PATH], engine=engine, fmt="seed")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("PEERSCOPE_LOAD_SEED_ON_FIRST_START", "false")
    # AppTest builds a new PagesManager on every run, which flips Streamlit back into pages-directory mode, so
    # ensure_app_shell would rerun each run and swallow the click that started it; app.py is the entry point here.
    monkeypatch.setattr("ui.state.ensure_app_shell", lambda: None)
    _reset()
    yield engine
    _reset()
    engine.dispose()


def _reset() -> None:
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()


def member(engine, name: str = "Grace Member", email: str = "grace@example.org"):
    return run_write(
        engine,
        lambda s: accounts.sign_up(session=s, actor=None, email=email, password=PASSWORD, display_name=name),
    )


def moderator(engine):
    mod = member(engine, "Mo Derator", "mod@example.org")

    def promote(s):
        s.get(User, mod.user_id).role = "moderator"

    run_write(engine, promote)
    return accounts.Actor(user_id=mod.user_id, role="moderator", display_name=mod.display_name, epoch=mod.epoch)


def work_id(engine) -> int:
    return run_write(engine, lambda s: s.exec(select(Work.id).where(Work.title == EMBEDDING["title"])).one())


def researcher_id(engine, name: str = "Zhongwang Zhang") -> int:
    return run_write(engine, lambda s: s.exec(select(Researcher.id).where(Researcher.display_name == name)).one())


def open_page(page: str | None, actor=None, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(params)
    if actor is not None:
        at.session_state[ACTOR_KEY] = actor
    if page:  # AppTest keeps the entry point's sidebar only on the default page
        at.switch_page(page)
    return run(at)


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def click(widget) -> AppTest:
    at = widget.click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def sign_in_links(at: AppTest) -> list[str]:
    return [link.label for link in at.get("page_link") if str(link.label).startswith("Sign in to")]


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def markdown_bodies(at: AppTest) -> list:
    return [*at.markdown, *at.caption, *at.title, *at.subheader, *at.header, *at.success, *at.error, *at.info]


# ---- anonymous --------------------------------------------------------------------------------------------------
def test_anonymous_paper_page_is_read_only_with_sign_in_links(world):
    wid = work_id(world)
    at = open_page("pages/paper.py", id=str(wid))
    assert sign_in_links(at) == [
        "Sign in to vote",
        "Sign in to rate",
        "Sign in to save to a collection",
        "Sign in to write a review",
        "Sign in to comment",
    ]
    assert [b.label for b in at.main.button if not b.disabled] == []
    assert not at.text_area and not at.selectbox
    assert not at.main.text_input and not at.main.get("text_area")
    assert metric(at, "Views") == "1"  # the anonymous visit counted once
    assert metric(at, "Reviews") == metric(at, "Saves") == metric(at, "Likes") == "0"
    assert [d.proto.label for d in at.get("download_button")] == ["BibTeX", "RIS"]
    assert "Related papers" in [s.value for s in at.subheader]


def test_anonymous_profile_actions_are_disabled_with_a_sign_in_link(world):
    at = open_page("pages/researcher.py", id=str(researcher_id(world)))
    follow = button(at, "Follow researcher · 0")
    assert follow.disabled and button(at, "Claim this author").disabled
    assert sign_in_links(at) == ["Sign in to follow, claim or invite"]


def test_moderation_refuses_anonymous_and_members(world):
    at = open_page("pages/moderation.py")
    assert "for moderators" in at.warning[0].value and sign_in_links(at) == ["Sign in to moderate"]
    at = open_page("pages/moderation.py", actor=member(world))
    assert at.error[0].value == "Only moderators and admins can see the moderation queue."
    assert not at.tabs


# ---- accounts ---------------------------------------------------------------------------------------------------
def test_sign_up_sign_out_and_sign_in_through_the_account_page(world):
    at = open_page("pages/account.py")
    at.text_input(key="sign_up_name").input("Ada Lovelace")
    at.text_input(key="sign_up_email").input("ada@example.org")
    at.text_input(key="sign_up_password").input(PASSWORD)
    click(button(at, "Create account"))
    assert at.session_state[ACTOR_KEY].display_name == "Ada Lovelace"
    assert "Signed in as **Ada Lovelace**" in at.markdown[0].value
    assert at.success[0].value == "Account created: you are signed in."

    click(button(at, "Sign out"))
    assert ACTOR_KEY not in at.session_state
    at.text_input(key="sign_in_email").input("ada@example.org")
    at.text_input(key="sign_in_password").input("wrong password!")
    click(button(at, "Sign in"))
    assert at.error[0].value == "Email or password is wrong."
    at.text_input(key="sign_in_password").input(PASSWORD)
    click(button(at, "Sign in"))
    assert at.session_state[ACTOR_KEY].display_name == "Ada Lovelace"
    assert at.success[0].value == "Signed in."


def test_sign_in_is_rate_limited(world):
    member(world)
    at = open_page("pages/account.py")
    for _ in range(accounts.SIGN_IN_LIMIT):
        at.text_input(key="sign_in_email").input("grace@example.org")
        at.text_input(key="sign_in_password").input("not the password")
        click(button(at, "Sign in"))
    at.text_input(key="sign_in_password").input(PASSWORD)
    click(button(at, "Sign in"))
    assert at.error[0].value.startswith("Too many failed sign-ins for this email")
    assert ACTOR_KEY not in at.session_state


def test_a_password_change_elsewhere_ends_the_session(world):
    me = member(world)
    at = open_page("pages/account.py", actor=me)
    run_write(
        world,
        lambda s: accounts.change_password(session=s, actor=me, current_password=PASSWORD, new_password="x" * 12),
    )
    run(at)
    assert ACTOR_KEY not in at.session_state and at.text_input(key="sign_in_email")


# ---- the paper page ---------------------------------------------------------------------------------------------
def test_vote_rate_save_review_comment_and_reply_change_the_counts(world):
    wid, me = work_id(world), member(world)
    at = open_page("pages/paper.py", actor=me, id=str(wid))
    assert sign_in_links(at) == []
    click(button(at, "Like"))
    assert metric(at, "Likes") == "1" and at.success[0].value == "Liked."
    at.selectbox(key="rate_stars").set_value(4)
    click(button(at, "Rate"))
    assert metric(at, "Rating") == "4.0 ★"
    at.text_input(key="save_new_name").input("Reading list")
    at.text_input(key="save_note").input("for Friday")
    click(button(at, "Save"))
    assert metric(at, "Saves") == "1"
    assert "Saved in: Reading list" in [c.value for c in at.caption]

    at.text_area(key="review_new_summary").input("Clear argument, small experiments.")
    at.text_area(key="review_new_concerns").input("Only two datasets.")
    at.selectbox(key="review_new_rec").set_value("major-revision")
    versions = run_write(world, lambda s: reviews.reviewable_versions(session=s, work_id=wid))
    assert [label.split()[0] for _, label in versions] == ["published", "preprint"]  # the version of record first
    assert at.selectbox(key="review_new_version").value == versions[0][0]
    at.selectbox(key="review_new_version").set_value(versions[1][0])  # the reviewer read the preprint
    click(button(at, "Publish review"))
    assert metric(at, "Reviews") == "1"
    assert f"Reviewed version: {escape_md(versions[1][1], one_line=True)}" in [c.value for c in at.caption]
    assert "Clear argument, small experiments." in [t.value for t in at.text]
    assert any(m.value.startswith("**Major revision** · by Grace Member") for m in at.markdown)

    at.text_area(key="comment_new_body").input("Is the code available?")
    click(button(at, "Post comment"))
    assert "Work discussion (1)" in [s.value for s in at.subheader]
    comment = run_write(world, lambda s: discussion.thread(session=s, work_id=wid))[0]
    click(button(at, "Reply"))
    at.text_area(key=f"reply_form_{comment.id}_body").input("Yes, on request.")
    click(button(at, "Post reply"))
    thread = run_write(world, lambda s: discussion.thread(session=s, work_id=wid))
    assert [(c.body, c.depth) for c in thread] == [("Is the code available?", 0), ("Yes, on request.", 1)]
    assert "Work discussion (2)" in [s.value for s in at.subheader]

    counts = run_write(world, lambda s: social.work_counts(session=s, work_id=wid))
    assert (counts.likes, counts.ratings, counts.saves, counts.reviews, counts.comments) == (1, 1, 1, 1, 2)
    assert counts.views == 1 and metric(at, "Views") == "1"  # the reruns of one visit count once


def test_review_author_edits_and_the_history_keeps_the_old_text(world):
    wid, me = work_id(world), member(world)
    run_write(
        world,
        lambda s: reviews.write_review(
            session=s, actor=me, work_id=wid, summary="First take.", recommendation="accept"
        ),
    )
    at = open_page("pages/paper.py", actor=me, id=str(wid))
    rid = run_write(world, lambda s: reviews.work_reviews(session=s, work_id=wid))[0].id
    at.text_area(key=f"review_{rid}_summary").input("Second take.")
    click(button(at, "Save review"))
    texts = [t.value for t in at.text]
    assert "Second take." in texts and "First take." in texts  # the new text, and the old one in the history
    assert any(e.label.startswith("History (1 earlier version)") for e in at.expander)


# ---- profile actions and moderation -----------------------------------------------------------------------------
def test_follow_claim_moderate_and_invite(world):
    rid, me = researcher_id(world), member(world)
    at = open_page("pages/researcher.py", actor=me, id=str(rid))
    click(button(at, "Follow researcher · 0"))
    assert button(at, "Unfollow · 1")
    at.selectbox(key="claim_kind").set_value("page")
    at.text_input(key="claim_evidence").input("https://example.org/~zz")
    at.text_area(key="claim_note").input("That is my homepage.")
    click(button(at, "Send claim"))
    assert "waiting for a moderator" in at.success[0].value

    mod = moderator(world)
    queue = open_page("pages/moderation.py", actor=mod)
    assert queue.tabs[0].label == "Claims (1)"
    assert "https://example.org/~zz" in [t.value for t in queue.text]
    queue.text_input(key=next(w.key for w in queue.text_input if w.key.startswith("claim_reason_"))).input("")
    click(button(queue, "Approve"))
    assert queue.success[0].value.endswith("approved.") and queue.tabs[0].label == "Claims (0)"

    # the owner opens the profile to collaboration, then another member invites them
    run(at)
    at.toggle(key="owner_open").set_value(True)
    click(button(at, "Save profile"))
    assert at.success[0].value == "Profile saved."
    other = member(world, "Ivan Viter", "ivan@example.org")
    inviter = open_page("pages/researcher.py", actor=other, id=str(rid))
    inviter.text_area(key="invite_message").input("Shall we write about dropout?")
    click(button(inviter, "Send invitation"))
    assert inviter.success[0].value == "Invitation sent to the profile's owner."
    inbox = open_page("pages/account.py", actor=me)
    assert "Shall we write about dropout?" in [t.value for t in inbox.text]
    click(next(b for b in inbox.button if b.label == "Accept"))
    assert inbox.success[0].value == "Invitation accepted."


def test_home_feed_shows_new_works_of_followed_people(world):
    rid, me = researcher_id(world), member(world)
    run_write(world, lambda s: social.follow(session=s, actor=me, researcher_id=rid))
    at = open_page("pages/home.py", actor=me)
    zz_titles = {
        w["title"] for w in WORLD["works"] if "seed:person:zhongwang-zhang" in {a.get("person") for a in w["authors"]}
    }
    shown = {re.sub(r" \(\d{4}\)$", "", link.label.replace("\\", "")) for link in at.main.get("page_link")}
    assert zz_titles <= shown


# ---- safety: user text is shown as text -------------------------------------------------------------------------
def test_hostile_user_text_is_shown_literally_and_never_as_html(world):
    wid = work_id(world)
    evil_name = PAYLOADS[0]
    me = member(world, evil_name, "evil@example.org")
    for payload in PAYLOADS:
        run_write(world, lambda s, p=payload: discussion.add_comment(session=s, actor=me, work_id=wid, body=p))

    def hostile(s):
        cid = work_collections.create_collection(session=s, actor=me, name=PAYLOADS[1])
        work_collections.save_work(session=s, actor=me, collection_id=cid, work_id=wid, note=PAYLOADS[3])
        reviews.write_review(
            session=s,
            actor=me,
            work_id=wid,
            summary=PAYLOADS[2],
            strengths=PAYLOADS[4],
            concerns=PAYLOADS[5],
            method_questions=PAYLOADS[0],
            recommendation="accept",
        )
        claims.open_claim(
            session=s, actor=me, researcher_id=researcher_id(world), evidence_kind="page", evidence="https://x.example",
            note=PAYLOADS[1],
        )  # fmt: skip

    run_write(world, hostile)
    reader = member(world, "Reader", "reader@example.org")
    pages = [
        open_page("pages/paper.py", actor=reader, id=str(wid)),
        open_page("pages/paper.py", actor=me, id=str(wid)),
        open_page("pages/account.py", actor=me),
        open_page("pages/moderation.py", actor=moderator(world)),
    ]
    paper, own_paper, account, queue = pages
    literal = [t.value for t in paper.text]
    for i, payload in enumerate(PAYLOADS):  # character for character: each comment, and the review's fields
        assert literal.count(payload) == (2 if i in (0, 2, 4, 5) else 1), payload
    assert PAYLOADS[1] in [t.value for t in queue.text]  # the claim note
    assert PAYLOADS[3] in [t.value for t in account.text]  # the collection note
    name_md = escape_md(evil_name, one_line=True)
    assert any(name_md in c.value for c in paper.caption)  # comment bylines
    assert any(f"Saved in: {escape_md(PAYLOADS[1], one_line=True)}" == c.value for c in own_paper.caption)
    assert any(e.label.startswith(escape_md(PAYLOADS[1], one_line=True)) for e in account.expander)
    home = open_page(None, actor=me)
    pages.append(home)
    assert f"Signed in as {name_md}" in [c.value for c in home.sidebar.caption]
    for at in pages:
        for el in markdown_bodies(at):
            body = str(el.value)
            assert not getattr(el.proto, "allow_html", False), body
            for payload in PAYLOADS:
                assert payload not in body, (payload, body)  # markdown only ever receives the escaped form
        for el in at.get("page_link"):
            assert "javascript:" not in str(el.proto.page) and "data:" not in str(el.proto.page)
