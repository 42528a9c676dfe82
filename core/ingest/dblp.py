"""DBLP XML (``dblp.xml`` / ``dblp.xml.gz``) -> neutral records, streamed with a pull parser.

Quirks tolerated:

* The file is ISO-8859-1 and uses the DTD's named entities (``&uuml;``) without shipping ``dblp.dtd``: every named
  entity other than the five XML ones is rewritten to a numeric reference (``html.entities.name2codepoint``) before
  the bytes reach expat; an entity unknown to HTML is kept as literal text (``&foo;``).
* Samples cut from the full file end with ``<dblp>`` instead of ``</dblp>``: at end of input any still-open ``dblp``
  elements are closed. A file that ends inside a record is truncated -> ``ParseError``.

Publications (article, inproceedings, proceedings, book, incollection, phdthesis, mastersthesis, data) -> ``WorkRec``
with ``dblp_key`` (also ``Parsed.key``). ``ee`` links: doi.org / dx.doi.org / doi.acm.org -> ``doi``; arxiv.org ->
``arxiv_id``; a link marked ``type="oa"`` -> ``oa_url`` and ``is_oa=True``; other links (and ``url``, volume, pages,
editors, ``cite``) have no field in the neutral records and are skipped. The trailing period DBLP adds to every title
is removed. ``journals/corr`` articles are arXiv preprints (type ``preprint``).

Authors: DBLP disambiguates homonyms with a 4-digit suffix ("Wei Wang 0001"). The display name drops it ("Wei Wang"),
the full string becomes a name variant, and - because the suffix *is* DBLP's identity for that person and the real
pid is only known from the ``www`` homepage record - ``dblp_pid`` is set to ``"name:Wei Wang 0001"``, only when a
suffix is present (an unnumbered name is not an identity). ``orcid`` attributes -> ``PersonRec.orcid``.

``www`` records with a ``homepages/<pid>`` key -> ``PersonRec(dblp_pid=<pid>)`` (first author = the person, later
authors = aliases, ``note type="affiliation"`` without a label = current institution); disambiguation pages and other
``www`` records are skipped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.entities import name2codepoint
from pathlib import Path
from typing import IO

from core.ingest.crossref import GZIP_ERRORS, gzip_problem, open_binary
from core.ingest.ids import norm_arxiv, norm_doi, norm_orcid, record_hash
from core.ingest.records import AuthorshipRec, InstitutionRec, Parsed, ParseError, PersonRec, VenueRec, WorkRec

SOURCE = "dblp"
_TYPE_MAP = {
    "article": "article",
    "inproceedings": "article",
    "proceedings": "book",
    "book": "book",
    "incollection": "book-chapter",
    "phdthesis": "dissertation",
    "mastersthesis": "dissertation",
    "data": "dataset",
}
RECORD_TAGS = frozenset(_TYPE_MAP) | {"www"}
_DOI_HOSTS = re.compile(r"^https?://(dx\.)?doi\.org/|^https?://doi\.acm\.org/|^https?://doi\.ieeecomputersociety\.org/")
_ENTITY_RE = re.compile(rb"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = {b"amp", b"lt", b"gt", b"quot", b"apos"}
_HOMONYM_RE = re.compile(r"^(.*\S)\s+(\d{4})$")
_CHUNK = 1 << 20


class BadRecord(ValueError):
    """A single record cannot be understood; the message says why."""


def sniff(path: Path, head: str) -> bool:
    """True when ``head`` is the start of a DBLP XML file."""
    return "<!DOCTYPE dblp" in head or "<dblp>" in head


def _entity(match: re.Match) -> bytes:
    name = match.group(1)
    if name in _XML_ENTITIES:
        return match.group(0)
    code = name2codepoint.get(name.decode("ascii"))
    return b"&#%d;" % code if code is not None else b"&amp;" + name + b";"


def fix_entities(data: bytes) -> bytes:
    """``data`` with HTML named entities turned into numeric references.

    >>> fix_entities(b"J&uuml;rgen &amp; &foo;")
    b'J&#252;rgen &amp; &amp;foo;'
    """
    return _ENTITY_RE.sub(_entity, data)


def repaired_chunks(fh: IO[bytes]) -> Iterator[bytes]:
    """Entity-repaired blocks of ``fh``, never splitting an entity across two blocks."""
    pending = b""
    while block := fh.read(_CHUNK):
        data = pending + block
        amp = data.rfind(b"&")
        if amp != -1 and b";" not in data[amp:] and len(data) - amp < 64:
            data, pending = data[:amp], data[amp:]
        else:
            pending = b""
        yield fix_entities(data)
    if pending:
        yield fix_entities(pending)


def parse_file(path: Path) -> Iterator[Parsed]:
    """Yield one ``Parsed`` per DBLP publication and per person homepage in ``path``, in file order."""
    path = Path(path)
    parser = ET.XMLPullParser(events=("start", "end"))
    state = _State()
    try:
        with open_binary(path) as fh:
            for chunk in repaired_chunks(fh):
                parser.feed(chunk)
                yield from state.drain(parser)
            if state.root is None:
                raise ParseError(str(path), "start of file", "no XML element found (empty file or not DBLP XML)")
            parser.feed(_closing_tags(path, state))
            parser.close()
            yield from state.drain(parser)
    except GZIP_ERRORS as exc:
        raise gzip_problem(path, exc) from exc
    except ET.ParseError as exc:
        line, col = exc.position
        problem = re.sub(r": line \d+, column \d+$", "", str(exc))
        raise ParseError(str(path), f"line {line}, column {col}", f"not well-formed XML: {problem}") from exc


def _closing_tags(path: Path, state: _State) -> bytes:
    """End tags for the ``dblp`` elements still open at end of input; ParseError if a record is still open."""
    if any(tag != "dblp" for tag in state.stack):
        open_tags = "".join(f"<{t}>" for t in state.stack)
        raise ParseError(str(path), f"record {state.count + 1}", f"file ends inside {open_tags}: truncated DBLP XML")
    return b"".join(b"</dblp>" for _ in state.stack)


class _State:
    """Element stack and record counter shared across the pull parser's event batches."""

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.count = 0
        self.root: ET.Element | None = None

    def drain(self, parser: ET.XMLPullParser) -> Iterator[Parsed]:
        for event, el in parser.read_events():
            if event == "start":
                self.root = el if self.root is None else self.root
                self.stack.append(el.tag)
                continue
            self.stack.pop()
            if len(self.stack) != 1:
                continue
            if el.tag in RECORD_TAGS:
                self.count += 1
                parsed = parse_record(el, f"record {self.count}")
                if parsed is not None:
                    yield parsed
            self.root.clear()  # keep memory flat on the multi-GB full file


