"""Read side of the research-graph slice on profiles (the explorer itself is ``core.explorer``)."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Mapping

from sqlmodel import Session, select

from core.models import Authorship, Researcher, Work
from core.profile_queries import (
    Collaborator,
    close_collaborators,
    placeholder_ids,
    researcher_affiliation,
    researcher_topics,
)
from core.queries import NotFound, _works_count


# ---- research graph slice ------------------------------------------------------------------------
def researcher_graph_slice(
    *, session: Session, researcher_id: int, max_nodes: int = 60, profile: Mapping | None = None
) -> dict:
    """Nodes and edges around a person: works, co-authors (by strength), topics, institutions, and the strongest
    links among and beyond the co-authors. ``shown``/``total`` say how much of the neighbourhood is drawn.

    ``profile`` (``researcher_profile(...).to_dict()`` with at least 20 collaborators), when the caller has it
    already, supplies the works count, the co-authors, topics and affiliation instead of reading them again: they
    are the same queries, ranked the same way.
    """
    from core import network

    r = session.get(Researcher, researcher_id)
    if r is None:
        raise NotFound(f"no researcher with id {researcher_id}")
    focus = f"r:{r.id}"
    attrs: dict[str, dict] = {focus: {"kind": "researcher", "label": r.display_name, "id": r.id, "focus": True}}
    edges: list[tuple[str, str, float]] = []
    if profile is not None and len(profile["close_collaborators"]) < min(20, profile["collaborators_total"]):
        profile = None  # too few co-authors kept to take the top 20 from
    n_works = profile["metrics"]["works_count"] if profile else _works_count(session, researcher_id)
    top_works = session.exec(
        select(Work.id, Work.title, Work.year, Work.cited_by_count)
        .join(Authorship, Authorship.work_id == Work.id)
        .where(Authorship.researcher_id == researcher_id)
        .order_by(Work.cited_by_count.desc(), Work.year.desc(), Work.id)
        .limit(15)
    ).all()
    for wid, title, year, cited in top_works:
        attrs[f"w:{wid}"] = {"kind": "work", "label": title or "Untitled work", "id": wid, "year": year}
        edges.append((focus, f"w:{wid}", 1.0 + metrics_log(cited or 0)))
    if profile:
        collaborators = [Collaborator(**c) for c in profile["close_collaborators"][:20]]
        topics = profile["topics"][:8]
        aff = profile["affiliation"]
    else:
        collaborators = close_collaborators(session=session, researcher_id=researcher_id, limit=20)
        topics = researcher_topics(session=session, researcher_id=researcher_id, limit=8)
        aff = researcher_affiliation(session=session, researcher=r)
    for c in collaborators:
        attrs[f"r:{c.id}"] = {"kind": "researcher", "label": c.name, "id": c.id}
        edges.append((focus, f"r:{c.id}", 1.0 + c.strength))
    for t in topics:
        attrs[f"t:{t['id']}"] = {"kind": "topic", "label": t["name"], "id": t["id"]}
        edges.append((focus, f"t:{t['id']}", 0.5 + t["works"] / max(1, n_works)))
    if aff:
        attrs[f"i:{aff['id']}"] = {"kind": "institution", "label": aff["name"], "id": aff["id"]}
        edges.append((focus, f"i:{aff['id']}", 1.0))
    second = _second_degree(session, researcher_id, [c.id for c in collaborators], attrs)
    graph, total = network.ego_slice(focus, edges, second, attrs, max_nodes=max_nodes)
    pos = network.layout(graph)
    return {
        "focus": focus,
        "nodes": [{"key": n, **graph.nodes[n], "x": pos[n][0], "y": pos[n][1]} for n in graph.nodes],
        "edges": [
            {"source": a, "target": b, "weight": round(d.get("weight", 1.0), 4)} for a, b, d in graph.edges(data=True)
        ],
        "shown": graph.number_of_nodes(),
        "total": total,
    }


def _strengths_touching(bylines, top: set[int], *, skip: int) -> dict[tuple[int, int], float]:
    """``core.network.collaboration_strengths`` restricted to the pairs with a member of ``top`` and without
    ``skip``: the same sums, in the same order, for only the pairs the slice keeps.

    A 100-author byline has 4,950 pairs, of which only those touching one of the twenty top co-authors are used;
    walking just those makes the second degree cost bylines x top co-authors instead of bylines x authors².

    >>> _strengths_touching([[1, 2, 3], [2, 3], [3, 4]], {2}, skip=1)
    {(2, 3): 1.5}
    """
    strength: dict[tuple[int, int], float] = defaultdict(float)
    for byline in bylines:
        people = sorted(set(byline))
        n = len(people)
        if n < 2:
            continue
        marked = [j for j, p in enumerate(people) if p in top]
        if not marked:
            continue
        w = 1.0 / (n - 1)
        for i, a in enumerate(people):
            if a == skip:
                continue
            # Pairs (a, b), b after a: every b when a is a top co-author, else only the top co-authors after a.
            later = people[i + 1 :] if a in top else [people[j] for j in marked[bisect_right(marked, i) :]]
            for b in later:
                if b != skip:
                    strength[(a, b)] += w
    return dict(strength)


def metrics_log(x: int | float) -> float:
    import math

    return math.log1p(max(0, x or 0))


def _second_degree(
    session: Session, researcher_id: int, coauthors: list[int], attrs: dict
) -> list[tuple[str, str, float]]:
    """Newman-weighted links between the person's top co-authors and their own co-authors."""
    if not coauthors:
        return []
    # The co-authors' most recent works are enough to find their strongest other ties.
    work_ids = (
        select(Authorship.work_id)
        .join(Work, Work.id == Authorship.work_id)
        .where(Authorship.researcher_id.in_(coauthors))
        .order_by(Work.year.desc())
        .limit(600)
        .scalar_subquery()
    )
    rows = session.exec(
        select(Authorship.work_id, Authorship.researcher_id).where(Authorship.work_id.in_(work_ids))
    ).all()
    skip = placeholder_ids(session=session)
    bylines: dict[int, list[int]] = defaultdict(list)
    for wid, rid in rows:
        if rid not in skip:
            bylines[wid].append(rid)
    top = set(coauthors)
    strengths = _strengths_touching((b for b in bylines.values() if len(b) <= 100), top, skip=researcher_id)
    out = [(f"r:{a}", f"r:{b}", w) for (a, b), w in strengths.items()]
    out.sort(key=lambda e: -e[2])
    out = out[:60]
    missing = {int(k[2:]) for e in out for k in e[:2] if k not in attrs}
    for rid, name in session.exec(select(Researcher.id, Researcher.display_name).where(Researcher.id.in_(missing))):
        attrs[f"r:{rid}"] = {"kind": "researcher", "label": name, "id": rid}
    return out
