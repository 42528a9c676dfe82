"""The bulk path: a batch of works new to the store, written with set-based SQL.

``load_records`` sends batches of work records here. Whatever needs judgement goes back to the per-record path
(``Upserter.work``): a work that matches a stored one (any id, a version id, or a title it could be merged under),
an id repeated inside the batch, and any author without a persistent id (name matching needs the co-authors). New
works, new people with ids, their bylines, affiliations, topics, versions, references and provenance are inserted a
batch at a time through Core ``executemany`` with keys handed out in advance (``core.ingest.bulk_sql``), with the
same rows the per-record path would write.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict

from sqlalchemy import select
from sqlmodel import Session

from core.ingest.bulk_entities import prefetch_entities
from core.ingest.bulk_people import insert_aliases, resolve_people
from core.ingest.bulk_sql import allocate_ids, existing_values, in_chunks, insert_rows, rows_where_in
from core.ingest.ids import record_hash
from core.ingest.records import Parsed, TopicRec, WorkRec
from core.ingest.upsert import PERSON_IDS, WORK_IDS, Upserter, _geo_from_tag, citation_key, title_key
from core.models import (
    Authorship,
    AuthorshipInstitution,
    Citation,
    Provenance,
    Work,
    WorkTopic,
    WorkVersion,
    utcnow,
)

BATCH = 2000  # works per batch: large enough to amortise each lookup query, small enough to bound memory
MIN_TITLE_KEY = 20  # titles shorter than this never merge records (``Upserter._find_work_by_title``)
VERSION_IDS = ("doi", "arxiv_id")

WORK, AUTHORSHIP = Work.__table__, Authorship.__table__


def split_batch(session: Session, batch: list[Parsed]) -> tuple[list[Parsed], list[Parsed], list[Parsed]]:
    """``(unchanged, fast, slow)``: records already stored with the same hash, records that are certainly new
    works whose authors all carry ids, and the rest (per-record path)."""
    stored = _stored_hashes(session, batch)
    ids: dict[str, set] = {k: set() for k in WORK_IDS}
    for p in batch:
        w: WorkRec = p.item
        for k in WORK_IDS:
            if getattr(w, k):
                ids[k].add(getattr(w, k))
        for v in w.versions:
            for k in VERSION_IDS:
                if getattr(v, k):
                    ids[k].add(getattr(v, k))
    # An id already held by a stored work or one of its versions means "merge": the per-record path decides.
    taken = {k: existing_values(session, getattr(Work, k), v) for k, v in ids.items() if v}
    for k in VERSION_IDS:
        if ids[k]:
            taken[k] = taken.get(k, set()) | existing_values(session, getattr(WorkVersion, k), ids[k])
    keys = [title_key(p.item.title) for p in batch]
    candidates = _title_candidates(session, {k for k in keys if len(k) >= MIN_TITLE_KEY})
    unchanged, fast, slow = [], [], []
    seen: set[tuple[str, str]] = set()
    for p, tk in zip(batch, keys, strict=True):
        w: WorkRec = p.item
        digest = p.raw_hash or record_hash(asdict(w))
        p.raw_hash = digest
        if digest in stored.get((p.source, p.key), ()):
            unchanged.append(p)
            continue
        mine = [(k, getattr(w, k)) for k in WORK_IDS if getattr(w, k)]
        mine += [(k, getattr(v, k)) for v in w.versions for k in VERSION_IDS if getattr(v, k)]
        own_ids = tuple(getattr(w, k) for k in WORK_IDS)
        clash = (
            not mine
            or (p.source, p.key) in stored
            or any(v in taken.get(k, ()) for k, v in mine)
            or any(m in seen for m in mine)
            or (len(tk) >= MIN_TITLE_KEY and any(not _ids_conflict(own_ids, c) for c in candidates.get(tk, ())))
            or any(not any(getattr(a.person, k) for k in PERSON_IDS) for a in w.authorships)
        )
        seen.update(mine)
        if len(tk) >= MIN_TITLE_KEY:
            candidates[tk].append(own_ids)  # later records of the batch must not merge with this one either
        (slow if clash else fast).append(p)
    return unchanged, fast, slow


def _stored_hashes(session: Session, batch: list[Parsed]) -> dict[tuple[str, str], set[str]]:
    """``(source, key) -> record hashes`` of the batch's records already in the provenance table."""
    by_source: dict[str, set[str]] = defaultdict(set)
    for p in batch:
        if p.key:
            by_source[p.source].add(p.key)
    stored: dict[tuple[str, str], set[str]] = {}
    for source, keys in by_source.items():
        for chunk in in_chunks(sorted(keys)):
            rows = session.execute(
                select(Provenance.source_key, Provenance.record_hash).where(
                    Provenance.source == source, Provenance.source_key.in_(chunk), Provenance.entity_type == "work"
                )
            )
            for key, digest in rows:
                stored.setdefault((source, key), set()).add(digest)
    return stored


