"""The page reads made fast for issue 6 show what they showed before: kept store counts equal live counts after
every import (and fall back to counting when a row arrives some other way), co-author queries still leave
placeholders out, shared references are the same first rows as the plain query, and the view models are unchanged.

Expected values come from plain SQL written here or from the slower formulation the fast one replaced.
"""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import inspect, text
from sqlmodel import select

from core import aggregates, queries, related
from core.db import alembic_config, session_scope
from core.ingest.loader import import_paths
from core.models import Authorship, Researcher, StoreStats, Work

COUNT_SQL = {
    "works": "SELECT count(*) FROM work",
    "researchers": "SELECT count(*) FROM researcher",
    "institutions": "SELECT count(*) FROM institution",
    "topics": "SELECT count(*) FROM topic WHERE kind IN ('topic', 'concept', 'field_of_study', 'category', 'keyword')",
    "venues": "SELECT count(*) FROM venue",
    "authorships": "SELECT count(*) FROM authorship",
    "citations": "SELECT count(*) FROM citation",
    "citations_in_store": "SELECT count(*) FROM citation WHERE cited_work_id IS NOT NULL",
    "works_with_abstract": "SELECT count(*) FROM work WHERE abstract IS NOT NULL",
    "merge_candidates": "SELECT count(*) FROM mergecandidate WHERE status = 'open'",
}


def live_counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {k: conn.execute(text(sql)).scalar_one() for k, sql in COUNT_SQL.items()}


@pytest.fixture
def bangor_store(empty_store, shared_data):
    import_paths([shared_data / "openalex-ego-bangor"], engine=empty_store)
    return empty_store


# ---- kept store counts ---------------------------------------------------------------------------------------------
def test_store_counts_are_kept_by_every_import(empty_store, shared_data):
    with session_scope(empty_store) as s:
        assert queries.store_stats(session=s) == live_counts(empty_store) == dict.fromkeys(COUNT_SQL, 0)
    folder = shared_data / "openalex-ego-bangor"
    import_paths([folder / "works.jsonl"], engine=empty_store)
    expected = live_counts(empty_store)
    assert expected["works"] > 0 and expected["citations_in_store"] > 0
    with session_scope(empty_store) as s:
        row = s.get(StoreStats, 1)
        assert row.marks == aggregates.id_marks(session=s)  # refreshed by the import itself
        assert queries.store_stats(session=s) == expected
    import_paths([folder], engine=empty_store)  # authors and institutions on top of the works
    with session_scope(empty_store) as s:
        assert queries.store_stats(session=s) == live_counts(empty_store) != expected
    import_paths([folder], engine=empty_store)  # again: nothing changes
    with session_scope(empty_store) as s:
        assert queries.store_stats(session=s) == live_counts(empty_store)


def test_a_row_added_outside_an_import_is_counted_live(seeded_store):
    before = live_counts(seeded_store)
    with session_scope(seeded_store) as s:
        s.add(Work(title="Added by hand", abstract="No import saw this."))
        s.add(Researcher(display_name="Also by hand"))
    with session_scope(seeded_store) as s:
        stats = queries.store_stats(session=s)
    assert stats == live_counts(seeded_store)
    assert (stats["works"], stats["researchers"]) == (before["works"] + 1, before["researchers"] + 1)
    assert stats["works_with_abstract"] == before["works_with_abstract"] + 1


def _down_and_up(engine, revision: str, check=None) -> None:
    """Downgrade the store to ``revision`` (``check(conn)`` runs there), then upgrade it to head again."""
    from alembic import command

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
    if check:
        with engine.connect() as conn:
            check(conn)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def test_migration_fills_the_counts_of_an_existing_store(bangor_store):

    _down_and_up(bangor_store, "0003")
    with session_scope(bangor_store) as s:
        row = s.get(StoreStats, 1)
        assert {k: getattr(row, k) for k in aggregates.COUNTS} == {
            k: v for k, v in live_counts(bangor_store).items() if k in aggregates.COUNTS
        }
        assert row.marks == aggregates.id_marks(session=s)


