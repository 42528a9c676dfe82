"""The moderators' queue (open reports, waiting claims, disputes) and their decisions on reports.

Upholding a report removes the comment or review it is about, or counts against the reported profile's trust
(``upheld_reports``); the reporter is told either way. Nobody decides a report they filed or one about themselves.
Claims are decided with ``core.claims.decide_claim``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from core.claims import ClaimRead, pending_claims
from core.discussion import author_of
from core.models import Authorship, Comment, Report, Review, utcnow
from core.notifications import notify
from core.permissions import Actor, InvalidInput, PermissionDenied, clean_text, require_role
from core.trust_refresh import recompute_trust

NOTE_MAX = 1000


@dataclass(frozen=True)
class ReportRead:
    id: int
    reporter_id: int
    target_kind: str
    target_id: int
    reason: str
    status: str
    created_at: datetime


@dataclass
class ModerationQueue:
    reports: list[ReportRead] = field(default_factory=list)
    claims: list[ClaimRead] = field(default_factory=list)
    disputes: list[ClaimRead] = field(default_factory=list)


def moderation_queue(*, session: Session, actor: Actor | None) -> ModerationQueue:
    """What waits for a moderator, oldest first: open reports, claims, and disputes over owned profiles."""
    require_role(session, actor, "moderator", doing="see the moderation queue")
    rows = session.exec(select(Report).where(Report.status == "open").order_by(Report.id)).all()
    claims = pending_claims(session=session, actor=actor)
    return ModerationQueue(
        reports=[
            ReportRead(r.id, r.reporter_id, r.target_kind, r.target_id, r.reason, r.status, r.created_at) for r in rows
        ],
        claims=[c for c in claims if not c.is_dispute],
        disputes=[c for c in claims if c.is_dispute],
    )


def decide_report(
    *, session: Session, actor: Actor | None, report_id: int, uphold: bool, note: str | None = None
) -> None:
    """Uphold (act on) or dismiss a report."""
    mod = require_role(session, actor, "moderator", doing="decide reports")
    r = session.get(Report, report_id)
    if r is None:
        raise InvalidInput(f"There is no report {report_id}.")
    if r.reporter_id == mod.id or author_of(session, r.target_kind, r.target_id) == mod.id:
        raise PermissionDenied("You filed this report or it is about you: another moderator must decide it.")
    if r.status != "open":
        raise InvalidInput(f"This report was already {r.status}.")
    note = clean_text(note, field="Note", max_len=NOTE_MAX, required=False) or None
    r.status, r.decided_by_user_id, r.decision_note, r.decided_at = (
        "upheld" if uphold else "dismissed",
        mod.id,
        note,
        utcnow(),
    )
    session.add(r)
    refresh: set[int] = set()
    if uphold and r.target_kind in ("comment", "review"):
        target = session.get(Comment if r.target_kind == "comment" else Review, r.target_id)
        if target.status == "visible":
            target.status = "removed"
            session.add(target)
        if r.target_kind == "review":
            refresh = set(session.exec(select(Authorship.researcher_id).where(Authorship.work_id == target.work_id)))
    if uphold and r.target_kind == "researcher":
        refresh = {r.target_id}
    session.flush()
    notify(
        session,
        user_id=r.reporter_id,
        kind="report_decision",
        link=f"report:{r.id}",
        actor_user_id=mod.id,
        message=f"Your report was {r.status}." + (f" {note}" if note else ""),
    )
    if refresh:
        recompute_trust(session=session, researcher_ids=refresh)