def _title_candidates(session: Session, keys: set[str]) -> dict[str, list[tuple]]:
    """``title key -> [ids of a stored work]`` for the stored works (or versions) with that title.

    A record with such a title may be the same work (``Upserter._find_work_by_title``) unless its ids conflict with
    the stored work's: only then is it certainly new."""
    out: dict[str, list[tuple]] = defaultdict(list)
    if not keys:
        return out
    id_cols = [getattr(Work, k) for k in WORK_IDS]
    for row in rows_where_in(session, (Work.title_key, *id_cols), Work.title_key, keys):
        out[row[0]].append(tuple(row[1:]))
    by_work: dict[int, set[str]] = defaultdict(set)
    for tk, wid in rows_where_in(session, (WorkVersion.title_key, WorkVersion.work_id), WorkVersion.title_key, keys):
        by_work[wid].add(tk)
    for row in rows_where_in(session, (Work.id, *id_cols), Work.id, by_work):
        for tk in by_work[row[0]]:
            out[tk].append(tuple(row[1:]))
    return out


def _ids_conflict(a: tuple, b: tuple) -> bool:
    """Two works (``WORK_IDS`` tuples) that carry different ids of one scheme are never the same work."""
    return any(x and y and x != y for x, y in zip(a, b, strict=True))


