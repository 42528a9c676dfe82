"""Drawing research graphs with plotly: the explorer and lab-map figure, clicks, the path chain, the world map,
small multiples of a growing network, and the export buttons.

Node size and colour encode a chosen measure; the legend names node kinds (one marker symbol per kind). Graphs of
more than ``WEBGL_FROM`` nodes are drawn with ``Scattergl``. Plotly renders hover text and labels with a subset of
HTML, so imported names are HTML-escaped (``ui.graph_view.plain``); Markdown goes through ``ui.escape_md``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import networkx as nx
import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.colors import sequential as _sequential
from plotly.subplots import make_subplots

from core import export
from core.labs import LabMap
from ui import escape_md
from ui.graph_view import clicked_node, plain, short
from ui.widgets import PAPER_PAGE, RESEARCHER_PAGE, paper_link, person_link, plotly_figure, plural

WEBGL_FROM = 300
MEASURES = ("Degree", "Strength", "Citations", "Trust", "Community", "First year")
# kind -> (legend name, marker symbol)
KIND_STYLE = {
    "researcher": ("Researcher", "circle"),
    "work": ("Work", "square"),
    "topic": ("Topic", "diamond"),
    "institution": ("Institution", "triangle-up"),
    "venue": ("Venue", "star"),
    "member": ("Lab member", "circle"),
    "partner": ("External partner", "circle-open"),
}
PALETTE = ("#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2", "#B279A2", "#EECA3B", "#9D755D", "#FF9DA6",
           "#BAB0AC")  # fmt: skip
NO_VALUE = "#9a9a9a"
# The named scale as plotly's validation writes it out (figures here skip that validation: ``plotly_figure``).
VIRIDIS = [[i / (len(_sequential.Viridis) - 1), c] for i, c in enumerate(_sequential.Viridis)]


# ---- measures ------------------------------------------------------------------------------------------------------
def measure_values(g: nx.Graph, measure: str, *, centrality: Mapping, community_of: Mapping) -> dict[str, float | None]:
    """Node -> value of the measure on the graph shown (``None`` where a node has no such value, e.g. a topic's
    trust). Community gives the community index; first year the node's first year (works: their year; people: their
    first work; else the earliest year on its edges).

    >>> g = nx.Graph([("r:1", "w:2")]); g.nodes["w:2"].update(kind="work", year=2001, citations=5)
    >>> measure_values(g, "Citations", centrality={}, community_of={})
    {'r:1': None, 'w:2': 5.0}
    """
    out: dict[str, float | None] = {}
    for n, d in g.nodes(data=True):
        if measure == "Degree":
            v = centrality.get("degree", {}).get(n, g.degree(n))
        elif measure == "Strength":
            v = g.degree(n, weight="weight")  # the graph's own weights (analyses run on damped ones)
        elif measure == "Citations":
            v = d.get("citations")
        elif measure == "Trust":
            v = d.get("trust") if d.get("kind") == "researcher" else None
        elif measure == "Community":
            v = community_of.get(n)
        else:
            years = [y for _, _, e in g.edges(n, data=True) for y in (e.get("year"), e.get("first_year")) if y]
            v = d.get("first_year") or (min(years) if years else None)
        out[n] = None if v is None else float(v)
    return out


def lab_measure_values(m: LabMap, measure: str, *, community_of: Mapping) -> dict[str, float | None]:
    """``measure_values`` of a lab map's graph, from its tie arrays: degree, strength and first year are sums and
    minima over the ties of each person (a lab has no citations or trust on its nodes: those go the general way)."""
    keys = [k for k, _ in m.nodes]
    a, b = m.edge_ends[:, 0], m.edge_ends[:, 1]
    if measure == "Degree":
        got = m.degrees.tolist()
    elif measure == "Strength":
        got = (np.bincount(a, m.edge_weight, len(keys)) + np.bincount(b, m.edge_weight, len(keys))).tolist()
    elif measure == "First year":
        none = np.iinfo(np.int32).max
        years, first = np.where(m.edge_first > 0, m.edge_first, none), np.full(len(keys), none, dtype=np.int32)
        np.minimum.at(first, a, years)
        np.minimum.at(first, b, years)
        got = [None if y == none else y for y in first.tolist()]
    elif measure == "Community":
        got = [community_of.get(k) for k in keys]
    else:
        return measure_values(m.graph, measure, centrality={}, community_of=community_of)
    return {k: None if v is None else float(v) for k, v in zip(keys, got, strict=True)}


def _sizes(values: Sequence[float | None], lo: float = 9, hi: float = 30) -> list[float]:
    present = [v for v in values if v is not None]
    top, bottom = (max(present), min(present)) if present else (0.0, 0.0)
    if top == bottom:
        return [(lo + hi) / 2 if v is not None else lo for v in values]
    return [lo + (hi - lo) * math.sqrt((v - bottom) / (top - bottom)) if v is not None else lo for v in values]


# ---- the figure ----------------------------------------------------------------------------------------------------
def graph_figure(
    g: nx.Graph,
    pos: Mapping,
    *,
    focus: str | None,
    values: Mapping,
    measure: str,
    height: int = 620,
    styles: Mapping | None = None,
) -> go.Figure:
    """Edges under nodes, one node trace per kind (the legend; a node's entry in ``styles``, or its ``style``
    attribute, overrides its kind), the focus ringed on top.

    Built as one dict (``ui.widgets.plotly_figure``): adding traces one by one re-validates hundreds of node
    positions, sizes and labels at every step.
    """
    strong = [(a, b) for a, b, d in g.edges(data=True) if d.get("kind") == "co-authored"]
    other = [(a, b) for a, b, d in g.edges(data=True) if d.get("kind") != "co-authored"]
    segments = [_segments([(pos[a], pos[b]) for a, b in edges if a in pos and b in pos]) for edges in (other, strong)]
    return _figure(list(g.nodes(data=True)), dict(g.degree()), segments, pos, focus=focus, values=values,
                   measure=measure, height=height, styles=styles)  # fmt: skip


def lab_figure(m: LabMap, *, values: Mapping, measure: str, height: int = 620, styles: Mapping | None = None):
    """``graph_figure`` of a lab map, drawn from its tie arrays (27,000 ties at the largest lab) without the
    networkx graph: the same traces, the ties in array order."""
    keys = [k for k, _ in m.nodes]
    xy = np.array([m.positions.get(k, (np.nan, np.nan)) for k in keys], dtype=float).reshape(-1, 2)
    ends = m.edge_ends[~np.isnan(xy).any(axis=1)[m.edge_ends].all(axis=1)] if len(keys) else m.edge_ends
    segments = [_segments([]), _segment_arrays(xy[ends[:, 0]], xy[ends[:, 1]])]
    return _figure(m.nodes, dict(zip(keys, m.degrees.tolist(), strict=True)), segments, m.positions,
                   focus=None, values=values, measure=measure, height=height, styles=styles)  # fmt: skip


def _figure(
    nodes: Sequence[tuple[str, Mapping]],
    degree: Mapping[str, float],
    segments: Sequence[tuple[np.ndarray, np.ndarray]],
    pos: Mapping,
    *,
    focus: str | None,
    values: Mapping,
    measure: str,
    height: int,
    styles: Mapping | None,
) -> go.Figure:
    """The figure of ``graph_figure``: ``nodes`` as ``(key, attributes)``, ``segments`` the x and y of the other
    edges and of the co-authorship edges (``_segments``)."""
    attrs = dict(nodes)
    trace_type = "scattergl" if len(attrs) > WEBGL_FROM else "scatter"
    data: list[dict] = []
    for (xs, ys), width, color in zip(segments, (0.6, 1.3), ("#d0d0d0", "#8fa6bf"), strict=True):
        data.append({"type": trace_type, "x": xs, "y": ys, "mode": "lines", "line": {"width": width, "color": color},
                     "hoverinfo": "skip", "showlegend": False})  # fmt: skip
    categorical = measure == "Community"
    present = [v for v in values.values() if v is not None]
    crange = (min(present), max(present)) if present else (0, 1)
    # Communities are categories: their index says nothing about size, so size shows degree there.
    basis = {n: float(degree[n]) for n in values} if categorical else values
    size = dict(zip(basis, _sizes(list(basis.values())), strict=True))
    label_top = set(sorted(attrs, key=lambda n: -(values.get(n) or 0))[:25]) if not categorical else set()
    for kind, (name, symbol) in KIND_STYLE.items():
        ns = [n for n, d in nodes if (styles or {}).get(n, d.get("style", d.get("kind"))) == kind and n in pos]
        if not ns:
            continue
        colors: list = []
        for n in ns:
            v = values.get(n)
            if categorical:
                colors.append(PALETTE[int(v) % len(PALETTE)] if v is not None else NO_VALUE)
            else:
                colors.append(v if v is not None else crange[0])
        marker = {
            "symbol": symbol,
            "size": [size[n] for n in ns],
            "color": colors,
            "line": {"width": 1.5} if symbol.endswith("-open") else {"width": 1, "color": "white"},
        }
        if not categorical:
            marker.update(coloraxis="coloraxis")
        show_text = len(attrs) <= 60 or categorical
        data.append(
            {
                "type": trace_type,
                "x": [pos[n][0] for n in ns],
                "y": [pos[n][1] for n in ns],
                "mode": "markers+text" if show_text else "markers",
                "text": [
                    short(attrs[n].get("label"), 22)
                    if n != focus and (kind not in ("work", "partner") or n in label_top)
                    else ""
                    for n in ns
                ],
                "textposition": "top center",
                "textfont": {"size": 10, "color": "#444"},
                "hovertext": [_hover(n, attrs[n], measure, values.get(n)) for n in ns],
                "hoverinfo": "text",
                "customdata": ns,
                "name": name,
                "marker": marker,
                "selected": {"marker": {"opacity": 1}},
                "unselected": {"marker": {"opacity": 1}},
            }
        )
    if focus in pos:
        d = attrs[focus]
        data.append(
            {"type": trace_type, "x": [pos[focus][0]], "y": [pos[focus][1]], "mode": "markers+text",
             "text": [short(d.get("label"), 30)], "textposition": "bottom center",
             "textfont": {"size": 12, "color": "#b00"}, "customdata": [focus],
             "hovertext": [_hover(focus, d, measure, values.get(focus))], "hoverinfo": "text", "name": "Focus",
             "marker": {"symbol": KIND_STYLE.get(d.get("kind"), ("", "circle"))[1], "size": 30,
                        "color": "rgba(0,0,0,0)", "line": {"width": 3, "color": "#E45756"}}}
        )  # fmt: skip
    layout = {
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "legend": {"orientation": "h", "y": -0.02, "yanchor": "top", "itemsizing": "constant"},
        "xaxis": {"visible": False},
        "yaxis": {"visible": False, "scaleanchor": "x"},
        "plot_bgcolor": "rgba(0,0,0,0)",
        "hoverlabel": {"align": "left"},
        "clickmode": "event+select",
        "dragmode": "pan",
        "coloraxis": {"colorscale": VIRIDIS, "cmin": crange[0], "cmax": crange[1],
                      "colorbar": {"title": {"text": measure}, "thickness": 12, "len": 0.6}},
    }  # fmt: skip
    if categorical:
        layout["coloraxis"]["showscale"] = False
    return plotly_figure({"data": data, "layout": layout})


def _segments(ends: list[tuple]) -> tuple[np.ndarray, np.ndarray]:
    """x and y of line segments in one trace: ``a, b, NaN`` per segment (NaN breaks the line between segments).

    As arrays, not lists: plotly copies a figure's data and writes it to the browser as typed arrays, which for
    arrays is one copy and one base64 string, and for lists a walk over every value (27,000 edges at a large lab:
    about 80,000 values per axis, ~0.7 s).

    >>> _segments([((0, 0), (1, 2))])[1].tolist()
    [0.0, 2.0, nan]
    """
    pts = np.asarray(ends, dtype=float).reshape(-1, 2, 2)
    return _segment_arrays(pts[:, 0], pts[:, 1])


def _segment_arrays(start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``_segments`` from two ``(n, 2)`` arrays of end points. Single precision: a layout spans about 2 units, so
    that is a micro-unit, far below a pixel, in half the bytes (copied, encoded, hashed and sent for each view)."""
    pts = np.full((len(start), 3, 2), np.nan, dtype=np.float32)
    pts[:, 0], pts[:, 1] = start, end
    return pts[:, :, 0].ravel(), pts[:, :, 1].ravel()


