"""Trust propagated over the co-authorship graph from verified researchers only.

The network component of a trust snapshot (see :mod:`core.trust`) asks one question: how close, through
real collaborations, is this person to researchers whose identity has been verified (level L3)? It is answered with a
personalized PageRank (a random walk with restart) whose restarts land only on verified people.

Why this resists sybils: the walk starts at verified people and can only reach nodes connected to them, so a cluster
of unverified accounts that co-author (or follow, or cite) only among themselves receives exactly nothing, however
large or dense it is. Trust entering a fake cluster has to cross real edges from verified people first.

Normalisation (what the returned number means)
----------------------------------------------
Raw PageRank values depend on the size of the graph (they sum to 1), so they are turned into a score in ``[0, 1]``:

* a verified node scores the trust it receives from the *other* verified people (its own verification already
  earns the identity points; counting it again here would let a lone claimant collect the network points too),
  so a verified person with no verified collaborator scores ``0.0``;
* every node in a connected component without a verified node scores exactly ``0.0`` (it is never walked to);
* any other node ``v`` compares its PageRank with the mean PageRank ``m`` of the verified nodes, on a log scale over
  ``decades`` powers of ten: ``score = clip(1 + log10(ppr(v) / m) / decades, 0, 1)``. With ``decades=3``, a person
  receiving as much trust as an average verified researcher holds scores 1.0, a tenth of it 0.67, a hundredth 0.33,
  a thousandth or less 0.

The log scale keeps the score meaningful in a large graph with few verified people, where raw shares are tiny but
still ordered; comparing with the verified mean (not with the best unverified node) means adding or removing an
unrelated person never rescales everyone else. Values are rounded to 6 decimals so results do not depend on the order
nodes were inserted in.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable

import networkx as nx

__all__ = ["verified_trust_scores"]


def _reachable_from(G: nx.Graph, seeds: Iterable[Hashable]) -> set[Hashable]:
    """Nodes a walk starting at ``seeds`` can reach (its connected components, or descendants if directed)."""
    reach: set[Hashable] = set()
    for s in seeds:
        if s in reach:
            continue
        reach.add(s)
        if G.is_directed():
            reach |= nx.descendants(G, s)
        else:
            reach |= nx.node_connected_component(G, s)
    return reach


def verified_trust_scores(
    G: nx.Graph,
    verified: set[Hashable],
    alpha: float = 0.85,
    weight: str | None = "weight",
    decades: float = 3.0,
) -> dict[Hashable, float]:
    """Trust each node receives from verified researchers, in ``[0, 1]``, by personalized PageRank.

    Parameters
    ----------
    G : networkx.Graph
        The weighted co-authorship graph (nodes are researcher ids). Directed graphs are accepted: trust then flows
        along edge directions.
    verified : set
        Researchers at verification level L3. Ids not in ``G`` are ignored.
    alpha : float, optional
        Damping factor: the probability that the walk continues instead of restarting at a verified node.
    weight : str or None, optional
        Edge attribute holding the collaboration strength; ``None`` treats every edge as weight 1.
    decades : float, optional
        Width of the log scale: a node receiving ``10 ** -decades`` of the mean verified PageRank (or less) scores 0.

    Returns
    -------
    dict
        Every node of ``G`` mapped to its score. Verified nodes score what the other verified nodes pass them; nodes
        not connected to any verified node score 0.0; if no verified node is in ``G`` every node scores 0.0. See the
        module docstring for the scale.

    Examples
    --------
    A verified researcher ``"v"`` with co-author ``"a"``, who co-authored with ``"b"``; ``"x"`` and ``"y"`` only
    co-author with each other:

    >>> G = nx.Graph([("v", "a"), ("a", "b"), ("x", "y")])
    >>> s = verified_trust_scores(G, {"v"})
    >>> s["v"], s["x"], s["y"]
    (0.0, 0.0, 0.0)
    >>> 0 < s["b"] < s["a"] <= 1
    True
    >>> verified_trust_scores(G, set())
    {'v': 0.0, 'a': 0.0, 'b': 0.0, 'x': 0.0, 'y': 0.0}
    """
    scores: dict[Hashable, float] = dict.fromkeys(G, 0.0)
    seeds = sorted((v for v in verified if v in G), key=repr)
    if not seeds:
        return scores
    reach = _reachable_from(G, seeds)
    # PageRank on the reachable part only: outside it the exact answer is 0, while power iteration on the whole
    # graph would leave tiny non-zero remainders there.
    H = G.subgraph(sorted(reach, key=repr))
    personalization = dict.fromkeys(seeds, 1.0 / len(seeds))
    ppr = nx.pagerank(H, alpha=alpha, personalization=personalization, weight=weight, tol=1e-12, max_iter=1000)
    mean_verified = sum(ppr[s] for s in seeds) / len(seeds)
    seed_set = set(seeds)
    for node, value in ppr.items():
        if node not in seed_set and value > 0 and mean_verified > 0:
            scores[node] = _log_score(value, mean_verified, decades)
    for v in seeds:
        scores[v] = (
            _score_from_others(H, v, seeds, alpha, weight, decades)
            if len(seeds) <= MAX_EXACT_SEEDS
            else max((scores[n] for n in H.neighbors(v) if n not in seed_set), default=0.0)
        )
    return scores


MAX_EXACT_SEEDS = 200  # beyond this, a verified node takes the best score among its unverified co-authors


def _log_score(value: float, mean: float, decades: float) -> float:
    raw = 1.0 + math.log10(value / mean) / decades
    return round(min(1.0, max(0.0, raw)), 6)


def _score_from_others(H: nx.Graph, v, seeds: list, alpha: float, weight, decades: float) -> float:
    """The trust ``v`` receives when the walk restarts only at the other verified people of its component."""
    component = nx.node_connected_component(H, v) if not H.is_directed() else set(H)
    others = [s for s in seeds if s != v and s in component]
    if not others:
        return 0.0
    sub = H.subgraph(sorted(component, key=repr))
    ppr = nx.pagerank(
        sub,
        alpha=alpha,
        personalization=dict.fromkeys(others, 1.0 / len(others)),
        weight=weight,
        tol=1e-12,
        max_iter=1000,
    )
    mean = sum(ppr[s] for s in others) / len(others)
    return _log_score(ppr[v], mean, decades) if ppr[v] > 0 and mean > 0 else 0.0
