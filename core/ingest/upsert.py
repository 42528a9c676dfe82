"""Writing parsed records into the store, with entity resolution.

Rules (see the foundation issue):
- a work seen twice (same DOI, arXiv id, OpenAlex id, S2 id, DBLP key, seed key; also via its versions) is one work;
- people with persistent ids are matched by id only; two records with different ids of one scheme are never merged;
- name-only people are matched by normalised name plus a shared co-author; near misses become merge candidates;
- on a work already in the store, an incoming author takes the byline slot of a compatible name (that is how a
  name-only author from a publication list gains the OpenAlex id of the same person).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import fields

from sqlalchemy import func, insert, or_
from sqlmodel import Session, select

from core import names
from core.ingest.bulk_sql import in_chunks
from core.ingest.records import AuthorshipRec, InstitutionRec, PersonRec, RefRec, TopicRec, VenueRec, WorkRec
from core.ingest.upsert_people import PERSON_IDS, PeopleWriter
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
    utcnow,
)

WORK_IDS = ("openalex_id", "doi", "arxiv_id", "s2_id", "dblp_key", "seed_key")


_NOT_ASCII_ALNUM = re.compile(r"[^0-9a-z]+")


def title_key(title: str | None) -> str:
    """Normalised title for matching: letters and digits only, lower case.

    >>> title_key("Deep Nets, Revisited (2nd ed.)"), title_key("Über Graphen: ½ Maß")
    ('deepnetsrevisited2nded', 'ubergraphen12mass')
    """
    if title and title.isascii():
        return _NOT_ASCII_ALNUM.sub("", title.lower())  # the same as below for ASCII text, without the Unicode passes
    decomposed = unicodedata.normalize("NFKD", title or "")
    return "".join(ch for ch in decomposed.casefold() if ch.isalnum())


class Upserter(PeopleWriter):
    """Writes records through one session; caches id lookups for the life of one import.

    People (matching by id or by name and co-authors, merge candidates) are written by ``PeopleWriter``."""

    def __init__(self, session: Session):
        self.s = session
        self._inst: dict[tuple, int] = {}
        self._venue: dict[tuple, int] = {}
        self._topic: dict[tuple, int] = {}
        self._person: dict[tuple, int] = {}
        self.last_created = False  # did the last institution/venue/topic call create a row?
        self.touched: set[int] = set()  # researchers whose facts this import may have changed
        self.works_written: set[int] = set()  # works this import created or merged into (their references and ids)

    def forget(self, rec) -> None:
        """Drop the cached ids of a full institution/venue/topic record so it is written, not short-cut."""
        for attr, cache in (("openalex_id", self._inst), ("ror", self._inst), ("openalex_id", self._venue)):
            v = getattr(rec, attr, None)
            cache.pop(("openalex" if attr == "openalex_id" else attr, v), None)
        if isinstance(rec, TopicRec):
            self._topic.pop((rec.kind, rec.openalex_id or names.text_key(rec.name)), None)

    # ---- institutions, venues, topics -------------------------------------------------
    def institution(self, rec: InstitutionRec) -> int:
        if rec.openalex_id:  # the first key looked up below; a byline meets the same institution many times
            hit = self._inst.get(("openalex", rec.openalex_id))
            if hit is not None:
                return hit
        keys = [k for k in (("openalex", rec.openalex_id), ("ror", rec.ror)) if k[1]]
        if not keys:
            keys = [("name", names.text_key(rec.name), rec.country_code or "")]
        for k in keys:
            if k in self._inst:
                return self._inst[k]
        row = None
        if rec.openalex_id:
            row = self.s.exec(select(Institution).where(Institution.openalex_id == rec.openalex_id)).first()
        if row is None and rec.ror:
            row = self.s.exec(select(Institution).where(Institution.ror == rec.ror)).first()
        if row is None and not (rec.openalex_id or rec.ror):
            q = select(Institution).where(Institution.name_key == names.text_key(rec.name))
            if rec.country_code:
                q = q.where(or_(Institution.country_code == rec.country_code, Institution.country_code.is_(None)))
            row = self.s.exec(q).first()
        self.last_created = row is None
        if row is not None and rec.works_count is None and rec.city is None:
            # A byline stub (name, ids, country) adds nothing to a stored institution: no write.
            for k in keys:
                self._inst[k] = row.id
            return row.id
        if row is None:
            row = Institution(name=rec.name, name_key=names.text_key(rec.name))
        self._fill(row, rec, {"works_count": "works_count_reported", "cited_by_count": "cited_by_count_reported"})
        if rec.lineage:
            row.lineage = rec.lineage
        if rec.parent_openalex_id and row.parent_id is None:
            parent = self.s.exec(
                select(Institution.id).where(Institution.openalex_id == rec.parent_openalex_id)
            ).first()
            row.parent_id = parent
        self.s.add(row)
        self.s.flush()
        for k in keys:
            self._inst[k] = row.id
        return row.id

    def venue(self, rec: VenueRec) -> int:
        key = ("openalex", rec.openalex_id) if rec.openalex_id else ("name", names.text_key(rec.name))
        if key in self._venue:
            return self._venue[key]
        row = None
        if rec.openalex_id:
            row = self.s.exec(select(Venue).where(Venue.openalex_id == rec.openalex_id)).first()
        if row is None and rec.issn_l:
            row = self.s.exec(select(Venue).where(Venue.issn_l == rec.issn_l)).first()
        if row is None:
            row = self.s.exec(select(Venue).where(Venue.name_key == names.text_key(rec.name))).first()
            if row is not None and row.openalex_id and rec.openalex_id and row.openalex_id != rec.openalex_id:
                row = None
        self.last_created = row is None
        if row is None:
            row = Venue(name=rec.name, name_key=names.text_key(rec.name))
        self._fill(row, rec, {"works_count": "works_count_reported", "cited_by_count": "cited_by_count_reported"})
        self.s.add(row)
        self.s.flush()
        self._venue[key] = row.id
        return row.id

    def topic(self, rec: TopicRec) -> int:
        key = (rec.kind, rec.openalex_id or names.text_key(rec.name))
        if key in self._topic:
            return self._topic[key]
        parent_id = self.topic(rec.parent) if rec.parent else None
        row = self.s.exec(select(Topic).where(Topic.kind == key[0], Topic.key == key[1])).first()
        self.last_created = row is None
        if row is None:
            row = Topic(name=rec.name, kind=rec.kind, key=key[1], openalex_id=rec.openalex_id, level=rec.level)
        elif (row.name, row.parent_id, row.level) == (
            rec.name or row.name, parent_id or row.parent_id, rec.level if rec.level is not None else row.level
        ):
            self._topic[key] = row.id  # nothing to change: no write
            return row.id
        row.name = rec.name or row.name
        if parent_id:
            row.parent_id = parent_id
        if rec.level is not None:
            row.level = rec.level
        self.s.add(row)
        self.s.flush()
        self._topic[key] = row.id
        return row.id

    # ---- works ----------------------------------------------------------------------------
    def find_work(self, rec: WorkRec) -> Work | None:
        for k in WORK_IDS:
            v = getattr(rec, k)
            if v:
                row = self.s.exec(select(Work).where(getattr(Work, k) == v)).first()
                if row is not None:
                    return row
        for k in ("doi", "arxiv_id"):
            values = {getattr(v, k) for v in rec.versions if getattr(v, k)} | ({getattr(rec, k)} - {None})
            if values:
                wid = self.s.exec(select(WorkVersion.work_id).where(getattr(WorkVersion, k).in_(values))).first()
                if wid is None:
                    wid = self.s.exec(select(Work.id).where(getattr(Work, k).in_(values))).first()
                if wid is not None:
                    return self.s.get(Work, wid)
        return self._find_work_by_title(rec)

    def _find_work_by_title(self, rec: WorkRec) -> Work | None:
        """A record without a shared id is the same work as a stored one with the same (long enough) title,
        a year within one, no conflicting identifier and at least one author in common."""
        tk = title_key(rec.title)
        if len(tk) < 20:
            return None
        ids = set(self.s.exec(select(Work.id).where(Work.title_key == tk)).all())
        ids |= set(self.s.exec(select(WorkVersion.work_id).where(WorkVersion.title_key == tk)).all())
        incoming = [a.person.display_name for a in rec.authorships]
        for wid in sorted(ids):
            w = self.s.get(Work, wid)
            if any(getattr(rec, k) and getattr(w, k) and getattr(rec, k) != getattr(w, k) for k in WORK_IDS):
                continue
            if rec.year and w.year and abs(rec.year - w.year) > 1:
                continue
            stored = self.s.exec(
                select(Researcher.display_name)
                .join(Authorship, Authorship.researcher_id == Researcher.id)
                .where(Authorship.work_id == wid)
            ).all()
            if incoming and stored and not any(names.names_compatible(a, b) for a in incoming for b in stored):
                continue
            return w
        return None

    def work(self, rec: WorkRec, source: str) -> tuple[int, bool]:
        """Insert or merge a work with its venue, authors, topics, versions and references."""
        row = self.find_work(rec)
        created = row is None
        if row is None:
            row = Work(title=rec.title or "", title_key=title_key(rec.title))
        self._apply_work(row, rec, source)
        self.s.add(row)
        self.s.flush()
        self._work_authorships(row, rec, created)
        for t in rec.topics:
            tid = self.topic(t)
            link = self.s.get(WorkTopic, (row.id, tid)) or WorkTopic(work_id=row.id, topic_id=tid)
            if t.score is not None:
                link.score = t.score
            self.s.add(link)
        for tag in rec.tags:
            if tag.startswith("geo:"):
                continue  # geography tags live on the work with their confidence, not as topics
            tid = self.topic(TopicRec(name=tag, kind="tag"))
            if self.s.get(WorkTopic, (row.id, tid)) is None:
                self.s.add(WorkTopic(work_id=row.id, topic_id=tid))
        for v in rec.versions:
            self._version(row.id, v, source)
        cites: dict[str, Citation] = {}
        if created:
            self._new_citations(row.id, rec.references)
        else:
            cites = {c.cited_key: c for c in self.s.exec(select(Citation).where(Citation.citing_work_id == row.id))}
            for ref in rec.references:
                self._citation(row.id, ref, cites)
        self.s.flush()
        self.works_written.add(row.id)
        return row.id, created

    def _apply_work(self, row: Work, rec: WorkRec, source: str) -> None:
        for k in WORK_IDS + ("pmid",):
            v = getattr(rec, k)
            if v and not getattr(row, k):
                owner = self.s.exec(select(Work.id).where(getattr(Work, k) == v)).first() if k != "pmid" else None
                if owner is None or owner == row.id:
                    setattr(row, k, v)
        if rec.title and not row.title:
            row.title, row.title_key = rec.title, title_key(rec.title)
        if rec.abstract and (not row.abstract or len(rec.abstract) > len(row.abstract) and source != "arxiv"):
            row.abstract = rec.abstract
        if rec.type and (not row.type or (row.type == "preprint" and rec.type != "preprint")):
            row.type = rec.type
        if rec.venue and (row.venue_id is None or rec.type != "preprint"):
            row.venue_id = self.venue(rec.venue)
        for attr in ("year", "publication_date", "language", "is_oa", "oa_status", "oa_url"):
            v = getattr(rec, attr)
            if v is not None and (getattr(row, attr) is None or rec.type != "preprint"):
                setattr(row, attr, v)
        if rec.cited_by_count is not None:
            row.cited_by_count = max(rec.cited_by_count, row.cited_by_count or 0)
        if rec.counts_by_year:
            row.counts_by_year = rec.counts_by_year
        for attr in ("code_urls", "dataset_urls", "keywords", "tags"):
            merged = list(dict.fromkeys([*getattr(row, attr), *getattr(rec, attr)]))
            setattr(row, attr, merged)
        geo = list(rec.geo_tags) + [_geo_from_tag(t) for t in rec.tags if t.startswith("geo:")]
        if geo:
            row.geo_tags = geo
            row.tags = [t for t in row.tags if not t.startswith("geo:")]
        row.is_retracted = row.is_retracted or rec.is_retracted
        row.authorships_complete = (
            row.authorships_complete and rec.authorships_complete if row.id else rec.authorships_complete
        )
        row.updated_at = utcnow()

    def _work_authorships(self, row: Work, rec: WorkRec, created: bool) -> None:
        existing = [] if created else self.s.exec(select(Authorship).where(Authorship.work_id == row.id)).all()
        by_researcher = {a.researcher_id: a for a in existing}
        names_on_work = [names.name_key(a.person.display_name) for a in rec.authorships]
        existing_names = {a.researcher_id: self.s.get(Researcher, a.researcher_id) for a in existing}
        pending: list[tuple[Authorship, list[int]]] = []
        for a in rec.authorships:
            co = set(names_on_work) - {names.name_key(a.person.display_name)}
            slot = self._slot_for(a, existing, existing_names)
            if slot is not None:
                researcher = existing_names[slot.researcher_id]
                if not self._conflicts(researcher, a.person):
                    self._set_person_ids(researcher, a.person)
                    self._apply_person(researcher, a.person)
                    self.s.add(researcher)
                rid = slot.researcher_id
            else:
                rid, _ = self.person(a.person, co)
            self.touched.add(rid)
            link = by_researcher.get(rid)
            if link is None:
                link = Authorship(work_id=row.id, researcher_id=rid, position=a.position)
                by_researcher[rid] = link
            elif rec.authorships_complete:
                link.position = a.position
            link.is_corresponding = link.is_corresponding or a.is_corresponding
            link.equal_contribution = link.equal_contribution or a.equal_contribution
            link.raw_author_name = a.raw_author_name or link.raw_author_name
            link.raw_affiliation = a.raw_affiliation or link.raw_affiliation
            link.countries = a.countries or link.countries
            self.s.add(link)
            if a.raw_author_name and a.raw_author_name != a.person.display_name:
                self.alias(rid, a.raw_author_name, None)
            pending.append((link, [self.institution(i) for i in a.institutions]))
        self.s.flush()  # one flush gives every new byline entry its id
        for link, iids in pending:
            for iid in dict.fromkeys(iids):
                if created or self.s.get(AuthorshipInstitution, (link.id, iid)) is None:
                    self.s.add(AuthorshipInstitution(authorship_id=link.id, institution_id=iid))

    def _slot_for(
        self, a: AuthorshipRec, existing: list[Authorship], people: dict[int, Researcher]
    ) -> Authorship | None:
        """The existing byline entry that this incoming author is (same ids, or a compatible name)."""
        for link in existing:
            r = people[link.researcher_id]
            if any(getattr(a.person, k) and getattr(a.person, k) == getattr(r, k) for k in PERSON_IDS):
                return link
        for link in existing:
            r = people[link.researcher_id]
            if not self._conflicts(r, a.person) and names.names_compatible(r.display_name, a.person.display_name):
                return link
        return None

    @staticmethod
    def _conflicts(row: Researcher, rec: PersonRec) -> bool:
        return any(getattr(rec, k) and getattr(row, k) and getattr(rec, k) != getattr(row, k) for k in PERSON_IDS)

    def _version(self, work_id: int, v, source: str) -> None:
        label = v.label or v.arxiv_id or v.doi or v.kind
        row = self.s.exec(
            select(WorkVersion).where(
                WorkVersion.work_id == work_id, WorkVersion.kind == v.kind, WorkVersion.label == label
            )
        ).first()
        if row is None:
            row = WorkVersion(work_id=work_id, kind=v.kind, label=label, source=source)
        for f in fields(v):
            if f.name not in ("kind", "label") and getattr(v, f.name) is not None:
                setattr(row, f.name, getattr(v, f.name))
        if v.title:
            row.title_key = title_key(v.title)
        self.s.add(row)

    def _citation(self, work_id: int, ref: RefRec, existing: dict[str, Citation]) -> None:
        key = citation_key(ref)
        if key is None:
            return
        row = existing.get(key)
        if row is None:
            row = existing[key] = Citation(citing_work_id=work_id, cited_key=key)
        row.cited_openalex_id = ref.openalex_id or row.cited_openalex_id
        row.cited_doi = ref.doi or row.cited_doi
        row.cited_arxiv_id = ref.arxiv_id or row.cited_arxiv_id
        row.cited_s2_id = ref.s2_id or row.cited_s2_id
        row.cited_title = ref.title or row.cited_title
        row.cited_year = ref.year or row.cited_year
        row.raw = ref.raw or row.raw
        self.s.add(row)

    def _new_citations(self, work_id: int, refs: list[RefRec]) -> None:
        """References of a work new to the store: one multi-row insert."""
        rows: dict[str, dict] = {}
        for ref in refs:
            key = citation_key(ref)
            if key and key not in rows:
                rows[key] = {
                    "citing_work_id": work_id,
                    "cited_work_id": None,
                    "cited_key": key,
                    "cited_openalex_id": ref.openalex_id,
                    "cited_doi": ref.doi,
                    "cited_arxiv_id": ref.arxiv_id,
                    "cited_s2_id": ref.s2_id,
                    "cited_title": ref.title,
                    "cited_year": ref.year,
                    "raw": ref.raw,
                }
        if rows:
            self.s.execute(insert(Citation), list(rows.values()))

    def resolve_citations(self) -> int:
        """Point the unresolved references this import can have resolved at the works they name.

        Two kinds of rows can have become resolvable: the references of the works written by this import (to any
        stored work), and older references that name one of those works (now stored, or carrying a new id). When
        the import wrote a large share of the store, one pass over every unresolved reference is cheaper than
        looking them up a batch of works at a time. Either way only rows that find their work are rewritten: a
        reference whose work is still missing is left untouched, so a small import into a large store costs in
        proportion to the import, not to the store.
        """
        written = sorted(self.works_written)
        if not written:
            return 0
        stored = self.s.exec(select(func.count()).select_from(Work)).one()
        if len(written) * 4 >= stored:
            return self._resolve_where(None)
        return sum(self._resolve_where(list(chunk)) for chunk in in_chunks(written))

    def _resolve_where(self, work_ids: list[int] | None) -> int:
        """Resolve references by each id scheme; ``work_ids`` limits it to those works' references and to the
        references naming them (``None``: every unresolved reference)."""
        from sqlalchemy import exists, or_, update

        total = 0
        for col, wcol in (
            (Citation.cited_openalex_id, Work.openalex_id),
            (Citation.cited_doi, Work.doi),
            (Citation.cited_arxiv_id, Work.arxiv_id),
            (Citation.cited_s2_id, Work.s2_id),
        ):
            match = select(Work.id).where(wcol == col, Work.id != Citation.citing_work_id)
            where = [Citation.cited_work_id.is_(None), col.is_not(None), exists(match)]
            if work_ids is not None:
                named = select(wcol).where(Work.id.in_(work_ids), wcol.is_not(None))
                where.append(or_(Citation.citing_work_id.in_(work_ids), col.in_(named)))
            res = self.s.exec(update(Citation).where(*where).values(cited_work_id=match.limit(1).scalar_subquery()))
            total += res.rowcount or 0
        # A work does not cite itself: a merge of two versions can leave such a row behind (resolution skips them).
        self_cite = [Citation.cited_work_id == Citation.citing_work_id]
        if work_ids is not None:
            self_cite.append(Citation.citing_work_id.in_(work_ids))
        self.s.exec(update(Citation).where(*self_cite).values(cited_work_id=None))
        return total

    def resolve_institution_parents(self) -> None:
        rows = self.s.exec(select(Institution).where(Institution.parent_id.is_(None))).all()
        for row in rows:
            parents = [x for x in (row.lineage or []) if x and x != row.openalex_id]
            if parents:
                pid = self.s.exec(select(Institution.id).where(Institution.openalex_id == parents[0])).first()
                if pid:
                    row.parent_id = pid
                    self.s.add(row)

    # ---- helpers ----------------------------------------------------------------------------
    @staticmethod
    def _fill(row, rec, renames: dict[str, str]) -> None:
        for f in fields(rec):
            v = getattr(rec, f.name)
            target = renames.get(f.name, f.name)
            if v in (None, [], "") or not hasattr(row, target) or f.name in ("lineage", "parent_openalex_id"):
                continue
            setattr(row, target, v)


def citation_key(ref: RefRec) -> str | None:
    if ref.openalex_id:  # written out: ten references per work
        return f"openalex:{ref.openalex_id}"
    if ref.doi:
        return f"doi:{ref.doi}"
    if ref.arxiv_id:
        return f"arxiv:{ref.arxiv_id}"
    if ref.s2_id:
        return f"s2:{ref.s2_id}"
    if ref.raw or ref.title:
        from core.ingest.ids import record_hash

        return "raw:" + record_hash(ref.raw or ref.title)[:16]
    return None


def _geo_from_tag(tag: str) -> dict:
    path, _, conf = tag.removeprefix("geo:").rpartition("|")
    try:
        return {"path": path, "confidence": float(conf)}
    except ValueError:
        return {"path": tag.removeprefix("geo:"), "confidence": None}


def count_rows(session: Session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()

