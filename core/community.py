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


def community_facts(*, session: Session, researcher_ids: list[int]) -> dict[int, CommunityFacts]:
    """Claim status and counted community signals per researcher (every id gets an entry)."""
    ids = list(researcher_ids)
    owners = dict(
        session.exec(
            select(ProfileOwner.researcher_id, ProfileOwner.user_id).where(ProfileOwner.researcher_id.in_(ids))
        ).all()
    )
    verified = set(session.exec(select(ProfileOwner.user_id)))
    pending = set(
        session.exec(select(Claim.researcher_id).where(Claim.researcher_id.in_(ids), Claim.status == "pending"))
    )
    followers: dict[int, list[int]] = defaultdict(list)
    reviewers: dict[int, list[int]] = defaultdict(list)
    if verified:
        for rid, uid in session.exec(
            select(Follow.researcher_id, Follow.user_id).where(
                Follow.researcher_id.in_(ids), Follow.user_id.in_(verified)
            )
        ):
            if owners.get(rid) != uid:
                followers[rid].append(uid)
        for rid, uid in session.exec(
            select(Authorship.researcher_id, Review.user_id)
            .join(Review, Review.work_id == Authorship.work_id)
            .where(Authorship.researcher_id.in_(ids), Review.user_id.in_(verified), Review.status == "visible")
        ):
            if owners.get(rid) != uid:
                reviewers[rid].append(uid)
    reports = dict(
        session.exec(
            select(Report.target_id, func.count())
            .where(Report.target_kind == "researcher", Report.status == "upheld", Report.target_id.in_(ids))
            .group_by(Report.target_id)
        ).all()
    )
    out = {}
    for rid in ids:
        status = "claimed" if rid in owners else "pending" if rid in pending else "unclaimed"
        out[rid] = CommunityFacts(
            claim_status=status,
            claim_verified=rid in owners,
            verified_followers=trust.count_verified(followers.get(rid, []), verified),
            verified_reviews=trust.count_verified(reviewers.get(rid, []), verified),
            upheld_reports=reports.get(rid, 0),
        )
    return out
