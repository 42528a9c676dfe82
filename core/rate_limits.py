"""Rate limits kept in the store: each attempt is a ``RateLimitEvent`` row, counted within a sliding window.

Kept in the database rather than in module globals, which Streamlit shares between every visitor and loses on a
restart; several app processes over one PostgreSQL store see the same counts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, select

from core.models import RateLimitEvent, utcnow
from core.permissions import RateLimited


def attempts_within(*, session: Session, action: str, key: str, window: timedelta, now: datetime | None = None) -> int:
    """How many ``action`` attempts for ``key`` were recorded in the ``window`` before ``now``."""
    now = now or utcnow()
    return session.exec(
        select(func.count())
        .select_from(RateLimitEvent)
        .where(RateLimitEvent.action == action, RateLimitEvent.key == key, RateLimitEvent.at > now - window)
    ).one()


def check_rate(
    *, session: Session, action: str, key: str, limit: int, window: timedelta, message: str, now: datetime | None = None
) -> None:
    """Raise ``RateLimited`` when ``limit`` attempts were already made within ``window``."""
    now = now or utcnow()
    if attempts_within(session=session, action=action, key=key, window=window, now=now) < limit:
        return
    oldest = session.exec(
        select(func.min(RateLimitEvent.at)).where(
            RateLimitEvent.action == action, RateLimitEvent.key == key, RateLimitEvent.at > now - window
        )
    ).one()
    retry_after = max(1, int((oldest + window - now).total_seconds()) + 1) if oldest else int(window.total_seconds())
    raise RateLimited(message.format(minutes=max(1, round(retry_after / 60))), retry_after)


def record_attempt(*, session: Session, action: str, key: str, now: datetime | None = None) -> None:
    """Record one attempt (it counts against the limit until it leaves the window)."""
    session.add(RateLimitEvent(action=action, key=key, at=now or utcnow()))
    session.flush()


def clear_attempts(*, session: Session, action: str, key: str) -> None:
    """Forget the attempts for ``key`` (after a successful sign-in)."""
    session.exec(delete(RateLimitEvent).where(RateLimitEvent.action == action, RateLimitEvent.key == key))
