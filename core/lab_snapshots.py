"""Stored lab maps: an institution's collaboration structure kept in the store and rebuilt when its works change.

An institution's lab map reads every byline of every work of its (up to 400) most productive members. At a million
works the largest institution's members have ~34,000 works and ~260,000 byline rows: 6-12 s of reading and pairing,
far too slow for a page view. So the map's structure (``core.labs.lab_structure``: ids, strengths, years, layout,
communities; no names) is kept in a ``LabSnapshot`` row per institution:

- the first view of an institution builds it (or ``python -m core labs`` does, ahead of time);
- every import ends by marking out of date the snapshots of the institutions whose members it touched (a work
  with a member on it, a new affiliation) or whose units it changed (a unit joined the lineage); the next view
  rebuilds a marked map, and ``python -m core labs --outdated`` rebuilds them all ahead of that view;
- names of people and institutions are not stored: ``core.labs.lab_view`` reads them when the map is shown.

A snapshot is derived data, like the store counts in ``core.aggregates``: writing it needs no acting user, and a
page that cannot write it (the store is busy with an import) shows the map it computed without keeping it.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable

from sqlalchemy import delete, func, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, select

from core import labs
from core.ingest.bulk_sql import in_chunks
from core.models import Authorship, AuthorshipInstitution, Institution, LabSnapshot, ResearcherInstitution, utcnow

# Bumped when ``labs.lab_structure`` changes shape: snapshots of another version are rebuilt on their next view.
VERSION = 4  # 4: ties (as indexes into the stored people) and work ids packed as arrays
OUTDATED = 0  # the version an import gives the snapshots it made out of date (rebuilt on their next view too)


def institution_lab_map(*, session: Session, institution_id: int) -> labs.LabMap:
    """The lab map of an institution with its child units, from its snapshot (built and kept if there is none)."""
    inst = session.get(Institution, institution_id)
    if inst is None:
        from core.queries import NotFound

        raise NotFound(f"no institution with id {institution_id}")
    snap = session.get(LabSnapshot, institution_id)
    if snap is None or snap.version != VERSION:
        snap = build(session=session, institution_id=institution_id)
    m = labs.lab_view(session=session, structure=snap.structure, name=inst.name, members_total=snap.members_total)
    if snap.members_total > len(snap.structure["members"]):
        m.notes.append(f"Showing the {len(snap.structure['members'])} most productive of {snap.members_total} members.")
    if len(snap.units) > 1:
        m.notes.append(f"Includes {len(snap.units) - 1} child unit(s) from the institution lineage.")
    return m


def build(*, session: Session, institution_id: int) -> LabSnapshot:
    """Compute an institution's lab structure now and store it as its snapshot."""
    t0 = time.perf_counter()
    units = labs.institution_units(session=session, institution_id=institution_id)
    member_ids, total = labs.institution_members(session=session, institution_id=institution_id)
    structure = labs.lab_structure(session=session, member_ids=member_ids, home_units=units)
    snap = LabSnapshot(institution_id=institution_id, version=VERSION, units=units, members_total=total,
                       structure=structure, built_at=utcnow(), build_seconds=round(time.perf_counter() - t0, 3))  # fmt: skip
    _keep(session, snap)
    return snap


def _keep(session: Session, snap: LabSnapshot) -> None:
    """Replace the institution's snapshot; a page view that loses a race (or finds the store locked by an import)
    leaves the store as it was and still shows its map."""
    conn = session.connection()
    # SQLite: wait a moment for the write lock, not the 30 s an import may hold it for (the map is shown anyway).
    waited = conn.exec_driver_sql("PRAGMA busy_timeout").scalar() if conn.dialect.name == "sqlite" else None
    if waited is not None:
        conn.exec_driver_sql("PRAGMA busy_timeout=250")
    try:
        with session.begin_nested():
            session.execute(delete(LabSnapshot).where(LabSnapshot.institution_id == snap.institution_id))
            session.add(snap)
            session.flush()
    except (IntegrityError, DBAPIError):
        if snap in session:
            session.expunge(snap)
    finally:
        if waited is not None:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={int(waited)}")


