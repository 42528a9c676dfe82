"""ORCID parser: the real 2022 summaries tar read in place, figures recomputed here with tarfile + ElementTree."""

from __future__ import annotations

import io
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from core.ingest import orcid
from core.ingest.records import ParseError, PersonRec, WorkRec

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "crossref-dblp-orcid"
TAR = DATA / "ORCID_2022_10_summaries.tar.gz"
needs_data = pytest.mark.skipif(not TAR.is_file(), reason=f"ORCID sample not found at {TAR}")
C, A, W = "{http://www.orcid.org/ns/common}", "{http://www.orcid.org/ns/activities}", "{http://www.orcid.org/ns/work}"
LOCKED = "0000-0001-5078-5000"


@pytest.fixture(scope="module")
def members() -> dict[str, bytes]:
    """Raw bytes of every XML member, by member name."""
    with tarfile.open(TAR) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


@pytest.fixture(scope="module")
def parsed() -> list:
    return list(orcid.parse_file(TAR))


def by_member(parsed: list) -> dict[str, list]:
    out: dict[str, list] = {}
    for p in parsed:
        out.setdefault(p.location.split(" work ")[0].removeprefix("member "), []).append(p)
    return out


def raw_groups(data: bytes) -> list[ET.Element]:
    return ET.fromstring(data).findall(f"{A}activities-summary/{A}works/{A}group")


def group_title(group: ET.Element) -> str | None:
    titles = [(t.text or "").strip() for t in group.iter(f"{C}title")]
    return next((t for t in titles if t), None)


@needs_data
def test_one_person_per_record_and_locked_record_is_skipped(members: dict, parsed: list) -> None:
    assert len(members) == 8
    people = [p for p in parsed if isinstance(p.item, PersonRec)]
    assert sorted(p.key for p in people) == sorted(Path(n).stem for n in members if LOCKED not in n)
    (locked,) = [p for p in parsed if p.key == LOCKED]
    assert locked.location == f"member ORCID_2022_10_summaries/000/{LOCKED}.xml"
    assert locked.error is None and locked.item is None
    assert locked.note == f"ORCID record {LOCKED} is not available: The ORCID record is locked. (response code 409)"
    assert locked.item is None


@needs_data
def test_works_per_record_are_titled_work_groups(members: dict, parsed: list) -> None:
    grouped = by_member(parsed)
    for name, data in members.items():
        if LOCKED in name:
            continue
        groups = raw_groups(data)
        titled = [g for g in groups if group_title(g)]
        works = [p.item for p in grouped[name] if isinstance(p.item, WorkRec)]
        errors = [p for p in grouped[name] if p.note]
        assert len(works) == len(titled), name
        assert len(errors) == len(groups) - len(titled), name
        assert [w.title for w in works] == [" ".join(group_title(g).split()) for g in titled], name
        assert all(not w.authorships_complete and len(w.authorships) == 1 for w in works)
        assert {w.authorships[0].person.orcid for w in works} <= {Path(name).stem}


@needs_data
def test_work_counts_for_the_two_large_records(parsed: list) -> None:
    grouped = by_member(parsed)
    spinellis = grouped["ORCID_2022_10_summaries/897/0000-0003-4231-1897.xml"]
    assert sum(isinstance(p.item, WorkRec) for p in spinellis) == 246  # 288 summaries in 247 groups, 1 untitled
    (untitled,) = [p for p in spinellis if p.note]
    assert untitled.note == "work 8359255 has no title"
    assert untitled.key == "0000-0003-4231-1897/work/8359255"
    al_sabti = grouped["ORCID_2022_10_summaries/013/0000-0001-6270-9013.xml"]
    assert sum(isinstance(p.item, WorkRec) for p in al_sabti) == 66  # 108 summaries in 66 groups


