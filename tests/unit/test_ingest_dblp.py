"""DBLP parser: the real CACM sample read in place (Latin-1, DTD entities, "<dblp>" instead of "</dblp>")."""

from __future__ import annotations

import gzip
import html
import re
from pathlib import Path

import pytest

from core.ingest import dblp
from core.ingest.records import ParseError, PersonRec, WorkRec

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "crossref-dblp-orcid"
SAMPLE = DATA / "dblp.xml.gz"
needs_data = pytest.mark.skipif(not SAMPLE.is_file(), reason=f"DBLP sample not found at {SAMPLE}")
HEADER = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<!DOCTYPE dblp SYSTEM "dblp.dtd">\n<dblp>\n'


@pytest.fixture(scope="module")
def raw_text() -> str:
    return gzip.decompress(SAMPLE.read_bytes()).decode("latin-1")


@pytest.fixture(scope="module")
def works() -> list[WorkRec]:
    results = list(dblp.parse_file(SAMPLE))
    assert [p.error for p in results if p.error] == []
    return [p.item for p in results]


def raw_records(text: str) -> list[str]:
    return re.findall(r"<article .*?</article>", text, flags=re.S)


def raw_authors(record: str) -> list[tuple[str | None, str]]:
    """(orcid, name) per author, names with entities decoded."""
    return [
        (o or None, html.unescape(n)) for o, n in re.findall(r'<author(?: orcid="([^"]+)")?>(.*?)</author>', record)
    ]


@needs_data
def test_sample_quirks_are_present(raw_text: str) -> None:
    assert raw_text.rstrip().endswith("<dblp>") and "</dblp>" not in raw_text
    assert "&uuml;" in raw_text


@needs_data
def test_every_article_is_parsed_in_order(raw_text: str) -> None:
    keys = re.findall(r'<article mdate="[^"]*" key="([^"]+)"', raw_text)
    results = list(dblp.parse_file(SAMPLE))
    assert len(keys) == len(raw_records(raw_text)) == 91
    assert [p.key for p in results] == keys
    assert [p.location for p in results] == [f"record {i}" for i in range(1, 92)]
    assert all(p.item.dblp_key == p.key and p.item.type == "article" for p in results)


@needs_data
def test_authors_names_and_orcids(raw_text: str, works: list[WorkRec]) -> None:
    raw = [raw_authors(r) for r in raw_records(raw_text)]
    assert [[a.raw_author_name for a in w.authorships] for w in works] == [[n for _, n in r] for r in raw]
    assert [[a.person.orcid for a in w.authorships] for w in works] == [[o for o, _ in r] for r in raw]
    names = {n for r in raw for _, n in r}
    assert len({a.raw_author_name for w in works for a in w.authorships}) == len(names) == 148
    assert sum(len(w.authorships) for w in works) == sum(len(r) for r in raw) == 153
    assert sum(1 for r in raw for o, _ in r if o) == sum(1 for w in works for a in w.authorships if a.person.orcid)


@needs_data
def test_entities_decoded(works: list[WorkRec]) -> None:
    names = {a.raw_author_name for w in works for a in w.authorships}
    assert {"Jürgen Börstler", "Joaquín Peña", "Dag I. K. Sjøberg", "Moritz Bächer"} <= names
    assert "The business of software - The cliché defense" in {w.title for w in works}


@needs_data
def test_titles_years_venues_and_dois(raw_text: str, works: list[WorkRec]) -> None:
    records = raw_records(raw_text)
    titles = [html.unescape(re.search(r"<title>(.*?)</title>", r).group(1)) for r in records]
    assert [w.title for w in works] == [t[:-1] if t.endswith(".") else t for t in titles]
    assert [w.year for w in works] == [int(re.search(r"<year>(\d+)</year>", r).group(1)) for r in records]
    assert {w.venue.name for w in works} == {"Commun. ACM"}
    dois = [re.search(r"<ee>https?://(?:doi\.org|doi\.acm\.org)/(10\.[^<]+)</ee>", r) for r in records]
    assert [w.doi for w in works] == [d.group(1).lower() if d else None for d in dois]
    assert sum(1 for w in works if w.doi) == 91


@needs_data
def test_homonym_numbers(works: list[WorkRec]) -> None:
    people = {a.raw_author_name: a.person for w in works for a in w.authorships}
    numbered = sorted(n for n in people if re.search(r" \d{4}$", n))
    assert numbered == ["Manish Gupta 0002", "Milind Kulkarni 0001", "Paul J. Layzell 0001"]
    p = people["Milind Kulkarni 0001"]
    assert (p.display_name, p.name_variants, p.dblp_pid) == (
        "Milind Kulkarni",
        ["Milind Kulkarni 0001"],
        "name:Milind Kulkarni 0001",
    )
    assert people["Alex Wright"].dblp_pid is None and people["Alex Wright"].name_variants == []


@needs_data
def test_article_without_author_is_kept(works: list[WorkRec]) -> None:
    first = works[0]
    assert (first.dblp_key, first.authorships) == ("journals/cacm/Spinellis03", [])


@needs_data
def test_well_formed_file_with_closing_tag(tmp_path: Path, raw_text: str) -> None:
    fixed = raw_text.rstrip().removesuffix("<dblp>") + "</dblp>\n"
    path = tmp_path / "dblp.xml"
    path.write_bytes(fixed.encode("latin-1"))
    assert len(list(dblp.parse_file(path))) == 91


def _write(tmp_path: Path, body: str, name: str = "d.xml") -> Path:
    path = tmp_path / name
    path.write_bytes((HEADER + body).encode("latin-1"))
    return path


