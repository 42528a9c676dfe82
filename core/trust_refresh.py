"""Recomputing trust snapshots from the store: gather facts in bulk, score with ``core.trust``, keep the history.

Called after every import (for the researchers it touched) and after any event that changes an input
(claims, follows, reviews, reports). A new ``TrustRecord`` is stored only when the snapshot differs from the
latest one, so the history shows changes rather than repetitions.
"""

from __future__ import annotations

import gc
import itertools
import json
import multiprocessing
import os
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import bindparam, func, text, update
from sqlmodel import Session, select

from core import metrics, trust
from core.community import CommunityFacts, community_facts
from core.ingest.bulk_sql import insert_rows
from core.models import (
    Authorship,
    Citation,
    MergeCandidate,
    Provenance,
    Researcher,
    TrustRecord,
    Venue,
    Work,
    utcnow,
)

PEER_REVIEWED_TYPES = {"article", "proceedings-article", "book-chapter", "review", "letter", "book"}
BATCH = 2000
# Changed people in the first batch of a recompute of everyone from which the scoring goes to worker processes
# (a second each to start; a batch of 2,000 takes about 0.3 s to score).
PARALLEL_FROM = 1000
# A recompute of this many people, and this share of the store, reads the whole store once (core.trust_bulk)
# rather than batch by batch. At a million works a batch of 2,000 costs ~1.5 s and the whole read ~40 s: even
# at a tenth of the store the one read is ahead.
BULK_FROM, BULK_SHARE = 20_000, 0.1
# People checked between two commits of a recompute of everyone run on its own (``trust --all``): at a million works
# about three seconds of holding the write lock (see ``recompute_trust``).
COMMIT_EVERY = 20_000


def recompute_trust(
    *,
    session: Session,
    researcher_ids: Iterable[int] | None = None,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
    commit_every: int | None = None,
) -> int:
    """Recompute snapshots for the given researchers (all when ``None``); returns how many changed.

    All researchers: the facts come from one read of the store (``core.trust_bulk``), the same facts as
    :func:`trust_facts` gathers batch by batch for a given few. Given so many that the batches would cost more than
    that one read (an import that brings most of a store), everyone is recomputed the same way: the others' facts
    are checked too, and only the snapshots that changed are stored. ``progress(done, total)`` follows the batches.

    ``commit_every``: in a recompute of everyone, commit ``session`` each time about this many people have been
    checked (what the session held before is committed with the first batch). A recompute of everyone after a
    change to the scoring runs for minutes; committed as it goes, it holds SQLite's one write lock a batch at a
    time, so the app's writes (a follow, a vote) wait for a batch and not for the whole run, the write-ahead log
    stays small (each commit checkpoints it), and a run that is stopped keeps what it stored: run again, it skips
    the people already done (their facts digests match). Left ``None`` (an import, a claim), the recompute is part
    of the caller's transaction."""
    now = now or utcnow()
    network = network_scores(session=session)
    if researcher_ids is not None:
        ids = sorted(set(researcher_ids))
        if len(ids) >= BULK_FROM and len(ids) >= BULK_SHARE * session.exec(select(func.count(Researcher.id))).one():
            researcher_ids = None
    if researcher_ids is None:
        from core.trust_bulk import all_trust_facts

        # The newest record before the facts are read: a later one (another writer's, between two of this run's
        # commits) was computed from newer facts than this run holds, and is left as the person's latest.
        before = session.execute(select(func.max(TrustRecord.id))).scalar() or 0
        with collector_paused():
            batches = all_trust_facts(session=session, network=network, as_of=now, batch=BATCH, progress=progress)
            # Each batch holds every researcher of an id range: their latest records are found by range, not by list.
            return _store_all(session, (b for b in batches if b), now, commit_every=commit_every, before=before)
    changed = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        changed += _store_batch(session, trust_facts(session=session, researcher_ids=chunk, network=network, as_of=now), now)
        if progress:
            progress(min(start + BATCH, len(ids)), len(ids))
    return changed


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection for the length of a recompute of everyone, then a collection.

    The recompute holds a row per person (a million at a million works) and makes millions of short-lived
    containers; each collector pass walks the young ones and, every so often, everything held (building the
    snapshots took 126 µs a person with the collector, 68 µs without). Nothing the recompute builds needs the
    collector to be freed."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
            gc.collect()


