"""BibTeX (and the common BibLaTeX fields) via ``bibtexparser`` 2.x; names read with :mod:`core.names`.

Entries that bibtexparser cannot parse (unbalanced braces, a missing comma after the key, a duplicate key)
come back as per-entry errors. A missing comma *between* fields is not reported by bibtexparser (the first
field silently swallows the next); it is detected here when a value contains ``} year = {`` and the like.

>>> work_type("inproceedings", has_arxiv=False), work_type("misc", has_arxiv=True), work_type("misc", has_arxiv=False)
('proceedings-article', 'preprint', 'other')
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import bibtexparser
from bibtexparser import model

from core.ingest.arxiv import authorship, code_urls
from core.ingest.ids import norm_arxiv, norm_doi, record_hash
from core.ingest.jsonfiles import read_bytes
from core.ingest.records import Parsed, ParseError, VenueRec, VersionRec, WorkRec
from core.names import latex_to_unicode, parse_bibtex_names

SOURCE = "bibtex"
_TYPES = {
    "article": "article", "inproceedings": "proceedings-article", "conference": "proceedings-article",
    "incollection": "book-chapter", "inbook": "book-chapter", "book": "book", "proceedings": "book",
    "phdthesis": "dissertation", "mastersthesis": "dissertation", "thesis": "dissertation",
    "techreport": "report", "report": "report", "unpublished": "preprint", "dataset": "dataset",
    "software": "software",
}  # fmt: skip
_FIELD_NAMES = (
    "author|title|year|journal|booktitle|doi|url|pages|volume|number|publisher|eprint|abstract|keywords|month|"
    "note|archiveprefix|primaryclass|editor|series|address|organization|school|institution|issn|isbn"
)
_SWALLOWED_RE = re.compile(r"[}\"]\s+(" + _FIELD_NAMES + r")\s*=\s*[{\"\d]", re.I)
_ENTRY_START_RE = re.compile(
    r"^\s*@\s*(article|inproceedings|misc|book|incollection|phdthesis|techreport)\s*[{(]", re.I | re.M
)
_MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split()


def sniff(path: Path, head: str) -> bool:
    """Whether the file is a ``.bib`` file or starts with BibTeX entries."""
    return path.suffix.lower() in (".bib", ".bibtex") or bool(_ENTRY_START_RE.search(head))


def parse_file(path: Path) -> Iterator[Parsed]:
    """Every entry (and every entry bibtexparser failed to read) as a ``Parsed``, in file order.

    Raises ``ParseError`` for a file that is not UTF-8, is empty, or holds no BibTeX entry at all.
    """
    raw = read_bytes(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(str(path), f"byte {exc.start}", f"not valid UTF-8 ({exc.reason})") from None
    if not text.strip():
        raise ParseError(str(path), "file", "file is empty")
    library = bibtexparser.parse_string(text)
    if not library.entries and not library.failed_blocks:
        raise ParseError(str(path), "file", "no BibTeX entries found")
    strings = {s.key.lower(): str(s.value) for s in library.strings}
    for block in library.blocks:
        if isinstance(block, model.Entry):
            yield parse_entry(block, strings)
        elif isinstance(block, model.ParsingFailedBlock):
            yield _failed(block)


def _failed(block: model.Block) -> Parsed:
    """The error for a block bibtexparser could not read, located by its citation key when one is visible."""
    key = getattr(block, "key", None)
    if key is None:
        m = re.match(r"\s*@\s*\w+\s*[{(]\s*([^,\s{}()]+)\s*,", block.raw or "")
        key = m.group(1) if m else None
    location = f"entry {key}" if key else f"line {(block.start_line or 0) + 1}"
    if isinstance(block, model.DuplicateBlockKeyBlock):
        problem = f"duplicate citation key {key!r}; the first entry with this key is kept"
    elif isinstance(block, model.DuplicateFieldKeyBlock):
        problem = f"a field appears twice ({block.error})"
    else:
        error = getattr(block, "error", None)
        reason = getattr(error, "abort_reason", None) or str(error or "") or "syntax error"
        problem = f"unreadable BibTeX: {' '.join(reason.split())}"
    return Parsed(location, SOURCE, error=f"{location}: {problem}", raw_hash=record_hash(block.raw or ""))


def parse_entry(entry: model.Entry, strings: dict[str, str] | None = None) -> Parsed:
    """One bibtexparser ``Entry`` -> ``Parsed`` (location ``entry <citekey>``; key = the citation key)."""
    location = f"entry {entry.key}"
    raw_hash = record_hash(entry.raw or "")
    fields = {f.key.lower(): _value(f.value, strings or {}) for f in entry.fields}
    try:
        work = parse_work(entry.entry_type.lower(), fields)
    except ValueError as exc:
        return Parsed(location, SOURCE, key=entry.key, error=f"{location}: {exc}", raw_hash=raw_hash)
    return Parsed(location, SOURCE, key=entry.key, item=work, raw_hash=raw_hash)


def parse_work(entry_type: str, fields: dict[str, str]) -> WorkRec:
    """The ``WorkRec`` of an entry given its type and lower-cased fields; raises ValueError naming the problem."""
    for name, value in fields.items():
        m = _SWALLOWED_RE.search(value)
        if m:
            raise ValueError(f"field {name!r} runs into {m.group(1)!r} = ...; is a comma missing between fields?")
    title = _text(fields.get("title"))
    if not title:
        raise ValueError("missing title")
    arxiv_id = _arxiv_id(fields)
    journal, booktitle = _text(fields.get("journal")), _text(fields.get("booktitle"))
    if journal and _is_arxiv_venue(journal):
        journal = None
    year, date = _year_and_date(fields)
    doi = norm_doi(fields.get("doi"))
    url = (fields.get("url") or "").strip() or None
    names = parse_bibtex_names(fields["author"]) if fields.get("author") else []
    wtype = work_type(entry_type, has_arxiv=bool(arxiv_id) and not journal and not booktitle)
    venue_name = journal or booktitle
    versions = []
    if arxiv_id:
        versions.append(VersionRec(kind="preprint", arxiv_id=arxiv_id, url=f"https://arxiv.org/abs/{arxiv_id}"))
    if venue_name or doi:
        web = url if url and "arxiv.org" not in url else None
        versions.append(VersionRec(kind="published", doi=doi, venue_name=venue_name, year=year, url=web))
    return WorkRec(
        title=title,
        abstract=_text(fields.get("abstract")),
        type=wtype,
        year=year,
        publication_date=date,
        venue=_venue(journal, booktitle, fields, wtype),
        doi=doi,
        arxiv_id=arxiv_id,
        code_urls=code_urls(" ".join(fields.get(k, "") for k in ("url", "code", "note", "howpublished"))),
        authorships=[authorship(p, i) for i, p in enumerate(names)],
        authorships_complete=_complete(fields.get("author", ""), names),
        versions=versions,
        keywords=[k.strip() for k in re.split(r"[;,]", _text(fields.get("keywords")) or "") if k.strip()],
    )


def _complete(author_field: str, names: list) -> bool:
    """False for "and others" lists and for collaborations standing in for their members."""
    truncated = re.search(r"\band\s+others\s*$", author_field)
    return bool(names) and not truncated and not any(p.is_collaboration for p in names)


def work_type(entry_type: str, *, has_arxiv: bool) -> str:
    """Work type for a BibTeX entry type; ``misc``/``online``/``unpublished`` with an arXiv id are preprints."""
    if has_arxiv and entry_type in ("misc", "online", "unpublished", "article", "techreport", "report"):
        return "preprint"
    return _TYPES.get(entry_type, "other")


def _value(value: object, strings: dict[str, str]) -> str:
    """A field value with ``"a" # macro # {b}`` concatenations resolved (bibtexparser leaves them as written)."""
    text = str(value)
    pieces = _split_concat(text)
    if len(pieces) < 2:
        return text
    out = []
    for piece in pieces:
        piece = piece.strip()
        if piece[:1] in '{"' and piece[-1:] in '}"':
            out.append(piece[1:-1])
        elif piece.lower() in strings:
            out.append(strings[piece.lower()])
        elif piece.lower()[:3] in _MONTHS and len(piece) == 3:
            out.append(piece.capitalize())
        else:
            out.append(piece)
    return "".join(out)


