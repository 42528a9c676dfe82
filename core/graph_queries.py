"""Read side of the research-graph slice on profiles (the explorer itself is ``core.explorer``)."""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session, select

from core.models import Authorship, Researcher, Work
from core.queries import (
    NotFound,
    _works_count,
    close_collaborators,
    researcher_affiliation,
    researcher_topics,
)


# ---- research graph slice ------------------------------------------------------------------------
def researcher_graph_slice(*, session: Session, researcher_id: int, max_nodes: int = 60) -> dict:
    """Nodes and edges around a person: works, co-authors (by strength), topics, institutions, and the strongest
    links among and beyond the co-authors. ``shown``/``total`` say how much of the neighbourhood is drawn."""
    from core import network

    r = session.get(Researcher, researcher_id)
    if r is None:
        raise NotFound(f"no researcher with id {researcher_id}")
    focus = f"r:{r.id}"
    attrs: dict[str, dict] = {focus: {"kind": "researcher", "label": r.display_name, "id": r.id, "focus": True}}
    edges: list[tuple[str, str, float]] = []
    n_works = _works_count(session, researcher_id)
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
    collaborators = close_collaborators(session=session, researcher_id=researcher_id, limit=20)
    for c in collaborators:
        attrs[f"r:{c.id}"] = {"kind": "researcher", "label": c.name, "id": c.id}
        edges.append((focus, f"r:{c.id}", 1.0 + c.strength))
    for t in researcher_topics(session=session, researcher_id=researcher_id, limit=8):
        attrs[f"t:{t['id']}"] = {"kind": "topic", "label": t["name"], "id": t["id"]}
        edges.append((focus, f"t:{t['id']}", 0.5 + t["works"] / max(1, n_works)))
    aff = researcher_affiliation(session=session, researcher=r)
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


def metrics_log(x: int | float) -> float:
    import math

    return math.log1p(max(0, x or 0))


def _second_degree(
    session: Session, researcher_id: int, coauthors: list[int], attrs: dict
) -> list[tuple[str, str, float]]:
    """Newman-weighted links between the person's top co-authors and their own co-authors."""
    if not coauthors:
        return []
    from core.network import collaboration_strengths

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
        select(Authorship.work_id, Authorship.researcher_id)
        .join(Researcher, Researcher.id == Authorship.researcher_id)
        .where(Authorship.work_id.in_(work_ids), Researcher.is_placeholder.is_(False))
    ).all()
    bylines: dict[int, list[int]] = defaultdict(list)
    for wid, rid in rows:
        bylines[wid].append(rid)
    strengths = collaboration_strengths(b for b in bylines.values() if len(b) <= 100)
    top = set(coauthors)
    out = []
    for (a, b), w in strengths.items():
        if researcher_id in (a, b) or not (a in top or b in top):
            continue
        out.append((f"r:{a}", f"r:{b}", w))
    out.sort(key=lambda e: -e[2])
    out = out[:60]
    missing = {int(k[2:]) for e in out for k in e[:2] if k not in attrs}
    for rid, name in session.exec(select(Researcher.id, Researcher.display_name).where(Researcher.id.in_(missing))):
        attrs[f"r:{rid}"] = {"kind": "researcher", "label": name, "id": rid}
    return out