# --------------------------------------------------------------------------- one record


def parse_record(el: ET.Element, location: str) -> Parsed | None:
    """One record element -> ``Parsed`` (None for ``www`` records that are not person homepages)."""
    key = el.get("key")
    raw_hash = record_hash(ET.tostring(el, encoding="unicode"))
    try:
        item = person_from_www(el) if el.tag == "www" else work_from_dblp(el)
    except BadRecord as exc:
        return Parsed(location, SOURCE, key=key, error=str(exc), raw_hash=raw_hash)
    if item is None:
        return None
    return Parsed(location, SOURCE, key=item.dblp_pid if el.tag == "www" else key, item=item, raw_hash=raw_hash)


def text_of(el: ET.Element | None) -> str | None:
    """All text inside ``el`` (inline ``<i>``, ``<sub>`` ... flattened), whitespace collapsed; None if empty."""
    if el is None:
        return None
    return " ".join("".join(el.itertext()).split()) or None


def clean_title(title: str) -> str:
    """DBLP title without the period DBLP appends.

    >>> clean_title("The decay and failures of web references.")
    'The decay and failures of web references'
    >>> clean_title("Is it? Yes...")
    'Is it? Yes...'
    """
    return title[:-1] if title.endswith(".") and not title.endswith("..") else title


