"""Lab publication-list CSV parser, on tests/data/publist_sample.csv (hand-written) and small inline files."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.ingest import publist
from core.ingest.records import ParseError

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "publist_sample.csv"


@pytest.fixture(scope="module")
def parsed() -> dict:
    return {p.location: p for p in publist.parse_file(SAMPLE)}


def test_locations_count_the_header_as_line_one(parsed: dict) -> None:
    # line 5 is blank; the quoted title of the row on line 6 runs over two lines
    assert list(parsed) == ["row 2", "row 3", "row 4", "row 6", "row 8", "row 9", "row 10"]
    assert all(p.source == "publist" for p in parsed.values())


def test_bad_rows_are_errors(parsed: dict) -> None:
    assert {loc: p.error for loc, p in parsed.items() if p.error} == {
        "row 8": "row 8: missing title",
        "row 9": "row 9: year '20x1' is not an integer year",
    }


def test_seed_last_first_authors_and_published_version(parsed: dict) -> None:
    p = parsed["row 2"]
    work = p.item
    assert p.key == "10.5555/jml.2022.0001"
    assert [a.person.display_name for a in work.authorships] == [
        "Yaoyu Zhang",
        "Yuqing Li",
        "Zhongwang Zhang",
        "Tao Luo",
        "Zhi-Qin John Xu",
    ]
    assert [(a.person.given_name, a.person.family_name) for a in work.authorships][-1] == ("Zhi-Qin John", "Xu")
    assert (work.type, work.year, work.doi, work.arxiv_id, work.venue.name) == (
        "article",
        2022,
        "10.5555/jml.2022.0001",
        "2111.15527",
        "Journal of Machine Learning",
    )
    assert [(v.kind, v.doi, v.arxiv_id, v.venue_name) for v in work.versions] == [
        ("preprint", None, "2111.15527", None),
        ("published", "10.5555/jml.2022.0001", None, "Journal of Machine Learning"),
    ]
    assert work.tags == ["loss landscape", "embedding principle"]


def test_marks_become_authorship_flags(parsed: dict) -> None:
    work = parsed["row 3"].item
    assert parsed["row 3"].key == "2105.14573"
    assert [(a.person.display_name, a.is_corresponding, a.equal_contribution) for a in work.authorships] == [
        ("Yaoyu Zhang", True, False),
        ("Zhongwang Zhang", False, True),
        ("Tao Luo", False, False),
        ("Zhi-Qin John Xu", True, False),
    ]
    assert work.arxiv_id == "2105.14573"  # from "arXiv:2105.14573v3"
    assert work.tags == ["loss landscape", "deep learning theory"]
    assert work.type == "article"  # published at NeurIPS, no DOI
    assert [(v.kind, v.venue_name, v.year) for v in work.versions] == [
        ("preprint", None, None),
        ("published", "NeurIPS 2021", 2021),
    ]


def test_arxiv_only_row_is_a_preprint(parsed: dict) -> None:
    work = parsed["row 4"].item
    assert (work.type, work.venue.name, work.venue.type, work.doi) == ("preprint", "arXiv", "repository", None)
    assert [v.kind for v in work.versions] == ["preprint"]
    assert [a.person.display_name for a in work.authorships] == ["Zhongwang Zhang", "Zhi-Qin John Xu"]


def test_note_removed_multiline_title_and_title_key(parsed: dict) -> None:
    p = parsed["row 6"]
    assert p.item.title == "A note with a title over two lines"
    assert [a.person.display_name for a in p.item.authorships] == ["Tao Luo", "Yaoyu Zhang"]
    assert p.key == "a note with a title over two lines|2023"
    assert parsed["row 10"].key == "unpublished notes on the frequency principle|"
    assert parsed["row 10"].item.venue is None


def test_raw_hash_is_stable_and_distinct() -> None:
    first = [p.raw_hash for p in publist.parse_file(SAMPLE)]
    assert first == [p.raw_hash for p in publist.parse_file(SAMPLE)]
    assert len(set(first)) == len(first)


def test_header_matching_and_semicolon_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "lab.csv"
    path.write_text("TITLE ; AUTHOR ; Year\nFrequency principle;Zhi-Qin John Xu & Yaoyu Zhang;2019\n", encoding="utf-8")
    (p,) = list(publist.parse_file(path))
    assert (p.location, p.item.title, p.item.year) == ("row 2", "Frequency principle", 2019)
    assert [a.person.display_name for a in p.item.authorships] == ["Zhi-Qin John Xu", "Yaoyu Zhang"]


def test_missing_required_column_raises(tmp_path: Path) -> None:
    path = tmp_path / "lab.csv"
    path.write_text("title,year\nA paper,2020\n", encoding="utf-8")
    with pytest.raises(ParseError) as info:
        list(publist.parse_file(path))
    assert (info.value.location, info.value.problem) == ("row 1", "missing required column(s): authors")


def test_bad_identifiers_are_row_errors(tmp_path: Path) -> None:
    path = tmp_path / "lab.csv"
    path.write_text("authors,title,doi,arxiv_id\nTao Luo,A,not a doi,\nTao Luo,B,,12345\n,C,,\n", encoding="utf-8")
    assert [p.error for p in publist.parse_file(path)] == [
        "row 2: doi 'not a doi' is not a DOI",
        "row 3: arxiv_id '12345' is not an arXiv identifier",
        "row 4: missing authors",
    ]


def test_not_utf8_raises(tmp_path: Path) -> None:
    path = tmp_path / "lab.csv"
    path.write_bytes(b"authors,title\nJ. M\xfcller,Caf\xe9\n")
    with pytest.raises(ParseError) as info:
        list(publist.parse_file(path))
    assert info.value.location == f"byte {len(b'authors,title' + chr(10).encode() + b'J. M')}"


def test_sniff(tmp_path: Path) -> None:
    assert publist.sniff(SAMPLE, SAMPLE.read_text(encoding="utf-8")[:4096]) is True
    assert publist.sniff(Path("lab.csv"), "title,year\n") is False
    assert publist.sniff(Path("lab.txt"), "authors,title\n") is False
    assert publist.sniff(Path("lab.csv"), "\ufeffTitle;Authors\n") is True
