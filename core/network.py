"""Collaboration graphs (networkx): strengths, close collaborators.

Collaboration strength follows Newman (2001): each shared work adds ``1 / (n - 1)`` for a work with ``n`` authors,
so a 100-author paper does not make everyone close.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable


def collaboration_strengths(bylines: Iterable[list[int]]) -> dict[tuple[int, int], float]:
    """Newman-weighted strength of every co-author pair over the given bylines (lists of researcher ids).

    >>> s = collaboration_strengths([[1, 2], [1, 2, 3]])
    >>> round(s[(1, 2)], 3), round(s[(1, 3)], 3)
    (1.5, 0.5)
    """
    strength: dict[tuple[int, int], float] = defaultdict(float)
    for byline in bylines:
        people = sorted(set(byline))
        n = len(people)
        if n < 2:
            continue
        w = 1.0 / (n - 1)
        for i, a in enumerate(people):
            for b in people[i + 1 :]:
                strength[(a, b)] += w
    return dict(strength)


def strengths_for(person: int, bylines: Iterable[list[int]]) -> dict[int, float]:
    """Strength between ``person`` and each co-author, over bylines that include ``person``.

    >>> strengths_for(1, [[1, 2], [1, 2, 3], [2, 3]])
    {2: 1.5, 3: 0.5}
    """
    out: dict[int, float] = defaultdict(float)
    for byline in bylines:
        people = set(byline)
        if person not in people or len(people) < 2:
            continue
        w = 1.0 / (len(people) - 1)
        for other in people - {person}:
            out[other] += w
    return dict(sorted(out.items()))


def ego_slice(
    focus: str,
    neighbours: list[tuple[str, str, float]],
    second_degree: list[tuple[str, str, float]],
    node_attrs: dict[str, dict],
    max_nodes: int = 60,
):
    """The readable slice of a research graph around ``focus``, capped by weight.

    ``neighbours`` are edges ``(focus, node, weight)`` to works, co-authors, topics and institutions;
    ``second_degree`` are edges between first-degree nodes and others (e.g. co-author to co-author).
    Keeps the heaviest first-degree edges, then the heaviest second-degree edges, until ``max_nodes``.
    Returns ``(graph, total_candidates)``; node attributes come from ``node_attrs``.

    >>> g, total = ego_slice("p1", [("p1", "p2", 2.0), ("p1", "p3", 0.5)], [("p2", "p4", 1.0)], {}, max_nodes=3)
    >>> sorted(g.nodes()), total
    (['p1', 'p2', 'p3'], 4)
    """
    import networkx as nx

    g = nx.Graph()
    g.add_node(focus, **node_attrs.get(focus, {}))
    candidates = {focus} | {b for _, b, _ in neighbours} | {x for e in second_degree for x in e[:2]}
    for a, b, w in sorted(neighbours, key=lambda e: (-e[2], e[1])):
        if g.number_of_nodes() >= max_nodes and b not in g:
            break
        g.add_node(b, **node_attrs.get(b, {}))
        g.add_edge(a, b, weight=w)
    for a, b, w in sorted(second_degree, key=lambda e: (-e[2], e[0], e[1])):
        if a not in g and b not in g:
            continue
        new = [x for x in (a, b) if x not in g]
        if g.number_of_nodes() + len(new) > max_nodes:
            continue
        for x in new:
            g.add_node(x, **node_attrs.get(x, {}))
        g.add_edge(a, b, weight=w)
    return g, len(candidates)


def layout(graph, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Deterministic 2-D positions (spring layout weighted by edge weight).

    >>> import networkx as nx
    >>> sorted(layout(nx.path_graph(3)).keys())
    [0, 1, 2]
    """
    import networkx as nx

    if graph.number_of_nodes() == 0:
        return {}
    # Fewer refinement rounds for big graphs: the picture settles early and the cost grows with n^2 per round.
    n = graph.number_of_nodes()
    iterations = 50 if n <= 200 else 20
    if DENSE_FROM <= n <= DENSE_UP_TO:
        pos = dict(zip(graph, _dense_spring(graph, seed=seed, iterations=iterations), strict=True))
    else:
        pos = nx.spring_layout(graph, seed=seed, weight="weight", iterations=iterations)
    return {n: (float(x), float(y)) for n, (x, y) in pos.items()}


DENSE_FROM, DENSE_UP_TO = 500, 1200  # networkx switches to its (per-node Python loop) sparse solver at 500 nodes


