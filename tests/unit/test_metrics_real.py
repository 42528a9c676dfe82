"""Our h-index, i10 and citations equal OpenAlex's own figures for every author whose whole career is in the file."""

from __future__ import annotations

import json
from collections import defaultdict

from core import queries
from core.db import init_db, make_engine, session_scope
from core.ingest.loader import import_paths


def complete_authors(works: list[dict], authors: list[dict]) -> list[dict]:
    """Authors whose OpenAlex ``works_count`` equals the number of their works present in the file."""
    mine = defaultdict(set)
    for w in works:
        for a in w["authorships"]:
            mine[a["author"]["id"]].add(w["id"])
    return [a for a in authors if a["works_count"] and len(mine[a["id"]]) == a["works_count"]]


def test_metrics_equal_openalex_summary_stats(db_url, shared_data):
    folder = shared_data / "openalex-ego-bangor"
    works = [json.loads(x) for x in (folder / "works.jsonl").read_text().splitlines() if x.strip()]
    authors = [json.loads(x) for x in (folder / "authors.jsonl").read_text().splitlines() if x.strip()]
    complete = complete_authors(works, authors)
    assert complete, "the file holds at least one complete career"
    engine = make_engine(db_url)
    init_db(engine)
    import_paths([folder], engine=engine)
    with session_scope(engine) as s:
        for a in complete:
            rid = queries.resolve_researcher(session=s, query=a["id"])
            p = queries.researcher_profile(session=s, researcher_id=rid)
            assert p.metrics["works_count"] == a["works_count"], a["display_name"]
            assert p.metrics["h_index"] == a["summary_stats"]["h_index"], a["display_name"]
            assert p.metrics["i10_index"] == a["summary_stats"]["i10_index"], a["display_name"]
            assert p.metrics["citations"] == a["cited_by_count"], a["display_name"]
            assert p.reported["h_index"] == a["summary_stats"]["h_index"]
    engine.dispose()
