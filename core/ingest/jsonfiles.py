"""Reading JSON-family files the way scholarly sources ship them.

Single objects, API list envelopes (``{"results": [...]}``, ``{"items": [...]}``, ``{"data": [...]}``,
``{"message": {"items": [...]}}``), JSON Lines, each optionally gzipped. Yields ``(location, obj, raw_text)``
triples where ``obj`` is ``None`` and ``raw_text`` holds the error message for a line that is not JSON.
"""

from __future__ import annotations

import gzip
import itertools
import json
import zlib
from collections.abc import Iterator
from pathlib import Path

from core.ingest.records import ParseError

ENVELOPE_KEYS = ("results", "items", "data")


def read_text(path: Path) -> str:
    """The whole file as text, gunzipped when needed; a clear ``ParseError`` for broken archives or encodings."""
    raw = read_bytes(path)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ParseError(str(path), f"line {line}, byte {exc.start}", f"not valid UTF-8 ({exc.reason})") from None


def read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(str(path), "file", f"cannot read: {exc.strerror or exc}") from None
    if data[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(data)
        except (EOFError, OSError, zlib.error) as exc:
            raise ParseError(str(path), "gzip stream", f"truncated or corrupt gzip file ({exc})") from None
    return data


def head_text(path: Path, size: int = 4096) -> str:
    """First ``size`` characters of the (decompressed) file, decoded leniently; for format sniffing."""
    try:
        with open(path, "rb") as fh:
            start = fh.read(2)
        if start == b"\x1f\x8b":
            with gzip.open(path, "rb") as fh:
                data = fh.read(size)
        else:
            with open(path, "rb") as fh:
                data = fh.read(size)
    except (OSError, EOFError):
        return ""
    return data.decode("utf-8", errors="replace")


def iter_json_objects(path: Path) -> Iterator[tuple[str, dict | None, str]]:
    """Every JSON object in the file with its location (``line N`` or ``record N``).

    For a line that fails to parse, yields ``(location, None, error message)``. JSON Lines are read one line at a
    time, so a multi-gigabyte snapshot part streams in constant memory; a single document (an object, a list, an
    API envelope, pretty-printed or not) is read whole, as it must be to parse it.
    """
    lines = _numbered_lines(path)
    ahead: list[tuple[int, str]] = []  # lines read to tell JSON Lines from a document: up to two non-blank ones
    filled = 0
    for item in lines:
        ahead.append(item)
        filled += bool(item[1].strip())
        if filled == 2:
            break
    if not filled:
        raise ParseError(str(path), "file", "file is empty")
    first = next(line for _, line in ahead if line.strip())
    if first.lstrip()[:1] in "[{":
        try:
            doc = json.loads(first)
        except json.JSONDecodeError:
            doc = None
        if doc is not None and filled == 1:  # the whole file is this one line: a document
            yield from _iter_document(doc)
            return
        if doc is None:
            # Not a whole value on its first line: a pretty-printed document, or JSON Lines with a bad first line.
            ahead.extend(lines)
            try:
                doc = json.loads("\n".join(line for _, line in ahead))
            except json.JSONDecodeError:
                doc = None
            if doc is not None:
                yield from _iter_document(doc)
                return
    for n, line in itertools.chain(ahead, lines):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield f"line {n}", None, f"invalid JSON ({exc.msg} at column {exc.colno})"
            continue
        if not isinstance(obj, dict):
            yield f"line {n}", None, f"expected a JSON object, found {type(obj).__name__}"
            continue
        yield f"line {n}", obj, line


def _numbered_lines(path: Path) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` of every line (gunzipped when needed), decoded one line at a time.

    A byte that is not UTF-8 raises ``ParseError`` at ``line N, byte OFFSET`` (offset in the decompressed stream);
    a broken gzip stream raises it at ``gzip stream``. Lines end at ``\\n`` only: JSON text may hold U+2028.
    """
    try:
        with open(path, "rb") as probe:
            gzipped = probe.read(2) == b"\x1f\x8b"
        fh = gzip.open(path, "rb") if gzipped else open(path, "rb")
    except OSError as exc:
        raise ParseError(str(path), "file", f"cannot read: {exc.strerror or exc}") from None
    offset = n = 0
    with fh:
        try:
            for raw in fh:
                n += 1
                start = 3 if n == 1 and raw.startswith(b"\xef\xbb\xbf") else 0
                try:
                    line = raw[start:].decode("utf-8")
                except UnicodeDecodeError as exc:
                    where = f"line {n}, byte {offset + start + exc.start}"
                    raise ParseError(str(path), where, f"not valid UTF-8 ({exc.reason})") from None
                offset += len(raw)
                line = line.rstrip("\r\n")
                if "\r" in line:  # old Mac line ends (a bare CR is never inside a JSON string)
                    first, *rest = line.split("\r")
                    yield n, first
                    for part in rest:
                        n += 1
                        yield n, part
                    continue
                yield n, line
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise ParseError(str(path), "gzip stream", f"truncated or corrupt gzip file ({exc})") from None
        except OSError as exc:
            raise ParseError(str(path), "file", f"cannot read: {exc.strerror or exc}") from None


def _iter_document(doc) -> Iterator[tuple[str, dict | None, str]]:
    if isinstance(doc, dict) and isinstance(doc.get("message"), dict):
        doc = doc["message"]
    items = None
    if isinstance(doc, list):
        items = doc
    elif isinstance(doc, dict):
        for key in ENVELOPE_KEYS:
            if isinstance(doc.get(key), list) and ("id" not in doc and "paperId" not in doc and "DOI" not in doc):
                items = doc[key]
                break
    if items is None:
        yield "record 1", doc, json.dumps(doc, sort_keys=True)
        return
    for n, obj in enumerate(items, start=1):
        if not isinstance(obj, dict):
            yield f"record {n}", None, f"expected a JSON object, found {type(obj).__name__}"
        else:
            yield f"record {n}", obj, json.dumps(obj, sort_keys=True)
