"""Semantic Scholar parser: the real Paper / Citation / Reference responses read in place."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from core.ingest import s2
from core.ingest.records import ParseError, PersonRec, WorkRec

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "semantic-scholar"
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"shared sample data not found at {DATA}")


@pytest.fixture(scope="module")
def paper_raw() -> dict:
    return json.loads((DATA / "Paper.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def paper_parsed() -> list:
    return list(s2.parse_file(DATA / "Paper.json"))


@needs_data
def test_main_paper_first_then_citing_then_cited(paper_raw: dict, paper_parsed: list) -> None:
    cited_with_id = [r["paperId"] for r in paper_raw["references"] if r.get("paperId") and r.get("title")]
    want = [paper_raw["paperId"]] + [c["paperId"] for c in paper_raw["citations"]] + cited_with_id
    assert [p.key for p in paper_parsed] == want
    assert len(paper_parsed) == 1 + 1000 + 8
    assert [p.error for p in paper_parsed if p.error] == []
    assert paper_parsed[0].location == "paper"
    assert paper_parsed[1].location == "paper citation 1"
    assert paper_parsed[-1].location == f"paper reference {len(paper_raw['references'])}"


@needs_data
def test_main_paper_fields(paper_raw: dict, paper_parsed: list) -> None:
    work = paper_parsed[0].item
    ext = paper_raw["externalIds"]
    assert (work.title, work.year, work.publication_date) == (paper_raw["title"], 1950, paper_raw["publicationDate"])
    assert work.s2_id == paper_raw["paperId"]
    assert work.doi == ext["DOI"].lower() == "10.1093/mind/lix.236.433"
    assert work.dblp_key == ext["DBLP"]
    assert work.cited_by_count == paper_raw["citationCount"] == 10059
    assert work.venue.name == paper_raw["journal"]["name"]
    assert work.type == "article"  # publicationTypes ["JournalArticle", "Review"]
    want_fields = list(dict.fromkeys(f["category"] for f in paper_raw["s2FieldsOfStudy"]))
    assert [(t.name, t.kind) for t in work.topics] == [(n, "field_of_study") for n in want_fields]
    (author,) = [a.person for a in work.authorships]
    raw_author = paper_raw["authors"][0]
    assert (author.s2_id, author.display_name) == (raw_author["authorId"], raw_author["name"])
    assert (author.h_index, author.works_count, author.cited_by_count) == (22, 57, 13621)
    assert author.name_variants == raw_author["externalIds"]["DBLP"] == ["Alan M. Turing"]


@needs_data
def test_main_paper_references(paper_raw: dict, paper_parsed: list) -> None:
    refs = paper_parsed[0].item.references
    assert len(refs) == len(paper_raw["references"]) == 14
    assert [r.s2_id for r in refs] == [r["paperId"] for r in paper_raw["references"]]
    assert [r.title for r in refs] == [r["title"] for r in paper_raw["references"]]
    assert [r.doi for r in refs] == [
        (r["externalIds"] or {}).get("DOI", "").lower() or None for r in paper_raw["references"]
    ]


@needs_data
def test_citing_papers_point_back_to_main_paper(paper_raw: dict, paper_parsed: list) -> None:
    citing = [p.item for p in paper_parsed[1:1001]]
    assert all(w.references[-1].s2_id == paper_raw["paperId"] for w in citing)
    assert all(w.references[-1].doi == "10.1093/mind/lix.236.433" for w in citing)
    assert [w.cited_by_count for w in citing] == [c["citationCount"] for c in paper_raw["citations"]]
    assert sum(1 for w in citing if w.abstract) == sum(1 for c in paper_raw["citations"] if c["abstract"]) == 774
    want_arxiv = [c["externalIds"].get("ArXiv") for c in paper_raw["citations"]]
    assert [w.arxiv_id for w in citing] == want_arxiv


@needs_data
def test_citing_paper_authors(paper_raw: dict, paper_parsed: list) -> None:
    citing = [p.item for p in paper_parsed[1:1001]]
    raw_ids = {a["authorId"] for c in paper_raw["citations"] for a in c["authors"] if a["authorId"]}
    got_ids = {a.person.s2_id for w in citing for a in w.authorships if a.person.s2_id}
    assert got_ids == raw_ids and len(got_ids) == 3226
    name_only = [a.person for w in citing for a in w.authorships if a.person.s2_id is None]
    raw_name_only = [a["name"] for c in paper_raw["citations"] for a in c["authors"] if not a["authorId"]]
    assert [p.display_name for p in name_only] == raw_name_only and len(name_only) == 3
    assert [len(w.authorships) for w in citing] == [len(c["authors"]) for c in paper_raw["citations"]]


@needs_data
def test_cited_papers_become_works(paper_raw: dict, paper_parsed: list) -> None:
    cited = [p.item for p in paper_parsed[1001:]]
    raw = [r for r in paper_raw["references"] if r.get("paperId") and r.get("title")]
    assert [(w.s2_id, w.title, w.year) for w in cited] == [(r["paperId"], r["title"], r["year"]) for r in raw]


@needs_data
def test_citation_and_reference_edges() -> None:
    cit_raw = json.loads((DATA / "Citation.json").read_text(encoding="utf-8"))["citingPaper"]
    (cit,) = s2.parse_file(DATA / "Citation.json")
    assert (cit.location, cit.key) == ("citingPaper", cit_raw["paperId"])
    assert cit.item.doi == cit_raw["externalIds"]["DOI"].lower()
    assert cit.item.venue.issns == [cit_raw["publicationVenue"]["issn"]]
    assert [a.person.s2_id for a in cit.item.authorships] == [a["authorId"] for a in cit_raw["authors"]]
    ref_raw = json.loads((DATA / "Reference.json").read_text(encoding="utf-8"))["citedPaper"]
    (ref,) = s2.parse_file(DATA / "Reference.json")
    assert (ref.location, ref.key) == ("citedPaper", ref_raw["paperId"])
    assert (ref.item.arxiv_id, ref.item.doi) == (ref_raw["externalIds"]["ArXiv"], None)
    assert ref.item.venue.type == ref_raw["publicationVenue"]["type"] == "conference"


@needs_data
def test_data_envelope_and_batch_list(tmp_path: Path, paper_raw: dict) -> None:
    papers = paper_raw["citations"][:3]
    envelope = tmp_path / "search.json"
    envelope.write_text(json.dumps({"offset": 0, "next": 3, "data": [{"citingPaper": p} for p in papers]}))
    assert [p.key for p in s2.parse_file(envelope)] == [p["paperId"] for p in papers]
    batch = tmp_path / "batch.json.gz"
    batch.write_bytes(gzip.compress(json.dumps([papers[0], None, papers[1]]).encode()))
    assert [(p.location, p.key) for p in s2.parse_file(batch)] == [
        ("item 1", papers[0]["paperId"]),
        ("item 3", papers[1]["paperId"]),
    ]


@needs_data
def test_author_with_papers(tmp_path: Path, paper_raw: dict) -> None:
    author = dict(paper_raw["authors"][0])
    author["papers"] = [
        {"paperId": c["paperId"], "title": c["title"], "year": c["year"]} for c in paper_raw["citations"][:2]
    ]
    author["papers"].append(paper_raw["citations"][2])  # one with its full author list
    path = tmp_path / "author.json"
    path.write_text(json.dumps(author))
    results = list(s2.parse_file(path))
    assert isinstance(results[0].item, PersonRec) and results[0].key == author["authorId"]
    works = [p.item for p in results[1:]]
    assert all(isinstance(w, WorkRec) for w in works) and len(works) == 3
    assert [a.person.s2_id for a in works[0].authorships] == [author["authorId"]]
    assert [w.authorships_complete for w in works] == [False, False, True]
    assert len(works[2].authorships) == len(paper_raw["citations"][2]["authors"])


@pytest.mark.parametrize(
    ("paper", "problem"),
    [
        ({"paperId": "p2", "title": 1950}, '"title" is int, expected str'),
        ({"paperId": "p2", "title": {"en": "x"}}, '"title" is dict, expected str'),
        ({"paperId": "p2"}, "missing title"),
        ({"paperId": "p2", "title": "T", "year": "1950"}, '"year" is str, expected int'),
        ({"paperId": "p2", "title": "T", "authors": "A. Turing"}, '"authors" is str, expected list'),
    ],
)
def test_bad_papers_become_errors(tmp_path: Path, paper: dict, problem: str) -> None:
    path = tmp_path / "data.json"
    path.write_text(json.dumps({"data": [{"paperId": "p1", "title": "Fine"}, paper]}))
    results = list(s2.parse_file(path))
    assert (results[0].key, results[0].error) == ("p1", None)
    assert (results[1].location, results[1].key, results[1].error) == ("item 2", "p2", problem)


@needs_data
def test_truncated_gzip_raises(tmp_path: Path) -> None:
    data = gzip.compress((DATA / "Citation.json").read_bytes())
    path = tmp_path / "Citation.json.gz"
    path.write_bytes(data[: len(data) - 20])
    with pytest.raises(ParseError) as err:
        list(s2.parse_file(path))
    assert (err.value.path, err.value.location) == (str(path), "gzip stream")
    assert "truncated or corrupt gzip data" in err.value.problem


def test_latin1_and_broken_json_raise(tmp_path: Path) -> None:
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"paperId": "p", "title": "Gödel"}'.encode("latin-1"))
    with pytest.raises(ParseError) as err:
        list(s2.parse_file(latin))
    assert (err.value.path, err.value.location) == (str(latin), "line 1")
    assert err.value.problem.startswith("not valid UTF-8 (byte 0xf6")
    broken = tmp_path / "broken.json"
    broken.write_text('{"paperId": "p",\n "title": ')
    with pytest.raises(ParseError) as err:
        list(s2.parse_file(broken))
    assert err.value.location == "line 2, column 11" and err.value.problem.startswith("invalid JSON")


@needs_data
def test_sniff() -> None:
    head = (DATA / "Paper.json").read_text(encoding="utf-8")[:4096]
    assert s2.sniff(DATA / "Paper.json", head)
    assert s2.sniff(DATA / "Citation.json", (DATA / "Citation.json").read_text()[:4096])
    assert not s2.sniff(Path("w.json"), '{"items": [{"DOI": "10.1/x", "date-parts": [[2020]]}]}')