def scoring_workers() -> int:
    """Processes that score a recompute of everyone beside the one reading and writing the store: one per core
    (``PEERSCOPE_TRUST_WORKERS`` overrides; 0 scores in this process)."""
    configured = os.environ.get("PEERSCOPE_TRUST_WORKERS")
    if configured is not None:
        return max(0, int(configured))
    cores = os.cpu_count() or 1
    return cores if cores > 1 else 0


def start_method() -> str | None:
    """How worker processes start: forked, where the platform can fork; elsewhere none start, and this process scores.

    Not spawned: a spawned process imports the parent's main module again, and under Streamlit that is the page
    script that ran the import (a CI run caught it: the workers ran app.py, and the pool broke). A fork from the
    threaded app server is safe here because the children only score: they take batches from the pool's queue and
    never log, open a file, or use the database connections they inherit (a child leaves without closing them)."""
    return "fork" if "fork" in multiprocessing.get_all_start_methods() else None


def _store_all(session: Session, batches: Iterator[list[trust.TrustFacts]], now: datetime, *,
               commit_every: int | None = None, before: int | None = None) -> int:
    """``_store_batch`` over the batches of a recompute of everyone, the scoring spread over worker processes.

    After a change to the scoring every snapshot is new: scoring (six explained components and the suggestions)
    and writing each as JSON is then most of the work, all of it pure Python. The workers score the batches that
    this process has read (and skipped the unchanged people of), while it reads the next batches and writes the
    scored ones, in order. Workers start once a batch holds enough changed people to be worth their start-up.

    ``commit_every`` and ``before``: see :func:`recompute_trust`."""
    stamp = now.isoformat(timespec="seconds")
    batches = iter(batches)
    changed, first, since_commit = 0, [], 0

    def write(todo: _Changed, scored: list[tuple]) -> int:
        nonlocal since_commit
        stored = _write(session, todo, scored, now)
        since_commit += todo.checked
        if commit_every and since_commit >= commit_every:
            session.commit()
            since_commit = 0
        return stored

    def changed_of(facts: list[trust.TrustFacts]) -> _Changed:
        return _changed(session, facts, whole_range=True, before=before)

    for facts in batches:  # score in this process until a batch has enough changed people to start workers
        todo = changed_of(facts)
        if len(todo.facts) >= PARALLEL_FROM and (workers := scoring_workers()) and (method := start_method()):
            first = [todo]
            break
        changed += write(todo, trust.score_rows(todo.facts, stamp))
    else:
        return changed
    ctx = multiprocessing.get_context(method)
    # A forked worker starts as this process is: the same algorithm version, and no cyclic collector (paused).
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        queue: deque = deque()
        for todo in itertools.chain(first, (changed_of(facts) for facts in batches)):
            queue.append((todo, pool.submit(trust.score_rows, todo.facts, stamp)))
            while len(queue) > 2 * workers:  # keep every worker busy, and at most a few batches in memory
                todo, scored = queue.popleft()
                changed += write(todo, scored.result())
        while queue:
            todo, scored = queue.popleft()
            changed += write(todo, scored.result())
    return changed


def network_scores(*, session: Session) -> dict[int, float]:
    """Trust propagated from verified (L3, claimed) researchers over the weighted co-authorship graph.

    Only the connected neighbourhood of verified people can receive anything, so the graph is built from the works
    of verified people and of their co-authors (two hops), never the whole corpus.
    """
    verified = set(session.exec(select(Researcher.id).where(Researcher.claim_status == "claimed")).all())
    if not verified:
        return {}
    import networkx as nx

    from core.network import collaboration_strengths
    from core.trust_graph import verified_trust_scores

    people = set(verified)
    for _ in range(2):
        works = select(Authorship.work_id).where(Authorship.researcher_id.in_(people))
        people |= set(session.exec(select(Authorship.researcher_id).where(Authorship.work_id.in_(works))).all())
    rows = session.exec(
        select(Authorship.work_id, Authorship.researcher_id).where(Authorship.researcher_id.in_(people))
    ).all()
    bylines: dict[int, list[int]] = defaultdict(list)
    for wid, rid in rows:
        bylines[wid].append(rid)
    g = nx.Graph()
    g.add_nodes_from(people)
    for (a, b), w in collaboration_strengths(bylines.values()).items():
        g.add_edge(a, b, weight=w)
    return {int(k): float(v) for k, v in verified_trust_scores(g, verified).items() if v}


