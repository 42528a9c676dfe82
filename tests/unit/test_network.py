"""Collaboration graphs: strengths, communities, centrality, brokers and paths on small graphs worked by hand."""

from __future__ import annotations

import networkx as nx
import pytest

from core import network


def test_newman_strength_by_hand():
    # Works: {A,B} (n=2: 1 each), {A,B,C} (n=3: 1/2 each), a 101-author paper with A and D (1/100 each).
    big = ["A", "D"] + [f"x{i}" for i in range(99)]
    s = network.collaboration_strengths([["A", "B"], ["A", "B", "C"], big])
    assert s[("A", "B")] == pytest.approx(1.5)
    assert s[("A", "C")] == pytest.approx(0.5)
    assert s[("A", "D")] == pytest.approx(0.01)
    assert network.strengths_for("A", [["A", "B"], ["A", "B", "C"], big])["D"] == pytest.approx(0.01)


def two_triangles() -> nx.Graph:
    g = nx.Graph()
    g.add_weighted_edges_from([(1, 2, 1.0), (2, 3, 1.0), (1, 3, 1.0), (4, 5, 1.0), (5, 6, 1.0), (4, 6, 1.0), (3, 4, 0.5)])
    return g


def test_communities_two_triangles():
    assert [sorted(c) for c in network.communities(two_triangles())] == [[1, 2, 3], [4, 5, 6]]


def test_betweenness_on_a_path_by_hand():
    # Path 0-1-2-3: node 1 lies on the shortest paths (0,2) and (0,3): 2 of the 3 pairs not involving it.
    c = network.centrality(nx.path_graph(4))
    assert c["betweenness"][1] == pytest.approx(2 / 3)
    assert c["betweenness"][0] == 0.0
    assert c["degree"] == {0: 1, 1: 2, 2: 2, 3: 1}


def test_pagerank_on_a_cycle_is_uniform():
    c = network.centrality(nx.cycle_graph(5))
    assert all(v == pytest.approx(0.2) for v in c["pagerank"].values())


def test_weighted_betweenness_uses_strength_as_closeness():
    # Square a-b-c-d-a; a-b and b-c strong (w=4, distance 0.25), a-d and d-c weak (w=1, distance 1).
    g = nx.Graph()
    g.add_weighted_edges_from([("a", "b", 4.0), ("b", "c", 4.0), ("a", "d", 1.0), ("d", "c", 1.0)])
    c = network.centrality(g)
    # Pairs not involving b: (a,c) goes through b; (a,d), (c,d) direct. 1 of 3 pairs -> 1/3.
    assert c["betweenness"]["b"] == pytest.approx(1 / 3)
    assert c["betweenness"]["d"] == pytest.approx(0.0)


def test_brokers_are_the_two_ends_of_the_bridge():
    g = two_triangles()
    brokers = network.bridges_between_communities(g, network.communities(g))
    assert [(b["node"], b["reaches"], b["weight"]) for b in brokers] == [(3, [1], 0.5), (4, [0], 0.5)]


def test_strongest_path_prefers_strong_ties_and_verified_people():
    g = nx.Graph()
    g.add_weighted_edges_from([("me", "b", 1.0), ("b", "t", 1.0), ("me", "v", 1.0), ("v", "t", 1.0)])
    # Equal strengths: preferring verified people picks the route through "v".
    assert network.strongest_path(g, "me", "t", prefer={"v"}) == ["me", "v", "t"]
    g["me"]["b"]["weight"] = g["b"]["t"]["weight"] = 10.0
    # Much stronger ties through "b" outweigh the preference (0.1 + 0.05 < 0.5 + 1.0).
    assert network.strongest_path(g, "me", "t", prefer={"v"}) == ["me", "b", "t"]
    g.add_node("island")
    assert network.strongest_path(g, "me", "island") == []


def test_ego_slice_cuts_by_weight_and_counts_the_rest():
    first = [("p", f"c{i}", float(i)) for i in range(10)]
    second = [("c9", "z", 5.0), ("c0", "y", 0.1)]
    g, total = network.ego_slice("p", first, second, {}, max_nodes=5)
    assert sorted(g.nodes) == ["c6", "c7", "c8", "c9", "p"]
    assert total == 13  # p, ten co-authors, z and y


def test_layout_of_a_large_graph_uses_the_dense_solver_deterministically():
    # Two cliques of 300 joined by one edge: above networkx's 500-node switch to its slow sparse solver.
    g = nx.disjoint_union(nx.complete_graph(300), nx.complete_graph(300))
    g.add_edge(0, 300)
    pos = network.layout(g, seed=7)
    assert set(pos) == set(g) and pos == network.layout(g, seed=7)
    assert max(max(abs(x), abs(y)) for x, y in pos.values()) == pytest.approx(1.0)  # scaled to [-1, 1]

    def centre(nodes):
        return sum(pos[n][0] for n in nodes) / len(nodes), sum(pos[n][1] for n in nodes) / len(nodes)

    (ax, ay), (bx, by) = centre(range(300)), centre(range(300, 600))
    assert (ax - bx) ** 2 + (ay - by) ** 2 > 0.25  # the two cliques are drawn apart
