"""Read side of the researcher page: one function per panel (see ``core.queries`` for the shared lookups).

``core.queries`` re-exports everything here, so pages and the CLI keep one read-side entry point.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from copy import deepcopy
from dataclasses import dataclass, field, fields

from sqlalchemy import Float, case, cast, func, or_, union_all
from sqlmodel import Session, select

from core import metrics
from core.models import (
    Authorship,
    AuthorshipInstitution,
    Institution,
    MergeCandidate,
    Provenance,
    Researcher,
    ResearcherAlias,
    ResearcherInstitution,
    Topic,
    Venue,
    Work,
    WorkTopic,
)
from core.queries import TOPIC_KINDS, NotFound
from core.trust_refresh import trust_history


# ---- researcher page ---------------------------------------------------------------------------
@dataclass
class WorkItem:
    id: int
    title: str
    year: int | None
    type: str | None
    venue: str | None
    doi: str | None
    arxiv_id: str | None
    cited_by_count: int
    authors_count: int
    abstract: str | None = None
    topics: list[str] = field(default_factory=list)


@dataclass
class Collaborator:
    id: int
    name: str
    shared_works: int
    strength: float
    first_year: int | None
    last_year: int | None
    institutions: list[str]


@dataclass
class ResearcherProfile:
    id: int
    display_name: str
    ids: dict[str, str | None]
    affiliation: dict | None
    summary: str
    open_to_collaborate: bool
    is_placeholder: bool
    metrics: dict
    reported: dict | None
    topics: list[dict]
    close_collaborators: list[Collaborator]
    works: list[WorkItem]
    name_variants: list[str]
    merge_candidates: list[dict]
    sources: list[dict]
    trust: dict
    trust_history: list[dict]
    claim_status: str = "unclaimed"
    collaborators_total: int = 0
    followers: int = 0

    def to_dict(self) -> dict:
        """``dataclasses.asdict(self)``, built by hand: asdict walks every value of every work recursively, which
        costs more than the queries for a profile with hundreds of works."""
        out: dict = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "works":
                out[f.name] = [{**w.__dict__, "topics": list(w.topics)} for w in value]
            elif f.name == "close_collaborators":
                out[f.name] = [{**c.__dict__, "institutions": list(c.institutions)} for c in value]
            else:
                out[f.name] = deepcopy(value)
        return out


def researcher_profile(*, session: Session, researcher_id: int, collaborators: int = 10) -> ResearcherProfile:
    r = session.get(Researcher, researcher_id)
    if r is None:
        raise NotFound(f"no researcher with id {researcher_id}")
    works, cby = _works_and_citation_histories(session, researcher_id)
    topics = researcher_topics(session=session, researcher_id=researcher_id)
    years = [w.year for w in works]
    cites = [w.cited_by_count for w in works]
    first, last = metrics.active_years(years)
    history = trust_history(session=session, researcher_id=r.id)
    tallies = coauthor_tallies(session=session, researcher_id=researcher_id)
    m = {
        "works_count": len(works),
        "citations": sum(cites),
        "h_index": metrics.h_index(cites),
        "i10_index": metrics.i10_index(cites),
        "first_year": first,
        "last_year": last,
        "works_per_year": metrics.works_per_year(years),
        "citations_per_year": metrics.citations_per_year(cby),
    }
    reported = None
    if r.works_count_reported is not None or r.h_index_reported is not None:
        reported = {
            "source": r.reported_source,
            "works_count": r.works_count_reported,
            "citations": r.cited_by_count_reported,
            "h_index": r.h_index_reported,
            "i10_index": r.i10_index_reported,
        }
    return ResearcherProfile(
        id=r.id,
        display_name=r.display_name,
        ids={"openalex": r.openalex_id, "orcid": r.orcid, "s2": r.s2_id, "dblp": r.dblp_pid, "seed": r.seed_key},
        affiliation=researcher_affiliation(session=session, researcher=r),
        summary=researcher_summary_line(r, topics),
        open_to_collaborate=r.open_to_collaborate,
        is_placeholder=r.is_placeholder,
        metrics=m,
        reported=reported,
        topics=topics,
        close_collaborators=close_collaborators(
            session=session, researcher_id=researcher_id, limit=collaborators, tallies=tallies
        ),
        works=works,
        name_variants=sorted(
            set(session.exec(select(ResearcherAlias.name).where(ResearcherAlias.researcher_id == r.id)).all())
            - {r.display_name}
        ),
        merge_candidates=researcher_merge_candidates(session=session, researcher_id=r.id),
        sources=researcher_sources(session=session, researcher_id=r.id),
        trust=history[-1] if history else researcher_trust(session=session, researcher_id=r.id),
        trust_history=[
            {"computed_at": h.get("computed_at"), "score": h["score"], "band": h["band"], "level": h["level"]}
            for h in history
        ],
        claim_status=r.claim_status,
        collaborators_total=len(tallies),  # = collaborator_count, from the same pass
        followers=_followers(session, r.id),
    )


def _followers(session: Session, researcher_id: int) -> int:
    from core.social import follower_count

    return follower_count(session=session, researcher_id=researcher_id)


def collaborator_count(*, session: Session, researcher_id: int) -> int:
    """Number of distinct co-authors (placeholders such as "Deleted Author" left out)."""
    mine = select(Authorship.work_id).where(Authorship.researcher_id == researcher_id)
    people = set(
        session.exec(
            select(Authorship.researcher_id)
            .where(Authorship.work_id.in_(mine), Authorship.researcher_id != researcher_id)
            .distinct()
        ).all()
    )
    return len(people - placeholder_ids(session=session))


def researcher_trust(*, session: Session, researcher_id: int) -> dict:
    """The latest stored trust snapshot; computed on the fly (not stored) for a record that has none yet."""
    history = trust_history(session=session, researcher_id=researcher_id)
    if history:
        return history[-1]
    from core import trust
    from core.trust_refresh import trust_facts

    (facts,) = trust_facts(session=session, researcher_ids=[researcher_id])
    return trust.snapshot_to_dict(trust.trust_snapshot(facts))


def researcher_summary_line(r: Researcher, topics: list[dict]) -> str:
    if r.summary:
        return r.summary
    if topics:
        named = [t["name"] for t in topics[:3]]
        return (
            f"{r.display_name} works on {', '.join(named[:-1]) + ' and ' + named[-1] if len(named) > 1 else named[0]}."
        )
    return f"{r.display_name} has no topics imported yet."


def researcher_affiliation(*, session: Session, researcher: Researcher) -> dict | None:
    """Last known institution: the source's own claim, else the institution on the newest work."""
    iid = researcher.last_institution_id
    if iid is None:
        iid = session.exec(
            select(AuthorshipInstitution.institution_id)
            .join(Authorship, Authorship.id == AuthorshipInstitution.authorship_id)
            .join(Work, Work.id == Authorship.work_id)
            .where(Authorship.researcher_id == researcher.id)
            .order_by(Work.year.desc(), Work.id.desc())
        ).first()
    if iid is None:
        return None
    inst = session.get(Institution, iid)
    return {"id": inst.id, "name": inst.name, "country_code": inst.country_code, "city": inst.city}