# ---- co-authors without placeholders --------------------------------------------------------------------------------
def _coauthors_sql(engine, rid: int) -> set[int]:
    with engine.connect() as conn:
        return set(
            conn.execute(
                text(
                    "SELECT DISTINCT b.researcher_id FROM authorship a JOIN authorship b ON b.work_id = a.work_id "
                    "JOIN researcher r ON r.id = b.researcher_id WHERE a.researcher_id = :r AND b.researcher_id <> :r "
                    "AND NOT r.is_placeholder"
                ),
                {"r": rid},
            ).scalars()
        )


def test_placeholders_stay_out_of_co_authors_counts_and_the_slice(bangor_store):
    with session_scope(bangor_store) as s:
        rid = queries.resolve_researcher(session=s, query="A5017898742")
        everyone = _coauthors_sql(bangor_store, rid)
        gone = min(everyone)
        s.get(Researcher, gone).is_placeholder = True
    expected = _coauthors_sql(bangor_store, rid)
    assert expected == everyone - {gone}
    with session_scope(bangor_store) as s:
        assert queries.placeholder_ids(session=s) == {gone}
        assert queries.collaborator_count(session=s, researcher_id=rid) == len(expected)
        profile = queries.researcher_profile(session=s, researcher_id=rid, collaborators=100)
        assert {c.id for c in profile.close_collaborators} == expected
        assert profile.collaborators_total == len(expected)
        nodes = {n["key"] for n in queries.researcher_graph_slice(session=s, researcher_id=rid)["nodes"]}
        assert f"r:{gone}" not in nodes


# ---- shared references, citing works ------------------------------------------------------------------------------
def test_shared_references_are_the_first_rows_of_the_plain_query(bangor_store):
    with session_scope(bangor_store) as s:
        wids = s.exec(select(Work.id).order_by(Work.id)).all()
        checked = 0
        for wid in wids:
            for cap in (3, 1600):
                plain = (
                    s.connection()
                    .execute(
                        text(
                            "SELECT citing_work_id, cited_key FROM citation WHERE cited_key IN "
                            "(SELECT cited_key FROM citation WHERE citing_work_id = :w) AND citing_work_id <> :w "
                            "ORDER BY citing_work_id, cited_key LIMIT :cap"
                        ),
                        {"w": wid, "cap": cap},
                    )
                    .all()
                )
                assert related.shared_reference_rows(s, wid, cap=cap) == [tuple(r) for r in plain]
                checked += bool(plain)
    assert checked > 0


def test_paper_detail_with_a_citing_limit_keeps_the_newest_and_counts_all(bangor_store):
    with session_scope(bangor_store) as s:
        cited = (
            s.connection()
            .execute(
                text(
                    "SELECT cited_work_id, count(*) FROM citation WHERE cited_work_id IS NOT NULL GROUP BY 1 ORDER BY 2 DESC"
                )
            )
            .first()
        )
        wid, n = cited
        assert n >= 2
        full = queries.paper_detail(session=s, work_id=wid, related=False)
        short = queries.paper_detail(session=s, work_id=wid, related=False, citing_limit=1)
    assert full["counts"]["cited_by_in_store"] == short["counts"]["cited_by_in_store"] == n
    assert short["citing"] == full["citing"][:1] and len(full["citing"]) == n
    assert {k: v for k, v in short.items() if k != "citing"} == {k: v for k, v in full.items() if k != "citing"}


# ---- view models ----------------------------------------------------------------------------------------------------
def test_profile_dict_equals_asdict_and_the_slice_reuses_it(bangor_store):
    with session_scope(bangor_store) as s:
        ids = s.exec(select(Authorship.researcher_id).distinct().order_by(Authorship.researcher_id)).all()
        for rid in ids[:25]:
            p = queries.researcher_profile(session=s, researcher_id=rid, collaborators=100)
            d = p.to_dict()
            assert d == dataclasses.asdict(p) and list(d) == [f.name for f in dataclasses.fields(p)]
            plain = queries.researcher_graph_slice(session=s, researcher_id=rid)
            assert queries.researcher_graph_slice(session=s, researcher_id=rid, profile=d) == plain


