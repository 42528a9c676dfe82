"""The bulk import path writes exactly what the per-record path writes.

A generated OpenAlex corpus (``benchmarks.generate``) plus a few hand-made twists (a title twin, a DOI twin, an author
without an id, an ORCID on two author ids, a ROR on two institution ids, an ISSN-L on two source ids) is imported
twice into the same database: once as the CLI does (bulk path), once with every record sent through the per-record
path (``Upserter``). The import order makes references arrive before the works they cite, then adds newer works
and re-imports a file. Both stores must hold the same rows, compared by natural keys (surrogate ids and timestamps
differ by design), and the citation links must be the ones computed here from the raw files.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from sqlmodel import SQLModel

from benchmarks.generate import write_corpus
from core.db import session_scope
from core.ingest import bulk, bulk_sql
from core.ingest.loader import import_paths
from core.models import (
    Authorship,
    Citation,
    Institution,
    Researcher,
    Topic,
    Venue,
    Work,
)

TIMESTAMPS = {"created_at", "updated_at", "first_seen", "last_seen", "computed_at"}
IMPORTED = {  # the tables an import writes
    "work", "workversion", "researcher", "researcheralias", "researcherinstitution", "researchertopic", "institution",
    "venue", "topic", "authorship", "authorshipinstitution", "worktopic", "citation", "provenance", "mergecandidate",
    "trustrecord",
}  # fmt: skip


def _bare(url: str | None) -> str | None:
    return url.rsplit("/", 1)[-1] if url else None


def _twists(works: list[dict]) -> list[dict]:
    """Records that exercise the judgement calls of the import (each a variant of a generated work)."""
    out = []

    def variant(i: int, n: int, title: str | None = None) -> dict:
        w = copy.deepcopy(works[i])
        w["id"] = f"https://openalex.org/W99000000{n:02d}"
        w["doi"] = None
        if title:
            w["title"] = w["display_name"] = title
        return w

    out.append(variant(10, 1))  # same title, another OpenAlex id: certainly another work
    twin = variant(20, 2)
    twin["doi"] = works[20]["doi"] or "https://doi.org/10.5555/twin"  # same DOI: one work, merged
    out.append(twin)
    anon = variant(30, 3, "An anonymous first author writes about merged records")
    anon["authorships"][0]["author"].pop("id")  # name-only author: matched by name and co-authors
    out.append(anon)
    with_orcid = next(i for i, w in enumerate(works) if any(a["author"]["orcid"] for a in w["authorships"]))
    orcid = variant(with_orcid, 4, "An ORCID listed under a second author id")
    a = next(a for a in orcid["authorships"] if a["author"]["orcid"])
    a["author"]["id"] = "https://openalex.org/A9900000001"  # same ORCID, other author id: a merge candidate
    out.append(orcid)
    ror = variant(40, 5, "A ROR shared by two institution ids")
    ror["authorships"][0]["institutions"][0]["id"] = "https://openalex.org/I9900000001"
    out.append(ror)
    issn = variant(50, 6, "An ISSN-L shared by two source ids")
    issn["primary_location"]["source"]["id"] = "https://openalex.org/S9900000001"
    out.append(issn)
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    """``late`` (newer half plus twists) is imported before ``early`` (older half), so most references arrive
    before the works they cite; ``extra`` holds newer works citing both."""
    out = tmp_path_factory.mktemp("bulk-corpus")
    meta = write_corpus(240, out, seed=3, extra=40)
    works = [json.loads(line) for line in Path(meta["files"][0]).read_text(encoding="utf-8").splitlines()]
    files = {"late": out / "late.jsonl", "early": out / "early.jsonl", "extra": Path(meta["files"][1])}
    files["late"].write_text("".join(json.dumps(w) + "\n" for w in works[120:] + _twists(works)), encoding="utf-8")
    files["early"].write_text("".join(json.dumps(w) + "\n" for w in works[:120]), encoding="utf-8")
    return files


def _import_all(engine, files: dict[str, Path]) -> list:
    summaries = [import_paths([files[name]], engine=engine) for name in ("late", "early", "extra", "early")]
    assert summaries[-1].added == summaries[-1].updated == 0  # the re-import finds everything unchanged
    return summaries


def contents(engine) -> dict[str, list]:
    """Every row of the import's tables with surrogate keys replaced by natural ones, sorted."""
    with session_scope(engine) as s:
        work = {i: o or t for i, o, t in s.execute(select(Work.id, Work.openalex_id, Work.title))}
        person = {i: o or n for i, o, n in s.execute(select(Researcher.id, Researcher.openalex_id,
                                                            Researcher.display_name))}  # fmt: skip
        inst = {i: o or n for i, o, n in s.execute(select(Institution.id, Institution.openalex_id, Institution.name))}
        venue = {i: o or n for i, o, n in s.execute(select(Venue.id, Venue.openalex_id, Venue.name))}
        topic = {i: f"{k}:{key}" for i, k, key in s.execute(select(Topic.id, Topic.kind, Topic.key))}
        byline = {i: (work[w], person[r]) for i, w, r in s.execute(select(Authorship.id, Authorship.work_id,
                                                                          Authorship.researcher_id))}  # fmt: skip
        refs = {
            "work_id": work, "citing_work_id": work, "cited_work_id": work, "researcher_id": person,
            "researcher_a_id": person, "researcher_b_id": person, "institution_id": inst,
            "last_institution_id": inst, "venue_id": venue, "topic_id": topic, "authorship_id": byline,
        }  # fmt: skip
        by_entity = {"work": work, "researcher": person, "institution": inst, "venue": venue, "topic": topic}
        out: dict[str, list] = {}
        for table in SQLModel.metadata.sorted_tables:
            if table.name not in IMPORTED:
                continue
            rows = []
            for row in s.execute(select(table)).mappings():
                d = {k: v for k, v in row.items() if k not in TIMESTAMPS and k != "id"}
                for k, mapping in refs.items():
                    if d.get(k) is not None:
                        d[k] = mapping[d[k]]
                if table.name == "provenance":
                    d["entity_id"] = by_entity[d["entity_type"]][d["entity_id"]]
                if "parent_id" in d and d["parent_id"] is not None:
                    d["parent_id"] = (inst if table.name == "institution" else topic)[d["parent_id"]]
                if table.name == "trustrecord":
                    d["snapshot"] = {
                        k: v for k, v in d["snapshot"].items() if k not in ("computed_at", "researcher_id")
                    }
                rows.append(json.dumps(d, sort_keys=True, default=str))
            out[table.name] = sorted(rows)
        return out


