"""The graph slice of a person, drawn with plotly: click a node to open that person or paper.

The slice itself (which nodes, which edges, where they sit) comes from ``core.queries.researcher_graph_slice``; here
it is only drawn. Topics and institutions have no page yet, so clicking one opens a small panel on this page with
its name and the person's works or co-authors there.

Plotly renders hover text with a small subset of HTML, so imported labels are HTML-escaped before they reach it.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st
from streamlit.errors import StreamlitAPIException

from ui import escape_md
from ui.widgets import PAPER_PAGE, RESEARCHER_PAGE, empty_state, paper_link, person_link, plotly_figure, plural

EXPLORER_PAGE = "pages/explorer.py"
EXPLORER_FILE = Path(__file__).resolve().parents[1] / EXPLORER_PAGE
# kind -> (legend name, colour, marker symbol, size)
KINDS = {
    "researcher": ("Researcher", "#4C78A8", "circle", 16),
    "work": ("Work", "#F58518", "square", 12),
    "topic": ("Topic", "#54A24B", "diamond", 14),
    "institution": ("Institution", "#B279A2", "triangle-up", 16),
}
LABEL_CHARS = 24
SMALL_GRAPH = 15  # up to this many nodes, every node carries its name
LABELLED = {"r": 10, "t": 3, "i": 3}  # names drawn per kind (prefix of the node key); works by hover


def graph_slice(
    graph: Mapping, *, works: Sequence[Mapping] = (), collaborators: Sequence[Mapping] = (), key: str = "graph"
) -> None:
    """Draw the slice; a click on a researcher or work switches page, on a topic or institution shows a panel.

    ``works`` and ``collaborators`` (the profile's own lists) fill the topic and institution panels.
    """
    nodes = graph["nodes"]
    if len(nodes) <= 1:
        empty_state("Nothing around this person yet.", "Works, co-authors and topics appear here once imported.")
        return
    event = st.plotly_chart(
        slice_figure(graph),
        key=f"{key}_{graph['focus']}",  # one selection per focus, so coming back never replays an old click
        on_select="rerun",
        selection_mode="points",
        config={"displayModeBar": False},
    )
    st.caption(
        f"Showing {graph['shown']} of {graph['total']} nearby nodes, the strongest links first. "
        "Hover for names; click a person or a paper to open it, a topic or an institution to see it here."
    )
    picked = clicked_node(event, nodes)
    if picked is None or picked.get("focus"):
        return
    if picked["kind"] == "researcher":
        st.switch_page(RESEARCHER_PAGE, query_params={"id": str(picked["id"])})
    elif picked["kind"] == "work":
        st.switch_page(PAPER_PAGE, query_params={"id": str(picked["id"])})
    else:
        node_panel(picked, works=works, collaborators=collaborators)


def slice_figure(graph: Mapping) -> go.Figure:
    """Edges under nodes; one trace per kind (the legend), the focus on top with a ring.

    Built from one dict and validated once (``add_scatter`` per trace re-validates as it goes, several times the
    cost of drawing the slice's sixty nodes).
    """
    pos = {n["key"]: (n["x"], n["y"]) for n in graph["nodes"]}
    focus = graph["focus"]
    labelled = labelled_nodes(graph)
    data: list[dict] = []
    near = [e for e in graph["edges"] if focus in (e["source"], e["target"])]
    far = [e for e in graph["edges"] if focus not in (e["source"], e["target"])]
    for edges, width, color, name in ((far, 0.6, "#d5d5d5", "Second-degree link"), (near, 1.2, "#a8a8a8", "Link")):
        xs: list[float | None] = []
        ys: list[float | None] = []
        for e in edges:
            if e["source"] in pos and e["target"] in pos:
                (x0, y0), (x1, y1) = pos[e["source"]], pos[e["target"]]
                xs += [x0, x1, None]
                ys += [y0, y1, None]
        data.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines", "line": {"width": width, "color": color},
                     "hoverinfo": "skip", "name": name, "showlegend": False})  # fmt: skip
    for kind, (name, color, symbol, size) in KINDS.items():
        ns = [n for n in graph["nodes"] if n["kind"] == kind and not n.get("focus")]
        if ns:
            data.append(_node_trace(ns, name=name, color=color, symbol=symbol, size=size, labelled=labelled))
    focus_nodes = [n for n in graph["nodes"] if n.get("focus")]
    data.append(
        _node_trace(focus_nodes, name="This researcher", color="#E45756", symbol="circle", size=26, labelled=labelled)
    )
    layout = {
        "height": 480,
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "legend": {"orientation": "h", "y": -0.02, "yanchor": "top"},
        # Room around the outermost nodes for their names, which are centred above them.
        "xaxis": {"visible": False, "range": padded([x for x, _ in pos.values()], 0.18)},
        "yaxis": {"visible": False, "range": padded([y for _, y in pos.values()], 0.08)},
        "plot_bgcolor": "rgba(0,0,0,0)",
        "hoverlabel": {"align": "left"},
        "clickmode": "event+select",
        "dragmode": False,
    }
    return plotly_figure({"data": [{"type": "scatter", **t} if "type" not in t else t for t in data], "layout": layout})


def padded(values: Sequence[float], share: float) -> list[float]:
    """An axis range covering ``values`` with ``share`` of their span added on each side.

    >>> padded([-1.0, 1.0], 0.25)
    [-1.5, 1.5]
    """
    lo, hi = min(values), max(values)
    pad = (hi - lo or 1.0) * share
    return [lo - pad, hi + pad]


def _node_trace(ns: Sequence[Mapping], *, name: str, color: str, symbol: str, size: int, labelled: set[str]) -> dict:
    return {
        "x": [n["x"] for n in ns],
        "y": [n["y"] for n in ns],
        "mode": "markers+text",
        "text": [short(n["label"]) if n["key"] in labelled else "" for n in ns],
        "textposition": "top center",
        "textfont": {"size": 11, "color": "#444"},
        "hovertext": [f"{plain(n['label'])}<br>{hover_kind(n)}" for n in ns],
        "hoverinfo": "text",
        "customdata": [n["key"] for n in ns],
        "name": name,
        "marker": {
            "color": color,
            "symbol": symbol,
            "size": size,
            "line": {"width": 2 if size > 20 else 1, "color": "white"},
        },
        "selected": {"marker": {"opacity": 1}},
        "unselected": {"marker": {"opacity": 1}},
    }


def labelled_nodes(graph: Mapping, *, quotas: Mapping[str, int] = LABELLED, small: int = SMALL_GRAPH) -> set[str]:
    """Keys of the nodes drawn with a name: all of them in a graph of at most ``small`` nodes; otherwise the focus
    and, per kind, its strongest direct links up to a quota.

    Names of everything else show on hover, which keeps a 60-node slice readable.

    >>> g = {"focus": "r:1", "nodes": [{"key": k} for k in ("r:1", "r:2", "r:5", "w:3", "t:4")],
    ...      "edges": [{"source": "r:1", "target": k, "weight": w} for k, w in (("r:2", 1), ("r:5", 3), ("w:3", 9),
    ...                ("t:4", 2))]}
    >>> sorted(labelled_nodes(g, quotas={"r": 1, "t": 1}, small=3))
    ['r:1', 'r:5', 't:4']
    """
    focus = graph["focus"]
    if len(graph["nodes"]) <= small:
        return {n["key"] for n in graph["nodes"]}
    near = sorted((e for e in graph["edges"] if focus in (e["source"], e["target"])), key=lambda e: -e["weight"])
    out, used = {focus}, dict.fromkeys(quotas, 0)
    for e in near:
        other = e["target"] if e["source"] == focus else e["source"]
        kind = other.split(":", 1)[0]
        if used.get(kind, 0) < quotas.get(kind, 0):
            used[kind] += 1
            out.add(other)
    return out


def hover_kind(n: Mapping) -> str:
    if n.get("focus"):
        return "This researcher"
    kind = n["kind"]
    if kind == "work" and n.get("year"):
        return f"Work · {n['year']} · click to open"
    return {"researcher": "Researcher · click to open", "work": "Work · click to open"}.get(
        kind, f"{kind.capitalize()}"
    )


def plain(label: object) -> str:
    """Label text for plotly, whose hover and text render a subset of HTML: escape it so it stays text.

    >>> plain("<b>x</b> & y")
    '&lt;b&gt;x&lt;/b&gt; &amp; y'
    """
    return html.escape(str(label or ""), quote=False)


def short(label: object, n: int = LABEL_CHARS) -> str:
    """A node's label cut to ``n`` characters (with an ellipsis), escaped for plotly.

    >>> short("Zhi-Qin John Xu"), short("Interactive and Immersive Displays", 20)
    ('Zhi-Qin John Xu', 'Interactive and Imm…')
    """
    s = " ".join(str(label or "").split())
    return plain(s if len(s) <= n else s[: n - 1].rstrip() + "…")


def clicked_node(event, nodes: Sequence[Mapping]) -> Mapping | None:
    """The node the user clicked, from a plotly selection event (``customdata`` holds the node key)."""
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    by_key = {n["key"]: n for n in nodes}
    for p in points:
        data = p.get("customdata")
        if isinstance(data, list | tuple):
            data = data[0] if data else None
        if data in by_key:
            return by_key[data]
    return None


def node_panel(node: Mapping, *, works: Sequence[Mapping], collaborators: Sequence[Mapping]) -> None:
    """A topic's or institution's name and what of this person's neighbourhood belongs to it."""
    name = str(node["label"])
    with st.container(border=True):
        st.markdown(f"**{node['kind'].capitalize()}:** {escape_md(name, one_line=True)}")
        if node["kind"] == "topic":
            mine = [w for w in works if name in (w.get("topics") or [])]
            st.caption(f"{plural(len(mine), 'work')} of this person on this topic in the store.")
            for w in mine[:10]:
                paper_link(w["id"], w.get("title"), year=w.get("year"))
        else:
            there = [c for c in collaborators if name in (c.get("institutions") or [])]
            st.caption(f"This person's affiliation; {plural(len(there), 'close collaborator')} also there.")
            for c in there[:10]:
                person_link(c["id"], c["name"])
        st.caption(f"{node['kind'].capitalize()} pages arrive with a later release.")


def explorer_link(focus: str) -> None:
    """'Open full explorer' carrying the focus along, or a disabled button until the explorer page exists."""
    if EXPLORER_FILE.is_file():
        try:
            st.page_link(
                EXPLORER_PAGE, label="Open full explorer", icon=":material/hub:", query_params={"focus": focus}
            )
            return
        except (StreamlitAPIException, KeyError):
            pass  # the file exists but app.py does not list it yet
    st.button(
        "Open full explorer",
        icon=":material/hub:",
        disabled=True,
        key="open_explorer",
        help="Explorer arrives with the next release",
    )
    st.caption("Explorer arrives with the next release.")
