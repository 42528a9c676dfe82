"""The bulk path: a batch of works new to the store, written with multi-row inserts.

``load_records`` sends batches of work records here. Whatever needs judgement goes back to the per-record path
(``Upserter.work``): a work that matches a stored one (any id, a version id or a title), an id repeated inside the
batch, and any author without a persistent id (name matching needs the co-authors). New people with ids, their
bylines, affiliations, topics, versions, references and provenance are inserted a batch at a time, with the same
rows the per-record path would write.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict

from sqlalchemy import insert, select
from sqlmodel import Session

from core import names
from core.ingest.ids import record_hash
from core.ingest.records import Parsed, PersonRec, TopicRec, WorkRec
from core.ingest.upsert import PERSON_IDS, WORK_IDS, Upserter, _geo_from_tag, citation_key, title_key
from core.models import (
    Authorship,
    AuthorshipInstitution,
    Citation,
    Provenance,
    Researcher,
    ResearcherAlias,
    Work,
    WorkTopic,
    WorkVersion,
    utcnow,
)

BATCH = 500


def _in_chunks(values: list, size: int = 900) -> Iterable[list]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def existing_values(session: Session, column, values: set) -> set:
    """Which of ``values`` are already in ``column`` (queried in chunks under the bind-parameter limit)."""
    found: set = set()
    for chunk in _in_chunks(sorted(values)):
        found |= set(session.execute(select(column).where(column.in_(chunk))).scalars())
    return found


def split_batch(session: Session, batch: list[Parsed]) -> tuple[list[Parsed], list[Parsed], list[Parsed]]:
    """``(unchanged, fast, slow)``: records already stored with the same hash, records that are certainly new
    works whose authors all carry ids, and the rest (per-record path)."""
    keys = {p.key for p in batch if p.key}
    stored: dict[tuple[str, str], set[str]] = {}
    for chunk in _in_chunks(sorted(keys)):
        for source, key, digest in session.execute(
            select(Provenance.source, Provenance.source_key, Provenance.record_hash).where(
                Provenance.entity_type == "work", Provenance.source_key.in_(chunk)
            )
        ):
            stored.setdefault((source, key), set()).add(digest)
    ids: dict[str, set] = {k: {getattr(p.item, k) for p in batch if getattr(p.item, k)} for k in WORK_IDS}
    taken = {k: existing_values(session, getattr(Work, k), v) for k, v in ids.items() if v}
    version_ids = {k: existing_values(session, getattr(WorkVersion, k), ids[k]) for k in ("doi", "arxiv_id") if ids[k]}
    titles = {title_key(p.item.title) for p in batch if len(title_key(p.item.title)) >= 20}
    known_titles = existing_values(session, Work.title_key, titles) | existing_values(session, WorkVersion.title_key, titles)
    unchanged, fast, slow = [], [], []
    seen: set[tuple[str, str]] = set()
    for p in batch:
        w: WorkRec = p.item
        digest = p.raw_hash or record_hash(asdict(w))
        p.raw_hash = digest
        if digest in stored.get((p.source, p.key), set()):
            unchanged.append(p)
            continue
        mine = [(k, getattr(w, k)) for k in WORK_IDS if getattr(w, k)]
        mine += [(k, getattr(v, k)) for v in w.versions for k in ("doi", "arxiv_id") if getattr(v, k)]
        clash = (
            not mine
            or (p.source, p.key) in stored
            or any(v in taken.get(k, ()) or v in version_ids.get(k, ()) for k, v in mine)
            or any(m in seen for m in mine)
            or title_key(w.title) in known_titles
            or any(not any(getattr(a.person, k) for k in PERSON_IDS) for a in w.authorships)
        )
        seen.update(mine)
        (slow if clash else fast).append(p)
    return unchanged, fast, slow


def write_new_works(session: Session, up: Upserter, batch: list[Parsed], file: str) -> list[int]:
    """Insert works known to be new, with everything attached; returns their ids in batch order."""
    session.flush()
    people = _resolve_people(session, up, [a.person for p in batch for a in p.item.authorships])
    now = utcnow()
    work_rows = []
    for p in batch:
        w: WorkRec = p.item
        geo = list(w.geo_tags) + [_geo_from_tag(t) for t in w.tags if t.startswith("geo:")]
        work_rows.append({
            "title": w.title or "", "title_key": title_key(w.title), "abstract": w.abstract, "type": w.type,
            "year": w.year, "publication_date": w.publication_date, "language": w.language,
            "venue_id": up.venue(w.venue) if w.venue else None,
            **{k: getattr(w, k) for k in WORK_IDS}, "pmid": w.pmid,
            "is_oa": w.is_oa, "oa_status": w.oa_status, "oa_url": w.oa_url,
            "code_urls": list(w.code_urls), "dataset_urls": list(w.dataset_urls), "keywords": list(w.keywords),
            "tags": [t for t in w.tags if not t.startswith("geo:")], "geo_tags": geo,
            "cited_by_count": w.cited_by_count, "counts_by_year": list(w.counts_by_year),
            "is_retracted": w.is_retracted, "authorships_complete": w.authorships_complete,
            "created_at": now, "updated_at": now,
        })
    work_ids = _insert_returning(session, Work, work_rows)
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
            })
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
                                 "abstract": v.abstract, "source": p.source})
        keys: set[str] = set()
        for ref in w.references:
            key = citation_key(ref)
            if key and key not in keys:
                keys.add(key)
                cite_rows.append({"citing_work_id": wid, "cited_work_id": None, "cited_key": key,
                                  "cited_openalex_id": ref.openalex_id, "cited_doi": ref.doi,
                                  "cited_arxiv_id": ref.arxiv_id, "cited_s2_id": ref.s2_id, "cited_title": ref.title,
                                  "cited_year": ref.year, "raw": ref.raw})
    session.flush()  # institutions and topics created above
    authorship_ids = _insert_returning(session, Authorship, authorship_rows)
    links = [{"authorship_id": aid, "institution_id": iid}
             for aid, iids in zip(authorship_ids, inst_links, strict=True) for iid in dict.fromkeys(iids)]
    for model, rows in ((AuthorshipInstitution, links), (WorkTopic, topic_rows), (WorkVersion, version_rows),
                        (Citation, cite_rows)):
        for chunk in _in_chunks(rows, 2000):
            session.execute(insert(model), chunk)
    _insert_aliases(session, aliases)
    prov = [{"entity_type": "work", "entity_id": wid, "source": p.source, "source_key": p.key or f"openalex_id:{wid}",
             "file": file, "location": p.location, "record_hash": p.raw_hash, "first_seen": now, "last_seen": now}
            for wid, p in zip(work_ids, batch, strict=True)]
    for chunk in _in_chunks(prov, 2000):
        session.execute(insert(Provenance), chunk)
    return work_ids


def _insert_returning(session: Session, model, rows: list[dict]) -> list[int]:
    """Multi-row insert that returns the new primary keys in input order."""
    ids: list[int] = []
    for chunk in _in_chunks(rows, 1000):
        if chunk:
            result = session.execute(insert(model).returning(model.id, sort_by_parameter_order=True), chunk)
            ids.extend(result.scalars().all())
    return ids


def _resolve_people(session: Session, up: Upserter, persons: list[PersonRec]) -> dict[int, int]:
    """Researcher id for every byline person (keyed by ``id(person)``): cached or stored ones by id, new ones
    inserted in one go. A person whose ids clash with stored records goes through ``up.person``."""
    out: dict[int, int] = {}
    pending: list[PersonRec] = []
    for person in persons:
        cached = {up._person.get((k, getattr(person, k))) for k in PERSON_IDS if getattr(person, k)}
        if len(cached) == 1 and None not in cached:
            out[id(person)] = cached.pop()
        else:
            pending.append(person)
    if not pending:
        return out
    for k in PERSON_IDS:
        values = {getattr(p, k) for p in pending if getattr(p, k)}
        for chunk in _in_chunks(sorted(values)):
            for rid, value in session.execute(select(Researcher.id, getattr(Researcher, k)).where(getattr(Researcher, k).in_(chunk))):
                up._person[(k, value)] = rid
    new_rows: dict[tuple, dict] = {}
    new_people: dict[tuple, list[PersonRec]] = {}
    claimed = {k: set() for k in PERSON_IDS}
    careful: list[PersonRec] = []  # resolved one by one once the new rows are in
    for person in pending:
        known = {up._person.get((k, getattr(person, k))) for k in PERSON_IDS if getattr(person, k)}
        known.discard(None)
        if len(known) == 1 and _only_known_ids(up, person, known):
            out[id(person)] = known.pop()
            continue
        if known:  # ids spread over different stored people, or ids to add to a stored person
            careful.append(person)
            continue
        key = next((k, getattr(person, k)) for k in PERSON_IDS if getattr(person, k))
        if key not in new_rows:
            if any(getattr(person, k) and getattr(person, k) in claimed[k] for k in PERSON_IDS):
                careful.append(person)  # two new records share an ORCID: let the careful path decide
                continue
            for k in PERSON_IDS:
                if getattr(person, k):
                    claimed[k].add(getattr(person, k))
            given, family = (person.given_name, person.family_name)
            if not (given or family):
                given, family = names.split_name(person.display_name)
            now = utcnow()
            new_rows[key] = {
                "display_name": person.display_name, "given_name": given, "family_name": family,
                "name_key": names.name_key(person.display_name), "initials_key": names.initials_key(person.display_name),
                **{k: getattr(person, k) for k in PERSON_IDS}, "is_placeholder": person.is_placeholder,
                "open_to_collaborate": True, "counts_by_year_reported": [], "claim_status": "unclaimed",
                "created_at": now, "updated_at": now,
            }
        new_people.setdefault(key, []).append(person)
    if new_rows:
        session.flush()
        ids = _insert_returning(session, Researcher, list(new_rows.values()))
        for (key, row), rid in zip(new_rows.items(), ids, strict=True):
            for k in PERSON_IDS:
                if row.get(k):
                    up._person[(k, row[k])] = rid
            for person in new_people[key]:
                out[id(person)] = rid
    for person in careful:
        out[id(person)], _ = up.person(person)
    return out


def _only_known_ids(up: Upserter, person: PersonRec, known: set[int]) -> bool:
    """True when every id the byline carries is already on the stored person (nothing to add or check)."""
    return all(up._person.get((k, getattr(person, k))) in known for k in PERSON_IDS if getattr(person, k))


def _insert_aliases(session: Session, pairs: list[tuple[int, str]]) -> None:
    if not pairs:
        return
    wanted = set(pairs)
    existing = set()
    rids = sorted({r for r, _ in wanted})
    for chunk in _in_chunks(rids):
        existing |= set(session.execute(
            select(ResearcherAlias.researcher_id, ResearcherAlias.name).where(ResearcherAlias.researcher_id.in_(chunk))
        ).tuples())
    rows = [{"researcher_id": r, "name": n, "name_key": names.name_key(n), "source": None}
            for r, n in sorted(wanted - existing)]
    for chunk in _in_chunks(rows, 2000):
        session.execute(insert(ResearcherAlias), chunk)
