"""Crossref parser: real sample files read in place, figures recomputed here from the raw JSON."""

from __future__ import annotations

import gzip
import html
import json
import re
from pathlib import Path

import pytest

from core.ingest import crossref
from core.ingest.records import ParseError, WorkRec

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "crossref-dblp-orcid"
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"shared sample data not found at {DATA}")
JSON_FILES = ["1item.json.gz", "2item-references.json.gz", "3items.json.gz", "affiliations.json.gz"]
JSON_FILES += ["funded.json.gz", "orcid-work.json.gz", "same-author.json.gz"]


def raw_works(name: str) -> list[dict]:
    """The works in a sample file, read with nothing but gzip + json."""
    with gzip.open(DATA / name, "rt", encoding="utf-8") as fh:
        if name.endswith(".jsonl.gz"):
            return [json.loads(line) for line in fh if line.strip()]
        return json.load(fh)["items"]


def parsed_works(path: Path) -> list[WorkRec]:
    results = list(crossref.parse_file(path))
    assert [p.error for p in results if p.error] == []
    return [p.item for p in results]


@needs_data
@pytest.mark.parametrize("name", JSON_FILES + ["crossref-2025.jsonl.gz"])
def test_every_work_is_parsed_with_its_doi_as_key(name: str) -> None:
    raw = raw_works(name)
    results = list(crossref.parse_file(DATA / name))
    assert [p.key for p in results] == [w["DOI"].lower() for w in raw]
    assert [p.source for p in results] == ["crossref"] * len(raw)
    assert all(p.raw_hash and p.error is None for p in results)


@needs_data
def test_total_work_count_matches_source_txt_figure() -> None:
    total = sum(len(raw_works(n)) for n in JSON_FILES + ["crossref-2025.jsonl.gz"])
    parsed = sum(len(parsed_works(DATA / n)) for n in JSON_FILES + ["crossref-2025.jsonl.gz"])
    assert parsed == total == 14


@needs_data
@pytest.mark.parametrize("name", JSON_FILES + ["crossref-2025.jsonl.gz"])
def test_authors_orcids_and_reference_counts_per_work(name: str) -> None:
    for raw, work in zip(raw_works(name), parsed_works(DATA / name), strict=True):
        authors = raw.get("author", [])
        assert len(work.authorships) == len(authors)
        assert [a.position for a in work.authorships] == list(range(len(authors)))
        want_orcids = sorted(a["ORCID"].rsplit("/", 1)[1] for a in authors if "ORCID" in a)
        assert sorted(a.person.orcid for a in work.authorships if a.person.orcid) == want_orcids
        refs = raw.get("reference", [])
        assert len(work.references) == len(refs)
        assert [r.doi for r in work.references] == [r["DOI"].lower() if "DOI" in r else None for r in refs]
        assert work.cited_by_count == raw["is-referenced-by-count"]


@needs_data
def test_authors_with_orcid_across_all_files() -> None:
    want = sum(1 for n in JSON_FILES for w in raw_works(n) for a in w.get("author", []) if "ORCID" in a)
    got = sum(1 for n in JSON_FILES for w in parsed_works(DATA / n) for a in w.authorships if a.person.orcid)
    assert got == want == 9


@needs_data
def test_first_work_fields() -> None:
    raw = raw_works("1item.json.gz")[0]
    work = parsed_works(DATA / "1item.json.gz")[0]
    assert work.title == raw["title"][0]
    assert work.year == raw["published"]["date-parts"][0][0] == 2022
    assert work.publication_date is None  # date-parts [[2022, 4]]: no day
    assert work.type == "article"
    assert work.venue.name == html.unescape(raw["container-title"][0])
    assert "&amp;" not in work.venue.name
    assert work.venue.issns == raw["ISSN"]
    assert work.venue.publisher == raw["publisher"]
    assert [t.name for t in work.topics] == raw["subject"]
    first = raw["reference"][0]
    assert work.references[0].title == first["article-title"]
    assert work.references[0].year == int(first["year"])


