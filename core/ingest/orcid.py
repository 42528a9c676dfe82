"""ORCID 3.0 record summaries (XML; the public data file's ``*_summaries.tar.gz`` or one ``.xml``) -> neutral records.

For each record: one ``PersonRec`` (key = ORCID iD), then one ``WorkRec`` per *work group* (key =
``<orcid>/work/<put-code>``). ORCID groups the summaries that share an identifier (the same paper added by Crossref,
Scopus and the person) into one ``activities:group``; a group is one work. Fields come from the preferred summary
(highest ``display-index``, ties -> first listed) and, where it lacks them, from the others in the group; identifiers
come from the group's ``external-ids`` (``self`` -> DOI / arXiv / PMID, ``part-of`` ISSN -> the venue's ISSNs).
Each work has the record owner as its only authorship (``position=0``: ORCID does not know the byline order) and
``authorships_complete=False``.

Person: ``display_name`` is the credit name ("published name") when set, else given + family names; the other form
and ``other-names`` become ``name_variants``; ``institutions`` are the employments (current ones first, one per
organisation name + country, ROR kept when it is the disambiguation source); ``homepage`` is the first researcher
URL; ``summary`` the biography; keywords become ``TopicRec(kind="keyword")``.

Not a person: an ORCID *error* document (the dump ships locked records such as 0000-0001-5078-5000 as a
``<error:error>`` 409 "The ORCID record is locked.", with no name at all) and deactivated records become a
``Parsed(error=...)`` with the iD as key; so does a record without a public name. GRID / Ringgold / FundRef
organisation ids have no field in ``InstitutionRec`` and are skipped.
"""

from __future__ import annotations

import re
import tarfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from core.ingest.crossref import GZIP_ERRORS, gzip_problem, open_binary
from core.ingest.ids import norm_arxiv, norm_doi, norm_orcid, norm_ror, record_hash
from core.ingest.records import (
    AuthorshipRec,
    InstitutionRec,
    Parsed,
    ParseError,
    PersonRec,
    TopicRec,
    VenueRec,
    WorkRec,
)

SOURCE = "orcid"
NS = {
    "c": "http://www.orcid.org/ns/common",
    "a": "http://www.orcid.org/ns/activities",
    "w": "http://www.orcid.org/ns/work",
    "p": "http://www.orcid.org/ns/person",
    "pd": "http://www.orcid.org/ns/personal-details",
    "on": "http://www.orcid.org/ns/other-name",
    "ru": "http://www.orcid.org/ns/researcher-url",
    "kw": "http://www.orcid.org/ns/keyword",
    "emp": "http://www.orcid.org/ns/employment",
    "h": "http://www.orcid.org/ns/history",
    "err": "http://www.orcid.org/ns/error",
    "r": "http://www.orcid.org/ns/record",
}
_TYPE_MAP = {
    "journal-article": "article",
    "conference-paper": "article",
    "book": "book",
    "edited-book": "book",
    "book-chapter": "book-chapter",
    "preprint": "preprint",
    "working-paper": "preprint",
    "dissertation": "dissertation",
    "dissertation-thesis": "dissertation",
    "data-set": "dataset",
    "report": "report",
    "review": "review",
    "book-review": "review",
    "other": "other",
}
_VENUE_TYPE = {"journal-article": "journal", "conference-paper": "conference", "book-chapter": "book"}
_ISSN_RE = re.compile(r"\b(\d{4})-?(\d{3}[\dXx])\b")


def sniff(path: Path, head: str) -> bool:
    """True when ``head`` contains ORCID XML namespaces (a single record or the start of a summaries tar)."""
    return "orcid.org/ns/" in head


def parse_file(path: Path) -> Iterator[Parsed]:
    """Yield a PersonRec and its WorkRecs for each ORCID record in ``path`` (tar / tar.gz of XML, or one XML)."""
    path = Path(path)
    if _is_tar(path):
        yield from _parse_tar(path)
        return
    try:
        with open_binary(path) as fh:
            data = fh.read()
    except GZIP_ERRORS as exc:
        raise gzip_problem(path, exc) from exc
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line, col = exc.position
        problem = re.sub(r": line \d+, column \d+$", "", str(exc))
        raise ParseError(str(path), f"line {line}, column {col}", f"not well-formed XML: {problem}") from exc
    yield from parse_record(root, f"file {path.name}", path.stem)


def _is_tar(path: Path) -> bool:
    try:
        return tarfile.is_tarfile(path)
    except (OSError, *GZIP_ERRORS):
        return False


