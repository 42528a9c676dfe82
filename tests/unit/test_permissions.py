"""The permission matrix: every write (and private read) x every role, asserting allowed or denied exactly.

Roles: an anonymous visitor, a plain member, the owner (a member who owns the Zhongwang Zhang profile through a
verified claim and authored the comment, review, collection and claim the actions touch), a moderator and an admin.
Each cell runs in its own transaction that is rolled back, so cells never see each other's writes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest
from sqlmodel import Session, select

from core import (
    accounts,
    claims,
    discussion,
    invitations,
    moderation,
    notifications,
    profile_edits,
    reviews,
    social,
    work_collections,
)
from core.db import init_db, make_engine, session_scope
from core.ingest.loader import import_paths
from core.ingest.seed import SEED_PATH
from core.models import MergeCandidate, Researcher, User, Work
from core.permissions import Actor, PermissionDenied

PW = "correct horse battery"
ROLES = ("anonymous", "member", "owner", "moderator", "admin")

# "ok" = allowed, "--" = PermissionDenied; columns follow ROLES.
EXPECTED = """
action                    anonymous member owner moderator admin
sign_up                   ok        --     --    --        --
sign_out                  --        ok     ok    ok        ok
follow_profile            --        ok     --    ok        ok
unfollow_profile          --        ok     ok    ok        ok
vote                      --        ok     ok    ok        ok
rate                      --        ok     ok    ok        ok
record_view               ok        ok     ok    ok        ok
create_collection         --        ok     ok    ok        ok
save_to_collection        --        --     ok    --        --
delete_collection         --        --     ok    --        --
read_private_collection   --        --     ok    --        --
write_review              --        ok     --    ok        ok
edit_review               --        --     ok    --        --
add_comment               --        ok     ok    ok        ok
edit_comment              --        --     ok    --        --
delete_comment            --        --     ok    --        --
report_comment            --        ok     --    ok        ok
open_claim                --        ok     ok    ok        ok
withdraw_claim            --        --     ok    --        --
decide_claim              --        --     --    ok        ok
decide_report             --        --     --    ok        ok
moderation_queue          --        --     --    ok        ok
set_summary               --        --     ok    --        --
set_open_to_collaborate   --        --     ok    --        --
set_links                 --        --     ok    --        --
hide_work                 --        --     ok    --        --
decide_merge_candidate    --        --     ok    --        --
send_invitation           --        ok     --    ok        ok
answer_invitation         --        --     ok    --        --
notifications             --        ok     ok    ok        ok
set_role                  --        --     --    --        ok
suspend_account           --        --     --    --        ok
"""


@dataclass
class World:
    actors: dict[str, Actor | None]
    ids: dict[str, int]


def _person(s: Session, name: str, role: str = "member") -> Actor:
    me = accounts.sign_up(session=s, actor=None, email=f"{name.lower()}@example.org", password=PW, display_name=name)
    s.get(User, me.user_id).role = role
    return replace(me, role=role)


@pytest.fixture
def world(db_url):
    engine = make_engine(db_url)
    init_db(engine)
    import_paths([SEED_PATH], engine=engine, fmt="seed")
    with session_scope(engine) as s:
        rid = {k.rsplit(":", 1)[-1]: v for k, v in s.exec(select(Researcher.seed_key, Researcher.id)).all()}
        wid = {k.rsplit(":", 1)[-1]: v for k, v in s.exec(select(Work.seed_key, Work.id)).all()}
        s.get(Researcher, rid["zhongwang-zhang"]).orcid = "0000-0002-1825-0097"
        admin = accounts.create_admin(session=s, email="admin@example.org", password=PW, display_name="Admin")
        mod, member, owner, third = (
            _person(s, "Mod", "moderator"),
            _person(s, "Member"),
            accounts.sign_in_with_provider(
                session=s, provider="https://orcid.org", subject="0000-0002-1825-0097", display_name="Owner"
            ),
            _person(s, "Third"),
        )
        claims.open_claim(
            session=s,
            actor=owner,
            researcher_id=rid["zhongwang-zhang"],
            evidence_kind="orcid",
            evidence="0000-0002-1825-0097",
        )
        ids = {
            "zz": rid["zhongwang-zhang"],
            "luo": rid["tao-luo"],
            "ep": wid["embedding-principle"],
            "resnet": wid["overparameterization-deep-resnet"],
            "collection": work_collections.create_collection(session=s, actor=owner, name="Mine"),
            "review": reviews.write_review(
                session=s,
                actor=owner,
                work_id=wid["overparameterization-deep-resnet"],
                summary="Fine.",
                recommendation="accept",
            ),
            "comment": discussion.add_comment(session=s, actor=owner, work_id=wid["dropout-flatness"], body="Mine"),
            "third_comment": discussion.add_comment(session=s, actor=third, work_id=wid["dropout-flatness"], body="x"),
            "own_claim": claims.open_claim(
                session=s,
                actor=owner,
                researcher_id=rid["zhiyan-ding"],
                evidence_kind="page",
                evidence="https://example.org/owner",
            ).id,
            "third_claim": claims.open_claim(
                session=s,
                actor=third,
                researcher_id=rid["yaoyu-zhang"],
                evidence_kind="page",
                evidence="https://example.org/third",
            ).id,
            "invitation": invitations.send_invitation(
                session=s, actor=third, researcher_id=rid["zhongwang-zhang"], message="Work together?"
            ),
            "third": third.user_id,
        }
        ids["report"] = discussion.report(
            session=s, actor=member, target_kind="comment", target_id=ids["third_comment"], reason="Spam"
        )
        merge = MergeCandidate(researcher_a_id=rid["zhongwang-zhang"], researcher_b_id=rid["tao-luo"], reason="test")
        s.add(merge)
        s.flush()
        ids["merge"] = merge.id
    actors = {"anonymous": None, "member": member, "owner": owner, "moderator": mod, "admin": admin}
    yield engine, World(actors, ids)
    engine.dispose()


def _actions(i: dict[str, int]) -> dict:
    """Each action as ``f(session, actor)``, aimed at the owner's things where the action has an owner."""
    return {
        "sign_up": lambda s, a: accounts.sign_up(
            session=s, actor=a, email="new@example.org", password=PW, display_name="New"
        ),
        "sign_out": lambda s, a: accounts.sign_out(session=s, actor=a),
        "follow_profile": lambda s, a: social.follow(session=s, actor=a, researcher_id=i["zz"]),
        "unfollow_profile": lambda s, a: social.unfollow(session=s, actor=a, researcher_id=i["zz"]),
        "vote": lambda s, a: social.vote(session=s, actor=a, work_id=i["ep"], value=1),
        "rate": lambda s, a: social.rate(session=s, actor=a, work_id=i["ep"], stars=3),
        "record_view": lambda s, a: social.record_view(session=s, actor=a, work_id=i["ep"]),
        "create_collection": lambda s, a: work_collections.create_collection(session=s, actor=a, name="New list"),
        "save_to_collection": lambda s, a: work_collections.save_work(
            session=s, actor=a, collection_id=i["collection"], work_id=i["ep"]
        ),
        "delete_collection": lambda s, a: work_collections.delete_collection(
            session=s, actor=a, collection_id=i["collection"]
        ),
        "read_private_collection": lambda s, a: work_collections.collection_items(
            session=s, actor=a, collection_id=i["collection"]
        ),
        "write_review": lambda s, a: reviews.write_review(
            session=s, actor=a, work_id=i["ep"], summary="Solid.", recommendation="accept"
        ),
        "edit_review": lambda s, a: reviews.edit_review(
            session=s, actor=a, review_id=i["review"], summary="Edited.", recommendation="reject"
        ),
        "add_comment": lambda s, a: discussion.add_comment(session=s, actor=a, work_id=i["ep"], body="Hello"),
        "edit_comment": lambda s, a: discussion.edit_comment(session=s, actor=a, comment_id=i["comment"], body="New"),
        "delete_comment": lambda s, a: discussion.delete_comment(session=s, actor=a, comment_id=i["comment"]),
        "report_comment": lambda s, a: discussion.report(
            session=s, actor=a, target_kind="comment", target_id=i["comment"], reason="Rude"
        ),
        "open_claim": lambda s, a: claims.open_claim(
            session=s, actor=a, researcher_id=i["luo"], evidence_kind="page", evidence="https://example.org/x"
        ),
        "withdraw_claim": lambda s, a: claims.withdraw_claim(session=s, actor=a, claim_id=i["own_claim"]),
        "decide_claim": lambda s, a: claims.decide_claim(session=s, actor=a, claim_id=i["third_claim"], approve=True),
        "decide_report": lambda s, a: moderation.decide_report(session=s, actor=a, report_id=i["report"], uphold=True),
        "moderation_queue": lambda s, a: moderation.moderation_queue(session=s, actor=a),
        "set_summary": lambda s, a: profile_edits.set_summary(session=s, actor=a, researcher_id=i["zz"], summary="Hi"),
        "set_open_to_collaborate": lambda s, a: profile_edits.set_open_to_collaborate(
            session=s, actor=a, researcher_id=i["zz"], open_=False
        ),
        "set_links": lambda s, a: profile_edits.set_links(
            session=s, actor=a, researcher_id=i["zz"], links=[("Home", "https://example.org")]
        ),
        "hide_work": lambda s, a: profile_edits.hide_work(session=s, actor=a, researcher_id=i["zz"], work_id=i["ep"]),
        "decide_merge_candidate": lambda s, a: profile_edits.decide_merge_candidate(
            session=s, actor=a, candidate_id=i["merge"], confirm=False
        ),
        "send_invitation": lambda s, a: invitations.send_invitation(
            session=s, actor=a, researcher_id=i["zz"], message="Collaborate?"
        ),
        "answer_invitation": lambda s, a: invitations.answer_invitation(
            session=s, actor=a, invitation_id=i["invitation"], accept=True
        ),
        "notifications": lambda s, a: notifications.my_notifications(session=s, actor=a),
        "set_role": lambda s, a: accounts.set_role(session=s, actor=a, user_id=i["third"], role="moderator"),
        "suspend_account": lambda s, a: accounts.set_active(session=s, actor=a, user_id=i["third"], active=False),
    }


