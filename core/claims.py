"""Claims: "Claim this author" on a profile, automatic verification, the moderators' decision, one owner per profile.

A claim states the claimant's relation to the profile: an email at an institution's domain, an ORCID iD, or a public
page. It is verified at once when the evidence matches the profile:

* an ORCID iD equal to the profile's ORCID iD;
* an email whose domain is an affiliated institution's domain (its homepage host without ``www.``) or a
  subdomain of it: ``ada@cs.bangor.ac.uk`` matches ``https://www.bangor.ac.uk``.

Anything else, and any claim on a profile that already has a verified owner (a dispute), waits for a moderator.
Approval makes the claimant the profile's one owner (level L3) and recomputes its trust; rejection says why; nobody
decides their own claim. Evidence is as stated by the claimant: an email is not confirmed by a message, nor an
ORCID iD by signing in to ORCID.

>>> institution_domain("https://www.bangor.ac.uk/computer-science")
'bangor.ac.uk'
>>> email_matches_domain("ada@cs.bangor.ac.uk", "bangor.ac.uk"), email_matches_domain("ada@notbangor.ac.uk", "bangor.ac.uk")
(True, False)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import delete
from sqlmodel import Session, select

from core.accounts import normalise_email
from core.ingest.ids import norm_orcid
from core.models import (
    Authorship,
    AuthorshipInstitution,
    Claim,
    Follow,
    Institution,
    ProfileOwner,
    Researcher,
    ResearcherInstitution,
    Review,
    User,
    utcnow,
)
from core.notifications import notify
from core.permissions import Actor, InvalidInput, PermissionDenied, clean_text, owner_of, require_role, require_user
from core.trust_refresh import recompute_trust

EVIDENCE_KINDS = ("email", "orcid", "page")
NOTE_MAX = 2000
REASON_MAX = 1000
URL_MAX = 2000


@dataclass(frozen=True)
class ClaimRead:
    id: int
    researcher_id: int
    researcher_name: str
    user_id: int
    evidence_kind: str
    evidence: str
    note: str | None
    status: str
    is_dispute: bool
    verified_by: str | None
    decision_reason: str | None
    created_at: datetime
    decided_at: datetime | None


def institution_domain(homepage: str | None) -> str | None:
    """The registrable-looking host of an institution's homepage, without ``www.``; ``None`` when there is none."""
    if not homepage:
        return None
    host = urlsplit(homepage if "//" in homepage else "//" + homepage).hostname or ""
    host = host.lower().rstrip(".").removeprefix("www.")
    return host if "." in host else None


def email_matches_domain(email: str, domain: str) -> bool:
    """Whether the email's domain is ``domain`` or one of its subdomains."""
    host = email.rsplit("@", 1)[-1].lower().rstrip(".")
    return host == domain or host.endswith("." + domain)


def affiliated_domains(*, session: Session, researcher_id: int) -> set[str]:
    """Domains of the institutions a profile is affiliated with (reported affiliations, last known, bylines)."""
    r = session.get(Researcher, researcher_id)
    inst_ids = set(
        session.exec(
            select(ResearcherInstitution.institution_id).where(ResearcherInstitution.researcher_id == researcher_id)
        )
    )
    inst_ids |= set(
        session.exec(
            select(AuthorshipInstitution.institution_id)
            .join(Authorship, Authorship.id == AuthorshipInstitution.authorship_id)
            .where(Authorship.researcher_id == researcher_id)
        )
    )
    if r is not None and r.last_institution_id:
        inst_ids.add(r.last_institution_id)
    if not inst_ids:
        return set()
    pages = session.exec(select(Institution.homepage).where(Institution.id.in_(inst_ids))).all()
    return {d for d in map(institution_domain, pages) if d}


def _clean_evidence(kind: str, evidence: str) -> str:
    if kind not in EVIDENCE_KINDS:
        raise InvalidInput(f"Evidence must be one of {', '.join(EVIDENCE_KINDS)}, not {kind!r}.")
    if kind == "email":
        return normalise_email(evidence)
    if kind == "orcid":
        orcid = norm_orcid(evidence)
        if not orcid:
            raise InvalidInput(f"{evidence!r} is not an ORCID iD (0000-0000-0000-0000).")
        return orcid
    url = clean_text(evidence, field="Page address", max_len=URL_MAX)
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise InvalidInput("A public page must be an http:// or https:// address.")
    return url


ORCID_ISSUERS = ("https://orcid.org", "https://sandbox.orcid.org")


