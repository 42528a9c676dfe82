"""Writing a benchmark run: ``results-<size>.json``, ``results-<size>.md`` (the table) and ``benchmark-plot.html``
(p95 time against corpus size for each page, over every ``results-*.json`` in the folder).

>>> verdict(0.2, 0.25), verdict(0.3, 0.25), verdict(None, 0.25)
('ok', 'OVER', 'n/a')
"""

from __future__ import annotations

import json
from pathlib import Path

# kind -> (label, target p95 in seconds)
PAGE_TARGETS = {
    "researcher_median": ("Researcher page, median author", 0.25),
    "researcher_hub": ("Researcher page, top-1% hub", 0.60),
    "paper_median": ("Paper page, median work", 0.25),
    "paper_cited": ("Paper page, highly cited work", 0.50),
    "explorer_hub": ("Explorer slice, hub", 0.50),
    "lab_largest": ("Lab map, largest institutions", 1.50),
    "search": ("Global search", 0.10),
}
IMPORT_TARGET = 5000  # works per second
SCALE_TARGET = 1.3  # page p95 at a size over page p95 at a tenth of it
DIALECT_TARGET = 1.5  # PostgreSQL page p95 over SQLite page p95, same size
TRUST_ALL_TARGET, TRUST_INCREMENTAL_TARGET = 120.0, 5.0
MEMORY_TARGET_MB = 1024


def verdict(value: float | None, target: float, *, at_least: bool = False) -> str:
    if value is None:
        return "n/a"
    return "ok" if (value >= target if at_least else value <= target) else "OVER"


def _ms(x: float | None) -> str:
    return "-" if x is None else f"{x * 1000:,.0f}"


def _repeats(result: dict) -> str:
    """The runs per entity of the page figures ("1" for results from before runs were repeated)."""
    got = sorted({str(p.get("repeats", 1)) for p in result.get("pages", {}).values() if "page" in p})
    return " or ".join(got) or "1"


