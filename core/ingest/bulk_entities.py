"""Venues, institutions and topics for the bulk path, found or created a batch at a time.

``Upserter.venue`` / ``institution`` / ``topic`` cost a query, an object and a flush the first time an import meets
each entity: at a million works that is tens of thousands of round trips. :func:`prefetch_entities` walks the
batch's works in the order the per-record path would, looks every entity the import has not met yet up with a few
``IN`` queries, inserts the certainly new ones in one statement per table, and records every id in the
``Upserter``'s caches, so the calls made while writing the works are cache hits. Anything the per-record rules must
judge (a stored row to update, a match by ISSN, name or ROR, two records in the batch sharing such a key) is passed
to the ``Upserter`` itself, at its place in that order, after the new rows before it are written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from sqlmodel import Session

from core import names
from core.ingest.bulk_sql import allocate_ids, existing_values, insert_rows, rows_where_in
from core.ingest.records import InstitutionRec, TopicRec, VenueRec, WorkRec
from core.ingest.upsert import Upserter
from core.models import Institution, Topic, Venue

REPORTED = {"works_count": "works_count_reported", "cited_by_count": "cited_by_count_reported"}


def prefetch_entities(session: Session, up: Upserter, works: list[WorkRec]) -> None:
    """Resolve every venue, institution and topic named by ``works`` into ``up``'s caches."""
    _venues(session, up, [w.venue for w in works if w.venue])
    _institutions(session, up, [i for w in works for a in w.authorships for i in a.institutions])
    _topics(session, up, works)


class _Pending:
    """New rows of one table waiting to be inserted, in order; ``flush`` hands out their keys and writes them.

    Keys are handed out only at ``flush``, and every per-record call is preceded by one, so no row written through
    the ORM can take a key promised to a row still waiting (SQLite numbers new rows after the largest stored key).
    ``on_id(token, id)`` records each key (in the ``Upserter``'s cache); ``before_insert(row)`` then fills columns
    that name other rows of the same statement (a parent topic or institution).
    """

    def __init__(self, session: Session, model, on_id: Callable[[object, int], None],
                 before_insert: Callable[[dict], None] | None = None):  # fmt: skip
        self.session, self.table, self.on_id, self.before_insert = session, model.__table__, on_id, before_insert
        self.rows: list[tuple[object, dict]] = []

    def add(self, token: object, row: dict) -> None:
        self.rows.append((token, row))

    def flush(self) -> None:
        if not self.rows:
            return
        for (token, row), rid in zip(self.rows, allocate_ids(self.session, self.table, len(self.rows)), strict=True):
            row["id"] = rid
            self.on_id(token, rid)
        rows = [row for _, row in self.rows]
        self.rows = []
        if self.before_insert:
            for row in rows:
                self.before_insert(row)
        insert_rows(self.session, self.table, rows)


def _row_values(obj) -> dict:
    """Column values of an unsaved SQLModel object (defaults included), for a Core insert."""
    return {c.name: getattr(obj, c.name) for c in obj.__table__.columns if c.name != "id"}


# ---- venues ---------------------------------------------------------------------------------------------------------
def _venue_key(rec: VenueRec) -> tuple:
    return ("openalex", rec.openalex_id) if rec.openalex_id else ("name", names.text_key(rec.name))


def _venues(session: Session, up: Upserter, recs: list[VenueRec]) -> None:
    first: dict[tuple, VenueRec] = {}  # the first record of each venue the import has not met yet
    for rec in recs:
        key = _venue_key(rec)
        if key not in up._venue and key not in first:
            first[key] = rec
    if not first:
        return
    name_keys = {key: names.text_key(rec.name) for key, rec in first.items()}
    stored_oid = existing_values(session, Venue.openalex_id, {r.openalex_id for r in first.values() if r.openalex_id})
    stored_issn = existing_values(session, Venue.issn_l, {r.issn_l for r in first.values() if r.issn_l})
    stored_name = existing_values(session, Venue.name_key, set(name_keys.values()))
    issn_count = Counter(r.issn_l for r in first.values() if r.issn_l)
    name_count = Counter(name_keys.values())
    pending = _Pending(session, Venue, lambda key, vid: up._venue.__setitem__(key, vid))
    for key, rec in first.items():
        nk = name_keys[key]
        # A stored venue (by id, ISSN-L or name), or another venue of this batch with the same ISSN-L or name:
        # ``Upserter.venue`` decides whether they are one.
        if (
            rec.openalex_id in stored_oid
            or (rec.issn_l and (rec.issn_l in stored_issn or issn_count[rec.issn_l] > 1))
            or nk in stored_name
            or name_count[nk] > 1
        ):
            pending.flush()
            up.venue(rec)
            continue
        row = Venue(name=rec.name, name_key=nk)
        up._fill(row, rec, REPORTED)
        pending.add(key, _row_values(row))
    pending.flush()


