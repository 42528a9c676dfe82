"""The Peerscope command line: ``python -m core COMMAND ...``.

A thin layer over the functions the pages use. User mistakes get a one-line message and exit code 2;
a failed import exits 1 and leaves the store as it was.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core import cli_accounts, queries
from core.db import init_db, make_engine, session_scope
from core.ingest.loader import FORMATS, ImportFailed, import_paths
from core.permissions import InvalidInput, PermissionDenied


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        engine = make_engine(args.db)
        init_db(engine)
        return args.func(args, engine)
    except ImportFailed as exc:
        print(f"import failed, nothing was written: {exc}", file=sys.stderr)
        return 1
    except (queries.NotFound, queries.Ambiguous, InvalidInput, PermissionDenied) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a database that cannot be opened, a URL with a typo ...
        from sqlalchemy.exc import ArgumentError, OperationalError

        if isinstance(exc, (ArgumentError, OperationalError)):
            print(f"error: cannot use database {args.db or '(default)'}: {str(exc).splitlines()[0]}", file=sys.stderr)
            return 2
        raise


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m core", description="Peerscope: import and inspect scholarly data.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=None, help="SQLAlchemy URL (default: DATABASE_URL or data/peerscope.db)")
    sub = p.add_subparsers(dest="command")

    imp = sub.add_parser("import", parents=[common], help="import files or folders")
    imp.add_argument("paths", nargs="+", help="files or folders")
    imp.add_argument("--format", default="auto", choices=("auto", *[f for f in FORMATS if f != "seed"]))
    imp.add_argument("--skip-bad", action="store_true", help="import the good records and report each bad one")
    imp.add_argument("--json", action="store_true", help="print the summary as JSON")
    imp.set_defaults(func=cmd_import)

    st = sub.add_parser("stats", parents=[common], help="counts of what the store holds")
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=cmd_stats)

    for name, func, what in (("researcher", cmd_researcher, "a researcher profile"), ("paper", cmd_paper, "a paper")):
        sp = sub.add_parser(name, parents=[common], help=f"print {what} as the page shows it")
        sp.add_argument("query", help="internal id, OpenAlex id, ORCID/DOI/arXiv id, or exact name/title")
        sp.add_argument("--json", action="store_true")
        sp.set_defaults(func=func)

    gr = sub.add_parser("graph", parents=[common], help="export a collaboration graph (GraphML, GEXF, CSV, BibTeX)")
    gr.add_argument("kind", choices=("lab", "ego"), help="lab: an institution's map; ego: a researcher's graph slice")
    gr.add_argument("query", help="institution id / OpenAlex I-id / ROR (lab), or a researcher query (ego)")
    gr.add_argument("--format", dest="fmt", default="graphml", choices=("graphml", "gexf", "csv", "bibtex"))
    gr.add_argument("-o", "--output", required=True, help="output file (csv: a prefix; writes PREFIX_nodes.csv, PREFIX_edges.csv)")
    gr.set_defaults(func=cmd_graph)

    fe = sub.add_parser("fetch", parents=[common], help="fetch works from the OpenAlex API (resumable)")
    fe.add_argument("kind", choices=("orcid", "author", "institution", "search"))
    fe.add_argument("value", help="an ORCID iD, OpenAlex author id, ROR / OpenAlex institution id, or search words")
    fe.add_argument("--max", type=int, default=None, dest="max_records", help="stop after this many works")
    fe.add_argument("--mailto", default=None, help="e-mail for OpenAlex's polite pool (default: settings)")
    fe.add_argument("--restart", action="store_true", help="ignore a saved cursor and start from the first page")
    fe.add_argument("--skip-bad", action="store_true")
    fe.set_defaults(func=cmd_fetch)

    lb = sub.add_parser("labs", parents=[common], help="build the stored lab maps of institutions ahead of time")
    lb.add_argument("institutions", nargs="*", help="institutions (id, ROR, OpenAlex id or exact name)")
    lb.add_argument("--top", type=int, default=None, help="the N institutions with the most authorships")
    lb.add_argument("--outdated", action="store_true", help="the stored maps imports have marked out of date")
    lb.add_argument("--json", action="store_true", help="print the build times as JSON")
    lb.set_defaults(func=cmd_labs)

    tr = sub.add_parser("trust", parents=[common], help="recompute trust snapshots (after a scoring change, or to audit)")
    tr.add_argument("researchers", nargs="*", help="researchers (id, OpenAlex id, ORCID or exact name)")
    tr.add_argument("--all", action="store_true", dest="everyone", help="every researcher in the store")
    tr.add_argument("--json", action="store_true", help="print the counts and time as JSON")
    tr.set_defaults(func=cmd_trust)

    seed = sub.add_parser("seed", parents=[common], help="load the seed world (data/seed/world.json)")
    seed.set_defaults(func=cmd_seed)
    cli_accounts.add_parsers(sub, common)
    return p


def _progress(enabled: bool):
    if not enabled:
        return None, lambda: None
    from tqdm import tqdm

    bars: dict[Path, tqdm] = {}

    def on_record(path: Path, n: int) -> None:
        bar = bars.get(path)
        if bar is None:
            for b in bars.values():
                b.close()
            bar = bars[path] = tqdm(desc=path.name[:40], unit=" rec", file=sys.stderr, leave=True, mininterval=0.25)
        bar.update(1)

    return on_record, lambda: [b.close() for b in bars.values()]


def cmd_import(args, engine) -> int:
    on_record, close = _progress(sys.stderr.isatty() or not args.json)
    try:
        summary = import_paths(args.paths, engine=engine, fmt=args.format, skip_bad=args.skip_bad, on_record=on_record)
    finally:
        close()
    d = summary.as_dict()
    if args.json:
        print(json.dumps(d, indent=2))
    else:
        print(
            f"read {d['read']} | added {d['added']} | updated {d['updated']} | unchanged {d['unchanged']} | "
            f"rejected {d['rejected']}" + (f" | skipped {d['skipped']} (kinds not stored)" if d["skipped"] else "")
        )
        for entity, per in sorted(d["by_entity"].items()):
            print(f"  {entity}: " + ", ".join(f"{k} {v}" for k, v in sorted(per.items())))
        for line in d["rejections"]:
            print(f"  rejected: {line}")
        for line in d["notes"]:
            print(f"  skipped: {line}")
        print(f"  trust snapshots updated: {d['trust_recomputed']}")
        if d["labs_outdated"]:
            print(f"  stored lab maps out of date: {d['labs_outdated']} (rebuilt on their next view, or by "
                  "'python -m core labs --outdated')")
    return 0


def cmd_stats(args, engine) -> int:
    with session_scope(engine) as s:
        stats = queries.store_stats(session=s)
    if args.json:
        print(json.dumps(stats, indent=2, sort_keys=True))
    else:
        for k, v in stats.items():
            print(f"{k:>20}: {v}")
    return 0


def cmd_researcher(args, engine) -> int:
    with session_scope(engine) as s:
        rid = queries.resolve_researcher(session=s, query=args.query)
        profile = queries.researcher_profile(session=s, researcher_id=rid).to_dict()
    if args.json:
        print(json.dumps(profile, indent=2, default=str))
        return 0
    m = profile["metrics"]
    print(f"{profile['display_name']}  (id {profile['id']})")
    print(f"  {profile['summary']}")
    aff = profile["affiliation"]
    print(f"  affiliation: {aff['name'] if aff else 'Affiliation not imported'}")
    print(f"  works {m['works_count']} | citations {m['citations']} | h-index {m['h_index']} | i10 {m['i10_index']}")
    t = profile["trust"]
    print(f"  trust {t['score']} - {t['band']} | verification {t['level']} | {t['claim_status']}")
    for c in profile["close_collaborators"]:
        print(f"  collaborator: {c['name']} (id {c['id']}): {c['shared_works']} shared works, strength {c['strength']}")
    for w in profile["works"]:
        print(f"  - {w['year']} {w['title']} [{w['type']}]")
    return 0


def cmd_paper(args, engine) -> int:
    with session_scope(engine) as s:
        wid = queries.resolve_work(session=s, query=args.query)
        paper = queries.paper_detail(session=s, work_id=wid)
    if args.json:
        print(json.dumps(paper, indent=2, default=str))
        return 0
    print(f"{paper['title']}  (id {paper['id']}, {paper['year']}, {paper['type']})")
    print("  authors: " + ", ".join(a["name"] for a in paper["authors"]))
    for v in paper["versions"]:
        print(f"  version: {v['kind']} {v['label']} {v['date'] or v['year'] or ''}")
    c = paper["counts"]
    print(f"  cited by {c['cited_by_reported']} (in store {c['cited_by_in_store']}), references {c['references']}")
    return 0


def cmd_graph(args, engine) -> int:
    import networkx as nx

    from core import export, lab_snapshots

    with session_scope(engine) as s:
        if args.kind == "lab":
            iid = queries.resolve_institution(session=s, query=args.query)
            lab = lab_snapshots.institution_lab_map(session=s, institution_id=iid)
            graph, work_ids = lab.graph, lab.work_ids
        else:
            rid = queries.resolve_researcher(session=s, query=args.query)
            sl = queries.researcher_graph_slice(session=s, researcher_id=rid)
            graph = nx.Graph()
            for n in sl["nodes"]:
                graph.add_node(n["key"], **{k: v for k, v in n.items() if k != "key"})
            for e in sl["edges"]:
                graph.add_edge(e["source"], e["target"], weight=e["weight"])
            work_ids = [n["id"] for n in sl["nodes"] if n["kind"] == "work"]
        if args.fmt == "bibtex":
            text = "\n\n".join(export.bibtex(p) for p in queries.works_for_citation(session=s, work_ids=work_ids))
    out = Path(args.output)
    if args.fmt == "graphml":
        out.write_bytes(export.graph_to_graphml(graph))
    elif args.fmt == "gexf":
        out.write_bytes(export.graph_to_gexf(graph))
    elif args.fmt == "csv":
        nodes, edges = export.graph_to_csv(graph)
        Path(f"{out}_nodes.csv").write_text(nodes)
        Path(f"{out}_edges.csv").write_text(edges)
    else:
        out.write_text(text + "\n")
    print(f"wrote {args.fmt}: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges -> {out}")
    return 0


def cmd_labs(args, engine) -> int:
    """Build lab snapshots (``core.lab_snapshots``) so the first view of a large institution's map is fast too."""
    from core import lab_snapshots

    if not args.institutions and not args.top and not args.outdated:
        raise InvalidInput("name institutions to build, or --top N for the N largest, or --outdated")
    times: dict[int, float] = {}
    with session_scope(engine) as s:
        ids = [queries.resolve_institution(session=s, query=q) for q in args.institutions]
        if args.top:
            ids += [i for i in lab_snapshots.largest_institutions(session=s, limit=args.top) if i not in ids]
        if args.outdated:
            ids += [i for i in lab_snapshots.outdated_institutions(session=s) if i not in ids]

        def built(iid: int, seconds: float) -> None:
            times[iid] = seconds
            if not args.json:
                print(f"  institution {iid}: built in {seconds:.2f} s", file=sys.stderr)

        lab_snapshots.build_many(session=s, institution_ids=ids, on_built=built)
    if args.json:
        print(json.dumps({"built": len(times), "seconds": times}, indent=2))
    else:
        print(f"built {len(times)} lab map(s) in {sum(times.values()):.1f} s")
    return 0


