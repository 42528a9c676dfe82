"""The benchmark's generator has the shapes it promises, and the benchmark runs end to end at a tiny size.

No timing is asserted anywhere: the end-to-end test checks that every stage ran and wrote its files.
``PEERSCOPE_BENCH_SMOKE_SIZE`` (default 10k, the size CI runs) sets the size of the end-to-end run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.generate import orcid_check_digit, size_of, write_corpus
from core.ingest.ids import norm_openalex

ROOT = Path(__file__).resolve().parents[2]


def _works(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[dict, list[dict]]:
    out = tmp_path_factory.mktemp("corpus")
    meta = write_corpus(5000, out, seed=11)
    return meta, _works(out / "corpus.jsonl")


def test_same_seed_same_bytes_other_seed_other_corpus(tmp_path):
    a = write_corpus(300, tmp_path / "a", seed=5, extra=30)
    b = write_corpus(300, tmp_path / "b", seed=5, extra=30)
    c = write_corpus(300, tmp_path / "c", seed=6, extra=30)
    for fa, fb in zip(a["files"], b["files"], strict=True):
        assert Path(fa).read_bytes() == Path(fb).read_bytes()
    assert Path(a["files"][0]).read_bytes() != Path(c["files"][0]).read_bytes()
    assert len(_works(Path(a["files"][0]))) == 300
    assert len(_works(Path(a["files"][1]))) == 30


def test_lotka_more_one_work_authors_than_two_than_three(sample):
    _, works = sample
    per_author = Counter(a["author"]["id"] for w in works for a in w["authorships"])
    by_n = Counter(per_author.values())
    assert by_n[1] > by_n[2] > by_n[3] > by_n[4]
    # Lotka's inverse square: about a quarter as many authors with 2 works as with 1 (loose bounds)
    assert 0.1 < by_n[2] / by_n[1] < 0.5
    assert max(per_author.values()) >= 20  # hubs exist


def test_team_sizes_mostly_small_with_a_long_tail(sample):
    meta, works = sample
    sizes = [len(w["authorships"]) for w in works]
    assert sum(1 for s in sizes if s <= 8) / len(sizes) > 0.95
    assert max(sizes) > 20
    assert 3.0 < sum(sizes) / len(sizes) < 5.5  # about 4 authorships per work
    assert meta["authorships"] == sum(sizes)


def test_references_exist_and_are_older(sample):
    _, works = sample
    position = {w["id"]: i for i, w in enumerate(works)}
    in_corpus = 0
    for i, w in enumerate(works):
        ids = [r for r in w["referenced_works"] if r in position]
        assert len(ids) == len(set(ids))
        for r in ids:
            assert position[r] < i
            cited = works[position[r]]
            assert cited["publication_date"] <= w["publication_date"]
        in_corpus += len(ids)
    assert 8 < in_corpus / len(works) < 12  # about 10 in-corpus references per work


def test_citations_are_skewed_and_counts_are_consistent(sample):
    _, works = sample
    received = Counter(r for w in works for r in w["referenced_works"])
    counts = sorted((received.get(w["id"], 0) for w in works), reverse=True)
    top1 = sum(counts[: len(counts) // 100])
    assert top1 / sum(counts) > 0.05  # preferential attachment: the top 1 % get far more than 1 %
    for w in works:
        assert w["cited_by_count"] >= received.get(w["id"], 0)


def test_years_orcids_institutions_topics(sample):
    _, works = sample
    years = [w["publication_year"] for w in works]
    assert min(years) >= 1990 and max(years) <= 2025
    assert Counter(years)[2024] > Counter(years)[1991]  # output grows
    authors = {a["author"]["id"]: a["author"]["orcid"] for w in works for a in w["authorships"]}
    share = sum(1 for o in authors.values() if o) / len(authors)
    assert 0.2 < share < 0.8
    for orcid in filter(None, list(authors.values())[:200]):
        digits = orcid.rsplit("/", 1)[-1].replace("-", "")
        assert orcid_check_digit(digits[:15]) == digits[15]
    insts = Counter(i["id"] for w in works for a in w["authorships"] for i in a["institutions"])
    top, *_ = insts.most_common(1)
    assert top[1] > 10 * (sum(insts.values()) / len(insts))  # the largest institution is far above the mean
    countries = Counter(c for w in works for a in w["authorships"] for c in a["countries"])
    assert countries.most_common(1)[0][0] == "US"
    for w in works[:100]:
        assert w["topics"] and all(t["subfield"] and t["field"] and t["domain"] for t in w["topics"])
        assert norm_openalex(w["id"]) == w["id"].rsplit("/", 1)[-1]


@pytest.mark.slow
def test_benchmark_runs_end_to_end(tmp_path):
    size = os.environ.get("PEERSCOPE_BENCH_SMOKE_SIZE", "10k")
    # three page kinds and two entities each keep the run short; the pages themselves are tested in tests/pages
    cmd = [sys.executable, "-m", "benchmarks", "--size", size, "--out", str(tmp_path), "--entities", "2",
           "--memory-views", "3", "--kinds", "researcher_hub,paper_cited,search"]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads((tmp_path / f"results-{size}.json").read_text())
    assert result["import"]["summary"]["added"] >= size_of(size)
    assert set(result["pages"]) == {"researcher_hub", "paper_cited", "search"}
    for kind, r in result["pages"].items():
        assert "page" in r, (kind, r.get("error"))
        assert r["error_count"] == 0, (kind, r["errors"])
        assert r["page"]["n"] == 2 and r["sql_floor"]["n"] == 2 and r["empty_floor"]["n"] == 2
        assert r["repeats"] == 3  # each entity's time: the median of three cold runs
    assert "the median of 3 such runs" in (tmp_path / f"results-{size}.md").read_text()
    assert result["trust_all"]["researchers"] > 0
    rescore = result["trust_rescore"]  # as after a scoring change: everyone scored and written again
    assert rescore["changed"] == rescore["researchers"] == result["trust_all"]["researchers"]
    assert result["import_extra"]["summary"]["added"] > 0
    assert result["trust_incremental"]["researchers"] > 0
    assert result["memory"]["views"] == 3 and result["memory"]["pages_with_errors"] == 0
    table = (tmp_path / f"results-{size}.md").read_text()
    assert "Researcher page, top-1% hub" in table and "works/s" in table and "Trust rescore" in table
    assert (tmp_path / "benchmark-plot.html").stat().st_size > 1000

    # --existing: one more page kind measured on the same store, and the memory again, merged into the same results
    again = cmd[: cmd.index("--kinds")] + ["--kinds", "lab_largest,memory", "--existing"]
    proc = subprocess.run(again, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    merged = json.loads((tmp_path / f"results-{size}.json").read_text())
    assert set(merged["pages"]) == {"researcher_hub", "paper_cited", "search", "lab_largest"}
    lab = merged["pages"]["lab_largest"]
    assert lab["error_count"] == 0
    # the stored lab maps were built (and timed) before the pages read them: one per measured institution
    built = lab["snapshot_build"]
    assert sorted(i for i, _ in built["per_entity"]) == sorted(merged["entities"]["lab_largest"])
    assert "Lab map build" in (tmp_path / f"results-{size}.md").read_text()
    assert merged["import"] == result["import"] and merged["remeasured"][0]["kinds"] == ["lab_largest", "memory"]
    assert merged["memory"]["views"] == 3 and merged["memory"]["pages_with_errors"] == 0
    assert "lab_largest" not in merged["memory"]["kinds"] and len(merged["memory"]["kinds"]) > 3
    assert "Re-measured on the same store" in (tmp_path / f"results-{size}.md").read_text()