def _wipe(engine) -> None:
    with session_scope(engine) as s:
        for table in reversed(SQLModel.metadata.sorted_tables):
            s.execute(delete(table))


def test_bulk_and_per_record_paths_write_the_same_store(empty_store, corpus, monkeypatch):
    bulk_summaries = _import_all(empty_store, corpus)
    with_bulk = contents(empty_store)

    _wipe(empty_store)
    real_split = bulk.split_batch

    def per_record_only(session, batch):
        unchanged, _, _ = real_split(session, batch)
        return unchanged, [], [p for p in batch if p not in unchanged]

    monkeypatch.setattr(bulk, "split_batch", per_record_only)
    per_record_summaries = _import_all(empty_store, corpus)
    per_record = contents(empty_store)

    assert [s.as_dict() | {"files": None} for s in bulk_summaries] == [
        s.as_dict() | {"files": None} for s in per_record_summaries
    ]
    assert sorted(with_bulk) == sorted(IMPORTED)
    for table in with_bulk:
        assert with_bulk[table] == per_record[table], table
    assert len(with_bulk["work"]) == 240 + 40 + 5  # the DOI twin and its original are one work
    assert len(with_bulk["mergecandidate"]) == 1  # the ORCID under two author ids


def test_references_resolve_when_the_cited_work_arrives_later(empty_store, corpus, monkeypatch):
    monkeypatch.setattr(bulk_sql, "ANALYZE_AFTER_WORKS", 1)  # PostgreSQL: the statistics refresh runs here too
    _import_all(empty_store, corpus)
    works = [json.loads(line) for f in ("late", "early", "extra") for line in corpus[f].read_text().splitlines()]
    # The DOI twin (in ``late``) arrives first; its original (work 20, in ``early``) is merged into it and keeps
    # none of its own OpenAlex id, so references to the original's id stay unresolved.
    merged = {"W3000000020": "W9900000002"}
    stored = {_bare(w["id"]) for w in works} - set(merged)
    want = {
        (merged.get(_bare(w["id"]), _bare(w["id"])), _bare(r))
        for w in works
        for r in w["referenced_works"]
        if _bare(r) in stored and _bare(r) != _bare(w["id"])
    }
    with session_scope(empty_store) as s:
        oid = dict(s.execute(select(Work.id, Work.openalex_id)).tuples().all())
        got = {
            (oid[a], oid[b])
            for a, b in s.execute(select(Citation.citing_work_id, Citation.cited_work_id)).tuples()
            if b is not None
        }
    assert got == want


def test_planner_statistics_follow_a_large_import(db_url, tmp_path, monkeypatch):
    """PostgreSQL: ``ANALYZE`` runs inside the import each time the store has doubled (the planner otherwise plans
    the batch lookups for empty tables and the import turns quadratic); SQLite: never."""
    from core.db import init_db, make_engine

    monkeypatch.setattr(bulk, "BATCH", 20)
    monkeypatch.setattr(bulk_sql, "ANALYZE_AFTER_WORKS", 40)
    calls: list[int] = []
    real = bulk_sql.refresh_planner_statistics
    monkeypatch.setattr(bulk_sql, "refresh_planner_statistics", lambda s, n: calls.append(n) or real(s, n))
    meta = write_corpus(300, tmp_path / "c", seed=3)
    engine = make_engine(db_url)
    init_db(engine)
    try:
        import_paths([meta["files"][0]], engine=engine)
        if engine.dialect.name == "postgresql":
            # during the import at 40, 80, 160 new works (the store doubling each time), then once at its end
            assert calls == [40, 80, 160, 300]
            with engine.connect() as conn:
                seen = conn.exec_driver_sql("SELECT reltuples FROM pg_class WHERE oid = 'work'::regclass").scalar()
            assert seen >= 300  # the statistics the next import starts from
        else:
            assert calls == [300]  # called at the end, where it does nothing on SQLite
    finally:
        engine.dispose()
