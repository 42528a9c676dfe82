"""``python -m benchmarks --size 10k|100k|1m|N [--db URL] [--out benchmarks/out/]``

Generates the seeded corpus (reused when already written for the same size and seed), imports it through the real
CLI into a fresh store, measures every page kind in its own process, the trust recompute (all, then incremental
after importing the extra works through the CLI) and the memory after page views, and writes
``results-<size>.json``, ``results-<size>.md`` and ``benchmark-plot.html`` into ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

from benchmarks import measure, report
from benchmarks.generate import size_of, write_corpus

OUT = Path(__file__).resolve().parent / "out"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[1])
    p.add_argument("--size", default="10k", help="10k, 100k, 1m or a number of works (e.g. 500)")
    p.add_argument(
        "--db", default=None, help="SQLAlchemy URL of an EMPTY store (default: a fresh SQLite file in --out)"
    )
    p.add_argument("--out", type=Path, default=OUT, help="folder for the corpus, the store and the results")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--entities", type=int, default=30, help="entities per page kind (p50/p95 over these)")
    p.add_argument("--repeats", type=int, default=measure.REPEATS,
                   help="cold runs per entity; its time is their median (one run varies by +-20%%)")  # fmt: skip
    p.add_argument("--extra", type=int, default=None, help="works imported afterwards (default 1000, less when tiny)")
    p.add_argument("--memory-views", type=int, default=100, help="page views before the memory reading")
    p.add_argument("--kinds", default=",".join(measure.PAGES), help="page kinds to measure, comma-separated")
    p.add_argument("--profile", action="store_true", help="also cProfile the import and the slowest page")
    p.add_argument(
        "--existing", action="store_true",
        help="re-measure the page kinds of --kinds (and trust_all, the recompute of all researchers; memory, the RSS "
             "after --memory-views page views) on the store an "
             "earlier run at this size imported (--db, or the default SQLite file), and merge them into that run's "
             "results; the other figures are kept",
    )  # fmt: skip
    return p


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    n = size_of(args.size)
    label = args.size.lower()
    extra = args.extra if args.extra is not None else min(1000, max(20, n // 5))
    out: Path = args.out.resolve()
    corpus_dir = out / f"corpus-{label}"
    corpus_dir.mkdir(parents=True, exist_ok=True)
    if out == OUT and not (out / ".gitignore").exists():  # corpora, stores and results stay out of git
        (out / ".gitignore").write_text("*\n")

    meta_path = corpus_dir / "meta.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else None
    if not meta or (meta["works"], meta["extra_works"], meta["seed"]) != (n, extra, args.seed):
        log(f"generating {n:,} works (+{extra:,} extra), seed {args.seed}")
        t0 = time.perf_counter()
        meta = write_corpus(n, corpus_dir, seed=args.seed, extra=extra)
        meta["generate_seconds"] = round(time.perf_counter() - t0, 2)
        meta_path.write_text(json.dumps(meta, indent=1))
    corpus, extra_file = meta["files"][0], (meta["files"][1] if extra else None)

    if args.existing:
        return _remeasure(args, out, label)
    url = args.db or _fresh_sqlite(out / f"peerscope-{label}.db")
    if args.db and _works_in(url):
        print("error: --db must point at an empty store (the benchmark imports into it)", file=sys.stderr)
        return 2
    result: dict = {"size": label, "database": url.split(":", 1)[0].split("+")[0], "corpus": meta,
                    "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, "
                               f"Python {platform.python_version()}", "pages": {}}  # fmt: skip

    log(f"importing {corpus} through the CLI")
    imp = measure.import_via_cli([corpus], url)
    imp["works_per_second"] = round(n / imp["seconds"], 1)
    result["import"] = imp
    log(f"import: {imp['seconds']:.1f} s, {imp['works_per_second']:,.0f} works/s, peak RSS {imp['peak_rss_mb']} MB")

    entities = measure.pick_entities(url, args.entities)
    result["entities"] = entities
    kinds = [k for k in args.kinds.split(",") if k]
    work = out / f"work-{label}"
    _measure_pages(result, kinds, entities, url, work, args.repeats)
    report.write(result, out)  # each stage's figures are kept as it ends: a long run cut short keeps what it measured

    if args.memory_views:
        _measure_memory(result, kinds, entities, url, work, args.memory_views)
        report.write(result, out)

    log("trust recompute, all researchers")
    result["trust_all"] = measure.run_child({"task": "trust", "url": url, "kind": "all"}, work)
    log("trust rescore, all researchers (as after a scoring change; committed, then its records deleted)")
    result["trust_rescore"] = measure.run_child({"task": "trust", "url": url, "kind": "rescore"}, work)
    report.write(result, out)
    if extra_file:
        log(f"importing {extra:,} more works through the CLI")
        result["import_extra"] = measure.import_via_cli([extra_file], url)
        authors = _author_ids(Path(extra_file))
        log(f"trust recompute for the {len(authors):,} authors of the new works")
        result["trust_incremental"] = measure.run_child(
            {"task": "trust", "url": url, "kind": "incremental", "openalex_ids": authors}, work
        )

    if args.profile:
        result["profiles"] = _profiles(result, corpus, url, out, label, entities, work)

    paths = report.write(result, out)
    print(report.table(result))
    log(f"wrote {paths['json']}, {paths['table']}, {paths['plot']}")
    return 0


def _measure_pages(result: dict, kinds: list[str], entities: dict, url: str, work: Path, repeats: int) -> None:
    """Each page kind in its own child process (cold cache); figures into ``result["pages"]``."""
    for kind in kinds:
        if kind == "lab_largest":
            # A lab map is a stored snapshot, built by the first view or by an import that touches the lab: build
            # them here, timed (the cost of that first view), so that the page runs measure what later views cost.
            log(f"building the stored lab maps of {len(entities[kind])} institutions")
            build = measure.build_labs_via_cli(entities[kind], url)
            log(f"  build p95 {build['build']['p95']:.1f} s, max {build['build']['max']:.1f} s")
        log(f"page {kind}: {len(entities[kind]) - 1} entities")
        r = measure.run_child({"task": "pages", "kind": kind, "values": entities[kind], "url": url,
                               "repeats": repeats}, work)  # fmt: skip
        if kind == "lab_largest" and "per_entity" in r:
            r["largest_s"] = r["per_entity"][0][1]
            r["snapshot_build"] = build
        result["pages"][kind] = r
        if "page" in r:
            log(f"  p50 {r['page']['p50'] * 1000:.0f} ms, p95 {r['page']['p95'] * 1000:.0f} ms, "
                f"sql floor p95 {r['sql_floor']['p95'] * 1000:.1f} ms, errors {r['error_count']}")  # fmt: skip
        else:
            log(f"  {r.get('error')}")


def _remeasure(args, out: Path, label: str) -> int:
    """``--existing``: the pages of ``--kinds`` again, on the store an earlier run imported, merged into its results."""
    prior = out / f"results-{label}.json"
    if not prior.exists():
        print(f"error: --existing needs {prior} from an earlier run at this size", file=sys.stderr)
        return 2
    result = json.loads(prior.read_text(encoding="utf-8"))
    url = args.db or f"sqlite:///{out / f'peerscope-{label}.db'}"
    if not _works_in(url):
        print("error: the store of --existing holds no works", file=sys.stderr)
        return 2
    kinds = [k for k in args.kinds.split(",") if k]
    result.setdefault("remeasured", []).append({
        "kinds": kinds, "at": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
    })  # fmt: skip
    work = out / f"work-{label}"
    pages = [k for k in kinds if k not in ("trust_all", "memory")]
    _measure_pages(result, pages, result["entities"], url, work, args.repeats)
    if "memory" in kinds:
        _measure_memory(result, list(measure.PAGES), result["entities"], url, work, args.memory_views)
    if "trust_all" in kinds:
        _upgrade(url)  # the store may predate the code's newest revision (pages upgrade it on their own)
        log("trust recompute, all researchers (twice: a store from older code fills new columns on the first)")
        first = measure.run_child({"task": "trust", "url": url, "kind": "all"}, work)
        result["trust_all"] = {**measure.run_child({"task": "trust", "url": url, "kind": "all"}, work),
                               "first_run": first}  # fmt: skip
        log("trust rescore, all researchers (as after a scoring change; committed, then its records deleted)")
        result["trust_rescore"] = measure.run_child({"task": "trust", "url": url, "kind": "rescore"}, work)
    paths = report.write(result, out)
    print(report.table(result))
    log(f"wrote {paths['json']}, {paths['table']}, {paths['plot']}")
    return 0


def _measure_memory(result: dict, kinds: list[str], entities: dict, url: str, work: Path, views: int) -> None:
    log(f"memory: {views} page views")
    # lab maps are left out of the mix: at 10k works one takes ~20 s (see the lab figures), so 100 views would
    # be mostly lab maps; the lab page's own peak RSS is in its row of the table
    sample = {k: v[1:] for k, v in entities.items() if k in kinds and k != "lab_largest"}
    result["memory"] = measure.run_child({"task": "memory", "entities": sample, "views": views, "url": url}, work)
    result["memory"]["kinds"] = sorted(sample)


def _upgrade(url: str) -> None:
    from core.db import init_db, make_engine

    engine = make_engine(url)
    try:
        init_db(engine)
    finally:
        engine.dispose()


def _fresh_sqlite(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _works_in(url: str) -> int:
    from sqlalchemy import inspect, text

    from core.db import make_engine

    engine = make_engine(url)
    try:
        if not inspect(engine).has_table("work"):
            return 0
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM work")).scalar_one()
    finally:
        engine.dispose()


def _author_ids(path: Path) -> list[str]:
    from core.ingest.ids import norm_openalex

    ids: set[str] = set()
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            for a in json.loads(line).get("authorships") or []:
                if oid := norm_openalex((a.get("author") or {}).get("id")):
                    ids.add(oid)
    return sorted(ids)


def _profiles(result: dict, corpus: str, url: str, out: Path, label: str, entities: dict, work: Path) -> dict:
    """cProfile the import (into a scratch store) and the slowest page kind; keep the .prof files and the tops."""
    profiles = {}
    log("profiling the import (scratch store)")
    prof = out / f"profile-import-{label}.prof"
    measure.import_via_cli([corpus], _fresh_sqlite(out / f"profile-{label}.db"), profile_to=prof)
    profiles["import"] = {"prof": str(prof), "top": measure.profile_text(str(prof))}
    timed = {k: r["page"]["p95"] for k, r in result["pages"].items() if "page" in r}
    if timed:
        slowest = max(timed, key=timed.get)
        log(f"profiling the slowest page kind: {slowest}")
        prof = out / f"profile-{slowest}-{label}.prof"
        r = measure.run_child({"task": "profile_page", "kind": slowest, "values": entities[slowest],
                               "url": url, "prof_out": str(prof),
                               "runs": 5}, work)  # fmt: skip
        profiles["page"] = {"kind": slowest, "prof": str(prof), "top": r.get("top") or r.get("error")}
    for name, p in profiles.items():
        (out / f"profile-{name}-{label}.txt").write_text(str(p["top"]), encoding="utf-8")
        p["top"] = f"see profile-{name}-{label}.txt"
    return profiles


if __name__ == "__main__":
    sys.exit(main())