def trust_facts(
    *, session: Session, researcher_ids: list[int], network: dict[int, float] | None = None, as_of: datetime | None = None
) -> list[trust.TrustFacts]:
    """The dated facts a snapshot needs, for a batch of researchers, in a handful of queries."""
    network = network or {}
    as_of_s = (as_of or utcnow()).date().isoformat()
    people = {
        r.id: r
        for r in session.execute(
            select(Researcher.id, Researcher.openalex_id, Researcher.s2_id, Researcher.dblp_pid, Researcher.seed_key,
                   Researcher.orcid).where(Researcher.id.in_(researcher_ids))
        )
    }  # fmt: skip
    rows = session.exec(
        select(Authorship.researcher_id, Work.id, Work.year, Work.cited_by_count, Work.doi, Work.arxiv_id, Work.type,
               Work.is_retracted, Venue.type)
        .join(Work, Work.id == Authorship.work_id)
        .outerjoin(Venue, Venue.id == Work.venue_id)
        .where(Authorship.researcher_id.in_(researcher_ids))
    ).all()
    works: dict[int, list] = defaultdict(list)
    for row in rows:
        works[row[0]].append(row[1:])
    merges = merge_counts(session, researcher_ids)
    reported_cites = {rid: sum(w[2] or 0 for w in mine) for rid, mine in works.items()}
    self_cites = _self_citation_shares(session, researcher_ids, reported_cites)
    sources = record_sources(session, researcher_ids)
    social = community_facts(session=session, researcher_ids=researcher_ids)
    out = []
    for rid in researcher_ids:
        r = people.get(rid)
        if r is None:
            continue
        mine = works.get(rid, [])
        years = [w[1] for w in mine]
        first, last = metrics.active_years(years)
        cites = [w[2] or 0 for w in mine]
        out.append(
            assemble_facts(
                rid,
                ids=id_sources(r.openalex_id, r.s2_id, r.dblp_pid, r.seed_key),
                orcid=r.orcid,
                source=sources.get(rid, f"store {as_of_s}"),
                social=social[rid],
                counts={
                    "works_count": len(mine),
                    "first_year": first,
                    "last_year": last,
                    "works_with_doi_or_arxiv": sum(1 for w in mine if w[3] or w[4]),
                    "peer_reviewed_works": sum(1 for w in mine if is_peer_reviewed(w[5], w[7])),
                    "citations": sum(cites),
                    "h_index": metrics.h_index(cites),
                    "retracted_works": sum(1 for w in mine if w[6]),
                },
                network_score=network.get(rid, 0.0),
                self_share=self_cites.get(rid),
                merges=merges.get(rid, 0),
                as_of=as_of_s,
            )
        )
    return out


def assemble_facts(
    rid: int,
    *,
    ids: tuple[str, ...],
    orcid: str | None,
    source: str,
    social: CommunityFacts,
    counts: dict,
    network_score: float,
    self_share: float | None,
    merges: int,
    as_of: str,
) -> trust.TrustFacts:
    """A person's ``TrustFacts`` from what either path gathers (this module's batches, ``core.trust_bulk``'s one
    read): ``counts`` holds the counted works facts, ``source`` dates the person's record."""
    return trust.TrustFacts(
        researcher_id=rid,
        has_persistent_id=bool(ids),
        id_sources=ids,
        orcid=orcid,
        orcid_source=source if orcid else None,
        claim_status=social.claim_status,
        claim_verified=social.claim_verified,
        network_score=network_score,
        verified_followers=social.verified_followers,
        verified_reviews=social.verified_reviews,
        upheld_reports=social.upheld_reports,
        self_citation_share=self_share,
        open_merge_candidates=merges,
        as_of=as_of,
        sources=fact_sources(source, as_of),
        **counts,
    )


# What a person's record and works carry (dated by the record's source), and what Peerscope itself holds or derives
# (claims, follows, reviews, reports, the co-authorship network, self-citations among stored works, merges).
RECORD_FACTS = ("has_persistent_id", "orcid", "works_count", "first_year", "last_year", "works_with_doi_or_arxiv",
                "peer_reviewed_works", "citations", "h_index", "retracted_works")  # fmt: skip
PEERSCOPE_FACTS = ("claim_status", "claim_verified", "network_score", "verified_followers", "verified_reviews",
                   "upheld_reports", "self_citation_share", "open_merge_candidates")  # fmt: skip


