"""What the browser journeys share: chromium settings, waiting for Streamlit, screenshots, and the moves a person makes
(fill a form, pick from a selectbox, sign in, move inside the app, open an item by id)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(__file__).resolve().parent / "screenshots"
BANGOR = ROOT.parent / "shared" / "data" / "openalex-ego-bangor"
CHROMIUM = os.environ.get("PEERSCOPE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip
TIMEOUT_MS = 30_000


def need(what: str, ok: bool) -> None:
    """Skip when something the browser tests need is missing; in CI that is a failure."""
    if ok:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {what} is missing", pytrace=False)
    pytest.skip(f"browser tests need {what}")


def load_sync_playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    need("the playwright Python package", sync_playwright is not None)
    need(f"chromium at {CHROMIUM} (PEERSCOPE_CHROMIUM)", Path(CHROMIUM).is_file() or bool(shutil.which(CHROMIUM)))
    return sync_playwright


def launch(pw):
    """Debian's chromium (never a downloaded browser), headless."""
    return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def settle(page) -> None:
    """Wait until Streamlit has finished the current run: no running-status widget, no stale (faded) elements."""
    page.wait_for_timeout(150)
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')
              && !document.querySelector('[data-stale="true"]')""",
        timeout=TIMEOUT_MS,
    )


def shot(page, name: str, *, path: Path | None = None, height: int | None = None) -> Path:
    """Screenshot the whole page (``height=None``: tall enough for all of Streamlit's scrolling main area)."""
    path = path or SHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size
    if height is None:
        height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": max(min(height, 8000), 600)})
    settle(page)
    page.screenshot(path=str(path))
    page.set_viewport_size(viewport)
    return path


def main(page):
    return page.locator('[data-testid="stMain"]')


def form_with(page, button: str):
    """The form (or popover form) whose submit button is called ``button``."""
    return (
        page.get_by_test_id("stForm")
        .filter(  # page-wide: popovers render outside the main area
            has=page.get_by_role("button", name=button, exact=True)
        )
        .last
    )


def submit(page, button: str) -> None:
    form_with(page, button).get_by_role("button", name=button, exact=True).click()
    settle(page)


def choose(page, scope, label: str, option: str) -> None:
    """Pick ``option`` in the Streamlit selectbox labelled ``label`` inside ``scope``."""
    scope.get_by_test_id("stSelectbox").filter(has_text=label).locator("input").click()
    page.get_by_role("option", name=option, exact=True).click()


def sign_in(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/account")
    settle(page)
    form = form_with(page, "Sign in")
    form.get_by_role("textbox", name="Email", exact=True).fill(email)
    form.get_by_role("textbox", name="Password", exact=True).fill(password)
    submit(page, "Sign in")


def sign_up(page, name: str, email: str, password: str) -> None:
    """From any page: the sidebar's "Sign in", then "Create an account"."""
    page.get_by_test_id("stSidebar").get_by_role("button", name="Sign in").click()
    settle(page)
    main(page).get_by_role("tab", name="Create an account").click()
    form = form_with(page, "Create account")
    form.get_by_role("textbox", name="Display name", exact=True).fill(name)
    form.get_by_role("textbox", name="Email", exact=True).fill(email)
    form.get_by_role("textbox", name="Password", exact=True).fill(password)
    submit(page, "Create account")


def expand(page, label: str) -> None:
    main(page).locator("summary").filter(has_text=label).first.click()


def nav(page, label: str) -> None:
    """Move inside the app (a reload would start a new session, and the sign-in lives in the session)."""
    path = {"Search": "", "Researcher": "researcher", "Paper": "paper", "Account": "account"}.get(label, label.lower())
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=label, exact=True)
    for _ in range(5):  # a click that lands during a rerun can be dropped: click again
        settle(page)
        link.click()
        try:
            page.wait_for_url(lambda url: urlparse(url).path.strip("/") == path, timeout=3000)
            break
        except Exception:
            continue
    settle(page)


def open_by_id(page, label: str, box: str, item_id: int) -> None:
    nav(page, label)
    field = main(page).get_by_role("textbox", name=box, exact=True)
    field.fill(str(item_id))
    field.press("Enter")
    # The page reruns with ?id=... once the box is submitted; under load that can take longer than settle() waits
    # for the rerun to begin, so wait for the address first.
    page.wait_for_url(re.compile(rf"[?&]id={item_id}(&|$)"), timeout=TIMEOUT_MS)
    settle(page)
