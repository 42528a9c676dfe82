"""Claims: automatic verification (ORCID, institution email), the moderator queue, disputes, owner edits, trust."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlmodel import func, select

from core import accounts, claims, moderation, notifications, profile_edits, queries
from core.db import session_scope
from core.ingest.loader import import_paths
from core.models import (
    Claim,
    Institution,
    MergeCandidate,
    ProfileOwner,
    Researcher,
    ResearcherInstitution,
    TrustRecord,
    User,
    Work,
    WorkHiding,
)
from core.permissions import Actor, InvalidInput, PermissionDenied

PW = "correct horse battery"
DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
PRIEM = DATA / "openalex-entities-2025" / "A5023888391.json"


@pytest.fixture
def engine(seeded_store):
    return seeded_store


def _person(engine, name: str, role: str = "member") -> Actor:
    """A signed-up account; moderators are made directly in the store (role changes are tested in test_accounts)."""
    email = name.lower().replace(" ", ".") + "@example.org"
    with session_scope(engine) as s:
        if role == "admin":
            return accounts.create_admin(session=s, email=email, password=PW, display_name=name)
        me = accounts.sign_up(session=s, actor=None, email=email, password=PW, display_name=name)
        s.get(User, me.user_id).role = role
    return replace(me, role=role)


def _orcid_account(engine, orcid: str, name: str) -> Actor:
    """An account signed in through ORCID's OIDC provider: its subject is the iD it proved it holds."""
    with session_scope(engine) as s:
        return accounts.sign_in_with_provider(session=s, provider="https://orcid.org", subject=orcid, display_name=name)


def _verified_email_account(engine, email: str, name: str) -> Actor:
    """An account whose provider vouched for its email address."""
    with session_scope(engine) as s:
        return accounts.sign_in_with_provider(
            session=s,
            provider="https://accounts.example.org",
            subject=email,
            email=email,
            display_name=name,
            email_verified=True,
        )


def _rid(engine, seed_key: str = "seed:person:zhongwang-zhang") -> int:
    with session_scope(engine) as s:
        return s.exec(select(Researcher.id).where(Researcher.seed_key == seed_key)).one()


def _trust(engine, rid: int) -> dict:
    with session_scope(engine) as s:
        return queries.researcher_trust(session=s, researcher_id=rid)


def _components(t: dict) -> dict:
    return {c["key"]: c["points"] for c in t["components"]}


def _open(engine, actor, rid, kind, evidence, note=None):
    with session_scope(engine) as s:
        return claims.open_claim(
            session=s, actor=actor, researcher_id=rid, evidence_kind=kind, evidence=evidence, note=note
        )


def test_orcid_equal_to_the_profiles_verifies_at_once(engine):
    import_paths([PRIEM], engine=engine)
    with session_scope(engine) as s:
        rid = s.exec(select(Researcher.id).where(Researcher.orcid == "0000-0001-6187-6610")).one()
    before = _trust(engine, rid)
    # Typing the (public) iD proves nothing: a password account's ORCID claim waits for a moderator.
    someone = _person(engine, "Someone Else")
    typed = _open(engine, someone, rid, "orcid", "0000-0001-6187-6610")
    assert (typed.status, typed.verified_by) == ("pending", None)
    with session_scope(engine) as s:
        claims.withdraw_claim(session=s, actor=someone, claim_id=typed.id)
    jason = _orcid_account(engine, "0000-0001-6187-6610", "Jason Priem")
    c = _open(engine, jason, rid, "orcid", "https://orcid.org/0000-0001-6187-6610")
    assert (c.status, c.verified_by, c.is_dispute, c.evidence) == (
        "verified",
        "auto:orcid",
        False,
        "0000-0001-6187-6610",
    )
    after = _trust(engine, rid)
    assert (before["level"], after["level"], after["claim_status"]) == ("L2", "L3", "claimed")
    assert (_components(before)["identity"], _components(after)["identity"]) == (15.0, 25.0)
    with session_scope(engine) as s:
        assert s.get(ProfileOwner, rid).user_id == jason.user_id
        assert s.get(Researcher, rid).claim_status == "claimed"
        notes = notifications.my_notifications(session=s, actor=jason)
    assert [(n.kind, n.message, n.link) for n in notes] == [
        ("claim_decision", "Your claim on Jason Priem was verified: its ORCID iD matches.", f"claim:{c.id}")
    ]


