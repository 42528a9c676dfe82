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
    people = {r.id: r for r in session.exec(select(Researcher).where(Researcher.id.in_(member_ids)))}
    work_ids = set(session.exec(select(Authorship.work_id).where(Authorship.researcher_id.in_(member_ids))).all())
    rows = session.exec(
        select(Authorship.id, Authorship.work_id, Authorship.researcher_id, Work.year)
        .join(Work, Work.id == Authorship.work_id)
        .join(Researcher, Researcher.id == Authorship.researcher_id)
        .where(Authorship.work_id.in_(work_ids), Researcher.is_placeholder.is_(False))
    ).all()
    bylines: dict[int, list[int]] = defaultdict(list)
    year_of: dict[int, int | None] = {}
    authorship_of: dict[tuple[int, int], int] = {}
    for aid, wid, rid, year in rows:
        bylines[wid].append(rid)
        year_of[wid] = year
        authorship_of[(wid, rid)] = aid
    # Strength, shared works and years for every pair with at least one member.
    pair_strength: dict[tuple[int, int], float] = defaultdict(float)
    pair_years: dict[tuple[int, int], list[int]] = defaultdict(list)
    for wid, byline in bylines.items():
        ppl = sorted(set(byline))
        if len(ppl) < 2 or len(ppl) > 100:
            continue
        w = 1.0 / (len(ppl) - 1)
        for i, a in enumerate(ppl):
            for b in ppl[i + 1 :]:
                if a in members or b in members:
                    pair_strength[(a, b)] += w
                    if year_of.get(wid):
                        pair_years[(a, b)].append(year_of[wid])
    outsiders = {x for pair in pair_strength for x in pair if x not in members}
    people.update({r.id: r for r in session.exec(select(Researcher).where(Researcher.id.in_(outsiders)))})
    g = nx.Graph()
    for rid in members:
        g.add_node(rid, label=people[rid].display_name if rid in people else str(rid), member=True)
    for (a, b), w in pair_strength.items():
        for x in (a, b):
            if x not in g:
                g.add_node(x, label=people[x].display_name, member=False)
        g.add_edge(a, b, weight=round(w, 4), works=len(pair_years[(a, b)]) or 1,
                   first_year=min(pair_years[(a, b)], default=None), last_year=max(pair_years[(a, b)], default=None))
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
    ext_inst, countries = _external_affiliations(session, bylines, authorship_of, members, set(home_units or []))
    # One pass over the pairs (not one per outsider): strength and member partners of every outsider.
    ext_strength: dict[int, float] = defaultdict(float)
    ext_partners: dict[int, set[str]] = defaultdict(set)
    for (a, b), w in pair_strength.items():
        for x, other in ((a, b), (b, a)):
            if x in outsiders:
                ext_strength[x] += w
                if other in members:
                    ext_partners[x].add(people[other].display_name)
    ext_people = sorted(
        ({"id": x, "name": people[x].display_name, "strength": round(ext_strength[x], 4),
          "partners": sorted(ext_partners[x])} for x in outsiders),
        key=lambda d: (-d["strength"], d["name"]),
    )
    if len(ext_people) > PARTNER_CAP:
        g.remove_nodes_from([p["id"] for p in ext_people[PARTNER_CAP:]])
        capped_note = f"The map shows the {PARTNER_CAP} strongest of {len(ext_people)} external partners."
    else:
        capped_note = None
    connected = {x for pair in internal for x in pair}
    isolated = [{"id": m, "name": people[m].display_name} for m in sorted(members, key=lambda m: people[m].display_name)
                if m not in connected and m in people]
    internal_g = g.subgraph(members).copy()
    parts = network.communities(internal_g) if internal_g.number_of_edges() else []
    brokers = [
        {**b, "name": people[b["node"]].display_name}
        for b in network.bridges_between_communities(internal_g, parts, limit=10)
    ] if parts else []
    per_year = Counter(year_of[w] for w in bylines if year_of.get(w))
    new_partners_year: Counter = Counter()
    for pair, years in pair_years.items():
        if years and not (pair[0] in members and pair[1] in members):
            new_partners_year[min(years)] += 1
    by_year = [{"year": y, "works": per_year[y], "new_external_ties": new_partners_year.get(y, 0)} for y in sorted(per_year)]
    strongest = sorted(internal, key=lambda p: -pair_strength[p])[:25]
    return LabMap(
        name=name,
        members=[{"id": m, "name": people[m].display_name, "community": network.community_of(parts).get(m)}
                 for m in member_ids if m in people],
        members_total=members_total if members_total is not None else len(member_ids),
        graph=g,
        internal_pairs=[{"a": people[a].display_name, "a_id": a, "b": people[b].display_name, "b_id": b,
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


def _external_affiliations(session: Session, bylines, authorship_of, members: set[int], home: set[int]):
    """Institutions and countries of non-members on the lab's works (outside the lab's own units)."""
    outside_aids = [aid for (wid, rid), aid in authorship_of.items() if rid not in members]
    if not outside_aids:
        return [], []
    rows = session.exec(
        select(AuthorshipInstitution.authorship_id, Institution.id, Institution.name, Institution.country_code,
               Institution.latitude, Institution.longitude)
        .join(Institution, Institution.id == AuthorshipInstitution.institution_id)
        .where(AuthorshipInstitution.authorship_id.in_(outside_aids))
    ).all()
    inst_count: Counter = Counter()
    info: dict[int, dict] = {}
    country_count: Counter = Counter()
    for _aid, iid, name, cc, lat, lng in rows:
        if iid in home:
            continue
        inst_count[iid] += 1
        info[iid] = {"id": iid, "name": name, "country_code": cc, "latitude": lat, "longitude": lng}
        if cc:
            country_count[cc] += 1
    insts = [{**info[i], "authorships": n} for i, n in inst_count.most_common()]
    countries = [{"country_code": c, "authorships": n} for c, n in country_count.most_common()]
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