def _hover(key: str, d: Mapping, measure: str, value: float | None) -> str:
    kind = d.get("kind", "node")
    bits = [f"<b>{plain(d.get('label'))}</b>", kind.capitalize()]
    if d.get("year"):
        bits.append(str(d["year"]))
    if value is not None:
        shown = int(value) if measure == "Community" else (f"{value:.3g}" if value % 1 else int(value))
        bits.append(f"{measure}: {shown + 1 if measure == 'Community' else shown}")
    return "<br>".join(bits)


def graph_chart(
    g: nx.Graph,
    pos: Mapping,
    *,
    focus: str | None,
    values: Mapping,
    measure: str,
    key: str,
    height: int = 620,
    styles: Mapping | None = None,
) -> Mapping | None:
    """Draw the graph; return the clicked node's attributes (with ``key``), or ``None``."""
    fig = graph_figure(g, pos, focus=focus, values=values, measure=measure, height=height, styles=styles)
    return _chart(fig, g.nodes(data=True), key)


def lab_chart(m: LabMap, *, values: Mapping, measure: str, key: str, styles: Mapping | None = None) -> Mapping | None:
    """``graph_chart`` of a lab map (``lab_figure``)."""
    return _chart(lab_figure(m, values=values, measure=measure, styles=styles), m.nodes, key)


