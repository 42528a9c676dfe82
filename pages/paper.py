"""Paper detail (``?id=``: internal id, DOI, arXiv id, OpenAlex id, or exact title)."""

import streamlit as st

from ui import escape_md, md_link, paper_social, safe_url, session, state
from ui.discussion_view import discussion_section
from ui.widgets import deep_link_target, paper_link, person_link, plural

state.ensure_app_shell()

AUTHORS_SHOWN = 40
AUTHOR_COLUMNS = 4
LINKS_SHOWN = 100
ID_URLS = {
    "doi": ("DOI", "https://doi.org/{}"),
    "arxiv": ("arXiv", "https://arxiv.org/abs/{}"),
    "openalex": ("OpenAlex", "https://openalex.org/{}"),
    "s2": ("Semantic Scholar", "https://www.semanticscholar.org/paper/{}"),
    "dblp": ("DBLP", "https://dblp.org/rec/{}"),
    "pmid": ("PubMed", "https://pubmed.ncbi.nlm.nih.gov/{}"),
}

wid = deep_link_target(
    noun="Paper",
    resolve=state.resolve_work,
    link=paper_link,
    icon=":material/search_off:",
    label="Open a paper",
    placeholder="Internal id, DOI, arXiv id, OpenAlex id (W…) or exact title",
    hint="Type an identifier or a title above, or search from the sidebar.",
)

d = state.paper_detail(wid, citing_limit=LINKS_SHOWN)  # the newest 100 citing works; all are counted
me = session.refresh()
paper_social.count_view(wid, me)
counts, oa = d["counts"], d["open_access"]

# ---- header ----------------------------------------------------------------------------------------------------
st.caption("Paper detail")
st.title(escape_md(d["title"], one_line=True))
facts = [d["type"] or "type unknown", str(d["publication_date"] or d["year"] or "year unknown")]
if d["venue"]:
    facts.append(d["venue"]["name"] + (f" ({d['venue']['publisher']})" if d["venue"].get("publisher") else ""))
st.markdown(" · ".join(escape_md(f, one_line=True) for f in facts))
if oa["is_oa"]:
    st.badge("Open access" + (f" · {oa['status']}" if oa["status"] else ""), icon=":material/lock_open:", color="green")
    if oa["url"]:
        st.markdown(md_link("Read the open-access copy", oa["url"]))
elif oa["is_oa"] is False:
    st.badge("Closed access", icon=":material/lock:", color="gray")
else:
    st.caption("Open-access status not imported.")
if d["is_retracted"]:
    st.error("This work is marked as retracted.", icon=":material/report:")

paper_social.counts_row(wid, d)
paper_social.actions(wid, me)

# ---- authors and places ------------------------------------------------------------------------------------------
st.subheader(f"Authors ({len(d['authors'])})")
shown_authors = d["authors"][:AUTHORS_SHOWN]
for row in range(0, len(shown_authors), AUTHOR_COLUMNS):  # row by row, so the byline reads left to right
    for col, a in zip(st.columns(AUTHOR_COLUMNS), shown_authors[row : row + AUTHOR_COLUMNS], strict=False):
        notes = [
            n
            for n, on in (("corresponding", a["is_corresponding"]), ("equal contribution", a["equal_contribution"]))
            if on
        ]
        with col:
            person_link(a["id"], a["name"], note=" · ".join(notes) or None)
if len(d["authors"]) > AUTHORS_SHOWN:
    everyone = st.expander(f"All {len(d['authors'])} authors", key=f"authors_all_{wid}", on_change="rerun")
    with everyone:
        if everyone.open:  # a byline can run to hundreds of links: drawn once asked for
            for a in d["authors"][AUTHORS_SHOWN:]:
                person_link(a["id"], a["name"])
if not d["authors"]:
    st.caption("No authors imported.")
elif not d["authors_complete"]:
    st.caption("The source truncated the author list; some authors may be missing.")

st.subheader("Institutions")
if d["institutions"]:
    st.markdown(
        " · ".join(
            escape_md(inst["name"], one_line=True)
            + (f" ({escape_md(inst['country_code'])})" if inst.get("country_code") else "")
            for inst in d["institutions"]
        )
    )
else:
    st.caption("No institutions imported.")
st.caption("Countries: " + (", ".join(escape_md(c) for c in d["countries"]) or "not imported"))

# ---- abstract and topics -----------------------------------------------------------------------------------------
st.subheader("Abstract")
if d["abstract"]:
    st.markdown(escape_md(d["abstract"]))
