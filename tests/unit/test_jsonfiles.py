"""Reading JSON-family files: JSON Lines stream line by line, documents are read whole, locations stay exact."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from core.ingest import jsonfiles
from core.ingest.jsonfiles import iter_json_objects
from core.ingest.records import ParseError

A = {"id": "https://openalex.org/W1", "title": "caf\u00e9"}
B = {"id": "https://openalex.org/W2"}
LATIN_LINE = '{"t": "caf\xe9"}\n'.encode("latin-1")  # the bad byte is the 11th of the line


def _read(path: Path) -> list[tuple[str, str | None]]:
    return [(loc, obj["id"] if obj else raw.split(" (")[0]) for loc, obj, raw in iter_json_objects(path)]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (f"{json.dumps(A)}\n{json.dumps(B)}\n", [("line 1", "https://openalex.org/W1"), ("line 2", "https://openalex.org/W2")]),
        (f"{json.dumps(A)}\r\n\r\n{json.dumps(B)}\r\n", [("line 1", "https://openalex.org/W1"), ("line 3", "https://openalex.org/W2")]),
        (f"{json.dumps(A)}\r{json.dumps(B)}\r", [("line 1", "https://openalex.org/W1"), ("line 2", "https://openalex.org/W2")]),
        ("\ufeff" + json.dumps(A) + "\n" + json.dumps(B), [("line 1", "https://openalex.org/W1"), ("line 2", "https://openalex.org/W2")]),
        (json.dumps(A), [("record 1", "https://openalex.org/W1")]),
        (json.dumps({"results": [A, B]}, indent=2), [("record 1", "https://openalex.org/W1"), ("record 2", "https://openalex.org/W2")]),
        ('{"id": \n' + json.dumps(B) + "\n", [("line 1", "invalid JSON"), ("line 2", "https://openalex.org/W2")]),
        ("[1, 2]\n" + json.dumps(B) + "\n", [("line 1", "expected a JSON object, found list"), ("line 2", "https://openalex.org/W2")]),
    ],
    ids=["jsonl", "crlf-and-blank", "cr", "bom", "one-line-document", "pretty-envelope", "bad-first-line", "not-an-object"],
)  # fmt: skip
def test_shapes_and_locations(tmp_path, text, want):
    path = tmp_path / "f.jsonl"
    path.write_text(text, encoding="utf-8")
    assert _read(path) == want
    gz = tmp_path / "f.jsonl.gz"
    gz.write_bytes(gzip.compress(text.encode("utf-8")))
    assert _read(gz) == want


def test_json_lines_are_never_read_whole(tmp_path, monkeypatch):
    path = tmp_path / "big.jsonl"
    path.write_text("".join(json.dumps({**B, "n": n}) + "\n" for n in range(1000)), encoding="utf-8")
    monkeypatch.setattr(jsonfiles, "read_text", lambda *_: pytest.fail("read the whole file"))
    monkeypatch.setattr(jsonfiles, "read_bytes", lambda *_: pytest.fail("read the whole file"))
    stream = iter_json_objects(path)
    assert next(stream)[0] == "line 1"
    assert sum(1 for _ in stream) == 999


@pytest.mark.parametrize(
    ("data", "location", "problem"),
    [
        (b"", "file", "file is empty"),
        (json.dumps(B).encode() + b"\n" + LATIN_LINE, f"line 2, byte {len(json.dumps(B)) + 1 + 10}", "not valid UTF-8"),
        (gzip.compress((json.dumps(B) + "\n").encode() * 50)[:-20], "gzip stream", "truncated or corrupt gzip"),
    ],
    ids=["empty", "latin-1", "truncated-gzip"],
)
def test_unreadable_files_raise_with_the_place(tmp_path, data, location, problem):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(data)
    with pytest.raises(ParseError) as err:
        list(iter_json_objects(path))
    assert err.value.location == location and err.value.problem.startswith(problem)
