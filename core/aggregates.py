"""Counts kept current on write, so reads that run on every page view never count the corpus.

The sidebar of every page and the home page show how many works, researchers, institutions, topics, citations...
the store holds. Counting them is a scan of the biggest tables (``count(*)`` over ``work`` and ``citation``, and
``abstract IS NOT NULL`` reads every work row): about 100 ms at 100k works and ten times that at a million, paid by
every page view. Imports are the only writers of those tables, so the counts are taken once at the end of each
import (``refresh_after_import``, called by ``core.ingest.loader.finish_import`` next to the trust recompute) and
kept in the one-row ``StoreStats`` table; a read costs one row plus one round trip of ``max(id)`` look-ups.

Those ``max(id)`` marks guard against a writer that bypassed the import (a script, a test adding rows directly):
when a table's largest id differs from the one recorded with the counts, ``store_stats`` counts live instead of
returning stale figures. Open merge candidates change outside imports (an owner decides them), so that count is
always read live, from its status index.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from core.models import (
    Authorship,
    Citation,
    Institution,
    MergeCandidate,
    Researcher,
    StoreStats,
    Topic,
    Venue,
    Work,
    utcnow,
)

# The topic kinds the store summary counts (``core.queries.TOPIC_KINDS``; repeated so this module has no imports
# from the read side, which imports it).
COUNTED_TOPIC_KINDS = ("topic", "concept", "field_of_study", "category", "keyword")
# Tables whose largest id is recorded with the counts: a row added to any of them outside an import shows up.
MARKED = {"work": Work, "researcher": Researcher, "institution": Institution, "topic": Topic, "venue": Venue,
          "authorship": Authorship, "citation": Citation}  # fmt: skip
COUNTS = ("works", "researchers", "institutions", "topics", "venues", "authorships", "citations",
          "citations_in_store", "works_with_abstract")  # fmt: skip


def count_store(*, session: Session) -> dict[str, int]:
    """The corpus counts, counted now (a scan per table: call it on write, not per page view)."""

    def count(model, *where) -> int:
        q = select(func.count()).select_from(model)
        for w in where:
            q = q.where(w)
        return session.exec(q).one()

    return {
        "works": count(Work),
        "researchers": count(Researcher),
        "institutions": count(Institution),
        "topics": count(Topic, Topic.kind.in_(COUNTED_TOPIC_KINDS)),
        "venues": count(Venue),
        "authorships": count(Authorship),
        "citations": count(Citation),
        "citations_in_store": count(Citation, Citation.cited_work_id.is_not(None)),
        "works_with_abstract": count(Work, Work.abstract.is_not(None)),
    }


def id_marks(*, session: Session) -> dict[str, int | None]:
    """The largest id of every marked table, in one round trip (each is one step down a primary-key index)."""
    cols = [select(func.max(model.id)).scalar_subquery().label(name) for name, model in MARKED.items()]
    row = session.exec(select(*cols)).one()
    return dict(zip(MARKED, row, strict=True))


def refresh_store_stats(*, session: Session) -> dict[str, int]:
    """Count the corpus now and keep the counts (with the id marks) in the ``StoreStats`` row; returns the counts."""
    counts = count_store(session=session)
    row = session.get(StoreStats, 1) or StoreStats(id=1)
    for k, v in counts.items():
        setattr(row, k, v)
    row.marks = id_marks(session=session)
    row.refreshed_at = utcnow()
    session.add(row)
    session.flush()
    return counts


def refresh_after_import(*, session: Session, researcher_ids=None, work_ids=None) -> None:
    """Everything an import must bring up to date besides trust: the store counts.

    ``researcher_ids`` / ``work_ids`` (what the import touched) are accepted so that per-entity aggregates can join
    here later without another hook in every write path; the store counts do not need them.
    """
    refresh_store_stats(session=session)


def store_stats(*, session: Session) -> dict[str, int]:
    """The store summary: the kept counts when they are current (the id marks still match), else counted live.

    Always includes ``merge_candidates`` (open ones), read live from their status index.
    """
    row = session.get(StoreStats, 1)
    if row is not None and row.marks == id_marks(session=session):
        counts = {k: getattr(row, k) for k in COUNTS}
    else:
        counts = count_store(session=session)
    open_candidates = session.exec(
        select(func.count()).select_from(MergeCandidate).where(MergeCandidate.status == "open")
    ).one()
    return {**counts, "merge_candidates": open_candidates}
