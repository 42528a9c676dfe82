"""Collaboration maps for lab leads: a lab is an institution (with its child units) or a named list of people.

``lab_map`` returns everything the lab page draws: members, internal ties, external partners (people,
institutions, countries), isolated members, brokers, partnership dynamics over the years and the strongest pairs.
"""

from __future__ import annotations

import base64
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx
import numpy as np
from sqlmodel import Session, select

from core import network
from core.ingest.bulk_sql import rows_where_in
from core.models import Authorship, AuthorshipInstitution, Institution, Researcher, ResearcherInstitution, Work

MEMBER_CAP = 400  # a lab map draws at most this many members (the most productive), and says so
PARTNER_CAP = 150  # and at most this many external partners (the strongest ties), and says so
EXTERNAL_INSTITUTIONS = 50  # the partner institutions a lab map lists (and places on its world map)


def institution_units(*, session: Session, institution_id: int) -> list[int]:
    """The institution and all its descendants (child units via ``parent_id``), breadth first."""
    return units_below(
        institution_id, lambda frontier: session.exec(select(Institution.id).where(Institution.parent_id.in_(frontier)))
    )


def units_below(root: int, children_of: Callable[[list[int]], Iterable[int]]) -> list[int]:
    """``root`` and every unit below it, breadth first; ``children_of(ids)`` gives the children of those ids.

    >>> units_below(1, lambda ids: [c for p in ids for c in {1: [2, 3], 3: [4]}.get(p, [])])
    [1, 2, 3, 4]
    """
    units, frontier = [root], [root]
    while frontier:
        frontier = [c for c in children_of(frontier) if c not in units]
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
    """A lab map as the page draws it.

    The people are ``nodes`` (``("r:<id>", attributes)``, members first); the ties between them are arrays, one
    entry per tie (``edge_ends`` holds indexes into ``nodes``): the largest institution at a million works has 550
    people and 27,000 ties, and a page that handled each tie as a Python object spent most of its time there.
    ``graph`` is the same map as a networkx graph, built when first asked for (the exports write it).
    """

    name: str
    members: list[dict]
    members_total: int
    nodes: list[tuple[str, dict]]  # members and external partners ("r:<id>"; kind, id, label, member)
    edge_ends: np.ndarray  # (ties, 2) int32: indexes into nodes
    edge_weight: np.ndarray  # collaboration strength
    edge_works: np.ndarray  # shared works
    edge_first: np.ndarray  # first and last year of a shared work, 0 when no work has a year
    edge_last: np.ndarray
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
    positions: dict[str, tuple[float, float]] = field(default_factory=dict)  # graph node -> drawn position
    notes: list[str] = field(default_factory=list)

    @cached_property
    def graph(self) -> nx.Graph:
        """Members and external partners ("r:<id>"), each tie a "co-authored" edge weighted by its strength."""
        g = nx.Graph()
        g.add_nodes_from(self.nodes)
        keys = [k for k, _ in self.nodes]
        g.add_edges_from(
            (keys[i], keys[j], {"kind": "co-authored", "weight": w, "works": n, "first_year": first or None,
                                "last_year": last or None})
            for (i, j), w, n, first, last in zip(self.edge_ends.tolist(), self.edge_weight.tolist(),
                                                 self.edge_works.tolist(), self.edge_first.tolist(),
                                                 self.edge_last.tolist(), strict=True)
        )  # fmt: skip
        return g

    @property
    def member_mask(self) -> np.ndarray:
        return np.fromiter((d["member"] for _, d in self.nodes), dtype=bool, count=len(self.nodes))

    @property
    def degrees(self) -> np.ndarray:
        """Each person's number of ties, in the order of ``nodes``."""
        n = len(self.nodes)
        return np.bincount(self.edge_ends[:, 0], minlength=n) + np.bincount(self.edge_ends[:, 1], minlength=n)

    @property
    def internal_ties(self) -> int:
        """Ties between two members."""
        member = self.member_mask
        return int(np.count_nonzero(member[self.edge_ends[:, 0]] & member[self.edge_ends[:, 1]]))