def _parse_tar(path: Path) -> Iterator[Parsed]:
    """Stream the archive (no seeking: the real dump is tens of GB); one record per ``.xml`` member."""
    last = "archive start"
    try:
        with tarfile.open(path, "r|*") as tar:
            for member in tar:
                if not (member.isfile() and member.name.endswith(".xml")):
                    continue
                last = f"member {member.name}"
                data = tar.extractfile(member).read()
                yield from _parse_member(data, last, Path(member.name).stem)
    except (tarfile.TarError, *GZIP_ERRORS) as exc:
        raise ParseError(str(path), last, f"truncated or corrupt tar archive ({type(exc).__name__}: {exc})") from exc


def _parse_member(data: bytes, location: str, stem: str) -> Iterator[Parsed]:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        yield Parsed(
            location, SOURCE, key=norm_orcid(stem), error=f"not well-formed XML: {exc}", raw_hash=record_hash(data)
        )
        return
    yield from parse_record(root, location, stem, record_hash(data))


# --------------------------------------------------------------------------- one record


def parse_record(root: ET.Element, location: str, stem: str = "", raw_hash: str | None = None) -> Iterator[Parsed]:
    """The person, then one WorkRec per work group, for one parsed ``record:record`` (or error) element."""
    raw_hash = raw_hash or record_hash(ET.tostring(root))
    problem = record_problem(root)
    orcid = norm_orcid(root.findtext("c:orcid-identifier/c:path", namespaces=NS)) or norm_orcid(stem)
    if problem is None:
        person = person_from_record(root, orcid)
        if person is None:
            problem = f"ORCID record {orcid} has no public name"
    if problem is not None:
        # A locked, deactivated or nameless record is a real state of ORCID, not a broken file: skip it.
        yield Parsed(location, SOURCE, key=orcid, note=problem, raw_hash=raw_hash)
        return
    yield Parsed(location, SOURCE, key=orcid, item=person, raw_hash=raw_hash)
    owner = PersonRec(person.display_name, orcid=orcid, given_name=person.given_name, family_name=person.family_name)
    for group in root.iterfind("a:activities-summary/a:works/a:group", NS):
        yield _parsed_work(group, owner, location)


def record_problem(root: ET.Element) -> str | None:
    """Why this document is not a usable record (error document, deactivated), or None."""
    if root.tag == f"{{{NS['err']}}}error":
        dev = root.findtext("err:developer-message", "", NS)
        orcid = norm_orcid(dev) or "unknown"
        user = root.findtext("err:user-message", "", NS).strip()
        code = root.findtext("err:response-code", "?", NS)
        return f"ORCID record {orcid} is not available: {user or dev} (response code {code})"
    if root.tag != f"{{{NS['r']}}}record":
        return f"not an ORCID record: root element {root.tag}"
    deactivated = root.findtext("h:history/h:deactivation-date", None, NS)
    if deactivated:
        return f"ORCID record was deactivated on {deactivated[:10]}"
    return None


def _text(el: ET.Element | None, path: str) -> str | None:
    """Stripped text at ``path`` below ``el``, or None when absent or blank."""
    if el is None:
        return None
    value = el.findtext(path, None, NS)
    return " ".join(value.split()) or None if value else None


def person_from_record(root: ET.Element, orcid: str | None) -> PersonRec | None:
    """The record owner; None when the record has no public name."""
    person = root.find("p:person", NS)
    if person is None:
        return None
    given, family = _text(person, "p:name/pd:given-names"), _text(person, "p:name/pd:family-name")
    credit = _text(person, "p:name/pd:credit-name")
    full = " ".join(p for p in (given, family) if p) or None
    display = credit or full
    if not display:
        return None
    variants = [full] if credit and full and full != credit else []
    variants += [n for n in (_text(o, ".") for o in person.iterfind("on:other-names/on:other-name/on:content", NS))]
    return PersonRec(
        display_name=display,
        orcid=orcid,
        given_name=given,
        family_name=family,
        name_variants=[v for v in dict.fromkeys(variants) if v and v != display],
        institutions=employments(root),
        homepage=_text(person, "ru:researcher-urls/ru:researcher-url/ru:url"),
        summary=_text(person, "p:biography/pd:content"),
        topics=[TopicRec(name=k, kind="keyword") for k in _keywords(person)],
    )


def _keywords(person: ET.Element) -> list[str]:
    return [t for t in (_text(k, ".") for k in person.iterfind("kw:keywords/kw:keyword/kw:content", NS)) if t]


def employments(root: ET.Element) -> list[InstitutionRec]:
    """Employment organisations, current (no end date) first, merged by name + country."""
    summaries = list(root.iterfind("a:activities-summary/a:employments/a:affiliation-group/emp:employment-summary", NS))
    summaries.sort(key=lambda s: s.find("c:end-date", NS) is not None)
    merged: dict[tuple, InstitutionRec] = {}
    for summary in summaries:
        inst = institution_of(summary.find("c:organization", NS))
        if inst is None:
            continue
        seen = merged.setdefault((inst.name.lower(), inst.country_code), inst)
        seen.ror = seen.ror or inst.ror
        seen.city = seen.city or inst.city
        seen.region = seen.region or inst.region
    return list(merged.values())