# ---- institutions ---------------------------------------------------------------------------------------------------
def _institutions(session: Session, up: Upserter, recs: list[InstitutionRec]) -> None:
    cache = up._inst
    order: list[InstitutionRec] = []  # records the import has not met yet, first of each OpenAlex id
    seen: set[str] = set()
    for rec in recs:
        oid = rec.openalex_id
        if oid in seen or (oid and ("openalex", oid) in cache) or (rec.ror and ("ror", rec.ror) in cache):
            continue
        if oid:
            seen.add(oid)
        order.append(rec)
    if not order:
        return
    oids = {r.openalex_id for r in order if r.openalex_id}
    stored = {oid: (iid, ror) for iid, oid, ror in rows_where_in(
        session, (Institution.id, Institution.openalex_id, Institution.ror), Institution.openalex_id, oids)}  # fmt: skip
    stored_ror = existing_values(session, Institution.ror, {r.ror for r in order if r.ror})
    ror_count = Counter(r.ror for r in order if r.ror)
    parents = dict(
        rows_where_in(session, (Institution.openalex_id, Institution.id), Institution.openalex_id,
                      {r.parent_openalex_id for r in order if r.parent_openalex_id})
    )  # fmt: skip

    def on_id(rec: InstitutionRec, iid: int) -> None:
        for k in (("openalex", rec.openalex_id), ("ror", rec.ror)):
            if k[1]:
                cache[k] = iid

    def link_parent(row: dict) -> None:
        # Like the per-record path, only a parent written before the child: keys rise in the order rows are met,
        # so a parent with a larger key comes later. ``Upserter.resolve_institution_parents`` links the rest at the
        # end of the import, as it does there.
        pid = row.pop("_parent_openalex_id")
        if pid:
            parent = cache.get(("openalex", pid)) or parents.get(pid)
            row["parent_id"] = parent if parent is not None and parent < row["id"] else None

    pending = _Pending(session, Institution, on_id, link_parent)
    for rec in order:
        oid = rec.openalex_id
        if oid in stored and rec.works_count is None and rec.city is None:
            # What ``Upserter.institution`` does with a byline stub of a stored institution: remember it, no write.
            iid, _ = stored[oid]
            for k in (("openalex", oid), ("ror", rec.ror)):
                if k[1]:
                    cache[k] = iid
            continue
        if (
            not oid
            or oid in stored
            or (rec.ror and (rec.ror in stored_ror or ror_count[rec.ror] > 1 or ("ror", rec.ror) in cache))
        ):
            pending.flush()
            up.institution(rec)
            continue
        row = Institution(name=rec.name, name_key=names.text_key(rec.name))
        up._fill(row, rec, REPORTED)
        if rec.lineage:
            row.lineage = rec.lineage
        pending.add(rec, {**_row_values(row), "_parent_openalex_id": rec.parent_openalex_id})
    pending.flush()


# ---- topics -----------------------------------------------------------------------------------------------------------
def _topic_key(rec: TopicRec) -> tuple[str, str]:
    return (rec.kind, rec.openalex_id or names.text_key(rec.name))


def _topics(session: Session, up: Upserter, works: list[WorkRec]) -> None:
    """Topics in the order ``Upserter.topic`` meets them: for each uncached topic its uncached ancestors first."""
    cache = up._topic
    order: dict[tuple[str, str], TopicRec] = {}
    for w in works:
        recs = list(w.topics) + [TopicRec(name=t, kind="tag") for t in w.tags if not t.startswith("geo:")]
        for rec in recs:
            chain = []
            node: TopicRec | None = rec
            while node is not None:
                key = _topic_key(node)
                if key in cache or key in order:
                    break  # met before: the per-record path stops its walk up the hierarchy here too
                chain.append((key, node))
                node = node.parent
            for key, node in reversed(chain):
                order[key] = node
    if not order:
        return
    stored = {(kind, key): (tid, name, parent_id, level) for tid, kind, key, name, parent_id, level in rows_where_in(
        session, (Topic.id, Topic.kind, Topic.key, Topic.name, Topic.parent_id, Topic.level), Topic.key,
        {k for _, k in order})}  # fmt: skip

    def link_parent(row: dict) -> None:
        parent = row.pop("_parent")
        row["parent_id"] = cache[parent] if parent else None

    pending = _Pending(session, Topic, lambda key, tid: cache.__setitem__(key, tid), link_parent)
    for key, rec in order.items():
        parent = _topic_key(rec.parent) if rec.parent else None
        if key not in stored:
            pending.add(key, {"name": rec.name, "kind": rec.kind, "key": key[1], "openalex_id": rec.openalex_id,
                              "level": rec.level, "_parent": parent})  # fmt: skip
            continue
        tid, name, parent_id, level = stored[key]
        if parent is None or parent in cache:  # (a parent not in the cache is waiting in ``pending``: a change)
            want = cache[parent] if parent else None
            if (name, parent_id, level) == (
                rec.name or name,
                want or parent_id,
                level if rec.level is None else rec.level,
            ):
                cache[key] = tid  # as ``Upserter.topic``: nothing to change, no write
                continue
        pending.flush()
        up.topic(rec)
    pending.flush()
