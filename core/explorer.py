"""The research-graph explorer: a heterogeneous graph of researchers, works, topics, institutions and venues,
grown one expansion at a time from a focus, never loading the corpus graph.

Node keys are ``"<kind letter>:<id>"``: ``r`` researcher, ``w`` work, ``t`` topic, ``i`` institution, ``v`` venue.
Edge kinds: ``authored`` (r-w), ``co-authored`` (r-r, Newman strength), ``cites`` (w->w), ``about-topic`` (w-t),
``affiliated`` (r-i), ``published-in`` (w-v).

>>> parse_key("r:12")
('researcher', 12)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx
from sqlalchemy import Float, Numeric, String, cast, func, literal
from sqlmodel import Session, select

from core.models import (
    Authorship,
    AuthorshipInstitution,
    Citation,
    Institution,
    Researcher,
    ResearcherInstitution,
    Topic,
    Venue,
    Work,
    WorkTopic,
)

KINDS = {"r": "researcher", "w": "work", "t": "topic", "i": "institution", "v": "venue"}
EDGE_KINDS = ("authored", "co-authored", "cites", "about-topic", "affiliated", "published-in")
TOPIC_KINDS = ("topic", "concept", "field_of_study", "keyword", "category", "tag")


def parse_key(key: str) -> tuple[str, int]:
    letter, _, ident = str(key).partition(":")
    if letter not in KINDS or not ident.isdigit():
        raise ValueError(f"not a graph node key: {key!r} (expected e.g. r:12, w:5, t:3, i:7, v:2)")
    return KINDS[letter], int(ident)


@dataclass
class Expansion:
    """What one expansion adds: nodes with attributes, edges ``(a, b, attrs)``, and how many were left out."""

    nodes: dict[str, dict] = field(default_factory=dict)
    edges: list[tuple[str, str, dict]] = field(default_factory=list)
    shown: int = 0
    total: int = 0


def node_attrs(*, session: Session, keys: list[str]) -> dict[str, dict]:
    """Label, kind, id and measures (first year, citations, trust) for node keys, in one query per kind.

    Only the columns shown are read (whole work and researcher rows are wide); a person's first year and citations
    are the figures kept on their row with the trust score.
    """
    by_kind: dict[str, list[int]] = defaultdict(list)
    for k in keys:
        kind, ident = parse_key(k)
        by_kind[kind].append(ident)
    out: dict[str, dict] = {}
    if by_kind["researcher"]:
        ids = by_kind["researcher"]
        people = session.exec(select(Researcher.id, Researcher.display_name, Researcher.trust_score,
                                     Researcher.claim_status, Researcher.first_year, Researcher.citations)
                              .where(Researcher.id.in_(ids))).all()  # fmt: skip
        # First year and citations are kept on the researcher row (core.trust_refresh); only a row written some
        # other way, not yet scored, has them counted here from its works.
        unscored = [p[0] for p in people if p[5] is None]
        facts = {rid: (first, cites) for rid, first, cites in session.exec(
            select(Authorship.researcher_id, func.min(Work.year), func.sum(Work.cited_by_count))
            .join(Work, Work.id == Authorship.work_id)
            .where(Authorship.researcher_id.in_(unscored)).group_by(Authorship.researcher_id)).all()} if unscored else {}  # fmt: skip
        for rid, name, trust, claim, first_kept, cites_kept in people:
            first, cites = (first_kept, cites_kept) if cites_kept is not None else facts.get(rid, (None, None))
            out[f"r:{rid}"] = {"kind": "researcher", "id": rid, "label": name, "trust": trust or 0,
                               "verified": claim == "claimed", "first_year": first, "citations": int(cites or 0)}  # fmt: skip
    if by_kind["work"]:
        for wid, title, year, cited in session.exec(
            select(Work.id, Work.title, Work.year, Work.cited_by_count).where(Work.id.in_(by_kind["work"]))
        ):
            out[f"w:{wid}"] = {"kind": "work", "id": wid, "label": title or "Untitled work", "first_year": year,
                               "citations": cited or 0, "year": year}  # fmt: skip
    if by_kind["topic"]:
        for tid, name in session.exec(select(Topic.id, Topic.name).where(Topic.id.in_(by_kind["topic"]))):
            out[f"t:{tid}"] = {"kind": "topic", "id": tid, "label": name}
    if by_kind["institution"]:
        for iid, name, country in session.exec(
            select(Institution.id, Institution.name, Institution.country_code).where(
                Institution.id.in_(by_kind["institution"])
            )
        ):
            out[f"i:{iid}"] = {"kind": "institution", "id": iid, "label": name, "country": country or ""}
    if by_kind["venue"]:
        for vid, name in session.exec(select(Venue.id, Venue.name).where(Venue.id.in_(by_kind["venue"]))):
            out[f"v:{vid}"] = {"kind": "venue", "id": vid, "label": name}
    return out


def expand(*, session: Session, key: str, edge_kinds: tuple[str, ...] = EDGE_KINDS, limit: int = 40,
           year_range: tuple[int, int] | None = None) -> Expansion:
    """Neighbours of one node, the heaviest ``limit`` per edge kind, with ``total`` counting all of them."""
    kind, ident = parse_key(key)
    exp = Expansion()
    edges: list[tuple[str, str, dict, float]] = []
    totals = 0

    def add(candidates: list[tuple[str, str, dict, float]], total: int | None = None):
        # ``total``: how many there are when ``candidates`` holds only the heaviest ``limit`` of them
        nonlocal totals
        totals += len(candidates) if total is None else total
        candidates.sort(key=lambda e: (-e[3], e[1]))
        edges.extend(candidates[:limit])

    def years_ok(y):
        return year_range is None or (y is not None and year_range[0] <= y <= year_range[1])

    if kind == "researcher":
        if "authored" in edge_kinds or "co-authored" in edge_kinds:
            rows = session.exec(
                select(Work.id, Work.year, Work.cited_by_count).join(Authorship, Authorship.work_id == Work.id)
                .where(Authorship.researcher_id == ident)).all()
            rows = [r for r in rows if years_ok(r[1])]
            if "authored" in edge_kinds:
                add([(key, f"w:{w}", {"kind": "authored", "year": y}, float(c or 0)) for w, y, c in rows])
            if "co-authored" in edge_kinds:
                add(*_coauthor_edges(session, ident, [r[0] for r in rows], limit))
        if "affiliated" in edge_kinds:
            insts = set(session.exec(select(ResearcherInstitution.institution_id)
                                     .where(ResearcherInstitution.researcher_id == ident)).all())
            insts |= set(session.exec(
                select(AuthorshipInstitution.institution_id).join(Authorship, Authorship.id == AuthorshipInstitution.authorship_id)
                .where(Authorship.researcher_id == ident)).all())
            add([(key, f"i:{i}", {"kind": "affiliated"}, 1.0) for i in insts])
        if "about-topic" in edge_kinds:
            rows = session.exec(
                select(WorkTopic.topic_id, func.count()).join(Authorship, Authorship.work_id == WorkTopic.work_id)
                .join(Topic, Topic.id == WorkTopic.topic_id)
                .where(Authorship.researcher_id == ident, Topic.kind.in_(TOPIC_KINDS)).group_by(WorkTopic.topic_id)).all()
            add([(key, f"t:{t}", {"kind": "about-topic", "works": n}, float(n)) for t, n in rows])
    elif kind == "work":
        w = session.get(Work, ident)
        if w is None:
            raise LookupError(f"no work {ident}")
        if "authored" in edge_kinds:
            rows = session.exec(select(Authorship.researcher_id, Authorship.position)
                                .where(Authorship.work_id == ident)).all()
            add([(f"r:{r}", key, {"kind": "authored", "year": w.year}, 1.0 / (1 + p)) for r, p in rows])
        if "cites" in edge_kinds:
            out_rows = session.exec(select(Citation.cited_work_id, Work.cited_by_count, Work.year)
                                    .join(Work, Work.id == Citation.cited_work_id).where(Citation.citing_work_id == ident)).all()
            in_rows = session.exec(select(Citation.citing_work_id, Work.cited_by_count, Work.year)
                                   .join(Work, Work.id == Citation.citing_work_id).where(Citation.cited_work_id == ident)).all()
            add([(key, f"w:{c}", {"kind": "cites", "year": w.year}, float(n or 0)) for c, n, y in out_rows if years_ok(y)]
                + [(f"w:{c}", key, {"kind": "cites", "year": y}, float(n or 0)) for c, n, y in in_rows if years_ok(y)])
        if "about-topic" in edge_kinds:
            rows = session.exec(select(WorkTopic.topic_id, WorkTopic.score).join(Topic, Topic.id == WorkTopic.topic_id)
                                .where(WorkTopic.work_id == ident, Topic.kind.in_(TOPIC_KINDS))).all()
            add([(key, f"t:{t}", {"kind": "about-topic", "score": s}, float(s or 0.1)) for t, s in rows])
        if "published-in" in edge_kinds and w.venue_id:
            add([(key, f"v:{w.venue_id}", {"kind": "published-in"}, 1.0)])
        if "affiliated" in edge_kinds:
            rows = session.exec(select(AuthorshipInstitution.institution_id, func.count())
                                .join(Authorship, Authorship.id == AuthorshipInstitution.authorship_id)
                                .where(Authorship.work_id == ident).group_by(AuthorshipInstitution.institution_id)).all()
            add([(key, f"i:{i}", {"kind": "affiliated"}, float(n)) for i, n in rows])
    elif kind == "topic":
        rows = session.exec(select(Work.id, Work.year, Work.cited_by_count).join(WorkTopic, WorkTopic.work_id == Work.id)
                            .where(WorkTopic.topic_id == ident).order_by(Work.cited_by_count.desc()).limit(limit * 5)).all()
        add([(f"w:{w}", key, {"kind": "about-topic", "year": y}, float(c or 0)) for w, y, c in rows if years_ok(y)])
    elif kind == "institution":
        rows = session.exec(
            select(Authorship.researcher_id, func.count(func.distinct(Authorship.work_id)))
            .join(AuthorshipInstitution, AuthorshipInstitution.authorship_id == Authorship.id)
            .where(AuthorshipInstitution.institution_id == ident).group_by(Authorship.researcher_id)).all()
        add([(f"r:{r}", key, {"kind": "affiliated", "works": n}, float(n)) for r, n in rows])
    elif kind == "venue":
        rows = session.exec(select(Work.id, Work.year, Work.cited_by_count).where(Work.venue_id == ident)
                            .order_by(Work.cited_by_count.desc()).limit(limit * 5)).all()
        add([(f"w:{w}", key, {"kind": "published-in", "year": y}, float(c or 0)) for w, y, c in rows if years_ok(y)])
    keys = {key} | {e[0] for e in edges} | {e[1] for e in edges}
    exp.nodes = node_attrs(session=session, keys=sorted(keys))
    exp.edges = [(a, b, {**attrs, "weight": round(max(w, 0.0), 4)}) for a, b, attrs, w in edges
                 if a in exp.nodes and b in exp.nodes]
    exp.shown, exp.total = len(exp.edges), totals
    return exp


def _coauthor_edges(
    session: Session, rid: int, work_ids: list[int], limit: int
) -> tuple[list[tuple[str, str, dict, float]], int]:
    """The person's ``limit`` strongest co-authors on these works, and how many co-authors there are.

    Newman strength (each work adds 1/(n-1), n its distinct authors, placeholders not counted), shared works and
    the first year of one, summed and ranked by the database: a hub at a million works has ~9,000 co-authors over
    ~15,000 byline rows, of which the explorer keeps the heaviest 40. Strengths are rounded to 9 places, and ties go
    by the node key (``"r:<id>"`` as text), as ``expand`` orders every kind of edge.
    """
    from core.queries import placeholder_ids

    skip = placeholder_ids(session=session)  # dropped by id, not by joining every co-author's row
    if not work_ids or rid in skip:
        return [], 0
    people = (
        select(Authorship.work_id, Authorship.researcher_id)
        .where(Authorship.work_id.in_(work_ids), Authorship.researcher_id.not_in(skip))
        .distinct()
        .subquery()
    )
    sizes = select(people.c.work_id, func.count().label("n")).group_by(people.c.work_id).subquery()
    strength = func.round(cast(func.sum(cast(1.0, Float) / (sizes.c.n - 1)), Numeric), 9)
    key = literal("r:") + cast(people.c.researcher_id, String)
    rows = session.connection().execute(
        select(people.c.researcher_id, strength, func.count(), func.min(func.nullif(Work.year, 0)),
               func.count().over())
        .join(sizes, sizes.c.work_id == people.c.work_id)
        .join(Work, Work.id == people.c.work_id)
        .where(people.c.researcher_id != rid, sizes.c.n > 1)
        .group_by(people.c.researcher_id)
        .order_by(strength.desc(), key)
        .limit(limit)
    ).all()  # fmt: skip
    edges = [(f"r:{rid}", f"r:{o}", {"kind": "co-authored", "works": n, "first_year": first}, float(s))
             for o, s, n, first, _ in rows]  # fmt: skip
    return edges, rows[0][4] if rows else 0


def to_graph(expansions: list[Expansion]) -> nx.Graph:
    """Merge expansions into one graph (later attributes win; parallel edges keep the larger weight)."""
    g = nx.Graph()
    for exp in expansions:
        for k, attrs in exp.nodes.items():
            g.add_node(k, **attrs)
        for a, b, attrs in exp.edges:
            if g.has_edge(a, b) and g[a][b].get("weight", 0) >= attrs.get("weight", 0):
                continue
            g.add_edge(a, b, **attrs)
    return g


def filter_graph(g: nx.Graph, *, node_kinds: set[str] | None = None, edge_kinds: set[str] | None = None,
                 year_range: tuple[int, int] | None = None, min_strength: float = 0.0,
                 removed: set[str] | None = None, keep: set[str] | None = None) -> nx.Graph:
    """A filtered view: node and edge kinds, year range (edges with a year), minimum co-authorship strength,
    removed nodes; ``keep`` nodes (the focus) always stay. Isolated non-kept nodes are dropped.

    >>> g = nx.Graph(); g.add_node("r:1", kind="researcher"); g.add_node("w:2", kind="work")
    >>> g.add_edge("r:1", "w:2", kind="authored", year=2001, weight=1.0)
    >>> sorted(filter_graph(g, year_range=(2010, 2020), keep={"r:1"}).nodes)
    ['r:1']
    """
    keep = keep or set()
    removed = removed or set()
    h = nx.Graph()
    for n, d in g.nodes(data=True):
        if n in removed and n not in keep:
            continue
        if node_kinds and d.get("kind") not in node_kinds and n not in keep:
            continue
        h.add_node(n, **d)
    for a, b, d in g.edges(data=True):
        if a not in h or b not in h:
            continue
        if edge_kinds and d.get("kind") not in edge_kinds:
            continue
        y = d.get("year") or d.get("first_year")
        if year_range and y is not None and not (year_range[0] <= y <= year_range[1]):
            continue
        if d.get("kind") == "co-authored" and d.get("weight", 0) < min_strength:
            continue
        h.add_edge(a, b, **d)
    h.remove_nodes_from([n for n in list(h.nodes) if h.degree(n) == 0 and n not in keep])
    return h


# ---- "How to reach this researcher" --------------------------------------------------------------------------------
def collaboration_neighbourhood(*, session: Session, seeds: list[int], hops: int = 3, cap: int = 3000) -> nx.Graph:
    """Co-authorship graph within ``hops`` of the seeds (breadth first, at most ``cap`` people), Newman-weighted,
    with the shared works on each edge."""
    from core.network import collaboration_strengths

    people, frontier = set(seeds), set(seeds)
    for _ in range(hops):
        if not frontier or len(people) >= cap:
            break
        works = select(Authorship.work_id).where(Authorship.researcher_id.in_(frontier))
        nxt = set(session.exec(select(Authorship.researcher_id).where(Authorship.work_id.in_(works)).limit(cap * 4)).all())
        frontier = nxt - people
        people |= set(sorted(frontier)[: max(0, cap - len(people))])
    rows = session.exec(
        select(Authorship.work_id, Authorship.researcher_id).join(Researcher, Researcher.id == Authorship.researcher_id)
        .where(Authorship.researcher_id.in_(people), Researcher.is_placeholder.is_(False))).all()
    bylines: dict[int, list[int]] = defaultdict(list)
    for wid, r in rows:
        bylines[wid].append(r)
    g = nx.Graph()
    g.add_nodes_from(people)
    for (a, b), w in collaboration_strengths(b for b in bylines.values() if len(b) <= 100).items():
        g.add_edge(a, b, weight=w)
    return g


def path_to_researcher(*, session: Session, source: int, target: int, hops: int = 4) -> list[dict]:
    """The strongest chain of co-authorships from ``source`` to ``target``, preferring verified people,
    with the shared works on each hop. Empty when no chain is found within ``hops`` from either end."""
    from core.network import strongest_path

    g = collaboration_neighbourhood(session=session, seeds=[source, target], hops=(hops + 1) // 2 + 1)
    # Only the people in the neighbourhood matter (a scan of every researcher otherwise).
    verified = set(session.exec(select(Researcher.id).where(Researcher.claim_status == "claimed",
                                                            Researcher.id.in_(list(g.nodes)))).all())  # fmt: skip
    nodes = strongest_path(g, source, target, prefer=verified)
    if not nodes:
        return []
    names = dict(session.exec(select(Researcher.id, Researcher.display_name).where(Researcher.id.in_(nodes))).all())
    chain = []
    for a, b in zip(nodes, nodes[1:], strict=False):
        shared = session.exec(
            select(Work.id, Work.title, Work.year).join(Authorship, Authorship.work_id == Work.id)
            .where(Authorship.researcher_id == a,
                   Work.id.in_(select(Authorship.work_id).where(Authorship.researcher_id == b)))
            .order_by(Work.year.desc()).limit(5)).all()
        chain.append({"from_id": a, "from": names[a], "to_id": b, "to": names[b],
                      "strength": round(g[a][b]["weight"], 4), "verified": b in verified,
                      "works": [{"id": i, "title": t, "year": y} for i, t, y in shared]})
    return chain
