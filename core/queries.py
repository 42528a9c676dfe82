"""Read side: one function per panel of a page, returning plain view models (dataclasses / dicts).

Pages and the CLI call the same functions, so ``python -m core researcher ... --json`` shows what the page shows.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, or_
from sqlmodel import Session, select

from core import names
from core.ingest.ids import norm_arxiv, norm_doi, norm_openalex, norm_orcid
from core.ingest.upsert import title_key
from core.models import (
    Authorship,
    Institution,
    Researcher,
    ResearcherAlias,
    Topic,
    Work,
    WorkVersion,
)

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


# ---- search and stats -----------------------------------------------------------------------------
def store_stats(*, session: Session) -> dict[str, int]:
    """Corpus counts for the sidebar, the home page and ``python -m core stats``.

    They are kept current by every import (``core.aggregates``), so this reads one row instead of counting the
    corpus on every page view.
    """
    from core.aggregates import store_stats as kept_store_stats

    return kept_store_stats(session=session)


def topic_counts(*, session: Session) -> Counter:
    return Counter(dict(session.exec(select(Topic.kind, func.count()).group_by(Topic.kind)).all()))


# The researcher page's, the paper page's and the graph slice's panels live in their own modules; ``core.queries``
# stays the one read-side entry point for pages and the CLI.
from core.graph_queries import metrics_log, researcher_graph_slice  # noqa: E402, F401
from core.paper_queries import (  # noqa: E402, F401
    paper_authors,
    paper_citing,
    paper_detail,
    paper_references,
    paper_related,
    paper_topics,
    works_for_citation,
)
from core.profile_queries import (  # noqa: E402, F401
    Collaborator,
    ResearcherProfile,
    WorkItem,
    close_collaborators,
    coauthor_tallies,
    collaborator_count,
    placeholder_ids,
    researcher_affiliation,
    researcher_merge_candidates,
    researcher_profile,
    researcher_sources,
    researcher_summary_line,
    researcher_topics,
    researcher_trust,
    researcher_works,
)
from core.search import search  # noqa: E402, F401  (global search, on the full-text index)