def researcher_works(*, session: Session, researcher_id: int) -> list[WorkItem]:
    """A person's works, newest first, with venue, author count and up to three topics each."""
    return _works_and_citation_histories(session, researcher_id)[0]


def _works_and_citation_histories(session: Session, researcher_id: int) -> tuple[list[WorkItem], list[list]]:
    """The works (``researcher_works``) and each one's ``counts_by_year``, in one pass.

    Only the columns the page shows are read: whole ``Work`` rows carry JSON columns (keywords, geo tags,
    locations) that a hub's profile would otherwise load and parse hundreds of times.
    """
    rows = session.exec(
        select(
            Work.id,
            Work.title,
            Work.year,
            Work.type,
            Venue.name,
            Work.doi,
            Work.arxiv_id,
            Work.cited_by_count,
            Work.abstract,
            Work.counts_by_year,
        )
        .join(Authorship, Authorship.work_id == Work.id)
        .outerjoin(Venue, Venue.id == Work.venue_id)
        .where(Authorship.researcher_id == researcher_id)
        .order_by(Work.year.desc(), Work.id)
    ).all()
    if not rows:
        return [], []
    ids = [r[0] for r in rows]
    counts = dict(
        session.exec(
            select(Authorship.work_id, func.count()).where(Authorship.work_id.in_(ids)).group_by(Authorship.work_id)
        ).all()
    )
    topics = _work_topic_names(session, ids)
    works = [
        WorkItem(
            id=wid,
            title=title or "Untitled work",
            year=year,
            type=type_,
            venue=venue,
            doi=doi,
            arxiv_id=arxiv_id,
            cited_by_count=cited or 0,
            authors_count=counts.get(wid, 0),
            abstract=abstract,
            topics=topics.get(wid, [])[:3],
        )
        for wid, title, year, type_, venue, doi, arxiv_id, cited, abstract, _ in rows
    ]
    return works, [r[-1] for r in rows]


