"""The charts built from one unvalidated dict (``ui.widgets.plotly_figure``) are exactly what plotly's validation
makes of the same dict: no value relies on the coercion that validation would have done (a named colour scale, a
tuple, a numpy number), so skipping it changes nothing on screen. No AppTest needed: the builders are plain.
"""

from __future__ import annotations

import json

import networkx as nx
import plotly.graph_objects as go
import pytest

from ui import explorer_view, graph_view, trust_card, widgets


def validated(fig: go.Figure, **layout) -> dict:
    checked = go.Figure(fig.to_plotly_json())
    if layout:
        checked.update_layout(**layout)
    return json.loads(checked.to_json())


def as_sent(fig: go.Figure) -> dict:
    return json.loads(fig.to_json())


@pytest.mark.parametrize(
    ("works", "cites"),
    [({2020: 2}, {}), ({2018: 1, 2021: 3}, {2021: 7}), ({y: y % 4 for y in range(1995, 2025)}, {2024: 3109})],
)
def test_per_year_figure(works, cites):
    fig = widgets.per_year_figure(works, cites)
    assert as_sent(fig) == validated(fig, xaxis={"title": None})  # a dict cannot hold the empty title plotly writes
    assert as_sent(fig)["layout"]["xaxis"]["title"] == {}  # an empty axis title, as update_layout(title=None) wrote


def test_history_figure():
    history = [
        {"computed_at": "2026-01-01T00:00:00+00:00", "score": 13, "band": "Unverified", "level": "L1"},
        {"computed_at": "2026-02-01T00:00:00+00:00", "score": 41, "band": "Emerging", "level": "L2"},
    ]
    fig = trust_card.history_figure(history)
    assert as_sent(fig) == validated(fig)
    assert [s["y0"] for s in as_sent(fig)["layout"]["shapes"]] == [lower for lower, _, _ in trust_card.BANDS[1:]]


def _slice() -> dict:
    keys = ["r:1", "w:2", "r:3", "t:4", "i:5", "r:6"]
    nodes = [{"key": k, "kind": {"r": "researcher", "w": "work", "t": "topic", "i": "institution"}[k[0]],
              "label": f"<b>{k}</b>", "id": int(k[2:]), "x": i / 5, "y": (i % 3) / 2} for i, k in enumerate(keys)]  # fmt: skip
    nodes[0]["focus"] = True
    edges = [{"source": "r:1", "target": k, "weight": 1.0 + i} for i, k in enumerate(keys[1:5])]
    edges.append({"source": "r:3", "target": "r:6", "weight": 0.5})
    return {"focus": "r:1", "nodes": nodes, "edges": edges, "shown": 6, "total": 6}


def test_slice_figure():
    fig = graph_view.slice_figure(_slice())
    assert as_sent(fig) == validated(fig)


@pytest.mark.parametrize("measure", explorer_view.MEASURES)
@pytest.mark.parametrize("size", [8, 320])  # small, and past WEBGL_FROM (scattergl)
def test_explorer_figure(measure, size):
    g = nx.Graph()
    g.add_node("r:0", kind="researcher", label="Focus", first_year=2001, trust=40)
    for i in range(1, size):
        kind = ("researcher", "work", "topic", "institution", "venue")[i % 5]
        g.add_node(f"{kind[0]}:{i}", kind=kind, label=f"N{i}", citations=i, year=2000 + i % 20)
        g.add_edge("r:0", f"{kind[0]}:{i}", kind="co-authored" if kind == "researcher" else "authored", weight=i / 3)
    pos = {n: (i / size, (i * 7 % size) / size) for i, n in enumerate(g.nodes)}
    values = explorer_view.measure_values(g, measure, centrality={}, community_of={n: i % 3 for i, n in enumerate(g)})
    fig = explorer_view.graph_figure(g, pos, focus="r:0", values=values, measure=measure)
    assert as_sent(fig) == validated(fig)
    assert as_sent(fig)["data"][0]["type"] == ("scattergl" if size > explorer_view.WEBGL_FROM else "scatter")