def test_institution_email_domain_or_subdomain_verifies(engine):
    rid = _rid(engine)
    with session_scope(engine) as s:
        inst = Institution(name="Bangor University", homepage="https://www.bangor.ac.uk")
        s.add(inst)
        s.flush()
        s.add(ResearcherInstitution(researcher_id=rid, institution_id=inst.id))
    lookalike = _person(engine, "Mallory")
    typist = _person(engine, "Trudy")
    zz = _verified_email_account(engine, "zz@cs.bangor.ac.uk", "Zhongwang Zhang")
    fake = _open(engine, lookalike, rid, "email", "zz@notbangor.ac.uk")
    # A right-looking address that is not the account's own verified one proves nothing either.
    typed = _open(engine, typist, rid, "email", "zz@cs.bangor.ac.uk")
    real = _open(engine, zz, rid, "email", "ZZ@cs.Bangor.ac.uk")
    assert (fake.status, fake.verified_by) == ("pending", None)
    assert (typed.status, typed.verified_by) == ("pending", None)
    assert (real.status, real.verified_by, real.evidence) == ("verified", "auto:email", "zz@cs.bangor.ac.uk")
    with session_scope(engine) as s:
        # The waiting claim now disputes the new owner's ownership.
        assert s.get(Claim, fake.id).is_dispute is True
        assert s.get(Researcher, rid).claim_status == "claimed"


def test_unmatched_evidence_waits_then_a_moderator_approves_and_trust_rises(engine):
    rid = _rid(engine)
    zz, mod = _person(engine, "Zhongwang Zhang"), _person(engine, "Mod One", "moderator")
    c = _open(engine, zz, rid, "page", "https://example.org/~zz", note="  My homepage lists both papers.  ")
    assert (c.status, c.note, c.is_dispute) == ("pending", "My homepage lists both papers.", False)
    t = _trust(engine, rid)
    assert (t["score"], t["level"], t["claim_status"]) == (13, "L1", "pending")
    with session_scope(engine) as s:
        q = moderation.moderation_queue(session=s, actor=mod)
    assert ([x.id for x in q.claims], q.disputes, q.reports) == ([c.id], [], [])
    with session_scope(engine) as s:
        done = claims.decide_claim(session=s, actor=mod, claim_id=c.id, approve=True)
    assert (done.status, done.verified_by) == ("verified", "moderator")
    t = _trust(engine, rid)
    # Identity 8 -> 25 (L1 -> L3); record 5.0 unchanged; network stays 0: a verified person's network points come
    # only from *other* verified people (core.trust_graph), and there are none yet.
    assert (t["score"], t["band"], t["level"], t["claim_status"]) == (30, "Emerging", "L3", "claimed")
    assert _components(t) == {
        "identity": 25.0,
        "record": 5.0,
        "impact": 0.0,
        "network": 0.0,
        "community": 0.0,
        "integrity": 0.0,
    }
    with session_scope(engine) as s:
        levels = s.exec(
            select(TrustRecord.level).where(TrustRecord.researcher_id == rid).order_by(TrustRecord.id)
        ).all()
    assert levels == ["L1", "L1", "L3"]  # import, pending (explanation changed), verified


def test_a_rejection_must_say_why_and_tells_the_claimant(engine):
    rid = _rid(engine)
    zz, mod = _person(engine, "Someone"), _person(engine, "Mod One", "moderator")
    c = _open(engine, zz, rid, "page", "https://example.org/me")
    with session_scope(engine) as s, pytest.raises(InvalidInput, match="^Reason cannot be empty.$"):
        claims.decide_claim(session=s, actor=mod, claim_id=c.id, approve=False, reason="  ")
    with session_scope(engine) as s:
        done = claims.decide_claim(
            session=s, actor=mod, claim_id=c.id, approve=False, reason="The page does not name you."
        )
    assert (done.status, done.decision_reason) == ("rejected", "The page does not name you.")
    with session_scope(engine) as s:
        assert s.get(Researcher, rid).claim_status == "unclaimed"
        assert [n.message for n in notifications.my_notifications(session=s, actor=zz)] == [
            "Your claim on Zhongwang Zhang was rejected: The page does not name you."
        ]
        assert s.get(ProfileOwner, rid) is None
    assert _trust(engine, rid)["claim_status"] == "unclaimed"


