"""Importing arXiv, Semantic Scholar, Crossref, DBLP and ORCID files: store counts checked against the raw files."""

from __future__ import annotations

import gzip
import json
import re
import tarfile

import pytest

from core import queries
from core.db import session_scope
from core.ingest.loader import import_paths


@pytest.fixture
def engine(empty_store):
    return empty_store


def _stats(engine) -> dict:
    with session_scope(engine) as s:
        return queries.store_stats(session=s)


def test_arxiv_both_files_are_one_set_of_works(engine, shared_data):
    folder = shared_data / "arxiv"
    records = [json.loads(line) for f in sorted(folder.glob("*.jsonl")) for line in f.read_text().splitlines()]
    ids = {r["id"] for r in records}
    # arXiv's doi field can hold several DOIs separated by spaces; the first one is the work's own.
    dois = {r["doi"].split()[0].lower() for r in records if r.get("doi")}
    summary = import_paths([folder], engine=engine)
    got = _stats(engine)
    assert got["works"] == len(ids)
    assert summary.by_entity["work"] == {"added": len(ids), "updated": len(records) - len(ids)}
    assert got["works_with_abstract"] == len(ids)
    with session_scope(engine) as s:
        # Every DOI from journal-ref records is reachable as the same work.
        for doi in sorted(dois)[:25]:
            wid = queries.resolve_work(session=s, query=doi)
            assert queries.paper_detail(session=s, work_id=wid)["ids"]["doi"] == doi
        # 0704.0001: "C. Bal\\'azs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan", LaTeX accent turned into Unicode.
        first = next(r for r in records if r["id"] == "0704.0001")
        assert first["authors"].startswith("C. Bal\\'azs, E. L. Berger")
        paper = queries.paper_detail(session=s, work_id=queries.resolve_work(session=s, query="arXiv:0704.0001"))
        assert [a["name"] for a in paper["authors"]] == ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan"]
        assert [v["label"] for v in paper["versions"] if v["kind"] == "preprint"] == [
            v["version"] for v in first["versions"]
        ]
    again = import_paths([folder], engine=engine)
    assert (again.added, again.updated, again.unchanged) == (0, 0, len(records))


def test_semantic_scholar_citations_point_at_the_paper(engine, shared_data):
    folder = shared_data / "semantic-scholar"
    paper = json.loads((folder / "Paper.json").read_text())
    citing_ids = {c["paperId"] for c in paper["citations"] if c.get("paperId")}
    ref_ids = {r["paperId"] for r in paper["references"] if r.get("paperId")}
    edge_ids = {
        json.loads((folder / "Citation.json").read_text())["citingPaper"]["paperId"],
        json.loads((folder / "Reference.json").read_text())["citedPaper"]["paperId"],
    }
    author_ids = {
        a["authorId"] for p in [paper, *paper["citations"]] for a in p.get("authors") or [] if a.get("authorId")
    }
    import_paths([folder], engine=engine)
    got = _stats(engine)
    assert got["works"] == len({paper["paperId"]} | citing_ids | ref_ids | edge_ids)
    assert got["researchers"] >= len(author_ids)
    with session_scope(engine) as s:
        wid = queries.resolve_work(session=s, query=paper["externalIds"]["DOI"])
        detail = queries.paper_detail(session=s, work_id=wid)
        assert detail["counts"]["cited_by_in_store"] == len(citing_ids | ({edge_ids.pop()} & citing_ids))
        assert detail["counts"]["references"] == len(paper["references"])
        assert detail["counts"]["cited_by_reported"] == paper["citationCount"]
        assert [a["name"] for a in detail["authors"]] == [a["name"] for a in paper["authors"]]


def test_crossref_dblp_orcid_folder(engine, shared_data):
    folder = shared_data / "crossref-dblp-orcid"
    crossref = []
    for f in sorted(folder.glob("*.json.gz")):
        doc = json.loads(gzip.decompress(f.read_bytes()))
        msg = doc.get("message", doc)
        crossref += msg["items"] if "items" in msg else [msg]
    crossref += [
        json.loads(line) for line in gzip.decompress((folder / "crossref-2025.jsonl.gz").read_bytes()).splitlines()
    ]
    crossref_dois = {w["DOI"].lower() for w in crossref}
    dblp = gzip.decompress((folder / "dblp.xml.gz").read_bytes()).decode("latin-1")
    dblp_keys = set(re.findall(r'<article[^>]*key="([^"]+)"', dblp))
    with tarfile.open(folder / "ORCID_2022_10_summaries.tar.gz") as tar:
        orcid_files = [m.name for m in tar.getmembers() if m.name.endswith(".xml")]
    summary = import_paths([folder], engine=engine)
    assert summary.rejected == 0
    assert summary.by_entity["researcher"]["added"] == len(orcid_files) - 1  # one record is locked (skipped)
    assert summary.skipped >= 1 and any("locked" in n for n in summary.notes)
    with session_scope(engine) as s:
        for doi in crossref_dois:
            queries.resolve_work(session=s, query=doi)  # raises if missing
        spinellis = queries.resolve_researcher(session=s, query="0000-0003-4231-1897")
        profile = queries.researcher_profile(session=s, researcher_id=spinellis)
        assert profile.ids["orcid"] == "0000-0003-4231-1897"
        assert profile.metrics["works_count"] > 100
    got = _stats(engine)
    assert got["works"] >= len(crossref_dois) + len(dblp_keys) - len(crossref_dois & set())
    again = import_paths([folder], engine=engine)
    assert (again.added, again.updated) == (0, 0)
    assert _stats(engine) == got
