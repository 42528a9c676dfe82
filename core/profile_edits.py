"""What a profile's verified owner may edit: open-to-collaborate, summary line, links, hidden works, merge candidates.

Hiding a work is a recorded correction ("this work is not mine"), never a deletion: the authorship stays, and
``hidden_work_ids`` lets the read side leave it off the profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import delete, or_
from sqlmodel import Session, select

from core.models import Authorship, MergeCandidate, ProfileLink, Researcher, WorkHiding, utcnow
from core.permissions import Actor, InvalidInput, PermissionDenied, clean_text, owner_of, require_owner, require_user
from core.trust_refresh import recompute_trust

SUMMARY_MAX = 300
LINKS_MAX = 10
LABEL_MAX = 80
URL_MAX = 2000
REASON_MAX = 500


@dataclass(frozen=True)
class LinkRead:
    label: str
    url: str


def _researcher(session: Session, researcher_id: int) -> Researcher:
    r = session.get(Researcher, researcher_id)
    if r is None:
        raise InvalidInput(f"There is no profile {researcher_id}.")
    return r


def set_open_to_collaborate(*, session: Session, actor: Actor | None, researcher_id: int, open_: bool) -> None:
    require_owner(session, actor, researcher_id, doing="change whether this profile is open to collaborate")
    r = _researcher(session, researcher_id)
    r.open_to_collaborate, r.updated_at = bool(open_), utcnow()
    session.add(r)
    session.flush()


def set_summary(*, session: Session, actor: Actor | None, researcher_id: int, summary: str | None) -> None:
    """Replace the one-line summary (empty clears it)."""
    require_owner(session, actor, researcher_id, doing="edit this profile's summary")
    r = _researcher(session, researcher_id)
    text = clean_text(summary, field="Summary", max_len=SUMMARY_MAX, required=False)
    if "\n" in text:
        raise InvalidInput("The summary is one line: remove the line breaks.")
    r.summary, r.updated_at = text or None, utcnow()
    session.add(r)
    session.flush()


def set_links(*, session: Session, actor: Actor | None, researcher_id: int, links: list[tuple[str, str]]) -> None:
    """Replace the profile's links with ``[(label, url), ...]`` (http/https only, at most ``LINKS_MAX``)."""
    require_owner(session, actor, researcher_id, doing="edit this profile's links")
    _researcher(session, researcher_id)
    if len(links) > LINKS_MAX:
        raise InvalidInput(f"At most {LINKS_MAX} links.")
    rows = []
    for i, (label, url) in enumerate(links):
        url = clean_text(url, field=f"Link {i + 1} address", max_len=URL_MAX)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidInput(f"Link {i + 1} must be an http:// or https:// address.")
        label = clean_text(label, field=f"Link {i + 1} label", max_len=LABEL_MAX, required=False) or parts.hostname
        rows.append(ProfileLink(researcher_id=researcher_id, position=i, label=label, url=url))
    session.exec(delete(ProfileLink).where(ProfileLink.researcher_id == researcher_id))
    session.add_all(rows)
    session.flush()


def profile_links(*, session: Session, researcher_id: int) -> list[LinkRead]:
    rows = session.exec(
        select(ProfileLink).where(ProfileLink.researcher_id == researcher_id).order_by(ProfileLink.position)
    ).all()
    return [LinkRead(x.label, x.url) for x in rows]


def hide_work(
    *, session: Session, actor: Actor | None, researcher_id: int, work_id: int, reason: str | None = None
) -> None:
    """Record that a work attributed to this profile is not the owner's; it leaves the profile, nothing is deleted."""
    user = require_owner(session, actor, researcher_id, doing="hide works on this profile")
    listed = session.exec(
        select(Authorship.id).where(Authorship.researcher_id == researcher_id, Authorship.work_id == work_id)
    ).first()
    if listed is None:
        raise InvalidInput("This work is not listed on this profile.")
    if session.exec(
        select(WorkHiding.id).where(WorkHiding.researcher_id == researcher_id, WorkHiding.work_id == work_id)
    ).first():
        raise InvalidInput("This work is already hidden.")
    reason = clean_text(reason, field="Reason", max_len=REASON_MAX, required=False) or None
    session.add(WorkHiding(researcher_id=researcher_id, work_id=work_id, user_id=user.id, reason=reason))
    session.flush()


def unhide_work(*, session: Session, actor: Actor | None, researcher_id: int, work_id: int) -> None:
    require_owner(session, actor, researcher_id, doing="restore works on this profile")
    n = session.exec(
        delete(WorkHiding).where(WorkHiding.researcher_id == researcher_id, WorkHiding.work_id == work_id)
    ).rowcount
    if not n:
        raise InvalidInput("This work is not hidden.")


def hidden_work_ids(*, session: Session, researcher_id: int) -> set[int]:
    """Works the owner marked as not theirs (for the read side to leave off the profile)."""
    return set(session.exec(select(WorkHiding.work_id).where(WorkHiding.researcher_id == researcher_id)))


def decide_merge_candidate(*, session: Session, actor: Actor | None, candidate_id: int, confirm: bool) -> None:
    """The owner of either profile confirms ("same person") or refuses a merge candidate; trust is recomputed."""
    m = session.get(MergeCandidate, candidate_id)
    if m is None:
        raise InvalidInput(f"There is no merge candidate {candidate_id}.")
    user = require_user(session, actor, doing="decide merge candidates")
    if user.id not in {owner_of(session, m.researcher_a_id), owner_of(session, m.researcher_b_id)}:
        raise PermissionDenied("Only the verified owner of one of the two profiles can decide this.")
    if m.status != "open":
        raise InvalidInput(f"This merge candidate is already {m.status}.")
    m.status, m.decided_at = ("confirmed" if confirm else "refused"), utcnow()
    session.add(m)
    session.flush()
    recompute_trust(session=session, researcher_ids=[m.researcher_a_id, m.researcher_b_id])


def open_merge_candidates(*, session: Session, researcher_id: int) -> list[int]:
    """Ids of the open merge candidates that involve a profile."""
    return list(
        session.exec(
            select(MergeCandidate.id).where(
                MergeCandidate.status == "open",
                or_(MergeCandidate.researcher_a_id == researcher_id, MergeCandidate.researcher_b_id == researcher_id),
            )
        )
    )
