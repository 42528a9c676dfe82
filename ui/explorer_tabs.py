"""The analysis tabs under the explorer's graph: communities, centrality, brokers, the path finder, growth over time
and exports, one function per tab.

The explorer draws only the open tab (``st.tabs(..., on_change="rerun")``; switching tabs reruns the page): the
centrality table needs betweenness (all shortest paths), the Time tab four plotly panels and the Export tab a
GraphML and a GEXF file, together several times the cost of the rest of the page, for tabs most views never open.
"""

from __future__ import annotations

import networkx as nx
import streamlit as st

from core.explorer import parse_key
from ui import escape_md, state
from ui import explorer_view as view
from ui import graph_state as gs
from ui import session as session_ui
from ui.widgets import plural

TABS = ("Communities", "Centrality", "Bridges and brokers", "How to reach a researcher", "Time", "Export")


def communities_tab(g: nx.Graph, an: gs.Analyses) -> None:
    """The largest communities, named by their topics, with their researchers."""
    for c in an.communities[:12]:
        names = ", ".join(view.node_name(g, k).split(" · ", 1)[1] for k in c["members"]
                          if g.nodes[k].get("kind") == "researcher")[:300]  # fmt: skip
        st.markdown(f"**{c['index'] + 1}. {escape_md(c['label'], one_line=True)}** · {plural(c['size'], 'node')}")
        if names:
            st.caption(escape_md(names))
    st.caption("Louvain communities of the graph on screen, named by their most linked topics.")


def centrality_tab(g: nx.Graph) -> None:
    """The fifty nodes with the highest PageRank, with degree and betweenness."""
    cent = gs.centrality(g)
    rows = [{"Node": view.node_name(g, n), "Degree": cent["degree"].get(n),
             "Betweenness": round(cent["betweenness"].get(n, 0), 4),
             "PageRank": round(cent["pagerank"].get(n, 0), 4)} for n in g.nodes]  # fmt: skip
    st.dataframe(sorted(rows, key=lambda r: -r["PageRank"])[:50], hide_index=True, width="stretch")


def bridges_tab(g: nx.Graph, an: gs.Analyses) -> None:
    """Nodes with ties into other communities."""
    for b in an.bridges:
        st.markdown(f"- {escape_md(view.node_name(g, b['node']))} · links community {b['community'] + 1} to "
                    f"{', '.join(str(r + 1) for r in b['reaches'])}")  # fmt: skip
    if not an.bridges:
        st.caption("One community only: no brokers between communities in this graph.")


def path_tab(full: gs.GraphView, focus: str) -> None:
    """From one person to another by the strongest co-authorships (from the signed-in owner's profile when any)."""
    people = view.node_choices(full.graph, focus, kinds=["researcher"])
    own = session_ui.own_profile_id()
    if own is not None and f"r:{own}" not in people:
        people = [f"r:{own}", *people]
    with st.form("path"):
        p1, p2 = st.columns(2)
        src = p1.selectbox("From", people, index=people.index(f"r:{own}") if own is not None else 0,
                           format_func=lambda k: "Your profile" if k == f"r:{own}" else view.node_name(full.graph, k),
                           key="path_from")  # fmt: skip
        src_typed = p1.text_input("…or another person (id, ORCID or exact name)", key="path_from_typed")
        default_to = people.index(focus) if focus in people else 0
        dst = p2.selectbox("To", people, index=default_to, format_func=lambda k: view.node_name(full.graph, k),
                           key="path_to")  # fmt: skip
        dst_typed = p2.text_input("…or another person (id, ORCID or exact name)", key="path_to_typed")
        st.caption("Starting from your own profile." if own is not None else
                   "Sign in and claim your profile to start from it; meanwhile choose any person.")  # fmt: skip
        go_path = st.form_submit_button("Find path", icon=":material/route:")
    if go_path:
        try:
            a = state.resolve_researcher(src_typed) if src_typed.strip() else parse_key(src)[1]
            b = state.resolve_researcher(dst_typed) if dst_typed.strip() else parse_key(dst)[1]
        except (state.NotFound, state.Ambiguous, TypeError) as exc:
            st.warning(f"Cannot find that person: {escape_md(str(exc), one_line=True)}")
        else:
            chain = gs.path_chain(a, b) if a != b else []
            if chain:
                view.chain_view(chain)
            else:
                st.info("No chain of co-authorships within four hops (or the same person twice).")


def time_tab(g: nx.Graph, pos) -> None:
    """Small multiples of the graph as it stood at a few years."""
    growth = view.growth_multiples(g, pos)
    if growth:
        st.plotly_chart(growth, config={"displayModeBar": False}, key="growth")
        st.caption("The network as it stood by each year (edges by their first year). Colour by *First year* above.")
    else:
        st.caption("Fewer than two dated links: nothing to show over time.")


def export_tab(g: nx.Graph, focus: str) -> None:
    view.export_buttons(g, stem=f"explorer-{focus.replace(':', '-')}", key="xexport")


def analysis_tabs(g: nx.Graph, full: gs.GraphView, focus: str, an: gs.Analyses) -> None:
    """The six tabs; only the open one is drawn."""
    draw = (
        lambda: communities_tab(g, an),
        lambda: centrality_tab(g),
        lambda: bridges_tab(g, an),
        lambda: path_tab(full, focus),
        lambda: time_tab(g, full.pos),
        lambda: export_tab(g, focus),
    )
    for tab, fn in zip(st.tabs(list(TABS), key="explorer_tab", on_change="rerun"), draw, strict=True):
        with tab:
            if tab.open:
                fn()
