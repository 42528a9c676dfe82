"""Entity resolution across sources: one work per DOI/arXiv id/title, people by id or by name plus co-author."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from core import queries
from core.db import session_scope
from core.ingest.loader import import_paths
from core.models import MergeCandidate, Researcher

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def engine(seeded_store):
    return seeded_store


def _profile(engine, name: str):
    with session_scope(engine) as s:
        return queries.researcher_profile(session=s, researcher_id=queries.resolve_researcher(session=s, query=name))


def test_publication_list_joins_the_seed_people(engine):
    before = _profile(engine, "Zhongwang Zhang")
    summary = import_paths([DATA / "publist_sample.csv"], engine=engine, skip_bad=True)
    # Two rows are broken on purpose (no title; year "20x1"): reported, not imported.
    assert summary.rejected == 2
    assert any("20x1" in r for r in summary.rejections)
    after = _profile(engine, "Zhongwang Zhang")  # still one person: resolve_researcher would raise if ambiguous
    assert after.id == before.id
    # The Dropout row adds Zhi-Qin John Xu to the seed's Dropout work; he is the seed's Xu (shared co-author).
    with session_scope(engine) as s:
        dropout = queries.resolve_work(
            session=s, query="Dropout in Training Neural Networks: Flatness of Solution and Noise Structure"
        )
        authors = queries.paper_detail(session=s, work_id=dropout)["authors"]
        xu = queries.resolve_researcher(session=s, query="seed:person:zhi-qin-john-xu")
    assert [a["name"] for a in authors] == ["Zhongwang Zhang", "Zhi-Qin John Xu"]
    assert authors[1]["id"] == xu
    # The arXiv id from the list now reaches the seed work.
    with session_scope(engine) as s:
        assert queries.resolve_work(session=s, query="arXiv:2111.01022") == dropout


def test_initialled_name_without_shared_coauthor_is_a_merge_candidate(engine):
    import_paths([DATA / "publist_sample.csv"], engine=engine, skip_bad=True)
    with session_scope(engine) as s:
        z = s.exec(select(Researcher).where(Researcher.display_name == "Z. Zhang")).one()
        cands = s.exec(
            select(MergeCandidate).where(
                (MergeCandidate.researcher_a_id == z.id) | (MergeCandidate.researcher_b_id == z.id)
            )
        ).all()
        others = {
            s.get(Researcher, c.researcher_a_id if c.researcher_b_id == z.id else c.researcher_b_id).display_name
            for c in cands
        }
    # "Z. Zhang" is compatible with Zhongwang Zhang but not with Yaoyu Zhang (initial Y): one candidate, not merged.
    assert others == {"Zhongwang Zhang"}
    assert all(c.status == "open" for c in cands)


def test_bibtex_and_publist_records_of_one_paper_are_one_work(engine):
    import_paths([DATA / "publist_sample.csv"], engine=engine, skip_bad=True)
    with session_scope(engine) as s:
        works_before = queries.store_stats(session=s)["works"]
    import_paths([DATA / "sample.bib"], engine=engine, skip_bad=True)
    with session_scope(engine) as s:
        wid = queries.resolve_work(session=s, query="10.5555/jml.2022.0001")
        assert queries.resolve_work(session=s, query="2111.15527") == wid
        detail = queries.paper_detail(session=s, work_id=wid)
        stats = queries.store_stats(session=s)
    assert [a["name"] for a in detail["authors"]] == [
        "Yaoyu Zhang",
        "Yuqing Li",
        "Zhongwang Zhang",
        "Tao Luo",
        "Zhi-Qin John Xu",
    ]
    bib = (DATA / "sample.bib").read_text()
    entries_with_known_ids = sum(1 for key in ("zhang2022embedding", "zhang2021dropout") if key in bib)
    assert entries_with_known_ids == 2
    assert stats["works"] >= works_before  # the bib adds only papers the list did not have
    again = import_paths([DATA / "sample.bib"], engine=engine, skip_bad=True)
    assert (again.added, again.updated) == (0, 0)


def _oa_work(wid: str, author_id: str, name: str, orcid: str | None = None, doi: str | None = None) -> dict:
    return {
        "id": f"https://openalex.org/{wid}",
        "title": f"A study numbered {wid}",
        "publication_year": 2020,
        "doi": doi,
        "type": "article",
        "authorships": [
            {
                "author_position": "first",
                "author": {"id": f"https://openalex.org/{author_id}", "display_name": name, "orcid": orcid},
                "institutions": [],
                "countries": [],
                "is_corresponding": False,
                "raw_author_name": name,
                "raw_affiliation_strings": [],
            }
        ],
    }


def test_different_openalex_ids_are_never_merged(engine, tmp_path):
    path = tmp_path / "works.jsonl"
    orcid = "https://orcid.org/0000-0002-1825-0097"
    rows = [_oa_work("W901", "A901", "Jane Q. Doe", orcid), _oa_work("W902", "A902", "Jane Q. Doe", orcid)]
    path.write_text("\n".join(json.dumps(r) for r in rows))
    import_paths([path], engine=engine)
    with session_scope(engine) as s:
        people = s.exec(select(Researcher).where(Researcher.display_name == "Jane Q. Doe")).all()
        assert sorted(p.openalex_id for p in people) == ["A901", "A902"]
        # The ORCID stays with the first record; the clash is a merge candidate for a person to confirm.
        assert sorted(p.orcid or "" for p in people) == ["", "0000-0002-1825-0097"]
        cand = s.exec(select(MergeCandidate)).all()
        assert [c.reason for c in cand] == ["same ORCID on two records"]


def test_same_doi_from_two_sources_is_one_work(engine, tmp_path):
    a = tmp_path / "a.jsonl"
    a.write_text(json.dumps(_oa_work("W903", "A903", "Ann Example", doi="https://doi.org/10.5555/ONE")))
    b = tmp_path / "b.csv"
    b.write_text(
        "authors,title,venue,year,doi\nAnn Example,A different rendering of the title,J. Ex.,2020,10.5555/one\n"
    )
    import_paths([a], engine=engine)
    import_paths([b], engine=engine)
    with session_scope(engine) as s:
        wid = queries.resolve_work(session=s, query="10.5555/one")
        detail = queries.paper_detail(session=s, work_id=wid)
    assert detail["ids"]["openalex"] == "W903"
    assert [x["name"] for x in detail["authors"]] == ["Ann Example"]