@lru_cache(maxsize=4096)
def fact_sources(source: str, as_of: str) -> dict[str, str]:
    """Where each fact was read, by the fact's name (``TrustFacts.sources``): the record's source for what it
    carries, "Peerscope <as_of>" for what the store holds itself. One dict per (source, date), shared by the
    people read from it (facts are never modified).

    >>> fact_sources("OpenAlex 2025-11-01", "2026-01-05")["works_count"], fact_sources("x", "2026-01-05")["claim_status"]
    ('OpenAlex 2025-11-01', 'Peerscope 2026-01-05')
    """
    own = f"Peerscope {as_of}"
    return {**dict.fromkeys(RECORD_FACTS, source), **dict.fromkeys(PEERSCOPE_FACTS, own)}


MIN_CITATIONS_FOR_SELF_SHARE = 20


def self_citation_share(received: int, reported: int, own: int) -> float | None:
    """``own`` over the larger of the citations received in the store and those reported; None when nothing was
    received in the store or the larger is below ``MIN_CITATIONS_FOR_SELF_SHARE``.

    >>> self_citation_share(25, 10, 5), self_citation_share(5, 40, 2), self_citation_share(5, 10, 1), self_citation_share(0, 99, 0)
    (0.2, 0.05, None, None)
    """
    judged = max(received, reported)
    return own / judged if received and judged >= MIN_CITATIONS_FOR_SELF_SHARE else None


def _self_citation_shares(session: Session, researcher_ids: list[int], reported: dict[int, int] | None = None
                          ) -> dict[int, float]:
    """Share of the citations a person's works receive that come from the person's own works.

    The denominator is the larger of the citations seen in the store and those the sources report: a store built
    around one person (an ego network) holds mostly that person's own citing works, and judging the share on those
    alone would call every such person a self-citer. Below ``MIN_CITATIONS_FOR_SELF_SHARE`` there is too little to
    judge, and no share is given."""
    reported = reported or {}
    received = dict(
        session.exec(
            select(Authorship.researcher_id, func.count())
            .join(Citation, Citation.cited_work_id == Authorship.work_id)
            .where(Authorship.researcher_id.in_(researcher_ids))
            .group_by(Authorship.researcher_id)
        ).all()
    )
    if not received:
        return {}
    # Below the threshold no share is given, so the costlier count of self-citations is not needed there.
    judged = [rid for rid, n in received.items() if max(n, reported.get(rid, 0)) >= MIN_CITATIONS_FOR_SELF_SHARE]
    if not judged:
        return {}
    citing = Authorship.__table__.alias("citing")
    own = dict(
        session.exec(
            select(Authorship.researcher_id, func.count())
            .join(Citation, Citation.cited_work_id == Authorship.work_id)
            .join(citing, (citing.c.work_id == Citation.citing_work_id) & (citing.c.researcher_id == Authorship.researcher_id))
            .where(Authorship.researcher_id.in_(judged))
            .group_by(Authorship.researcher_id)
        ).all()
    )
    shares = {rid: self_citation_share(n, reported.get(rid, 0), own.get(rid, 0)) for rid, n in received.items()}
    return {rid: share for rid, share in shares.items() if share is not None}


def id_sources(openalex_id, s2_id, dblp_pid, seed_key) -> tuple[str, ...]:
    """The sources whose persistent id the person's record carries.

    >>> id_sources("A1", None, "", "seed-x")
    ('OpenAlex', 'Peerscope seed')
    """
    return tuple(
        name for name, value in (("OpenAlex", openalex_id), ("Semantic Scholar", s2_id), ("DBLP", dblp_pid),
                                 ("Peerscope seed", seed_key)) if value
    )  # fmt: skip


def is_peer_reviewed(work_type: str | None, venue_type: str | None) -> bool:
    """A work counts as peer reviewed by its type, unless it sits in a repository (``core.trust_bulk`` has the SQL).

    >>> is_peer_reviewed("article", "journal"), is_peer_reviewed("article", "repository"), is_peer_reviewed("preprint", None)
    (True, False, False)
    """
    return work_type in PEER_REVIEWED_TYPES and venue_type != "repository" and work_type != "preprint"


def merge_counts(session: Session, researcher_ids: list[int] | None) -> dict[int, int]:
    """Open merge candidates naming each person, on either side (everyone's when ``researcher_ids`` is None)."""
    out: dict[int, int] = defaultdict(int)
    for side in (MergeCandidate.researcher_a_id, MergeCandidate.researcher_b_id):
        query = select(side, func.count()).where(MergeCandidate.status == "open").group_by(side)
        if researcher_ids is not None:
            query = query.where(side.in_(researcher_ids))
        for rid, n in session.exec(query).all():
            out[rid] += n
    return dict(out)