def pack(values: Iterable, dtype: str) -> str:
    """Numbers as one base64 string of little-endian ``dtype`` (a JSON value that decodes without a walk over
    them).

    >>> unpack(pack([1, 2, 3], "<i8"), "<i8").tolist()
    [1, 2, 3]
    """
    return base64.b64encode(np.asarray(list(values), dtype=dtype).tobytes()).decode("ascii")


def unpack(text: str, dtype: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=dtype)


# A tie: its two people (indexes into the structure's "nodes"), strength, shared works, first and last year (0: none).
_EDGE_FIELDS = (("i", "<i4"), ("j", "<i4"), ("weight", "<f8"), ("works", "<i4"), ("first", "<i4"), ("last", "<i4"))


def lab_map(
    *,
    session: Session,
    member_ids: list[int],
    name: str,
    members_total: int | None = None,
    home_units: list[int] | None = None,
    recent_years: int = 3,
) -> LabMap:
    """The collaboration map of a set of researchers (an institution's members or a named team)."""
    structure = lab_structure(session=session, member_ids=member_ids, home_units=home_units,
                              recent_years=recent_years)  # fmt: skip
    return lab_view(session=session, structure=structure, name=name, members_total=members_total)


def lab_structure(
    *, session: Session, member_ids: list[int], home_units: list[int] | None = None, recent_years: int = 3
) -> dict:
    """Everything of a lab map that is read from works and bylines, by id and as plain JSON values: what a stored
    lab snapshot (``core.lab_snapshots``) keeps. Names of people and institutions are looked up when the map is
    shown (``lab_view``), so a renamed person or institution never needs the snapshot rebuilt."""
    members = set(member_ids)
    # The lab's works as a subquery, not a list of ids: a large lab has thousands of works.
    lab_works = select(Authorship.work_id).where(Authorship.researcher_id.in_(member_ids))
    # Every byline of those works with each authorship's institutions (one row per institution: the external
    # institutions and countries are counted from the same rows). Tens of thousands of plain rows, so read through
    # the connection, without the ORM's per-row bookkeeping.
    rows = (
        session.connection()
        .execute(
            select(Authorship.work_id, Authorship.researcher_id, Work.year, AuthorshipInstitution.institution_id)
            .join(Work, Work.id == Authorship.work_id)
            .join(Researcher, Researcher.id == Authorship.researcher_id)
            .outerjoin(AuthorshipInstitution, AuthorshipInstitution.authorship_id == Authorship.id)
            .where(Authorship.work_id.in_(lab_works), Researcher.is_placeholder.is_(False))
        )
        .all()
    )
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
        pairs = [
            (m, x) if m < x else (x, m)
            for m in ppl
            if m in members
            for x in ppl
            if x != m and not (x in members and x < m)
        ]  # a member pair once, from its smaller id
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
    # One pass over the pairs (not one per outsider): strength and member partners of every outsider.
    ext_strength: dict[int, float] = defaultdict(float)
    ext_partners: dict[int, set[int]] = defaultdict(set)
    for (a, b), w in pair_strength.items():
        for x, other in ((a, b), (b, a)):
            if x in outsiders:
                ext_strength[x] += w
                if other in members:
                    ext_partners[x].add(other)
    # Only the outsiders that can be shown: those at least as strong as the PARTNER_CAP-th strongest (ties at that
    # strength included; the name breaks them, so their names are read here).
    by_strength = sorted((round(v, 4) for v in ext_strength.values()), reverse=True)
    floor = by_strength[PARTNER_CAP - 1] if len(by_strength) > PARTNER_CAP else float("-inf")
    shown = [x for x in outsiders if round(ext_strength[x], 4) >= floor]
    names = _display_names(session, shown)
    shown.sort(key=lambda x: (-round(ext_strength[x], 4), names.get(x, ""), x))
    kept = members | set(shown[:PARTNER_CAP])
    g = nx.Graph()
    for rid in member_ids:
        g.add_node(rid, member=True)
    edges = []
    for (a, b), w in pair_strength.items():
        if a not in kept or b not in kept:
            continue
        for x in (a, b):
            if x not in g:
                g.add_node(x, member=False)
        years = pair_years[(a, b)]
        edge = (a, b, round(w, 4), len(years) or 1, min(years, default=None), max(years, default=None))
        g.add_edge(a, b, weight=edge[2])
        edges.append(edge)
    connected = {x for pair in internal for x in pair}
    internal_g = g.subgraph(members).copy()
    parts = network.communities(internal_g) if internal_g.number_of_edges() else []
    brokers = network.bridges_between_communities(internal_g, parts, limit=10) if parts else []
    per_year = Counter(year_of[w] for w in bylines if year_of.get(w))
    new_partners_year: Counter = Counter()
    for pair, years in pair_years.items():
        if years and not (pair[0] in members and pair[1] in members):
            new_partners_year[min(years)] += 1
    strongest = sorted(internal, key=lambda p: -pair_strength[p])[:25]
    ext_inst, countries = _external_affiliations(session, outside_authorships)
    positions = network.layout(g, seed=7) if g.number_of_nodes() else {}
    # The people drawn, in the order the page lists them: members, then partners as their ties first name them.
    node_ids = list(member_ids)
    index = {rid: i for i, rid in enumerate(node_ids)}
    for a, b, *_ in edges:
        for x in (a, b):
            if x not in index:
                index[x] = len(node_ids)
                node_ids.append(x)
    ties = [(index[a], index[b], *rest) for a, b, *rest in edges]
    return {
        "members": list(member_ids),
        "nodes": node_ids,
        # Ties and work ids are the bulk of a large lab (27,000 ties, 34,000 works): packed arrays, not JSON lists.
        "edges": {name: pack((t[k] or 0 for t in ties), dtype) for k, (name, dtype) in enumerate(_EDGE_FIELDS)},
        "positions": [[n, round(float(x), 6), round(float(y), 6)] for n, (x, y) in positions.items()],
        "internal_pairs": [
            [
                a,
                b,
                round(pair_strength[(a, b)], 4),
                len(pair_years[(a, b)]),
                min(pair_years[(a, b)], default=None),
                max(pair_years[(a, b)], default=None),
            ]
            for a, b in strongest
        ],  # fmt: skip
        "external_people": [[x, round(ext_strength[x], 4), sorted(ext_partners[x])] for x in shown],
        "outsiders": len(outsiders),
        # Partner institutions are counted over all of them (thousands at a large lab), here, once: the map shows
        # the top EXTERNAL_INSTITUTIONS (their names read when shown) and the countries of all of them.
        "external_institutions": [[i["id"], i["authorships"]] for i in ext_inst[:EXTERNAL_INSTITUTIONS]],
        "countries": countries,
        "isolated": [m for m in member_ids if m not in connected],
        "communities": sorted(network.community_of(parts).items()),
        "brokers": brokers,
        "dynamics": {k: dynamics.get(k, 0) for k in ("new", "ongoing", "lapsed")},
        "by_year": [
            {"year": y, "works": per_year[y], "new_external_ties": new_partners_year.get(y, 0)}
            for y in sorted(per_year)
        ],  # fmt: skip
        "work_ids": pack(sorted(bylines), "<i8"),
    }


