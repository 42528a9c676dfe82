"""Explorer (``?focus=r:12``, ``w:5``, ``t:3``, ``i:7``, ``v:2`` or a researcher's name): grow a research graph
around a focus, filter it, colour it by a measure, and analyse it (communities, centrality, brokers, paths)."""

import streamlit as st

from core.explorer import EDGE_KINDS, KINDS, parse_key
from ui import escape_md, explorer_tabs, state
from ui import explorer_view as view
from ui import graph_state as gs
from ui.widgets import empty_state, keep_in_address_bar, metric_row, person_link, plural

state.ensure_app_shell()
EXPLORER = "pages/explorer.py"

focus = st.query_params.get("focus", "").strip()
if focus and ":" not in focus:  # a name or an id: the researcher it names
    try:
        focus = f"r:{state.resolve_researcher(focus)}"
    except (state.NotFound, state.Ambiguous):
        pass
if not focus:
    st.title("Explorer")
    typed = st.text_input("Start from", placeholder="A researcher, a work title, a topic or an institution")
    if len(typed.strip()) >= 2:
        found = state.search(typed)
        for letter, group, field in (("r", "researchers", "name"), ("w", "works", "title"), ("t", "topics", "name"),
                                     ("i", "institutions", "name")):  # fmt: skip
            for item in found[group][:5]:
                st.page_link(EXPLORER, label=f"{group[:-1].capitalize()} · {escape_md(item[field], one_line=True)}",
                             icon=":material/hub:", query_params={"focus": f"{letter}:{item['id']}"})  # fmt: skip
    empty_state("No focus chosen.", "Search above, or open the explorer from a researcher's page.")
    st.stop()

try:
    parse_key(focus)
    focus_attrs = gs.node_label(focus)
except ValueError as exc:
    focus_attrs, problem = None, str(exc)
else:
    problem = f"nothing in the store has the key {focus}"
if focus_attrs is None:
    st.title("Explorer")
    st.error(f"Cannot start here: {escape_md(problem, one_line=True)}.", icon=":material/hub:")
    st.stop()
keep_in_address_bar("focus", focus)
es = gs.explorer_state(focus)

st.title(f"Explorer: {escape_md(focus_attrs['label'], one_line=True)}")
st.caption(f"{focus_attrs['kind'].capitalize()} · grown one capped expansion at a time, never the whole store.")

with st.spinner("Expanding…"):
    full = gs.merged_graph(es.expansions)
years = sorted({y for _, _, d in full.graph.edges(data=True) if (y := d.get("year") or d.get("first_year"))})

with st.expander("Filters and colour", expanded=True, icon=":material/tune:"):
    c1, c2, c3 = st.columns(3)
    node_kinds = c1.multiselect("Node kinds", list(KINDS.values()), default=list(KINDS.values()))
    edge_kinds = c2.multiselect("Edge kinds", list(EDGE_KINDS), default=list(EDGE_KINDS))
    measure = c3.selectbox("Size and colour by", view.MEASURES)
    c4, c5, c6 = st.columns(3)
    year_range = None
    if len(years) > 1:
        year_range = c4.slider("Years", years[0], years[-1], (years[0], years[-1]))
        year_range = None if year_range == (years[0], years[-1]) else year_range
    min_strength = c5.slider("Minimum co-authorship strength", 0.0, 3.0, 0.0, 0.05)
    topics = view.node_choices(full.graph, focus, kinds=["topic"])
    topic = c6.selectbox("Topic", [None, *topics], format_func=lambda k: "Any topic" if k is None else
                         view.node_name(full.graph, k))  # fmt: skip
    on_click = st.radio("A click on a node", ["Opens its page", "Makes it the focus", "Expands it"], horizontal=True)

filters = gs.Filters(tuple(node_kinds), tuple(edge_kinds), year_range, min_strength, topic)
g = gs.current_graph(full, focus, filters, es.removed)
an = gs.analyses(g, with_centrality=False)  # betweenness and PageRank: only when their tab is open
values = view.measure_values(g, measure, centrality=an.centrality, community_of=an.community_of)

shown, total = full.counts.get(focus, (0, 0))
st.caption(
    f"Showing {shown} of {total} links of the focus (the strongest first) · on screen: "
    f"{plural(g.number_of_nodes(), 'node')}, {plural(g.number_of_edges(), 'edge')}."
)
if full.graph.number_of_nodes() <= 1:
    empty_state("Nothing links to this node in the store yet.", "Import more works, or start from another node.")
elif g.number_of_nodes() <= 1:
    empty_state("Nothing to draw with these filters.", "Widen the year range, add node or edge kinds, or undo.")
picked = view.graph_chart(g, full.pos, focus=focus, values=values, measure=measure, key=f"xg_{focus}_{es.version}")
if picked and picked["key"] != focus:
    if on_click == "Makes it the focus":
        st.query_params["focus"] = picked["key"]
        st.rerun()
    elif on_click == "Expands it":
        es.expand(picked["key"])
        st.rerun()
    elif not view.open_node_page(picked):
        st.info(f"{escape_md(view.node_name(g, picked['key']))} has no page yet: expand it or make it the focus.")

capped = [(k, s, t) for k, (s, t) in full.counts.items() if s < t]
for k, s, t in capped[:5]:
    wide_col, note_col = st.columns([1, 4], vertical_alignment="center")
    if wide_col.button("Show more", key=f"widen_{k}", icon=":material/unfold_more:"):
        es.widen(k)
        st.rerun()
    note_col.caption(f"{escape_md(view.node_name(full.graph, k))}: showing {s} of {t} links.")

act1, act2, act3 = st.columns([3, 3, 2], vertical_alignment="bottom")
with act1:
    grow = st.selectbox("Expand a node", view.node_choices(g, focus), format_func=lambda k: view.node_name(g, k))
    if st.button("Expand", icon=":material/add_circle:") and grow:
        es.expand(grow)
        st.rerun()
with act2:
    drop = st.multiselect("Remove nodes", view.node_choices(g, focus)[1:], format_func=lambda k: view.node_name(g, k))
    if st.button("Remove", icon=":material/remove_circle:", disabled=not drop):
        es.remove(drop)
        st.rerun()
with act3:
    if st.button("Undo", icon=":material/undo:", disabled=not es.undo):
        es.undo_last()
        st.rerun()
    if st.button("Start over", icon=":material/restart_alt:"):
        gs.reset_explorer(focus)
        st.rerun()
if es.removed:
    st.caption(f"Removed: {escape_md(', '.join(view.node_name(full.graph, k) for k in es.removed if k in full.graph))}")

explorer_tabs.analysis_tabs(g, full, focus, an)  # only the open tab is drawn

if focus_attrs["kind"] == "researcher":
    person_link(focus_attrs["id"], focus_attrs["label"], note="profile")
metric_row([("Expansions", len(es.expansions)), ("Removed", len(es.removed)), ("Undo steps", len(es.undo))])
