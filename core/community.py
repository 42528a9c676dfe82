"""Community and claim facts for trust snapshots, gathered from the accounts and social tables in bulk.

Only verified accounts count (owners of a verified claim, level L3): followers and reviewers are counted with
``core.trust.count_verified`` as distinct verified accounts, and a profile's own owner never counts for it.
Reports count against a profile when a moderator upheld a report about that profile.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from core import trust
from core.models import Authorship, Claim, Follow, ProfileOwner, Report, Review


@dataclass(frozen=True)
class CommunityFacts:
    claim_status: str = "unclaimed"
    claim_verified: bool = False
    verified_followers: int = 0
    verified_reviews: int = 0
    upheld_reports: int = 0


NOBODY = CommunityFacts()  # the facts of someone with no claim, follower, review or report


def community_facts(*, session: Session, researcher_ids: list[int]) -> dict[int, CommunityFacts]:
    """Claim status and counted community signals per researcher (every id gets an entry)."""
    ids = list(researcher_ids)
    found = _community(session, ids)
    return {rid: found.get(rid, NOBODY) for rid in ids}


def community_facts_all(*, session: Session) -> dict[int, CommunityFacts]:
    """The same for the whole store: an entry for each researcher with any claim, follower, review or report
    (everyone else has ``NOBODY``'s facts)."""
    return _community(session, None)


def _community(session: Session, ids: list[int] | None) -> dict[int, CommunityFacts]:
    def only(query, column):
        return query if ids is None else query.where(column.in_(ids))

    owners = dict(session.exec(only(select(ProfileOwner.researcher_id, ProfileOwner.user_id), ProfileOwner.researcher_id)).all())
    verified = set(session.exec(select(ProfileOwner.user_id)))
    pending = set(session.exec(only(select(Claim.researcher_id).where(Claim.status == "pending"), Claim.researcher_id)))
    followers: dict[int, list[int]] = defaultdict(list)
    reviewers: dict[int, list[int]] = defaultdict(list)
    if verified:
        follows = select(Follow.researcher_id, Follow.user_id).where(Follow.user_id.in_(verified))
        for rid, uid in session.exec(only(follows, Follow.researcher_id)):
            if owners.get(rid) != uid:
                followers[rid].append(uid)
        reviews = (
            select(Authorship.researcher_id, Review.user_id)
            .join(Review, Review.work_id == Authorship.work_id)
            .where(Review.user_id.in_(verified), Review.status == "visible")
        )
        for rid, uid in session.exec(only(reviews, Authorship.researcher_id)):
            if owners.get(rid) != uid:
                reviewers[rid].append(uid)
    reports = dict(
        session.exec(
            only(
                select(Report.target_id, func.count())
                .where(Report.target_kind == "researcher", Report.status == "upheld")
                .group_by(Report.target_id),
                Report.target_id,
            )
        ).all()
    )
    out = {}
    for rid in set(owners) | pending | set(followers) | set(reviewers) | set(reports):
        status = "claimed" if rid in owners else "pending" if rid in pending else "unclaimed"
        out[rid] = CommunityFacts(
            claim_status=status,
            claim_verified=rid in owners,
            verified_followers=trust.count_verified(followers.get(rid, []), verified),
            verified_reviews=trust.count_verified(reviewers.get(rid, []), verified),
            upheld_reports=reports.get(rid, 0),
        )
    return out
