"""Recomputing trust snapshots from the store: gather facts in bulk, score with ``core.trust``, keep the history.

Called after every import (for the researchers it touched) and after any event that changes an input
(claims, follows, reviews, reports). A new ``TrustRecord`` is stored only when the snapshot differs from the
latest one, so the history shows changes rather than repetitions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import bindparam, func, text, update
from sqlmodel import Session, select

from core import metrics, trust
from core.community import community_facts
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


def recompute_trust(*, session: Session, researcher_ids: Iterable[int] | None = None, now: datetime | None = None) -> int:
    """Recompute snapshots for the given researchers (all when ``None``); returns how many changed."""
    now = now or utcnow()
    if researcher_ids is None:
        ids = list(session.exec(select(Researcher.id).order_by(Researcher.id)).all())
    else:
        ids = sorted(set(researcher_ids))
    network = network_scores(session=session)
    changed = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        changed += _store_batch(session, trust_facts(session=session, researcher_ids=chunk, network=network, as_of=now), now)
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
    merges = dict(
        session.exec(
            select(MergeCandidate.researcher_a_id, func.count())
            .where(MergeCandidate.status == "open", MergeCandidate.researcher_a_id.in_(researcher_ids))
            .group_by(MergeCandidate.researcher_a_id)
        ).all()
    )
    for rid, n in session.exec(
        select(MergeCandidate.researcher_b_id, func.count())
        .where(MergeCandidate.status == "open", MergeCandidate.researcher_b_id.in_(researcher_ids))
        .group_by(MergeCandidate.researcher_b_id)
    ).all():
        merges[rid] = merges.get(rid, 0) + n
    reported_cites = {rid: sum(w[2] or 0 for w in mine) for rid, mine in works.items()}
    self_cites = _self_citation_shares(session, researcher_ids, reported_cites)
    sources = _record_sources(session, researcher_ids)
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
        id_sources = tuple(
            name for name, value in (("OpenAlex", r.openalex_id), ("Semantic Scholar", r.s2_id), ("DBLP", r.dblp_pid),
                                     ("Peerscope seed", r.seed_key)) if value
        )
        src = sources.get(rid, f"store {as_of_s}")
        out.append(
            trust.TrustFacts(
                researcher_id=rid,
                has_persistent_id=bool(id_sources),
                id_sources=id_sources,
                orcid=r.orcid,
                orcid_source=src if r.orcid else None,
                claim_status=social[rid].claim_status,
                claim_verified=social[rid].claim_verified,
                works_count=len(mine),
                first_year=first,
                last_year=last,
                works_with_doi_or_arxiv=sum(1 for w in mine if w[3] or w[4]),
                peer_reviewed_works=sum(
                    1 for w in mine if (w[5] in PEER_REVIEWED_TYPES) and w[7] != "repository" and w[5] != "preprint"
                ),
                citations=sum(cites),
                h_index=metrics.h_index(cites),
                network_score=network.get(rid, 0.0),
                verified_followers=social[rid].verified_followers,
                verified_reviews=social[rid].verified_reviews,
                retracted_works=sum(1 for w in mine if w[6]),
                upheld_reports=social[rid].upheld_reports,
                self_citation_share=self_cites.get(rid),
                open_merge_candidates=merges.get(rid, 0),
                as_of=as_of_s,
                sources={"works": src, "citations": src, "identity": src},
            )
        )
    return out


MIN_CITATIONS_FOR_SELF_SHARE = 20


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
    out = {}
    for rid, n in received.items():
        total = max(n, reported.get(rid, 0))
        if total >= MIN_CITATIONS_FOR_SELF_SHARE:
            out[rid] = own.get(rid, 0) / total
    return out


def _record_sources(session: Session, researcher_ids: list[int]) -> dict[int, str]:
    """"OpenAlex 2025-11-30"-style label of where each person's own record was last read."""
    rows = session.exec(
        select(Provenance.entity_id, Provenance.source, func.max(Provenance.last_seen))
        .where(Provenance.entity_type == "researcher", Provenance.entity_id.in_(researcher_ids))
        .group_by(Provenance.entity_id, Provenance.source)
    ).all()
    out: dict[int, str] = {}
    for rid, source, seen in rows:
        out[rid] = f"{source} {str(seen)[:10]}"
    return out


