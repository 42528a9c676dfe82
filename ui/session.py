"""Who is signed in, for this browser session only, and how pages run a write on their behalf.

The signed-in ``core.permissions.Actor`` lives in ``st.session_state`` (never in a module global: those are shared by
every visitor). ``refresh()`` re-reads it from the store through ``core.accounts.current_actor`` once per run, from
the sidebar widget that ``app.py`` draws, so a demoted moderator or a password changed elsewhere takes effect on the
next click. ``act()`` runs one write in its own transaction (``core.writes.run_write``), shows a refusal as a
message, and clears the cached reads the write changed.

Where ``[auth]`` secrets are configured, signing in goes through Streamlit's OIDC (``st.login``) and the provider's
``st.user`` is mapped to an account with ``core.accounts.sign_in_with_provider``; otherwise the local forms are shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import streamlit as st
from sqlmodel import Session

from core import accounts
from core.db import session_scope
from core.permissions import Actor, InvalidInput, PermissionDenied, RateLimited
from core.writes import run_write
from ui import escape_md, state

ACTOR_KEY = "peerscope_actor"
FLASH_KEY = "peerscope_flash"
ACCOUNT_PAGE = "pages/account.py"


# ---- the actor -----------------------------------------------------------------------------------------------------
def current() -> Actor | None:
    """The signed-in actor of this browser session, or ``None`` for an anonymous visitor."""
    return st.session_state.get(ACTOR_KEY)


def set_current(actor: Actor | None) -> None:
    if actor is None:
        st.session_state.pop(ACTOR_KEY, None)
    else:
        st.session_state[ACTOR_KEY] = actor


def refresh() -> Actor | None:
    """Re-read the actor from the store (new role or name; ``None`` once its session has ended)."""
    actor = current()
    if actor is None and _oidc_configured() and _oidc_logged_in():
        actor = _provider_sign_in()
    elif actor is not None:
        actor = read(lambda s: accounts.current_actor(session=s, actor=actor))
    set_current(actor)
    return actor


def read(fn: Callable[[Session], Any]) -> Any:
    """``fn(session)`` in a short read-only session (per-user reads are not cached: they differ per visitor)."""
    with session_scope(state.get_engine()) as session:
        return fn(session)


def act(
    fn: Callable[[Session], Any],
    *,
    done: str | None = None,
    scope: str = "page",
    invalidate: Iterable[Callable] = (),
    rerun: bool = True,
) -> Any:
    """Run the write ``fn(session)``; on success remember ``done`` for ``flash(scope)``, clear caches, and rerun.

    A refusal (``PermissionDenied``, ``InvalidInput``, ``RateLimited``) is shown at once and nothing is stored.
    Returns the write's result (only reached when ``rerun`` is false) or ``None`` after a refusal.
    """
    try:
        result = run_write(state.get_engine(), fn)
    except RateLimited as exc:
        st.error(f"{exc} (retry in about {max(1, exc.retry_after // 60)} min)", icon=":material/timer:")
        return None
    except (PermissionDenied, InvalidInput) as exc:
        st.error(str(exc), icon=":material/block:")
        return None
    for cached in invalidate:
        cached.clear()
    if done:
        st.session_state[FLASH_KEY] = (scope, done)
    if rerun:
        st.rerun()
    return result


def flash(scope: str = "page") -> None:
    """Show (once) the message the last successful write in ``scope`` left."""
    msg = st.session_state.get(FLASH_KEY)
    if msg and msg[0] == scope:
        del st.session_state[FLASH_KEY]
        st.success(msg[1], icon=":material/check_circle:")


def sign_in_prompt(doing: str) -> None:
    """What an anonymous visitor sees in place of an action: a link to the account page."""
    st.page_link(ACCOUNT_PAGE, label=f"Sign in to {doing}", icon=":material/login:")


# ---- forms ---------------------------------------------------------------------------------------------------------
def sign_in_forms() -> None:
    """Provider buttons where ``[auth]`` is configured; otherwise the local sign-in and sign-up forms."""
    if _oidc_configured():
        providers = _oidc_providers()
        for name in providers or [None]:
            label = f"Sign in with {name}" if name else "Sign in"
            if st.button(label, icon=":material/login:", key=f"oidc_{name or 'default'}"):
                st.login(name) if name else st.login()
        st.caption("Sign-in goes through your identity provider; Peerscope keeps no password for you.")
        return
    sign_in_tab, sign_up_tab = st.tabs(["Sign in", "Create an account"])
    with sign_in_tab, st.form("sign_in"):
        email = st.text_input("Email", key="sign_in_email")
        password = st.text_input("Password", type="password", key="sign_in_password")
        if st.form_submit_button("Sign in", icon=":material/login:"):
            _local_sign_in(email, password)
    with sign_up_tab, st.form("sign_up"):
        name = st.text_input("Display name", key="sign_up_name", help="Shown beside your reviews and comments.")
        email = st.text_input("Email", key="sign_up_email")
        password = st.text_input("Password", type="password", key="sign_up_password", help="At least 10 characters.")
        if st.form_submit_button("Create account", icon=":material/person_add:"):
            actor = act(
                lambda s: accounts.sign_up(session=s, actor=None, email=email, password=password, display_name=name),
                rerun=False,
            )
            if actor is not None:
                _signed_in(actor, "Account created: you are signed in.")


def sign_out(*, everywhere: bool = False) -> None:
    me = current()
    if me is not None:
        act(lambda s: accounts.sign_out(session=s, actor=me, everywhere=everywhere), rerun=False)
    set_current(None)
    if _oidc_configured() and _oidc_logged_in():
        st.logout()
    st.session_state[FLASH_KEY] = ("account", "Signed out.")
    st.rerun()


def sidebar_widget() -> None:
    """'Signed in as …' with a link to the account page, or a sign-in link (``app.py`` calls it in the sidebar)."""
    me = refresh()
    if me is None:
        if st.button("Sign in", icon=":material/login:", key="sidebar_sign_in"):
            st.switch_page(ACCOUNT_PAGE)
        return
    role = "" if me.role == "member" else f" ({me.role})"
    st.caption(f"Signed in as {escape_md(me.display_name, one_line=True)}{role}")
    st.page_link(ACCOUNT_PAGE, label="Your account", icon=":material/account_circle:")


# ---- internals -----------------------------------------------------------------------------------------------------
def _local_sign_in(email: str, password: str) -> None:
    actor = act(lambda s: accounts.sign_in(session=s, email=email, password=password), rerun=False)
    if actor is not None:
        _signed_in(actor, "Signed in.")


def _signed_in(actor: Actor, message: str) -> None:
    set_current(actor)
    st.session_state[FLASH_KEY] = ("account", message)
    st.rerun()


def _auth_secrets() -> Any:
    try:
        return st.secrets.get("auth") if "auth" in st.secrets else None
    except Exception:  # no secrets file at all, or an unreadable one: local accounts
        return None


def _oidc_configured() -> bool:
    return bool(_auth_secrets())


def _oidc_providers() -> list[str]:
    auth = _auth_secrets() or {}
    return [k for k, v in auth.items() if hasattr(v, "keys")]


def _oidc_logged_in() -> bool:
    try:
        return bool(st.user.is_logged_in)
    except Exception:
        return False


def _provider_sign_in() -> Actor | None:
    u = st.user
    iss, sub = u.get("iss"), u.get("sub")
    if not iss or not sub:
        return None
    return act(
        lambda s: accounts.sign_in_with_provider(
            session=s,
            provider=str(iss),
            subject=str(sub),
            email=u.get("email"),
            display_name=u.get("name"),
            email_verified=bool(u.get("email_verified")),
        ),
        rerun=False,
    )


def own_profile_id() -> int | None:
    """The researcher profile the signed-in account verifiably owns (its first), or ``None``."""
    actor = current()
    if actor is None:
        return None
    from core.claims import owned_profiles

    owned = read(lambda s: owned_profiles(session=s, user_id=actor.user_id))
    return owned[0] if owned else None
