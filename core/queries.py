"""Read side: one function per panel of a page, returning plain view models (dataclasses / dicts).

Pages and the CLI call the same functions, so ``python -m core researcher ... --json`` shows what the page shows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field

from sqlalchemy import func, or_
from sqlmodel import Session, select

from core import metrics, names
from core.ingest.ids import norm_arxiv, norm_doi, norm_openalex, norm_orcid
from core.ingest.upsert import title_key
from core.models import (
    Authorship,
    AuthorshipInstitution,
    Citation,
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
    WorkVersion,
)
from core.trust_refresh import trust_history

TOPIC_KINDS = ("topic", "concept", "field_of_study", "category", "keyword")


class NotFound(LookupError):
    """Nothing matches the query; ``str()`` says what was looked for."""


class Ambiguous(LookupError):
    """Several records match; ``candidates`` lists ``(id, label)`` pairs to choose from."""

    def __init__(self, query: str, candidates: list[tuple[int, str]]):
        self.candidates = candidates
        listed = "; ".join(f"{i}: {label}" for i, label in candidates[:10])
        super().__init__(f"{query!r} matches {len(candidates)} records ({listed}); use an id")


# ---- resolving what a person typed ---------------------------------------------------------------
def resolve_researcher(*, session: Session, query: str) -> int:
    """Researcher id for an internal id, OpenAlex id, ORCID, Semantic Scholar / DBLP / seed id, or exact name."""
    q = str(query).strip()
    if not q:
        raise NotFound("empty researcher query")
    if q.isdigit() and session.get(Researcher, int(q)):
        return int(q)
    probes = []
    oa = norm_openalex(q)
    if oa and oa.startswith("A"):
        probes.append(Researcher.openalex_id == oa)
    orcid = norm_orcid(q)
    if orcid:
        probes.append(Researcher.orcid == orcid)
    probes += [Researcher.seed_key == q, Researcher.s2_id == q.removeprefix("s2:"), Researcher.dblp_pid == q]
    rid = session.exec(select(Researcher.id).where(or_(*probes))).first()
    if rid is not None:
        return rid
    key = names.name_key(q)
    rows = session.exec(select(Researcher.id, Researcher.display_name).where(Researcher.name_key == key)).all()
    if not rows:
        ids = session.exec(
            select(ResearcherAlias.researcher_id).where(ResearcherAlias.name_key == key).distinct()
        ).all()
        rows = [(i, session.get(Researcher, i).display_name) for i in ids]
    if len(rows) == 1:
        return rows[0][0]
    if len(rows) > 1:
        # The same name on several records: prefer the one with the most works, but say so.
        raise Ambiguous(q, [(i, f"{n} ({_works_count(session, i)} works)") for i, n in rows])
    raise NotFound(f"no researcher matches {q!r} (try an OpenAlex id, an ORCID iD or the exact name)")


def resolve_work(*, session: Session, query: str) -> int:
    """Work id for an internal id, DOI, arXiv id, OpenAlex id, S2 id, seed key or exact title."""
    q = str(query).strip()
    if not q:
        raise NotFound("empty paper query")
    if q.isdigit() and session.get(Work, int(q)):
        return int(q)
    probes = [Work.seed_key == q, Work.s2_id == q.removeprefix("s2:"), Work.dblp_key == q]
    doi = norm_doi(q)
    if doi:
        probes += [Work.doi == doi]
    oa = norm_openalex(q)
    if oa and oa.startswith("W"):
        probes.append(Work.openalex_id == oa)
    arxiv = norm_arxiv(q) if not doi else None
    if arxiv:
        probes.append(Work.arxiv_id == arxiv)
    wid = session.exec(select(Work.id).where(or_(*probes))).first()
    if wid is None and (doi or arxiv):
        col, value = (WorkVersion.doi, doi) if doi else (WorkVersion.arxiv_id, arxiv)
        wid = session.exec(select(WorkVersion.work_id).where(col == value)).first()
    if wid is not None:
        return wid
    rows = session.exec(select(Work.id, Work.title, Work.year).where(Work.title_key == title_key(q))).all()
    if len(rows) == 1:
        return rows[0][0]
    if len(rows) > 1:
        raise Ambiguous(q, [(i, f"{t} ({y})") for i, t, y in rows])
    raise NotFound(f"no paper matches {q!r} (try a DOI, an arXiv id, an OpenAlex id or the exact title)")


def resolve_institution(*, session: Session, query: str) -> int:
    """Institution id for an internal id, OpenAlex id (I...), ROR id or URL, or exact name."""
    from core.ingest.ids import norm_ror

    q = str(query).strip()
    if q.isdigit() and session.get(Institution, int(q)):
        return int(q)
    probes = []
    oa = norm_openalex(q)
    if oa and oa.startswith("I"):
        probes.append(Institution.openalex_id == oa)
    if "ror.org" in q or (len(q) == 9 and q[0] == "0"):
        probes.append(Institution.ror == norm_ror(q))
    if probes:
        iid = session.exec(select(Institution.id).where(or_(*probes))).first()
        if iid is not None:
            return iid
    rows = session.exec(select(Institution.id, Institution.name).where(Institution.name == q)).all()
    if len(rows) == 1:
        return rows[0][0]
    if len(rows) > 1:
        raise Ambiguous(q, list(rows))
    raise NotFound(f"no institution matches {q!r} (try an OpenAlex id, a ROR id or the exact name)")


def _works_count(session: Session, researcher_id: int) -> int:
    return session.exec(select(func.count()).where(Authorship.researcher_id == researcher_id)).one()


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
        return asdict(self)


def researcher_profile(*, session: Session, researcher_id: int, collaborators: int = 10) -> ResearcherProfile:
    r = session.get(Researcher, researcher_id)
    if r is None:
        raise NotFound(f"no researcher with id {researcher_id}")
    works = researcher_works(session=session, researcher_id=researcher_id)
    topics = researcher_topics(session=session, researcher_id=researcher_id)
    years = [w.year for w in works]
    cites = [w.cited_by_count for w in works]
    first, last = metrics.active_years(years)
    cby = session.exec(select(Work.counts_by_year).where(Work.id.in_([w.id for w in works]))).all() if works else []
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
        close_collaborators=close_collaborators(session=session, researcher_id=researcher_id, limit=collaborators),
        works=works,
        name_variants=sorted(
            set(session.exec(select(ResearcherAlias.name).where(ResearcherAlias.researcher_id == r.id)).all())
            - {r.display_name}
        ),
        merge_candidates=researcher_merge_candidates(session=session, researcher_id=r.id),
        sources=researcher_sources(session=session, researcher_id=r.id),
        trust=researcher_trust(session=session, researcher_id=r.id),
        trust_history=[
            {"computed_at": h.get("computed_at"), "score": h["score"], "band": h["band"], "level": h["level"]}
            for h in trust_history(session=session, researcher_id=r.id)
        ],
        claim_status=r.claim_status,
        collaborators_total=collaborator_count(session=session, researcher_id=r.id),
        followers=_followers(session, r.id),
    )


def _followers(session: Session, researcher_id: int) -> int:
    from core.social import follower_count

    return follower_count(session=session, researcher_id=researcher_id)


def collaborator_count(*, session: Session, researcher_id: int) -> int:
    """Number of distinct co-authors (placeholders such as "Deleted Author" left out)."""
    mine = select(Authorship.work_id).where(Authorship.researcher_id == researcher_id)
    return session.exec(
        select(func.count(func.distinct(Authorship.researcher_id)))
        .join(Researcher, Researcher.id == Authorship.researcher_id)
        .where(
            Authorship.work_id.in_(mine),
            Authorship.researcher_id != researcher_id,
            Researcher.is_placeholder.is_(False),
        )
    ).one()


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
    rows = session.exec(
        select(Work, Venue.name)
        .join(Authorship, Authorship.work_id == Work.id)
        .outerjoin(Venue, Venue.id == Work.venue_id)
        .where(Authorship.researcher_id == researcher_id)
        .order_by(Work.year.desc(), Work.id)
    ).all()
    if not rows:
        return []
    ids = [w.id for w, _ in rows]
    counts = dict(
        session.exec(
            select(Authorship.work_id, func.count()).where(Authorship.work_id.in_(ids)).group_by(Authorship.work_id)
        ).all()
    )
    topic_rows = session.exec(
        select(WorkTopic.work_id, Topic.name)
        .join(Topic, Topic.id == WorkTopic.topic_id)
        .where(WorkTopic.work_id.in_(ids), Topic.kind.in_(TOPIC_KINDS))
        .order_by(WorkTopic.score.desc())
    ).all()
    topics: dict[int, list[str]] = defaultdict(list)
    for wid, name in topic_rows:
        topics[wid].append(name)
    return [
        WorkItem(
            id=w.id,
            title=w.title or "Untitled work",
            year=w.year,
            type=w.type,
            venue=venue,
            doi=w.doi,
            arxiv_id=w.arxiv_id,
            cited_by_count=w.cited_by_count or 0,
            authors_count=counts.get(w.id, 0),
            abstract=w.abstract,
            topics=topics.get(w.id, [])[:3],
        )
        for w, venue in rows
    ]


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


def close_collaborators(*, session: Session, researcher_id: int, limit: int = 10) -> list[Collaborator]:
    """Co-authors ranked by Newman collaboration strength (sum over shared works of 1/(n-1))."""
    mine = select(Authorship.work_id).where(Authorship.researcher_id == researcher_id).scalar_subquery()
    sizes = (
        select(Authorship.work_id, func.count().label("n"))
        .where(Authorship.work_id.in_(mine))
        .group_by(Authorship.work_id)
        .subquery()
    )
    rows = session.exec(
        select(Authorship.researcher_id, Authorship.work_id, sizes.c.n, Work.year)
        .join(sizes, sizes.c.work_id == Authorship.work_id)
        .join(Work, Work.id == Authorship.work_id)
        .join(Researcher, Researcher.id == Authorship.researcher_id)
        .where(Authorship.researcher_id != researcher_id, Researcher.is_placeholder.is_(False))
    ).all()
    agg: dict[int, dict] = defaultdict(lambda: {"strength": 0.0, "works": 0, "years": []})
    for rid, _wid, n, year in rows:
        a = agg[rid]
        a["strength"] += 1.0 / (n - 1) if n > 1 else 0.0
        a["works"] += 1
        if year:
            a["years"].append(year)
    ranked = sorted(agg.items(), key=lambda kv: (-kv[1]["strength"], -kv[1]["works"], kv[0]))[:limit]
    people = {r.id: r for r in session.exec(select(Researcher).where(Researcher.id.in_([k for k, _ in ranked])))}
    inst_names = _last_institution_names(session, [k for k, _ in ranked])
    return [
        Collaborator(
            id=rid,
            name=people[rid].display_name,
            shared_works=a["works"],
            strength=round(a["strength"], 4),
            first_year=min(a["years"]) if a["years"] else None,
            last_year=max(a["years"]) if a["years"] else None,
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
    work_ids = select(Authorship.work_id).where(Authorship.researcher_id == researcher_id)
    rows = session.exec(
        select(Provenance.source, Provenance.file, func.count(), func.max(Provenance.last_seen))
        .where(
            or_(
                (Provenance.entity_type == "researcher") & (Provenance.entity_id == researcher_id),
                (Provenance.entity_type == "work") & Provenance.entity_id.in_(work_ids),
            )
        )
        .group_by(Provenance.source, Provenance.file)
    ).all()
    return [{"source": s, "file": f, "records": n, "last_seen": str(t)[:19]} for s, f, n, t in rows]


# ---- search and stats -----------------------------------------------------------------------------
def search(*, session: Session, query: str, limit: int = 10) -> dict[str, list[dict]]:
    """Researchers, works, topics and institutions whose name or title contains the query."""
    q = query.strip()
    if len(q) < 2:
        return {"researchers": [], "works": [], "topics": [], "institutions": []}
    like = f"%{q}%"
    people = session.exec(
        select(Researcher.id, Researcher.display_name).where(Researcher.display_name.ilike(like)).limit(limit)
    ).all()
    works = session.exec(select(Work.id, Work.title, Work.year).where(Work.title.ilike(like)).limit(limit)).all()
    topics = session.exec(
        select(Topic.id, Topic.name, Topic.kind).where(Topic.name.ilike(like), Topic.kind.in_(TOPIC_KINDS)).limit(limit)
    ).all()
    insts = session.exec(
        select(Institution.id, Institution.name, Institution.country_code)
        .where(Institution.name.ilike(like))
        .limit(limit)
    ).all()
    return {
        "researchers": [{"id": i, "name": n} for i, n in people],
        "works": [{"id": i, "title": t or "Untitled work", "year": y} for i, t, y in works],
        "topics": [{"id": i, "name": n, "kind": k} for i, n, k in topics],
        "institutions": [{"id": i, "name": n, "country_code": c} for i, n, c in insts],
    }


def store_stats(*, session: Session) -> dict[str, int]:
    def count(model, *where) -> int:
        q = select(func.count()).select_from(model)
        for w in where:
            q = q.where(w)
        return session.exec(q).one()

    return {
        "works": count(Work),
        "researchers": count(Researcher),
        "institutions": count(Institution),
        "topics": count(Topic, Topic.kind.in_(TOPIC_KINDS)),
        "venues": count(Venue),
        "authorships": count(Authorship),
        "citations": count(Citation),
        "citations_in_store": count(Citation, Citation.cited_work_id.is_not(None)),
        "works_with_abstract": count(Work, Work.abstract.is_not(None)),
        "merge_candidates": count(MergeCandidate, MergeCandidate.status == "open"),
    }


def topic_counts(*, session: Session) -> Counter:
    return Counter(dict(session.exec(select(Topic.kind, func.count()).group_by(Topic.kind)).all()))


# The paper page's and the graph slice's panels live in their own modules; ``core.queries`` stays the one
# read-side entry point for pages and the CLI.
from core.graph_queries import metrics_log, researcher_graph_slice  # noqa: E402, F401
from core.paper_queries import (  # noqa: E402, F401
    paper_authors,
    paper_citing,
    paper_detail,
    paper_references,
    paper_related,
    paper_topics,
)
