"""Reusable pieces of the pages: links between pages, a work list item, empty states, metric rows, a per-year chart.

Everything that shows imported text escapes it first (``ui.escape_md``); nothing here uses ``unsafe_allow_html``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import plotly.graph_objects as go
import streamlit as st

from ui import escape_md

HOME_PAGE = "pages/home.py"
RESEARCHER_PAGE = "pages/researcher.py"
PAPER_PAGE = "pages/paper.py"

_REGISTERED: dict[str, st.Page] = {}  # script path -> the st.Page that app.py registered with st.navigation


def register_pages(pages: Mapping[str, st.Page]) -> None:
    """Remember app.py's pages by script path, for :func:`page_target` (the same definitions on every run)."""
    _REGISTERED.update(pages)


def page_target(path: str) -> st.Page | str:
    """The registered ``st.Page`` for ``path`` when app.py registered one, else the path itself.

    ``st.page_link`` given a path string resolves it on the file system on every call (``realpath``, one ``lstat``
    per path component): about 1.7 ms a link, a quarter of a hub's profile page with its 50 works and their links.
    Given the page object it only looks the page up.
    """
    return _REGISTERED.get(path, path)


# ---- links ---------------------------------------------------------------------------------------------------------
def person_link(researcher_id: int, name: str, *, note: str | None = None) -> None:
    """A link to a researcher's profile; ``note`` (our own text, e.g. "corresponding") follows the name."""
    label = escape_md(name, one_line=True) or "Unnamed researcher"
    if note:
        label += f" · {note}"
    st.page_link(page_target(RESEARCHER_PAGE), label=label, icon=":material/person:", help="",
                 query_params={"id": str(researcher_id)})


def paper_link(work_id: int, title: str | None, *, year: int | None = None) -> None:
    """A link to a paper's page, with its year."""
    label = escape_md(title or "Untitled work", one_line=True)
    if year:
        label += f" ({year})"
    st.page_link(page_target(PAPER_PAGE), label=label, icon=":material/article:", help="",
                 query_params={"id": str(work_id)})


def work_meta_line(work: Mapping) -> str:
    """ "preprint · 2022 · arXiv · 5 authors · 0 citations" (escaped Markdown)."""
    parts = [work.get("type") or "type unknown", str(work.get("year") or "year unknown")]
    if work.get("venue"):
        parts.append(work["venue"])
    n = work.get("authors_count")
    if n is not None:
        parts.append(f"{n} author{'s' if n != 1 else ''}")
    c = work.get("cited_by_count") or 0
    parts.append(f"{c} citation{'s' if c != 1 else ''}")
    return " · ".join(escape_md(p, one_line=True) for p in parts)


def work_item(work: Mapping) -> None:
    """One work in a list: its title linking to the paper page, a meta line, topics, and the abstract folded away."""
    with st.container(border=True):
        paper_link(work["id"], work.get("title"))
        st.caption(work_meta_line(work))
        if work.get("topics"):
            st.caption("Topics: " + ", ".join(escape_md(t, one_line=True) for t in work["topics"]))
        if work.get("abstract"):
            with st.expander("Abstract"):
                st.markdown(escape_md(work["abstract"]))
        else:
            st.caption("No abstract imported.")


# ---- boxes and numbers ---------------------------------------------------------------------------------------------
def empty_state(title: str, what_to_do: str) -> None:
    """A box that says what is missing and what to do about it (both our own Markdown, not imported text)."""
    st.info(f"**{title}**  \n{what_to_do}", icon=":material/info:")


def metric_row(items: Iterable[tuple[str, object] | tuple[str, object, str | None]]) -> None:
    """Metrics side by side: ``(label, value)`` or ``(label, value, caption)``; the caption goes under the value."""
    items = list(items)
    if not items:
        return
    for col, item in zip(st.columns(len(items)), items, strict=True):
        label, value, *rest = item
        with col:
            st.metric(label, "—" if value is None else value)
            if rest and rest[0]:
                st.caption(rest[0])


def per_year_chart(works_per_year: Mapping, citations_per_year: Mapping, *, key: str | None = None) -> None:
    """Bars of works per year, with citations per year as a line on a second axis (scales differ by far)."""
    fig = per_year_figure(works_per_year, citations_per_year)
    if fig is None:
        st.caption("No dated works or citations to chart.")
        return
    st.plotly_chart(fig, key=key, config={"displayModeBar": False})


