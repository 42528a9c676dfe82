"""Name parsing and matching: every author-string shape the importers meet, with exact expected output."""

from __future__ import annotations

import pytest

from core.names import (
    ParsedName,
    author_list_truncated,
    initials_key,
    latex_to_unicode,
    name_key,
    names_compatible,
    parse_author_list,
    parse_bibtex_names,
    split_name,
)

SEED_AUTHORS = "Zhang, Yaoyu, Li, Yuqing, Zhang, Zhongwang, Luo, Tao, Xu, Zhi-Qin John"


def names(text: str) -> list[str]:
    return [p.display_name for p in parse_author_list(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A. Author, B. Author and C. Author", ["A. Author", "B. Author", "C. Author"]),
        ("A. Author, B. Author, and C. Author", ["A. Author", "B. Author", "C. Author"]),
        ("A, B, and C", ["A", "B", "C"]),
        ("A. Author & B. Author", ["A. Author", "B. Author"]),
        ("Yaoyu Zhang, Tao Luo, & Zhi-Qin John Xu", ["Yaoyu Zhang", "Tao Luo", "Zhi-Qin John Xu"]),
        ("Ileana Streinu and Louis Theran", ["Ileana Streinu", "Louis Theran"]),
        ("Paul Harvey, Nicholas\n  Chapman, Neal J. Evans II", ["Paul Harvey", "Nicholas Chapman", "Neal J. Evans II"]),
        ("J.P.Hague and N.d'Ambrumenil", ["J. P. Hague", "N. d'Ambrumenil"]),
        (
            "Caleb K. Lo, Robert W. Heath, Jr. and Sriram Vishwanath",
            ["Caleb K. Lo", "Robert W. Heath Jr.", "Sriram Vishwanath"],
        ),
        ("", []),
    ],
)
def test_natural_lists(text: str, expected: list[str]) -> None:
    assert names(text) == expected


def test_seed_last_first_list_is_five_people() -> None:
    people = parse_author_list(SEED_AUTHORS)
    assert [(p.given, p.family) for p in people] == [
        ("Yaoyu", "Zhang"),
        ("Yuqing", "Li"),
        ("Zhongwang", "Zhang"),
        ("Tao", "Luo"),
        ("Zhi-Qin John", "Xu"),
    ]
    assert [p.display_name for p in people] == [
        "Yaoyu Zhang",
        "Yuqing Li",
        "Zhongwang Zhang",
        "Tao Luo",
        "Zhi-Qin John Xu",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Zhang, Yaoyu and Li, Yuqing", ["Yaoyu Zhang", "Yuqing Li"]),
        ("Zhang, Yaoyu and Zhi-Qin John Xu", ["Yaoyu Zhang", "Zhi-Qin John Xu"]),
        ("Zhang, Yaoyu", ["Yaoyu Zhang"]),
        ("Zhang, Y., Xu, Z.-Q. J.", ["Y. Zhang", "Z.-Q. J. Xu"]),
        # two-word "families" are first-last names, not a Last, First list
        (
            "Alejandro Corichi, Tatjana Vukasinac and Jose A. Zapata",
            ["Alejandro Corichi", "Tatjana Vukasinac", "Jose A. Zapata"],
        ),
        (
            "Sudha, A. V. Gopala Rao, A. R. Usha Devi and A. K. Rajagopal",
            ["Sudha", "A. V. Gopala Rao", "A. R. Usha Devi", "A. K. Rajagopal"],
        ),
    ],
)
def test_last_first_forms(text: str, expected: list[str]) -> None:
    assert names(text) == expected


def test_marks_corresponding_and_equal_contribution() -> None:
    people = parse_author_list("Yaoyu Zhang*, Zhongwang Zhang#, Tao Luo")
    assert [(p.display_name, p.is_corresponding, p.equal_contribution) for p in people] == [
        ("Yaoyu Zhang", True, False),
        ("Zhongwang Zhang", False, True),
        ("Tao Luo", False, False),
    ]


def test_dagger_marks_are_stripped_without_flags() -> None:
    people = parse_author_list("Zhongwang Zhang\u2020, Yaoyu Zhang\u2021, Tao Luo\u2020\u2021")
    assert [(p.display_name, p.is_corresponding, p.equal_contribution) for p in people] == [
        ("Zhongwang Zhang", False, False),
        ("Yaoyu Zhang", False, False),
        ("Tao Luo", False, False),
    ]