def cmd_trust(args, engine) -> int:
    """Recompute trust snapshots; only the ones that changed are stored (``core.trust_refresh``)."""
    import time

    from tqdm import tqdm

    from core.trust_refresh import COMMIT_EVERY, recompute_trust

    if args.everyone == bool(args.researchers):
        raise InvalidInput("name researchers to recompute, or --all for everyone (not both)")
    started, seen = time.perf_counter(), [0]
    bar = None  # shown once the names are resolved
    try:
        with session_scope(engine) as s:
            ids = None if args.everyone else [queries.resolve_researcher(session=s, query=q) for q in args.researchers]
            bar = tqdm(desc="trust", unit=" people", file=sys.stderr, mininterval=0.5, disable=args.json)

            def progress(done: int, total: int) -> None:
                bar.total, seen[0] = total, done
                bar.update(done - bar.n)

            # Everyone: committed as it goes (the app's writes wait for a batch, not the whole run; a stopped run
            # keeps what it stored and the next one resumes).
            changed = recompute_trust(session=s, researcher_ids=ids, progress=progress,
                                      commit_every=COMMIT_EVERY if ids is None else None)
    except KeyboardInterrupt:
        if bar is not None:
            bar.close()
        kept = (f"the snapshots committed before the stop (every {COMMIT_EVERY:,} people) are kept; run it again to "
                "go on: the people done are skipped") if args.everyone else "nothing was stored"
        print(f"\nstopped after {seen[0]:,} researcher(s): {kept}", file=sys.stderr)
        return 130
    bar.close()
    seen, seconds = seen[0], round(time.perf_counter() - started, 2)
    if args.json:
        print(json.dumps({"researchers": seen, "changed": changed, "seconds": seconds}, indent=2))
    else:
        print(f"recomputed the trust snapshots of {seen:,} researcher(s) in {seconds:.1f} s: {changed:,} changed and stored")
    return 0


