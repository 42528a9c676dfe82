"""Search: researchers, works, topics and institutions whose name or title matches the query (``?q=``)."""

import streamlit as st

from ui import escape_md, state
from ui.feed_view import feed_section
from ui.widgets import empty_state, metric_row, paper_link, person_link, plural

state.ensure_app_shell()

st.title("Peerscope")
st.caption("Find researchers, papers, topics and institutions in the local store.")

stats = state.store_stats()
if stats["works"] == 0 and stats["researchers"] == 0:
    empty_state(
        "The store is empty.",
        "Import data from a terminal, then reload this page:  \n"
        "`python -m core import PATH` (OpenAlex, Semantic Scholar, Crossref, ORCID, DBLP, arXiv, BibTeX files or "
        "folders), or `python -m core seed` for the small seed world.",
    )
    st.stop()

query = st.text_input(
    "Search the store",
    value=st.query_params.get("q", ""),
    placeholder="A name, a title word, a topic or an institution",
)
query = query.strip()
if query != st.query_params.get("q", ""):
    if query:
        st.query_params["q"] = query
    else:
        st.query_params.pop("q", None)

if not query:
    metric_row(
        [
            ("Works", stats["works"], f"{stats['works_with_abstract']} with an abstract"),
            ("Researchers", stats["researchers"], None),
            ("Institutions", stats["institutions"], None),
            ("Topics", stats["topics"], None),
            ("Citations", stats["citations"], f"{stats['citations_in_store']} point at works in the store"),
        ]
    )
    st.caption("Type at least two characters to search.")
    feed_section()
    st.stop()

if len(query) < 2:
    st.caption("Type at least two characters to search.")
    st.stop()

results = state.search(query)
total = sum(len(v) for v in results.values())
if total == 0:
    empty_state(
        f"Nothing matches “{escape_md(query, one_line=True)}”.",
        "Search matches whole words of names and titles, or their beginnings: try the start of a surname or one "
        "distinctive title word. "
        "If the record is not in the store yet, import it with `python -m core import PATH`.",
    )
    st.stop()

st.caption(f"{plural(total, 'result')} for “{escape_md(query, one_line=True)}” (up to 10 of each kind).")
left, right = st.columns(2, gap="large")
with left:
    st.subheader(f"Researchers ({len(results['researchers'])})")
    for person in results["researchers"]:
        person_link(person["id"], person["name"])
    if not results["researchers"]:
        st.caption("No researcher names match.")

    st.subheader(f"Topics ({len(results['topics'])})")
    for topic in results["topics"]:
        st.markdown(f"- {escape_md(topic['name'], one_line=True)} · {escape_md(topic['kind'])}")
    if not results["topics"]:
        st.caption("No topics match.")

with right:
    st.subheader(f"Works ({len(results['works'])})")
    for work in results["works"]:
        paper_link(work["id"], work["title"], year=work["year"])
    if not results["works"]:
        st.caption("No titles match.")

    st.subheader(f"Institutions ({len(results['institutions'])})")
    for inst in results["institutions"]:
        country = f" · {escape_md(inst['country_code'])}" if inst.get("country_code") else ""
        st.markdown(f"- {escape_md(inst['name'], one_line=True)}{country}")
    if not results["institutions"]:
        st.caption("No institutions match.")
