"""A lab's publication list as CSV: ``authors, title, venue, year, doi, arxiv_id, tags`` (only authors and title needed).

Header names are matched case-insensitively after trimming; tags are separated by ``;`` or ``,``.
Author strings are read with :mod:`core.names`, so ``*`` (corresponding) and ``#`` (equal contribution) marks count.

>>> title_key("Embedding Principle: a  hierarchical structure!")
'embedding principle a hierarchical structure'
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from core.ingest.arxiv import authorship
from core.ingest.ids import norm_arxiv, norm_doi, record_hash
from core.ingest.jsonfiles import read_bytes
from core.ingest.records import Parsed, ParseError, VenueRec, VersionRec, WorkRec
from core.names import author_list_truncated, latex_to_unicode, parse_author_list

SOURCE = "publist"
COLUMNS = ("authors", "title", "venue", "year", "doi", "arxiv_id", "tags")
REQUIRED = ("authors", "title")
_ALIASES = {"author": "authors", "arxiv": "arxiv_id", "arxiv id": "arxiv_id", "arxivid": "arxiv_id", "tag": "tags"}
_ARXIV_VENUES = {"", "arxiv", "arxiv preprint", "corr"}


def sniff(path: Path, head: str) -> bool:
    """Whether the file is a ``.csv`` whose header has an ``authors`` and a ``title`` column."""
    if path.suffix.lower() != ".csv":
        return False
    first = head.lstrip("\ufeff").splitlines()[0] if head.strip() else ""
    names = {_column(c) for c in next(csv.reader([first], delimiter=_delimiter(first)), [])}
    return set(REQUIRED) <= names


def parse_file(path: Path) -> Iterator[Parsed]:
    """Every data row as a ``Parsed`` work or a ``row N: ...`` error (N counts the header as line 1).

    Raises ``ParseError`` for a file that is not UTF-8 or lacks the ``authors``/``title`` columns.
    """
    raw = read_bytes(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(str(path), f"byte {exc.start}", f"not valid UTF-8 ({exc.reason})") from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise ParseError(str(path), "row 1", "no header row")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(lines[0]))
    header = [_column(c) for c in next(reader)]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ParseError(str(path), "row 1", f"missing required column(s): {', '.join(missing)}")
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ParseError(str(path), f"row {start}", f"unreadable CSV ({exc})") from None
        if not any(c.strip() for c in cells):
            continue
        row = {name: cells[i].strip() if i < len(cells) else "" for i, name in enumerate(header) if name}
        yield parse_row(row, f"row {start}")


def _column(name: str) -> str:
    name = " ".join(name.strip().lstrip("\ufeff").lower().split())
    return _ALIASES.get(name, name.replace(" ", "_"))


def _delimiter(header: str) -> str:
    """The separator used by the header line: the most frequent of comma, semicolon and tab."""
    return max((",", ";", "\t"), key=header.count)


def parse_row(row: dict[str, str], location: str = "row 2") -> Parsed:
    """One row (column name -> cell text) -> ``Parsed``; a missing title/authors or bad year/doi/arXiv id is an error."""
    raw_hash = record_hash({k: v for k, v in row.items() if v})
    try:
        work = parse_work(row)
    except ValueError as exc:
        return Parsed(location, SOURCE, error=f"{location}: {exc}", raw_hash=raw_hash)
    key = work.doi or work.arxiv_id or f"{title_key(work.title)}|{work.year or ''}"
    return Parsed(location, SOURCE, key=key, item=work, raw_hash=raw_hash)


def parse_work(row: dict[str, str]) -> WorkRec:
    """The ``WorkRec`` of one row; raises ValueError naming the bad cell."""
    title = " ".join(latex_to_unicode(row.get("title", "")).split())
    if not title:
        raise ValueError("missing title")
    authors = row.get("authors", "")
    names = parse_author_list(authors)
    if not names:
        raise ValueError("missing authors")
    year = _year(row.get("year", ""))
    doi, arxiv_id = _ids(row)
    venue_name = " ".join(row.get("venue", "").split())
    published_venue = venue_name if venue_name.casefold() not in _ARXIV_VENUES else ""
    versions = []
    if arxiv_id:
        versions.append(VersionRec(kind="preprint", arxiv_id=arxiv_id, url=f"https://arxiv.org/abs/{arxiv_id}"))
    if doi or published_venue:
        versions.append(VersionRec(kind="published", doi=doi, venue_name=published_venue or None, year=year))
    is_preprint = bool(arxiv_id) and not doi and not published_venue
    return WorkRec(
        title=title,
        type="preprint" if is_preprint else "article",
        year=year,
        venue=_venue(venue_name, is_preprint),
        doi=doi,
        arxiv_id=arxiv_id,
        authorships=[authorship(p, i) for i, p in enumerate(names)],
        authorships_complete=not author_list_truncated(authors) and not any(p.is_collaboration for p in names),
        versions=versions,
        tags=[t.strip() for t in re.split(r"[;,]", row.get("tags", "")) if t.strip()],
    )


def _year(cell: str) -> int | None:
    if not cell:
        return None
    if not re.fullmatch(r"\d{4}", cell):
        raise ValueError(f"year {cell!r} is not an integer year")
    return int(cell)


def _ids(row: dict[str, str]) -> tuple[str | None, str | None]:
    raw_doi, raw_arxiv = row.get("doi", ""), row.get("arxiv_id", "")
    doi, arxiv_id = norm_doi(raw_doi), norm_arxiv(raw_arxiv)
    if raw_doi and not doi:
        raise ValueError(f"doi {raw_doi!r} is not a DOI")
    if raw_arxiv and not arxiv_id:
        raise ValueError(f"arxiv_id {raw_arxiv!r} is not an arXiv identifier")
    return doi, arxiv_id


def _venue(name: str, is_preprint: bool) -> VenueRec | None:
    if is_preprint:
        return VenueRec(name="arXiv", type="repository")
    return VenueRec(name=name) if name else None


def title_key(title: str) -> str:
    """Casefolded title with punctuation removed and whitespace collapsed, for keys when no id is known."""
    return " ".join(re.sub(r"[^\w\s]|_", " ", title.casefold()).split())
