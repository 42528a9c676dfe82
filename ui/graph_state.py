"""Cached reads and per-user state for the explorer, the lab map and the import page.

Expansions, merged graphs with their layout, analyses, lab maps and path chains are cached per database URL and
what defines them (focus key, expansion list, filters), so the spring layout of a graph is computed once and a
rerun that only changes the colour measure or clicks a node costs nothing. Nothing here loads the whole corpus
graph: a graph is the union of capped expansions around the nodes the user chose.

Per-user explorer state (expansions, removed nodes, undo stack) lives in ``st.session_state`` under a key that
includes the focus, so a deep link to another focus starts fresh.
"""

from __future__ import annotations

import hashlib
import math
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import streamlit as st

from core import explorer, export, lab_snapshots, labs, network, queries
from core.db import session_scope
from core.ingest.loader import ImportFailed, import_paths
from ui import state

TTL = state.READ_TTL
DEFAULT_LIMIT = 40  # neighbours per edge kind in one expansion; "Show more" doubles it
MAX_LIMIT = 640
BIBTEX_CAP = 500


# ---- per-user explorer state ---------------------------------------------------------------------------------------
@dataclass
class ExplorerState:
    """What the user did to the graph around one focus: ``expansions`` as ``(node key, limit)``, removed nodes,
    and snapshots of both to undo to."""

    focus: str
    expansions: list[tuple[str, int]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    undo: list[tuple[list[tuple[str, int]], list[str]]] = field(default_factory=list)
    version: int = 0  # bumped on every change: part of the chart's key, so an old click never replays

    def _push(self) -> None:
        self.undo.append((list(self.expansions), list(self.removed)))
        del self.undo[:-30]
        self.version += 1

    def expand(self, key: str, limit: int = DEFAULT_LIMIT) -> None:
        self._push()
        self.expansions = [(k, n) for k, n in self.expansions if k != key] + [(key, limit)]
        if key in self.removed:
            self.removed.remove(key)

    def widen(self, key: str) -> None:
        """Double the cap of an expansion (up to ``MAX_LIMIT``)."""
        current = dict(self.expansions).get(key, DEFAULT_LIMIT)
        self._push()
        self.expansions = [(k, min(n * 2, MAX_LIMIT) if k == key else n) for k, n in self.expansions]
        if key not in dict(self.expansions):
            self.expansions.append((key, min(current * 2, MAX_LIMIT)))

    def remove(self, keys: Iterable[str]) -> None:
        keys = [k for k in keys if k != self.focus and k not in self.removed]
        if keys:
            self._push()
            self.removed = [*self.removed, *keys]

    def undo_last(self) -> bool:
        if not self.undo:
            return False
        self.expansions, self.removed = self.undo.pop()
        self.version += 1
        return True


def explorer_state(focus: str) -> ExplorerState:
    """The session's state for ``focus``, created with the focus expanded when first asked for."""
    key = f"explorer::{focus}"
    if key not in st.session_state:
        st.session_state[key] = ExplorerState(focus=focus, expansions=[(focus, DEFAULT_LIMIT)])
    return st.session_state[key]


def reset_explorer(focus: str) -> None:
    st.session_state.pop(f"explorer::{focus}", None)


# ---- explorer reads ------------------------------------------------------------------------------------------------
def node_label(key: str) -> dict | None:
    """Attributes (label, kind, measures) of one node key, or ``None`` when it is not in the store."""
    return _node_label(state.database_url(), key)


@st.cache_data(ttl=TTL, max_entries=512, show_spinner=False)
def _node_label(url: str, key: str) -> dict | None:
    with session_scope(state._engine_for(url)) as session:
        return explorer.node_attrs(session=session, keys=[key]).get(key)


@st.cache_data(ttl=TTL, max_entries=512, show_spinner=False)
def _expansion(url: str, key: str, limit: int) -> explorer.Expansion:
    with session_scope(state._engine_for(url)) as session:
        return explorer.expand(session=session, key=key, limit=limit)


@dataclass
class GraphView:
    """The merged graph of the expansions, its cached layout, and how much each expansion shows of its total."""

    graph: nx.Graph
    pos: dict[str, tuple[float, float]]
    counts: dict[str, tuple[int, int]]  # expanded key -> (shown, total)


def merged_graph(expansions: Sequence[tuple[str, int]]) -> GraphView:
    """Union of the expansions (each cached), laid out once per distinct expansion list."""
    return _merged_graph(state.database_url(), tuple((k, int(n)) for k, n in expansions))


@st.cache_data(ttl=TTL, max_entries=64, show_spinner="Laying out the graph…")
def _merged_graph(url: str, expansions: tuple[tuple[str, int], ...]) -> GraphView:
    parts = [_expansion(url, k, n) for k, n in expansions]
    g = explorer.to_graph(parts)
    counts = {k: (p.shown, p.total) for (k, _), p in zip(expansions, parts, strict=True)}
    return GraphView(g, network.layout(damped(g), seed=7), counts)


def damped(g: nx.Graph) -> nx.Graph:
    """A copy with weights ``1 + log(1 + w)``: edge weights mix citations (thousands) with co-authorship strengths
    (about 1), and a zero weight (an uncited work) would otherwise pull nothing and fly off the layout.

    >>> g = nx.Graph(); g.add_edge("a", "b", weight=0.0)
    >>> damped(g)["a"]["b"]["weight"]
    1.0
    """
    h = g.copy()
    for _, _, d in h.edges(data=True):
        d["weight"] = 1.0 + math.log1p(max(float(d.get("weight") or 0.0), 0.0))
    return h


@dataclass(frozen=True)
class Filters:
    node_kinds: tuple[str, ...] = ()
    edge_kinds: tuple[str, ...] = ()
    year_range: tuple[int, int] | None = None
    min_strength: float = 0.0
    topic: str | None = None  # a topic node key: keep only works on it and what hangs off them


def current_graph(view: GraphView, focus: str, filters: Filters, removed: Sequence[str]) -> nx.Graph:
    """The graph on screen: the merged graph through ``core.explorer.filter_graph`` and the topic filter."""
    h = explorer.filter_graph(
        view.graph,
        node_kinds=set(filters.node_kinds) or None,
        edge_kinds=set(filters.edge_kinds) or None,
        year_range=filters.year_range,
        min_strength=filters.min_strength,
        removed=set(removed),
        keep={focus},
    )
    if filters.topic and filters.topic in h:
        works = {n for n in h[filters.topic] if h.nodes[n].get("kind") == "work"}
        keep = {focus, filters.topic} | works | {m for w in works for m in h[w]}
        drop = [n for n, d in h.nodes(data=True) if n not in keep and d.get("kind") in ("work", "topic", "venue")]
        h.remove_nodes_from(drop)
        h.remove_nodes_from([n for n in list(h) if h.degree(n) == 0 and n != focus])
    return h


@dataclass
class Analyses:
    centrality: dict[str, dict]
    communities: list[dict]  # {"index", "label", "size", "members": [keys]}
    community_of: dict[str, int]
    bridges: list[dict]


def analyses(g: nx.Graph, *, with_centrality: bool = True) -> Analyses:
    """Communities (Louvain) labelled by their top topics, centrality, and brokers between communities, on the
    damped weights (see ``damped``).

    ``with_centrality=False`` leaves ``centrality`` empty: betweenness is the costliest analysis (all shortest
    paths) and only the explorer's Centrality tab shows it, so that tab asks for it (``centrality``) when opened.
    """
    g = damped(g)
    nodes, edges = _graph_key(g)
    info = {n: (d.get("kind"), d.get("label")) for n, d in g.nodes(data=True)}
    parts = _communities(_digest(nodes, edges, sorted(info.items())), nodes, edges, info)
    return Analyses(_centrality(_digest(nodes, edges), nodes, edges) if with_centrality else {}, *parts)


def centrality(g: nx.Graph) -> dict[str, dict]:
    """Degree, strength, betweenness and PageRank of ``g`` on the damped weights (``core.network.centrality``)."""
    nodes, edges = _graph_key(damped(g))
    return _centrality(_digest(nodes, edges), nodes, edges)


def _graph_key(g: nx.Graph) -> tuple[tuple, tuple]:
    return tuple(sorted(g.nodes)), tuple(sorted((a, b, d.get("weight", 1.0)) for a, b, d in g.edges(data=True)))


def _digest(*parts) -> str:
    """A cache key for a whole graph. ``st.cache_data`` would otherwise hash the node and edge tuples value by value
    (as long as the analysis itself for a few hundred nodes); the cached functions take the graph in arguments whose
    leading underscore keeps them out of the key."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest()


def _rebuilt(nodes: tuple, edges: tuple) -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from(nodes)
    g.add_weighted_edges_from(edges)
    return g


@st.cache_data(ttl=TTL, max_entries=64, show_spinner="Analysing the graph…")
def _centrality(key: str, _nodes: tuple, _edges: tuple) -> dict[str, dict]:
    return network.centrality(_rebuilt(_nodes, _edges))


@st.cache_data(ttl=TTL, max_entries=64, show_spinner="Analysing the graph…")
def _communities(key: str, _nodes: tuple, _edges: tuple, _info: dict) -> tuple[list[dict], dict[str, int], list[dict]]:
    """``(communities, community_of, bridges)`` of the graph: see ``analyses``."""
    nodes, info = _nodes, _info
    g = _rebuilt(nodes, _edges)
    parts = network.communities(g) if g.number_of_edges() else [{n} for n in nodes]
    comm = network.community_of(parts)
    out = []
    for i, part in enumerate(parts):
        topics: Counter = Counter()
        for n in part:
            if info[n][0] == "topic":
                topics[info[n][1]] += 10 + g.degree(n)
            for m in g[n]:
                if info[m][0] == "topic":
                    topics[info[m][1]] += 1
        top = [t for t, _ in topics.most_common(2)]
        out.append(
            {
                "index": i,
                "label": " · ".join(top) if top else f"Community {i + 1}",
                "size": len(part),
                "members": sorted(part),
            }
        )
    bridges = network.bridges_between_communities(g, parts, limit=10) if len(parts) > 1 else []
    return out, comm, bridges


def path_chain(source: int, target: int) -> list[dict]:
    """``core.explorer.path_to_researcher``: the hops from ``source`` to ``target`` with shared works."""
    return _path_chain(state.database_url(), int(source), int(target))


@st.cache_data(ttl=TTL, max_entries=128, show_spinner=False)
def _path_chain(url: str, source: int, target: int) -> list[dict]:
    with session_scope(state._engine_for(url)) as session:
        return explorer.path_to_researcher(session=session, source=source, target=target)


# ---- lab maps ------------------------------------------------------------------------------------------------------
def resolve_institution(query: str) -> int:
    return _resolve_institution(state.database_url(), str(query).strip())


@st.cache_data(ttl=TTL, max_entries=128, show_spinner=False)
def _resolve_institution(url: str, query: str) -> int:
    with session_scope(state._engine_for(url)) as session:
        return queries.resolve_institution(session=session, query=query)


def institution_lab(institution_id: int) -> labs.LabMap:
    return _institution_lab(state.database_url(), int(institution_id))


def team_lab(member_ids: Sequence[int], name: str) -> labs.LabMap:
    return _team_lab(state.database_url(), tuple(sorted({int(m) for m in member_ids})), name)


@st.cache_data(ttl=TTL, max_entries=32, show_spinner="Mapping the lab's collaborations…")
def _institution_lab(url: str, institution_id: int) -> labs.LabMap:
    with session_scope(state._engine_for(url)) as session:
        return lab_snapshots.institution_lab_map(session=session, institution_id=institution_id)


@st.cache_data(ttl=TTL, max_entries=32, show_spinner="Mapping the team's collaborations…")
def _team_lab(url: str, member_ids: tuple[int, ...], name: str) -> labs.LabMap:
    with session_scope(state._engine_for(url)) as session:
        return labs.lab_map(session=session, member_ids=list(member_ids), name=name)


def works_bibtex(work_ids: Sequence[int]) -> tuple[str, int]:
    """BibTeX of the works (at most ``BIBTEX_CAP``) and how many it holds."""
    return _works_bibtex(state.database_url(), tuple(sorted(work_ids))[:BIBTEX_CAP])


@st.cache_data(ttl=TTL, max_entries=16, show_spinner="Writing BibTeX…")
def _works_bibtex(url: str, work_ids: tuple[int, ...]) -> tuple[str, int]:
    with session_scope(state._engine_for(url)) as session:
        entries = [export.bibtex(p) for p in queries.works_for_citation(session=session, work_ids=work_ids)]
    return "\n\n".join(entries) + ("\n" if entries else ""), len(entries)


# ---- imports -------------------------------------------------------------------------------------------------------
def run_import(
    files: Sequence[tuple[str, bytes]],
    *,
    fmt: str = "auto",
    skip_bad: bool = False,
    on_record: Callable[[Path, int], None] | None = None,
) -> dict:
    """Write uploaded ``(name, bytes)`` files to a temporary folder and import them in one transaction.

    Returns the summary dict (``ImportSummary.as_dict`` with bare file names); raises ``ImportFailed`` (nothing
    written). Every cached read is cleared afterwards, since any of them may have changed.
    """
    with tempfile.TemporaryDirectory(prefix="peerscope-upload-") as tmp:
        paths = []
        for i, (name, data) in enumerate(files):
            folder = Path(tmp) / str(i)  # two uploads may share a name
            folder.mkdir()
            path = folder / (Path(name).name.strip(". ") or "upload")
            path.write_bytes(data)
            paths.append(path)
        bare = re.compile(re.escape(tmp) + r"/\d+/")
        try:
            summary = import_paths(paths, engine=state.get_engine(), fmt=fmt, skip_bad=skip_bad, on_record=on_record)
        except ImportFailed as exc:
            raise ImportFailed(bare.sub("", exc.path), exc.location, bare.sub("", exc.problem)) from None
    out = summary.as_dict()
    out["files"] = [Path(f).name for f in out["files"]]
    out["rejections"] = [bare.sub("", r) for r in out["rejections"]]
    out["notes"] = [bare.sub("", r) for r in out["notes"]]
    st.cache_data.clear()
    return out


def fetch_available() -> str | None:
    """``None`` when online fetching works here, else the reason it does not."""
    try:
        import core.fetch.pages  # noqa: F401
    except ImportError as exc:  # pragma: no cover - the module ships with the app
        return f"the OpenAlex fetcher is not installed ({exc})"
    return None


def run_fetch(kind: str, value: str, *, max_records: int, skip_bad: bool = False, on_progress=None) -> dict:
    """``core.fetch.pages.fetch_into_store`` into the configured store; returns its status, pages and summary.

    Raises ``QueryError`` (bad value: nothing sent), ``FetchError`` or ``ImportFailed`` (pages committed before
    the error stay; ``exc.summary`` counts them). Every cached read is cleared afterwards.
    """
    from core.config import get_settings
    from core.fetch.pages import fetch_into_store

    try:
        result = fetch_into_store(kind, value, engine=state.get_engine(), mailto=get_settings().openalex_mailto,
                                  max_records=max_records, on_progress=on_progress, skip_bad=skip_bad)  # fmt: skip
    finally:
        st.cache_data.clear()
    return {"status": result.status, "pages": result.pages, "resumed": result.resumed, **result.summary.as_dict()}
