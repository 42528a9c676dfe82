"""Crossref works (REST API responses, the public data file, the 2025 JSONL dump) -> neutral records.

Accepted shapes, each plain or gzipped (detected by magic bytes, not by name):

* ``{"status": "ok", "message": {...work...}}`` (``/works/{doi}``)
* ``{"status": "ok", "message": {"items": [...]}}`` (``/works?...``)
* ``{"items": [...]}`` (public data file) and a bare ``[...]`` list of works
* JSON Lines, one work (or one of the envelopes above) per line (2025 dump)

Choices worth knowing:

* ``Parsed.key`` is the normalised DOI; a work without a DOI or a usable title is a record error.
* ``publication_date`` is set only when the date has year, month and day; ``year`` whenever a year is known.
  Dates are taken from the first of ``published``, ``issued``, ``published-print``, ``published-online``.
* HTML entities (``&amp;``) and inline markup in titles / container titles are removed; JATS abstracts become
  plain text with one blank line between paragraphs and a leading "Abstract" heading dropped.
* Crossref ``subject`` (ASJC categories) -> ``TopicRec(kind="subject")``.
* References: ``RefRec(doi, title=article-title or volume-title, year, raw=unstructured)``; when there is no
  ``unstructured`` text, ``raw`` is assembled from the structured parts so nothing is lost.
* Not held by the neutral records (so skipped): editors, subtitle, volume/issue/pages, funders, licences, ISBN.
"""

from __future__ import annotations

import gzip
import html
import itertools
import json
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from core.ingest.ids import norm_arxiv, norm_doi, norm_orcid, norm_ror, record_hash
from core.ingest.records import (
    AuthorshipRec,
    InstitutionRec,
    Parsed,
    ParseError,
    PersonRec,
    RefRec,
    TopicRec,
    VenueRec,
    VersionRec,
    WorkRec,
)

SOURCE = "crossref"

# Crossref types not listed keep their name (dataset, report, standard, peer-review, dissertation, other, ...).
_TYPE_MAP = {
    **dict.fromkeys(("journal-article", "proceedings-article"), "article"),
    **dict.fromkeys(("book-chapter", "book-section", "book-part"), "book-chapter"),
    **dict.fromkeys(
        ("book", "monograph", "edited-book", "reference-book", "book-set", "book-series", "proceedings"), "book"
    ),
    **dict.fromkeys(("journal-issue", "journal"), "paratext"),
    "component": "supplementary-material",
    "report-series": "report",
}
_VENUE_TYPE = {
    "journal-article": "journal",
    "proceedings-article": "conference",
    "book-chapter": "book",
    "book": "book series",
    "posted-content": "repository",
}
# relation name -> kind of the *related* item
_RELATION_KIND = {"has-preprint": "preprint", "is-preprint-of": "published"}
_TAG_RE = re.compile(r"<[^>]+>")
_PARA_END_RE = re.compile(r"</(?:jats:)?(?:p|title|sec)>", re.I)
_YEAR_RE = re.compile(r"(1[5-9]\d\d|20\d\d)")


class BadRecord(ValueError):
    """A single record cannot be understood; the message says why."""


# --------------------------------------------------------------------------- file level


def sniff(path: Path, head: str) -> bool:
    """True when ``head`` looks like Crossref works JSON (``date-parts`` plus a Crossref-only field)."""
    markers = ('"member"', '"prefix"', '"container-title"', '"message-type"', '"reference-count"')
    return '"date-parts"' in head and any(m in head for m in markers)


def open_binary(path: Path) -> IO[bytes]:
    """Open ``path`` for reading bytes, transparently decompressing gzip (detected by magic bytes)."""
    with open(path, "rb") as fh:
        magic = fh.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def gzip_problem(path: Path, exc: Exception) -> ParseError:
    """The ParseError for a gzip stream that ends early or is corrupt."""
    return ParseError(str(path), "gzip stream", f"truncated or corrupt gzip data ({type(exc).__name__}: {exc})")


GZIP_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error)


