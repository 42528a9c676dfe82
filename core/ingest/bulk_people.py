"""People for the bulk path: byline authors with persistent ids resolved a batch at a time.

A byline person is matched by id only (``core.ingest.upsert`` rules): ids found in the import's cache or the store
give the researcher; people whose ids are all unknown are inserted in one statement with keys handed out in
advance. Anything that needs judgement (ids spread over two stored people, a new id to add to a stored person, two
new records sharing an id) goes through ``Upserter.person`` one by one.
"""

from __future__ import annotations

from sqlmodel import Session

from core import names
from core.ingest.bulk_sql import allocate_ids, insert_rows, rows_where_in
from core.ingest.records import PersonRec
from core.ingest.upsert import PERSON_IDS, Upserter
from core.models import Researcher, ResearcherAlias, utcnow

RESEARCHER = Researcher.__table__


def resolve_people(session: Session, up: Upserter, persons: list[PersonRec]) -> dict[int, int]:
    """Researcher id for every byline person (keyed by ``id(person)``): cached or stored ones by id, new ones
    inserted in one go. A person whose ids clash with stored records goes through ``up.person``."""
    out: dict[int, int] = {}
    pending: list[PersonRec] = []
    cache = up._person
    for person in persons:
        cached = {cache.get((k, getattr(person, k))) for k in PERSON_IDS if getattr(person, k)}
        if len(cached) == 1 and None not in cached:
            out[id(person)] = cached.pop()
        else:
            pending.append(person)
    if not pending:
        return out
    for k in PERSON_IDS:
        values = {getattr(p, k) for p in pending if getattr(p, k)}
        if values:
            column = getattr(Researcher, k)
            for rid, value in rows_where_in(session, (Researcher.id, column), column, values):
                cache[(k, value)] = rid
    new_rows: dict[tuple, dict] = {}
    new_people: dict[tuple, list[PersonRec]] = {}
    claimed: dict[str, set] = {k: set() for k in PERSON_IDS}
    careful: list[PersonRec] = []  # resolved one by one once the new rows are in
    now = utcnow()
    for person in pending:
        known = {cache.get((k, getattr(person, k))) for k in PERSON_IDS if getattr(person, k)}
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
            split_given, split_family, name_key, initials_key = names.person_name_fields(person.display_name)
            given, family = person.given_name, person.family_name
            if not (given or family):
                given, family = split_given, split_family
            new_rows[key] = {
                "display_name": person.display_name, "given_name": given, "family_name": family,
                "name_key": name_key, "initials_key": initials_key,
                **{k: getattr(person, k) for k in PERSON_IDS}, "is_placeholder": person.is_placeholder,
                "open_to_collaborate": True, "counts_by_year_reported": [], "claim_status": "unclaimed",
                "created_at": now, "updated_at": now,
            }  # fmt: skip
        new_people.setdefault(key, []).append(person)
    if new_rows:
        session.flush()
        rows = list(new_rows.values())
        for row, rid in zip(rows, allocate_ids(session, RESEARCHER, len(rows)), strict=True):
            row["id"] = rid
        insert_rows(session, RESEARCHER, rows)
        for key, row in new_rows.items():
            for k in PERSON_IDS:
                if row.get(k):
                    cache[(k, row[k])] = row["id"]
            for person in new_people[key]:
                out[id(person)] = row["id"]
    for person in careful:
        out[id(person)], _ = up.person(person)
    return out


def _only_known_ids(up: Upserter, person: PersonRec, known: set[int]) -> bool:
    """True when every id the byline carries is already on the stored person (nothing to add or check)."""
    return all(up._person.get((k, getattr(person, k))) in known for k in PERSON_IDS if getattr(person, k))


def insert_aliases(session: Session, pairs: list[tuple[int, str]]) -> None:
    """Name variants seen on bylines (``raw_author_name``), each stored once per researcher."""
    if not pairs:
        return
    wanted = set(pairs)
    existing = set(
        rows_where_in(
            session,
            (ResearcherAlias.researcher_id, ResearcherAlias.name),
            ResearcherAlias.researcher_id,
            {r for r, _ in wanted},
        )
    )
    rows = [{"researcher_id": r, "name": n, "name_key": names.name_key(n), "source": None}
            for r, n in sorted(wanted - existing)]  # fmt: skip
    insert_rows(session, ResearcherAlias.__table__, rows)
