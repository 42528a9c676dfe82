"""Structured reviews (the seed's template): summary, strengths, concerns, method questions and a recommendation.

One review per person per work, tied to the version of the work they reviewed (by default the version of record, see ``VERSION_RANK``). Its
author may edit it; each edit keeps the previous text as a ``ReviewRevision``. Authors of a work cannot review it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from core.models import Authorship, ProfileOwner, Review, ReviewRevision, User, Work, WorkVersion, utcnow
from core.permissions import (
    Actor,
    InvalidInput,
    PermissionDenied,
    clean_text,
    is_verified,
    require_user,
    verified_user_ids,
)
from core.trust_refresh import recompute_trust

RECOMMENDATIONS = ("accept", "minor-revision", "major-revision", "reject")
SUMMARY_MAX = 2000
SECTION_MAX = 5000
TEXT_FIELDS = ("summary", "strengths", "concerns", "method_questions")
# Without a stated version, a review is of the version of record: published, else accepted, else the newest preprint.
VERSION_RANK = {"preprint": 0, "submitted": 1, "accepted": 2, "published": 3}


@dataclass(frozen=True)
class ReviewRead:
    id: int
    work_id: int
    user_id: int
    author_name: str
    author_verified: bool
    work_version_id: int | None
    version_label: str | None
    summary: str
    strengths: str
    concerns: str
    method_questions: str
    recommendation: str
    edits: int
    created_at: datetime
    updated_at: datetime


def _fields(summary, strengths, concerns, method_questions, recommendation) -> dict:
    if recommendation not in RECOMMENDATIONS:
        raise InvalidInput(f"The recommendation must be one of {', '.join(RECOMMENDATIONS)}.")
    return {
        "summary": clean_text(summary, field="Summary", max_len=SUMMARY_MAX),
        "strengths": clean_text(strengths, field="Strengths", max_len=SECTION_MAX, required=False),
        "concerns": clean_text(concerns, field="Concerns", max_len=SECTION_MAX, required=False),
        "method_questions": clean_text(method_questions, field="Method questions", max_len=SECTION_MAX, required=False),
        "recommendation": recommendation,
    }


def _version_key(v: WorkVersion) -> tuple:
    return (VERSION_RANK.get(v.kind, 0), v.year or 0, v.date or "", v.id)


def version_label(v: WorkVersion) -> str:
    """"preprint v2 (2022)", "published (2023)": how a version is named next to a review."""
    label = v.kind if not v.label or v.label == v.kind else f"{v.kind} {v.label}"
    return label + (f" ({v.year})" if v.year else "")


def reviewable_versions(*, session: Session, work_id: int) -> list[tuple[int, str]]:
    """The versions a reviewer can choose, the version of record first (the default), as ``(id, label)``."""
    rows = session.exec(select(WorkVersion).where(WorkVersion.work_id == work_id)).all()
    return [(v.id, version_label(v)) for v in sorted(rows, key=_version_key, reverse=True)]


def _version(session: Session, work_id: int, work_version_id: int | None) -> int | None:
    if work_version_id is None:
        rows = session.exec(select(WorkVersion).where(WorkVersion.work_id == work_id)).all()
        newest = max(rows, key=_version_key, default=None)
        return newest.id if newest else None
    v = session.get(WorkVersion, work_version_id)
    if v is None or v.work_id != work_id:
        raise InvalidInput("That version does not belong to this work.")
    return v.id


def _authors_of(session: Session, work_id: int) -> set[int]:
    return set(session.exec(select(Authorship.researcher_id).where(Authorship.work_id == work_id)))


def _refresh(session: Session, user_id: int, work_id: int) -> None:
    if is_verified(session, user_id):
        recompute_trust(session=session, researcher_ids=_authors_of(session, work_id))


def write_review(
    *,
    session: Session,
    actor: Actor | None,
    work_id: int,
    summary: str,
    recommendation: str,
    strengths: str = "",
    concerns: str = "",
    method_questions: str = "",
    work_version_id: int | None = None,
) -> int:
    """Review a work; returns the review id."""
    user = require_user(session, actor, doing="review works")
    if session.get(Work, work_id) is None:
        raise InvalidInput(f"There is no work {work_id}.")
    mine = set(session.exec(select(ProfileOwner.researcher_id).where(ProfileOwner.user_id == user.id)))
    if mine & _authors_of(session, work_id):
        raise PermissionDenied("You are an author of this work: you cannot review it.")
    values = _fields(summary, strengths, concerns, method_questions, recommendation)
    if session.exec(select(Review.id).where(Review.work_id == work_id, Review.user_id == user.id)).first():
        raise InvalidInput("You have already reviewed this work: edit your review instead.")
    review = Review(
        work_id=work_id, user_id=user.id, work_version_id=_version(session, work_id, work_version_id), **values
    )
    session.add(review)
    session.flush()
    _refresh(session, user.id, work_id)
    return review.id


def edit_review(
    *,
    session: Session,
    actor: Actor | None,
    review_id: int,
    summary: str,
    recommendation: str,
    strengths: str = "",
    concerns: str = "",
    method_questions: str = "",
    work_version_id: int | None = None,
) -> None:
    """Replace a review's text (its author only); the previous text is kept in the history."""
    user = require_user(session, actor, doing="edit reviews")
    review = session.get(Review, review_id)
    if review is None:
        raise InvalidInput(f"There is no review {review_id}.")
    if review.user_id != user.id:
        raise PermissionDenied("Only the author of a review can edit it.")
    if review.status != "visible":
        raise InvalidInput("This review was removed by a moderator and cannot be edited.")
    values = _fields(summary, strengths, concerns, method_questions, recommendation)
    version = review.work_version_id if work_version_id is None else _version(session, review.work_id, work_version_id)
    if version == review.work_version_id and all(getattr(review, k) == v for k, v in values.items()):
        return  # nothing changed: no history entry
    session.add(
        ReviewRevision(
            review_id=review.id,
            work_version_id=review.work_version_id,
            written_at=review.updated_at,
            **{k: getattr(review, k) for k in (*TEXT_FIELDS, "recommendation")},
        )
    )
    for k, v in values.items():
        setattr(review, k, v)
    review.work_version_id, review.updated_at = version, utcnow()
    session.add(review)
    session.flush()