def _dense_spring(graph, seed: int, iterations: int):
    """Fruchterman-Reingold on the dense adjacency matrix (networkx's own algorithm below 500 nodes), scaled to
    [-1, 1]: networkx's sparse and energy solvers above 500 nodes take seconds on a lab map; this takes
    about 0.1 s for a 550-node lab map. Memory grows with n^2: a handful of n-by-n arrays, about 12 MB each at
    ``DENSE_UP_TO`` nodes."""
    import networkx as nx
    import numpy as np

    a = nx.to_numpy_array(graph, weight="weight")
    n = a.shape[0]
    pos = np.random.RandomState(seed).rand(n, 2)
    k = math.sqrt(1.0 / n)
    t = max(np.ptp(pos[:, 0]), np.ptp(pos[:, 1])) * 0.1
    dt = t / (iterations + 1)
    for _ in range(iterations):
        dx = pos[:, 0, np.newaxis] - pos[np.newaxis, :, 0]
        dy = pos[:, 1, np.newaxis] - pos[np.newaxis, :, 1]
        distance = np.sqrt(dx * dx + dy * dy)
        np.clip(distance, 0.01, None, out=distance)
        force = k * k / distance**2 - a * distance / k
        displacement = np.stack([(dx * force).sum(axis=1), (dy * force).sum(axis=1)], axis=1)
        length = np.linalg.norm(displacement, axis=-1)
        length = np.where(length < 0.01, 0.1, length)
        step = displacement * (t / length)[:, np.newaxis]
        pos += step
        t -= dt
        if np.linalg.norm(step) / n < 1e-4:
            break
    return nx.rescale_layout(pos, scale=1)


# ---- analyses on a collaboration graph -------------------------------------------------------------------------
def communities(graph, weight: str = "weight", seed: int = 42) -> list[set]:
    """Communities by Louvain modularity (deterministic for a given seed), largest first.

    >>> import networkx as nx
    >>> g = nx.Graph([(1, 2), (2, 3), (1, 3), (4, 5), (5, 6), (4, 6), (3, 4)])
    >>> [sorted(c) for c in communities(g)]
    [[1, 2, 3], [4, 5, 6]]
    """
    import networkx as nx

    if graph.number_of_nodes() == 0:
        return []
    parts = nx.community.louvain_communities(graph, weight=weight, seed=seed)
    return sorted((set(p) for p in parts), key=lambda c: (-len(c), min(map(str, c))))


def community_of(parts: list[set]) -> dict:
    """Node -> index of its community in ``parts``.

    >>> community_of([{1, 2}, {3}])
    {1: 0, 2: 0, 3: 1}
    """
    return {n: i for i, part in enumerate(parts) for n in sorted(part, key=str)}


def centrality(graph, weight: str = "weight") -> dict[str, dict]:
    """Degree, weighted strength, betweenness (on distance = 1/weight) and PageRank for every node.

    >>> import networkx as nx
    >>> c = centrality(nx.star_graph(3))
    >>> c["degree"][0], c["betweenness"][0], c["betweenness"][1]
    (3, 1.0, 0.0)
    """
    import networkx as nx

    if graph.number_of_nodes() == 0:
        return {"degree": {}, "strength": {}, "betweenness": {}, "pagerank": {}}
    dist = {(a, b): 1.0 / d.get(weight, 1.0) if d.get(weight, 1.0) else 1e9 for a, b, d in graph.edges(data=True)}
    h = graph.copy()
    nx.set_edge_attributes(h, dist, "distance")
    return {
        "degree": dict(graph.degree()),
        "strength": dict(graph.degree(weight=weight)),
        "betweenness": nx.betweenness_centrality(h, weight="distance", normalized=True),
        "pagerank": nx.pagerank(graph, weight=weight),
    }


def bridges_between_communities(graph, parts: list[set], limit: int = 10) -> list[dict]:
    """Brokers: nodes with ties into other communities, ranked by how many other communities they reach,
    then by the weight of those ties.

    >>> import networkx as nx
    >>> g = nx.Graph([(1, 2), (2, 3), (1, 3), (4, 5), (5, 6), (4, 6), (3, 4)])
    >>> [b["node"] for b in bridges_between_communities(g, communities(g))]
    [3, 4]
    """
    comm = community_of(parts)
    out = []
    for n in graph.nodes:
        ties: dict[int, float] = {}
        for m, d in graph[n].items():
            if comm.get(m) != comm.get(n):
                ties[comm.get(m)] = ties.get(comm.get(m), 0.0) + d.get("weight", 1.0)
        if ties:
            out.append({"node": n, "community": comm.get(n), "reaches": sorted(ties), "weight": round(sum(ties.values()), 4)})
    out.sort(key=lambda b: (-len(b["reaches"]), -b["weight"], str(b["node"])))
    return out[:limit]


def strongest_path(graph, source, target, weight: str = "weight", prefer: set | None = None) -> list:
    """The path of co-authorships from ``source`` to ``target`` with the strongest ties: shortest on
    distance ``1/weight``, with nodes in ``prefer`` (e.g. verified people) made cheaper to pass through.
    Returns the list of nodes, or ``[]`` when the two are not connected.

    >>> import networkx as nx
    >>> g = nx.Graph()
    >>> g.add_edge("a", "b", weight=3.0); g.add_edge("b", "d", weight=3.0)
    >>> g.add_edge("a", "c", weight=0.2); g.add_edge("c", "d", weight=0.2)
    >>> strongest_path(g, "a", "d")
    ['a', 'b', 'd']
    >>> strongest_path(g, "a", "zzz")
    []
    """
    import networkx as nx

    if source not in graph or target not in graph:
        return []
    prefer = prefer or set()

    def cost(u, v, d):
        base = 1.0 / max(d.get(weight, 1.0), 1e-9)
        return base * (0.5 if v in prefer else 1.0)

    try:
        return nx.dijkstra_path(graph, source, target, weight=cost)
    except nx.NetworkXNoPath:
        return []
