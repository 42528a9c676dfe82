"""Lab map: the collaborations of an institution with its child units (``?institution=`` id, ROR, OpenAlex id or
exact name) or of a named team (``?team=1,5,9&name=...``, shareable by link until accounts exist)."""

import plotly.graph_objects as go
import streamlit as st

from ui import escape_md, state
from ui import explorer_view as view
from ui import graph_state as gs
from ui.widgets import empty_state, keep_in_address_bar, metric_row, person_link, plural

state.ensure_app_shell()
LAB = "pages/lab.py"

inst_q = st.query_params.get("institution", "").strip()
team_q = st.query_params.get("team", "").strip()
if not inst_q and not team_q:
    st.title("Lab map")
    st.caption("Who works with whom inside a lab, who its partners are outside it, and how that changed over time.")
    left, right = st.columns(2, gap="large")
    with left:
        st.subheader("An institution")
        typed = st.text_input("Institution", placeholder="A name, a ROR id or an OpenAlex id")
        for inst in state.search(typed)["institutions"] if len(typed.strip()) >= 2 else []:
            st.page_link(LAB, label=escape_md(inst["name"], one_line=True), icon=":material/apartment:",
                         query_params={"institution": str(inst["id"])})  # fmt: skip
    with right:
        st.subheader("A named team")
        with st.form("team"):
            name = st.text_input("Team name", placeholder="e.g. Vis group")
            lines = st.text_area(
                "Members, one per line", placeholder="Internal id, OpenAlex id, ORCID iD or exact name"
            )
            made = st.form_submit_button("Map this team", icon=":material/groups:")
        if made:
            ids, bad = [], []
            for line in filter(None, (x.strip() for x in lines.splitlines())):
                try:
                    ids.append(state.resolve_researcher(line))
                except (state.NotFound, state.Ambiguous):
                    bad.append(line)
            if bad:
                st.warning("Not found or ambiguous: " + ", ".join(escape_md(b, one_line=True) for b in bad))
            elif ids:
                st.query_params.update({"team": ",".join(map(str, sorted(set(ids)))), "name": name.strip() or "Team"})
                st.rerun()
    empty_state("No lab chosen.", "Find an institution on the left, or list a team's members on the right.")
    st.stop()

if inst_q:
    try:
        m = gs.institution_lab(gs.resolve_institution(inst_q))
    except (state.NotFound, state.Ambiguous) as exc:
        st.title("Lab map")
        st.error(f"Institution not found: {escape_md(str(exc), one_line=True)}", icon=":material/domain_disabled:")
        st.stop()
    keep_in_address_bar("institution", inst_q)
else:
    ids = [int(x) for x in team_q.split(",") if x.strip().isdigit()]
    if not ids:
        st.title("Lab map")
        st.error("The team link holds no member ids (expected e.g. `?team=1,5,9&name=Vis group`).")
        st.stop()
    m = gs.team_lab(ids, st.query_params.get("name", "Team"))
    keep_in_address_bar("team", team_q)

st.title(f"Lab map: {escape_md(m.name, one_line=True)}")
if team_q:
    st.caption(f"Share this team by its link: `/lab?team={escape_md(team_q)}&name=…` (saved teams come with accounts).")
for note in m.notes:
    st.caption(note)
if not m.members:
    empty_state("No members found.", "Import works with affiliations to this institution, or list the team again.")
    st.stop()
metric_row([
    ("Members", len(m.members), f"of {m.members_total}" if m.members_total > len(m.members) else None),
    ("Works", m.works_count, None),
    ("Internal pairs", m.internal_ties, None),
    ("External partners", sum(1 for _, d in m.nodes if not d["member"]), None),
    ("No internal links", len(m.isolated), None),
])  # fmt: skip