def record_sources(session: Session, researcher_ids: list[int] | None) -> dict[int, str]:
    """"OpenAlex 2025-11-30"-style label of where each person's own record was last read (the source seen last;
    of two seen at the same moment, the first by name). Everyone's when ``researcher_ids`` is None."""
    query = (
        select(Provenance.entity_id, Provenance.source, func.max(Provenance.last_seen))
        .where(Provenance.entity_type == "researcher")
        .group_by(Provenance.entity_id, Provenance.source)
    )
    if researcher_ids is not None:
        query = query.where(Provenance.entity_id.in_(researcher_ids))
    rows = sorted(session.exec(query).all(), key=lambda row: row[1], reverse=True)
    rows.sort(key=lambda row: str(row[2]))  # stable: by time, then by name descending; the last row wins
    return {rid: f"{source} {str(seen)[:10]}" for rid, source, seen in rows}


def _store_batch(session: Session, batch: list[trust.TrustFacts], now: datetime, *, whole_range: bool = False) -> int:
    """Score a batch, and store the snapshots that differ from each person's latest.

    ``whole_range``: the batch, ordered by id, holds every researcher between its first and last id (an indexed
    range reads their latest records three times faster than a list of 2,000 ids on PostgreSQL).

    A person whose facts have the digest of their latest snapshot's facts is skipped without scoring (the snapshot
    would be the same, ``trust.facts_digest``). For the others the new snapshot is compared with the stored one, and
    stored only when it differs; when it does not, the latest record takes the new digest, so the next recompute
    skips that person."""
    todo = _changed(session, batch, whole_range=whole_range)
    return _write(session, todo, trust.score_rows(todo.facts, now.isoformat(timespec="seconds")), now)


@dataclass
class _Changed:
    """The people of a batch whose facts changed since their latest snapshot, with what is needed to store theirs."""

    facts: list[trust.TrustFacts]
    digests: list[str]
    latest: dict[int, tuple[int, str | None, str]]  # researcher id -> (record id, facts digest, algorithm version)
    stored: dict[int, dict]  # record id -> snapshot, for the latest records of the current algorithm version
    checked: int = 0  # people of the batch


def _changed(session: Session, batch: list[trust.TrustFacts], *, whole_range: bool, before: int | None = None
             ) -> _Changed:
    """The people of ``batch`` to score. ``before``: leave out a person whose latest record is newer than that record
    id (stored by another writer after the facts of ``batch`` were read)."""
    if not batch:
        return _Changed([], [], {}, {})
    ids = [f.researcher_id for f in batch]
    among = TrustRecord.researcher_id.between(ids[0], ids[-1]) if whole_range else TrustRecord.researcher_id.in_(ids)
    # Every record of the batch's people, in the order of the index that holds these columns (ix_trustrecord_latest):
    # the last one read of each person is their latest. A person has a record per change, a handful at most.
    latest = {
        rid: (rec_id, digest, version)
        for rid, rec_id, version, digest in session.execute(
            select(TrustRecord.researcher_id, TrustRecord.id, TrustRecord.algorithm_version, TrustRecord.facts_digest)
            .where(among)
            .order_by(TrustRecord.researcher_id, TrustRecord.id)
        )
    }
    facts, digests = [], []
    for f in batch:
        digest = trust.facts_digest(f)
        old = latest.get(f.researcher_id)
        if before is not None and old is not None and old[0] > before:
            continue
        if old is None or old[1] != digest:
            facts.append(f)
            digests.append(digest)
    # A record of another algorithm version differs from any new snapshot (which names its version): no need to read it.
    compare = [old[0] for f in facts if (old := latest.get(f.researcher_id)) and old[2] == trust.ALGORITHM_VERSION]
    stored = {}
    if compare:
        stored = {k: v for k, v in session.execute(select(TrustRecord.id, TrustRecord.snapshot).where(TrustRecord.id.in_(compare)))}
    return _Changed(facts, digests, latest, stored, len(batch))