def review_history(*, session: Session, review_id: int) -> list[dict]:
    """Earlier texts of a review, oldest first (each a dict of the template's fields and ``written_at``)."""
    rows = session.exec(
        select(ReviewRevision).where(ReviewRevision.review_id == review_id).order_by(ReviewRevision.id)
    ).all()
    return [{k: getattr(r, k) for k in (*TEXT_FIELDS, "recommendation", "work_version_id", "written_at")} for r in rows]


def work_reviews(*, session: Session, work_id: int) -> list[ReviewRead]:
    """A work's visible reviews, oldest first."""
    verified = verified_user_ids(session)
    rows = session.exec(
        select(Review, User.display_name)
        .join(User, User.id == Review.user_id)
        .where(Review.work_id == work_id, Review.status == "visible")
        .order_by(Review.id)
    ).all()
    out = []
    for r, name in rows:
        v = session.get(WorkVersion, r.work_version_id) if r.work_version_id else None
        label = version_label(v) if v is not None else None
        edits = len(session.exec(select(ReviewRevision.id).where(ReviewRevision.review_id == r.id)).all())
        out.append(
            ReviewRead(
                r.id,
                r.work_id,
                r.user_id,
                name,
                r.user_id in verified,
                r.work_version_id,
                label,
                r.summary,
                r.strengths,
                r.concerns,
                r.method_questions,
                r.recommendation,
                edits,
                r.created_at,
                r.updated_at,
            )
        )
    return out