def _split_concat(text: str) -> list[str]:
    """Pieces of ``text`` split on ``#`` outside braces and quotes (a single piece when there is no concatenation)."""
    pieces, buf, depth, quoted = [], [], 0, False
    for i, ch in enumerate(text):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0 and (i == 0 or text[i - 1] != "\\"):
            quoted = not quoted
        elif ch == "#" and depth == 0 and not quoted:
            pieces.append("".join(buf))
            buf = []
            continue
        buf.append(ch)
    pieces.append("".join(buf))
    if len(pieces) > 1 and not all(re.fullmatch(r'\s*(?:\{.*\}|".*"|\w+)\s*', p, re.S) for p in pieces):
        return [text]  # a literal "#" inside text, not a concatenation
    return pieces


def _text(value: str | None) -> str | None:
    """LaTeX to Unicode (math kept), whitespace collapsed; None when empty."""
    if not value:
        return None
    return " ".join(latex_to_unicode(value).split()) or None


def _is_arxiv_venue(name: str) -> bool:
    return bool(re.match(r"\s*(?:arxiv|corr)\b", name, re.I))


def _arxiv_id(fields: dict[str, str]) -> str | None:
    """arXiv id from ``eprint`` (with archivePrefix/eprinttype arXiv, or shaped like one), ``arxiv``, journal or url."""
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    eprint = (fields.get("eprint") or "").strip()
    if eprint and (
        prefix == "arxiv" or (not prefix and re.fullmatch(r"(?:arxiv:)?\d{4}\.\d{4,5}(?:v\d+)?", eprint, re.I))
    ):
        return norm_arxiv(eprint)
    for name in ("arxiv", "arxivid", "journal", "url"):
        value = fields.get(name) or ""
        if name != "arxiv" and "arxiv" not in value.lower() and not _is_arxiv_venue(value):
            continue
        found = norm_arxiv(value)
        if found:
            return found
    return None


def _year_and_date(fields: dict[str, str]) -> tuple[int | None, str | None]:
    """(year, ISO date) from ``year`` or BibLaTeX ``date``; a ``year`` without four digits is an error."""
    date = (fields.get("date") or "").strip()
    iso = date if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) else None
    raw_year = (fields.get("year") or "").strip()
    m = re.search(r"(?<!\d)\d{4}(?!\d)", raw_year or date)
    if raw_year and not m:
        raise ValueError(f"year {raw_year!r} is not a year")
    return (int(m.group(0)) if m else None), iso


def _venue(journal: str | None, booktitle: str | None, fields: dict[str, str], wtype: str) -> VenueRec | None:
    publisher = _text(fields.get("publisher"))
    if journal:
        return VenueRec(name=journal, type="journal", publisher=publisher)
    if booktitle:
        return VenueRec(name=booktitle, type="conference", publisher=publisher)
    if wtype == "preprint":
        return VenueRec(name="arXiv", type="repository")
    return None