def _work_topic_names(session: Session, work_ids: list[int]) -> dict[int, list[str]]:
    """Topic names (of ``TOPIC_KINDS``) per work, highest score first.

    The kind is filtered here rather than in SQL: with ``kind IN (...)`` in the query, SQLite starts from the
    topic-kind index and probes every topic of those kinds against every work (80 ms for a 165-work profile);
    without it, each work's topics come from its own primary-key range. Ties in score keep kind, then topic order.
    """
    rows = session.exec(
        select(WorkTopic.work_id, Topic.name, Topic.kind)
        .join(Topic, Topic.id == WorkTopic.topic_id)
        .where(WorkTopic.work_id.in_(work_ids))
        .order_by(WorkTopic.score.desc(), Topic.kind, Topic.id)
    ).all()
    out: dict[int, list[str]] = defaultdict(list)
    for wid, name, kind in rows:
        if kind in TOPIC_KINDS:
            out[wid].append(name)
    return out


def researcher_topics(*, session: Session, researcher_id: int, limit: int = 10) -> list[dict]:
    """Topics of a person's works, by number of works (the most specific kind the store has)."""
    rows = session.exec(
        select(Topic.id, Topic.name, Topic.kind, func.count(WorkTopic.work_id))
        .join(WorkTopic, WorkTopic.topic_id == Topic.id)
        .join(Authorship, Authorship.work_id == WorkTopic.work_id)
        .where(Authorship.researcher_id == researcher_id, Topic.kind.in_(TOPIC_KINDS))
        .group_by(Topic.id, Topic.name, Topic.kind)
        .order_by(func.count(WorkTopic.work_id).desc(), Topic.name)
        .limit(limit)
    ).all()
    return [{"id": i, "name": n, "kind": k, "works": c} for i, n, k, c in rows]


def placeholder_ids(*, session: Session) -> set[int]:
    """Ids of the placeholder researchers ("Deleted Author", collaborations), read through their partial index.

    Co-author queries leave these few out by id: joining every co-author's (wide) researcher row just to read the
    flag cost more than the rest of those queries.
    """
    return set(session.exec(select(Researcher.id).where(Researcher.is_placeholder)).all())


def coauthor_tallies(*, session: Session, researcher_id: int) -> dict[int, dict]:
    """Every co-author (placeholders left out) with Newman strength, shared works, and the first and last year of a
    shared work (``None`` when none has a year).

    One pass that serves both the ranking (``close_collaborators``) and the count (``collaborator_count``), summed
    by the database: a hub at a million works has ~9,000 co-authors over ~15,000 shared bylines, which cost ~40 ms
    to add up row by row in Python. Strengths are rounded to 9 places, so the order of the additions (the
    database's) never decides a ranking.
    """
    mine = select(Authorship.work_id).where(Authorship.researcher_id == researcher_id).scalar_subquery()
    sizes = (
        select(Authorship.work_id, func.count().label("n"))
        .where(Authorship.work_id.in_(mine))
        .group_by(Authorship.work_id)
        .subquery()
    )
    share = case((sizes.c.n > 1, cast(1.0, Float) / (sizes.c.n - 1)), else_=cast(0.0, Float))
    year = func.nullif(Work.year, 0)
    rows = session.connection().execute(
        select(Authorship.researcher_id, func.sum(share), func.count(), func.min(year), func.max(year))
        .join(sizes, sizes.c.work_id == Authorship.work_id)
        .join(Work, Work.id == Authorship.work_id)
        .where(Authorship.researcher_id != researcher_id)
        .group_by(Authorship.researcher_id)
    ).all()
    skip = placeholder_ids(session=session)
    return {
        rid: {"strength": round(float(strength), 9), "works": works, "first_year": first, "last_year": last}
        for rid, strength, works, first, last in rows
        if rid not in skip
    }


