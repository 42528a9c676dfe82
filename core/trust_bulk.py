"""The facts of every researcher's trust snapshot at once, for a recompute of the whole store.

``core.trust_refresh.trust_facts`` gathers a batch's facts with indexed SQL, which suits an import or a claim (a
few thousand people). Run over a whole store it walks the same index paths once per batch, and the count of
self-citations alone probes the authorship index once per (author, citation received) pair: about 43 million
probes at a million works, two thirds of a 500 s recompute.

Here the store is read once, as integer columns, and every count is a vectorised group-by over NumPy arrays:

- bylines: ``(researcher, work)`` pairs, sorted by researcher then work (the per-person sums and the h-index);
- works: year, citations reported, and three flags (DOI or arXiv id, peer reviewed, retracted), indexed by id;
- citations: ``(cited, citing)`` pairs between stored works (citations received, and self-citations: a citation
  one of whose citing work's authors is also an author of the cited work, counted once per such author).

Each pair of ids is read as one 64-bit integer (``a * 2**32 + b``), the cheapest shape a database driver hands
to Python; SQLite hands a whole column over as one comma-joined text, which NumPy parses. The facts are the same as ``trust_facts`` gives, field by field; ``tests/unit/test_trust_bulk.py``
compares the two on stores of real records, on SQLite and PostgreSQL. Memory is about 40 bytes per byline and
per citation (under 1 GB at a million works, and for a moment the text of the largest column, about 150 MB),
which is why page code never takes this path.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import datetime

import numpy as np
from sqlalchemy import text
from sqlmodel import Session

from core import trust
from core.community import NOBODY, community_facts_all

SHIFT = 32  # a pair (a, b) of ids travels as a * 2**32 + b: ids stay below 2**31 in both databases
FETCH = 200_000  # rows per driver round trip


def _packed(session: Session, sql: str) -> np.ndarray:
    """One BIGINT column of ``sql`` (named ``v``) as an int64 array, in no particular order.

    SQLite: the column joined into one text by ``group_concat`` and parsed by NumPy, a third of the time of a row
    per value through the driver (4.1 million bylines at a million works: 0.9 s instead of 2.2 s). PostgreSQL: read
    in chunks through a server-side cursor."""
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        joined = conn.exec_driver_sql(f"SELECT group_concat(v) FROM ({sql})").scalar()
        return np.fromstring(joined, dtype=np.int64, sep=",") if joined else np.zeros(0, dtype=np.int64)
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor(name="peerscope_trust_bulk")
        cursor.itersize = FETCH
    else:
        cursor = conn.connection.cursor()
    try:
        cursor.execute(sql)
        chunks = []
        while rows := cursor.fetchmany(FETCH):
            chunks.append(np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64, count=len(rows)))
    finally:
        cursor.close()
    return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int64)


def _split(packed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return packed >> SHIFT, packed & ((1 << SHIFT) - 1)


def _peer_reviewed_sql() -> str:
    """``trust_refresh.is_peer_reviewed`` in SQL (the tests check that both agree on real records)."""
    from core.trust_refresh import PEER_REVIEWED_TYPES

    types = ", ".join(f"'{t}'" for t in sorted(PEER_REVIEWED_TYPES - {"preprint"}))
    return f"(w.type IN ({types}) AND (ven.type IS NULL OR ven.type <> 'repository'))"


def _work_columns(session: Session) -> tuple[np.ndarray, ...]:
    """Per work id: year (0 when unknown), citations reported, and the DOI/arXiv, peer-reviewed and retracted flags."""
    flags = (
        "CASE WHEN COALESCE(w.doi, '') <> '' OR COALESCE(w.arxiv_id, '') <> '' THEN 1 ELSE 0 END"
        f" + CASE WHEN {_peer_reviewed_sql()} THEN 2 ELSE 0 END"
        " + CASE WHEN w.is_retracted THEN 4 ELSE 0 END"
    )
    # id | year | flags in one integer, citations in a second pass.
    meta = _packed(
        session,
        f"SELECT w.id * {1 << SHIFT} + COALESCE(w.year, 0) * 8 + {flags} AS v FROM work w "
        "LEFT OUTER JOIN venue ven ON ven.id = w.venue_id",
    )
    ids, rest = _split(meta)
    cited = _packed(session, f"SELECT id * {1 << SHIFT} + COALESCE(cited_by_count, 0) AS v FROM work")
    size = int(ids.max()) + 1 if len(ids) else 1
    year, flag, cites = (np.zeros(size, dtype=np.int64) for _ in range(3))
    year[ids], flag[ids] = rest >> 3, rest & 7
    cited_ids, counts = _split(cited)
    cites[cited_ids] = counts
    return year, cites, flag


class Aggregates:
    """Per-researcher counts over the whole store, as Python lists indexed by researcher id."""

    def __init__(self, session: Session) -> None:
        # Sorted by researcher, then work (the per-person runs below, and the self-citation lookups).
        rid, wid = _split(np.sort(_packed(session, f"SELECT researcher_id * {1 << SHIFT} + work_id AS v FROM authorship")))
        size = int(rid.max()) + 1 if len(rid) else 1
        year, cites, flag = _work_columns(session)
        y, c, f = year[wid], cites[wid], flag[wid]

        self.works = np.bincount(rid, minlength=size)
        self.citations = np.bincount(rid, weights=c, minlength=size).astype(np.int64)
        self.with_id = np.bincount(rid, weights=f & 1, minlength=size).astype(np.int64)
        self.peer_reviewed = np.bincount(rid, weights=(f >> 1) & 1, minlength=size).astype(np.int64)
        self.retracted = np.bincount(rid, weights=(f >> 2) & 1, minlength=size).astype(np.int64)
        first, last = np.zeros(size, dtype=np.int64), np.zeros(size, dtype=np.int64)
        dated = y > 0
        if dated.any():
            r, yy = rid[dated], y[dated]
            starts = np.flatnonzero(np.r_[True, r[1:] != r[:-1]])  # pairs are sorted by researcher
            first[r[starts]] = np.minimum.reduceat(yy, starts)
            last[r[starts]] = np.maximum.reduceat(yy, starts)
        self.first, self.last = first, last
        self.h_index = _h_index(rid, c, size)
        self.received, self.self_cited = _citations_received(session, rid, wid, size)
        # Plain lists: reading one element of a list is ten times cheaper than of an array.
        for name in ("works", "citations", "with_id", "peer_reviewed", "retracted", "first", "last", "h_index",
                     "received", "self_cited"):  # fmt: skip
            setattr(self, name, getattr(self, name).tolist())
        self.size = size

    def get(self, name: str, rid: int) -> int:
        values = getattr(self, name)
        return values[rid] if rid < self.size else 0


def _h_index(rid: np.ndarray, cites: np.ndarray, size: int) -> np.ndarray:
    """``metrics.h_index`` of every researcher: rank each person's works by citations, count ranks r with >= r."""
    if not len(rid):
        return np.zeros(size, dtype=np.int64)
    order = np.lexsort((-cites, rid))
    r, c = rid[order], cites[order]
    starts = np.flatnonzero(np.r_[True, r[1:] != r[:-1]])
    lengths = np.diff(np.r_[starts, len(r)])
    rank = np.arange(len(r)) - np.repeat(starts, lengths) + 1
    return np.bincount(r[c >= rank], minlength=size)


