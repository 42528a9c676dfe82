"""Direct-collaboration invitations: sent to the verified owner of a profile, answered from their inbox.

Only claimed profiles that are open to collaborate can receive them, and each sender may send ``INVITE_LIMIT``
invitations per ``INVITE_WINDOW`` (counted in the store).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from core import rate_limits
from core.models import Invitation, Researcher, User, utcnow
from core.notifications import notify
from core.permissions import Actor, InvalidInput, PermissionDenied, clean_text, owner_of, require_user

INVITE_LIMIT = 10
INVITE_WINDOW = timedelta(days=1)
MESSAGE_MAX = 2000


@dataclass(frozen=True)
class InvitationRead:
    id: int
    from_user_id: int
    from_name: str
    to_researcher_id: int
    to_researcher_name: str
    message: str
    status: str
    created_at: datetime
    answered_at: datetime | None


def send_invitation(
    *, session: Session, actor: Actor | None, researcher_id: int, message: str, now: datetime | None = None
) -> int:
    """Invite the owner of a claimed profile to collaborate; returns the invitation id."""
    user = require_user(session, actor, doing="send invitations")
    r = session.get(Researcher, researcher_id)
    if r is None:
        raise InvalidInput(f"There is no profile {researcher_id}.")
    owner = owner_of(session, researcher_id)
    if owner is None:
        raise PermissionDenied("Only claimed profiles can receive invitations: this one has no verified owner yet.")
    if owner == user.id:
        raise PermissionDenied("You cannot invite yourself.")
    if not r.open_to_collaborate:
        raise PermissionDenied(f"{r.display_name} is not open to collaboration invitations.")
    message = clean_text(message, field="Message", max_len=MESSAGE_MAX)
    if session.exec(
        select(Invitation.id).where(
            Invitation.from_user_id == user.id,
            Invitation.to_researcher_id == researcher_id,
            Invitation.status == "pending",
        )
    ).first():
        raise InvalidInput("You already have an invitation waiting for an answer from this person.")
    now = now or utcnow()
    rate_limits.check_rate(
        session=session,
        action="invite",
        key=str(user.id),
        limit=INVITE_LIMIT,
        window=INVITE_WINDOW,
        now=now,
        message="You have sent many invitations today: try again in {minutes} minutes.",
    )
    rate_limits.record_attempt(session=session, action="invite", key=str(user.id), now=now)
    inv = Invitation(
        from_user_id=user.id, to_researcher_id=researcher_id, to_user_id=owner, message=message, created_at=now
    )
    session.add(inv)
    session.flush()
    notify(
        session,
        user_id=owner,
        kind="invitation",
        link=f"invitation:{inv.id}",
        actor_user_id=user.id,
        message=f"{user.display_name} invites you ({r.display_name}) to collaborate.",
    )
    return inv.id


def answer_invitation(*, session: Session, actor: Actor | None, invitation_id: int, accept: bool) -> None:
    """The recipient accepts or declines; the sender is told."""
    user = require_user(session, actor, doing="answer invitations")
    inv = session.get(Invitation, invitation_id)
    if inv is None or inv.to_user_id != user.id:
        raise PermissionDenied("Only the person invited can answer this invitation.")
    if inv.status != "pending":
        raise InvalidInput(f"This invitation was already {inv.status}.")
    inv.status, inv.answered_at = ("accepted" if accept else "declined"), utcnow()
    session.add(inv)
    session.flush()
    notify(
        session,
        user_id=inv.from_user_id,
        kind="invitation_answer",
        link=f"invitation:{inv.id}",
        actor_user_id=user.id,
        message=f"{user.display_name} {inv.status} your invitation.",
    )


def _reads(session: Session, rows: list[Invitation]) -> list[InvitationRead]:
    out = []
    for i in rows:
        sender = session.get(User, i.from_user_id)
        r = session.get(Researcher, i.to_researcher_id)
        out.append(
            InvitationRead(
                i.id,
                i.from_user_id,
                sender.display_name,
                r.id,
                r.display_name,
                i.message,
                i.status,
                i.created_at,
                i.answered_at,
            )
        )
    return out


def inbox(*, session: Session, actor: Actor | None, pending_only: bool = False) -> list[InvitationRead]:
    """Invitations the actor received, newest first."""
    user = require_user(session, actor, doing="see your invitations")
    q = select(Invitation).where(Invitation.to_user_id == user.id)
    if pending_only:
        q = q.where(Invitation.status == "pending")
    return _reads(session, session.exec(q.order_by(Invitation.id.desc())).all())


def sent_invitations(*, session: Session, actor: Actor | None) -> list[InvitationRead]:
    """Invitations the actor sent, newest first."""
    user = require_user(session, actor, doing="see your invitations")
    rows = session.exec(
        select(Invitation).where(Invitation.from_user_id == user.id).order_by(Invitation.id.desc())
    ).all()
    return _reads(session, rows)
