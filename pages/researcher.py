"""Researcher profile (``?id=``: internal id, OpenAlex id, ORCID, or exact name)."""

import streamlit as st

from ui import escape_md, state
from ui.graph_view import explorer_link, graph_slice
from ui.profile_panels import (
    actions,
    collaborators_panel,
    header,
    identity_panel,
    metrics_panel,
    quick_read,
    sources_panel,
)
from ui.trust_card import trust_card
from ui.widgets import deep_link_target, per_year_chart, person_link, plural
from ui.work_list import work_list

state.ensure_app_shell()

rid = deep_link_target(
    noun="Researcher",
    resolve=state.resolve_researcher,
    link=person_link,
    icon=":material/person_off:",
    label="Open a profile",
    placeholder="Internal id, OpenAlex id (A…), ORCID iD or exact name",
    hint="Type an id or a name above, or search from the sidebar.",
)

p = state.researcher_profile(rid)
m = p["metrics"]

header(p)

read_col, act_col = st.columns([3, 2])
with read_col:
    quick_read(p)
with act_col:
    actions(p)
trust_card(p["trust"], state.trust_history(rid), key=f"trust_{rid}")

st.subheader("Metrics")
metrics_panel(p)
chart_col, topic_col = st.columns([3, 2], gap="large")
with chart_col:
    st.subheader("Works and citations per year")
    per_year_chart(m["works_per_year"], m["citations_per_year"], key="per_year")
    if p["works"] and not m["citations"]:
        st.caption("No citations recorded for these works yet.")
with topic_col:
    st.subheader("Topics")
    lines = [f"{escape_md(t['name'], one_line=True)} · {plural(t['works'], 'work')}" for t in p["topics"]]
    st.markdown("  \n".join(lines))
    if not p["topics"]:
        st.caption("No topics imported for these works.")

st.subheader("Close collaborators")
collaborators_panel(p)

graph_head, explorer_col = st.columns([4, 1], vertical_alignment="bottom")
graph_head.subheader("Research graph")
graph_head.caption("Works, co-authors, topics and institutions around this person, and their strongest links.")
with explorer_col:
    explorer_link(f"r:{rid}")
graph_slice(state.researcher_graph_slice(rid), works=p["works"], collaborators=p["close_collaborators"])

st.subheader("Published work")
work_list(p["works"])

id_col, src_col = st.columns(2, gap="large")
with id_col:
    identity_panel(p)
with src_col:
    sources_panel(p)
