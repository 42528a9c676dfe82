"""arXiv metadata in the Kaggle ``arxiv-metadata-oai-snapshot`` JSON Lines form (one paper per line).

Authors are read from the ``authors`` string with :mod:`core.names`; Kaggle's ``authors_parsed`` is ignored.

>>> year_from_arxiv_id("0704.0001"), year_from_arxiv_id("hep-th/9901001"), year_from_arxiv_id("2105.14573")
(2007, 1999, 2021)
>>> code_urls("Code: https://github.com/xuzhiqin/embedding-principle. 9 pages")
['https://github.com/xuzhiqin/embedding-principle']
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path

from core.ingest.ids import norm_arxiv, norm_doi, record_hash
from core.ingest.records import AuthorshipRec, Parsed, ParseError, PersonRec, TopicRec, VenueRec, VersionRec, WorkRec
from core.names import ParsedName, author_list_truncated, latex_to_unicode, parse_author_list

SOURCE = "arxiv"
_ID_RE = re.compile(r'"id"\s*:\s*"(?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?"')
_CODE_URL_RE = re.compile(r"(?:https?://)?(?:www\.)?(?:github\.com|gitlab\.com)/[\w.\-]+(?:/[\w.\-]+)?", re.I)


def sniff(path: Path, head: str) -> bool:
    """Whether the file looks like Kaggle arXiv metadata: JSON objects with an arXiv ``id``, authors and categories."""
    start = head.lstrip()[:1]
    return start == "{" and bool(_ID_RE.search(head)) and '"authors"' in head and '"categories"' in head


def parse_file(path: Path) -> Iterator[Parsed]:
    """Every line of a (possibly gzipped) Kaggle arXiv file as a ``Parsed`` work or error.

    Raises ``ParseError`` (location ``byte N``, counted in the decompressed stream) when the file is not UTF-8.
    """
    for n, line in _iter_lines(path):
        if line.strip():
            yield parse_line(line, f"line {n}")


def _iter_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, decoded line) pairs, decoded one line at a time so a 4 GB snapshot streams."""
    try:
        with open(path, "rb") as probe:
            gzipped = probe.read(2) == b"\x1f\x8b"
        fh = gzip.open(path, "rb") if gzipped else open(path, "rb")
    except OSError as exc:
        raise ParseError(str(path), "file", f"cannot read: {exc.strerror or exc}") from None
    offset = 0
    with fh:
        try:
            for n, raw in enumerate(fh, start=1):
                if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw, offset = raw[3:], 3
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    where = f"byte {offset + exc.start}"
                    raise ParseError(str(path), where, f"not valid UTF-8 on line {n} ({exc.reason})") from None
                offset += len(raw)
                yield n, line
        except (EOFError, gzip.BadGzipFile) as exc:
            raise ParseError(str(path), f"byte {offset}", f"truncated or corrupt gzip file ({exc})") from None


def parse_line(line: str, location: str = "line 1") -> Parsed:
    """One JSON line -> ``Parsed`` (a ``WorkRec``, or the reason the line was rejected)."""
    raw_hash = record_hash(line.rstrip("\r\n"))
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return Parsed(location, SOURCE, error=f"invalid JSON ({exc.msg} at column {exc.colno})", raw_hash=raw_hash)
    if not isinstance(obj, dict):
        return Parsed(location, SOURCE, error=f"expected a JSON object, found {type(obj).__name__}", raw_hash=raw_hash)
    return parse_record(obj, location, raw_hash)


def parse_record(obj: dict, location: str = "record 1", raw_hash: str | None = None) -> Parsed:
    """One Kaggle arXiv record (already decoded) -> ``Parsed``; missing id/title or wrong types become errors."""
    raw_id = obj.get("id")
    if not isinstance(raw_id, str) or not raw_id.strip():
        return Parsed(location, SOURCE, error="missing or empty 'id'", raw_hash=raw_hash)
    key = norm_arxiv(raw_id)
    if key is None:
        return Parsed(location, SOURCE, error=f"'id' {raw_id!r} is not an arXiv identifier", raw_hash=raw_hash)
    try:
        work = parse_work(obj, key)
    except (TypeError, ValueError) as exc:
        return Parsed(location, SOURCE, key=key, error=f"{key}: {exc}", raw_hash=raw_hash)
    return Parsed(location, SOURCE, key=key, item=work, raw_hash=raw_hash)