def _automatic_match(session: Session, user: User, r: Researcher, kind: str, evidence: str) -> str | None:
    """Verify at once only on evidence the claimant has proved, not merely typed: a profile's ORCID iD is public,
    so it counts when the account signed in through ORCID as that iD; an email address counts when it is the
    account's own, verified address (by the OIDC provider or a confirmation code) at an affiliated domain."""
    if (
        kind == "orcid"
        and r.orcid
        and norm_orcid(r.orcid) == evidence
        and user.provider.rstrip("/") in ORCID_ISSUERS
        and norm_orcid(user.subject) == evidence
    ):
        return "auto:orcid"
    if (
        kind == "email"
        and user.email_verified
        and (user.email or "").lower() == evidence.lower()
        and any(email_matches_domain(evidence, d) for d in affiliated_domains(session=session, researcher_id=r.id))
    ):
        return "auto:email"
    return None


def open_claim(
    *,
    session: Session,
    actor: Actor | None,
    researcher_id: int,
    evidence_kind: str,
    evidence: str,
    note: str | None = None,
) -> ClaimRead:
    """Claim a profile; verified at once when the evidence matches, else queued (as a dispute if owned)."""
    user = require_user(session, actor, doing="claim a profile")
    r = session.get(Researcher, researcher_id)
    if r is None:
        raise InvalidInput(f"There is no profile {researcher_id}.")
    value = _clean_evidence(evidence_kind, evidence)
    note = clean_text(note, field="Note", max_len=NOTE_MAX, required=False) or None
    owner = owner_of(session, researcher_id)
    if owner == user.id:
        raise InvalidInput("You already own this profile.")
    mine = session.exec(
        select(Claim.id).where(
            Claim.researcher_id == researcher_id, Claim.user_id == user.id, Claim.status == "pending"
        )
    ).first()
    if mine is not None:
        raise InvalidInput("You already have a claim on this profile waiting for a moderator.")
    claim = Claim(
        researcher_id=researcher_id,
        user_id=user.id,
        evidence_kind=evidence_kind,
        evidence=value,
        note=note,
        is_dispute=owner is not None,
    )
    session.add(claim)
    session.flush()
    how = None if owner is not None else _automatic_match(session, user, r, evidence_kind, value)
    if how:
        _grant(session, claim, r, verified_by=how, decided_by=None)
    else:
        _sync_claim_status(session, r)
        recompute_trust(session=session, researcher_ids=[researcher_id])
    return claim_read(session=session, claim_id=claim.id)


def decide_claim(
    *, session: Session, actor: Actor | None, claim_id: int, approve: bool, reason: str | None = None
) -> ClaimRead:
    """A moderator approves or rejects a waiting claim (a rejection must say why).

    Approving a dispute moves ownership to the claimant; the previous owner's claim is revoked with the reason.
    """
    mod = require_role(session, actor, "moderator", doing="decide claims")
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise InvalidInput(f"There is no claim {claim_id}.")
    if claim.user_id == mod.id:
        raise PermissionDenied("Nobody decides their own claim: another moderator must.")
    if owner_of(session, claim.researcher_id) == mod.id:
        raise PermissionDenied("You own this profile: another moderator must decide claims on it.")
    if claim.status != "pending":
        raise InvalidInput(f"This claim is already {claim.status}.")
    reason = clean_text(reason, field="Reason", max_len=REASON_MAX, required=not approve) or None
    r = session.get(Researcher, claim.researcher_id)
    if approve:
        _grant(session, claim, r, verified_by="moderator", decided_by=mod.id, reason=reason)
    else:
        claim.status, claim.decided_by_user_id, claim.decision_reason = "rejected", mod.id, reason
        claim.decided_at = utcnow()
        session.add(claim)
        _sync_claim_status(session, r)
        notify(
            session,
            user_id=claim.user_id,
            kind="claim_decision",
            link=f"claim:{claim.id}",
            actor_user_id=mod.id,
            message=f"Your claim on {r.display_name} was rejected: {reason}",
        )
        recompute_trust(session=session, researcher_ids=[r.id])
    return claim_read(session=session, claim_id=claim.id)


def withdraw_claim(*, session: Session, actor: Actor | None, claim_id: int) -> None:
    """The claimant withdraws a claim that is still waiting."""
    user = require_user(session, actor, doing="withdraw a claim")
    claim = session.get(Claim, claim_id)
    if claim is None or claim.user_id != user.id:
        raise PermissionDenied("Only the person who opened a claim can withdraw it.")
    if claim.status != "pending":
        raise InvalidInput(f"This claim is already {claim.status}.")
    claim.status, claim.decided_at = "withdrawn", utcnow()
    session.add(claim)
    r = session.get(Researcher, claim.researcher_id)
    _sync_claim_status(session, r)
    recompute_trust(session=session, researcher_ids=[r.id])