def per_year_figure(works_per_year: Mapping, citations_per_year: Mapping) -> go.Figure | None:
    """The per-year figure, or ``None`` with no dated works or citations.

    Built from one dict, validated once: ``add_bar`` / ``update_layout`` validate the figure again at every call,
    which made this small chart a noticeable part of every profile view.
    """
    wy = {int(y): int(n) for y, n in (works_per_year or {}).items() if y is not None}
    cy = {int(y): int(n) for y, n in (citations_per_year or {}).items() if y is not None}
    years = sorted(set(wy) | set(cy))
    if not years:
        return None
    data: list[dict] = [
        {"type": "bar", "x": years, "y": [wy.get(y, 0) for y in years], "name": "Works", "marker": {"color": "#4C78A8"}}
    ]
    if cy:
        data.append(
            {
                "type": "scatter",
                "x": years,
                "y": [cy.get(y, 0) for y in years],
                "name": "Citations",
                "yaxis": "y2",
                "mode": "lines+markers",
                "line": {"color": "#F58518"},
            }
        )
    # A lone year would otherwise fill the whole width with one bar: keep at least five year slots.
    xaxis: dict = {}
    if len(years) < 15:
        xaxis["dtick"] = 1
    if len(years) < 5:
        xaxis["range"] = [years[0] - 2.5, years[-1] + 2.5]
    layout = {
        "height": 260,
        "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        "legend": {"orientation": "h", "y": 1.15},
        "xaxis": xaxis,
        "yaxis": {"title": {"text": "Works"}, "rangemode": "tozero", "dtick": count_tick(max(wy.values(), default=0))},
        "yaxis2": {
            "title": {"text": "Citations"},
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
            "dtick": count_tick(max(cy.values(), default=0)),
        },
    }
    fig = plotly_figure({"data": data, "layout": layout})
    fig.update_layout(xaxis={"title": None})  # no axis title (an empty title object, as plotly writes it)
    return fig


def plotly_figure(spec: Mapping) -> go.Figure:
    """A figure from one ``{"data": [...], "layout": {...}}`` dict, without plotly's property-by-property validation.

    Validating walks every value of every trace and costs more than the rest of drawing a chart; the dicts given
    here are written by this app in fixed shapes (checked by the page tests), and produce the same figure JSON
    either way. A plotly without the switch gets a validated figure.
    """
    try:
        return go.Figure(spec, _validate=False)
    except TypeError:  # pragma: no cover - plotly without the private switch
        return go.Figure(spec)


def count_tick(top: int, *, max_ticks: int = 6) -> int:
    """A whole-number axis step (1, 2, 5, 10, 20, 50, ...) giving at most ``max_ticks`` ticks up to ``top``.

    >>> count_tick(2), count_tick(8), count_tick(41), count_tick(3109)
    (1, 2, 10, 1000)
    """
    step = 1
    while True:
        for m in (1, 2, 5):
            if top / (step * m) <= max_ticks:
                return step * m
        step *= 10


SOURCE_NAMES = {
    "openalex": "OpenAlex",
    "s2": "Semantic Scholar",
    "crossref": "Crossref",
    "orcid": "ORCID",
    "dblp": "DBLP",
    "arxiv": "arXiv",
    "seed": "Seed world",
    "bibtex": "BibTeX",
}


def source_name(source: str | None) -> str:
    """A source's display name: ``source_name("openalex") == "OpenAlex"``; unknown names pass through."""
    return SOURCE_NAMES.get((source or "").lower(), source or "Source")


def plural(n: int, word: str) -> str:
    """``n`` and the word, plural when ``n`` is not 1.

    >>> plural(1, "work"), plural(2, "work")
    ('1 work', '2 works')
    """
    return f"{n} {word}{'' if n == 1 else 's'}"


def keep_in_address_bar(key: str, value: str) -> None:
    """Write ``key=value`` back into the URL of the page being shown.

    Streamlit 1.67 does not update the address bar (nor browser history) when a page link leads to the page that is
    already open with other query params (researcher -> co-author). Assigning the param makes the frontend push the
    URL, so reload, sharing and the Back button work; when the URL already says so, nothing happens.
    """
    st.query_params[key] = value


def deep_link_target(
    *,
    noun: str,
    resolve: Callable[[str], int],
    link: Callable[[int, str], None],
    label: str,
    placeholder: str,
    hint: str,
    icon: str,
) -> int:
    """The id a page's ``?id=`` names, resolved; otherwise a lookup box, a choice between candidates or a
    "not found" message, and the page stops there. One behaviour for every detail page's deep link."""
    query = st.query_params.get("id", "").strip()
    if not query:
        st.title(noun)
        typed = st.text_input(label, placeholder=placeholder)
        if typed.strip():
            st.query_params["id"] = typed.strip()
            st.rerun()
        empty_state(f"No {noun.lower()} chosen.", hint)
        st.stop()
    keep_in_address_bar("id", query)
    try:
        return resolve(query)
    except LookupError as exc:
        st.title(noun)
        candidates = getattr(exc, "candidates", None)
        if candidates:
            st.warning(f"“{escape_md(query, one_line=True)}” matches {len(candidates)} {noun.lower()}s. Choose one:")
            for cid, label in candidates:
                link(cid, label)
        else:
            st.error(f"{noun} not found: {escape_md(str(exc), one_line=True)}. Search from the sidebar to find it.",
                     icon=icon)  # fmt: skip
        st.stop()
        raise  # unreachable: st.stop() ends the script run
