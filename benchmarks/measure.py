"""Timings: the CLI import, each page kind in a fresh process (cold cache), their floors, and the trust recompute.

A page figure is the wall time of one whole script run through ``app.py`` (``AppTest``: navigation, sidebar, the
page), with ``st.cache_data`` cleared before every run, over at least 30 different entities after one warm-up run.
In the same process it measures two floors: the bare indexed SQL the page needs (hand-written, one round trip per
panel) and an empty Streamlit page run (``benchmarks/empty_page.py``). Peak RSS is the child's own ``ru_maxrss``.

The parent talks to a child through a JSON spec file: ``python -m benchmarks.measure SPEC.json OUT.json``.

>>> percentiles([5.0, 1.0, 3.0, 2.0, 4.0])
{'n': 5, 'p50': 3.0, 'p95': 5.0, 'mean': 3.0, 'max': 5.0}
"""

from __future__ import annotations

import json
import math
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
EMPTY_PAGE = str(Path(__file__).resolve().parent / "empty_page.py")
PAGE_TIMEOUT = 600

# kind -> (page script, query parameter, how the value is written)
PAGES = {
    "researcher_median": ("pages/researcher.py", "id", "{}"),
    "researcher_hub": ("pages/researcher.py", "id", "{}"),
    "paper_median": ("pages/paper.py", "id", "{}"),
    "paper_cited": ("pages/paper.py", "id", "{}"),
    "explorer_hub": ("pages/explorer.py", "focus", "r:{}"),
    "lab_largest": ("pages/lab.py", "institution", "{}"),
    "search": ("pages/home.py", "q", "{}"),
}


REPEATS = 3  # cold runs per entity in a page measurement (its time: their median)


def percentiles(values: list[float]) -> dict:
    """Nearest-rank p50 / p95 (and mean, max) of a list of timings."""
    if not values:
        return {"n": 0, "p50": None, "p95": None, "mean": None, "max": None}
    s = sorted(values)

    def rank(p: float) -> float:
        return s[max(0, math.ceil(p * len(s)) - 1)]

    return {"n": len(s), "p50": round(rank(0.50), 4), "p95": round(rank(0.95), 4),
            "mean": round(sum(s) / len(s), 4), "max": round(s[-1], 4)}  # fmt: skip


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux: kilobytes


def current_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return peak_rss_mb()


