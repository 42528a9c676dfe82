"""Read side of the paper page: one function per panel (see ``core.queries`` for the shared lookups)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func
from sqlmodel import Session, select

from core.models import (
    Authorship,
    AuthorshipInstitution,
    Citation,
    Institution,
    Researcher,
    Topic,
    Venue,
    Work,
    WorkTopic,
    WorkVersion,
)
from core.queries import NotFound


# ---- paper page ---------------------------------------------------------------------------------
def paper_detail(*, session: Session, work_id: int, related: bool = True, citing_limit: int | None = None) -> dict:
    """The paper page's view model. ``citing_limit`` keeps only the newest citing works (the page lists 100; a
    classic is cited thousands of times) while ``counts["cited_by_in_store"]`` still counts them all."""
    w = session.get(Work, work_id)
    if w is None:
        raise NotFound(f"no paper with id {work_id}")
    venue = session.get(Venue, w.venue_id) if w.venue_id else None
    authors = paper_authors(session=session, work_id=work_id)
    institutions: dict[int, dict] = {}
    for a in authors:
        for inst in a["institutions"]:
            institutions.setdefault(inst["id"], inst)
    versions = session.exec(select(WorkVersion).where(WorkVersion.work_id == work_id).order_by(WorkVersion.id)).all()
    references = paper_references(session=session, work_id=work_id)
    citing = paper_citing(session=session, work_id=work_id, limit=citing_limit)
    citing_total = (
        len(citing)
        if citing_limit is None or len(citing) < citing_limit
        else paper_citing_count(session=session, work_id=work_id)
    )
    return {
        "id": w.id,
        "title": w.title or "Untitled work",
        "abstract": w.abstract,
        "type": w.type,
        "year": w.year,
        "publication_date": w.publication_date,
        "language": w.language,
        "venue": {"id": venue.id, "name": venue.name, "type": venue.type, "publisher": venue.publisher}
        if venue
        else None,
        "ids": {
            "doi": w.doi,
            "arxiv": w.arxiv_id,
            "openalex": w.openalex_id,
            "s2": w.s2_id,
            "dblp": w.dblp_key,
            "pmid": w.pmid,
            "seed": w.seed_key,
        },
        "open_access": {"is_oa": w.is_oa, "status": w.oa_status, "url": w.oa_url},
        "code_urls": w.code_urls,
        "dataset_urls": w.dataset_urls,
        "is_retracted": w.is_retracted,
        "authors": authors,
        "authors_complete": w.authorships_complete,
        "institutions": list(institutions.values()),
        "countries": sorted({c for a in authors for c in a["countries"]}),
        "versions": [
            {
                "kind": v.kind,
                "label": v.label,
                "date": v.date,
                "year": v.year,
                "doi": v.doi,
                "arxiv_id": v.arxiv_id,
                "url": v.url,
                "venue": v.venue_name,
                "title": v.title,
            }
            for v in versions
        ],
        "topics": paper_topics(session=session, work_id=work_id),
        "keywords": w.keywords,
        "geo_tags": w.geo_tags,
        "counts": {
            "cited_by_reported": w.cited_by_count or 0,
            "cited_by_in_store": citing_total,
            "references": len(references),
            "references_in_store": sum(1 for r in references if r["work_id"]),
            **_social_counts(session, work_id),
        },
        "counts_by_year": w.counts_by_year,
        "references": references,
        "citing": citing,
        "related": paper_related(session=session, work_id=work_id) if related else [],
    }


def _social_counts(session: Session, work_id: int) -> dict:
    """Votes, rating, views, saves, reviews and comments, counted from the rows (``core.social``)."""
    from dataclasses import asdict

    from core.social import work_counts

    return asdict(work_counts(session=session, work_id=work_id))


def paper_related(*, session: Session, work_id: int, limit: int = 8) -> list[dict]:
    """Related papers with the reasons each is related (``core.related``)."""
    from core.related import as_dicts, related_papers

    return as_dicts(related_papers(session=session, work_id=work_id, limit=limit))


def paper_authors(*, session: Session, work_id: int) -> list[dict]:
    """The byline in order, each author with their institutions on this work (only the columns shown: a
    consortium paper has hundreds of authors, and whole researcher rows are wide)."""
    rows = session.exec(
        select(
            Authorship.id,
            Authorship.position,
            Authorship.is_corresponding,
            Authorship.equal_contribution,
            Authorship.raw_affiliation,
            Authorship.countries,
            Researcher.id,
            Researcher.display_name,
            Researcher.is_placeholder,
            Researcher.orcid,
        )
        .join(Researcher, Researcher.id == Authorship.researcher_id)
        .where(Authorship.work_id == work_id)
        .order_by(Authorship.position, Authorship.id)
    ).all()
    inst_rows = session.exec(
        select(AuthorshipInstitution.authorship_id, Institution.id, Institution.name, Institution.country_code)
        .join(Institution, Institution.id == AuthorshipInstitution.institution_id)
        .where(AuthorshipInstitution.authorship_id.in_([r[0] for r in rows]))
    ).all()
    insts: dict[int, list[dict]] = defaultdict(list)
    for aid, iid, name, country in inst_rows:
        insts[aid].append({"id": iid, "name": name, "country_code": country})
    return [
        {
            "id": rid,
            "name": name,
            "position": position,
            "is_corresponding": corresponding,
            "equal_contribution": equal,
            "raw_affiliation": raw_affiliation,
            "institutions": insts.get(aid, []),
            "countries": countries,
            "is_placeholder": placeholder,
            "orcid": orcid,
        }
        for aid, position, corresponding, equal, raw_affiliation, countries, rid, name, placeholder, orcid in rows
    ]


def paper_topics(*, session: Session, work_id: int) -> list[dict]:
    rows = session.exec(
        select(Topic, WorkTopic.score)
        .join(WorkTopic, WorkTopic.topic_id == Topic.id)
        .where(WorkTopic.work_id == work_id)
        .order_by(WorkTopic.score.desc(), Topic.name)
    ).all()
    return [{"id": t.id, "name": t.name, "kind": t.kind, "score": s} for t, s in rows]


def paper_references(*, session: Session, work_id: int, limit: int | None = None) -> list[dict]:
    q = (
        select(Citation, Work.title, Work.year)
        .outerjoin(Work, Work.id == Citation.cited_work_id)
        .where(Citation.citing_work_id == work_id)
        .order_by(Citation.id)
    )
    rows = session.exec(q.limit(limit) if limit else q).all()
    return [
        {
            "work_id": c.cited_work_id,
            "title": title or c.cited_title or c.raw,
            "year": year or c.cited_year,
            "doi": c.cited_doi,
            "openalex_id": c.cited_openalex_id,
            "key": c.cited_key,
        }
        for c, title, year in rows
    ]


def paper_citing_count(*, session: Session, work_id: int) -> int:
    """How many works in the store cite ``work_id`` (one range of ``ix_citation_cited_work``)."""
    return session.exec(select(func.count()).select_from(Citation).where(Citation.cited_work_id == work_id)).one()


def paper_citing(*, session: Session, work_id: int, limit: int | None = None) -> list[dict]:
    q = (
        select(Work.id, Work.title, Work.year)
        .join(Citation, Citation.citing_work_id == Work.id)
        .where(Citation.cited_work_id == work_id)
        .order_by(Work.year.desc(), Work.id)
    )
    rows = session.exec(q.limit(limit) if limit else q).all()
    return [{"work_id": i, "title": t or "Untitled work", "year": y} for i, t, y in rows]


# ---- citation exports of many works -------------------------------------------------------------------------------
def works_for_citation(*, session: Session, work_ids, chunk: int = 900) -> list[dict]:
    """What ``core.export.bibtex`` and ``ris`` read of ``paper_detail`` (title, type, year, venue name, DOI, arXiv
    id, the byline's names in order), for many works in a few queries; in the order of ``work_ids``, missing ones
    left out."""
    ids = list(work_ids)
    works: dict[int, dict] = {}
    bylines: dict[int, list[tuple]] = defaultdict(list)
    for i in range(0, len(ids), chunk):
        part = ids[i : i + chunk]
        for wid, title, kind, year, doi, arxiv, venue in session.exec(
            select(Work.id, Work.title, Work.type, Work.year, Work.doi, Work.arxiv_id, Venue.name)
            .outerjoin(Venue, Venue.id == Work.venue_id)
            .where(Work.id.in_(part))
        ).all():
            works[wid] = {"id": wid, "title": title or "Untitled work", "type": kind, "year": year,
                          "venue": {"name": venue} if venue is not None else None,
                          "ids": {"doi": doi, "arxiv": arxiv}}  # fmt: skip
        for wid, position, aid, name in session.exec(
            select(Authorship.work_id, Authorship.position, Authorship.id, Researcher.display_name)
            .join(Researcher, Researcher.id == Authorship.researcher_id)
            .where(Authorship.work_id.in_(part))
        ).all():
            bylines[wid].append((position, aid, name))
    out = []
    for wid in ids:
        if wid in works:
            byline = sorted(bylines.get(wid, []))
            out.append({**works[wid], "authors": [{"name": name} for _, _, name in byline]})
    return out
