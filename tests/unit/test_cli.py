"""The CLI as a person uses it: imports, stats, lookups, and every malformed-input case leaving the store untouched."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from core import __main__ as cli

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, db: str) -> subprocess.CompletedProcess:
    """``python -m core ARGS --db DB``, in-process (fast) with the same exit code and output streams."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([*args, "--db", db])
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def test_the_real_entry_point(tmp_path):
    res = subprocess.run(
        [sys.executable, "-m", "core", "stats", "--json", "--db", f"sqlite:///{tmp_path / 'x.db'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0 and json.loads(res.stdout)["works"] == 0


@pytest.fixture
def seeded(db_url, shared_data) -> str:
    """A store holding the seed world."""
    assert run("seed", db=db_url).returncode == 0
    return db_url


@pytest.fixture
def with_snowball(seeded, shared_data) -> str:
    """The seed world plus the OpenAlex snowball set."""
    res = run("import", str(shared_data / "openalex-snowball"), db=seeded)
    assert res.returncode == 0, res.stderr
    return seeded


def _good_line(shared_data: Path, n: int = 0) -> str:
    return (shared_data / "openalex-snowball" / "works.jsonl").read_text().splitlines()[n]


def malformed_inputs(tmp: Path, shared_data: Path) -> dict[str, tuple[Path, str]]:
    """Each bad file with a fragment the error message must contain (file, record and problem)."""
    cases: dict[str, tuple[Path, str]] = {}
    bad_json = tmp / "bad_line.jsonl"
    bad_json.write_text(_good_line(shared_data, 30) + "\n" + '{"id": "https://openalex.org/W1", "title": \n')
    cases["bad JSON line"] = (bad_json, "bad_line.jsonl: line 2: invalid JSON")
    wrong_type = tmp / "wrong_type.jsonl"
    obj = json.loads(_good_line(shared_data, 31))
    obj["publication_year"] = {"year": 2020}
    wrong_type.write_text(_good_line(shared_data, 32) + "\n" + json.dumps(obj) + "\n")
    cases["wrong types"] = (wrong_type, "wrong_type.jsonl: line 2: ")
    latin1 = tmp / "latin1.jsonl"
    latin1.write_bytes(
        _good_line(shared_data, 33).encode()
        + b"\n"
        + '{"id": "https://openalex.org/W2", "title": "Caf\xe9"}\n'.encode("latin-1")
    )
    cases["wrong encoding"] = (latin1, "latin1.jsonl: line 2, byte")
    truncated = tmp / "truncated.jsonl.gz"
    truncated.write_bytes(gzip.compress((_good_line(shared_data, 34) + "\n").encode() * 3)[:-20])
    cases["truncated gzip"] = (truncated, "truncated.jsonl.gz: gzip stream: truncated or corrupt gzip")
    unknown = tmp / "notes.dat"
    unknown.write_text("just some words, not a scholarly record\n")
    cases["unknown format"] = (unknown, "notes.dat: file: unknown format")
    return cases


def test_import_stats_researcher_paper(with_snowball):
    seeded = with_snowball
    stats = json.loads(run("stats", "--json", db=seeded).stdout)
    assert stats["works"] == 3 + 45
    prof = run("researcher", "Zhongwang Zhang", "--json", db=seeded)
    assert prof.returncode == 0, prof.stderr
    profile = json.loads(prof.stdout)
    assert profile["metrics"]["works_count"] == 2
    assert sorted(c["name"] for c in profile["close_collaborators"]) == [
        "Tao Luo",
        "Yaoyu Zhang",
        "Yuqing Li",
        "Zhi-Qin John Xu",
    ]
    assert profile["affiliation"] is None
    paper = json.loads(
        run("paper", "Embedding Principle of Loss Landscape of Deep Neural Networks", "--json", db=seeded).stdout
    )
    assert [v["kind"] for v in paper["versions"]] == ["preprint", "published"]
    assert len(paper["authors"]) == 5
    # What the paper page shows: social counts from the rows, and related papers with their reasons.
    assert {k: paper["counts"][k] for k in ("reviews", "saves", "views", "ratings", "rating_mean")} == {
        "reviews": 0,
        "saves": 0,
        "views": 0,
        "ratings": 0,
        "rating_mean": None,
    }
    dropout = next(r for r in paper["related"] if r["title"].startswith("Dropout in Training"))
    assert "shares 1 author: Zhongwang Zhang" in dropout["reasons"]


def test_reimport_reports_everything_unchanged(with_snowball, shared_data):
    res = run("import", str(shared_data / "openalex-snowball"), "--json", db=with_snowball)
    summary = json.loads(res.stdout)
    assert (summary["added"], summary["updated"], summary["unchanged"]) == (0, 0, 45)


@pytest.mark.parametrize("case", ["bad JSON line", "wrong types", "wrong encoding", "truncated gzip", "unknown format"])
def test_malformed_input_leaves_store_byte_identical(seeded, shared_data, tmp_path, case):
    before = run("stats", "--json", db=seeded).stdout
    path, fragment = malformed_inputs(tmp_path, shared_data)[case]
    res = run("import", str(path), db=seeded)
    assert res.returncode == 1
    assert "import failed, nothing was written" in res.stderr and fragment in res.stderr, res.stderr
    assert "Traceback" not in res.stderr
    assert run("stats", "--json", db=seeded).stdout == before


def test_skip_bad_imports_good_records_and_reports_bad_ones(seeded, shared_data, tmp_path):
    path, _ = malformed_inputs(tmp_path, shared_data)["bad JSON line"]
    before = json.loads(run("stats", "--json", db=seeded).stdout)
    res = run("import", str(path), "--skip-bad", db=seeded)
    assert res.returncode == 0, res.stderr
    assert "rejected 1" in res.stdout and "bad_line.jsonl: line 2: invalid JSON" in res.stdout
    after = json.loads(run("stats", "--json", db=seeded).stdout)
    assert after["works"] == before["works"] + 1  # the good line went in, the bad one did not


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("researcher", "Nobody Anybody"), "no researcher matches 'Nobody Anybody'"),
        (("paper", "10.9999/none"), "no paper matches '10.9999/none'"),
        (("import", "/nonexistent/file.json"), "no such file"),
    ],
)
def test_user_mistakes_get_one_clear_line(seeded, args, message):
    res = run(*args, db=seeded)
    assert res.returncode in (1, 2)
    assert message in res.stderr and "Traceback" not in res.stderr