# ---- choosing entities (parent) ------------------------------------------------------------------------------------
def pick_entities(url: str, n: int, seed: int = 7) -> dict[str, list[str]]:
    """``n + 1`` entities per page kind (the first one is the warm-up): median authors, top-1 % hubs, median and
    highly cited works (by citations in the store), the largest institutions, and search words."""
    from sqlalchemy import text

    from benchmarks.generate import LAST, PLACES, WORDS
    from core.db import make_engine

    rng = random.Random(seed)
    engine = make_engine(url)
    with engine.connect() as conn:
        people = conn.execute(text(
            "SELECT a.researcher_id, count(*) AS c FROM authorship a GROUP BY a.researcher_id ORDER BY c, a.researcher_id"
        )).all()  # fmt: skip
        works = conn.execute(text(
            "SELECT w.id, count(c.id) AS n FROM work w LEFT JOIN citation c ON c.cited_work_id = w.id "
            "GROUP BY w.id ORDER BY n, w.id"
        )).all()  # fmt: skip
        insts = conn.execute(text(
            "SELECT institution_id, count(*) AS c FROM authorshipinstitution GROUP BY institution_id "
            "ORDER BY c DESC, institution_id LIMIT :k"
        ), {"k": n + 1}).all()  # fmt: skip
    engine.dispose()
    k = n + 1
    out = {
        "researcher_median": _median_pick(people, k, rng),
        "researcher_hub": _top_pick(people, k, rng),
        "paper_median": _median_pick(works, k, rng),
        "paper_cited": _top_pick(works, k, rng),
        "lab_largest": [str(r[0]) for r in insts[-1:]] + [str(r[0]) for r in insts[:n]],
        "search": rng.sample(LAST, min(len(LAST), k // 3 + 1))
        + rng.sample(WORDS, k // 3 + 1)
        + rng.sample(PLACES, k // 3 + 1),
    }
    out["search"] = out["search"][:k]
    out["explorer_hub"] = list(out["researcher_hub"])
    return out


def _median_pick(rows, k: int, rng: random.Random) -> list[str]:
    """Ids whose count equals the median count (a random ``k`` of them), else the ``k`` ranks around the median."""
    if not rows:
        return []
    median = rows[len(rows) // 2][1]
    same = [r[0] for r in rows if r[1] == median]
    if len(same) >= k:
        return [str(x) for x in rng.sample(same, k)]
    mid = len(rows) // 2
    lo = max(0, mid - k // 2)
    return [str(r[0]) for r in rows[lo : lo + k]]


def _top_pick(rows, k: int, rng: random.Random) -> list[str]:
    """A random ``k`` of the top 1 % by count (the top ``k`` when the top 1 % is smaller); warm-up first."""
    top = rows[-max(k, math.ceil(len(rows) * 0.01)) :]
    ids = [r[0] for r in top]
    return [str(x) for x in (rng.sample(ids, k) if len(ids) > k else list(reversed(ids)))]


# ---- running a child (parent) --------------------------------------------------------------------------------------
def run_child(spec: dict, work_dir: Path) -> dict:
    """Run ``spec`` in a fresh Python process (so nothing is cached) and return what it reports."""
    work_dir.mkdir(parents=True, exist_ok=True)
    spec_path = work_dir / f"spec-{spec['task']}-{spec.get('kind', 'x')}.json"
    out_path = spec_path.with_name(spec_path.name.replace("spec-", "result-"))
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": spec["url"], "PEERSCOPE_LOAD_SEED_ON_FIRST_START": "false",
           "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}  # fmt: skip
    proc = subprocess.run([sys.executable, "-m", "benchmarks.measure", str(spec_path), str(out_path)], cwd=ROOT,
                          env=env, capture_output=True, text=True)  # fmt: skip
    if proc.returncode != 0 or not out_path.exists():
        return {"error": f"child failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}"}
    return json.loads(out_path.read_text(encoding="utf-8"))


def import_via_cli(paths: list[str], url: str, *, profile_to: Path | None = None) -> dict:
    """``python -m core import PATHS --db URL --json`` in a child; wall time, the summary and the child's peak RSS."""
    return cli_child(["import", *paths], url, profile_to=profile_to)


def build_labs_via_cli(institutions: list[str], url: str) -> dict:
    """``python -m core labs IDS --db URL --json``: the stored lab maps (``core.lab_snapshots``) of these
    institutions, each built from scratch, as the first view of a map or an import touching it builds it."""
    r = cli_child(["labs", *institutions], url)
    per = [[iid, s] for iid, s in r["summary"]["seconds"].items()]
    return {"seconds": r["seconds"], "build": percentiles([s for _, s in per]), "per_entity": per,
            "peak_rss_mb": r["peak_rss_mb"]}  # fmt: skip


def cli_child(args: list[str], url: str, *, profile_to: Path | None = None) -> dict:
    """``python -m core ARGS --db URL --json`` in a child; wall time, its JSON output and the child's peak RSS."""
    cmd = [sys.executable]
    if profile_to:
        cmd += ["-m", "cProfile", "-o", str(profile_to)]
    cmd += ["-m", "core", *args, "--db", url, "--json"]
    with tempfile.TemporaryFile("w+") as out_f, tempfile.TemporaryFile("w+") as err_f:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out_f, stderr=err_f, text=True)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage, not the maximum over all children
        seconds = time.perf_counter() - t0
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        out_f.seek(0)
        err_f.seek(0)
        out, err = out_f.read(), err_f.read()
    if code != 0:
        raise RuntimeError(f"{args[0]} failed ({code}): {err.strip()[-2000:]}")
    return {"seconds": round(seconds, 3), "summary": json.loads(out), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1)}


# ---- floors: the bare SQL each page needs (child) ------------------------------------------------------------------
def _ids(rows) -> str:
    return ",".join(str(int(r[0])) for r in rows) or "NULL"


def floor_sql(conn, kind: str, value: str) -> None:
    """The indexed SQL a page cannot do without, one statement per panel, fetched in full."""
    from sqlalchemy import text

    def q(sql: str, **params):
        return conn.execute(text(sql), params).all()

    if kind.startswith("researcher") or kind == "explorer_hub":
        rid = int(value)
        q("SELECT * FROM researcher WHERE id = :r", r=rid)
        q("SELECT w.id, w.title, w.year, w.cited_by_count, w.venue_id FROM authorship a JOIN work w ON w.id = a.work_id "
          "WHERE a.researcher_id = :r ORDER BY w.year DESC", r=rid)  # fmt: skip
        q("SELECT b.researcher_id, count(*) FROM authorship a JOIN authorship b ON b.work_id = a.work_id "
          "WHERE a.researcher_id = :r AND b.researcher_id <> :r GROUP BY b.researcher_id ORDER BY 2 DESC LIMIT 100", r=rid)  # fmt: skip
        q("SELECT wt.topic_id, count(*) FROM authorship a JOIN worktopic wt ON wt.work_id = a.work_id "
          "WHERE a.researcher_id = :r GROUP BY wt.topic_id ORDER BY 2 DESC LIMIT 10", r=rid)  # fmt: skip
        q("SELECT DISTINCT ai.institution_id FROM authorship a JOIN authorshipinstitution ai "
          "ON ai.authorship_id = a.id WHERE a.researcher_id = :r", r=rid)  # fmt: skip
        if kind.startswith("researcher"):
            q("SELECT * FROM trustrecord WHERE researcher_id = :r ORDER BY computed_at", r=rid)
    elif kind.startswith("paper"):
        wid = int(value)
        q("SELECT * FROM work WHERE id = :w", w=wid)
        q("SELECT a.researcher_id, r.display_name, a.position FROM authorship a JOIN researcher r "
          "ON r.id = a.researcher_id WHERE a.work_id = :w ORDER BY a.position", w=wid)  # fmt: skip
        q("SELECT DISTINCT i.id, i.name, i.country_code FROM authorship a JOIN authorshipinstitution ai "
          "ON ai.authorship_id = a.id JOIN institution i ON i.id = ai.institution_id WHERE a.work_id = :w", w=wid)  # fmt: skip
        q("SELECT t.id, t.name FROM worktopic wt JOIN topic t ON t.id = wt.topic_id WHERE wt.work_id = :w", w=wid)
        q("SELECT c.cited_work_id, c.cited_openalex_id, w.title, w.year FROM citation c LEFT JOIN work w "
          "ON w.id = c.cited_work_id WHERE c.citing_work_id = :w", w=wid)  # fmt: skip
        q("SELECT count(*) FROM citation WHERE cited_work_id = :w", w=wid)
        q("SELECT w.id, w.title, w.year FROM citation c JOIN work w ON w.id = c.citing_work_id "
          "WHERE c.cited_work_id = :w ORDER BY w.year DESC LIMIT 100", w=wid)  # fmt: skip
    elif kind == "lab_largest":
        # The stored map (core.lab_snapshots, built before the pages are measured) and the names it shows: its
        # members and partners, and the partner institutions it lists.
        (structure,) = q("SELECT structure FROM labsnapshot WHERE institution_id = :i", i=int(value))[0]
        s = json.loads(structure) if isinstance(structure, str) else structure
        people = [(m,) for m in s["members"]] + [(p[0],) for p in s["external_people"]]
        q(f"SELECT id, display_name FROM researcher WHERE id IN ({_ids(people)})")
        q(f"SELECT id, name, country_code, latitude, longitude FROM institution "
          f"WHERE id IN ({_ids(s['external_institutions'])})")  # fmt: skip
    elif kind == "search":
        # The bare full-text lookups (the indexes of revisions 0003 and 0009), ten hits per kind, unranked: what any
        # search must read.
        from core.search import FTS_DOC, fts5_match, query_words, tsquery

        words = query_words(value)
        if conn.dialect.name == "postgresql":  # as core.search does: no guessing a prefix's selectivity into a seq scan
            q("SELECT set_config('enable_seqscan', 'off', true)")
        for table, col, prefix in (("researcher", "display_name", "all"), ("work", "title", "last"),
                                   ("topic", "name", "all"), ("institution", "name", "all")):  # fmt: skip
            if conn.dialect.name == "sqlite":
                q(f"SELECT t.id, t.{col} FROM fts_{table} f JOIN {table} t ON t.id = f.rowid "
                  f"WHERE fts_{table} MATCH :m LIMIT 10", m=fts5_match(words, prefix=prefix))  # fmt: skip
            else:
                q(f"SELECT t.id, t.{col} FROM \"{table}\" t "
                  f"WHERE t.{FTS_DOC} @@ to_tsquery('simple', :q) LIMIT 10", q=tsquery(words, prefix=prefix))  # fmt: skip
    else:
        raise ValueError(kind)


# ---- child tasks ---------------------------------------------------------------------------------------------------
_COMPONENTS: list = []  # the component registry of the first AppTest, shared by the later ones


def _app(script: str):
    """A fresh ``AppTest`` that reuses the process's component registry.

    ``AppTest`` scans every installed distribution for Streamlit components on its first run (about 0.5-1 s here);
    a server does that once at start-up, not per page view, so the harness does it once per process too.
    """
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(script, default_timeout=PAGE_TIMEOUT)
    if _COMPONENTS and hasattr(at, "_bidi_component_manager"):
        at._bidi_component_manager = _COMPONENTS[0]
    return at


def _timed_run(at, *, clear: bool = True) -> float:
    import streamlit as st

    if clear:
        st.cache_data.clear()
    t0 = time.perf_counter()
    at.run()
    dt = time.perf_counter() - t0
    if not _COMPONENTS and getattr(at, "_bidi_component_manager", None) is not None:
        _COMPONENTS.append(at._bidi_component_manager)
    return dt


def _page_run(kind: str, value: str, *, clear: bool = True) -> tuple[float, list[str]]:
    page, param, fmt = PAGES[kind]
    at = _app(APP)
    at.query_params[param] = fmt.format(value)
    at.switch_page(page)
    dt = _timed_run(at, clear=clear)
    return dt, [str(e.value)[:300] for e in at.exception]


def task_pages(spec: dict) -> dict:
    """One page kind: warm-up, the timed runs, then both floors, all in this process.

    Each entity's time is the median of ``repeats`` cold runs (caches cleared before each): on this machine one run
    of the same page varies by about +-20% (a lab map: 73-109 ms over twelve runs), enough to move a p95, and a
    ratio of two p95s, by more than a code change does.
    """
    from core.db import make_engine

    kind, values, repeats = spec["kind"], spec["values"], spec.get("repeats", REPEATS)
    warm, measured = values[0], values[1:]
    _page_run(kind, warm)
    times, errors, per_entity = [], [], []
    for v in measured:
        runs = [_page_run(kind, v) for _ in range(repeats)]
        dt, errs = statistics.median(t for t, _ in runs), runs[0][1]
        times.append(dt)
        per_entity.append([v, round(dt, 4)])
        errors += [f"{v}: {e}" for e in errs]
    empty = []
    for i in range(len(measured) + 1):
        dt = _timed_run(_app(EMPTY_PAGE))
        if i:
            empty.append(dt)
    engine = make_engine(spec["url"])
    sql = []
    with engine.connect() as conn:
        floor_sql(conn, kind, warm)
        for v in measured:
            t0 = time.perf_counter()
            floor_sql(conn, kind, v)
            sql.append(time.perf_counter() - t0)
    engine.dispose()
    return {"kind": kind, "page": percentiles(times), "sql_floor": percentiles(sql), "empty_floor": percentiles(empty),
            "repeats": repeats, "per_entity": per_entity, "errors": errors[:20], "error_count": len(errors),
            "peak_rss_mb": peak_rss_mb()}  # fmt: skip


def task_memory(spec: dict) -> dict:
    """``views`` page views cycling over the page kinds, caches kept as a server keeps them; RSS afterwards."""
    plan = [(k, v) for k, vs in spec["entities"].items() for v in vs]
    random.Random(3).shuffle(plan)
    n, errors = spec["views"], 0
    t0 = time.perf_counter()
    for i in range(n):
        kind, value = plan[i % len(plan)]
        _, errs = _page_run(kind, value, clear=False)
        errors += bool(errs)
    return {"views": n, "seconds": round(time.perf_counter() - t0, 2), "rss_mb": current_rss_mb(),
            "peak_rss_mb": peak_rss_mb(), "pages_with_errors": errors}  # fmt: skip


def task_trust(spec: dict) -> dict:
    """``recompute_trust`` for all researchers (``ids`` absent) or the given ones, committed.

    ``kind == "rescore"``: all researchers as after a change to the scoring (``core.trust.ALGORITHM_VERSION``
    bumped, so no person's facts digest matches and every snapshot is scored and stored again), committed as
    ``python -m core trust --all`` commits it, every ``COMMIT_EVERY`` people (the time includes the last commit,
    which writes what SQLite's page cache still holds), then the records of the bumped
    version are deleted again, untimed: the store keeps its snapshots (the scores on the researcher rows are the same,
    the scoring being the same), and the run measures the worst case of a recompute of everyone."""
    from sqlalchemy import delete, func
    from sqlmodel import select

    from core import trust
    from core.db import make_engine, session_scope
    from core.models import Researcher, TrustRecord
    from core.trust_refresh import COMMIT_EVERY, recompute_trust

    engine = make_engine(spec["url"])
    ids = spec.get("ids")
    if ids is None and spec.get("openalex_ids"):
        with session_scope(engine) as s:
            ids = list(s.exec(select(Researcher.id).where(Researcher.openalex_id.in_(spec["openalex_ids"]))).all())
    rescore = spec.get("kind") == "rescore"
    if rescore:
        trust.ALGORITHM_VERSION = f"{trust.ALGORITHM_VERSION}+benchmark"
    t0 = time.perf_counter()
    with session_scope(engine) as s:
        total = s.exec(select(func.count()).select_from(Researcher)).one() if ids is None else len(ids)
        # Everyone as ``python -m core trust --all`` does it: committed every COMMIT_EVERY people
        changed = recompute_trust(session=s, researcher_ids=ids, commit_every=COMMIT_EVERY if ids is None else None)
    seconds = time.perf_counter() - t0
    if rescore:
        with session_scope(engine) as s:
            s.execute(delete(TrustRecord).where(TrustRecord.algorithm_version == trust.ALGORITHM_VERSION))
    engine.dispose()
    return {"researchers": total, "changed": changed, "seconds": round(seconds, 3), "peak_rss_mb": peak_rss_mb()}


def task_profile_page(spec: dict) -> dict:
    """cProfile over a few cold runs of one page kind; the top functions by cumulative and by own time."""
    import cProfile

    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

    kind, values = spec["kind"], spec["values"]
    _page_run(kind, values[0])
    prof = cProfile.Profile()
    run_script = ScriptRunner._run_script

    def profiled(self, *args, **kwargs):  # AppTest runs the script in its own thread: profile that thread
        prof.enable()
        try:
            return run_script(self, *args, **kwargs)
        finally:
            prof.disable()

    ScriptRunner._run_script = profiled
    try:
        for v in values[1 : 1 + spec.get("runs", 5)]:
            _page_run(kind, v)
    finally:
        ScriptRunner._run_script = run_script
    prof.dump_stats(spec["prof_out"])
    return {"kind": kind, "top": profile_text(spec["prof_out"])}


def profile_text(prof_path: str, n: int = 25) -> str:
    import io
    import pstats

    buf = io.StringIO()
    stats = pstats.Stats(prof_path, stream=buf)
    stats.sort_stats("cumulative").print_stats(n)
    stats.sort_stats("tottime").print_stats(n)
    return buf.getvalue().replace(str(ROOT) + "/", "")


TASKS = {"pages": task_pages, "memory": task_memory, "trust": task_trust, "profile_page": task_profile_page}


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    result = TASKS[spec["task"]](spec)
    Path(argv[1]).write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