def mark_outdated(*, session: Session, researcher_ids: Iterable[int]) -> list[int]:
    """Mark the snapshots an import made out of date (``version`` ``OUTDATED``); returns their institution ids.

    A snapshot is out of date when its institution's units are no longer those it was built with (a unit joined or
    left the lineage), or when one of the given researchers (those whose works or affiliations the import wrote)
    has an authorship at, or an affiliation with, one of its units: that person's work count there, their works or
    their place among the members may have changed. Everyone else's bylines are as they were.

    They are marked, not rebuilt: at a million works any thousand new works touch every large institution, and
    rebuilding 31 stored maps took 111 s, five times the import itself. The next view of a marked map rebuilds it
    (a few seconds, with a spinner), as does ``python -m core labs --outdated``.
    """
    stored = dict(session.execute(
        select(LabSnapshot.institution_id, LabSnapshot.units).where(LabSnapshot.version != OUTDATED)
    ).all())  # fmt: skip
    if not stored:
        return []
    children: dict[int, list[int]] = defaultdict(list)  # the whole hierarchy in one read (thousands of rows)
    for iid, parent in session.execute(
        select(Institution.id, Institution.parent_id).where(Institution.parent_id.is_not(None))
    ):
        children[parent].append(iid)
    stale = {iid for iid, units in stored.items() if sorted(labs.units_below(iid, lambda ids: [c for p in ids for c in children.get(p, ())])) != sorted(units)}
    units_kept = {u for iid, units in stored.items() if iid not in stale for u in units}
    touched: set[int] = set()
    for chunk in in_chunks(sorted(set(researcher_ids)) if units_kept else []):
        # From the people's side (their authorships, then those authorships' institutions), filtered here: asked
        # for "at these units" SQLite starts from the units, whose authorships number in the hundreds of thousands.
        of_people = select(Authorship.id).where(Authorship.researcher_id.in_(chunk))
        touched.update(session.execute(
            select(AuthorshipInstitution.institution_id).distinct()
            .where(AuthorshipInstitution.authorship_id.in_(of_people))
        ).scalars())  # fmt: skip
        touched.update(session.execute(
            select(ResearcherInstitution.institution_id).distinct().where(ResearcherInstitution.researcher_id.in_(chunk))
        ).scalars())  # fmt: skip
    stale |= {iid for iid, units in stored.items() if touched.intersection(units)}
    for chunk in in_chunks(sorted(stale)):
        session.execute(update(LabSnapshot).where(LabSnapshot.institution_id.in_(chunk)).values(version=OUTDATED))
    return sorted(stale)


def outdated_institutions(*, session: Session) -> list[int]:
    """Institutions whose stored map an import marked out of date, or that older code built."""
    return list(session.execute(select(LabSnapshot.institution_id).where(LabSnapshot.version != VERSION)).scalars())


def largest_institutions(*, session: Session, limit: int | None = None) -> list[int]:
    """Institutions by the number of authorships at them, most first (the maps that are slowest to compute)."""
    q = (
        select(AuthorshipInstitution.institution_id)
        .group_by(AuthorshipInstitution.institution_id)
        .order_by(func.count().desc(), AuthorshipInstitution.institution_id)
    )
    return list(session.execute(q.limit(limit) if limit else q).scalars())


def build_many(*, session: Session, institution_ids: Iterable[int],
               on_built: Callable[[int, float], None] | None = None) -> int:  # fmt: skip
    """Build (or rebuild) the snapshots of these institutions; returns how many were built."""
    n = 0
    for iid in institution_ids:
        snap = build(session=session, institution_id=iid)
        n += 1
        if on_built:
            on_built(iid, snap.build_seconds)
    return n