def decode_utf8(path: Path, data: bytes, first_line: int = 1) -> str:
    """``data`` decoded as UTF-8 (BOM tolerated); raises ParseError naming the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = first_line + data[: exc.start].count(b"\n")
        bad = data[exc.start]
        raise ParseError(
            str(path), f"line {line}", f"not valid UTF-8 (byte 0x{bad:02x} at offset {exc.start}); expected UTF-8 JSON"
        ) from exc


def _looks_like_jsonl(path: Path, first_line: bytes, second_line: bytes) -> bool:
    """JSON Lines by name, or when the first two lines each hold a whole ``{...}`` (a one-line file is a document)."""
    if any(s in path.name.lower() for s in (".jsonl", ".ndjson")):
        return True
    first, second = first_line.strip(), second_line.strip()
    return len(first) > 2 and first.startswith(b"{") and first.endswith(b"}") and second.startswith(b"{")


def parse_file(path: Path) -> Iterator[Parsed]:
    """Yield one ``Parsed`` per Crossref work in ``path`` (errors as ``Parsed.error``, never raised per record)."""
    path = Path(path)
    try:
        with open_binary(path) as fh:
            first = fh.readline()
            while first and not first.strip():
                first = fh.readline()
            second = fh.readline()
            if _looks_like_jsonl(path, first, second):
                yield from _parse_jsonl(path, [first, second], fh)
                return
            data = first + second + fh.read()
    except GZIP_ERRORS as exc:
        raise gzip_problem(path, exc) from exc
    yield from _parse_document(path, decode_utf8(path, data))


def _parse_document(path: Path, text: str) -> Iterator[Parsed]:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(str(path), f"line {exc.lineno}, column {exc.colno}", f"invalid JSON: {exc.msg}") from exc
    if isinstance(obj, dict) and obj.get("status") not in (None, "ok"):
        raise ParseError(str(path), "status", f"Crossref API error response: {str(obj.get('message'))[:200]}")
    for location, raw in works_in(obj, ""):
        yield parse_record(raw, location)


def _parse_jsonl(path: Path, head: list[bytes], fh: IO[bytes]) -> Iterator[Parsed]:
    """JSON Lines; blank lines before the first record are not counted (rare, and harmless)."""
    for lineno, line in enumerate(itertools.chain(head, fh), 1):
        if not line.strip():
            continue
        text = decode_utf8(path, line, lineno)
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            yield Parsed(f"line {lineno}", SOURCE, error=f"invalid JSON at column {exc.colno}: {exc.msg}")
            continue
        for location, raw in works_in(obj, f"line {lineno}"):
            yield parse_record(raw, location)


def works_in(obj: Any, where: str) -> Iterator[tuple[str, Any]]:
    """(location, raw work) pairs for every envelope shape Crossref uses."""
    prefix = f"{where} " if where else ""
    if isinstance(obj, dict) and "message" in obj:
        obj = obj["message"]
    if isinstance(obj, dict) and isinstance(obj.get("items"), list):
        obj = obj["items"]
    if isinstance(obj, list):
        for i, raw in enumerate(obj, 1):
            yield f"{prefix}item {i}", raw
    else:
        yield where or "message", obj


# --------------------------------------------------------------------------- one work


def parse_record(raw: Any, location: str) -> Parsed:
    """One raw Crossref work -> ``Parsed`` holding a ``WorkRec`` or the reason it was rejected."""
    try:
        work = work_from_crossref(raw)
    except BadRecord as exc:
        key = norm_doi(raw.get("DOI")) if isinstance(raw, dict) and isinstance(raw.get("DOI"), str) else None
        return Parsed(location, SOURCE, key=key, error=str(exc), raw_hash=record_hash(raw))
    return Parsed(location, SOURCE, key=work.doi, item=work, raw_hash=record_hash(raw))


def work_from_crossref(raw: Any) -> WorkRec:
    """A ``WorkRec`` built from one Crossref work dict; raises ``BadRecord`` when it cannot be understood."""
    if not isinstance(raw, dict):
        raise BadRecord(f"work is {type(raw).__name__}, expected a JSON object")
    doi = norm_doi(_expect(raw, "DOI", str))
    if not doi:
        raise BadRecord("missing DOI")
    title = first_text(raw, "title")
    if not title:
        raise BadRecord("missing title")
    ctype = _expect(raw, "type", str)
    year, date = crossref_date(raw)
    return WorkRec(
        title=title,
        abstract=jats_to_text(_expect(raw, "abstract", str)),
        type=work_type(ctype, _expect(raw, "subtype", str)),
        year=year,
        publication_date=date,
        language=_expect(raw, "language", str),
        venue=venue_of(raw, ctype),
        doi=doi,
        arxiv_id=norm_arxiv(doi.split("arxiv.", 1)[1]) if doi.startswith("10.48550/arxiv.") else None,
        cited_by_count=_expect(raw, "is-referenced-by-count", int),
        authorships=authorships_of(_expect(raw, "author", list) or []),
        topics=[TopicRec(name=s, kind="subject") for s in _strings(raw, "subject")],
        references=[reference_of(r) for r in _expect(raw, "reference", list) or [] if isinstance(r, dict)],
        versions=versions_of(raw.get("relation")),
    )


def _expect(raw: dict, key: str, kind: type) -> Any:
    """``raw[key]`` when it has the expected type, None when absent or null; raises BadRecord otherwise."""
    value = raw.get(key)
    if value is None:
        return None
    if kind is int and isinstance(value, bool) or not isinstance(value, kind):
        raise BadRecord(f'"{key}" is {type(value).__name__}, expected {kind.__name__}')
    return value


def _strings(raw: dict, key: str) -> list[str]:
    """A list-of-strings field (Crossref puts titles in lists); a lone string is accepted too."""
    value = raw.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise BadRecord(f'"{key}" is {type(value).__name__}, expected a list of strings')
    wrong = next((v for v in value if not isinstance(v, str)), None)
    if wrong is not None:
        raise BadRecord(f'"{key}" contains {type(wrong).__name__}, expected a list of strings')
    return [t for t in (clean_text(v) for v in value) if t]


def first_text(raw: dict, key: str) -> str | None:
    """The first non-empty string of a list-of-strings field, cleaned of markup."""
    values = _strings(raw, key)
    return values[0] if values else None


def clean_text(value: str) -> str:
    """Text without inline markup and HTML entities, whitespace collapsed.

    >>> clean_text("Software &amp;  <i>Systems</i> Modeling")
    'Software & Systems Modeling'
    """
    return " ".join(html.unescape(_TAG_RE.sub("", value)).split())


def jats_to_text(value: str | None) -> str | None:
    """Plain text of a JATS abstract, paragraphs separated by a blank line.

    >>> jats_to_text("<jats:title>Abstract</jats:title><jats:p>One &amp; <jats:italic>two</jats:italic>.</jats:p><jats:p>Three</jats:p>")
    'One & two.\\n\\nThree'
    """
    if not value:
        return None
    parts = [clean_text(p) for p in _PARA_END_RE.split(value)]
    parts = [p for p in parts if p]
    if parts and parts[0].lower() in ("abstract", "summary"):
        parts = parts[1:]
    return "\n\n".join(parts) or None


def work_type(ctype: str | None, subtype: str | None) -> str | None:
    """Crossref type -> neutral type (``posted-content`` + ``preprint`` -> ``preprint``); unknown types kept as is."""
    if ctype == "posted-content":
        return "preprint" if subtype in (None, "preprint") else subtype
    return _TYPE_MAP.get(ctype, ctype) if ctype else None


def date_parts(value: Any) -> tuple[int | None, str | None]:
    """(year, ISO date or None) from a Crossref ``{"date-parts": [[y, m, d]]}`` object.

    >>> date_parts({"date-parts": [[2022, 4, 30]]})
    (2022, '2022-04-30')
    >>> date_parts({"date-parts": [[2022, 4]]})
    (2022, None)
    """
    try:
        parts = [int(p) for p in value["date-parts"][0] if p is not None]
    except (TypeError, KeyError, IndexError, ValueError):
        return None, None
    if not parts:
        return None, None
    date = f"{parts[0]:04d}-{parts[1]:02d}-{parts[2]:02d}" if len(parts) >= 3 else None
    return parts[0], date


def crossref_date(raw: dict) -> tuple[int | None, str | None]:
    """(year, full ISO date or None): the year from the first dated field, the date from the first full date
    of that year, fields tried in the order published / issued / published-print / published-online."""
    found = [date_parts(raw.get(key)) for key in ("published", "issued", "published-print", "published-online")]
    year = next((y for y, _ in found if y), None)
    return year, next((d for y, d in found if d and y == year), None)


def venue_of(raw: dict, ctype: str | None) -> VenueRec | None:
    """The container (journal, proceedings, book) with ISSNs and publisher, or None."""
    name = first_text(raw, "container-title")
    if not name:
        return None
    issns: list[str] = []
    for entry in _expect(raw, "issn-type", list) or []:
        if isinstance(entry, dict) and isinstance(entry.get("value"), str):
            issns.append(entry["value"].upper())
    issns += [i.upper() for i in _strings(raw, "ISSN")]
    publisher = _expect(raw, "publisher", str)
    return VenueRec(name=name, issns=list(dict.fromkeys(issns)), type=_VENUE_TYPE.get(ctype or ""), publisher=publisher)


def authorships_of(authors: list) -> list[AuthorshipRec]:
    """Byline in order; an author marked ``sequence: first`` is moved to position 0 if listed later."""
    entries = [a for a in authors if isinstance(a, dict)]
    entries.sort(key=lambda a: a.get("sequence") != "first")
    result = []
    for author in entries:
        person = person_of(author)
        if person is None:
            continue
        insts = [i for i in (institution_of(a) for a in author.get("affiliation") or []) if i]
        result.append(
            AuthorshipRec(
                person=person,
                position=len(result),
                raw_author_name=person.display_name,
                raw_affiliation="; ".join(i.name for i in insts) or None,
                institutions=insts,
            )
        )
    return result


def person_of(author: dict) -> PersonRec | None:
    """A person (or group author, from ``name``) with ORCID; None when the entry has no name at all."""
    given = _plain(author.get("given"))
    family = _plain(author.get("family"))
    display = " ".join(p for p in (given, family) if p) or _plain(author.get("name"))
    if not display:
        return None
    return PersonRec(
        display_name=display,
        orcid=norm_orcid(author.get("ORCID")),
        given_name=given,
        family_name=family,
    )


def _plain(value: Any) -> str | None:
    return clean_text(value) or None if isinstance(value, str) else None


def institution_of(affiliation: Any) -> InstitutionRec | None:
    """``{"name": ..., "id": [{"id": ror, "id-type": "ROR"}]}`` -> InstitutionRec (by name, ROR when given)."""
    if not isinstance(affiliation, dict) or not _plain(affiliation.get("name")):
        return None
    ror = None
    for ident in affiliation.get("id") or []:
        if isinstance(ident, dict) and str(ident.get("id-type", "")).upper() == "ROR":
            ror = norm_ror(ident.get("id"))
    return InstitutionRec(name=_plain(affiliation["name"]), ror=ror)


def reference_of(ref: dict) -> RefRec:
    """One ``reference[]`` entry -> RefRec; ``raw`` is ``unstructured`` or the structured parts joined."""
    title = _plain(ref.get("article-title")) or _plain(ref.get("volume-title"))
    year_match = _YEAR_RE.search(str(ref.get("year") or ""))
    raw = _plain(ref.get("unstructured"))
    if not raw:
        keys = ("author", "article-title", "volume-title", "journal-title", "volume", "issue", "first-page", "year")
        raw = ", ".join(str(ref[k]) for k in keys if ref.get(k)) or None
    return RefRec(
        doi=norm_doi(ref.get("DOI")), title=title, year=int(year_match.group(1)) if year_match else None, raw=raw
    )


def versions_of(relation: Any) -> list[VersionRec]:
    """``relation`` has-preprint / is-preprint-of -> VersionRec of the related item (doi, arXiv or url)."""
    if not isinstance(relation, dict):
        return []
    versions = []
    for name, kind in _RELATION_KIND.items():
        for rel in relation.get(name) or []:
            if not isinstance(rel, dict) or not isinstance(rel.get("id"), str):
                continue
            id_type, ident = str(rel.get("id-type", "")).lower(), rel["id"]
            versions.append(
                VersionRec(
                    kind=kind,
                    doi=norm_doi(ident) if id_type == "doi" else None,
                    arxiv_id=norm_arxiv(ident) if id_type == "arxiv" else None,
                    url=ident if id_type in ("uri", "url") else None,
                )
            )
    return versions