def lab_view(*, session: Session, structure: dict, name: str, members_total: int | None = None) -> LabMap:
    """The lab map a page draws, from a lab's structure (``lab_structure``) and the names stored now."""
    st = structure
    members = set(st["members"])
    shown = [p[0] for p in st["external_people"]]
    names = _display_names(session, list(members | set(shown)))
    e = {name: unpack(st["edges"][name], dtype) for name, dtype in _EDGE_FIELDS}
    # Node keys "r:<id>" with kind and id attributes, as in the explorer. A member whose row is gone (merged away
    # since the map was built) is not drawn, nor are their ties.
    drawn = [rid not in members or rid in names for rid in st["nodes"]]
    nodes = [(f"r:{rid}", {"kind": "researcher", "id": rid, "label": names.get(rid, str(rid)), "member": rid in members})
             for rid, shown_here in zip(st["nodes"], drawn, strict=True) if shown_here]  # fmt: skip
    ends = np.stack([e["i"], e["j"]], axis=1)
    keep = slice(None)
    if not all(drawn):
        renumber = np.full(len(drawn), -1, dtype=np.int32)
        renumber[np.flatnonzero(drawn)] = np.arange(len(nodes), dtype=np.int32)
        ends = renumber[ends]
        keep = (ends >= 0).all(axis=1)
        ends = ends[keep]
    ext_people = sorted(
        ({"id": x, "name": names.get(x, str(x)), "strength": strength,
          "partners": sorted({names[m] for m in partners if m in names})} for x, strength, partners in st["external_people"]),
        key=lambda d: (-d["strength"], d["name"]),
    )  # fmt: skip
    ext_inst = _institutions_shown(session, st["external_institutions"])
    community = dict(st["communities"])
    notes = []
    if st["outsiders"] > PARTNER_CAP:
        notes.append(f"The map shows the {PARTNER_CAP} strongest of {st['outsiders']} external partners.")
    keys = {k for k, _ in nodes}
    work_ids = unpack(st["work_ids"], "<i8")
    return LabMap(
        name=name,
        members=[{"id": m, "name": names[m], "community": community.get(m)} for m in st["members"] if m in names],
        members_total=members_total if members_total is not None else len(st["members"]),
        nodes=nodes,
        edge_ends=ends.astype(np.int32),
        edge_weight=e["weight"][keep],
        edge_works=e["works"][keep],
        edge_first=e["first"][keep],
        edge_last=e["last"][keep],
        internal_pairs=[
            {
                "a": names.get(a, str(a)),
                "a_id": a,
                "b": names.get(b, str(b)),
                "b_id": b,
                "strength": s,
                "shared_works": n,
                "first_year": first,
                "last_year": last,
            }
            for a, b, s, n, first, last in st["internal_pairs"]
        ],  # fmt: skip
        external_people=ext_people[:50],
        external_institutions=ext_inst,
        countries=list(st["countries"]),
        isolated=sorted(({"id": m, "name": names[m]} for m in st["isolated"] if m in names), key=lambda d: d["name"]),
        brokers=[{**b, "name": names.get(b["node"], str(b["node"]))} for b in st["brokers"]],
        dynamics=dict(st["dynamics"]),
        by_year=list(st["by_year"]),
        works_count=len(work_ids),
        work_ids=work_ids.tolist(),
        positions={f"r:{n}": (x, y) for n, x, y in st["positions"] if f"r:{n}" in keys},
        notes=notes,
    )


