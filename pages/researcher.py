"""Researcher profile (``?id=``: internal id, OpenAlex id, ORCID, or exact name)."""

import pandas as pd
import streamlit as st

from ui import escape_md, state
from ui.widgets import (
    empty_state,
    keep_in_address_bar,
    metric_row,
    per_year_chart,
    person_link,
    plural,
    source_name,
    work_item,
)

state.ensure_app_shell()

WORKS_SHOWN = 50

query = st.query_params.get("id", "").strip()
if query:
    keep_in_address_bar("id", query)
else:
    st.title("Researcher")
    typed = st.text_input("Open a profile", placeholder="Internal id, OpenAlex id (A…), ORCID iD or exact name")
    if typed.strip():
        st.query_params["id"] = typed.strip()
        st.rerun()
    empty_state("No researcher chosen.", "Type an id or a name above, or search from the sidebar.")
    st.stop()

try:
    rid = state.resolve_researcher(query)
except state.Ambiguous as exc:
    st.title("Researcher")
    st.warning(f"“{escape_md(query, one_line=True)}” matches {len(exc.candidates)} researchers. Choose one:")
    for cid, label in exc.candidates:
        person_link(cid, label)
    st.stop()
except state.NotFound as exc:
    st.title("Researcher")
    st.error(
        f"Researcher not found: {escape_md(str(exc), one_line=True)}. Search from the sidebar to find it.",
        icon=":material/person_off:",
    )
    st.stop()

p = state.researcher_profile(rid)
m = p["metrics"]
works, collaborators = p["works"], p["close_collaborators"]

# ---- header ----------------------------------------------------------------------------------------------------
st.caption("Researcher profile")
st.title(escape_md(p["display_name"], one_line=True))
st.markdown(escape_md(p["summary"]))
aff = p["affiliation"]
head = st.columns([3, 1])
with head[0]:
    if aff:
        where = ", ".join(x for x in (aff.get("city"), aff.get("country_code")) if x)
        st.markdown(
            f":material/apartment: {escape_md(aff['name'], one_line=True)}"
            + (f" · {escape_md(where)}" if where else "")
        )
    else:
        st.markdown(":material/apartment: Affiliation not imported")
with head[1]:
    if p["open_to_collaborate"]:
        st.badge("Open to collaborate", icon=":material/handshake:", color="green")
if p["is_placeholder"]:
    st.caption("Placeholder record: the source named this author without an identity of their own.")

# ---- quick read and metrics ----------------------------------------------------------------------------------------
st.subheader("Quick read")
n_collab = f"{len(collaborators)}+" if len(collaborators) >= 100 else len(collaborators)
metric_row(
    [("Works", m["works_count"]), ("Followers", 0), ("Topics", len(p["topics"])), ("Close collaborators", n_collab)]
)

st.subheader("Metrics")
rep = p["reported"]


def _vs_source(key: str) -> str | None:
    """ "Source (OpenAlex): 120 · 90 more than in the store" when the source reported this figure."""
    if not rep or rep.get(key) is None:
        return None
    diff = rep[key] - m[key]
    gap = "same as in the store" if diff == 0 else f"{abs(diff)} {'more' if diff > 0 else 'fewer'} than in the store"
    return f"{escape_md(source_name(rep.get('source')))} reports {rep[key]:,} · {gap}"


metric_row(
    [
        ("Works", m["works_count"], _vs_source("works_count")),
        ("Citations", f"{m['citations']:,}", _vs_source("citations")),
        ("h-index", m["h_index"], _vs_source("h_index")),
        ("i10-index", m["i10_index"], _vs_source("i10_index")),
    ]
)
st.caption(
    "Computed from the works in this store."
    + (
        " Active "
        + (f"{m['first_year']}–{m['last_year']}." if m["first_year"] != m["last_year"] else f"in {m['first_year']}.")
        if m["first_year"]
        else ""
    )
)

chart_col, topic_col = st.columns([3, 2], gap="large")
with chart_col:
    st.subheader("Works and citations per year")
    per_year_chart(m["works_per_year"], m["citations_per_year"], key="per_year")
    if works and not m["citations"]:
        st.caption("No citations recorded for these works yet.")
with topic_col:
    st.subheader("Topics")
    for t in p["topics"]:
        st.markdown(f"- {escape_md(t['name'], one_line=True)} · {plural(t['works'], 'work')}")
    if not p["topics"]:
        st.caption("No topics imported for these works.")

# ---- collaborators ---------------------------------------------------------------------------------------------
st.subheader("Close collaborators")
if not collaborators:
    empty_state("No co-authors in the store.", "Import more of this person's works to see who they write with.")
for c in collaborators[:10]:
    cols = st.columns([3, 2, 2])
    with cols[0]:
        person_link(c["id"], c["name"])
    cols[1].caption(f"{plural(c['shared_works'], 'shared work')} · strength {c['strength']:g}")
    years = f"{c['first_year']}–{c['last_year']}" if c["first_year"] != c["last_year"] else str(c["first_year"] or "")
    cols[2].caption(
        escape_md(", ".join(c["institutions"]) or "Affiliation not imported") + (f" · {years}" if years else "")
    )
if len(collaborators) > 10:
    with st.expander(f"All {len(collaborators)} co-authors"):
        for c in collaborators[10:]:
            person_link(c["id"], c["name"], note=plural(c["shared_works"], "shared work"))
st.caption("Strength: the sum over shared works of 1/(co-authors − 1), Newman's collaboration weight.")

# ---- works -------------------------------------------------------------------------------------------------------
st.subheader("Published work")
if not works:
    empty_state("No works in the store.", "Import this person's publications, e.g. `python -m core import PATH`.")
else:
    st.caption(f"{plural(len(works), 'published item')}")
    f1, f2 = st.columns(2)
    years = sorted({w["year"] for w in works if w["year"]}, reverse=True)
    types = sorted({w["type"] or "unknown" for w in works})
    pick_years = f1.multiselect("Year", years, placeholder="All years")
    pick_types = f2.multiselect("Type", types, placeholder="All types")
    shown = [
        w
        for w in works
        if (not pick_years or w["year"] in pick_years) and (not pick_types or (w["type"] or "unknown") in pick_types)
    ]
    if not shown:
        st.caption("No works match these filters.")
    for w in shown[:WORKS_SHOWN]:
        work_item(w)
    if len(shown) > WORKS_SHOWN:
        st.caption(f"Showing {WORKS_SHOWN} of {len(shown)}; narrow with the filters above.")

# ---- identity and provenance -----------------------------------------------------------------------------------
id_col, src_col = st.columns(2, gap="large")
with id_col:
    st.subheader("Name variants")
    st.markdown(", ".join(escape_md(v, one_line=True) for v in p["name_variants"]) or "No other spellings recorded.")
    st.subheader("Possible duplicates")
    for mc in p["merge_candidates"]:
        score = f" · score {mc['score']:.2f}" if mc["score"] is not None else ""
        person_link(mc["other_id"], mc["other_name"], note=escape_md(mc["reason"] or "similar name") + score)
    if not p["merge_candidates"]:
        st.caption("No merge candidates open.")
    ids = {k: v for k, v in p["ids"].items() if v}
    if ids:
        st.caption("Identifiers: " + " · ".join(f"{k} {escape_md(v)}" for k, v in ids.items()))
with src_col:
    st.subheader("Data sources")
    if p["sources"]:
        st.dataframe(pd.DataFrame(p["sources"]), hide_index=True, width="stretch")
    else:
        st.caption("No provenance recorded.")
