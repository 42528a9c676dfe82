"""BibTeX parser (bibtexparser 2.x), on tests/data/sample.bib (hand-written) and small inline files."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.ingest import bibtex
from core.ingest.records import ParseError

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample.bib"


@pytest.fixture(scope="module")
def parsed() -> list:
    return list(bibtex.parse_file(SAMPLE))


def by_location(parsed: list, location: str):
    (match,) = [p for p in parsed if p.location == location and p.item is not None]
    return match


def test_entries_in_file_order(parsed: list) -> None:
    assert [(p.location, p.error is None) for p in parsed] == [
        ("entry zhang2022embedding", True),
        ("entry zhang2021embedding", True),
        ("entry zhang2021dropout", True),
        ("entry mueller2020accents", True),
        ("entry broken2019", False),
        ("entry missingcomma2021", False),
        ("entry zhang2022embedding", False),
        ("entry badyear2020", False),
        ("entry zhang2023notes", True),
    ]
    assert {p.source for p in parsed} == {"bibtex"}


def test_errors_name_the_problem(parsed: list) -> None:
    errors = [p.error for p in parsed if p.error]
    assert errors[0].startswith("entry broken2019: unreadable BibTeX: Unexpected block start: `@article`")
    assert errors[1:] == [
        "entry missingcomma2021: field 'title' runs into 'year' = ...; is a comma missing between fields?",
        "entry zhang2022embedding: duplicate citation key 'zhang2022embedding'; the first entry with this key is kept",
        "entry badyear2020: year 'in press' is not a year",
    ]


def test_journal_article_with_eprint(parsed: list) -> None:
    p = by_location(parsed, "entry zhang2022embedding")
    work = p.item
    assert p.key == "zhang2022embedding"
    assert work.title == "Embedding Principle: a hierarchical structure of loss landscape of deep neural networks"
    assert [a.person.display_name for a in work.authorships] == [
        "Yaoyu Zhang",
        "Yuqing Li",
        "Zhongwang Zhang",
        "Tao Luo",
        "Zhi-Qin John Xu",
    ]
    assert (work.type, work.year, work.doi, work.arxiv_id) == ("article", 2022, "10.5555/jml.2022.0001", "2111.15527")
    assert (work.venue.name, work.venue.type) == ("Journal of Machine Learning", "journal")  # via @string
    assert work.keywords == ["loss landscape", "embedding principle"]
    assert [(v.kind, v.doi, v.arxiv_id) for v in work.versions] == [
        ("preprint", None, "2111.15527"),
        ("published", "10.5555/jml.2022.0001", None),
    ]


def test_inproceedings_with_arxiv_url(parsed: list) -> None:
    work = by_location(parsed, "entry zhang2021embedding").item
    assert (work.type, work.year, work.arxiv_id) == ("proceedings-article", 2021, "2105.14573")
    assert (work.venue.name, work.venue.type) == ("Advances in Neural Information Processing Systems", "conference")
    assert [(a.person.given_name, a.person.family_name) for a in work.authorships] == [
        ("Yaoyu", "Zhang"),
        ("Zhongwang", "Zhang"),
        ("Tao", "Luo"),
        ("Zhi-Qin John", "Xu"),
    ]


def test_misc_with_eprint_is_a_preprint(parsed: list) -> None:
    work = by_location(parsed, "entry zhang2021dropout").item
    assert (work.type, work.arxiv_id, work.venue.name, work.venue.type) == (
        "preprint",
        "2111.01022",
        "arXiv",
        "repository",
    )
    assert work.code_urls == ["https://github.com/example-lab/dropout-flatness"]
    assert work.abstract == (
        "It is important to understand how the popular regularization method dropout helps "
        "the neural network training find a good generalization solution."
    )


def test_latex_in_names_and_titles(parsed: list) -> None:
    work = by_location(parsed, "entry mueller2020accents").item
    assert work.title == r"Schrödinger–type equations with $\alpha$-stable noise"
    assert [(a.person.display_name, a.person.is_placeholder) for a in work.authorships] == [
        ("Jörg Müller", False),
        ("José García", False),
        ("Mikkel Øbro", False),
        ("ATLAS Collaboration", True),
    ]
    assert work.authorships_complete is False  # a collaboration stands for unnamed members


def test_and_others_marks_authorships_incomplete(parsed: list) -> None:
    work = by_location(parsed, "entry zhang2023notes").item
    assert (work.type, work.year) == ("report", 2023)
    assert [a.person.display_name for a in work.authorships] == ["Zhongwang Zhang"]
    assert work.authorships_complete is False
    assert by_location(parsed, "entry zhang2021dropout").item.authorships_complete is True


def test_string_concatenation_is_resolved(tmp_path: Path) -> None:
    path = tmp_path / "c.bib"
    path.write_text(
        '@string{nips = "Advances in Neural"}\n@inproceedings{k, title = {T}, booktitle = nips # " Information"}\n'
    )
    (p,) = list(bibtex.parse_file(path))
    assert p.item.venue.name == "Advances in Neural Information"


@pytest.mark.parametrize(
    ("entry_type", "has_arxiv", "expected"),
    [
        ("article", False, "article"),
        ("article", True, "preprint"),
        ("inproceedings", True, "proceedings-article"),
        ("phdthesis", False, "dissertation"),
        ("misc", True, "preprint"),
        ("misc", False, "other"),
        ("incollection", False, "book-chapter"),
    ],
)
def test_work_type(entry_type: str, has_arxiv: bool, expected: str) -> None:
    assert bibtex.work_type(entry_type, has_arxiv=has_arxiv) == expected


def test_arxiv_preprint_journal_field(tmp_path: Path) -> None:
    path = tmp_path / "a.bib"
    path.write_text(
        "@article{k, title={T}, author={Luo, Tao}, journal={arXiv preprint arXiv:2105.14573}, year={2021}}\n"
    )
    (p,) = list(bibtex.parse_file(path))
    assert (p.item.type, p.item.arxiv_id, p.item.venue.name) == ("preprint", "2105.14573", "arXiv")


@pytest.mark.parametrize(
    ("content", "location", "problem"),
    [
        (b"", "file", "file is empty"),
        (b"just some text, no entries\n", "file", "no BibTeX entries found"),
    ],
)
def test_unreadable_files_raise(tmp_path: Path, content: bytes, location: str, problem: str) -> None:
    path = tmp_path / "x.bib"
    path.write_bytes(content)
    with pytest.raises(ParseError) as info:
        list(bibtex.parse_file(path))
    assert (info.value.location, info.value.problem) == (location, problem)


def test_not_utf8_raises(tmp_path: Path) -> None:
    path = tmp_path / "x.bib"
    path.write_bytes(b"@article{k, title={Caf\xe9}}\n")
    with pytest.raises(ParseError) as info:
        list(bibtex.parse_file(path))
    assert info.value.location == "byte 22"


def test_sniff() -> None:
    assert bibtex.sniff(SAMPLE, "") is True
    assert bibtex.sniff(Path("refs.txt"), "\n@Article{k,\n title={T}}") is True
    assert bibtex.sniff(Path("refs.txt"), "authors,title\n") is False