def _expected() -> dict[str, dict[str, str]]:
    lines = [line.split() for line in EXPECTED.strip().splitlines()]
    header, rows = lines[0][1:], lines[1:]
    assert tuple(header) == ROLES
    return {row[0]: dict(zip(ROLES, row[1:], strict=True)) for row in rows}


def _outcome(engine, action, actor) -> str:
    with Session(engine, expire_on_commit=False) as s:
        try:
            action(s, actor)
            return "ok"
        except PermissionDenied:
            return "--"
        except Exception as exc:  # a cell that fails for another reason is a broken setup: show it in the table
            return f"{type(exc).__name__}: {exc}"
        finally:
            s.rollback()


def test_permission_matrix(world):
    engine, w = world
    actions = _actions(w.ids)
    expected = _expected()
    assert sorted(actions) == sorted(expected)
    got = {name: {role: _outcome(engine, fn, w.actors[role]) for role in ROLES} for name, fn in actions.items()}
    assert got == expected


def test_the_matrix_cells_left_the_store_as_it_was(world):
    engine, w = world
    for fn in _actions(w.ids).values():
        for role in ROLES:
            _outcome(engine, fn, w.actors[role])
    with session_scope(engine) as s:
        assert s.get(User, w.ids["third"]).role == "member"
        assert (
            s.get(Researcher, w.ids["zz"]).summary
            == "Zhongwang Zhang contributes to research discovery and scholarly infrastructure."
        )
        assert len(work_collections.my_collections(session=s, actor=w.actors["owner"])) == 1