def cmd_fetch(args, engine) -> int:
    from core.fetch import FetchError, QueryError, fetch_into_store

    def progress(p) -> None:
        print(
            f"\r  {p.records} works, {p.pages} pages" + (f" of ~{p.total}" if p.total else ""), end="", file=sys.stderr
        )

    try:
        result = fetch_into_store(
            args.kind,
            args.value,
            engine=engine,
            max_records=args.max_records,
            mailto=args.mailto,
            restart=args.restart,
            skip_bad=args.skip_bad,
            on_progress=progress,
        )
    except QueryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except FetchError as exc:
        print(f"\nfetch stopped: {exc} (pages fetched so far are stored; run again to resume)", file=sys.stderr)
        return 1
    d = result.summary.as_dict()
    print(
        f"\n{result.status}: {result.pages} pages | added {d['added']} | updated {d['updated']} | "
        f"unchanged {d['unchanged']} | rejected {d['rejected']}" + (" (resumed)" if result.resumed else "")
    )
    return 0


def cmd_seed(args, engine) -> int:
    from core.ingest.seed import SEED_PATH

    summary = import_paths([SEED_PATH], engine=engine, fmt="seed")
    d = summary.as_dict()
    print(f"seed world: added {d['added']} | updated {d['updated']} | unchanged {d['unchanged']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
