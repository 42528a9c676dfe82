"""Collaboration maps for lab leads: a lab is an institution (with its child units) or a named list of people.

``lab_map`` returns everything the lab page draws: members, internal ties, external partners (people,
institutions, countries), isolated members, brokers, partnership dynamics over the years and the strongest pairs.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import networkx as nx
from sqlmodel import Session, select

from core import network
from core.ingest.bulk_sql import rows_where_in
from core.models import Authorship, AuthorshipInstitution, Institution, Researcher, ResearcherInstitution, Work

MEMBER_CAP = 400  # a lab map draws at most this many members (the most productive), and says so
PARTNER_CAP = 150  # and at most this many external partners (the strongest ties), and says so


def institution_units(*, session: Session, institution_id: int) -> list[int]:
    """The institution and all its descendants (child units via ``parent_id``), breadth first."""
    units, frontier = [institution_id], [institution_id]
    while frontier:
        children = session.exec(select(Institution.id).where(Institution.parent_id.in_(frontier))).all()
        frontier = [c for c in children if c not in units]
        units.extend(frontier)
    return units


def institution_members(*, session: Session, institution_id: int, cap: int = MEMBER_CAP) -> tuple[list[int], int]:
    """Researchers affiliated with the institution or a child unit (on a work, or as last known), most works
    first; returns ``(member ids up to cap, total members)``."""
    from sqlalchemy import func

    units = institution_units(session=session, institution_id=institution_id)
    via_works = session.exec(
        select(Authorship.researcher_id, func.count(func.distinct(Authorship.work_id)))
        .join(AuthorshipInstitution, AuthorshipInstitution.authorship_id == Authorship.id)
        .join(Researcher, Researcher.id == Authorship.researcher_id)
        .where(AuthorshipInstitution.institution_id.in_(units), Researcher.is_placeholder.is_(False))
        .group_by(Authorship.researcher_id)
    ).all()
    counts = Counter(dict(via_works))
    for rid in session.exec(
        select(ResearcherInstitution.researcher_id).where(ResearcherInstitution.institution_id.in_(units))
    ).all():
        counts.setdefault(rid, 0)
    ranked = sorted(counts, key=lambda r: (-counts[r], r))
    return ranked[:cap], len(ranked)


@dataclass
class LabMap:
    name: str
    members: list[dict]
    members_total: int
    graph: nx.Graph  # members and external partners, weighted by collaboration strength
    internal_pairs: list[dict]
    external_people: list[dict]
    external_institutions: list[dict]
    countries: list[dict]
    isolated: list[dict]
    brokers: list[dict]
    dynamics: dict[str, int]
    by_year: list[dict]
    works_count: int
    work_ids: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def lab_map(*, session: Session, member_ids: list[int], name: str, members_total: int | None = None,
            home_units: list[int] | None = None, recent_years: int = 3) -> LabMap:
    """The collaboration map of a set of researchers (an institution's members or a named team)."""
    members = set(member_ids)
    names = _display_names(session, list(member_ids))
    # The lab's works as a subquery, not a list of ids: a large lab has thousands of works.
    lab_works = select(Authorship.work_id).where(Authorship.researcher_id.in_(member_ids))
    # Every byline of those works with each authorship's institutions (one row per institution: the external
    # institutions and countries are counted from the same rows). Tens of thousands of plain rows, so read through
    # the connection, without the ORM's per-row bookkeeping.
    rows = session.connection().execute(
        select(Authorship.work_id, Authorship.researcher_id, Work.year, AuthorshipInstitution.institution_id)
        .join(Work, Work.id == Authorship.work_id)
        .join(Researcher, Researcher.id == Authorship.researcher_id)
        .outerjoin(AuthorshipInstitution, AuthorshipInstitution.authorship_id == Authorship.id)
        .where(Authorship.work_id.in_(lab_works), Researcher.is_placeholder.is_(False))
    ).all()
    bylines: dict[int, list[int]] = defaultdict(list)  # may repeat a person (once per institution): read as sets
    year_of: dict[int, int | None] = {}
    home = set(home_units or [])
    outside_authorships: Counter = Counter()  # institution -> authorships of non-members on the lab's works
    for wid, rid, year, iid in rows:
        bylines[wid].append(rid)
        year_of[wid] = year
        if iid is not None and rid not in members and iid not in home:
            outside_authorships[iid] += 1
    # Strength, shared works and years for every pair with at least one member: only the pairs through a member
    # are visited (a 100-author work with one member has 99 such pairs, not 4,950).
    pair_strength: dict[tuple[int, int], float] = defaultdict(float)
    pair_years: dict[tuple[int, int], list[int]] = defaultdict(list)
    for wid, byline in bylines.items():
        ppl = sorted(set(byline))
        if len(ppl) < 2 or len(ppl) > 100:
            continue
        w = 1.0 / (len(ppl) - 1)
        year = year_of.get(wid)
        pairs = [(m, x) if m < x else (x, m) for m in ppl if m in members for x in ppl
                 if x != m and not (x in members and x < m)]  # a member pair once, from its smaller id
        for pair in sorted(pairs):  # first seen in the same order as when every pair of the byline was visited
            pair_strength[pair] += w
            if year:
                pair_years[pair].append(year)
    outsiders = {x for pair in pair_strength for x in pair if x not in members}
    internal = [(a, b) for (a, b) in pair_strength if a in members and b in members]
    latest = max((y for y in year_of.values() if y), default=None)
    dynamics = Counter()
    for years in pair_years.values():
        if not years or latest is None:
            continue
        if min(years) > latest - recent_years:
            dynamics["new"] += 1
        elif max(years) <= latest - recent_years:
            dynamics["lapsed"] += 1
        else:
            dynamics["ongoing"] += 1
    ext_inst, countries = _external_affiliations(session, outside_authorships)
    # One pass over the pairs (not one per outsider): strength and member partners of every outsider.
    ext_strength: dict[int, float] = defaultdict(float)
    ext_partners: dict[int, set[int]] = defaultdict(set)
    for (a, b), w in pair_strength.items():
        for x, other in ((a, b), (b, a)):
            if x in outsiders:
                ext_strength[x] += w
                if other in members:
                    ext_partners[x].add(other)
    # Names only for the outsiders that can be shown: those at least as strong as the PARTNER_CAP-th strongest
    # (ties at that strength included, since the name breaks them).
    by_strength = sorted((round(v, 4) for v in ext_strength.values()), reverse=True)
    floor = by_strength[PARTNER_CAP - 1] if len(by_strength) > PARTNER_CAP else float("-inf")
    shown = [x for x in outsiders if round(ext_strength[x], 4) >= floor]
    names.update(_display_names(session, shown))
    ext_people = sorted(
        ({"id": x, "name": names[x], "strength": round(ext_strength[x], 4),
          "partners": sorted({names[m] for m in ext_partners[x]})} for x in shown),
        key=lambda d: (-d["strength"], d["name"]),
    )
    kept = members | {p["id"] for p in ext_people[:PARTNER_CAP]}
    capped_note = (
        f"The map shows the {PARTNER_CAP} strongest of {len(outsiders)} external partners."
        if len(outsiders) > PARTNER_CAP
        else None
    )
    g = nx.Graph()
    for rid in members:
        g.add_node(rid, label=names.get(rid, str(rid)), member=True)
    for (a, b), w in pair_strength.items():
        if a not in kept or b not in kept:
            continue
        for x in (a, b):
            if x not in g:
                g.add_node(x, label=names[x], member=False)
        g.add_edge(a, b, weight=round(w, 4), works=len(pair_years[(a, b)]) or 1,
                   first_year=min(pair_years[(a, b)], default=None), last_year=max(pair_years[(a, b)], default=None))
    connected = {x for pair in internal for x in pair}
    isolated = [{"id": m, "name": names[m]} for m in sorted(members, key=lambda m: names.get(m, ""))
                if m not in connected and m in names]
    internal_g = g.subgraph(members).copy()
    parts = network.communities(internal_g) if internal_g.number_of_edges() else []
    brokers = [
        {**b, "name": names[b["node"]]}
        for b in network.bridges_between_communities(internal_g, parts, limit=10)
    ] if parts else []
    per_year = Counter(year_of[w] for w in bylines if year_of.get(w))
    new_partners_year: Counter = Counter()
    for pair, years in pair_years.items():
        if years and not (pair[0] in members and pair[1] in members):
            new_partners_year[min(years)] += 1
    by_year = [{"year": y, "works": per_year[y], "new_external_ties": new_partners_year.get(y, 0)} for y in sorted(per_year)]
    strongest = sorted(internal, key=lambda p: -pair_strength[p])[:25]
    community = network.community_of(parts)
    return LabMap(
        name=name,
        members=[{"id": m, "name": names[m], "community": community.get(m)} for m in member_ids if m in names],
        members_total=members_total if members_total is not None else len(member_ids),
        graph=g,
        internal_pairs=[{"a": names[a], "a_id": a, "b": names[b], "b_id": b,
                         "strength": round(pair_strength[(a, b)], 4), "shared_works": len(pair_years[(a, b)]),
                         "first_year": min(pair_years[(a, b)], default=None), "last_year": max(pair_years[(a, b)], default=None)}
                        for a, b in strongest],
        external_people=ext_people[:50],
        external_institutions=ext_inst[:50],
        countries=countries,
        isolated=isolated,
        brokers=brokers,
        dynamics={k: dynamics.get(k, 0) for k in ("new", "ongoing", "lapsed")},
        by_year=by_year,
        works_count=len(bylines),
        work_ids=sorted(bylines),
        notes=[capped_note] if capped_note else [],
    )


def _display_names(session: Session, ids: list[int]) -> dict[int, str]:
    """Researcher id -> display name (chunked ``IN`` lookups: SQLite caps the parameters of one statement)."""
    return dict(rows_where_in(session, (Researcher.id, Researcher.display_name), Researcher.id, ids))


def _external_affiliations(session: Session, inst_count: Counter) -> tuple[list[dict], list[dict]]:
    """External institutions (most authorships first) and their countries, from the authorships counted per
    institution."""
    columns = (Institution.id, Institution.name, Institution.country_code, Institution.latitude, Institution.longitude)
    info = {
        iid: {"id": iid, "name": name, "country_code": cc, "latitude": lat, "longitude": lng}
        for iid, name, cc, lat, lng in rows_where_in(session, columns, Institution.id, inst_count)
    }
    country_count: Counter = Counter()
    for iid, n in inst_count.items():
        if info[iid]["country_code"]:
            country_count[info[iid]["country_code"]] += n
    # Most authorships first; ties by name (then id), not by the order the rows happened to come in.
    insts = [
        {**info[i], "authorships": n}
        for i, n in sorted(inst_count.items(), key=lambda kv: (-kv[1], info[kv[0]]["name"] or "", kv[0]))
    ]
    countries = [{"country_code": c, "authorships": n} for c, n in sorted(country_count.items(), key=lambda kv: (-kv[1], kv[0]))]
    return insts, countries


def institution_lab_map(*, session: Session, institution_id: int) -> LabMap:
    inst = session.get(Institution, institution_id)
    if inst is None:
        from core.queries import NotFound

        raise NotFound(f"no institution with id {institution_id}")
    member_ids, total = institution_members(session=session, institution_id=institution_id)
    units = institution_units(session=session, institution_id=institution_id)
    m = lab_map(session=session, member_ids=member_ids, name=inst.name, members_total=total, home_units=units)
    if total > len(member_ids):
        m.notes.append(f"Showing the {len(member_ids)} most productive of {total} members.")
    if len(units) > 1:
        m.notes.append(f"Includes {len(units) - 1} child unit(s) from the institution lineage.")
    return m
