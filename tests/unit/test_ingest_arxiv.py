"""arXiv (Kaggle snapshot) parser: real files read in place, plus small hand-written lines for the error paths."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from core.ingest import arxiv
from core.ingest.ids import record_hash
from core.ingest.records import ParseError, WorkRec

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "arxiv"
ABS_FILE = DATA / "arxiv_0704_abs_as_kaggle.jsonl"
KAGGLE_FILE = DATA / "arxiv_kaggle_snapshot_first200.jsonl"
needs_data = pytest.mark.skipif(not ABS_FILE.exists() or not KAGGLE_FILE.exists(), reason="shared arXiv data absent")

EMBEDDING = {
    "id": "2105.14573",
    "authors": "Yaoyu Zhang*, Zhongwang Zhang#, Tao Luo, Zhi-Qin John Xu*",
    "title": "Embedding Principle of Loss Landscape of Deep\n  Neural Networks",
    "comments": "NeurIPS 2021. Code: https://github.com/example-lab/embedding-principle.",
    "journal-ref": "Advances in Neural Information Processing Systems 34 (2021)",
    "doi": None,
    "categories": "cs.LG stat.ML",
    "abstract": "  Understanding the structure of loss landscape of deep neural networks\n(DNNs) is obviously important.\n",
    "versions": [
        {"version": "v1", "created": "Sun, 30 May 2021 15:20:31 GMT"},
        {"version": "v2", "created": "Tue, 1 Jun 2021 02:05:10 GMT"},
    ],
}


def raw_records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_lines(tmp_path: Path, lines: list[str], name: str = "snap.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- real data


@needs_data
@pytest.mark.parametrize("path", [ABS_FILE, KAGGLE_FILE], ids=["abs1001", "kaggle200"])
def test_real_file_counts(path: Path) -> None:
    raw = raw_records(path)
    parsed = list(arxiv.parse_file(path))
    assert len(parsed) == len(raw)
    assert [p.error for p in parsed if p.error] == []
    assert [p.key for p in parsed] == [r["id"] for r in raw]  # new-style ids without version: already normal
    assert sum(1 for p in parsed if p.item.doi) == sum(1 for r in raw if r.get("doi"))
    published = [p for p in parsed if any(v.kind == "published" for v in p.item.versions)]
    assert len(published) == sum(1 for r in raw if r.get("journal-ref"))
    assert [len([v for v in p.item.versions if v.kind == "preprint"]) for p in parsed] == [
        len(r["versions"]) for r in raw
    ]


@needs_data
def test_real_file_figures_abs1001() -> None:
    raw = raw_records(ABS_FILE)
    parsed = {p.key: p for p in arxiv.parse_file(ABS_FILE)}
    assert len(raw) == 1001
    assert sum(1 for r in raw if r.get("doi")) == 605
    first_dates = {
        r["id"]: datetime.strptime(r["versions"][0]["created"], "%a, %d %b %Y %H:%M:%S %Z").date().isoformat()
        for r in raw
    }
    assert {k: p.item.publication_date for k, p in parsed.items()} == first_dates
    assert {p.item.year for p in parsed.values()} == {2007}
    categories = {r["id"]: r["categories"].split() for r in raw}
    assert {k: [t.name for t in p.item.topics] for k, p in parsed.items()} == categories


@needs_data
def test_collaborations_in_abs1001() -> None:
    raw = raw_records(ABS_FILE)
    expected = {r["id"] for r in raw if re.search(r"collaboration|\bteam\b", r["authors"], re.I)}
    found = {p.key for p in arxiv.parse_file(ABS_FILE) if any(a.person.is_placeholder for a in p.item.authorships)}
    assert found == expected
    assert len(expected) == 19
    one = next(p.item for p in arxiv.parse_file(ABS_FILE) if p.key == "0704.0943")
    assert [a.person.display_name for a in one.authorships] == ["LIGO Scientific Collaboration"]
    assert one.authorships_complete is False


@needs_data
def test_family_names_agree_with_kaggle_authors_parsed() -> None:
    raw = {r["id"]: r for r in raw_records(KAGGLE_FILE)}
    disagree = {}
    for p in arxiv.parse_file(KAGGLE_FILE):
        ours = [a.person.family_name or a.person.display_name for a in p.item.authorships]
        theirs = [entry[0] for entry in raw[p.key]["authors_parsed"]]
        if ours != theirs:
            disagree[p.key] = (ours, theirs)
    # The only difference: Kaggle keeps the article in "The BABAR Collaboration"; we drop it.
    assert disagree == {"0704.0020": (["BABAR Collaboration", "Aubert"], ["The BABAR Collaboration", "Aubert"])}
    assert len(raw) - len(disagree) == 199


@needs_data
def test_given_names_agree_with_kaggle_authors_parsed() -> None:
    raw = {r["id"]: r for r in raw_records(KAGGLE_FILE)}
    agree = 0
    for p in arxiv.parse_file(KAGGLE_FILE):
        ours = [(a.person.given_name or "").replace(" ", "") for a in p.item.authorships if not a.person.is_placeholder]
        theirs = [e[1].replace(" ", "") for e in raw[p.key]["authors_parsed"] if "Collaboration" not in e[0]]
        agree += ours == theirs  # Kaggle writes "C. -P." where the source has "C.-P."; spaces are ignored
    assert agree == 200


@needs_data
def test_first_record_in_detail() -> None:
    work = next(arxiv.parse_file(KAGGLE_FILE)).item
    assert isinstance(work, WorkRec)
    assert work.title == "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    assert [(a.person.given_name, a.person.family_name) for a in work.authorships] == [
        ("C.", "Balázs"),
        ("E. L.", "Berger"),
        ("P. M.", "Nadolsky"),
        ("C.-P.", "Yuan"),
    ]
    assert [(v.kind, v.label, v.date, v.doi) for v in work.versions] == [
        ("preprint", "v1", "2007-04-02", None),
        ("preprint", "v2", "2007-07-24", None),
        ("published", "Phys.Rev.D76:013009,2007", None, "10.1103/physrevd.76.013009"),
    ]
    assert (work.type, work.year, work.doi, work.venue.name, work.venue.type) == (
        "preprint",
        2007,
        "10.1103/physrevd.76.013009",
        "arXiv",
        "repository",
    )


@needs_data
def test_sniff_real_files() -> None:
    for path in (ABS_FILE, KAGGLE_FILE):
        assert arxiv.sniff(path, path.read_text(encoding="utf-8")[:4096])


# ----------------------------------------------------------------------------- hand-written records


def test_parse_one_record(tmp_path: Path) -> None:
    line = json.dumps(EMBEDDING)
    parsed = list(arxiv.parse_file(write_lines(tmp_path, [line])))
    assert len(parsed) == 1
    p = parsed[0]
    assert (p.location, p.source, p.key, p.raw_hash, p.error) == (
        "line 1",
        "arxiv",
        "2105.14573",
        record_hash(line),
        None,
    )
    work = p.item
    assert work.title == "Embedding Principle of Loss Landscape of Deep Neural Networks"
    assert (
        work.abstract
        == "Understanding the structure of loss landscape of deep neural networks (DNNs) is obviously important."
    )
    assert (work.year, work.publication_date, work.arxiv_id) == (2021, "2021-05-30", "2105.14573")
    assert work.code_urls == ["https://github.com/example-lab/embedding-principle"]
    assert [(t.name, t.kind) for t in work.topics] == [("cs.LG", "tag"), ("stat.ML", "tag")]
    assert [(a.person.display_name, a.is_corresponding, a.equal_contribution) for a in work.authorships] == [
        ("Yaoyu Zhang", True, False),
        ("Zhongwang Zhang", False, True),
        ("Tao Luo", False, False),
        ("Zhi-Qin John Xu", True, False),
    ]
    assert [(v.kind, v.label, v.year) for v in work.versions] == [
        ("preprint", "v1", 2021),
        ("preprint", "v2", 2021),
        ("published", "Advances in Neural Information Processing Systems 34 (2021)", 2021),
    ]


def test_seed_style_authors_string() -> None:
    record = dict(EMBEDDING, authors="Zhang, Yaoyu, Li, Yuqing, Zhang, Zhongwang, Luo, Tao, Xu, Zhi-Qin John")
    work = arxiv.parse_record(record).item
    assert [a.person.display_name for a in work.authorships] == [
        "Yaoyu Zhang",
        "Yuqing Li",
        "Zhongwang Zhang",
        "Tao Luo",
        "Zhi-Qin John Xu",
    ]
    assert [a.position for a in work.authorships] == [0, 1, 2, 3, 4]


def test_old_style_id_and_year_from_id_without_versions() -> None:
    record = {"id": "hep-th/9901001v2", "title": "Old style", "authors": "A. Author", "categories": "hep-th"}
    p = arxiv.parse_record(record)
    assert (p.key, p.item.arxiv_id, p.item.year, p.item.publication_date, p.item.versions) == (
        "hep-th/9901001",
        "hep-th/9901001",
        1999,
        None,
        [],
    )


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"title": "No id"}, "missing or empty 'id'"),
        ({"id": "not-an-id", "title": "T"}, "'id' 'not-an-id' is not an arXiv identifier"),
        ({"id": "0704.0001", "title": "  "}, "0704.0001: missing or empty 'title'"),
        ({"id": "0704.0001"}, "0704.0001: missing or empty 'title'"),
        (
            {"id": "0704.0001", "title": "T", "authors": ["A. Author"]},
            "0704.0001: 'authors' must be a string, found list",
        ),
        ({"id": "0704.0001", "title": 7}, "0704.0001: 'title' must be a string, found int"),
        ({"id": "0704.0001", "title": "T", "versions": "v1"}, "0704.0001: 'versions' must be a list, found str"),
    ],
)
def test_bad_records_become_errors(record: dict, message: str) -> None:
    p = arxiv.parse_record(record, "line 3")
    assert (p.item, p.error, p.location) == (None, message, "line 3")


def test_bad_json_line_is_an_error_and_parsing_continues(tmp_path: Path) -> None:
    good = json.dumps(EMBEDDING)
    path = write_lines(tmp_path, [good, '{"id": "0704.0002", "title": ', "", "[1, 2]", good])
    parsed = list(arxiv.parse_file(path))
    assert [(p.location, p.error is None) for p in parsed] == [
        ("line 1", True),
        ("line 2", False),
        ("line 4", False),
        ("line 5", True),
    ]
    assert parsed[1].error.startswith("invalid JSON (Expecting value at column")
    assert parsed[2].error == "expected a JSON object, found list"


def test_not_utf8_raises_parse_error_with_byte_offset(tmp_path: Path) -> None:
    first = (json.dumps(EMBEDDING) + "\n").encode("utf-8")
    second = b'{"id": "0704.0002", "title": "Caf\xe9"}\n'  # Latin-1 e-acute
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(first + second)
    with pytest.raises(ParseError) as info:
        list(arxiv.parse_file(path))
    expected = len(first) + second.index(b"\xe9")
    assert (info.value.location, info.value.path) == (f"byte {expected}", str(path))
    assert "line 2" in info.value.problem


def test_sniff() -> None:
    head = json.dumps(EMBEDDING)
    assert arxiv.sniff(Path("x.jsonl"), head) is True
    assert arxiv.sniff(Path("x.json"), '{"id": "https://openalex.org/W1", "authorships": []}') is False
    assert arxiv.sniff(Path("x.csv"), "authors,title\n") is False
