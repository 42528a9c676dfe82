"""Social actions on the seed world: follows and feed, votes, ratings, views, collections, reviews, discussion,
invitations, notifications, reports; counts equal the rows, and verified accounts move trust."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import func, select

from core import (
    accounts,
    claims,
    discussion,
    invitations,
    moderation,
    notifications,
    queries,
    reviews,
    social,
    work_collections,
)
from core.db import session_scope
from core.models import Comment, Researcher, Review, User, Work, WorkVersion, WorkVote, utcnow
from core.permissions import Actor, InvalidInput, PermissionDenied, RateLimited

PW = "correct horse battery"
ZZ_ORCID = "0000-0002-1825-0097"


@pytest.fixture
def engine(seeded_store):
    return seeded_store


def _person(engine, name: str, role: str = "member") -> Actor:
    email = name.lower().replace(" ", ".") + "@example.org"
    with session_scope(engine) as s:
        me = accounts.sign_up(session=s, actor=None, email=email, password=PW, display_name=name)
        s.get(User, me.user_id).role = role
    return replace(me, role=role)


def _ids(engine) -> dict[str, int]:
    with session_scope(engine) as s:
        people = dict(s.exec(select(Researcher.seed_key, Researcher.id)).all())
        works = dict(s.exec(select(Work.seed_key, Work.id)).all())
    return {k.rsplit(":", 1)[-1]: v for k, v in (people | works).items() if k}


def _owner(engine, rid: int, name: str = "Zhongwang Zhang") -> Actor:
    """An account that owns ``rid`` through an automatically verified ORCID claim (signed in through ORCID)."""
    with session_scope(engine) as s:
        s.get(Researcher, rid).orcid = ZZ_ORCID
        me = accounts.sign_in_with_provider(session=s, provider="https://orcid.org", subject=ZZ_ORCID, display_name=name)
    with session_scope(engine) as s:
        claims.open_claim(session=s, actor=me, researcher_id=rid, evidence_kind="orcid", evidence=ZZ_ORCID)
    return me


def _community(engine, rid: int) -> dict:
    with session_scope(engine) as s:
        t = queries.researcher_trust(session=s, researcher_id=rid)
    return next(c for c in t["components"] if c["key"] == "community")


def test_follow_feed_and_notification(engine):
    ids = _ids(engine)
    zz = _owner(engine, ids["zhongwang-zhang"])
    fan = _person(engine, "Fan")
    with session_scope(engine) as s:
        assert social.follow(session=s, actor=fan, researcher_id=ids["zhongwang-zhang"]) is True
        assert social.follow(session=s, actor=fan, researcher_id=ids["zhongwang-zhang"]) is False  # already following
        assert social.follow(session=s, actor=fan, researcher_id=ids["zhiyan-ding"]) is True
    with session_scope(engine) as s:
        assert social.follower_count(session=s, researcher_id=ids["zhongwang-zhang"]) == 1
        assert social.following(session=s, actor=fan) == [ids["zhongwang-zhang"], ids["zhiyan-ding"]]
        items = social.feed(session=s, actor=fan)
        assert sorted((i.title, i.researcher_name) for i in items) == [
            ("Dropout in Training Neural Networks: Flatness of Solution and Noise Structure", "Zhongwang Zhang"),
            ("Embedding Principle of Loss Landscape of Deep Neural Networks", "Zhongwang Zhang"),
            ("Overparameterization of deep ResNet: zero loss and mean-field analysis", "Zhiyan Ding"),
        ]
        assert [(n.kind, n.message) for n in notifications.my_notifications(session=s, actor=zz, unread_only=True)] == [
            ("follow", "Fan now follows your profile Zhongwang Zhang."),
            ("claim_decision", "Your claim on Zhongwang Zhang was verified: its ORCID iD matches."),
        ]
        assert notifications.unread_count(session=s, actor=zz) == 2
        assert notifications.mark_read(session=s, actor=zz) == 2
        assert notifications.unread_count(session=s, actor=zz) == 0
    with session_scope(engine) as s, pytest.raises(PermissionDenied, match="your own profile"):
        social.follow(session=s, actor=zz, researcher_id=ids["zhongwang-zhang"])
    with session_scope(engine) as s:
        assert social.unfollow(session=s, actor=fan, researcher_id=ids["zhiyan-ding"]) is True
        assert [i.researcher_name for i in social.feed(session=s, actor=fan)] == ["Zhongwang Zhang"] * 2


def test_only_verified_followers_and_reviewers_raise_trust(engine):
    ids = _ids(engine)
    yaoyu = ids["yaoyu-zhang"]
    zz = _owner(engine, ids["zhongwang-zhang"])  # verified: owns a profile
    nobody = _person(engine, "Unverified Fan")
    with session_scope(engine) as s:
        social.follow(session=s, actor=nobody, researcher_id=yaoyu)
    assert _community(engine, yaoyu)["facts"] == {"verified_followers": 0, "verified_reviews": 0}
    with session_scope(engine) as s:
        social.follow(session=s, actor=zz, researcher_id=yaoyu)
    with session_scope(engine) as s:
        # Zhiyan Ding's work has no Zhongwang Zhang on its byline: the owner may review it.
        reviews.write_review(
            session=s,
            actor=zz,
            work_id=ids["overparameterization-deep-resnet"],
            summary="Clear mean-field argument.",
            recommendation="accept",
        )
    c = _community(engine, yaoyu)
    assert c["facts"] == {"verified_followers": 1, "verified_reviews": 0}
    assert c["points"] == round(2.5 * math.log(2), 1) == 1.7
    ding = _community(engine, ids["zhiyan-ding"])
    assert (ding["facts"], ding["points"]) == (
        {"verified_followers": 0, "verified_reviews": 1},
        round(3 * math.log(2), 1),
    )
    with session_scope(engine) as s:
        social.unfollow(session=s, actor=zz, researcher_id=yaoyu)
    assert _community(engine, yaoyu)["points"] == 0.0


def test_one_vote_and_one_rating_per_person_and_counts_equal_rows(engine):
    ids = _ids(engine)
    work = ids["embedding-principle"]
    a, b, c = _person(engine, "A"), _person(engine, "B"), _person(engine, "C")
    with session_scope(engine) as s:
        social.vote(session=s, actor=a, work_id=work, value=1)
        social.vote(session=s, actor=a, work_id=work, value=1)
        social.vote(session=s, actor=b, work_id=work, value=1)
        social.vote(session=s, actor=b, work_id=work, value=-1)  # changes B's vote
        social.vote(session=s, actor=c, work_id=work, value=1)
        social.vote(session=s, actor=c, work_id=work, value=0)  # withdraws it
        social.rate(session=s, actor=a, work_id=work, stars=5)
        social.rate(session=s, actor=a, work_id=work, stars=4)
        social.rate(session=s, actor=b, work_id=work, stars=1)
        social.record_view(session=s, actor=None, work_id=work)
        social.record_view(session=s, actor=a, work_id=work)
    with session_scope(engine) as s:
        counts = social.work_counts(session=s, work_id=work)
        assert counts == social.WorkCounts(likes=1, dislikes=1, ratings=2, rating_mean=2.5, views=2)
        assert s.exec(select(func.count()).select_from(WorkVote)).one() == 2
        assert social.my_work_state(session=s, actor=a, work_id=work) == social.MyWorkState(vote=1, stars=4)
        assert social.my_work_state(session=s, actor=None, work_id=work) == social.MyWorkState()
    with session_scope(engine) as s, pytest.raises(InvalidInput, match=r"^A vote is 1 \(like\), -1 \(dislike\) or 0"):
        social.vote(session=s, actor=a, work_id=work, value=2)
    for stars in (0, 6, 2.5, True):
        with session_scope(engine) as s, pytest.raises(InvalidInput, match="^A rating is a whole number"):
            social.rate(session=s, actor=a, work_id=work, stars=stars)
    with session_scope(engine) as s, pytest.raises(InvalidInput, match="^There is no work 999999.$"):
        social.vote(session=s, actor=a, work_id=999999, value=1)


def test_collections_private_or_public_with_notes(engine):
    ids = _ids(engine)
    me, other = _person(engine, "Me"), _person(engine, "Other")
    with session_scope(engine) as s:
        reading = work_collections.create_collection(session=s, actor=me, name="  To read  ")
        shared = work_collections.create_collection(session=s, actor=me, name="Loss landscapes", is_public=True)
        work_collections.save_work(
            session=s, actor=me, collection_id=reading, work_id=ids["embedding-principle"], note="<b>check Fig. 2</b>"
        )
        work_collections.save_work(session=s, actor=me, collection_id=shared, work_id=ids["embedding-principle"])
        work_collections.save_work(session=s, actor=me, collection_id=shared, work_id=ids["dropout-flatness"])
    with session_scope(engine) as s:
        assert [(c.name, c.is_public, c.items) for c in work_collections.my_collections(session=s, actor=me)] == [
            ("Loss landscapes", True, 2),
            ("To read", False, 1),
        ]
        assert [c.name for c in work_collections.public_collections(session=s, user_id=me.user_id)] == [
            "Loss landscapes"
        ]
        assert [i.note for i in work_collections.collection_items(session=s, actor=me, collection_id=reading)] == [
            "<b>check Fig. 2</b>"
        ]
        assert len(work_collections.collection_items(session=s, actor=None, collection_id=shared)) == 2
        assert social.work_counts(session=s, work_id=ids["embedding-principle"]).saves == 1  # one person, two lists
        with pytest.raises(PermissionDenied, match="^This collection is private.$"):
            work_collections.collection_items(session=s, actor=other, collection_id=reading)
        with pytest.raises(PermissionDenied, match="^Sign in to see this private collection.$"):
            work_collections.collection_items(session=s, actor=None, collection_id=reading)
        with pytest.raises(PermissionDenied):
            work_collections.save_work(session=s, actor=other, collection_id=reading, work_id=ids["dropout-flatness"])
        with pytest.raises(InvalidInput, match="already have a collection named 'To read'"):
            work_collections.create_collection(session=s, actor=me, name="To read")
    with session_scope(engine) as s:
        work_collections.delete_collection(session=s, actor=me, collection_id=reading)
    with session_scope(engine) as s:
        assert [c.name for c in work_collections.my_collections(session=s, actor=me)] == ["Loss landscapes"]


def test_reviews_are_tied_to_a_version_and_keep_their_history(engine):
    ids = _ids(engine)
    work = ids["embedding-principle"]
    zz = _owner(engine, ids["zhongwang-zhang"])
    reader = _person(engine, "Reader")
    with session_scope(engine) as s:
        versions = dict(s.exec(select(WorkVersion.kind, WorkVersion.id).where(WorkVersion.work_id == work)).all())
        assert sorted(versions) == ["preprint", "published"]
        assert reviews.reviewable_versions(session=s, work_id=work) == [
            (versions["published"], "published"), (versions["preprint"], "preprint (2022)"),
        ]  # fmt: skip
        rid = reviews.write_review(
            session=s,
            actor=reader,
            work_id=work,
            summary="  Embeds narrow minima into wide nets. ",
            strengths="Clean proofs.",
            concerns="",
            method_questions="Which widths?",
            recommendation="minor-revision",
        )
    with session_scope(engine) as s, pytest.raises(PermissionDenied, match="author of this work"):
        reviews.write_review(session=s, actor=zz, work_id=work, summary="Great", recommendation="accept")
    with session_scope(engine) as s, pytest.raises(InvalidInput, match="already reviewed"):
        reviews.write_review(session=s, actor=reader, work_id=work, summary="Again", recommendation="accept")
    with session_scope(engine) as s, pytest.raises(InvalidInput, match="^The recommendation must be one of"):
        reviews.edit_review(session=s, actor=reader, review_id=rid, summary="x", recommendation="maybe")
    with (
        session_scope(engine) as s,
        pytest.raises(PermissionDenied, match="^Only the author of a review can edit it.$"),
    ):
        reviews.edit_review(session=s, actor=zz, review_id=rid, summary="x", recommendation="reject")
    with session_scope(engine) as s:
        reviews.edit_review(
            session=s,
            actor=reader,
            review_id=rid,
            summary="Embeds narrow minima into wide nets.",
            strengths="Clean proofs.",
            method_questions="Which widths? Which data?",
            recommendation="accept",
        )
    with session_scope(engine) as s:
        [r] = reviews.work_reviews(session=s, work_id=work)
        assert (r.summary, r.method_questions, r.recommendation, r.edits, r.work_version_id, r.version_label) == (
            "Embeds narrow minima into wide nets.",
            "Which widths? Which data?",
            "accept",
            1,
            versions["published"],
            "published",
        )
        history = reviews.review_history(session=s, review_id=rid)
        assert [(h["method_questions"], h["recommendation"]) for h in history] == [("Which widths?", "minor-revision")]
        assert social.work_counts(session=s, work_id=work).reviews == 1


def test_a_threaded_discussion_with_edits_deletes_and_reply_notifications(engine):
    ids = _ids(engine)
    work = ids["dropout-flatness"]
    a, b = _person(engine, "Alice"), _person(engine, "Bob")
    with session_scope(engine) as s:
        top = discussion.add_comment(session=s, actor=a, work_id=work, body="Does this hold for Adam?")
        reply = discussion.add_comment(session=s, actor=b, work_id=work, body="See section 5.", parent_id=top)
        discussion.add_comment(session=s, actor=a, work_id=work, body="Thanks!", parent_id=reply)
        second = discussion.add_comment(session=s, actor=b, work_id=work, body="<img src=x onerror=alert(1)>")
    with session_scope(engine) as s:
        discussion.edit_comment(session=s, actor=a, comment_id=top, body="Does this hold for Adam too?")
        discussion.delete_comment(session=s, actor=b, comment_id=second)
        with pytest.raises(PermissionDenied, match="^Only the author of a comment can edit it.$"):
            discussion.edit_comment(session=s, actor=b, comment_id=top, body="hijacked")
    with session_scope(engine) as s:
        t = discussion.thread(session=s, work_id=work)
        assert [(c.depth, c.author_name, c.body, c.status) for c in t] == [
            (0, "Alice", "Does this hold for Adam too?", "visible"),
            (1, "Bob", "See section 5.", "visible"),
            (2, "Alice", "Thanks!", "visible"),
            (0, "Bob", None, "deleted"),
        ]
        assert t[0].edited_at is not None
        assert social.work_counts(session=s, work_id=work).comments == 3
        assert [(n.kind, n.message) for n in notifications.my_notifications(session=s, actor=a)] == [
            ("reply", "Bob replied to your comment.")
        ]
        assert [n.message for n in notifications.my_notifications(session=s, actor=b)] == [
            "Alice replied to your comment."
        ]
    with session_scope(engine) as s, pytest.raises(InvalidInput, match="^Comment cannot be empty.$"):
        discussion.add_comment(session=s, actor=a, work_id=work, body="   ")
    with session_scope(engine) as s, pytest.raises(InvalidInput, match="^Comment is too long: 5001 characters"):
        discussion.add_comment(session=s, actor=a, work_id=work, body="x" * 5001)
    with session_scope(engine) as s:
        assert s.exec(select(func.count()).select_from(Comment)).one() == 4


def test_reports_go_to_moderators_and_upheld_ones_act(engine):
    ids = _ids(engine)
    _owner(engine, ids["zhongwang-zhang"])
    a, b, mod = _person(engine, "Alice"), _person(engine, "Bob"), _person(engine, "Mod", "moderator")
    with session_scope(engine) as s:
        cid = discussion.add_comment(session=s, actor=a, work_id=ids["dropout-flatness"], body="spam spam")
        r1 = discussion.report(session=s, actor=b, target_kind="comment", target_id=cid, reason="Spam")
        r2 = discussion.report(
            session=s, actor=b, target_kind="researcher", target_id=ids["zhongwang-zhang"], reason="Fabricated record"
        )
        with pytest.raises(PermissionDenied, match="your own content"):
            discussion.report(session=s, actor=a, target_kind="comment", target_id=cid, reason="oops")
    with session_scope(engine) as s, pytest.raises(InvalidInput, match="already reported"):
        discussion.report(session=s, actor=b, target_kind="comment", target_id=cid, reason="Spam again")
    with session_scope(engine) as s:
        assert [r.id for r in moderation.moderation_queue(session=s, actor=mod).reports] == [r1, r2]
        moderation.decide_report(session=s, actor=mod, report_id=r1, uphold=True, note="Removed.")
        moderation.decide_report(session=s, actor=mod, report_id=r2, uphold=True)
    with session_scope(engine) as s:
        assert s.get(Comment, cid).status == "removed"
        assert moderation.moderation_queue(session=s, actor=mod).reports == []
        assert [n.message for n in notifications.my_notifications(session=s, actor=b)] == [
            "Your report was upheld.",
            "Your report was upheld. Removed.",
        ]
        t = queries.researcher_trust(session=s, researcher_id=ids["zhongwang-zhang"])
    integrity = next(c for c in t["components"] if c["key"] == "integrity")
    assert (integrity["facts"]["upheld_reports"], integrity["points"]) == (1, -5.0)


def test_invitations_reach_owners_only_and_are_rate_limited(engine):
    ids = _ids(engine)
    zz = _owner(engine, ids["zhongwang-zhang"])
    sender = _person(engine, "Sender")
    with session_scope(engine) as s, pytest.raises(PermissionDenied, match="^Only claimed profiles can receive"):
        invitations.send_invitation(session=s, actor=sender, researcher_id=ids["yaoyu-zhang"], message="Hi")
    with session_scope(engine) as s:
        inv = invitations.send_invitation(
            session=s,
            actor=sender,
            researcher_id=ids["zhongwang-zhang"],
            message="  Shall we write about flat minima?  ",
        )
    with session_scope(engine) as s, pytest.raises(InvalidInput, match="already have an invitation waiting"):
        invitations.send_invitation(session=s, actor=sender, researcher_id=ids["zhongwang-zhang"], message="Hi again")
    with session_scope(engine) as s:
        [got] = invitations.inbox(session=s, actor=zz, pending_only=True)
        assert (got.id, got.from_name, got.message, got.status) == (
            inv,
            "Sender",
            "Shall we write about flat minima?",
            "pending",
        )
        assert invitations.inbox(session=s, actor=sender) == []
        with pytest.raises(PermissionDenied, match="^Only the person invited can answer"):
            invitations.answer_invitation(session=s, actor=sender, invitation_id=inv, accept=True)
        invitations.answer_invitation(session=s, actor=zz, invitation_id=inv, accept=False)
    with session_scope(engine) as s:
        assert [i.status for i in invitations.sent_invitations(session=s, actor=sender)] == ["declined"]
        assert [n.message for n in notifications.my_notifications(session=s, actor=sender)] == [
            "Zhongwang Zhang declined your invitation."
        ]
        assert notifications.my_notifications(session=s, actor=zz)[0].message == (
            "Sender invites you (Zhongwang Zhang) to collaborate."
        )
    # The limit: INVITE_LIMIT invitations a day, the declined one included; each answered before the next.
    start = utcnow()
    for i in range(invitations.INVITE_LIMIT - 1):
        with session_scope(engine) as s:
            n = invitations.send_invitation(
                session=s,
                actor=sender,
                researcher_id=ids["zhongwang-zhang"],
                message=f"Try {i}",
                now=start + timedelta(minutes=i),
            )
            invitations.answer_invitation(session=s, actor=zz, invitation_id=n, accept=False)
    with session_scope(engine) as s, pytest.raises(RateLimited, match="many invitations today"):
        invitations.send_invitation(
            session=s,
            actor=sender,
            researcher_id=ids["zhongwang-zhang"],
            message="One more",
            now=start + timedelta(hours=1),
        )
    with session_scope(engine) as s:
        assert invitations.send_invitation(
            session=s,
            actor=sender,
            researcher_id=ids["zhongwang-zhang"],
            message="Next day",
            now=start + timedelta(days=1, minutes=10),
        )
    with session_scope(engine) as s:
        s.get(Researcher, ids["zhongwang-zhang"]).open_to_collaborate = False
    other = _person(engine, "Other")
    with session_scope(engine) as s, pytest.raises(PermissionDenied, match="not open to collaboration"):
        invitations.send_invitation(session=s, actor=other, researcher_id=ids["zhongwang-zhang"], message="Hi")


def test_a_removed_review_stops_counting(engine):
    ids = _ids(engine)
    zz = _owner(engine, ids["zhongwang-zhang"])
    reporter, mod = _person(engine, "Reporter"), _person(engine, "Mod", "moderator")
    work = ids["overparameterization-deep-resnet"]
    with session_scope(engine) as s:
        rid = reviews.write_review(session=s, actor=zz, work_id=work, summary="Good.", recommendation="accept")
        rep = discussion.report(session=s, actor=reporter, target_kind="review", target_id=rid, reason="Off topic")
    assert _community(engine, ids["zhiyan-ding"])["facts"]["verified_reviews"] == 1
    with session_scope(engine) as s:
        moderation.decide_report(session=s, actor=mod, report_id=rep, uphold=True)
    with session_scope(engine) as s:
        assert (s.get(Review, rid).status, social.work_counts(session=s, work_id=work).reviews) == ("removed", 0)
        assert reviews.work_reviews(session=s, work_id=work) == []
    assert _community(engine, ids["zhiyan-ding"])["facts"]["verified_reviews"] == 0