def test_other_record_types_and_links(tmp_path: Path) -> None:
    body = (
        '<inproceedings key="conf/icse/X21"><author>Ana Ni&ntilde;o</author><title>On <i>T</i>.</title>'
        "<booktitle>ICSE</booktitle><year>2021</year>"
        '<ee type="oa">https://arxiv.org/abs/2101.00001v2</ee><ee>https://dx.doi.org/10.1109/ICSE.2021.1</ee>'
        "</inproceedings>"
        '<phdthesis key="phd/Z"><author>Zed Z</author><title>Thesis</title><school>TU Delft</school>'
        "<year>2000</year></phdthesis>"
        '<article key="journals/corr/abs-2101-00002"><author>A B</author><title>Pre</title><journal>CoRR</journal>'
        "<ee>https://arxiv.org/abs/2101.00002</ee></article>"
        '<article key="journals/x/NoTitle"><author>A B</author></article>'
        "</dblp>"
    )
    results = list(dblp.parse_file(_write(tmp_path, body)))
    conf, thesis, corr, bad = results
    assert (conf.item.title, conf.item.type, conf.item.venue.type) == ("On T", "article", "conference")
    assert (conf.item.doi, conf.item.arxiv_id, conf.item.oa_url) == (
        "10.1109/icse.2021.1",
        "2101.00001",
        "https://arxiv.org/abs/2101.00001v2",
    )
    assert conf.item.authorships[0].person.display_name == "Ana Niño"
    assert (thesis.item.type, thesis.item.authorships[0].institutions[0].name) == ("dissertation", "TU Delft")
    assert (corr.item.type, corr.item.arxiv_id) == ("preprint", "2101.00002")
    assert (bad.location, bad.key, bad.error) == (
        "record 4",
        "journals/x/NoTitle",
        "<article> journals/x/NoTitle has no title",
    )


def test_www_homepages(tmp_path: Path) -> None:
    body = (
        '<www key="homepages/s/DiomidisSpinellis"><author orcid="0000-0003-4231-1897">Diomidis Spinellis</author>'
        "<author>D. Spinellis</author><title>Home Page</title><url>https://www.spinellis.gr</url>"
        '<note type="affiliation">TU Delft</note><note type="affiliation" label="former">AUEB</note></www>'
        '<www key="homepages/w/WeiWang"><author>Wei Wang</author><title>Home Page</title>'
        '<note type="disambiguation">Disambiguation Page</note></www>'
        '<www key="homepages/01/1"><author>Wei Wang 0001</author><title>Home Page</title></www>'
        '<www key="www/org/acm"><title>ACM</title><url>https://acm.org</url></www>'
        "</dblp>"
    )
    results = list(dblp.parse_file(_write(tmp_path, body)))
    assert [(p.location, p.key) for p in results] == [("record 1", "s/DiomidisSpinellis"), ("record 3", "01/1")]
    dds = results[0].item
    assert isinstance(dds, PersonRec)
    assert (dds.display_name, dds.orcid, dds.homepage) == (
        "Diomidis Spinellis",
        "0000-0003-4231-1897",
        "https://www.spinellis.gr",
    )
    assert dds.name_variants == ["D. Spinellis"]
    assert [i.name for i in dds.institutions] == ["TU Delft"]
    wang = results[1].item
    assert (wang.display_name, wang.dblp_pid, wang.name_variants) == ("Wei Wang", "01/1", ["Wei Wang 0001"])


def test_entity_split_across_read_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dblp, "_CHUNK", 7)
    body = (
        '<article key="a/b"><author>J&uuml;rgen B&ouml;rstler &foo;</author><title>T&eacute;.</title></article></dblp>'
    )
    (only,) = dblp.parse_file(_write(tmp_path, body))
    assert only.item.authorships[0].raw_author_name == "Jürgen Börstler &foo;"
    assert only.item.title == "Té"


@needs_data
def test_truncated_inside_a_record_raises(tmp_path: Path, raw_text: str) -> None:
    cut = raw_text.index("<title>", raw_text.index('key="journals/cacm/Wright17"'))
    path = tmp_path / "cut.xml"
    path.write_bytes(raw_text[:cut].encode("latin-1"))
    delivered = []
    with pytest.raises(ParseError) as err:
        for p in dblp.parse_file(path):
            delivered.append(p)
    keys = re.findall(r'key="([^"]+)"', raw_text[:cut])
    assert [p.key for p in delivered] == keys[:-1]
    assert err.value.path == str(path)
    assert err.value.location == f"record {len(keys)}"
    assert err.value.problem == "file ends inside <dblp><article>: truncated DBLP XML"


@needs_data
def test_truncated_gzip_raises(tmp_path: Path) -> None:
    data = SAMPLE.read_bytes()
    path = tmp_path / "cut.xml.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ParseError) as err:
        list(dblp.parse_file(path))
    assert (err.value.path, err.value.location) == (str(path), "gzip stream")
    assert "truncated or corrupt gzip data" in err.value.problem


def test_not_xml_raises(tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    path.write_text('{"items": []}', encoding="utf-8")
    with pytest.raises(ParseError) as err:
        list(dblp.parse_file(path))
    assert (err.value.path, err.value.location) == (str(path), "line 1, column 0")
    assert err.value.problem == "not well-formed XML: not well-formed (invalid token)"


@needs_data
def test_sniff(raw_text: str) -> None:
    assert dblp.sniff(SAMPLE, raw_text[:4096])
    assert not dblp.sniff(
        Path("o.xml"), '<?xml version="1.0"?><record:record xmlns:record="http://www.orcid.org/ns/record">'
    )