def table(result: dict) -> str:
    """The Markdown table of one run: each figure beside its floor, the ratio, the target and peak RSS."""
    meta, imp = result["corpus"], result["import"]
    lines = [
        f"### Peerscope benchmark: {meta['works']:,} works ({result['size']}, seed {meta['seed']}, "
        f"{result['database']})",
        "",
        f"Corpus: {meta['authors']:,} authors, {meta['authorships']:,} authorships "
        f"({meta['authorships_per_work']}/work), {meta['in_corpus_refs_per_work']} in-corpus references/work, "
        f"{meta['institutions']:,} institutions. Machine: {result['machine']}.",
        "",
        "| What | p50 ms | p95 ms | floor p95 ms (SQL + empty page) | ratio p95/floor | target | verdict | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---|---:|",
    ]
    rate = imp["works_per_second"]
    lines.append(
        f"| Import via CLI ({meta['works']:,} works, {imp['seconds']:.1f} s incl. trust) | | | | | "
        f">= {IMPORT_TARGET:,} works/s: **{rate:,.0f} works/s** | {verdict(rate, IMPORT_TARGET, at_least=True)} | "
        f"{imp['peak_rss_mb']} |"
    )
    for kind, (label, target) in PAGE_TARGETS.items():
        if kind not in result["pages"]:
            lines.append(f"| {label} | | | | | {target * 1000:.0f} | not measured in this run (--kinds) | |")
            continue
        r = result["pages"][kind]
        if "page" not in r:
            lines.append(f"| {label} | | | | | {target * 1000:.0f} | error: {r.get('error', 'not run')[:80]} | |")
            continue
        page, sql, empty = r["page"], r["sql_floor"], r["empty_floor"]
        floor = (sql["p95"] or 0) + (empty["p95"] or 0)
        ratio = f"{page['p95'] / floor:.1f}x" if floor else "-"
        extra = f"; largest alone {_ms(r['largest_s'])} ms" if kind == "lab_largest" and r.get("largest_s") else ""
        errs = f"; {r['error_count']} page errors" if r.get("error_count") else ""
        lines.append(
            f"| {label} (n={page['n']}{extra}{errs}) | {_ms(page['p50'])} | {_ms(page['p95'])} | "
            f"{_ms(floor)} ({_ms(sql['p95'])} + {_ms(empty['p95'])}) | {ratio} | {target * 1000:.0f} | "
            f"{verdict(page['p95'], target)} | {r['peak_rss_mb']} |"
        )
    build = (result["pages"].get("lab_largest") or {}).get("snapshot_build")
    if build and build["build"]["n"]:
        b = build["build"]
        lines.append(
            f"| Lab map build (the stored map: first view, or an import touching the lab; n={b['n']}, max "
            f"{b['max'] * 1000:,.0f}) | {_ms(b['p50'])} | {_ms(b['p95'])} | | | | | {build['peak_rss_mb']} |"
        )
    added = f"+{meta['extra_works']:,} works"
    for key, label, target in (("trust_all", "Trust recompute, all researchers", TRUST_ALL_TARGET),
                               ("trust_rescore", "Trust rescore, all researchers, as after a scoring change (every "
                                "snapshot scored, written and committed)", TRUST_ALL_TARGET),
                               ("trust_incremental", f"Trust recompute after {added}", TRUST_INCREMENTAL_TARGET)):  # fmt: skip
        t = result.get(key) or {}
        if key == "trust_rescore" and not t:
            continue  # results from before this row existed
        if "seconds" in t:
            if "first_run" in t and "seconds" in t["first_run"]:
                label += f"; the first run after the upgrade {t['first_run']['seconds']:,.0f} s"
            lines.append(
                f"| {label} ({t['researchers']:,} researchers, {t['changed']:,} changed) | | {t['seconds'] * 1000:,.0f} "
                f"| | | {target:.0f} s | {verdict(t['seconds'], target)} | {t['peak_rss_mb']} |"
            )
        else:
            lines.append(f"| {label} | | | | | {target:.0f} s | error: {str(t.get('error', 'not run'))[:80]} | |")
    extra = result.get("import_extra")
    if extra:
        outdated = (extra.get("summary") or {}).get("labs_outdated")
        also = f"; it marked {outdated} stored lab maps out of date" if outdated else ""
        lines.append(f"| Import via CLI, +{result['corpus']['extra_works']:,} works (incl. its trust recompute{also}) | | "
                     f"{extra['seconds'] * 1000:,.0f} | | | | | {extra['peak_rss_mb']} |")  # fmt: skip
    mem = result.get("memory") or {}
    if "rss_mb" in mem:
        lines.append(
            f"| RSS after {mem['views']} page views (caches kept) | | | | | {MEMORY_TARGET_MB} MB: **{mem['rss_mb']} MB** | "
            f"{verdict(mem['rss_mb'], MEMORY_TARGET_MB)} | {mem['peak_rss_mb']} |"
        )
    lines += ["", "Page times are whole `app.py` runs through `AppTest` with `st.cache_data` cleared before each run, "
              "one fresh process per page kind after one warm-up run; an entity's time is the median of "
              f"{_repeats(result)} such runs; the floor is the bare indexed SQL of the page plus an empty Streamlit "
              "page run, measured in the same process."]  # fmt: skip
    for again in result.get("remeasured", []):
        lines.append(f"Re-measured on the same store ({again['at']}, {again['machine']}): {', '.join(again['kinds'])}.")
    return "\n".join(lines) + "\n"


