"""Reading JSON-family files the way scholarly sources ship them.

Single objects, API list envelopes (``{"results": [...]}``, ``{"items": [...]}``, ``{"data": [...]}``,
``{"message": {"items": [...]}}``), JSON Lines, each optionally gzipped. Yields ``(location, obj, raw_text)``
triples where ``obj`` is ``None`` and ``raw_text`` holds the error message for a line that is not JSON.
"""

from __future__ import annotations

import gzip
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

    For a line that fails to parse, yields ``(location, None, error message)``.
    """
    text = read_text(path)
    stripped = text.lstrip()
    if not stripped:
        raise ParseError(str(path), "file", "file is empty")
    if stripped[0] in "[{":
        try:
            doc = json.loads(text)
        except json.JSONDecodeError:
            doc = None  # maybe JSON Lines
        if doc is not None:
            yield from _iter_document(doc)
            return
    for n, line in enumerate(text.splitlines(), start=1):
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