@needs_data
def test_full_publication_date_and_reference_raw_text() -> None:
    raw = raw_works("2item-references.json.gz")[1]
    work = parsed_works(DATA / "2item-references.json.gz")[1]
    y, m, d = raw["published"]["date-parts"][0]
    assert work.publication_date == f"{y:04d}-{m:02d}-{d:02d}"
    with_text = [(r.get("unstructured"), ref.raw) for r, ref in zip(raw["reference"], work.references, strict=True)]
    with_text = [(u, got) for u, got in with_text if u is not None]
    plain = [(u, got) for u, got in with_text if "<" not in u and "&" not in u]
    assert plain and all(got == " ".join(u.split()) for u, got in plain)
    # real-data quirk: JATS <ext-link> markup and &apos; inside unstructured references
    links = [(re.search(r'xlink:href="([^"]+)"', u).group(1), got) for u, got in with_text if "<ext-link" in u]
    assert len(links) == 6
    assert all(href in got and "<" not in got for href, got in links)
    assert all(ref.raw for ref in work.references)  # structured-only references get assembled text


@needs_data
def test_affiliations_become_raw_string_and_institutions() -> None:
    raw = raw_works("affiliations.json.gz")[0]
    work = parsed_works(DATA / "affiliations.json.gz")[0]
    for author, authorship in zip(raw["author"], work.authorships, strict=True):
        names = [" ".join(a["name"].split()) for a in author["affiliation"]]
        assert [i.name for i in authorship.institutions] == names
        assert authorship.raw_affiliation == ("; ".join(names) or None)
    group = [a for a in raw["author"] if "name" in a]
    assert len(group) == 1
    assert group[0]["name"] in [a.person.display_name for a in work.authorships]


@needs_data
def test_jats_abstract_becomes_plain_text() -> None:
    raw = raw_works("same-author.json.gz")[0]
    work = parsed_works(DATA / "same-author.json.gz")[0]
    assert raw["abstract"].startswith("<jats:p>")
    assert "<" not in work.abstract
    assert work.abstract.startswith("Financial literacy is defined by the OECD (2020)")
    assert work.abstract.endswith("social agents")


@needs_data
def test_same_author_shares_orcid_across_two_works() -> None:
    works = parsed_works(DATA / "same-author.json.gz")
    sets = [{a.person.orcid for a in w.authorships} for w in works]
    assert "0000-0002-5878-603X" in sets[0] & sets[1]


def _write_json(path: Path, obj: object) -> Path:
    path.write_text(json.dumps(obj), encoding="utf-8")
    return path


@needs_data
def test_api_envelopes_and_bare_list(tmp_path: Path) -> None:
    works = raw_works("3items.json.gz")
    dois = [w["DOI"].lower() for w in works]
    single = _write_json(tmp_path / "one.json", {"status": "ok", "message-type": "work", "message": works[1]})
    listing = _write_json(tmp_path / "list.json", {"status": "ok", "message": {"items": works}})
    bare = _write_json(tmp_path / "bare.json", works)
    assert [(p.location, p.key) for p in crossref.parse_file(single)] == [("message", dois[1])]
    assert [p.key for p in crossref.parse_file(listing)] == dois
    assert [p.location for p in crossref.parse_file(bare)] == ["item 1", "item 2", "item 3"]


def test_preprint_type_relations_and_sequence_order(tmp_path: Path) -> None:
    work = {
        "DOI": "10.1101/2020.01.01.123456",
        "title": ["A preprint"],
        "type": "posted-content",
        "subtype": "preprint",
        "relation": {"is-preprint-of": [{"id-type": "doi", "id": "10.1038/S41586-020-0001-X"}]},
        "author": [
            {"given": "B", "family": "Second", "sequence": "additional"},
            {"given": "A", "family": "First", "sequence": "first", "ORCID": "https://orcid.org/0000-0002-1825-0097"},
        ],
    }
    (parsed,) = crossref.parse_file(_write_json(tmp_path / "w.json", {"message": work}))
    item = parsed.item
    assert item.type == "preprint"
    assert [(v.kind, v.doi) for v in item.versions] == [("published", "10.1038/s41586-020-0001-x")]
    assert [(a.position, a.person.family_name, a.person.orcid) for a in item.authorships] == [
        (0, "First", "0000-0002-1825-0097"),
        (1, "Second", None),
    ]


