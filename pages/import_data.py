"""Import: bring a field in from files in every supported format, or fetch it from OpenAlex online."""

import streamlit as st

from core.fetch.openalex_api import FetchError, QueryError
from core.ingest.loader import FORMATS, ImportFailed
from ui import escape_md, state
from ui import graph_state as gs
from ui.widgets import metric_row, plural

state.ensure_app_shell()

FORMAT_NAMES = {"auto": "Detect from the content", "openalex": "OpenAlex (JSON, JSON Lines, .gz)", "arxiv": "arXiv Atom",
                "crossref": "Crossref JSON", "s2": "Semantic Scholar JSON", "bibtex": "BibTeX",
                "publist": "Publication list CSV", "orcid": "ORCID XML", "dblp": "DBLP XML", "seed": "Seed world"}  # fmt: skip
FETCH_KINDS = {"orcid": "ORCID iD", "author": "OpenAlex author id (A…)",
               "institution": "Institution (ROR or OpenAlex I… id)", "search": "Search query"}  # fmt: skip


def summary_panel(result: dict) -> None:
    """What an import or a fetch did: counts, counts per entity, rejected records and notes."""
    if result.get("error"):
        st.error(f"**Import failed.** {escape_md(result['error'])}", icon=":material/error:")
        st.caption("Nothing was written: the store is as it was. Fix the record, or tick *Skip bad records*.")
        return
    st.success(f"Imported {plural(len(result.get('files', [])), 'source')}: " + escape_md(", ".join(result["files"])))
    metric_row([("Read", result["read"]), ("Added", result["added"]), ("Updated", result["updated"]),
                ("Unchanged", result["unchanged"]), ("Rejected", result["rejected"]), ("Skipped", result["skipped"])])  # fmt: skip
    if result.get("by_entity"):
        st.dataframe([{"Entity": k, **v} for k, v in sorted(result["by_entity"].items())], hide_index=True)
    if result.get("trust_recomputed"):
        st.caption(f"Trust recomputed for {plural(result['trust_recomputed'], 'researcher')}.")
    if result.get("labs_outdated"):
        st.caption(f"{plural(result['labs_outdated'], 'stored lab map')} now out of date: each is rebuilt when next "
                   "opened.")  # fmt: skip
    if result["rejections"]:
        with st.expander(f"Rejected records ({len(result['rejections'])})", expanded=True, icon=":material/block:"):
            st.text("\n".join(result["rejections"][:200]))
    if result["notes"]:
        with st.expander(f"Skipped records ({len(result['notes'])})"):
            st.text("\n".join(result["notes"][:200]))


st.title("Import")
st.caption("Bring a field into the store. Imports are all-or-nothing and idempotent: importing twice changes nothing.")
tab_files, tab_online = st.tabs(["Upload files", "Fetch from OpenAlex"])

with tab_files:
    with st.form("upload"):
        files = st.file_uploader("Files", accept_multiple_files=True, help=", ".join(list(FORMAT_NAMES.values())[1:]))
        fmt = st.selectbox("Format", ["auto", *FORMATS], format_func=lambda f: FORMAT_NAMES.get(f, f))
        skip_bad = st.checkbox("Skip bad records", help="Import the good records and list the bad ones, "
                               "instead of stopping at the first bad record with nothing written.")  # fmt: skip
        submitted = st.form_submit_button("Import", icon=":material/upload:")
    if submitted and not files:
        st.warning("Choose one or more files first.")
    elif submitted:
        bar = st.progress(0.0, text="Starting…")
        order = {}

        def on_record(path, n):
            i = order.setdefault(str(path), len(order))
            if n % 20 == 1:
                bar.progress(min((i + 0.5) / len(files), 0.99), text=f"{escape_md(path.name)}: record {n}")

        with st.status("Importing…", expanded=False) as status:
            try:
                result = gs.run_import([(f.name, f.getvalue()) for f in files], fmt=fmt, skip_bad=skip_bad,
                                       on_record=on_record)  # fmt: skip
            except ImportFailed as exc:
                result = {"error": str(exc)}
                status.update(label="Import failed: nothing was written", state="error")
            else:
                status.update(label=f"Imported {plural(result['read'], 'record')}", state="complete")
        bar.progress(1.0, text="Done")
        st.session_state["import_result"] = result
    if st.session_state.get("import_result"):
        summary_panel(st.session_state["import_result"])
    else:
        st.info("Upload OpenAlex, Semantic Scholar, Crossref, ORCID, DBLP, arXiv, BibTeX or publication-list files.",
                icon=":material/info:")  # fmt: skip

with tab_online:
    reason = gs.fetch_available()
    with st.form("fetch"):
        kind = st.selectbox("Fetch by", list(FETCH_KINDS), format_func=FETCH_KINDS.get, disabled=bool(reason))
        value = st.text_input("Value", placeholder="0000-0002-1825-0097, A5023888391, https://ror.org/02e463172, "
                              "or words to search for", disabled=bool(reason))  # fmt: skip
        cap = st.number_input("At most this many works", 1, 10_000, 200, step=50, disabled=bool(reason))
        fetch_skip = st.checkbox("Skip bad records", key="fetch_skip", disabled=bool(reason))
        fetched = st.form_submit_button("Fetch", icon=":material/cloud_download:", disabled=bool(reason))
    if reason:
        st.caption(f"Online fetching is unavailable: {escape_md(reason)}.")
    st.caption("Works are fetched page by page; each page is committed on its own, and an interrupted fetch resumes.")
    if fetched and value.strip():
        bar = st.progress(0.0, text="Contacting OpenAlex…")

        def on_progress(p):
            total = f" of {p.target}" if p.target is not None else ""
            bar.progress(p.fraction or 0.0, text=f"{p.records}{total} works · {p.added} new")

        with st.status("Fetching from OpenAlex…") as status:
            try:
                out = gs.run_fetch(
                    kind, value.strip(), max_records=int(cap), skip_bad=fetch_skip, on_progress=on_progress
                )
            except QueryError as exc:
                out = None
                status.update(label="Nothing sent", state="error")
                st.error(escape_md(str(exc)))
            except (FetchError, ImportFailed) as exc:
                out = exc.summary.as_dict() if getattr(exc, "summary", None) else None
                status.update(label="Fetch stopped", state="error")
                st.error(
                    f"{escape_md(str(exc))}  \nPages fetched before this stay in the store; fetch again to resume."
                )
            else:
                status.update(label=f"Fetch {out['status']}: {plural(out['read'], 'work')}", state="complete")
        if out:
            summary_panel(out)