def _store_batch(session: Session, batch: list[trust.TrustFacts], now: datetime) -> int:
    """Score a batch, and store the snapshots that differ from each person's latest.

    A person whose facts have the digest of their latest snapshot's facts is skipped without scoring (the snapshot
    would be the same, ``trust.facts_digest``). For the others the new snapshot is compared with the stored one, and
    stored only when it differs; when it does not, the latest record takes the new digest, so the next recompute
    skips that person."""
    if not batch:
        return 0
    ids = [f.researcher_id for f in batch]
    newest = select(func.max(TrustRecord.id)).where(TrustRecord.researcher_id.in_(ids)).group_by(TrustRecord.researcher_id)
    latest = {
        rid: (rec_id, digest)
        for rec_id, rid, digest in session.execute(
            select(TrustRecord.id, TrustRecord.researcher_id, TrustRecord.facts_digest).where(TrustRecord.id.in_(newest))
        )
    }
    stamp = now.isoformat(timespec="seconds")
    todo: list[tuple[trust.TrustFacts, str]] = []
    for facts in batch:
        digest = trust.facts_digest(facts)
        old = latest.get(facts.researcher_id)
        if old is None or old[1] != digest:
            todo.append((facts, digest))
    compare = [latest[f.researcher_id][0] for f, _ in todo if f.researcher_id in latest]
    stored = {}
    if compare:
        stored = {k: v for k, v in session.execute(select(TrustRecord.id, TrustRecord.snapshot).where(TrustRecord.id.in_(compare)))}
    records, updates, redigest = [], [], []
    for facts, digest in todo:
        snap = trust.trust_snapshot(facts, computed_at=stamp)
        data = trust.snapshot_to_dict(snap)
        old = latest.get(facts.researcher_id)
        if old is not None and _same(stored[old[0]], data):
            redigest.append({"rec": old[0], "d": digest})
            continue
        records.append({"researcher_id": facts.researcher_id, "computed_at": now, "algorithm_version": snap.algorithm_version,
                        "score": snap.score, "band": snap.band, "level": snap.level, "claim_status": snap.claim_status,
                        "snapshot": data, "facts_digest": digest})  # fmt: skip
        updates.append({"rid": facts.researcher_id, "s": snap.score, "b": snap.band, "l": snap.level,
                        "f": facts.first_year, "c": facts.citations})  # fmt: skip
    if records:
        insert_rows(session, TrustRecord.__table__, records)  # Core (COPY on PostgreSQL): the ORM costs more per row
        _update_scores(session, updates)
    if redigest:
        table = TrustRecord.__table__
        session.execute(update(table).where(table.c.id == bindparam("rec")).values(facts_digest=bindparam("d")), redigest)
    return len(records)


def _update_scores(session: Session, updates: list[dict]) -> None:
    """Copy the new scores (with the first year and citations they were computed from) onto the researcher rows: one ``UPDATE ... FROM (VALUES ...)`` per batch on PostgreSQL
    (a statement per row cost more than the scoring), ``executemany`` elsewhere."""
    if session.get_bind().dialect.name == "postgresql":
        values = ", ".join(f"(:r{i}, :s{i}, :b{i}, :l{i}, CAST(:f{i} AS INTEGER), :c{i})" for i in range(len(updates)))
        params = {}
        for i, u in enumerate(updates):
            params.update({f"r{i}": u["rid"], f"s{i}": u["s"], f"b{i}": u["b"], f"l{i}": u["l"], f"f{i}": u["f"],
                           f"c{i}": u["c"]})  # fmt: skip
        session.execute(
            text(
                "UPDATE researcher SET trust_score = v.s, trust_band = v.b, trust_level = v.l, first_year = v.f, "
                f"citations = v.c FROM (VALUES {values}) AS v(id, s, b, l, f, c) WHERE researcher.id = v.id"
            ),
            params,
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