def plot(out_dir: Path) -> Path:
    """p95 page time against corpus size, one line per page kind, from every ``results-*.json`` in ``out_dir``."""
    import plotly.graph_objects as go

    runs = []
    for f in sorted(out_dir.glob("results-*.json")):
        try:
            runs.append(json.loads(f.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    runs.sort(key=lambda r: r["corpus"]["works"])
    fig = go.Figure()
    for kind, (label, _target) in PAGE_TARGETS.items():
        pts = [(r["corpus"]["works"], r["pages"][kind]["page"]["p95"] * 1000) for r in runs
               if "page" in (r["pages"].get(kind) or {})]  # fmt: skip
        if pts:
            fig.add_scatter(x=[p[0] for p in pts], y=[p[1] for p in pts], mode="lines+markers", name=label)
    fig.update_layout(
        title="Peerscope pages: p95 time (cold cache) against corpus size",
        xaxis={"title": "works in the store", "type": "log"},
        yaxis={"title": "p95 ms (whole script run)", "type": "log"},
        template="plotly_white",
    )
    path = out_dir / "benchmark-plot.html"
    fig.write_html(path, include_plotlyjs="cdn")
    try:  # a static image too when kaleido is installed
        fig.write_image(out_dir / "benchmark-plot.png")
    except Exception:  # noqa: BLE001 - kaleido absent or without a browser: the HTML is the plot
        pass
    return path


def ratio_table(base: dict, other: dict, *, title: str, target: float) -> str:
    """Page p95 of ``other`` over ``base``, kind by kind (scale invariance, or PostgreSQL against SQLite).

    >>> a = {"pages": {"search": {"page": {"p95": 0.05}}}}
    >>> b = {"pages": {"search": {"page": {"p95": 0.06}}}}
    >>> print(ratio_table(a, b, title="T", target=1.3).splitlines()[-1])
    | Global search | 50 | 60 | 1.20 | 1.3 | ok |
    """
    lines = [f"#### {title}", "", "| What | base p95 ms | p95 ms | ratio | target | verdict |", "|---|---:|---:|---:|---:|---|"]
    for kind, (label, _target) in PAGE_TARGETS.items():
        a = (base["pages"].get(kind) or {}).get("page")
        b = (other["pages"].get(kind) or {}).get("page")
        if not a or not b:
            continue
        ratio = b["p95"] / a["p95"]
        lines.append(f"| {label} | {_ms(a['p95'])} | {_ms(b['p95'])} | {ratio:.2f} | {target} | {verdict(ratio, target)} |")
    return "\n".join(lines) + "\n"


def _smaller_run(result: dict, out_dir: Path) -> dict | None:
    """The run in ``out_dir`` at a tenth of this one's size (same database kind), if there is one."""
    want = result["corpus"]["works"] // 10
    for f in out_dir.glob("results-*.json"):
        try:
            other = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if other["corpus"]["works"] == want and other.get("database") == result.get("database"):
            return other
    return None


def write(result: dict, out_dir: Path) -> dict[str, Path]:
    """Write the JSON, the table (with the scale-invariance ratios when a run at a tenth of the size is in the
    folder) and the plot; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    label = result["size"]
    js, md = out_dir / f"results-{label}.json", out_dir / f"results-{label}.md"
    js.write_text(json.dumps(result, indent=1), encoding="utf-8")
    text = table(result)
    smaller = _smaller_run(result, out_dir)
    if smaller:
        text += "\n" + ratio_table(smaller, result, target=SCALE_TARGET,
                                   title=f"Scale invariance: p95 at {label} over p95 at {smaller['size']}")  # fmt: skip
    md.write_text(text, encoding="utf-8")
    return {"json": js, "table": md, "plot": plot(out_dir)}


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.report compare SQLITE.json POSTGRES.json``: PostgreSQL page p95 over SQLite's."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3 or args[0] != "compare":
        print(main.__doc__, file=sys.stderr)
        return 2
    base, other = (json.loads(Path(a).read_text(encoding="utf-8")) for a in args[1:])
    print(ratio_table(base, other, target=DIALECT_TARGET,
                      title=f"{other['database']} over {base['database']}, {other['size']} works"))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