def _citations_received(session: Session, rid: np.ndarray, wid: np.ndarray, size: int,
                        chunk: int = 1_000_000) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Citations each researcher's works received from stored works, and how many of them came from the
    researcher's own works (``trust_refresh._self_citation_shares`` counts the same pairs with a join)."""
    cited, citing = _split(_packed(session, f"SELECT cited_work_id * {1 << SHIFT} + citing_work_id AS v FROM citation "
                                            "WHERE cited_work_id IS NOT NULL"))  # fmt: skip
    received = np.zeros(size, dtype=np.int64)
    own = np.zeros(size, dtype=np.int64)
    if not len(cited) or not len(rid):
        return received, own
    n_works = int(max(wid.max(), cited.max(), citing.max())) + 1
    indegree = np.bincount(cited, minlength=n_works)
    received = np.bincount(rid, weights=indegree[wid], minlength=size).astype(np.int64)
    # The bylines again, grouped by work: the authors of work w are by_work[start[w] : start[w] + count[w]].
    order = np.argsort(wid, kind="stable")
    by_work = rid[order]
    count = np.bincount(wid, minlength=n_works)
    start = np.r_[0, np.cumsum(count)[:-1]]
    byline_keys = (rid << SHIFT) | wid  # sorted: the pairs came ordered by researcher, then work
    for i in range(0, len(cited), chunk):
        cd, cg = cited[i : i + chunk], citing[i : i + chunk]
        n = count[cd]  # one candidate per author of the cited work
        total = int(n.sum())
        if not total:
            continue
        offset = np.arange(total) - np.repeat(np.cumsum(n) - n, n)
        author = by_work[np.repeat(start[cd], n) + offset]
        # Is that author also on the citing work? Looked up in order: sorted first, the keys walk the bylines
        # forward instead of jumping around them (at a million works, 2.5 s instead of 8 s for 43 million keys).
        wanted = np.sort((author << SHIFT) | np.repeat(cg, n))
        pos = np.searchsorted(byline_keys, wanted)
        pos[pos == len(byline_keys)] = 0
        own += np.bincount(wanted[byline_keys[pos] == wanted] >> SHIFT, minlength=size)
    return received, own


def all_trust_facts(
    *,
    session: Session,
    network: dict[int, float],
    as_of: datetime,
    batch: int,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[list[trust.TrustFacts]]:
    """Every researcher's ``TrustFacts``, in batches of ``batch``, ordered by id."""
    from core.trust_refresh import assemble_facts, id_sources, merge_counts, record_sources, self_citation_share

    as_of_s = as_of.date().isoformat()
    agg = Aggregates(session)
    people = session.execute(
        text("SELECT id, openalex_id, s2_id, dblp_pid, seed_key, orcid FROM researcher ORDER BY id")
    ).all()
    sources = record_sources(session, None)
    merges = merge_counts(session, None)
    social = community_facts_all(session=session)
    total = len(people)
    for start in range(0, total, batch):
        out = []
        for r in people[start : start + batch]:
            rid = r[0]
            citations = agg.get("citations", rid)
            out.append(
                assemble_facts(
                    rid,
                    ids=id_sources(r[1], r[2], r[3], r[4]),
                    orcid=r[5],
                    source=sources.get(rid, f"store {as_of_s}"),
                    social=social.get(rid, NOBODY),
                    counts={
                        "works_count": agg.get("works", rid),
                        "first_year": agg.get("first", rid) or None,
                        "last_year": agg.get("last", rid) or None,
                        "works_with_doi_or_arxiv": agg.get("with_id", rid),
                        "peer_reviewed_works": agg.get("peer_reviewed", rid),
                        "citations": citations,
                        "h_index": agg.get("h_index", rid),
                        "retracted_works": agg.get("retracted", rid),
                    },
                    network_score=network.get(rid, 0.0),
                    self_share=self_citation_share(agg.get("received", rid), citations, agg.get("self_cited", rid)),
                    merges=merges.get(rid, 0),
                    as_of=as_of_s,
                )
            )
        yield out
        if progress:
            progress(min(start + batch, total), total)