@needs_data
def test_work_dois_come_from_the_group(members: dict, parsed: list) -> None:
    grouped = by_member(parsed)
    for name, data in members.items():
        if LOCKED in name:
            continue
        raw_dois: list[set[str]] = []
        for group in raw_groups(data):
            if not group_title(group):
                continue
            dois = set()
            for ext in group.iter(f"{C}external-id"):
                if (
                    ext.findtext(f"{C}external-id-type") == "doi"
                    and ext.findtext(f"{C}external-id-relationship") == "self"
                ):
                    dois.add(ext.findtext(f"{C}external-id-value").strip().lower())
            raw_dois.append(dois)
        works = [p.item for p in grouped[name] if isinstance(p.item, WorkRec)]
        assert [w.doi is not None for w in works] == [bool(d) for d in raw_dois], name
        assert all(w.doi in d for w, d in zip(works, raw_dois, strict=True) if w.doi), name


@needs_data
def test_person_fields(members: dict, parsed: list) -> None:
    people = {p.key: p.item for p in parsed if isinstance(p.item, PersonRec)}
    dds = people["0000-0003-4231-1897"]
    assert (dds.display_name, dds.given_name, dds.family_name) == ("Diomidis Spinellis", "Diomidis", "Spinellis")
    assert dds.homepage == "http://www.dmst.aueb.gr/dds"
    assert dds.summary.startswith("Diomidis Spinellis is a Professor of Software Engineering")
    assert [(i.name, i.city, i.country_code) for i in dds.institutions] == [
        ("Delft University of Technology", "Delft", "NL"),
        ("Athens University of Economics and Business", "Athens", "GR"),
    ]
    assert people["0000-0003-0109-6000"].name_variants == ["Mohamed A. Abouelkhair"]
    ns_kw = "{http://www.orcid.org/ns/keyword}content"
    raw = ET.fromstring(members["ORCID_2022_10_summaries/013/0000-0001-6222-3013.xml"])
    assert [t.name for t in people["0000-0001-6222-3013"].topics] == [k.text for k in raw.iter(ns_kw)]
    assert people["0000-0002-5878-603X"].institutions == []


@needs_data
def test_employment_organisations_match_raw(members: dict, parsed: list) -> None:
    people = {p.key: p.item for p in parsed if isinstance(p.item, PersonRec)}
    emp = "{http://www.orcid.org/ns/employment}employment-summary"
    for name, data in members.items():
        if LOCKED in name:
            continue
        orgs = {s.findtext(f"{C}organization/{C}name") for s in ET.fromstring(data).iter(emp)}
        assert {i.name for i in people[Path(name).stem].institutions} == orgs, name


@needs_data
def test_single_xml_file(tmp_path: Path, members: dict) -> None:
    path = tmp_path / "0000-0002-5878-603X.xml"
    path.write_bytes(members["ORCID_2022_10_summaries/03X/0000-0002-5878-603X.xml"])
    (only,) = orcid.parse_file(path)
    assert (only.location, only.key, only.item.display_name) == (
        f"file {path.name}",
        "0000-0002-5878-603X",
        "Norli Ali",
    )


@needs_data
def test_deactivated_record_is_skipped(tmp_path: Path, members: dict) -> None:
    data = members["ORCID_2022_10_summaries/03X/0000-0002-5878-603X.xml"].decode()
    data = data.replace(
        "<history:claimed>",
        "<history:deactivation-date>2020-01-02T00:00:00Z</history:deactivation-date><history:claimed>",
    )
    path = tmp_path / "d.xml"
    path.write_text(data, encoding="utf-8")
    (only,) = orcid.parse_file(path)
    assert (only.key, only.note) == ("0000-0002-5878-603X", "ORCID record was deactivated on 2020-01-02")


@needs_data
def test_bad_member_is_a_record_error(tmp_path: Path, members: dict) -> None:
    path = tmp_path / "mixed.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name, data in (
            ("s/0000-0002-5878-603X.xml", members["ORCID_2022_10_summaries/03X/0000-0002-5878-603X.xml"]),
            ("s/0000-0002-1825-0097.xml", b"<record:record xmlns:record='x'><oops></record:record>"),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    good, bad = orcid.parse_file(path)
    assert good.item.display_name == "Norli Ali"
    assert (bad.location, bad.key, bad.item) == ("member s/0000-0002-1825-0097.xml", "0000-0002-1825-0097", None)
    assert bad.error.startswith("not well-formed XML: mismatched tag: line 1")