def institution_of(org: ET.Element | None) -> InstitutionRec | None:
    """``common:organization`` -> InstitutionRec(name, city, region, country, ROR when that is the source)."""
    name = _text(org, "c:name")
    if not name:
        return None
    source = (_text(org, "c:disambiguated-organization/c:disambiguation-source") or "").upper()
    ident = _text(org, "c:disambiguated-organization/c:disambiguated-organization-identifier")
    country = _text(org, "c:address/c:country")
    return InstitutionRec(
        name=name,
        ror=norm_ror(ident) if source == "ROR" else None,
        city=_text(org, "c:address/c:city"),
        region=_text(org, "c:address/c:region"),
        country_code=country.upper() if country else None,
    )


# --------------------------------------------------------------------------- works


def _parsed_work(group: ET.Element, owner: PersonRec, location: str) -> Parsed:
    summaries = list(group.iterfind("w:work-summary", NS))
    preferred = preferred_summary(summaries)
    put_code = preferred.get("put-code") if preferred is not None else None
    key = f"{owner.orcid}/work/{put_code}"
    where = f"{location} work {put_code}"
    raw_hash = record_hash(ET.tostring(group))
    work = work_from_group(group, summaries, preferred, owner)
    if work is None:
        return Parsed(where, SOURCE, key=key, note=f"work {put_code} has no title", raw_hash=raw_hash)
    return Parsed(where, SOURCE, key=key, item=work, raw_hash=raw_hash)


def preferred_summary(summaries: list[ET.Element]) -> ET.Element | None:
    """The summary with the highest ``display-index`` (ties: the first listed)."""
    if not summaries:
        return None
    return max(summaries, key=lambda s: int(s.get("display-index") or 0))  # max() keeps the first of ties


def _first(summaries: list[ET.Element], path: str) -> str | None:
    return next((v for v in (_text(s, path) for s in summaries) if v), None)


def work_from_group(
    group: ET.Element, summaries: list[ET.Element], preferred: ET.Element | None, owner: PersonRec
) -> WorkRec | None:
    """One WorkRec for a work group (preferred summary first, the others fill gaps); None without a title."""
    if preferred is None:
        return None
    ordered = [preferred] + [s for s in summaries if s is not preferred]
    title = _first(ordered, "w:title/c:title")
    if not title:
        return None
    ids = external_ids([group, *ordered])
    otype = _first(ordered, "w:type")
    year, date = publication_date(
        next((d for s in ordered if (d := s.find("c:publication-date", NS)) is not None), None)
    )
    journal = _first(ordered, "w:journal-title")
    issns = [f"{m.group(1)}-{m.group(2).upper()}" for v in ids.get("issn", []) for m in _ISSN_RE.finditer(v)]
    return WorkRec(
        title=title,
        type=_TYPE_MAP.get(otype, otype) if otype else None,
        year=year,
        publication_date=date,
        venue=VenueRec(name=journal, issns=list(dict.fromkeys(issns)), type=_VENUE_TYPE.get(otype or ""))
        if journal
        else None,
        doi=next((d for d in map(norm_doi, ids.get("doi", [])) if d), None),
        arxiv_id=next((a for a in map(norm_arxiv, ids.get("arxiv", [])) if a), None),
        pmid=next(iter(ids.get("pmid", [])), None),
        authorships=[AuthorshipRec(person=owner, position=0, raw_author_name=owner.display_name)],
        authorships_complete=False,
    )


def external_ids(elements: list[ET.Element]) -> dict[str, list[str]]:
    """``{type: [values]}`` from the elements' ``common:external-ids``: ``self`` ids by type, ``part-of`` ISSNs
    under "issn" (the journal's, not the work's); values deduplicated in document order."""
    found: dict[str, list[str]] = {}
    for el in elements:
        for ext in el.iterfind("c:external-ids/c:external-id", NS):
            kind = (_text(ext, "c:external-id-type") or "").lower()
            value = _text(ext, "c:external-id-value")
            relation = (_text(ext, "c:external-id-relationship") or "self").lower()
            if value and (relation == "self" or (relation == "part-of" and kind == "issn")):
                values = found.setdefault(kind, [])
                if value not in values:
                    values.append(value)
    return found


def publication_date(el: ET.Element | None) -> tuple[int | None, str | None]:
    """(year, ISO date when year, month and day are all given) from ``common:publication-date``."""
    parts = [_text(el, f"c:{p}") for p in ("year", "month", "day")]
    if not parts[0] or not parts[0].isdigit():
        return None, None
    if all(p and p.isdigit() for p in parts):
        return int(parts[0]), f"{int(parts[0]):04d}-{int(parts[1]):02d}-{int(parts[2]):02d}"
    return int(parts[0]), None
