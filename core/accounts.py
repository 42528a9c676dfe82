"""Accounts: sign up, sign in (password or OIDC provider), sign out, change password, roles.

Local accounts live on the embedded default; their passwords are stored as argon2id hashes (``argon2-cffi``).
Accounts are keyed by ``(provider, subject)``: local ones use ``provider="local"`` and the lower-cased email as the
subject, provider ones the issuer and its ``sub``, so both ways of signing in coexist. Pages keep the returned
``Actor`` in ``st.session_state``; nothing here touches Streamlit.

Failed sign-ins are rate-limited per email (``SIGN_IN_LIMIT`` failures per ``SIGN_IN_WINDOW``), counted in the store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, func, select

from core import rate_limits
from core.models import User, utcnow
from core.permissions import ROLES, Actor, InvalidInput, PermissionDenied, clean_text, require_role, require_user

LOCAL = "local"
SIGN_IN_LIMIT = 5
SIGN_IN_WINDOW = timedelta(minutes=15)
PASSWORD_MIN, PASSWORD_MAX = 10, 1024
DISPLAY_NAME_MAX = 80
EMAIL_MAX = 254
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")

# argon2id with argon2-cffi's RFC 9106 "low memory" defaults; tests lower the cost with ``configure_hasher``.
_hasher = PasswordHasher()
_dummy_hash: str | None = None


class InvalidCredentials(PermissionDenied):
    """Email or password wrong (which of the two is not said)."""


def configure_hasher(*, time_cost: int = 3, memory_cost: int = 64 * 1024, parallelism: int = 4) -> None:
    """Set the argon2id cost for new hashes (existing hashes keep theirs and are re-hashed at the next sign-in)."""
    global _hasher, _dummy_hash
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    _dummy_hash = None


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (``$argon2id$v=19$...``)."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches the hash; ``False`` for a missing or malformed hash."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def normalise_email(email: str | None) -> str:
    """Stripped, lower-cased and checked email; ``InvalidInput`` when it is not one."""
    value = clean_text(email, field="Email", max_len=EMAIL_MAX).lower()
    if not _EMAIL.match(value):
        raise InvalidInput(f"{value!r} is not an email address.")
    return value


def _check_password(password: str | None) -> str:
    if password is None or len(password) < PASSWORD_MIN:
        raise InvalidInput(f"Choose a password of at least {PASSWORD_MIN} characters.")
    if len(password) > PASSWORD_MAX:
        raise InvalidInput(f"A password can have at most {PASSWORD_MAX} characters.")
    return password


def actor_for(user: User) -> Actor:
    """The ``Actor`` value that stands for ``user`` in this session."""
    return Actor(user_id=user.id, role=user.role, display_name=user.display_name, epoch=user.session_epoch)


@dataclass(frozen=True)
class UserRead:
    """What pages show about an account (never the hash)."""

    id: int
    display_name: str
    role: str
    provider: str
    email: str | None
    is_active: bool
    created_at: datetime
    email_verified: bool = False


def user_read(*, session: Session, user_id: int) -> UserRead | None:
    user = session.get(User, user_id)
    if user is None:
        return None
    return UserRead(
        user.id, user.display_name, user.role, user.provider, user.email, user.is_active, user.created_at,
        user.email_verified,
    )


def get_user_by_email(*, session: Session, email: str) -> User | None:
    """The local account registered with ``email``."""
    return session.exec(select(User).where(User.provider == LOCAL, User.subject == email.strip().lower())).first()


def _new_local_user(session: Session, email: str, password: str, display_name: str, role: str) -> User:
    subject = normalise_email(email)
    name = clean_text(display_name, field="Display name", max_len=DISPLAY_NAME_MAX)
    _check_password(password)
    if get_user_by_email(session=session, email=subject) is not None:
        raise InvalidInput("An account with this email already exists: sign in instead.")
    user = User(
        provider=LOCAL,
        subject=subject,
        email=subject,
        display_name=name,
        password_hash=hash_password(password),
        role=role,
        password_changed_at=utcnow(),
    )
    session.add(user)
    session.flush()
    return user


def sign_up(*, session: Session, actor: Actor | None, email: str, password: str, display_name: str) -> Actor:
    """Open a local member account and return its ``Actor`` (signed in). Only anonymous visitors sign up."""
    if actor is not None:
        raise PermissionDenied("You are already signed in: sign out to open another account.")
    return actor_for(_new_local_user(session, email, password, display_name, "member"))


def create_admin(*, session: Session, email: str, password: str, display_name: str) -> Actor:
    """Create an admin account (``python -m core admin create``: whoever runs the CLI holds the store)."""
    return actor_for(_new_local_user(session, email, password, display_name, "admin"))


def _dummy() -> str:
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hash_password("peerscope-dummy-password")
    return _dummy_hash


def sign_in(*, session: Session, email: str, password: str, now: datetime | None = None) -> Actor:
    """Check a local email and password; return the ``Actor`` to keep for the browser session.

    Raises ``RateLimited`` after ``SIGN_IN_LIMIT`` failures for this email within ``SIGN_IN_WINDOW`` (even for the
    right password), ``InvalidCredentials`` otherwise on a mismatch. A failure is recorded and **committed** before
    raising, so that the attempt counts although the caller's transaction fails.
    """
    now = now or utcnow()
    key = (email or "").strip().lower()[:EMAIL_MAX]
    rate_limits.check_rate(
        session=session,
        action="sign_in",
        key=key,
        limit=SIGN_IN_LIMIT,
        window=SIGN_IN_WINDOW,
        now=now,
        message="Too many failed sign-ins for this email: try again in {minutes} minutes.",
    )
    user = get_user_by_email(session=session, email=key) if key else None
    ok = verify_password(user.password_hash if user else _dummy(), password or "")
    if not ok or user is None or not user.is_active:
        rate_limits.record_attempt(session=session, action="sign_in", key=key, now=now)
        session.commit()
        if ok and user is not None:
            raise InvalidCredentials("This account is suspended: contact an administrator.")
        raise InvalidCredentials("Email or password is wrong.")
    rate_limits.clear_attempts(session=session, action="sign_in", key=key)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_sign_in_at = now
    session.add(user)
    session.flush()
    return actor_for(user)


def sign_in_with_provider(
    *, session: Session, provider: str, subject: str, email: str | None = None, display_name: str | None = None,
    email_verified: bool = False,
) -> Actor:
    """Sign in through an OIDC provider (``st.user``'s issuer and ``sub``): the account is created on first use.
    ``email_verified`` is the provider's own claim; only then does the address count as evidence for claims."""
    provider = clean_text(provider, field="Provider", max_len=300)
    if provider == LOCAL:
        raise InvalidInput("'local' is reserved for password accounts.")
    subject = clean_text(subject, field="Subject", max_len=300)
    user = session.exec(select(User).where(User.provider == provider, User.subject == subject)).first()
    mail = normalise_email(email) if email else None
    name = clean_text(display_name or mail or "Member", field="Display name", max_len=DISPLAY_NAME_MAX)
    if user is None:
        user = User(provider=provider, subject=subject, email=mail, display_name=name)
    elif not user.is_active:
        raise InvalidCredentials("This account is suspended: contact an administrator.")
    elif mail:
        user.email = mail
    user.email_verified = bool(mail) and email_verified
    user.last_sign_in_at = utcnow()
    session.add(user)
    session.flush()
    return actor_for(user)


def current_actor(*, session: Session, actor: Actor | None) -> Actor | None:
    """``actor`` refreshed from the store (new role or name), or ``None`` when its session has ended."""
    if actor is None:
        return None
    user = session.get(User, actor.user_id)
    if user is None or not user.is_active or user.session_epoch != actor.epoch:
        return None
    return actor_for(user)


def sign_out(*, session: Session, actor: Actor | None, everywhere: bool = False) -> None:
    """End a session (the page drops its ``Actor``); ``everywhere`` also ends every other session of the account."""
    user = require_user(session, actor, doing="sign out")
    if everywhere:
        user.session_epoch += 1
        session.add(user)
        session.flush()


def change_password(*, session: Session, actor: Actor | None, current_password: str, new_password: str) -> Actor:
    """Replace a local account's password; other sessions end. Returns the ``Actor`` for this session."""
    user = require_user(session, actor, doing="change your password")
    if user.provider != LOCAL:
        raise InvalidInput("This account signs in through its provider and has no password here.")
    if not verify_password(user.password_hash, current_password or ""):
        raise InvalidCredentials("The current password is wrong.")
    _check_password(new_password)
    if new_password == current_password:
        raise InvalidInput("The new password is the same as the current one.")
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.session_epoch += 1
    session.add(user)
    session.flush()
    return actor_for(user)


def set_display_name(*, session: Session, actor: Actor | None, display_name: str) -> Actor:
    """Rename one's own account."""
    user = require_user(session, actor, doing="change your name")
    user.display_name = clean_text(display_name, field="Display name", max_len=DISPLAY_NAME_MAX)
    session.add(user)
    session.flush()
    return actor_for(user)


def set_role(*, session: Session, actor: Actor | None, user_id: int, role: str) -> None:
    """Admins make members moderators or admins, and back; the last admin cannot step down."""
    require_role(session, actor, "admin", doing="change roles")
    if role not in ROLES:
        raise InvalidInput(f"Role must be one of {', '.join(ROLES)}, not {role!r}.")
    user = session.get(User, user_id)
    if user is None:
        raise InvalidInput(f"There is no account {user_id}.")
    if user.role == "admin" and role != "admin" and _admin_count(session) == 1:
        raise InvalidInput("This is the last admin: make another admin first.")
    user.role = role
    session.add(user)
    session.flush()


def set_active(*, session: Session, actor: Actor | None, user_id: int, active: bool) -> None:
    """Admins suspend (``active=False``) or restore an account; a suspended account can do nothing."""
    me = require_role(session, actor, "admin", doing="suspend accounts")
    user = session.get(User, user_id)
    if user is None:
        raise InvalidInput(f"There is no account {user_id}.")
    if user.id == me.id:
        raise InvalidInput("You cannot suspend your own account.")
    user.is_active = active
    session.add(user)
    session.flush()


def _admin_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(User).where(User.role == "admin", User.is_active)).one()
