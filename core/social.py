"""Social actions on people and works: follows and the feed, likes and dislikes, 1-5 ratings, views, and the counts.

Counts are never stored: each is an indexed ``COUNT`` over the rows, so it always equals the rows. One vote, one
rating and one follow per person are enforced by primary keys, and written with an atomic
``INSERT ... ON CONFLICT`` so that concurrent writers can neither duplicate a row nor lose one.

Collections are in ``core.work_collections``, reviews in ``core.reviews``, the discussion and reports in
``core.discussion``, invitations in ``core.invitations``, notifications in ``core.notifications``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, select

from core.community import community_facts
from core.models import (
    Authorship,
    Collection,
    CollectionItem,
    Comment,
    Follow,
    Researcher,
    Review,
    User,
    Work,
    WorkHiding,
    WorkRating,
    WorkView,
    WorkVote,
    utcnow,
)
from core.notifications import notify
from core.permissions import Actor, InvalidInput, PermissionDenied, is_verified, owner_of, require_user
from core.trust_refresh import recompute_trust


@dataclass(frozen=True)
class WorkCounts:
    """Everything counted about a work, straight from the rows."""

    likes: int = 0
    dislikes: int = 0
    ratings: int = 0
    rating_mean: float | None = None
    views: int = 0
    saves: int = 0
    reviews: int = 0
    comments: int = 0


@dataclass(frozen=True)
class MyWorkState:
    """What the acting person has done to a work: their vote (+1, -1 or 0), rating and collections holding it."""

    vote: int = 0
    stars: int | None = None
    collection_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class FeedItem:
    work_id: int
    title: str
    year: int | None
    researcher_id: int
    researcher_name: str
    added_at: datetime


def upsert(session: Session, model: type, values: dict, keys: list[str], updates: dict | None) -> int:
    """Atomic ``INSERT ... ON CONFLICT (keys) DO UPDATE/NOTHING``; returns the number of rows written."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the store runs on SQLite or PostgreSQL
        raise NotImplementedError(dialect)
    stmt = insert(model.__table__).values(**values)
    if updates:
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_=updates)
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=keys)
    # RETURNING rather than rowcount, which psycopg does not report for INSERT ... ON CONFLICT DO NOTHING.
    table = model.__table__
    return len(session.execute(stmt.returning(*(table.c[k] for k in keys))).all())


def _work(session: Session, work_id: int) -> Work:
    w = session.get(Work, work_id)
    if w is None:
        raise InvalidInput(f"There is no work {work_id}.")
    return w


def _researcher(session: Session, researcher_id: int) -> Researcher:
    r = session.get(Researcher, researcher_id)
    if r is None:
        raise InvalidInput(f"There is no profile {researcher_id}.")
    return r


def work_authors(session: Session, work_id: int) -> set[int]:
    """Researcher ids on a work's byline."""
    return set(session.exec(select(Authorship.researcher_id).where(Authorship.work_id == work_id)))


# ---- follows and the feed ---------------------------------------------------------------------------------------
def follow(*, session: Session, actor: Actor | None, researcher_id: int) -> bool:
    """Follow a researcher; ``True`` when this is a new follow. Tells the profile's owner; counts for trust when the
    follower is verified. Nobody follows their own profile."""
    user = require_user(session, actor, doing="follow researchers")
    r = _researcher(session, researcher_id)
    owner = owner_of(session, researcher_id)
    if owner == user.id:
        raise PermissionDenied("You cannot follow your own profile.")
    new = (
        upsert(
            session,
            Follow,
            {"user_id": user.id, "researcher_id": researcher_id, "created_at": utcnow()},
            ["user_id", "researcher_id"],
            None,
        )
        == 1
    )
    if new and owner is not None:
        notify(
            session,
            user_id=owner,
            kind="follow",
            link=f"user:{user.id}",
            actor_user_id=user.id,
            message=f"{user.display_name} now follows your profile {r.display_name}.",
        )
    if new and is_verified(session, user.id):
        recompute_trust(session=session, researcher_ids=[researcher_id])
    return new


def unfollow(*, session: Session, actor: Actor | None, researcher_id: int) -> bool:
    """Stop following; ``True`` when a follow was removed."""
    user = require_user(session, actor, doing="unfollow researchers")
    gone = (
        session.exec(delete(Follow).where(Follow.user_id == user.id, Follow.researcher_id == researcher_id)).rowcount
        == 1
    )
    if gone and is_verified(session, user.id):
        recompute_trust(session=session, researcher_ids=[researcher_id])
    return gone


def follower_count(*, session: Session, researcher_id: int) -> int:
    return session.exec(select(func.count()).select_from(Follow).where(Follow.researcher_id == researcher_id)).one()


def verified_follower_count(*, session: Session, researcher_id: int) -> int:
    """Followers whose accounts are verified, the owner excluded (what trust counts)."""
    return community_facts(session=session, researcher_ids=[researcher_id])[researcher_id].verified_followers


def following(*, session: Session, actor: Actor | None) -> list[int]:
    """Researcher ids the actor follows, in the order followed."""
    user = require_user(session, actor, doing="see whom you follow")
    return list(
        session.exec(
            select(Follow.researcher_id)
            .where(Follow.user_id == user.id)
            .order_by(Follow.created_at, Follow.researcher_id)
        )
    )