def _grant(
    session: Session,
    claim: Claim,
    r: Researcher,
    *,
    verified_by: str,
    decided_by: int | None,
    reason: str | None = None,
) -> None:
    now = utcnow()
    previous = session.get(ProfileOwner, r.id)
    affected_users = {claim.user_id}
    if previous is not None:
        old = session.get(Claim, previous.claim_id)
        old.status, old.decided_at, old.decided_by_user_id = "revoked", now, decided_by
        old.decision_reason = f"Ownership moved to another claimant after a dispute. {reason or ''}".strip()
        session.add(old)
        affected_users.add(previous.user_id)
        notify(
            session,
            user_id=previous.user_id,
            kind="claim_decision",
            link=f"claim:{old.id}",
            actor_user_id=decided_by,
            message=f"A moderator moved ownership of {r.display_name} to another claimant. {reason or ''}".strip(),
        )
        session.exec(delete(ProfileOwner).where(ProfileOwner.researcher_id == r.id))
        session.flush()
    claim.status, claim.verified_by, claim.decided_by_user_id = "verified", verified_by, decided_by
    claim.decision_reason, claim.decided_at = reason, now
    session.add(claim)
    session.add(ProfileOwner(researcher_id=r.id, user_id=claim.user_id, claim_id=claim.id, since=now))
    # Other claims still waiting on this profile are now disputes against the new owner.
    for other in session.exec(
        select(Claim).where(Claim.researcher_id == r.id, Claim.status == "pending", Claim.id != claim.id)
    ):
        other.is_dispute = True
        session.add(other)
    session.flush()
    _sync_claim_status(session, r)
    how = {"auto:orcid": "its ORCID iD matches", "auto:email": "your email matches an affiliated institution"}
    notify(
        session,
        user_id=claim.user_id,
        kind="claim_decision",
        link=f"claim:{claim.id}",
        actor_user_id=decided_by,
        message=f"Your claim on {r.display_name} was verified"
        + (f": {how[verified_by]}." if verified_by in how else " by a moderator."),
    )
    # The new (and any former) owner's follows and reviews now count, or no longer count, as verified.
    recompute_trust(session=session, researcher_ids={r.id} | researchers_counting_on(session, affected_users))


def researchers_counting_on(session: Session, user_ids: set[int]) -> set[int]:
    """Profiles whose trust counts these users' follows or reviews (followed people, authors of reviewed works)."""
    followed = set(session.exec(select(Follow.researcher_id).where(Follow.user_id.in_(user_ids))))
    authors = set(
        session.exec(
            select(Authorship.researcher_id)
            .join(Review, Review.work_id == Authorship.work_id)
            .where(Review.user_id.in_(user_ids))
        )
    )
    return followed | authors


def _sync_claim_status(session: Session, r: Researcher) -> None:
    """``Researcher.claim_status`` mirrors the claims: claimed (has an owner), pending, or unclaimed."""
    if session.get(ProfileOwner, r.id) is not None:
        status = "claimed"
    elif session.exec(select(Claim.id).where(Claim.researcher_id == r.id, Claim.status == "pending")).first():
        status = "pending"
    else:
        status = "unclaimed"
    if r.claim_status != status:
        r.claim_status, r.updated_at = status, utcnow()
        session.add(r)
        session.flush()


def claim_read(*, session: Session, claim_id: int) -> ClaimRead:
    c = session.get(Claim, claim_id)
    if c is None:
        raise InvalidInput(f"There is no claim {claim_id}.")
    name = session.get(Researcher, c.researcher_id).display_name
    return ClaimRead(
        c.id,
        c.researcher_id,
        name,
        c.user_id,
        c.evidence_kind,
        c.evidence,
        c.note,
        c.status,
        c.is_dispute,
        c.verified_by,
        c.decision_reason,
        c.created_at,
        c.decided_at,
    )


def my_claims(*, session: Session, actor: Actor | None) -> list[ClaimRead]:
    """The actor's claims, newest first."""
    user = require_user(session, actor, doing="see your claims")
    ids = session.exec(select(Claim.id).where(Claim.user_id == user.id).order_by(Claim.id.desc())).all()
    return [claim_read(session=session, claim_id=i) for i in ids]


def pending_claims(*, session: Session, actor: Actor | None) -> list[ClaimRead]:
    """Claims and disputes waiting for a moderator, oldest first (the claims part of the moderation queue)."""
    require_role(session, actor, "moderator", doing="see the moderation queue")
    ids = session.exec(select(Claim.id).where(Claim.status == "pending").order_by(Claim.id)).all()
    return [claim_read(session=session, claim_id=i) for i in ids]


def owned_profiles(*, session: Session, user_id: int) -> list[int]:
    """Researcher ids this account verifiably owns."""
    return list(
        session.exec(
            select(ProfileOwner.researcher_id)
            .where(ProfileOwner.user_id == user_id)
            .order_by(ProfileOwner.researcher_id)
        )
    )