# --------------------------------------------------------------------------- malformed input


@needs_data
def test_truncated_gzip_raises_parse_error(tmp_path: Path) -> None:
    data = (DATA / "2item-references.json.gz").read_bytes()
    bad = tmp_path / "cut.json.gz"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(ParseError) as err:
        list(crossref.parse_file(bad))
    assert err.value.path == str(bad)
    assert err.value.location == "gzip stream"
    assert "truncated or corrupt gzip data" in err.value.problem


@needs_data
def test_jsonl_with_one_broken_line(tmp_path: Path) -> None:
    lines = gzip.decompress((DATA / "crossref-2025.jsonl.gz").read_bytes()).decode("utf-8").splitlines()
    lines[1] = lines[1][:100]  # cut the second work in the middle
    path = tmp_path / "dump.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results = list(crossref.parse_file(path))
    assert [(p.location, p.error is None) for p in results] == [("line 1", True), ("line 2", False), ("line 3", True)]
    assert results[1].error.startswith("invalid JSON at column ")
    assert results[2].key == json.loads(lines[2])["DOI"].lower()


def test_latin1_file_claimed_as_utf8_json(tmp_path: Path) -> None:
    text = json.dumps({"items": [{"DOI": "10.1/x", "title": ["Müller"]}]}, ensure_ascii=False, indent=2)
    path = tmp_path / "latin1.json"
    path.write_bytes(text.encode("latin-1"))
    bad_line = next(i for i, line in enumerate(text.splitlines(), 1) if "Müller" in line)
    with pytest.raises(ParseError) as err:
        list(crossref.parse_file(path))
    assert err.value.path == str(path)
    assert err.value.location == f"line {bad_line}"
    assert err.value.problem.startswith("not valid UTF-8 (byte 0xfc")


def test_invalid_json_document_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text('{\n  "items": [\n    {"DOI": "10.1/x", \n', encoding="utf-8")
    with pytest.raises(ParseError) as err:
        list(crossref.parse_file(path))
    assert err.value.location.startswith("line 4, column ")
    assert err.value.problem.startswith("invalid JSON: ")


@pytest.mark.parametrize(
    ("work", "problem"),
    [
        ({"DOI": "10.1234/a", "title": 42}, '"title" is int, expected a list of strings'),
        ({"DOI": "10.1234/a", "title": {"en": "x"}}, '"title" is dict, expected a list of strings'),
        ({"DOI": "10.1234/a", "title": [7]}, '"title" contains int, expected a list of strings'),
        ({"DOI": "10.1234/a", "title": []}, "missing title"),
        ({"title": ["No DOI"]}, "missing DOI"),
        ({"DOI": "10.1234/a", "title": ["T"], "author": "Smith"}, '"author" is str, expected list'),
        ("just a string", "work is str, expected a JSON object"),
    ],
)
def test_bad_records_become_errors_not_exceptions(tmp_path: Path, work: object, problem: str) -> None:
    good = {"DOI": "10.1234/good", "title": ["Fine"]}
    results = list(crossref.parse_file(_write_json(tmp_path / "w.json", {"items": [good, work]})))
    assert results[0].key == "10.1234/good" and results[0].error is None
    assert (results[1].location, results[1].error, results[1].item) == ("item 2", problem, None)


@needs_data
def test_sniff() -> None:
    head = gzip.decompress((DATA / "1item.json.gz").read_bytes())[:4096].decode("utf-8", "replace")
    assert crossref.sniff(DATA / "1item.json.gz", head)
    assert not crossref.sniff(Path("x.json"), '{"paperId": "abc", "title": "x"}')
    assert not crossref.sniff(Path("x.xml"), '<?xml version="1.0"?><dblp>')