def write_new_works(session: Session, up: Upserter, batch: list[Parsed], file: str) -> list[int]:
    """Insert works known to be new, with everything attached; returns their ids in batch order."""
    if not batch:
        return []
    session.flush()
    prefetch_entities(session, up, [p.item for p in batch])
    people = resolve_people(session, up, [a.person for p in batch for a in p.item.authorships])
    now = utcnow()
    work_ids = allocate_ids(session, WORK, len(batch))
    up.works_written.update(work_ids)
    work_rows = []
    for wid, p in zip(work_ids, batch, strict=True):
        w: WorkRec = p.item
        geo = list(w.geo_tags) + [_geo_from_tag(t) for t in w.tags if t.startswith("geo:")]
        work_rows.append({
            "id": wid, "title": w.title or "", "title_key": title_key(w.title), "abstract": w.abstract or None,
            "type": w.type or None, "year": w.year, "publication_date": w.publication_date, "language": w.language,
            "venue_id": up.venue(w.venue) if w.venue else None,
            **{k: getattr(w, k) or None for k in WORK_IDS}, "pmid": w.pmid or None,
            "is_oa": w.is_oa, "oa_status": w.oa_status, "oa_url": w.oa_url,
            # the per-record path merges these lists with dict.fromkeys: the same de-duplication here
            "code_urls": list(dict.fromkeys(w.code_urls)), "dataset_urls": list(dict.fromkeys(w.dataset_urls)),
            "keywords": list(dict.fromkeys(w.keywords)),
            "tags": list(dict.fromkeys(t for t in w.tags if not t.startswith("geo:"))), "geo_tags": geo,
            "cited_by_count": w.cited_by_count, "counts_by_year": list(w.counts_by_year),
            "is_retracted": bool(w.is_retracted), "authorships_complete": w.authorships_complete,
            "created_at": now, "updated_at": now,
        })  # fmt: skip
    session.flush()  # venues created above
    insert_rows(session, WORK, work_rows)
    del work_rows
    authorship_rows, inst_links, topic_rows, version_rows, cite_rows, aliases = [], [], [], [], [], []
    for wid, p in zip(work_ids, batch, strict=True):
        w: WorkRec = p.item
        seen_people: set[int] = set()
        for a in w.authorships:
            rid = people[id(a.person)]
            if rid in seen_people:
                continue
            seen_people.add(rid)
            up.touched.add(rid)
            authorship_rows.append({
                "work_id": wid, "researcher_id": rid, "position": a.position,
                "is_corresponding": a.is_corresponding, "equal_contribution": a.equal_contribution,
                "raw_author_name": a.raw_author_name, "raw_affiliation": a.raw_affiliation,
                "countries": list(a.countries),
            })  # fmt: skip
            inst_links.append([up.institution(i) for i in a.institutions])
            if a.raw_author_name and a.raw_author_name != a.person.display_name:
                aliases.append((rid, a.raw_author_name))
        topic_ids: dict[int, float | None] = {}
        for t in w.topics:
            topic_ids.setdefault(up.topic(t), t.score)
        for tag in w.tags:
            if not tag.startswith("geo:"):
                topic_ids.setdefault(up.topic(TopicRec(name=tag, kind="tag")), None)
        topic_rows += [{"work_id": wid, "topic_id": t, "score": s} for t, s in topic_ids.items()]
        labels: set[tuple[str, str]] = set()
        for v in w.versions:
            label = v.label or v.arxiv_id or v.doi or v.kind
            if (v.kind, label) in labels:
                continue
            labels.add((v.kind, label))
            version_rows.append({"work_id": wid, "kind": v.kind, "label": label, "date": v.date, "year": v.year,
                                 "doi": v.doi, "arxiv_id": v.arxiv_id, "url": v.url, "venue_name": v.venue_name,
                                 "title": v.title, "title_key": title_key(v.title) if v.title else None,
                                 "abstract": v.abstract, "source": p.source})  # fmt: skip
        keys: set[str] = set()
        for ref in w.references:
            key = citation_key(ref)
            if key and key not in keys:
                keys.add(key)
                cite_rows.append({"citing_work_id": wid, "cited_work_id": None, "cited_key": key,
                                  "cited_openalex_id": ref.openalex_id, "cited_doi": ref.doi,
                                  "cited_arxiv_id": ref.arxiv_id, "cited_s2_id": ref.s2_id, "cited_title": ref.title,
                                  "cited_year": ref.year, "raw": ref.raw})  # fmt: skip
    session.flush()  # institutions and topics created above
    for row, aid in zip(authorship_rows, allocate_ids(session, AUTHORSHIP, len(authorship_rows)), strict=True):
        row["id"] = aid
    insert_rows(session, AUTHORSHIP, authorship_rows)
    links = [
        {"authorship_id": row["id"], "institution_id": iid}
        for row, iids in zip(authorship_rows, inst_links, strict=True)
        for iid in dict.fromkeys(iids)
    ]
    insert_rows(session, AuthorshipInstitution.__table__, links)
    insert_rows(session, WorkTopic.__table__, topic_rows)
    insert_rows(session, WorkVersion.__table__, version_rows)
    _link_references(session, cite_rows)
    insert_rows(session, Citation.__table__, cite_rows)
    insert_aliases(session, aliases)
    prov = [{"entity_type": "work", "entity_id": wid, "source": p.source, "source_key": p.key, "file": file,
             "location": p.location, "record_hash": p.raw_hash, "first_seen": now, "last_seen": now}
            for wid, p in zip(work_ids, batch, strict=True)]  # fmt: skip
    insert_rows(session, Provenance.__table__, prov)
    return work_ids


def _link_references(session: Session, cite_rows: list[dict]) -> None:
    """Point references at the works already stored (this batch's included) before inserting them.

    ``Upserter.resolve_citations`` still runs at the end of the import, for the references to works that arrive
    later. Linking here spares it rewriting every reference row a second time, which on PostgreSQL (a new row
    version, re-indexed in every index of the table) cost more than the inserts. It links by OpenAlex id first and
    never a work to itself, as that does, so the stored links are the same.
    """
    wanted = {row["cited_openalex_id"] for row in cite_rows if row["cited_openalex_id"]}
    if not wanted:
        return
    known = dict(rows_where_in(session, (Work.openalex_id, Work.id), Work.openalex_id, wanted))
    for row in cite_rows:
        target = known.get(row["cited_openalex_id"])
        if target is not None and target != row["citing_work_id"]:
            row["cited_work_id"] = target