def feed(*, session: Session, actor: Actor | None, limit: int = 50) -> list[FeedItem]:
    """New works of the people the actor follows, newest in the store first (works an owner hid are left out)."""
    user = require_user(session, actor, doing="see your feed")
    hidden = (
        select(WorkHiding.work_id)
        .where(WorkHiding.researcher_id == Authorship.researcher_id, WorkHiding.work_id == Work.id)
        .exists()
    )
    rows = session.exec(
        select(Work.id, Work.title, Work.year, Researcher.id, Researcher.display_name, Work.created_at)
        .join(Authorship, Authorship.work_id == Work.id)
        .join(Follow, Follow.researcher_id == Authorship.researcher_id)
        .join(Researcher, Researcher.id == Authorship.researcher_id)
        .where(Follow.user_id == user.id, ~hidden)
        .order_by(Work.created_at.desc(), Work.id.desc(), Researcher.id)
    ).all()
    seen: set[int] = set()
    out = []
    for wid, title, year, rid, name, added in rows:
        if wid not in seen:
            seen.add(wid)
            out.append(FeedItem(wid, title, year, rid, name, added))
    return out[:limit]


# ---- votes, ratings, views -------------------------------------------------------------------------------------
def vote(*, session: Session, actor: Actor | None, work_id: int, value: int) -> None:
    """Like (``1``), dislike (``-1``) or withdraw one's vote (``0``): one vote per person per work."""
    user = require_user(session, actor, doing="like or dislike works")
    if value not in (-1, 0, 1):
        raise InvalidInput("A vote is 1 (like), -1 (dislike) or 0 (none).")
    _work(session, work_id)
    if value == 0:
        session.exec(delete(WorkVote).where(WorkVote.user_id == user.id, WorkVote.work_id == work_id))
        return
    now = utcnow()
    upsert(
        session,
        WorkVote,
        {"user_id": user.id, "work_id": work_id, "value": value, "updated_at": now},
        ["user_id", "work_id"],
        {"value": value, "updated_at": now},
    )


def rate(*, session: Session, actor: Actor | None, work_id: int, stars: int | None) -> None:
    """Rate a work 1-5 (``None`` withdraws the rating): one rating per person per work."""
    user = require_user(session, actor, doing="rate works")
    if stars is not None and (isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5):
        raise InvalidInput("A rating is a whole number of stars from 1 to 5.")
    _work(session, work_id)
    if stars is None:
        session.exec(delete(WorkRating).where(WorkRating.user_id == user.id, WorkRating.work_id == work_id))
        return
    now = utcnow()
    upsert(
        session,
        WorkRating,
        {"user_id": user.id, "work_id": work_id, "stars": stars, "updated_at": now},
        ["user_id", "work_id"],
        {"stars": stars, "updated_at": now},
    )


def record_view(*, session: Session, actor: Actor | None, work_id: int) -> None:
    """Count one view of a work page; anyone may view, and an ended session counts as an anonymous view."""
    user = session.get(User, actor.user_id) if actor is not None else None
    valid = user is not None and user.is_active and user.session_epoch == actor.epoch
    _work(session, work_id)
    session.add(WorkView(work_id=work_id, user_id=user.id if valid else None))
    session.flush()


def work_counts(*, session: Session, work_id: int) -> WorkCounts:
    """Likes, dislikes, ratings (count and mean), views, saves (people), visible reviews and comments of a work."""
    votes = dict(
        session.exec(
            select(WorkVote.value, func.count()).where(WorkVote.work_id == work_id).group_by(WorkVote.value)
        ).all()
    )
    n, total = session.exec(
        select(func.count(), func.coalesce(func.sum(WorkRating.stars), 0)).where(WorkRating.work_id == work_id)
    ).one()
    count = lambda model, *cond: session.exec(select(func.count()).select_from(model).where(*cond)).one()  # noqa: E731
    saves = session.exec(
        select(func.count(func.distinct(Collection.user_id)))
        .select_from(CollectionItem)
        .join(Collection, Collection.id == CollectionItem.collection_id)
        .where(CollectionItem.work_id == work_id)
    ).one()
    return WorkCounts(
        likes=votes.get(1, 0),
        dislikes=votes.get(-1, 0),
        ratings=n,
        rating_mean=round(total / n, 2) if n else None,
        views=count(WorkView, WorkView.work_id == work_id),
        saves=saves,
        reviews=count(Review, Review.work_id == work_id, Review.status == "visible"),
        comments=count(Comment, Comment.work_id == work_id, Comment.status == "visible"),
    )


def my_work_state(*, session: Session, actor: Actor | None, work_id: int) -> MyWorkState:
    """The actor's vote, rating and collections for a work (empty for anonymous visitors)."""
    if actor is None or session.get(User, actor.user_id) is None:
        return MyWorkState()
    uid = actor.user_id
    v = session.exec(select(WorkVote.value).where(WorkVote.user_id == uid, WorkVote.work_id == work_id)).first()
    s = session.exec(select(WorkRating.stars).where(WorkRating.user_id == uid, WorkRating.work_id == work_id)).first()
    cols = session.exec(
        select(CollectionItem.collection_id)
        .join(Collection, Collection.id == CollectionItem.collection_id)
        .where(Collection.user_id == uid, CollectionItem.work_id == work_id)
        .order_by(CollectionItem.collection_id)
    ).all()
    return MyWorkState(vote=v or 0, stars=s, collection_ids=tuple(cols))
