"""Writing people into the store: the people half of ``Upserter`` (``core.ingest.upsert``).

- people with persistent ids are matched by id only; two records with different ids of one scheme are never merged
  (an id already held by another record becomes a merge candidate instead);
- name-only people are matched by normalised name plus a shared co-author; near misses become merge candidates.

``PeopleWriter`` is a mixin: it uses the session (``self.s``), the id cache (``self._person``), the set of touched
researchers (``self.touched``) and ``self.institution`` / ``self.topic`` of the ``Upserter`` it is part of.
"""

from __future__ import annotations

from sqlmodel import select

from core import names
from core.ingest.records import PersonRec
from core.models import (
    Authorship,
    MergeCandidate,
    Researcher,
    ResearcherAlias,
    ResearcherInstitution,
    ResearcherTopic,
    utcnow,
)

PERSON_IDS = ("openalex_id", "orcid", "s2_id", "dblp_pid", "seed_key")


class PeopleWriter:
    def person(self, rec: PersonRec, coauthor_keys: set[str] | None = None) -> tuple[int, bool]:
        """Resolve or create the researcher for ``rec``; returns ``(researcher_id, created)``."""
        cached = {self._person.get((k, getattr(rec, k))) for k in PERSON_IDS if getattr(rec, k)}
        if len(cached) == 1 and None not in cached and not (rec.works_count or rec.institutions or rec.topics):
            return cached.pop(), False  # a byline mention of someone already resolved in this import
        row = self._find_person_by_ids(rec)
        created = False
        if row is None and not any(getattr(rec, k) for k in PERSON_IDS):
            row = self._find_person_by_name(rec, coauthor_keys or set())
        if row is None:
            row = Researcher(display_name=rec.display_name)
            created = True
            self._set_person_ids(row, rec)
            self._apply_person(row, rec)
            self.s.add(row)
            self.s.flush()
            if not any(getattr(rec, k) for k in PERSON_IDS):
                self._record_name_candidates(row, coauthor_keys or set())
        else:
            self._set_person_ids(row, rec)
            self._apply_person(row, rec)
            self.s.add(row)
            self.s.flush()
        for k in PERSON_IDS:
            if getattr(row, k):
                self._person[(k, getattr(row, k))] = row.id
        self.touched.add(row.id)
        return row.id, created

    def person_details(self, researcher_id: int, rec: PersonRec, source: str) -> None:
        """Aliases, affiliations, topics and source-reported figures of a full person record."""
        row = self.s.get(Researcher, researcher_id)
        for variant in {rec.display_name, *rec.name_variants}:
            self.alias(researcher_id, variant, source)
        if rec.works_count is not None or rec.h_index is not None:
            row.works_count_reported = rec.works_count
            row.cited_by_count_reported = rec.cited_by_count
            row.h_index_reported = rec.h_index
            row.i10_index_reported = rec.i10_index
            row.counts_by_year_reported = rec.counts_by_year
            row.reported_source = source
        for i, inst in enumerate(rec.institutions):
            iid = self.institution(inst)
            link = self.s.get(ResearcherInstitution, (researcher_id, iid))
            if link is None:
                link = ResearcherInstitution(researcher_id=researcher_id, institution_id=iid)
            link.is_last_known = True
            self.s.add(link)
            if i == 0:
                row.last_institution_id = iid
        links = {
            lk.topic_id: lk for lk in self.s.exec(select(ResearcherTopic).where(ResearcherTopic.researcher_id == researcher_id))
        }
        for t in rec.topics:
            tid = self.topic(t)
            link = links.get(tid)
            if link is None:
                link = links[tid] = ResearcherTopic(researcher_id=researcher_id, topic_id=tid)
            if link.score != t.score:
                link.score = t.score
                self.s.add(link)
        self.s.add(row)

    def alias(self, researcher_id: int, name: str, source: str | None) -> None:
        if not name:
            return
        exists = self.s.exec(
            select(ResearcherAlias.id).where(
                ResearcherAlias.researcher_id == researcher_id, ResearcherAlias.name == name
            )
        ).first()
        if exists is None:
            self.s.add(
                ResearcherAlias(researcher_id=researcher_id, name=name, name_key=names.name_key(name), source=source)
            )
            self.s.flush()

    def _find_person_by_ids(self, rec: PersonRec) -> Researcher | None:
        for k in PERSON_IDS:
            v = getattr(rec, k)
            if not v:
                continue
            rid = self._person.get((k, v))
            row = self.s.get(Researcher, rid) if rid else None
            if row is None:
                row = self.s.exec(select(Researcher).where(getattr(Researcher, k) == v)).first()
            if row is None:
                continue
            # Never merge two records that carry different ids of the same scheme.
            if any(getattr(rec, o) and getattr(row, o) and getattr(rec, o) != getattr(row, o) for o in PERSON_IDS):
                continue
            return row
        return None

    def _find_person_by_name(self, rec: PersonRec, coauthor_keys: set[str]) -> Researcher | None:
        """A name-only author is the same person as a stored one with a compatible name and a shared co-author."""
        if not coauthor_keys:
            return None
        for cand in self._name_candidates(rec.display_name):
            if cand.is_placeholder:
                continue
            if self._coauthor_keys(cand.id) & coauthor_keys:
                return cand
        return None

    def _name_candidates(self, display_name: str) -> list[Researcher]:
        ik = names.initials_key(display_name)
        if not ik:
            return []
        rows = self.s.exec(select(Researcher).where(Researcher.initials_key == ik).limit(200)).all()
        return [r for r in rows if names.names_compatible(r.display_name, display_name)]

    def _coauthor_keys(self, researcher_id: int) -> set[str]:
        mine = select(Authorship.work_id).where(Authorship.researcher_id == researcher_id)
        rows = self.s.exec(
            select(Researcher.name_key)
            .join(Authorship, Authorship.researcher_id == Researcher.id)
            .where(Authorship.work_id.in_(mine), Researcher.id != researcher_id)
        ).all()
        return set(rows)

    def _record_name_candidates(self, row: Researcher, coauthor_keys: set[str]) -> None:
        for cand in self._name_candidates(row.display_name):
            if cand.id == row.id or cand.is_placeholder:
                continue
            exact = cand.name_key == row.name_key
            reason = "same name" if exact else "compatible name (initials)"
            self.merge_candidate(cand.id, row.id, f"{reason}, no shared co-author yet", 0.6 if exact else 0.4)

    def merge_candidate(self, a: int, b: int, reason: str, score: float) -> None:
        a, b = min(a, b), max(a, b)
        exists = self.s.exec(
            select(MergeCandidate.id).where(MergeCandidate.researcher_a_id == a, MergeCandidate.researcher_b_id == b)
        ).first()
        if exists is None:
            self.s.add(MergeCandidate(researcher_a_id=a, researcher_b_id=b, reason=reason, score=score))
            self.s.flush()

    def _set_person_ids(self, row: Researcher, rec: PersonRec) -> None:
        """Copy ids the row lacks; an id another record already holds becomes a merge candidate instead."""
        for k in PERSON_IDS:
            v = getattr(rec, k)
            if not v or getattr(row, k):
                continue
            owner = self.s.exec(select(Researcher.id).where(getattr(Researcher, k) == v)).first()
            if owner is None:
                setattr(row, k, v)
            elif owner != row.id:
                if row.id is None:
                    self.s.add(row)
                    self.s.flush()
                label = {"openalex_id": "OpenAlex id", "s2_id": "Semantic Scholar id", "dblp_pid": "DBLP id"}.get(
                    k, k.upper()
                )
                self.merge_candidate(owner, row.id, f"same {label} on two records", 0.9)

    def _apply_person(self, row: Researcher, rec: PersonRec) -> None:
        ids_rich = bool(rec.openalex_id or rec.orcid or rec.s2_id or rec.seed_key)
        if ids_rich or not row.display_name or len(rec.display_name) > len(row.display_name):
            # A full name from an authority beats an initialled byline.
            if ids_rich or names.name_key(rec.display_name) != row.name_key:
                row.display_name = rec.display_name if (ids_rich or "." not in rec.display_name) else row.display_name
        given, family = rec.given_name, rec.family_name
        if not (given or family):
            given, family = names.split_name(row.display_name)
        row.given_name, row.family_name = given or row.given_name, family or row.family_name
        row.name_key = names.name_key(row.display_name)
        row.initials_key = names.initials_key(row.display_name)
        row.is_placeholder = row.is_placeholder or rec.is_placeholder
        for attr in ("homepage", "summary"):
            if getattr(rec, attr):
                setattr(row, attr, getattr(rec, attr))
        if rec.open_to_collaborate is not None:
            row.open_to_collaborate = rec.open_to_collaborate
        row.updated_at = utcnow()