def _chart(fig: go.Figure, nodes: Iterable[tuple[str, Mapping]], key: str) -> Mapping | None:
    event = st.plotly_chart(
        fig,
        key=key,
        on_select="rerun",
        selection_mode="points",
        config={"displaylogo": False, "toImageButtonOptions": {"format": "png", "filename": "peerscope-graph"}},
    )
    return clicked_node(event, [{"key": n, **d} for n, d in nodes])


def open_node_page(node: Mapping) -> bool:
    """Switch to a researcher's or a work's page; ``False`` for kinds without a page."""
    if node.get("kind") == "researcher":
        st.switch_page(RESEARCHER_PAGE, query_params={"id": str(node["id"])})
    elif node.get("kind") == "work":
        st.switch_page(PAPER_PAGE, query_params={"id": str(node["id"])})
    return False


def growth_multiples(g: nx.Graph, pos: Mapping, *, panels: int = 4) -> go.Figure | None:
    """Small multiples: the graph as it stood at a few years, edges counted by their (first) year."""
    years = sorted({y for _, _, d in g.edges(data=True) if (y := d.get("first_year") or d.get("year"))})
    if len(years) < 2:
        return None
    cuts = sorted({years[round(i * (len(years) - 1) / (panels - 1))] for i in range(panels)})
    fig = make_subplots(rows=1, cols=len(cuts), subplot_titles=[f"≤ {y}" for y in cuts], horizontal_spacing=0.02)
    for col, cut in enumerate(cuts, start=1):
        edges = [(a, b) for a, b, d in g.edges(data=True) if (d.get("first_year") or d.get("year") or 9999) <= cut]
        nodes = {x for e in edges for x in e}
        xs, ys = [], []
        for a, b in edges:
            xs += [pos[a][0], pos[b][0], None]
            ys += [pos[a][1], pos[b][1], None]
        fig.add_scatter(x=xs, y=ys, mode="lines", line={"width": 0.5, "color": "#bbb"}, hoverinfo="skip", row=1,
                        col=col, showlegend=False)  # fmt: skip
        fig.add_scatter(x=[pos[n][0] for n in nodes], y=[pos[n][1] for n in nodes], mode="markers",
                        marker={"size": 5, "color": "#4C78A8"}, hoverinfo="skip", row=1, col=col, showlegend=False)  # fmt: skip
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(height=230, margin={"l": 5, "r": 5, "t": 30, "b": 5}, plot_bgcolor="rgba(0,0,0,0)")
    return fig