def test_math_footnote_marks() -> None:
    people = parse_author_list(r"Yaoyu Zhang$^{1,*}$, Tao Luo$^\dagger$, Zhi-Qin John Xu$^{2\#}$")
    assert [(p.display_name, p.is_corresponding, p.equal_contribution) for p in people] == [
        ("Yaoyu Zhang", True, False),
        ("Tao Luo", False, False),
        ("Zhi-Qin John Xu", False, True),
    ]


@pytest.mark.parametrize(
    "note", ["(Alphabetic order)", "(alphabetical order)", "(equal contribution)", "[Alphabetical order]"]
)
def test_notes_are_removed(note: str) -> None:
    assert names(f"Tao Luo, Yaoyu Zhang {note}") == ["Tao Luo", "Yaoyu Zhang"]
    assert names(f"Luo, Tao, Zhang, Yaoyu {note}") == ["Tao Luo", "Yaoyu Zhang"]


@pytest.mark.parametrize(
    ("latex", "expected"),
    [
        (r"J{\"u}rgen", "Jürgen"),
        (r"J\"{u}rgen", "Jürgen"),
        (r"Ren\'e", "René"),
        (r"Ren{\'e}", "René"),
        (r"Tom\`as", "Tomàs"),
        (r"Jer\^ome", "Jerôme"),
        (r"Pe\~na", "Peña"),
        (r"Fran\c{c}ois", "François"),
        (r"\v{S}r\'amek", "Šrámek"),
        (r"{\O}bro", "Øbro"),
        (r"J\o rgen", "Jørgen"),
        (r"Gro\ss e", "Große"),
        (r"{\aa}sa", "åsa"),
        (r"Pucha{\l}a", "Puchała"),
        (r"Garc{\'\i}a", "García"),
        (r"Smith \& Wesson", "Smith & Wesson"),
    ],
)
def test_latex_to_unicode(latex: str, expected: str) -> None:
    assert latex_to_unicode(latex) == expected


def test_latex_names_in_a_list() -> None:
    people = parse_author_list(r"Rastislav \v{S}r\'amek, Bro\v{n}a Brejov\'a, Tom\'a\v{s} Vina\v{r}")
    assert [(p.given, p.family) for p in people] == [("Rastislav", "Šrámek"), ("Broňa", "Brejová"), ("Tomáš", "Vinař")]


def test_arxiv_title_keeps_plain_text_notation() -> None:
    title = r"B --> rho K* decays at sqrt{s}=7, z~2.5 and Koll\'ar's $\Lambda_{\alpha}$"
    assert (
        latex_to_unicode(title, accents_only=True)
        == r"B --> rho K* decays at sqrt{s}=7, z~2.5 and Kollár's $\Lambda_{\alpha}$"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ATLAS Collaboration", [("ATLAS Collaboration", True)]),
        ("the CMS Collaboration", [("CMS Collaboration", True)]),
        (
            "J. Smith, for the LIGO Scientific Collaboration",
            [("J. Smith", False), ("LIGO Scientific Collaboration", True)],
        ),
        (
            "Jason Glyndwr Ulery (for the STAR Collaboration)",
            [("Jason Glyndwr Ulery", False), ("STAR Collaboration", True)],
        ),
        ("The BABAR Collaboration, B. Aubert, et al", [("BABAR Collaboration", True), ("B. Aubert", False)]),
        ("CLEO Collaboration: T. K. Pedlar, et al", [("CLEO Collaboration", True), ("T. K. Pedlar", False)]),
        ("A. Abulencia et al. (CDF Collaboration)", [("A. Abulencia", False), ("CDF Collaboration", True)]),
    ],
)
def test_collaborations(text: str, expected: list[tuple[str, bool]]) -> None:
    people = parse_author_list(text)
    assert [(p.display_name, p.is_collaboration) for p in people] == expected
    assert all(p.given is None and p.family is None for p in people if p.is_collaboration)


def test_parenthesised_affiliations() -> None:
    people = parse_author_list("J. Smith (MIT), K. Lee (Caltech)")
    assert [(p.display_name, p.affiliation) for p in people] == [("J. Smith", "MIT"), ("K. Lee", "Caltech")]


def test_shared_affiliation_applies_to_preceding_authors() -> None:
    people = parse_author_list("G. Dereli and B. Sungu (Yildiz Tech. Univ., Istanbul)")
    assert [(p.family, p.affiliation) for p in people] == [
        ("Dereli", "Yildiz Tech. Univ., Istanbul"),
        ("Sungu", "Yildiz Tech. Univ., Istanbul"),
    ]


