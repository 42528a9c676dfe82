"""Semantic Scholar Graph API v1 JSON -> neutral records.

Accepted shapes (plain or gzipped):

* a paper (``/paper/{id}``), possibly with ``citations`` (citing papers) and ``references`` (cited papers),
  each either a bare paper or an edge ``{"citingPaper": {...}}`` / ``{"citedPaper": {...}}``;
* a citation or reference edge object (``/paper/{id}/citations`` items);
* a list envelope ``{"data": [...]}`` (papers, edges or authors) and a bare list (``/paper/batch``, nulls skipped);
* an author (``/author/{id}``) with ``papers``.

Output order: the main paper first, then every citing paper (each with a ``RefRec`` back to the main paper), then
every reference that has a ``paperId`` and a title (so the cited works are in the store too). For an author file the
``PersonRec`` comes first, then the papers; papers that do not list their authors get the file's author as their only
authorship with ``authorships_complete=False``.

Choices: ``Parsed.key`` is the S2 ``paperId`` / ``authorId``. S2 author ``externalIds.DBLP`` holds DBLP *names*, not
pids, so they become name variants. ``MAG``, ``CorpusId``, ``PubMedCentral``, ``ACL`` ids, ``tldr``, embeddings,
citation contexts / intents / ``isInfluential`` have no place in the neutral records and are skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from core.ingest.crossref import GZIP_ERRORS, decode_utf8, gzip_problem, open_binary
from core.ingest.ids import norm_arxiv, norm_doi, norm_orcid, record_hash
from core.ingest.records import (
    AuthorshipRec,
    InstitutionRec,
    Parsed,
    ParseError,
    PersonRec,
    RefRec,
    TopicRec,
    VenueRec,
    WorkRec,
)

SOURCE = "s2"

_TYPE_MAP = {
    "JournalArticle": "article",
    "Conference": "article",
    "Review": "review",
    "Book": "book",
    "BookSection": "book-chapter",
    "Editorial": "editorial",
    "LettersAndComments": "letter",
    "Dataset": "dataset",
    "News": "other",
    "CaseReport": "article",
    "ClinicalTrial": "article",
    "MetaAnalysis": "review",
    "Study": "article",
}


class BadRecord(ValueError):
    """A single record cannot be understood; the message says why."""


def sniff(path: Path, head: str) -> bool:
    """True when ``head`` looks like Semantic Scholar Graph API JSON."""
    return any(m in head for m in ('"paperId"', '"citingPaper"', '"citedPaper"')) or (
        '"authorId"' in head and ('"hIndex"' in head or '"papers"' in head)
    )


def parse_file(path: Path) -> Iterator[Parsed]:
    """Yield one ``Parsed`` per paper / author in ``path`` (main paper first, then citing, then cited papers)."""
    path = Path(path)
    try:
        with open_binary(path) as fh:
            data = fh.read()
    except GZIP_ERRORS as exc:
        raise gzip_problem(path, exc) from exc
    text = decode_utf8(path, data)
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(str(path), f"line {exc.lineno}, column {exc.colno}", f"invalid JSON: {exc.msg}") from exc
    if isinstance(obj, dict) and "data" in obj:
        if not isinstance(obj["data"], list):
            raise ParseError(str(path), "data", f'"data" is {type(obj["data"]).__name__}, expected a list')
        obj = obj["data"]
    if isinstance(obj, list):
        for i, entry in enumerate(obj, 1):
            if entry is not None:  # /paper/batch answers null for unknown ids
                yield from _parse_entry(entry, f"item {i}")
    elif isinstance(obj, dict):
        yield from _parse_entry(obj, "")
    else:
        raise ParseError(str(path), "top level", f"JSON {type(obj).__name__}, expected an object or a list")


def _parse_entry(obj: Any, where: str) -> Iterator[Parsed]:
    """Dispatch one top-level object: edge, author with papers, or paper."""
    if isinstance(obj, dict) and ("citingPaper" in obj or "citedPaper" in obj):
        role = "citingPaper" if "citingPaper" in obj else "citedPaper"
        yield _parsed_paper(obj[role], where or role)
    elif isinstance(obj, dict) and "authorId" in obj and "paperId" not in obj:
        yield from _parse_author(obj, where or "author")
    else:
        yield from _parse_paper_with_edges(obj, where or "paper")


def _parsed_paper(raw: Any, location: str, cites: RefRec | None = None, owner: PersonRec | None = None) -> Parsed:
    """``Parsed`` for one paper; ``cites`` is appended to its references, ``owner`` added when it lists no authors."""
    key = raw.get("paperId") if isinstance(raw, dict) and isinstance(raw.get("paperId"), str) else None
    try:
        work = work_from_s2(raw)
    except BadRecord as exc:
        return Parsed(location, SOURCE, key=key, error=str(exc), raw_hash=record_hash(raw))
    if cites is not None:
        work.references.append(cites)
    if owner is not None and "authors" not in raw:
        work.authorships = [AuthorshipRec(person=owner, position=0, raw_author_name=owner.display_name)]
        work.authorships_complete = False
    return Parsed(location, SOURCE, key=key, item=work, raw_hash=record_hash(raw))


def _parse_paper_with_edges(raw: Any, location: str) -> Iterator[Parsed]:
    """The paper itself, then its citing papers, then its references that have an id and a title."""
    if not isinstance(raw, dict):
        yield Parsed(location, SOURCE, error=f"paper is {type(raw).__name__}, expected a JSON object")
        return
    citations = _edge_list(raw, "citations", "citingPaper")
    references = _edge_list(raw, "references", "citedPaper")
    own = {k: v for k, v in raw.items() if k != "citations"}
    main = _parsed_paper(own, location)
    if main.item is not None:
        main.item.references = [ref_from_s2(r) for r in references if isinstance(r, dict)]
    main.raw_hash = record_hash(own)
    yield main
    back = RefRec(s2_id=main.key, doi=main.item.doi if main.item else None) if main.key else None
    for i, citing in enumerate(citations, 1):
        yield _parsed_paper(citing, f"{location} citation {i}", cites=back)
    for i, cited in enumerate(references, 1):
        if isinstance(cited, dict) and cited.get("paperId") and cited.get("title"):
            yield _parsed_paper(cited, f"{location} reference {i}")


def _edge_list(raw: dict, key: str, role: str) -> list:
    """``raw[key]`` as a list of paper dicts, unwrapping ``{role: paper}`` edges."""
    value = raw.get(key) or []
    if not isinstance(value, list):
        return []
    return [e[role] if isinstance(e, dict) and role in e else e for e in value]


def _parse_author(raw: dict, location: str) -> Iterator[Parsed]:
    """An author object: the person, then each of ``papers``."""
    person = person_from_s2(raw)
    if person is None:
        yield Parsed(location, SOURCE, error="author has neither a name nor an authorId", raw_hash=record_hash(raw))
        return
    own = {k: v for k, v in raw.items() if k != "papers"}
    yield Parsed(location, SOURCE, key=person.s2_id, item=person, raw_hash=record_hash(own))
    papers = raw.get("papers") or []
    for i, paper in enumerate(papers if isinstance(papers, list) else [], 1):
        yield _parsed_paper(paper, f"{location} paper {i}", owner=person)


# --------------------------------------------------------------------------- mapping


def work_from_s2(raw: Any) -> WorkRec:
    """A ``WorkRec`` from one S2 paper dict (without its citations); raises ``BadRecord`` when unusable."""
    if not isinstance(raw, dict):
        raise BadRecord(f"paper is {type(raw).__name__}, expected a JSON object")
    title = _get(raw, "title", str)
    if not title or not title.strip():
        raise BadRecord("missing title")
    ext = _get(raw, "externalIds", dict) or {}
    oa_pdf = _get(raw, "openAccessPdf", dict) or {}
    arxiv = norm_arxiv(ext.get("ArXiv"))
    return WorkRec(
        title=" ".join(title.split()),
        abstract=_get(raw, "abstract", str),
        type=paper_type(_get(raw, "publicationTypes", list), arxiv),
        year=_get(raw, "year", int),
        publication_date=_get(raw, "publicationDate", str),
        venue=venue_from_s2(raw),
        doi=norm_doi(ext.get("DOI")),
        arxiv_id=arxiv,
        s2_id=_get(raw, "paperId", str),
        dblp_key=ext.get("DBLP") if isinstance(ext.get("DBLP"), str) else None,
        pmid=str(ext["PubMed"]) if ext.get("PubMed") else None,
        is_oa=_get(raw, "isOpenAccess", bool),
        oa_status=str(oa_pdf["status"]).lower() if oa_pdf.get("status") else None,
        oa_url=oa_pdf.get("url") or None,
        cited_by_count=_get(raw, "citationCount", int),
        authorships=authorships_from_s2(_get(raw, "authors", list) or []),
        topics=fields_of_study(raw),
    )


def _get(raw: dict, key: str, kind: type) -> Any:
    """``raw[key]`` when it has the expected type, None when absent or null; raises BadRecord otherwise."""
    value = raw.get(key)
    if value is None:
        return None
    if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
        raise BadRecord(f'"{key}" is {type(value).__name__}, expected {kind.__name__}')
    return value


def paper_type(types: list | None, arxiv_id: str | None) -> str | None:
    """First mappable ``publicationTypes`` entry; an untyped paper with an arXiv id is a preprint."""
    for t in types or []:
        if t in _TYPE_MAP:
            return _TYPE_MAP[t]
    return "preprint" if arxiv_id else None


def venue_from_s2(raw: dict) -> VenueRec | None:
    """``publicationVenue`` (with ISSNs, type, url) or else ``journal.name`` / ``venue`` as a bare name."""
    pv = raw.get("publicationVenue")
    if isinstance(pv, dict) and pv.get("name"):
        issns = ([pv["issn"]] if pv.get("issn") else []) + list(pv.get("alternate_issns") or [])
        return VenueRec(name=pv["name"], issns=issns, type=pv.get("type"), homepage=pv.get("url"))
    journal = raw.get("journal") if isinstance(raw.get("journal"), dict) else {}
    name = journal.get("name") or raw.get("venue")
    return VenueRec(name=name) if isinstance(name, str) and name.strip() else None


def fields_of_study(raw: dict) -> list[TopicRec]:
    """``s2FieldsOfStudy`` categories and ``fieldsOfStudy`` names, each once, as ``field_of_study`` topics."""
    names = [f.get("category") for f in raw.get("s2FieldsOfStudy") or [] if isinstance(f, dict)]
    names += [f for f in raw.get("fieldsOfStudy") or [] if isinstance(f, str)]
    return [TopicRec(name=n, kind="field_of_study") for n in dict.fromkeys(n for n in names if n)]


def person_from_s2(raw: Any) -> PersonRec | None:
    """An S2 author (full or ``{authorId, name}``) -> PersonRec; None when it has no name."""
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"].strip():
        return None
    ext = raw.get("externalIds") if isinstance(raw.get("externalIds"), dict) else {}
    dblp_names = ext.get("DBLP") or []
    name = " ".join(raw["name"].split())
    return PersonRec(
        display_name=name,
        s2_id=str(raw["authorId"]) if raw.get("authorId") else None,
        orcid=norm_orcid(ext.get("ORCID")),
        name_variants=[n for n in ([dblp_names] if isinstance(dblp_names, str) else dblp_names) if n != name],
        institutions=[InstitutionRec(name=a) for a in raw.get("affiliations") or [] if isinstance(a, str) and a],
        homepage=raw.get("homepage") or None,
        works_count=raw.get("paperCount"),
        cited_by_count=raw.get("citationCount"),
        h_index=raw.get("hIndex"),
    )


def authorships_from_s2(authors: list) -> list[AuthorshipRec]:
    """Byline in order; authors without a name are skipped, those without an authorId kept by name only."""
    result = []
    for raw in authors:
        person = person_from_s2(raw)
        if person is not None:
            result.append(AuthorshipRec(person=person, position=len(result), raw_author_name=person.display_name))
    return result


def ref_from_s2(raw: dict) -> RefRec:
    """A cited paper -> RefRec with its S2 id, DOI, arXiv id, title and year (whatever it has)."""
    ext = raw.get("externalIds") if isinstance(raw.get("externalIds"), dict) else {}
    year = raw.get("year")
    return RefRec(
        s2_id=raw.get("paperId") or None,
        doi=norm_doi(ext.get("DOI")),
        arxiv_id=norm_arxiv(ext.get("ArXiv")),
        title=raw.get("title") or None,
        year=year if isinstance(year, int) else None,
    )
