"""A threaded discussion per work: comments, replies, edits and deletion by their author, and reports.

Deleting keeps the row (so replies keep their place) and blanks its text; moderators remove reported comments
through ``core.moderation``. Anyone may read a thread; only signed-in accounts write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from core.models import Comment, Report, Researcher, Review, User, Work, utcnow
from core.notifications import notify
from core.permissions import Actor, InvalidInput, PermissionDenied, clean_text, owner_of, require_user

BODY_MAX = 5000
REASON_MAX = 1000
MAX_DEPTH = 8
REPORT_TARGETS = ("comment", "review", "work", "researcher")


@dataclass(frozen=True)
class CommentRead:
    id: int
    parent_id: int | None
    depth: int
    user_id: int
    author_name: str
    body: str | None  # None when deleted or removed
    status: str
    created_at: datetime
    edited_at: datetime | None


def add_comment(*, session: Session, actor: Actor | None, work_id: int, body: str, parent_id: int | None = None) -> int:
    """Comment on a work, or reply to a comment (its author is told); returns the comment id."""
    user = require_user(session, actor, doing="join the discussion")
    if session.get(Work, work_id) is None:
        raise InvalidInput(f"There is no work {work_id}.")
    body = clean_text(body, field="Comment", max_len=BODY_MAX)
    parent = None
    if parent_id is not None:
        parent = session.get(Comment, parent_id)
        if parent is None or parent.work_id != work_id:
            raise InvalidInput("The comment you reply to is not in this discussion.")
        if parent.status != "visible":
            raise InvalidInput("You cannot reply to a deleted comment.")
        if _depth(session, parent) + 1 >= MAX_DEPTH:
            raise InvalidInput(f"Replies nest at most {MAX_DEPTH} levels deep: reply higher up.")
    c = Comment(work_id=work_id, user_id=user.id, parent_id=parent_id, body=body)
    session.add(c)
    session.flush()
    if parent is not None:
        notify(
            session,
            user_id=parent.user_id,
            kind="reply",
            link=f"work:{work_id}#comment-{c.id}",
            actor_user_id=user.id,
            message=f"{user.display_name} replied to your comment.",
        )
    return c.id


def _depth(session: Session, c: Comment) -> int:
    depth = 0
    while c.parent_id is not None:
        c = session.get(Comment, c.parent_id)
        depth += 1
    return depth


def _mine(session: Session, actor: Actor | None, comment_id: int, doing: str) -> Comment:
    user = require_user(session, actor, doing=doing)
    c = session.get(Comment, comment_id)
    if c is None:
        raise InvalidInput(f"There is no comment {comment_id}.")
    if c.user_id != user.id:
        raise PermissionDenied(f"Only the author of a comment can {doing}.")
    if c.status != "visible":
        raise InvalidInput(f"This comment was already {c.status}.")
    return c


def edit_comment(*, session: Session, actor: Actor | None, comment_id: int, body: str) -> None:
    c = _mine(session, actor, comment_id, "edit it")
    c.body, c.edited_at = clean_text(body, field="Comment", max_len=BODY_MAX), utcnow()
    session.add(c)
    session.flush()


def delete_comment(*, session: Session, actor: Actor | None, comment_id: int) -> None:
    """The author deletes a comment: its text goes, its place in the thread stays."""
    c = _mine(session, actor, comment_id, "delete it")
    c.body, c.status, c.edited_at = "", "deleted", utcnow()
    session.add(c)
    session.flush()


def thread(*, session: Session, work_id: int) -> list[CommentRead]:
    """A work's discussion in reading order: each comment followed by its replies (depth-first, oldest first)."""
    rows = session.exec(
        select(Comment, User.display_name)
        .join(User, User.id == Comment.user_id)
        .where(Comment.work_id == work_id)
        .order_by(Comment.id)
    ).all()
    children: dict[int | None, list] = {}
    for c, name in rows:
        children.setdefault(c.parent_id, []).append((c, name))
    out: list[CommentRead] = []

    def walk(parent: int | None, depth: int) -> None:
        for c, name in children.get(parent, []):
            body = c.body if c.status == "visible" else None
            out.append(
                CommentRead(c.id, c.parent_id, depth, c.user_id, name, body, c.status, c.created_at, c.edited_at)
            )
            walk(c.id, depth + 1)

    walk(None, 0)
    return out


def author_of(session: Session, kind: str, target_id: int) -> int | None:
    """The account behind a reported thing (``None`` for works; a profile's owner for profiles)."""
    if kind == "comment":
        c = session.get(Comment, target_id)
        return c.user_id if c else None
    if kind == "review":
        r = session.get(Review, target_id)
        return r.user_id if r else None
    if kind == "researcher":
        return owner_of(session, target_id)
    return None


def report(*, session: Session, actor: Actor | None, target_kind: str, target_id: int, reason: str) -> int:
    """Report a comment, review, work or profile to the moderators; returns the report id (one per person and thing)."""
    user = require_user(session, actor, doing="report content")
    if target_kind not in REPORT_TARGETS:
        raise InvalidInput(f"You can report a {', a '.join(REPORT_TARGETS)}, not {target_kind!r}.")
    model = {"comment": Comment, "review": Review, "work": Work, "researcher": Researcher}[target_kind]
    if session.get(model, target_id) is None:
        raise InvalidInput(f"There is no {target_kind} {target_id}.")
    if author_of(session, target_kind, target_id) == user.id:
        raise PermissionDenied("You cannot report your own content.")
    reason = clean_text(reason, field="Reason", max_len=REASON_MAX)
    if session.exec(
        select(Report.id).where(
            Report.reporter_id == user.id, Report.target_kind == target_kind, Report.target_id == target_id
        )
    ).first():
        raise InvalidInput("You have already reported this.")
    r = Report(reporter_id=user.id, target_kind=target_kind, target_id=target_id, reason=reason)
    session.add(r)
    session.flush()
    return r.id
