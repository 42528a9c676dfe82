"""A person's published works: filters by year, type and topic, a sort order, and one card per work.

Each card links to the paper's page and to the work at its source (DOI, arXiv), shows type, year, venue and
citations, and folds the abstract away until asked. Titles and abstracts are imported text: escaped, never HTML.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from ui import escape_md, md_link
from ui.widgets import empty_state, paper_link, plural, work_meta_line

SORTS = {
    "Newest first": lambda w: (-(w.get("year") or 0), -(w.get("cited_by_count") or 0)),
    "Oldest first": lambda w: (w.get("year") or 10_000, -(w.get("cited_by_count") or 0)),
    "Most cited": lambda w: (-(w.get("cited_by_count") or 0), -(w.get("year") or 0)),
}
UNKNOWN_TYPE = "unknown"


def work_list(works: Sequence[Mapping], *, key: str = "works", shown: int = 50) -> None:
    """Filters (year, type, topic), a sort, then up to ``shown`` work cards; empty states say what to do."""
    if not works:
        empty_state("No works in the store.", "Import this person's publications, e.g. `python -m core import PATH`.")
        return
    st.caption(plural(len(works), "published item"))
    f_year, f_type, f_topic, f_sort = st.columns([2, 2, 3, 2])
    years = sorted({w["year"] for w in works if w.get("year")}, reverse=True)
    types = sorted({w.get("type") or UNKNOWN_TYPE for w in works})
    topics = sorted({t for w in works for t in w.get("topics") or []})
    pick_years = f_year.multiselect("Year", years, placeholder="All years", key=f"{key}_year")
    pick_types = f_type.multiselect("Type", types, placeholder="All types", key=f"{key}_type")
    pick_topics = f_topic.multiselect("Topic", topics, placeholder="All topics", key=f"{key}_topic")
    order = f_sort.selectbox("Sort", list(SORTS), key=f"{key}_sort")
    matching = sorted(
        (w for w in works if matches(w, years=pick_years, types=pick_types, topics=pick_topics)), key=SORTS[order]
    )
    if not matching:
        st.caption("No works match these filters.")
    elif len(matching) < len(works):
        st.caption(f"{len(matching)} of {len(works)} match.")
    for w in matching[:shown]:
        work_card(w)
    if len(matching) > shown:
        st.caption(f"Showing {shown} of {len(matching)}; narrow with the filters above.")


def matches(work: Mapping, *, years=(), types=(), topics=()) -> bool:
    """Whether a work passes the filters (an empty filter lets everything through).

    >>> w = {"year": 2022, "type": None, "topics": ["Dropout"]}
    >>> matches(w, years=[2022], types=["unknown"]), matches(w, topics=["Other"])
    (True, False)
    """
    return (
        (not years or work.get("year") in years)
        and (not types or (work.get("type") or UNKNOWN_TYPE) in types)
        and (not topics or bool(set(topics) & set(work.get("topics") or [])))
    )


def work_card(work: Mapping) -> None:
    """Title linking to the paper page, the meta line, links to the source, topics, and the abstract on demand."""
    with st.container(border=True):
        paper_link(work["id"], work.get("title"))
        # One caption, a line each (meta, source links, topics): a hub's list draws 50 cards, and every element
        # costs the page run about as much as the text in it.
        lines = [work_meta_line(work)]
        out = source_links(work)
        if out:
            lines.append(" · ".join(out))
        if work.get("topics"):
            lines.append("Topics: " + ", ".join(escape_md(t, one_line=True) for t in work["topics"]))
        if not work.get("abstract"):
            lines.append("No abstract imported.")
        st.caption("  \n".join(lines))
        if work.get("abstract"):
            with st.expander("Abstract"):
                st.markdown(escape_md(work["abstract"]))


def source_links(work: Mapping) -> list[str]:
    """Markdown links to the work at its sources: DOI and arXiv (only http(s) targets survive ``md_link``).

    >>> source_links({"doi": "10.1/x", "arxiv_id": "2105.14573"})
    ['[DOI 10\\\\.1\\\\/x](https://doi.org/10.1/x)', '[arXiv 2105\\\\.14573](https://arxiv.org/abs/2105.14573)']
    """
    out = []
    if work.get("doi"):
        doi = str(work["doi"]).removeprefix("https://doi.org/")
        out.append(md_link(f"DOI {doi}", f"https://doi.org/{doi}"))
    if work.get("arxiv_id"):
        out.append(md_link(f"arXiv {work['arxiv_id']}", f"https://arxiv.org/abs/{work['arxiv_id']}"))
    return out