# Node keys r:<id>, as in the explorer and its exports; the ties are drawn from arrays (m.graph only for exports).
styles, member_comm = view.lab_drawing(m.nodes, {x["id"]: x["community"] for x in m.members})
measure = st.selectbox("Size and colour by", ["Community", "Degree", "Strength", "First year"])
# Degree, strength and first year are read off the ties themselves: no betweenness or PageRank is needed here.
values = view.lab_measure_values(m, measure, community_of=member_comm)
picked = view.lab_chart(m, values=values, measure=measure, key="lab_graph", styles=styles)
st.caption("Filled circles are members, open circles external partners. Hover for names; click a person to open them.")
if picked:
    view.open_node_page(picked)

# Only the open tab is drawn (switching tabs reruns the page), as in the explorer: the world map, the members'
# links and the export files are drawn for the views that open them.
t_pairs, t_ext, t_geo, t_years, t_members, t_export = st.tabs(
    ["Strongest pairs", "External partners", "Countries and institutions", "Over the years", "Members", "Export"],
    key="lab_tab",
    on_change="rerun",
)
with t_pairs:
    if t_pairs.open:
        st.dataframe(
            [{"Member A": p["a"], "Member B": p["b"], "Strength": p["strength"], "Shared works": p["shared_works"],
              "First": p["first_year"], "Last": p["last_year"]} for p in m.internal_pairs],
            hide_index=True, width="stretch",
        )  # fmt: skip
        if not m.internal_pairs:
            st.caption("No two members share a work in the store.")
with t_ext:
    if t_ext.open:
        people, insts = st.columns(2, gap="large")
        people.dataframe([{"Partner": p["name"], "Strength": p["strength"], "With": ", ".join(p["partners"])}
                          for p in m.external_people], hide_index=True, width="stretch")  # fmt: skip
        insts.dataframe([{"Institution": i["name"], "Country": i["country_code"], "Authorships": i["authorships"]}
                         for i in m.external_institutions], hide_index=True, width="stretch")  # fmt: skip
with t_geo:
    if t_geo.open:
        world = view.world_map(m.countries, m.external_institutions)
        if not world:
            st.caption("No country or coordinates recorded for the external partners' institutions.")
        elif st.toggle("Show the world map", help="Plotly loads the country outlines from cdn.plot.ly"):
            st.plotly_chart(world, key="world", config={"displaylogo": False})
        st.dataframe([{"Country": c["country_code"], "Authorships": c["authorships"]} for c in m.countries],
                     hide_index=True)  # fmt: skip
with t_years:
    if t_years.open:
        d = m.dynamics
        metric_row([("New partnerships", d["new"], "first tie in the last 3 years"),
                    ("Ongoing", d["ongoing"], None), ("Lapsed", d["lapsed"], "no shared work in 3 years")])  # fmt: skip
        fig = go.Figure()
        fig.add_bar(x=[y["year"] for y in m.by_year], y=[y["works"] for y in m.by_year], name="Works")
        fig.add_scatter(x=[y["year"] for y in m.by_year], y=[y["new_external_ties"] for y in m.by_year],
                        name="New external ties", mode="lines+markers")  # fmt: skip
        fig.update_layout(height=280, margin={"l": 10, "r": 10, "t": 10, "b": 10}, legend={"orientation": "h"})
        st.plotly_chart(fig, key="lab_years", config={"displayModeBar": False})
with t_members:
    if t_members.open:
        left, right = st.columns(2, gap="large")
        with left:
            st.markdown(f"**Members** · {plural(len(m.members), 'member')}")
            for x in m.members[:60]:
                person_link(x["id"], x["name"])
        with right:
            st.markdown(f"**No internal links** · {len(m.isolated)}")
            for x in m.isolated:
                person_link(x["id"], x["name"])
            st.markdown(f"**Cross-group bridges** · {len(m.brokers)}")
            for b in m.brokers:
                person_link(b["node"], b["name"], note=f"reaches {plural(len(b['reaches']), 'other group')}")
with t_export:
    if t_export.open:
        view.export_buttons(m.graph, stem=view.stem_of(m.name), bibtex=gs.works_bibtex(m.work_ids), key="lab_export")
