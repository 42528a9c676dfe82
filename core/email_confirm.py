"""Confirming that an account reads its email address: a short code is mailed (``core.mail``) and typed back.

A confirmed address is evidence for claims (``core.claims``): an email at an affiliated institution's domain verifies
a claim at once only when the account proved it reads that address. The store keeps a salted hash of the code, never
the code; a code lasts ``CODE_TTL``, allows ``MAX_ATTEMPTS`` wrong guesses and is used once; sending is rate-limited.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from core import mail, rate_limits
from core.models import EmailConfirmation, utcnow
from core.permissions import Actor, InvalidInput, PermissionDenied, require_user

CODE_TTL = timedelta(minutes=30)
MAX_ATTEMPTS = 5
SEND_LIMIT, SEND_WINDOW = 3, timedelta(hours=1)
CODE_DIGITS = 6


def _hash(confirmation_salt: str, code: str) -> str:
    return hashlib.sha256(f"{confirmation_salt}:{code}".encode()).hexdigest()


def _salt(user_id: int, email: str, created_at: datetime) -> str:
    return f"{user_id}:{email}:{created_at.isoformat()}"


def send_code(*, session: Session, actor: Actor | None, now: datetime | None = None) -> str:
    """Queue a confirmation code for the account's address; returns the address it goes to.

    Earlier unused codes stop working (only the newest counts)."""
    user = require_user(session, actor, doing="confirm an email address")
    if not user.email:
        raise InvalidInput("This account has no email address to confirm.")
    if user.email_verified:
        raise InvalidInput("This address is already confirmed.")
    now = now or utcnow()
    key = f"user:{user.id}"
    rate_limits.check_rate(
        session=session, action="email_code", key=key, limit=SEND_LIMIT, window=SEND_WINDOW, now=now,
        message="Too many codes sent; try again in {minutes} minutes.",
    )  # fmt: skip
    rate_limits.record_attempt(session=session, action="email_code", key=key, now=now)
    for old in session.exec(
        select(EmailConfirmation).where(EmailConfirmation.user_id == user.id, EmailConfirmation.used_at.is_(None))
    ):
        old.used_at = now  # superseded
        session.add(old)
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    row = EmailConfirmation(user_id=user.id, email=user.email, code_hash="", created_at=now, expires_at=now + CODE_TTL)
    row.code_hash = _hash(_salt(user.id, user.email, now), code)
    session.add(row)
    mail.queue(
        session=session,
        to_address=user.email,
        subject="Your Peerscope confirmation code",
        body=(
            f"Your confirmation code is {code}.\n\nType it on your Peerscope account page within "
            f"{int(CODE_TTL.total_seconds() // 60)} minutes to confirm that you read {user.email}.\n"
            "If you did not ask for it, ignore this message."
        ),
        kind="email_confirmation",
    )
    session.flush()
    return user.email


def confirm_code(*, session: Session, actor: Actor | None, code: str, now: datetime | None = None) -> None:
    """Mark the account's address confirmed when ``code`` matches its newest live code.

    A wrong code is counted and **committed** before raising, so guesses are limited whatever the caller does."""
    user = require_user(session, actor, doing="confirm an email address")
    now = now or utcnow()
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit() or len(code) != CODE_DIGITS:
        raise InvalidInput(f"The code has {CODE_DIGITS} digits.")
    row = session.exec(
        select(EmailConfirmation)
        .where(EmailConfirmation.user_id == user.id, EmailConfirmation.used_at.is_(None))
        .order_by(EmailConfirmation.created_at.desc())
    ).first()
    if row is None or row.email != user.email:
        raise InvalidInput("No code is waiting for this address: send a new one.")
    if _aware(row.expires_at) <= now:
        raise InvalidInput("This code has expired: send a new one.")
    if row.attempts >= MAX_ATTEMPTS:
        raise PermissionDenied("Too many wrong codes: send a new one.")
    if not hmac.compare_digest(row.code_hash, _hash(_salt(user.id, row.email, _aware(row.created_at)), code)):
        row.attempts += 1
        session.add(row)
        session.commit()  # the wrong guess counts although the caller's transaction fails (as sign-in failures do)
        left = MAX_ATTEMPTS - row.attempts
        raise InvalidInput(f"That code is not right ({left} tries left)." if left else "That code is not right.")
    row.used_at = now
    user.email_verified = True
    session.add_all([row, user])
    session.flush()


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; ours are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