# ---- path chain ----------------------------------------------------------------------------------------------------
def chain_view(chain: Sequence[Mapping]) -> None:
    """Hop by hop: who to whom, the tie's strength, and the shared works on each hop."""
    names = [chain[0]["from"], *[h["to"] for h in chain]]
    st.markdown(" → ".join(f"**{escape_md(n, one_line=True)}**" for n in names))
    st.caption(f"{plural(len(chain), 'hop')} of co-authorship; verified people are preferred on the way.")
    for i, hop in enumerate(chain, start=1):
        with st.container(border=True):
            st.markdown(
                f"{i}\\. {escape_md(hop['from'], one_line=True)} → {escape_md(hop['to'], one_line=True)}"
                f" · strength {hop['strength']:.2f}" + (" · verified" if hop.get("verified") else "")
            )
            person_link(hop["to_id"], hop["to"])
            for w in hop["works"]:
                paper_link(w["id"], w.get("title"), year=w.get("year"))


# ---- maps and exports ----------------------------------------------------------------------------------------------
def world_map(countries: Sequence[Mapping], institutions: Sequence[Mapping] = ()) -> go.Figure | None:
    """Authorships of external partners per country (choropleth), with institutions placed where their
    coordinates are known."""
    rows = [(ISO3[c["country_code"].upper()], c) for c in countries if (c.get("country_code") or "").upper() in ISO3]
    placed = [i for i in institutions if i.get("latitude") is not None and i.get("longitude") is not None]
    if not rows and not placed:
        return None
    fig = go.Figure()
    if rows:
        fig.add_choropleth(
            locations=[iso3 for iso3, _ in rows],
            z=[c["authorships"] for _, c in rows],
            text=[c["country_code"] for _, c in rows],
            colorscale="Blues",
            colorbar={"title": {"text": "Authorships"}, "thickness": 12},
            hovertemplate="%{text}: %{z} authorships<extra></extra>",
        )
    if placed:
        fig.add_scattergeo(
            lat=[i["latitude"] for i in placed],
            lon=[i["longitude"] for i in placed],
            text=[plain(i["name"]) for i in placed],
            marker={"size": [6 + 2 * math.sqrt(i["authorships"]) for i in placed], "color": "#E45756"},
            hoverinfo="text",
            name="Institutions",
        )
    fig.update_layout(height=420, margin={"l": 0, "r": 0, "t": 0, "b": 0},
                      geo={"showframe": False, "projection": {"type": "natural earth"}})  # fmt: skip
    return fig


