"""The seed world parses into the records the seed pages describe (no database)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.ingest import seed
from core.ingest.records import ParseError, PersonRec, WorkRec

ZZ = "seed:person:zhongwang-zhang"
EP = "seed:work:embedding-principle"


@pytest.fixture(scope="module")
def parsed():
    return list(seed.parse_file(seed.SEED_PATH))


@pytest.fixture(scope="module")
def works(parsed) -> dict[str, WorkRec]:
    return {p.key: p.item for p in parsed if isinstance(p.item, WorkRec)}


@pytest.fixture(scope="module")
def people(parsed) -> dict[str, PersonRec]:
    return {p.key: p.item for p in parsed if isinstance(p.item, PersonRec)}


@pytest.fixture(scope="module")
def seed_text(seeds_dir: Path) -> str:
    return "\n".join(f.read_text(encoding="utf-8") for f in sorted(seeds_dir.glob("*.txt")))


def test_every_record_parses_with_provenance(parsed):
    assert [p.error for p in parsed if p.error] == []
    assert {p.source for p in parsed} == {"seed"}
    assert [p.location for p in parsed] == [f"people[{i}]" for i in range(6)] + [f"works[{i}]" for i in range(3)]
    assert all(p.key == p.item.seed_key for p in parsed)
    assert len({p.raw_hash for p in parsed}) == len(parsed)


def test_zhongwang_zhang_two_2022_arxiv_preprints(works, people):
    zz = people[ZZ]
    assert zz.display_name == "Zhongwang Zhang"
    assert zz.orcid is None
    assert zz.open_to_collaborate is True
    assert zz.institutions == []
    assert [t.name for t in zz.topics] == ["Loss landscape of deep neural networks"]
    his = [w for w in works.values() if any(a.person.seed_key == ZZ for a in w.authorships)]
    assert sorted(w.title for w in his) == [
        "Dropout in Training Neural Networks: Flatness of Solution and Noise Structure",
        "Embedding Principle of Loss Landscape of Deep Neural Networks",
    ]
    assert {(w.type, w.year, w.venue.name) for w in his} == {("preprint", 2022, "arXiv")}


def test_zhongwang_zhang_four_distinct_coauthors(works):
    coauthors = {
        a.person.seed_key
        for w in works.values()
        if any(a.person.seed_key == ZZ for a in w.authorships)
        for a in w.authorships
        if a.person.seed_key != ZZ
    }
    assert coauthors == {
        "seed:person:yaoyu-zhang",
        "seed:person:yuqing-li",
        "seed:person:tao-luo",
        "seed:person:zhi-qin-john-xu",
    }


def test_embedding_principle_is_one_work_with_two_versions(works):
    ep = works[EP]
    assert [(v.kind, v.title) for v in ep.versions] == [
        ("preprint", "Embedding Principle of Loss Landscape of Deep Neural Networks"),
        ("published", "Embedding Principle: a hierarchical structure of loss landscape of deep neural networks"),
    ]
    assert [a.person.display_name for a in ep.authorships] == [
        "Yaoyu Zhang",
        "Yuqing Li",
        "Zhongwang Zhang",
        "Tao Luo",
        "Zhi-Qin John Xu",
    ]
    assert [a.position for a in ep.authorships] == [0, 1, 2, 3, 4]
    assert [a.raw_author_name for a in ep.authorships] == [
        "Zhang, Yaoyu",
        "Li, Yuqing",
        "Zhang, Zhongwang",
        "Luo, Tao",
        "Xu, Zhi-Qin John",
    ]
    assert ep.authorships_complete is True
    assert ep.versions[1].abstract != ep.versions[0].abstract


def test_geography_tags_keep_their_confidence(works):
    assert works[EP].tags == [
        "geo:Asia > China > Shanghai > Shanghai|0.05",
        "geo:Asia > Myanmar > Tanintharyi Region > Dawei|0.04",
        "geo:Europe > United Kingdom > England > Cambridgeshire > Cambridge|0.04",
    ]


def test_abstracts_are_the_page_text(works, seed_text):
    abstracts = [w.abstract for w in works.values()] + [v.abstract for w in works.values() for v in w.versions]
    assert len(abstracts) == 6 and all(abstracts)
    for text in abstracts:
        assert text in seed_text


def test_untitled_related_works_are_kept_but_not_emitted(works, seed_text):
    world = json.loads(seed.SEED_PATH.read_text(encoding="utf-8"))
    untitled = world["untitled_works"]
    assert len(untitled) == 5
    assert all(u["abstract"] in seed_text for u in untitled)
    assert not {u["seed_key"] for u in untitled} & set(works)
    resnet = world["works"][2]
    assert set(resnet["related_works"]) == {u["seed_key"] for u in untitled}


def test_dropout_page_facts(works):
    w = works["seed:work:dropout-flatness"]
    assert (w.is_oa, w.cited_by_count, w.code_urls, w.dataset_urls) == (True, 0, [], [])
    assert w.authorships_complete is False  # the pages name only Zhongwang Zhang
    assert w.doi is None and w.arxiv_id is None


def test_no_invented_identifiers(parsed):
    for p in parsed:
        item = p.item
        assert getattr(item, "doi", None) is None
        assert getattr(item, "arxiv_id", None) is None
        assert item.openalex_id is None
        if isinstance(item, PersonRec):
            assert item.orcid is None


def test_sniff(tmp_path):
    head = seed.SEED_PATH.read_text(encoding="utf-8")[:2000]
    assert seed.sniff(seed.SEED_PATH, head)
    assert not seed.sniff(tmp_path / "x.json", '{"results": []}')
    assert not seed.sniff(tmp_path / "x.jsonl", head)


def test_bad_records_and_files(tmp_path):
    world = {
        "format": "peerscope-seed/1",
        "people": [
            {"seed_key": "seed:person:a", "display_name": "A"},
            {"seed_key": "seed:person:a", "display_name": "B"},
        ],
        "works": [
            {"seed_key": "seed:work:x", "title": "X", "authors": [{"person": "seed:person:nobody"}]},
            {"seed_key": "seed:work:y"},
        ],
    }
    f = tmp_path / "world.json"
    f.write_text(json.dumps(world), encoding="utf-8")
    out = list(seed.parse_file(f))
    assert [(p.location, p.item is not None, p.error) for p in out] == [
        ("people[0]", True, None),
        ("people[1]", False, "duplicate seed_key seed:person:a"),
        ("works[0]", False, "unknown person 'seed:person:nobody' in authors"),
        ("works[1]", False, "missing title"),
    ]
    f.write_text("{not json", encoding="utf-8")
    with pytest.raises(ParseError):
        list(seed.parse_file(f))
    f.write_text('{"results": []}', encoding="utf-8")
    with pytest.raises(ParseError):
        list(seed.parse_file(f))
