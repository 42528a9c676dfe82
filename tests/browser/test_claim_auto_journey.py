"""The automatic claim path in a real browser: a researcher signs up with their institutional address, confirms it
with the code mailed to them (read from the store's outbox, which is where the mailer picks it up), claims their
profile with that address, and owns it at once: verification L3, "Claimed author", no moderator involved.

Real data: Joseph Mearman from ``../shared/data/openalex-ego-bangor``, affiliated with Bangor University, whose
OpenAlex record gives the homepage https://www.bangor.ac.uk. Screenshots: ``tests/browser/screenshots/claim_*.png``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from core import mail, queries
from core.db import make_engine, session_scope
from tests.browser.helpers import (
    TIMEOUT_MS,
    choose,
    form_with,
    launch,
    main,
    nav,
    open_by_id,
    settle,
    shot,
    sign_up,
    submit,
)

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "j.mearman@bangor.ac.uk", "mearman password 1"


@pytest.fixture(scope="module")
def store(bangor_store, tmp_path_factory) -> dict:
    db = tmp_path_factory.mktemp("claim-auto") / "peerscope.db"
    shutil.copyfile(bangor_store, db)
    engine = make_engine(f"sqlite:///{db}")
    with session_scope(engine) as s:
        rid = queries.resolve_researcher(session=s, query="A5017898742")
    engine.dispose()
    return {"db": db, "person": rid}


def _mailed_code(db: Path) -> str:
    """What the person reads in their mailbox: the newest message queued for the address."""
    engine = make_engine(f"sqlite:///{db}")
    try:
        with session_scope(engine) as s:
            messages = mail.outbox(session=s, to_address=EMAIL)
    finally:
        engine.dispose()
    assert messages, "no confirmation message was queued"
    return re.search(r"code is (\d{6})\.", messages[0].body).group(1)


def test_a_confirmed_institutional_address_claims_the_profile_at_once(sync_playwright, streamlit_server, store):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    with streamlit_server(store["db"]) as base, sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            page.set_default_timeout(TIMEOUT_MS)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{base}/researcher?id={store['person']}")
            settle(page)
            expect(main(page).get_by_text("Unclaimed author").first).to_be_visible()

            sign_up(page, "Joseph Mearman", EMAIL, PASSWORD)
            expect(main(page).get_by_text("Account created: you are signed in.")).to_be_visible()

            # An address typed into a claim proves nothing until the account confirms it reads it.
            main(page).get_by_role("tab", name="Settings").click()
            expect(main(page).get_by_text(f"{EMAIL} · not confirmed yet")).to_be_visible()
            main(page).get_by_role("button", name="Send confirmation code").click()
            settle(page)
            expect(main(page).get_by_text(f"A 6-digit code is on its way to {EMAIL}")).to_be_visible()
            main(page).get_by_role("tab", name="Settings").click()
            confirm = form_with(page, "Confirm address")
            confirm.get_by_role("textbox", name="Confirmation code", exact=True).fill("000000")
            submit(page, "Confirm address")
            code = _mailed_code(store["db"])
            if code != "000000":
                expect(main(page).get_by_text("That code is not right (4 tries left).")).to_be_visible()
            main(page).get_by_role("tab", name="Settings").click()
            form_with(page, "Confirm address").get_by_role("textbox", name="Confirmation code", exact=True).fill(code)
            submit(page, "Confirm address")
            expect(main(page).get_by_text("Address confirmed.")).to_be_visible()
            main(page).get_by_role("tab", name="Settings").click()
            expect(main(page).get_by_text(f"{EMAIL} · confirmed")).to_be_visible()
            shot(page, "claim_01_address_confirmed")

            # Claim with the confirmed address at the affiliated institution's domain: verified at once.
            open_by_id(page, "Researcher", "Open a profile", store["person"])
            main(page).get_by_role("button", name="Claim this author").click()
            claim = form_with(page, "Send claim")
            choose(page, claim, "Evidence", "Institutional email")
            claim.get_by_role("textbox", name="Value", exact=True).fill(EMAIL)
            submit(page, "Send claim")
            expect(main(page).get_by_text("Verified at once: you now own this profile.")).to_be_visible()
            expect(main(page).get_by_text("You own this profile")).to_be_visible()
            expect(main(page).get_by_text("Claimed author").first).to_be_visible()
            expect(main(page).get_by_text("Verification L3").first).to_be_visible()
            shot(page, "claim_02_verified_at_once")

            # The decision reached the claimant's notifications, and the claim reads "verified" under Claims.
            nav(page, "Account")
            expect(main(page).get_by_text("Your claim on Joseph Mearman was verified").first).to_be_visible()
            main(page).get_by_role("tab", name="Claims").click()
            claims_panel = main(page).get_by_role("tabpanel", name="Claims")
            expect(claims_panel.get_by_role("link", name="Joseph Mearman")).to_be_visible()
            expect(claims_panel.get_by_text("verified", exact=False).first).to_be_visible()
            expect(claims_panel.get_by_text("Evidence: email")).to_be_visible()
            shot(page, "claim_03_account")
            assert errors == []
        finally:
            browser.close()