def parse_work(obj: dict, arxiv_id: str) -> WorkRec:
    """The ``WorkRec`` of a record whose id is ``arxiv_id``; raises TypeError/ValueError naming a bad field."""
    title = _collapse(_str(obj, "title"))
    if not title:
        raise ValueError("missing or empty 'title'")
    authors = _str(obj, "authors")
    versions = _versions(obj, arxiv_id)
    names = parse_author_list(authors) if authors else []
    doi = norm_doi(_str(obj, "doi"))
    comments = _collapse(_str(obj, "comments"))
    journal_ref = _collapse(_str(obj, "journal-ref"))
    if journal_ref:
        versions.append(_published_version(journal_ref, doi))
    first = versions[0] if versions and versions[0].kind == "preprint" else None
    return WorkRec(
        title=latex_to_unicode(title, accents_only=True),
        abstract=_collapse(_str(obj, "abstract")),
        type="preprint",
        year=first.year if first and first.year else year_from_arxiv_id(arxiv_id),
        publication_date=first.date if first else None,
        venue=VenueRec(name="arXiv", type="repository"),
        doi=doi,
        arxiv_id=arxiv_id,
        oa_url=f"https://arxiv.org/abs/{arxiv_id}",
        is_oa=True,
        code_urls=code_urls(comments),
        authorships=[authorship(p, i) for i, p in enumerate(names)],
        authorships_complete=_complete(authors, names),
        topics=[TopicRec(name=c, kind="tag") for c in (_str(obj, "categories") or "").split()],
        versions=versions,
    )


def _complete(authors: str | None, names: list[ParsedName]) -> bool:
    """False when the byline admits to being partial ("et al") or names a collaboration instead of its members."""
    return bool(names) and not author_list_truncated(authors or "") and not any(p.is_collaboration for p in names)


def _str(obj: dict, field: str) -> str | None:
    value = obj.get(field)
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"'{field}' must be a string, found {type(value).__name__}")


def _collapse(text: str | None) -> str | None:
    """Whitespace collapsed to single spaces; None for empty text."""
    return " ".join(text.split()) or None if text else None


def _versions(obj: dict, arxiv_id: str) -> list[VersionRec]:
    """One preprint ``VersionRec`` per entry of ``versions`` (v1, v2, ...) with its ISO date."""
    raw = obj.get("versions") or []
    if not isinstance(raw, list):
        raise TypeError(f"'versions' must be a list, found {type(raw).__name__}")
    out = []
    for v in raw:
        if not isinstance(v, dict) or not isinstance(v.get("version"), str):
            raise TypeError(f"each entry of 'versions' must be an object with a 'version' string, found {v!r}")
        date = _iso_date(v.get("created"))
        label = v["version"]
        out.append(
            VersionRec(
                kind="preprint",
                label=label,
                date=date,
                year=int(date[:4]) if date else None,
                arxiv_id=arxiv_id,
                url=f"https://arxiv.org/abs/{arxiv_id}{label}",
                venue_name="arXiv",
            )
        )
    return out


def _iso_date(created: object) -> str | None:
    """``"Mon, 2 Apr 2007 19:18:42 GMT"`` -> ``"2007-04-02"``; None when absent or unreadable."""
    if not isinstance(created, str) or not created.strip():
        return None
    try:
        return parsedate_to_datetime(created).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return None


def _published_version(journal_ref: str, doi: str | None) -> VersionRec:
    years = re.findall(r"(?<!\d)(?:19|20)\d{2}(?!\d)", journal_ref)
    return VersionRec(
        kind="published",
        label=journal_ref,
        venue_name=journal_ref,
        doi=doi,
        year=int(years[-1]) if years else None,
        url=f"https://doi.org/{doi}" if doi else None,
    )


def authorship(name: ParsedName, position: int) -> AuthorshipRec:
    """An ``AuthorshipRec`` for a parsed byline entry (a name-only person, no identifiers)."""
    # Collaborations are not people; until PersonRec has a kind, they are flagged as placeholders.
    person = PersonRec(
        display_name=name.display_name,
        given_name=name.given,
        family_name=name.family,
        is_placeholder=name.is_collaboration,
    )
    return AuthorshipRec(
        person=person,
        position=position,
        is_corresponding=name.is_corresponding,
        equal_contribution=name.equal_contribution,
        raw_author_name=name.display_name,
        raw_affiliation=name.affiliation,
    )


def year_from_arxiv_id(arxiv_id: str) -> int | None:
    """Submission year encoded in an arXiv id (``YYMM.NNNNN`` or ``archive/YYMMNNN``)."""
    m = re.match(r"(?:[a-z\-]+(?:\.[A-Z]{2})?/)?(\d{2})(\d{2})", arxiv_id)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    yy = int(m.group(1))
    return 1900 + yy if yy >= 91 else 2000 + yy


def code_urls(text: str | None) -> list[str]:
    """GitHub/GitLab repository URLs mentioned in ``text``, as ``https://`` URLs, in order, without repeats."""
    found: list[str] = []
    for m in _CODE_URL_RE.finditer(text or ""):
        url = m.group(0).rstrip(".")
        url = "https://" + re.sub(r"^(?:https?://)?(?:www\.)?", "", url, flags=re.I)
        if url.endswith(".git"):
            url = url[:-4]
        if url not in found:
            found.append(url)
    return found