def test_numbered_affiliation_block() -> None:
    text = (
        "A. S. Mishchenko (1 and 2) and N. Nagaosa (1 and 3) ((1) CREST, Japan\n  Science and Technology Agency, "
        "(2) Russian Research Centre ``Kurchatov\n  Institute'', (3) The University of Tokyo)"
    )
    people = parse_author_list(text)
    assert [(p.display_name, p.affiliation) for p in people] == [
        (
            "A. S. Mishchenko",
            "CREST, Japan Science and Technology Agency; Russian Research Centre \u201cKurchatov Institute\u201d",
        ),
        ("N. Nagaosa", "CREST, Japan Science and Technology Agency; The University of Tokyo"),
    ]


def test_parsed_name_fields() -> None:
    assert parse_author_list("Ewine F. van Dishoeck (Leiden)") == [
        ParsedName(display_name="Ewine F. van Dishoeck", given="Ewine F.", family="van Dishoeck", affiliation="Leiden")
    ]


@pytest.mark.parametrize(
    ("text", "truncated"),
    [("F. Aharonian, et al", True), ("Zhang, Yaoyu and others", True), ("Tao Luo and Yaoyu Zhang", False)],
)
def test_author_list_truncated(text: str, truncated: bool) -> None:
    assert author_list_truncated(text) is truncated


def test_bibtex_names() -> None:
    people = parse_bibtex_names(r"M{\"u}ller, J{\"o}rg and Zhi-Qin John Xu and {ATLAS Collaboration} and others")
    assert [(p.display_name, p.given, p.family, p.is_collaboration) for p in people] == [
        ("Jörg Müller", "Jörg", "Müller", False),
        ("Zhi-Qin John Xu", "Zhi-Qin John", "Xu", False),
        ("ATLAS Collaboration", None, None, True),
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Zhi-Qin John Xu", ("Zhi-Qin John", "Xu")),
        ("Xu, Zhi-Qin John", ("Zhi-Qin John", "Xu")),
        ("Floris van der Tak", ("Floris", "van der Tak")),
        ("Hans De Raedt", ("Hans", "De Raedt")),
        ("M. Lopez de Haro", ("M. Lopez", "de Haro")),
        ("Pieter J. in 't Veld", ("Pieter J.", "in 't Veld")),
        ("Eyo Eyo Ita III", ("Eyo Eyo", "Ita")),
        ("Sudha", (None, "Sudha")),
    ],
)
def test_split_name(name: str, expected: tuple[str | None, str]) -> None:
    assert split_name(name) == expected


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Zhi-Qin John Xu", "zhiqin john xu"),
        ("Xu, Zhi-Qin John", "zhiqin john xu"),
        ("Zhiqin  JOHN xu", "zhiqin john xu"),
        (r"C. Bal\'azs", "c balazs"),
        ("Mikkel Øbro", "mikkel obro"),
        ("P. T. O'Brien", "p t obrien"),
        ("Robert W. Heath, Jr.", "robert w heath"),
    ],
)
def test_name_key(name: str, key: str) -> None:
    assert name_key(name) == key


@pytest.mark.parametrize(
    ("name", "key"),
    [("Zhongwang Zhang", "z zhang"), ("Zhang, Yaoyu", "y zhang"), ("Zhi-Qin John Xu", "z xu"), ("Sudha", "sudha")],
)
def test_initials_key(name: str, key: str) -> None:
    assert initials_key(name) == key


@pytest.mark.parametrize(
    ("a", "b", "compatible"),
    [
        ("J. C. Roberts", "Jonathan C. Roberts", True),
        ("Jonathan C. Roberts", "Jonathan Roberts", True),
        ("J. C. Roberts", "Jonathan Roberts", True),
        ("J. Roberts", "K. Roberts", False),
        ("Jonathan Roberts", "James Roberts", False),
        ("Zhi-Qin John Xu", "Z.-Q. J. Xu", True),
        ("Zhi-Qin John Xu", "Xu, Zhiqin", True),
        ("Zhi-Qin John Xu", "Z. Xu", True),
        ("Yaoyu Zhang", "Zhongwang Zhang", False),
        ("Yaoyu Zhang", "Yaoyu Zhong", False),
        ("J. C. Roberts", "J. D. Roberts", False),
    ],
)
def test_names_compatible(a: str, b: str, compatible: bool) -> None:
    assert names_compatible(a, b) is compatible
    assert names_compatible(b, a) is compatible
