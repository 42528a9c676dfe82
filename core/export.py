"""Citation export (BibTeX, RIS) from the paper view model (``core.queries.paper_detail``).

>>> paper = {"title": "Embedding Principle", "year": 2022, "type": "preprint", "venue": {"name": "arXiv"},
...          "authors": [{"name": "Yaoyu Zhang"}, {"name": "Zhi-Qin John Xu"}],
...          "ids": {"doi": None, "arxiv": "2105.14573"}}
>>> print(bibtex(paper))
@misc{zhang2022embedding,
  title = {Embedding Principle},
  author = {Zhang, Yaoyu and Xu, Zhi-Qin John},
  year = {2022},
  eprint = {2105.14573},
  archivePrefix = {arXiv},
  howpublished = {arXiv}
}
"""

from __future__ import annotations

import re

from core import names

BIBTEX_TYPES = {"article": "article", "proceedings-article": "inproceedings", "book": "book", "book-chapter": "incollection"}
RIS_TYPES = {"article": "JOUR", "proceedings-article": "CPAPER", "book": "BOOK", "book-chapter": "CHAP", "preprint": "UNPB"}


def _bib_name(display: str) -> str:
    given, family = names.split_name(display)
    return f"{family}, {given}" if given else family


def _escape_bib(text: str) -> str:
    return re.sub(r"([{}\\&%$#_])", r"\\\1", text or "")


def cite_key(paper: dict) -> str:
    first = paper["authors"][0]["name"] if paper.get("authors") else "anon"
    family = names.split_name(first)[1]
    word = next((w for w in re.findall(r"[A-Za-z]+", paper.get("title") or "") if len(w) > 3), "work")
    key = f"{family}{paper.get('year') or ''}{word}"
    return re.sub(r"[^A-Za-z0-9]", "", names.text_key(key).replace(" ", "")) or "work"


def bibtex(paper: dict) -> str:
    """A BibTeX entry for the paper; user-visible text is escaped for LaTeX."""
    kind = BIBTEX_TYPES.get(paper.get("type") or "", "misc")
    fields = [("title", _escape_bib(paper.get("title", ""))),
              ("author", " and ".join(_bib_name(a["name"]) for a in paper.get("authors", [])))]
    if paper.get("year"):
        fields.append(("year", str(paper["year"])))
    venue = (paper.get("venue") or {}).get("name")
    ids = paper.get("ids") or {}
    if ids.get("doi"):
        fields.append(("doi", ids["doi"]))
    if ids.get("arxiv"):
        fields += [("eprint", ids["arxiv"]), ("archivePrefix", "arXiv")]
    if venue:
        fields.append(({"article": "journal", "inproceedings": "booktitle", "incollection": "booktitle"}.get(kind, "howpublished"),
                       _escape_bib(venue)))
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
    return f"@{kind}{{{cite_key(paper)},\n{body}\n}}"


def ris(paper: dict) -> str:
    """An RIS record for the paper.

    >>> print(ris({"title": "T", "type": "article", "year": 2020, "authors": [{"name": "Ann Lee"}], "ids": {"doi": "10.1/x"}}))
    TY  - JOUR
    TI  - T
    AU  - Lee, Ann
    PY  - 2020
    DO  - 10.1/x
    ER  - 
    """
    lines = [("TY", RIS_TYPES.get(paper.get("type") or "", "GEN")), ("TI", paper.get("title", ""))]
    lines += [("AU", _bib_name(a["name"])) for a in paper.get("authors", [])]
    if paper.get("year"):
        lines.append(("PY", str(paper["year"])))
    venue = (paper.get("venue") or {}).get("name")
    if venue:
        lines.append(("T2", venue))
    ids = paper.get("ids") or {}
    if ids.get("doi"):
        lines.append(("DO", ids["doi"]))
    if ids.get("arxiv"):
        lines.append(("UR", f"https://arxiv.org/abs/{ids['arxiv']}"))
    if paper.get("abstract"):
        lines.append(("AB", paper["abstract"]))
    lines.append(("ER", ""))
    return "\n".join(f"{k}  - {v}" for k, v in lines)


# ---- graphs -----------------------------------------------------------------------------------------------------
def _scalar_graph(graph):
    """A copy whose node/edge attributes are all strings, numbers or booleans (GraphML and GEXF need that)."""
    g = graph.copy()
    for _, data in list(g.nodes(data=True)) + [(None, d) for _, _, d in g.edges(data=True)]:
        for k, v in list(data.items()):
            if v is None:
                del data[k]
            elif not isinstance(v, (str, int, float, bool)):
                data[k] = str(v)
    return g


def graph_to_graphml(graph) -> bytes:
    """GraphML (opens in Gephi, Cytoscape, yEd); node ids kept as given.

    >>> import networkx as nx
    >>> g = nx.Graph(); g.add_edge("r:1", "r:2", weight=0.5)
    >>> b"<graphml" in graph_to_graphml(g)
    True
    """
    import io

    import networkx as nx

    buf = io.BytesIO()
    nx.write_graphml(_scalar_graph(graph), buf)
    return buf.getvalue()


ID_ATTR = "entity_id"  # a node's "id" attribute (the store id behind "r:12") where "id" means the node itself


def graph_to_gexf(graph) -> bytes:
    """GEXF 1.2 (Gephi's own format); node ids are the graph's node keys.

    >>> import networkx as nx
    >>> g = nx.Graph(); g.add_edge("r:5", "w:5"); g.nodes["r:5"]["id"] = 5; g.nodes["w:5"]["id"] = 5
    >>> sorted(nx.read_gexf(__import__("io").BytesIO(graph_to_gexf(g))).nodes)
    ['r:5', 'w:5']
    """
    import io

    import networkx as nx

    g = _scalar_graph(graph)
    for _, data in g.nodes(data=True):  # networkx writes a node's "id" attribute as its GEXF id: r:5 and w:5 collide
        if "id" in data:
            data[ID_ATTR] = data.pop("id")
    buf = io.BytesIO()
    nx.write_gexf(g, buf)
    return buf.getvalue()


def graph_to_csv(graph) -> tuple[str, str]:
    """Two CSV texts: nodes (id + attributes) and edges (source, target + attributes).

    >>> import networkx as nx
    >>> g = nx.Graph(); g.add_node("a", label="A"); g.add_edge("a", "b", weight=2)
    >>> nodes, edges = graph_to_csv(g)
    >>> nodes.splitlines()[0], edges.splitlines()[1]
    ('id,label', 'a,b,2')
    """
    import csv
    import io

    node_keys = sorted({k for _, d in graph.nodes(data=True) for k in d})  # "id" is the node key's column:
    columns = [ID_ATTR if k == "id" else k for k in node_keys]  # an "id" attribute is written as ID_ATTR
    edge_keys = sorted({k for _, _, d in graph.edges(data=True) for k in d})
    nbuf, ebuf = io.StringIO(), io.StringIO()
    nw, ew = csv.writer(nbuf, lineterminator="\n"), csv.writer(ebuf, lineterminator="\n")
    nw.writerow(["id", *columns])
    for n, d in graph.nodes(data=True):
        nw.writerow([n, *[d.get(k, "") for k in node_keys]])
    ew.writerow(["source", "target", *edge_keys])
    for a, b, d in graph.edges(data=True):
        ew.writerow([a, b, *[d.get(k, "") for k in edge_keys]])
    return nbuf.getvalue(), ebuf.getvalue()