else:
    st.caption("No abstract imported.")

topics = [t for t in d["topics"] if not str(t["name"]).startswith("geo:")]
st.subheader("Topics")
if topics or d["keywords"]:
    st.markdown(", ".join(escape_md(t["name"], one_line=True) for t in topics) or "No topics imported.")
    if d["keywords"]:
        st.caption("Keywords: " + ", ".join(escape_md(k, one_line=True) for k in d["keywords"]))
else:
    st.caption("No topics imported.")

if d["geo_tags"]:
    st.subheader("Geography tags")
    for g in d["geo_tags"]:
        conf = g.get("confidence")
        st.markdown(
            f"- {escape_md(g.get('path'), one_line=True)} · confidence {conf:.2f}"
            if conf is not None
            else f"- {escape_md(g.get('path'), one_line=True)} · confidence unknown"
        )
    if any(g.get("confidence") is None or g["confidence"] < 0.5 for g in d["geo_tags"]):
        st.caption("Low-confidence inferences (weight below 0.5) from affiliation text; do not read them as facts.")

# ---- versions, identifiers, code and data ---------------------------------------------------------------------
st.subheader("Versions")
for v in d["versions"]:
    names = [x for x in dict.fromkeys((v["label"], v["venue"])) if x and x != v["kind"]]
    bits = [f"**{escape_md(v['kind'])}**", *(escape_md(n, one_line=True) for n in names)]
    bits.append(escape_md(str(v["date"] or v["year"] or "date unknown")))
    if v["title"] and v["title"] != d["title"]:
        bits.append(f"“{escape_md(v['title'], one_line=True)}”")
    links = [
        md_link("DOI", f"https://doi.org/{v['doi']}") if v["doi"] else "",
        md_link("arXiv", f"https://arxiv.org/abs/{v['arxiv_id']}") if v["arxiv_id"] else "",
        md_link("link", v["url"]) if safe_url(v["url"]) else "",
    ]
    st.markdown("- " + " · ".join(bits + [x for x in links if x]))
if not d["versions"]:
    st.caption("Only one version known.")

ids = [
    md_link(f"{label} {d['ids'][k]}", url.format(d["ids"][k])) for k, (label, url) in ID_URLS.items() if d["ids"].get(k)
]
st.markdown("**Identifiers:** " + (" · ".join(ids) if ids else "none imported"))
code = [md_link(u, u) for u in d["code_urls"] or []]
data = [md_link(u, u) for u in d["dataset_urls"] or []]
st.markdown("**Code:** " + (" · ".join(code) if code else "No code"))
st.markdown("**Dataset:** " + (" · ".join(data) if data else "No dataset"))

# ---- references and citing works ---------------------------------------------------------------------------------
st.subheader(f"References ({counts['references']})")
for r in d["references"][:LINKS_SHOWN]:
    if r["work_id"]:
        paper_link(r["work_id"], r["title"], year=r["year"])
        continue
    label = escape_md(r["title"] or r["doi"] or r["key"] or "Unnamed reference", one_line=True)
    if not r["title"] and r["openalex_id"]:
        label = md_link(f"OpenAlex {r['openalex_id']}", f"https://openalex.org/{r['openalex_id']}")
    elif not r["title"] and r["doi"]:
        label = md_link(f"DOI {r['doi']}", f"https://doi.org/{r['doi']}")
    st.markdown(f"- {label}" + (f" ({r['year']})" if r["year"] else "") + " · not in the store")
if not d["references"]:
    st.caption("No references imported.")
elif len(d["references"]) > LINKS_SHOWN:
    st.caption(f"Showing {LINKS_SHOWN} of {len(d['references'])}.")

st.subheader(f"Cited by, in the store ({counts['cited_by_in_store']})")
for c in d["citing"][:LINKS_SHOWN]:
    paper_link(c["work_id"], c["title"], year=c["year"])
if not d["citing"]:
    reported = counts["cited_by_reported"]
    st.caption(
        "No citing works in the store" + (f"; the source reports {plural(reported, 'citation')}." if reported else ".")
    )
elif counts["cited_by_in_store"] > LINKS_SHOWN:
    st.caption(f"Showing {LINKS_SHOWN} of {counts['cited_by_in_store']}.")

paper_social.reviews_section(wid, me)
discussion_section(wid, me)
paper_social.related_section(d)
paper_social.export_buttons(d)