def test_nobody_decides_their_own_claim(engine):
    rid = _rid(engine)
    mod, other = _person(engine, "Mod One", "moderator"), _person(engine, "Mod Two", "admin")
    c = _open(engine, mod, rid, "page", "https://example.org/me")
    with session_scope(engine) as s, pytest.raises(PermissionDenied, match="^Nobody decides their own claim"):
        claims.decide_claim(session=s, actor=mod, claim_id=c.id, approve=True)
    with session_scope(engine) as s:
        assert claims.decide_claim(session=s, actor=other, claim_id=c.id, approve=True).status == "verified"


def test_a_second_claim_on_an_owned_profile_is_a_dispute_for_moderators(engine):
    rid = _rid(engine)
    with session_scope(engine) as s:
        s.get(Researcher, rid).orcid = "0000-0002-1825-0097"
    first, second = _orcid_account(engine, "0000-0002-1825-0097", "First Claimant"), _person(engine, "Second Claimant")
    mod = _person(engine, "Mod One", "moderator")
    a = _open(engine, first, rid, "orcid", "0000-0002-1825-0097")
    b = _open(engine, second, rid, "orcid", "0000-0002-1825-0097")  # matching evidence, but the profile is owned
    assert (a.status, b.status, b.is_dispute) == ("verified", "pending", True)
    with session_scope(engine) as s:
        q = moderation.moderation_queue(session=s, actor=mod)
        assert ([x.id for x in q.disputes], q.claims) == ([b.id], [])
    with session_scope(engine) as s, pytest.raises(InvalidInput, match="already own"):
        claims.open_claim(session=s, actor=first, researcher_id=rid, evidence_kind="page", evidence="https://a.org")
    with session_scope(engine) as s, pytest.raises(InvalidInput, match="already have a claim"):
        claims.open_claim(session=s, actor=second, researcher_id=rid, evidence_kind="page", evidence="https://b.org")
    with session_scope(engine) as s:
        claims.decide_claim(session=s, actor=mod, claim_id=b.id, approve=True, reason="Institution confirmed by mail.")
    with session_scope(engine) as s:
        assert s.get(ProfileOwner, rid).user_id == second.user_id
        old = s.get(Claim, a.id)
        assert (old.status, old.decision_reason) == (
            "revoked",
            "Ownership moved to another claimant after a dispute. Institution confirmed by mail.",
        )
        assert [n.message for n in notifications.my_notifications(session=s, actor=first)] == [
            "A moderator moved ownership of Zhongwang Zhang to another claimant. Institution confirmed by mail.",
            "Your claim on Zhongwang Zhang was verified: its ORCID iD matches.",
        ]
        assert s.exec(select(func.count()).select_from(ProfileOwner)).one() == 1


@pytest.mark.parametrize(
    ("kind", "evidence", "message"),
    [
        ("phone", "123", "Evidence must be one of email, orcid, page, not 'phone'."),
        ("orcid", "12345", "'12345' is not an ORCID iD (0000-0000-0000-0000)."),
        ("email", "zz-at-example", "'zz-at-example' is not an email address."),
        ("page", "javascript:alert(1)", "A public page must be an http:// or https:// address."),
    ],
)
def test_invalid_evidence_is_refused_and_nothing_is_stored(engine, kind, evidence, message):
    zz = _person(engine, "Zhongwang Zhang")
    with pytest.raises(InvalidInput) as err:
        _open(engine, zz, _rid(engine), kind, evidence)
    assert str(err.value) == message
    with session_scope(engine) as s:
        assert s.exec(select(func.count()).select_from(Claim)).one() == 0
        assert s.get(Researcher, _rid(engine)).claim_status == "unclaimed"