@needs_data
def test_truncated_tar_gz_raises(tmp_path: Path) -> None:
    data = TAR.read_bytes()
    path = tmp_path / "cut.tar.gz"
    path.write_bytes(data[: len(data) // 2])
    results = []
    with pytest.raises(ParseError) as err:
        for p in orcid.parse_file(path):
            results.append(p)
    assert err.value.path == str(path)
    assert err.value.location.startswith("member ORCID_2022_10_summaries/")
    assert err.value.problem.startswith("truncated or corrupt tar archive")
    assert results  # records before the cut were delivered first


def test_preferred_summary_is_highest_display_index_then_first() -> None:
    def summary(code: str, index: str) -> ET.Element:
        return ET.Element(f"{W}work-summary", {"put-code": code, "display-index": index})

    assert orcid.preferred_summary([summary("a", "0"), summary("b", "1"), summary("c", "1")]).get("put-code") == "b"
    assert orcid.preferred_summary([summary("a", "0"), summary("b", "0")]).get("put-code") == "a"
    assert orcid.preferred_summary([]) is None


def test_part_of_ids_are_the_containers_not_the_works(tmp_path: Path) -> None:
    def ext(kind: str, value: str, relation: str) -> str:
        return (
            f"<common:external-id><common:external-id-type>{kind}</common:external-id-type>"
            f"<common:external-id-value>{value}</common:external-id-value>"
            f"<common:external-id-relationship>{relation}</common:external-id-relationship></common:external-id>"
        )

    ids = ext("doi", "10.1007/978-3-030-00001-1", "part-of") + ext("issn", "16113349", "part-of")
    ids += ext("doi", "10.1007/978-3-030-00001-1_7", "self")  # listed after the book's DOI
    record = (
        '<record:record xmlns:record="http://www.orcid.org/ns/record" xmlns:common="http://www.orcid.org/ns/common"'
        ' xmlns:person="http://www.orcid.org/ns/person" xmlns:personal-details="http://www.orcid.org/ns/personal-details"'
        ' xmlns:activities="http://www.orcid.org/ns/activities" xmlns:work="http://www.orcid.org/ns/work">'
        "<common:orcid-identifier><common:path>0000-0002-1825-0097</common:path></common:orcid-identifier>"
        "<person:person><person:name><personal-details:given-names>Josiah</personal-details:given-names>"
        "<personal-details:family-name>Carberry</personal-details:family-name>"
        "<personal-details:credit-name>J. S. Carberry</personal-details:credit-name></person:name></person:person>"
        "<activities:activities-summary><activities:works><activities:group>"
        "<common:external-ids/>"
        '<work:work-summary put-code="11" display-index="0"><work:title><common:title>A chapter</common:title>'
        f"</work:title><common:external-ids>{ids}</common:external-ids><work:type>book-chapter</work:type>"
        "<work:journal-title>LNCS</work:journal-title></work:work-summary>"
        "</activities:group></activities:works></activities:activities-summary></record:record>"
    )
    path = tmp_path / "0000-0002-1825-0097.xml"
    path.write_text(record, encoding="utf-8")
    person, work = orcid.parse_file(path)
    assert (person.item.display_name, person.item.name_variants) == ("J. S. Carberry", ["Josiah Carberry"])
    assert (work.key, work.item.doi, work.item.type) == (
        "0000-0002-1825-0097/work/11",
        "10.1007/978-3-030-00001-1_7",
        "book-chapter",
    )
    assert (work.item.venue.name, work.item.venue.issns, work.item.venue.type) == ("LNCS", ["1611-3349"], "book")


def test_broken_single_xml_raises(tmp_path: Path) -> None:
    path = tmp_path / "r.xml"
    path.write_text("<record:record xmlns:record='x'>\n<a>", encoding="utf-8")
    with pytest.raises(ParseError) as err:
        list(orcid.parse_file(path))
    assert (err.value.path, err.value.location) == (str(path), "line 2, column 3")
    assert err.value.problem == "not well-formed XML: no element found"


@needs_data
def test_sniff() -> None:
    import gzip

    head = gzip.decompress(TAR.read_bytes())[:4096].decode("utf-8", "replace")
    assert orcid.sniff(TAR, head)
    assert not orcid.sniff(Path("dblp.xml"), '<?xml version="1.0"?>\n<!DOCTYPE dblp SYSTEM "dblp.dtd">\n<dblp>')