def export_buttons(g: nx.Graph, *, stem: str, bibtex: tuple[str, int] | None = None, key: str = "export") -> None:
    """Download what is on screen: CSV of nodes and edges, GraphML, GEXF, and BibTeX of the works.

    The graph files are written when their button is clicked (Streamlit's deferred downloads): GraphML and GEXF of
    a lab map take seconds to serialise, on every run of the page, for buttons most views never click. A download
    changes nothing on screen, so it does not rerun the page (``on_click="ignore"``): a rerun would redraw the whole
    map, and its new buttons would replace the clicked one while its file is still being written.
    """
    cols = st.columns(5 if bibtex else 4)
    cols[0].download_button("Nodes CSV", lambda: export.graph_to_csv(g)[0], f"{stem}-nodes.csv", "text/csv",
                            key=f"{key}_nodes", on_click="ignore", icon=":material/table:")  # fmt: skip
    cols[1].download_button("Edges CSV", lambda: export.graph_to_csv(g)[1], f"{stem}-edges.csv", "text/csv",
                            key=f"{key}_edges", on_click="ignore", icon=":material/table:")  # fmt: skip
    cols[2].download_button("GraphML", lambda: export.graph_to_graphml(g), f"{stem}.graphml",
                            "application/graphml+xml", key=f"{key}_graphml", on_click="ignore",
                            icon=":material/hub:")  # fmt: skip
    cols[3].download_button("GEXF", lambda: export.graph_to_gexf(g), f"{stem}.gexf", "application/xml",
                            key=f"{key}_gexf", on_click="ignore", icon=":material/hub:")  # fmt: skip
    if bibtex:
        text, n = bibtex
        cols[4].download_button(f"BibTeX ({n} works)", text, f"{stem}.bib", "application/x-bibtex", key=f"{key}_bib",
                                on_click="ignore", icon=":material/menu_book:", disabled=n == 0)  # fmt: skip
    st.caption(
        f"Exports hold the {plural(g.number_of_nodes(), 'node')} and {plural(g.number_of_edges(), 'edge')} on screen. "
        "For a PNG of the figure, use the camera button in the chart's toolbar (top right of the chart)."
    )


def stem_of(name: str) -> str:
    """A file-name stem from a display name.

    >>> stem_of("Bangor University / School of CS")
    'bangor-university-school-of-cs'
    """
    out = "".join(ch.lower() if ch.isalnum() else "-" for ch in name)
    return "-".join(p for p in out.split("-") if p)[:60] or "graph"