def _write(session: Session, todo: _Changed, scored: list[tuple], now: datetime) -> int:
    """Store the scored snapshots (``trust.score_rows``) that differ from the stored ones; returns how many."""
    records, updates, redigest = [], [], []
    for facts, digest, (rid, score, band, level, claim_status, data) in zip(todo.facts, todo.digests, scored, strict=True):
        old = todo.latest.get(rid)
        if old is not None and old[0] in todo.stored and _same(todo.stored[old[0]], json.loads(data)):
            redigest.append({"rec": old[0], "d": digest})
            continue
        records.append({"researcher_id": rid, "computed_at": now, "algorithm_version": trust.ALGORITHM_VERSION,
                        "score": score, "band": band, "level": level, "claim_status": claim_status,
                        "snapshot": data, "facts_digest": digest})  # fmt: skip
        updates.append({"rid": rid, "s": score, "b": band, "l": level, "f": facts.first_year, "c": facts.citations})
    if records:
        # Core (COPY on PostgreSQL): the ORM costs more per row. The snapshots are JSON text already (score_rows).
        insert_rows(session, TrustRecord.__table__, records, json_text=("snapshot",))
        _update_scores(session, updates)
    if redigest:
        table = TrustRecord.__table__
        session.execute(update(table).where(table.c.id == bindparam("rec")).values(facts_digest=bindparam("d")), redigest)
    return len(records)


def _update_scores(session: Session, updates: list[dict]) -> None:
    """Copy the new scores (with the first year and citations they were computed from) onto the researcher rows
    where they differ.

    A row whose values are already these is left alone: a new snapshot often keeps the score (a new explanation, a
    new source date, a new method that agrees), and on PostgreSQL every row updated is a new row version entered
    in each of the researcher table's indexes (the score is indexed, so the update is never in place): writing
    the 917k unchanged rows of a rescore at a million works took 55 s there.
    PostgreSQL: one ``UPDATE ... FROM unnest(arrays)``, six array parameters for the whole batch (a ``VALUES`` list
    of 12,000 scalar parameters cost more to bind than the scoring; a statement per row, more still).
    SQLite: the driver's ``executemany``. Elsewhere: SQLAlchemy's, writing every row."""
    if session.get_bind().dialect.name == "postgresql":
        columns = {"rid": "integer", "s": "integer", "b": "text", "l": "text", "f": "integer", "c": "integer"}
        arrays = ", ".join(f"CAST(:{k} AS {t}[])" for k, t in columns.items())
        session.execute(
            text(
                "UPDATE researcher SET trust_score = v.s, trust_band = v.b, trust_level = v.l, first_year = v.f, "
                f"citations = v.c FROM unnest({arrays}) AS v(id, s, b, l, f, c) WHERE researcher.id = v.id "
                "AND (trust_score, trust_band, trust_level, first_year, citations) "
                "IS DISTINCT FROM (v.s, v.b, v.l, v.f, v.c)"
            ),
            {k: [u[k] for u in updates] for k in columns},
        )
        return
    if session.get_bind().dialect.name == "sqlite":  # the driver's executemany: SQLAlchemy's per-row handling cost more
        session.connection().exec_driver_sql(
            "UPDATE researcher SET trust_score = ?1, trust_band = ?2, trust_level = ?3, first_year = ?4, citations = ?5 "
            "WHERE id = ?6 AND (trust_score IS NOT ?1 OR trust_band IS NOT ?2 OR trust_level IS NOT ?3 "
            "OR first_year IS NOT ?4 OR citations IS NOT ?5)",
            [(u["s"], u["b"], u["l"], u["f"], u["c"], u["rid"]) for u in updates],
        )
        return
    session.execute(
        update(Researcher.__table__)
        .where(Researcher.__table__.c.id == bindparam("rid"))
        .values(trust_score=bindparam("s"), trust_band=bindparam("b"), trust_level=bindparam("l"),
                first_year=bindparam("f"), citations=bindparam("c")),
        updates,
    )  # fmt: skip


def _same(old: dict, new: dict) -> bool:
    """Equal apart from when they were computed."""
    strip = lambda d: {k: v for k, v in d.items() if k != "computed_at"}  # noqa: E731
    return strip(old) == strip(new)


def trust_history(*, session: Session, researcher_id: int) -> list[dict]:
    """Every stored snapshot of a person, oldest first, as dicts (``core.trust.snapshot_to_dict`` shape)."""
    rows = session.exec(
        select(TrustRecord).where(TrustRecord.researcher_id == researcher_id).order_by(TrustRecord.id)
    ).all()
    return [r.snapshot for r in rows]