def close_collaborators(
    *, session: Session, researcher_id: int, limit: int = 10, tallies: dict[int, dict] | None = None
) -> list[Collaborator]:
    """Co-authors ranked by Newman collaboration strength (sum over shared works of 1/(n-1)).

    ``tallies`` (``coauthor_tallies``) when the caller has them already.
    """
    agg = coauthor_tallies(session=session, researcher_id=researcher_id) if tallies is None else tallies
    ranked = heapq.nsmallest(limit, agg.items(), key=lambda kv: (-kv[1]["strength"], -kv[1]["works"], kv[0]))
    people = dict(
        session.exec(
            select(Researcher.id, Researcher.display_name).where(Researcher.id.in_([k for k, _ in ranked]))
        ).all()
    )
    inst_names = _last_institution_names(session, [k for k, _ in ranked])
    return [
        Collaborator(
            id=rid,
            name=people[rid],
            shared_works=a["works"],
            strength=round(a["strength"], 4),
            first_year=a["first_year"],
            last_year=a["last_year"],
            institutions=inst_names.get(rid, []),
        )
        for rid, a in ranked
    ]


def _last_institution_names(session: Session, researcher_ids: list[int]) -> dict[int, list[str]]:
    if not researcher_ids:
        return {}
    rows = session.exec(
        select(ResearcherInstitution.researcher_id, Institution.name)
        .join(Institution, Institution.id == ResearcherInstitution.institution_id)
        .where(ResearcherInstitution.researcher_id.in_(researcher_ids), ResearcherInstitution.is_last_known)
    ).all()
    out: dict[int, list[str]] = defaultdict(list)
    for rid, name in rows:
        out[rid].append(name)
    return dict(out)


def researcher_merge_candidates(*, session: Session, researcher_id: int) -> list[dict]:
    rows = session.exec(
        select(MergeCandidate).where(
            or_(MergeCandidate.researcher_a_id == researcher_id, MergeCandidate.researcher_b_id == researcher_id),
            MergeCandidate.status == "open",
        )
    ).all()
    out = []
    for m in rows:
        other = m.researcher_b_id if m.researcher_a_id == researcher_id else m.researcher_a_id
        out.append(
            {
                "id": m.id,
                "other_id": other,
                "other_name": session.get(Researcher, other).display_name,
                "reason": m.reason,
                "score": m.score,
            }
        )
    return out


def researcher_sources(*, session: Session, researcher_id: int) -> list[dict]:
    """Which sources and files the person's own record and works came from, and when last seen."""
    # Two index lookups joined by UNION ALL, not one OR: PostgreSQL cannot use an index for ``a OR x IN (subquery)``
    # and read the whole provenance table for it (~150 ms at a million works).
    cols = (Provenance.source, Provenance.file, Provenance.last_seen)
    own = select(*cols).where(Provenance.entity_type == "researcher", Provenance.entity_id == researcher_id)
    work_ids = select(Authorship.work_id).where(Authorship.researcher_id == researcher_id)
    # IN (subquery), not a join: SQLite plans the join from provenance's side and reads every work record.
    of_works = select(*cols).where(Provenance.entity_type == "work", Provenance.entity_id.in_(work_ids))
    both = union_all(own, of_works).subquery()
    rows = session.exec(
        select(both.c.source, both.c.file, func.count(), func.max(both.c.last_seen)).group_by(both.c.source, both.c.file)
    ).all()
    return [{"source": s, "file": f, "records": n, "last_seen": str(t)[:19]} for s, f, n, t in rows]