def _display_names(session: Session, ids: list[int]) -> dict[int, str]:
    """Researcher id -> display name (chunked ``IN`` lookups: SQLite caps the parameters of one statement)."""
    return dict(rows_where_in(session, (Researcher.id, Researcher.display_name), Researcher.id, ids))


def _institutions_shown(session: Session, counted: list) -> list[dict]:
    """``[[institution id, authorships], ...]`` as the rows the page shows (name, country and place read now), most
    authorships first; ties by name (then id), not by the order the rows happened to come in."""
    columns = (Institution.id, Institution.name, Institution.country_code, Institution.latitude, Institution.longitude)
    info = {
        iid: {"id": iid, "name": name, "country_code": cc, "latitude": lat, "longitude": lng}
        for iid, name, cc, lat, lng in rows_where_in(session, columns, Institution.id, [i for i, _ in counted])
    }
    rows = [{**info[i], "authorships": n} for i, n in counted if i in info]
    return sorted(rows, key=lambda d: (-d["authorships"], d["name"] or "", d["id"]))


def _external_affiliations(session: Session, inst_count: Counter) -> tuple[list[dict], list[dict]]:
    """External institutions (most authorships first) and their countries, from the authorships counted per
    institution."""
    insts = _institutions_shown(session, list(inst_count.items()))
    country_count: Counter = Counter()
    for i in insts:
        if i["country_code"]:
            country_count[i["country_code"]] += i["authorships"]
    countries = [
        {"country_code": c, "authorships": n} for c, n in sorted(country_count.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return insts, countries
