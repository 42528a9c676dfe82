"""Notifications: follows, replies, invitations and claim or report decisions, each with a read flag."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, select

from core.models import Notification
from core.permissions import Actor, require_user

KINDS = ("follow", "reply", "invitation", "invitation_answer", "claim_decision", "report_decision")


@dataclass(frozen=True)
class NotificationRead:
    id: int
    kind: str
    message: str
    link: str | None
    is_read: bool
    created_at: datetime


def notify(
    session: Session,
    *,
    user_id: int,
    kind: str,
    message: str,
    link: str | None = None,
    actor_user_id: int | None = None,
) -> None:
    """Queue a notification for ``user_id`` (called by the write that caused it, in the same transaction)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if actor_user_id is not None and actor_user_id == user_id:
        return  # nobody is told about their own actions
    session.add(Notification(user_id=user_id, kind=kind, message=message, link=link, actor_user_id=actor_user_id))


def my_notifications(
    *, session: Session, actor: Actor | None, unread_only: bool = False, limit: int = 50
) -> list[NotificationRead]:
    """The actor's notifications, newest first."""
    user = require_user(session, actor, doing="see your notifications")
    q = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        q = q.where(Notification.is_read.is_(False))
    rows = session.exec(q.order_by(Notification.id.desc()).limit(limit)).all()
    return [NotificationRead(n.id, n.kind, n.message, n.link, n.is_read, n.created_at) for n in rows]


def unread_count(*, session: Session, actor: Actor | None) -> int:
    """How many of the actor's notifications are unread (0 for anonymous visitors)."""
    if actor is None:
        return 0
    return session.exec(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == actor.user_id, Notification.is_read.is_(False))
    ).one()


def mark_read(*, session: Session, actor: Actor | None, notification_ids: list[int] | None = None) -> int:
    """Mark the actor's notifications read (all when ``notification_ids`` is ``None``); returns how many changed."""
    user = require_user(session, actor, doing="update your notifications")
    stmt = update(Notification).where(Notification.user_id == user.id, Notification.is_read.is_(False))
    if notification_ids is not None:
        stmt = stmt.where(Notification.id.in_(notification_ids))
    return session.exec(stmt.values(is_read=True)).rowcount