def test_withdrawing_is_for_the_claimant_only(engine):
    rid = _rid(engine)
    zz, other = _person(engine, "Zhongwang Zhang"), _person(engine, "Other")
    c = _open(engine, zz, rid, "page", "https://example.org/me")
    with session_scope(engine) as s, pytest.raises(PermissionDenied):
        claims.withdraw_claim(session=s, actor=other, claim_id=c.id)
    with session_scope(engine) as s:
        claims.withdraw_claim(session=s, actor=zz, claim_id=c.id)
    with session_scope(engine) as s:
        assert (s.get(Claim, c.id).status, s.get(Researcher, rid).claim_status) == ("withdrawn", "unclaimed")
        assert [x.status for x in claims.my_claims(session=s, actor=zz)] == ["withdrawn"]


def test_the_owner_edits_what_is_theirs(engine):
    rid = _rid(engine)
    with session_scope(engine) as s:
        s.get(Researcher, rid).orcid = "0000-0002-1825-0097"
        ep = s.exec(select(Work.id).where(Work.seed_key == "seed:work:embedding-principle")).one()
        other = _rid(engine, "seed:person:yaoyu-zhang")
        s.add(MergeCandidate(researcher_a_id=rid, researcher_b_id=other, reason="same name key"))
    zz, stranger = _orcid_account(engine, "0000-0002-1825-0097", "Zhongwang Zhang"), _person(engine, "Stranger")
    _open(engine, zz, rid, "orcid", "0000-0002-1825-0097")
    with session_scope(engine) as s:
        profile_edits.set_summary(session=s, actor=zz, researcher_id=rid, summary="  Loss landscapes & dropout.  ")
        profile_edits.set_open_to_collaborate(session=s, actor=zz, researcher_id=rid, open_=False)
        profile_edits.set_links(
            session=s,
            actor=zz,
            researcher_id=rid,
            links=[("Homepage", "https://example.org/zz"), ("", "https://github.com/zz")],
        )
        profile_edits.hide_work(session=s, actor=zz, researcher_id=rid, work_id=ep, reason="Not my paper")
        mc = s.exec(select(MergeCandidate.id)).one()
        profile_edits.decide_merge_candidate(session=s, actor=zz, candidate_id=mc, confirm=False)
    with session_scope(engine) as s:
        r = s.get(Researcher, rid)
        assert (r.summary, r.open_to_collaborate) == ("Loss landscapes & dropout.", False)
        assert [(x.label, x.url) for x in profile_edits.profile_links(session=s, researcher_id=rid)] == [
            ("Homepage", "https://example.org/zz"),
            ("github.com", "https://github.com/zz"),
        ]
        assert profile_edits.hidden_work_ids(session=s, researcher_id=rid) == {ep}
        assert s.exec(select(WorkHiding.reason)).all() == ["Not my paper"]
        assert s.get(MergeCandidate, mc).status == "refused"
        assert len(queries.researcher_works(session=s, researcher_id=rid)) == 2  # the authorship itself stays
    for call in (
        lambda s: profile_edits.set_summary(session=s, actor=stranger, researcher_id=rid, summary="hacked"),
        lambda s: profile_edits.set_links(session=s, actor=stranger, researcher_id=rid, links=[]),
        lambda s: profile_edits.hide_work(session=s, actor=stranger, researcher_id=rid, work_id=ep),
        lambda s: profile_edits.set_open_to_collaborate(session=s, actor=None, researcher_id=rid, open_=True),
    ):
        with session_scope(engine) as s, pytest.raises(PermissionDenied):
            call(s)
    with session_scope(engine) as s, pytest.raises(InvalidInput, match="Link 1 must be an http"):
        profile_edits.set_links(session=s, actor=zz, researcher_id=rid, links=[("x", "ftp://example.org")])
    with session_scope(engine) as s:
        assert len(profile_edits.profile_links(session=s, researcher_id=rid)) == 2