def test_second_degree_strengths_are_the_full_strengths_restricted_in_the_same_order():
    import random

    from core.graph_queries import _strengths_touching
    from core.network import collaboration_strengths

    rnd = random.Random(9)
    for _ in range(300):
        top, skip = set(rnd.sample(range(40), 5)), rnd.randrange(40)
        bylines = [[rnd.randrange(40) for _ in range(rnd.randint(1, 12))] for _ in range(rnd.randint(1, 30))]
        full = collaboration_strengths(bylines)
        expected = [(k, w) for k, w in full.items() if skip not in k and (k[0] in top or k[1] in top)]
        assert list(_strengths_touching(bylines, top, skip=skip).items()) == expected


# ---- sources panel -------------------------------------------------------------------------------------------------
def test_researcher_sources_count_the_persons_record_and_works(bangor_store):
    # Checked against the plain OR query it replaced (which PostgreSQL answers with a scan of all provenance).
    with session_scope(bangor_store) as s:
        rid, n_works = s.execute(text(
            "SELECT researcher_id, count(*) FROM authorship GROUP BY researcher_id ORDER BY count(*) DESC, researcher_id"
        )).first()  # fmt: skip
        got = queries.researcher_sources(session=s, researcher_id=rid)
    expected_sql = text(
        "SELECT source, file, count(*), max(last_seen) FROM provenance WHERE (entity_type = 'researcher' AND "
        "entity_id = :r) OR (entity_type = 'work' AND entity_id IN (SELECT work_id FROM authorship "
        "WHERE researcher_id = :r)) GROUP BY source, file ORDER BY source, file"
    )
    with bangor_store.connect() as conn:
        expected = [(s_, f, n, str(t)[:19]) for s_, f, n, t in conn.execute(expected_sql, {"r": rid})]
    assert n_works > 1 and sorted((d["source"], d["file"], d["records"], d["last_seen"]) for d in got) == expected
    assert sum(d["records"] for d in got) >= n_works  # every work of theirs has a record, plus their own


# ---- explorer people: first year and citations kept on the researcher row ---------------------------------------------
AGG_SQL = text(
    "SELECT a.researcher_id, min(CASE WHEN w.year <> 0 THEN w.year END), coalesce(sum(w.cited_by_count), 0) "
    "FROM authorship a JOIN work w ON w.id = a.work_id GROUP BY a.researcher_id"
)


def test_first_year_and_citations_are_kept_by_every_import(bangor_store):
    from core import explorer

    with bangor_store.connect() as conn:
        expected = {rid: (first, int(cites)) for rid, first, cites in conn.execute(AGG_SQL)}
        kept = {rid: (first, cites) for rid, first, cites in conn.execute(
            text("SELECT id, first_year, citations FROM researcher WHERE id IN (SELECT researcher_id FROM authorship)")
        )}  # fmt: skip
    assert len(expected) > 50 and kept == expected
    some = sorted(expected)[:40]
    with session_scope(bangor_store) as s:
        attrs = explorer.node_attrs(session=s, keys=[f"r:{r}" for r in some])
    assert {int(k[2:]): (d["first_year"], d["citations"]) for k, d in attrs.items()} == {r: expected[r] for r in some}
    # A row written some other way (not yet scored) is counted from its works instead.
    rid = some[0]
    with session_scope(bangor_store) as s:
        s.execute(text("UPDATE researcher SET first_year = NULL, citations = NULL WHERE id = :r"), {"r": rid})
    with session_scope(bangor_store) as s:
        d = explorer.node_attrs(session=s, keys=[f"r:{rid}"])[f"r:{rid}"]
    assert (d["first_year"], d["citations"]) == expected[rid]


def test_the_migration_fills_first_year_and_citations_from_the_works(bangor_store):

    def columns_at_0007(conn) -> None:
        assert "citations" not in {c["name"] for c in inspect(conn).get_columns("researcher")}

    _down_and_up(bangor_store, "0007", check=columns_at_0007)
    with bangor_store.connect() as conn:
        expected = {rid: (first, int(cites)) for rid, first, cites in conn.execute(AGG_SQL)}
        kept = dict(((rid, (first, cites)) for rid, first, cites in conn.execute(
            text("SELECT id, first_year, citations FROM researcher"))))  # fmt: skip
    assert all(kept[r] == expected[r] for r in expected)
    assert all(v == (None, 0) for r, v in kept.items() if r not in expected)  # no works: no year, no citations