# ISO 3166-1 alpha-2 -> alpha-3, for plotly's choropleth (which wants alpha-3).
_ISO = """AD AND AE ARE AF AFG AG ATG AI AIA AL ALB AM ARM AO AGO AQ ATA AR ARG AS ASM AT AUT AU AUS AW ABW AX ALA AZ AZE
BA BIH BB BRB BD BGD BE BEL BF BFA BG BGR BH BHR BI BDI BJ BEN BL BLM BM BMU BN BRN BO BOL BQ BES BR BRA BS BHS BT BTN
BV BVT BW BWA BY BLR BZ BLZ CA CAN CC CCK CD COD CF CAF CG COG CH CHE CI CIV CK COK CL CHL CM CMR CN CHN CO COL CR CRI
CU CUB CV CPV CW CUW CX CXR CY CYP CZ CZE DE DEU DJ DJI DK DNK DM DMA DO DOM DZ DZA EC ECU EE EST EG EGY EH ESH ER ERI
ES ESP ET ETH FI FIN FJ FJI FK FLK FM FSM FO FRO FR FRA GA GAB GB GBR GD GRD GE GEO GF GUF GG GGY GH GHA GI GIB GL GRL
GM GMB GN GIN GP GLP GQ GNQ GR GRC GS SGS GT GTM GU GUM GW GNB GY GUY HK HKG HM HMD HN HND HR HRV HT HTI HU HUN ID IDN
IE IRL IL ISR IM IMN IN IND IO IOT IQ IRQ IR IRN IS ISL IT ITA JE JEY JM JAM JO JOR JP JPN KE KEN KG KGZ KH KHM KI KIR
KM COM KN KNA KP PRK KR KOR KW KWT KY CYM KZ KAZ LA LAO LB LBN LC LCA LI LIE LK LKA LR LBR LS LSO LT LTU LU LUX LV LVA
LY LBY MA MAR MC MCO MD MDA ME MNE MF MAF MG MDG MH MHL MK MKD ML MLI MM MMR MN MNG MO MAC MP MNP MQ MTQ MR MRT MS MSR
MT MLT MU MUS MV MDV MW MWI MX MEX MY MYS MZ MOZ NA NAM NC NCL NE NER NF NFK NG NGA NI NIC NL NLD NO NOR NP NPL NR NRU
NU NIU NZ NZL OM OMN PA PAN PE PER PF PYF PG PNG PH PHL PK PAK PL POL PM SPM PN PCN PR PRI PS PSE PT PRT PW PLW PY PRY
QA QAT RE REU RO ROU RS SRB RU RUS RW RWA SA SAU SB SLB SC SYC SD SDN SE SWE SG SGP SH SHN SI SVN SJ SJM SK SVK SL SLE
SM SMR SN SEN SO SOM SR SUR SS SSD ST STP SV SLV SX SXM SY SYR SZ SWZ TC TCA TD TCD TF ATF TG TGO TH THA TJ TJK TK TKL
TL TLS TM TKM TN TUN TO TON TR TUR TT TTO TV TUV TW TWN TZ TZA UA UKR UG UGA UM UMI US USA UY URY UZ UZB VA VAT VC VCT
VE VEN VG VGB VI VIR VN VNM VU VUT WF WLF WS WSM XK XKX YE YEM YT MYT ZA ZAF ZM ZMB ZW ZWE"""
_PAIRS = _ISO.split()
ISO3 = dict(zip(_PAIRS[::2], _PAIRS[1::2], strict=True))


# ---- choosing nodes ------------------------------------------------------------------------------------------------
def node_choices(g: nx.Graph, focus: str, kinds: Sequence[str] | None = None) -> list[str]:
    """Node keys for a picker: the focus first, then by the weight of their tie to the focus, then by degree.

    >>> g = nx.Graph(); g.add_edge("r:1", "r:2", weight=0.5); g.add_edge("r:1", "r:3", weight=2.0)
    >>> node_choices(g, "r:1")
    ['r:1', 'r:3', 'r:2']
    """
    ns = [n for n, d in g.nodes(data=True) if kinds is None or d.get("kind") in kinds]
    tie = {m: d.get("weight", 0) for m, d in g[focus].items()} if focus in g else {}
    return sorted(ns, key=lambda n: (n != focus, -tie.get(n, -1), -g.degree(n), str(n)))


def node_name(g: nx.Graph, key: str) -> str:
    """ "Researcher · Joseph Mearman" (plain text, for pickers)."""
    d = g.nodes[key] if key in g else {}
    return f"{str(d.get('kind', 'node')).capitalize()} · {' '.join(str(d.get('label', key)).split())[:80]}"


def lab_drawing(nodes: Iterable[tuple[str, Mapping]], community_of: Mapping) -> tuple[dict, dict]:
    """How a lab map's nodes (``LabMap.nodes``) are drawn (members vs external partners: ``styles`` for
    ``lab_chart``), and each member's community. The nodes themselves are left as they are (the exports write
    them)."""
    nodes = list(nodes)
    styles = {n: "member" if d.get("member") else "partner" for n, d in nodes}
    return styles, {n: community_of.get(d.get("id")) for n, d in nodes if d.get("member")}