def work_from_dblp(el: ET.Element) -> WorkRec:
    """A publication record -> WorkRec; raises ``BadRecord`` without key or title."""
    key = el.get("key")
    if not key:
        raise BadRecord(f"<{el.tag}> record has no key attribute")
    title = text_of(el.find("title"))
    if not title:
        raise BadRecord(f"<{el.tag}> {key} has no title")
    year = text_of(el.find("year"))
    work = WorkRec(
        title=clean_title(title),
        type="preprint" if key.startswith("journals/corr/") else _TYPE_MAP[el.tag],
        year=int(year) if year and year.isdigit() else None,
        venue=venue_of(el),
        dblp_key=key,
        authorships=authorships_of(el),
    )
    _apply_links(work, el.findall("ee"))
    return work


def venue_of(el: ET.Element) -> VenueRec | None:
    """``journal`` (journal), ``booktitle`` (conference) or ``series`` (book series), with the publisher."""
    publisher = text_of(el.find("publisher"))
    for tag, kind in (("journal", "journal"), ("booktitle", "conference"), ("series", "book series")):
        name = text_of(el.find(tag))
        if name:
            return VenueRec(name=name, type=kind, publisher=publisher)
    return None


def _apply_links(work: WorkRec, links: list[ET.Element]) -> None:
    """Fill doi / arxiv_id / oa_url from ``ee`` elements (first of each kind wins)."""
    for link in links:
        url = text_of(link) or ""
        if _DOI_HOSTS.match(url):
            work.doi = work.doi or norm_doi(url)
        elif "arxiv.org/" in url:
            work.arxiv_id = work.arxiv_id or norm_arxiv(url)
        if link.get("type") == "oa" and url:
            work.oa_url = work.oa_url or url
            work.is_oa = True


def person_of(name: str, orcid: str | None = None) -> PersonRec:
    """A byline name -> PersonRec; a homonym suffix moves to ``name_variants`` and ``dblp_pid="name:..."``.

    >>> p = person_of("Wei Wang 0001")
    >>> (p.display_name, p.name_variants, p.dblp_pid)
    ('Wei Wang', ['Wei Wang 0001'], 'name:Wei Wang 0001')
    """
    match = _HOMONYM_RE.match(name)
    if not match:
        return PersonRec(display_name=name, orcid=norm_orcid(orcid))
    return PersonRec(
        display_name=match.group(1), orcid=norm_orcid(orcid), name_variants=[name], dblp_pid=f"name:{name}"
    )


def authorships_of(el: ET.Element) -> list[AuthorshipRec]:
    """``author`` elements in order; a thesis author gets the ``school`` as institution."""
    school = text_of(el.find("school"))
    result = []
    for author in el.findall("author"):
        name = text_of(author)
        if not name:
            continue
        result.append(
            AuthorshipRec(
                person=person_of(name, author.get("orcid")),
                position=len(result),
                raw_author_name=name,
                raw_affiliation=school,
                institutions=[InstitutionRec(name=school)] if school else [],
            )
        )
    return result


def person_from_www(el: ET.Element) -> PersonRec | None:
    """A ``homepages/<pid>`` record -> PersonRec; None for disambiguation pages and other ``www`` records."""
    key = el.get("key") or ""
    notes = el.findall("note")
    if not key.startswith("homepages/") or any(n.get("type") == "disambiguation" for n in notes):
        return None
    names = [n for n in (text_of(a) for a in el.findall("author")) if n]
    if not names:
        raise BadRecord(f"<www> {key} has no author name")
    urls = [u for u in (text_of(x) for x in el.findall("url")) if u]
    orcid = next((a.get("orcid") for a in el.findall("author") if a.get("orcid")), None)
    orcid = orcid or next((u for u in urls if "orcid.org/" in u), None)
    person = person_of(names[0], orcid)
    person.dblp_pid = key.removeprefix("homepages/")
    person.name_variants = list(dict.fromkeys(person.name_variants + names[1:]))
    person.homepage = next((u for u in urls if u.startswith("http") and "orcid.org/" not in u), None)
    affiliations = [text_of(n) for n in notes if n.get("type") == "affiliation" and not n.get("label")]
    person.institutions = [InstitutionRec(name=a) for a in affiliations if a]
    return person
