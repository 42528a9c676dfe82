"""Global search on the full-text index (``core.search``, Alembic revision 0003), on SQLite (FTS5) and PostgreSQL
(GIN): partial, prefix and accent-insensitive names, title words, ranking, hostile input, an index that follows
imports, edits and deletes, the upgrade of a store made at revision 0002, and autogenerate leaving the index alone.

The world is a small OpenAlex works file written here and imported through the real importer, so the index is
filled by the same triggers a bulk import fires. Expected orders are worked out by hand from the rules in
``core.search``: an exact name first, then researchers by number of works (works: score, then citations).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel, delete, select

from core import queries, search
from core.db import alembic_config, init_db, make_engine, session_scope
from core.ingest.loader import import_paths
from core.models import Researcher, ResearcherAlias, Work

MEARMAN, MEARNS, MULLER_J, MULLER_A, MULLEROVA = "A101", "A102", "A103", "A104", "A105"
AUTHORS = {
    MEARMAN: "Joseph Mearman",
    MEARNS: "Josephine Mearns",
    MULLER_J: "Jürgen Müller",
    MULLER_A: "Anna Muller",
    MULLEROVA: "Anna Mullerova",
}
BANGOR = {"id": "https://openalex.org/I201", "display_name": "Bangor University", "country_code": "GB"}
MONTREAL = {"id": "https://openalex.org/I202", "display_name": "Université de Montréal", "country_code": "CA"}
IMMERSIVE = {"id": "https://openalex.org/T301", "display_name": "Immersive Analytics", "score": 0.9}
# (OpenAlex id, title, authors, institution, topic, cited_by_count)
WORKS = [
    ("W1", "Graph drawing", [MEARMAN], BANGOR, None, 40),
    ("W2", "Neural networks for graph layout in immersive analytics", [MEARMAN, MULLER_J], BANGOR, IMMERSIVE, 5),
    ("W3", "A survey of immersive analytics", [MEARMAN, MEARNS], BANGOR, IMMERSIVE, 12),
    ("W4", "Müller-Lyer illusions in virtual reality", [MULLER_J, MULLEROVA], MONTREAL, None, 3),
    ("W5", "Perception of depth", [MULLER_A, MULLEROVA], MONTREAL, None, 1),
    ("W6", "Depth cues and immersive displays", [MULLEROVA], MONTREAL, None, 0),
]


def _work(wid: str, title: str, authors: list[str], inst: dict, topic: dict | None, cited: int) -> dict:
    return {
        "id": f"https://openalex.org/{wid}",
        "title": title,
        "display_name": title,
        "publication_year": 2020,
        "type": "article",
        "authorships": [
            {
                "author_position": "first" if i == 0 else "middle",
                "author": {"id": f"https://openalex.org/{a}", "display_name": AUTHORS[a]},
                "institutions": [inst],
                "raw_author_name": AUTHORS[a],
            }
            for i, a in enumerate(authors)
        ],
        "topics": [topic] if topic else [],
        "cited_by_count": cited,
    }


def _write(path: Path, works: list[tuple]) -> Path:
    path.write_text("\n".join(json.dumps(_work(*w)) for w in works) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def store(empty_store, tmp_path):
    import_paths([_write(tmp_path / "works.jsonl", WORKS)], engine=empty_store, fmt="openalex")
    return empty_store


def _find(engine, query: str) -> dict[str, list[str]]:
    with session_scope(engine) as s:
        got = queries.search(session=s, query=query)
    return {kind: [r.get("name") or r.get("title") for r in rows] for kind, rows in got.items()}


def _people(engine, query: str) -> list[str]:
    return _find(engine, query)["researchers"]


PEOPLE = {
    "mearman": ["Joseph Mearman"],
    "MEARMAN": ["Joseph Mearman"],
    "Joseph Mearm": ["Joseph Mearman"],  # the last word half typed
    "Joseph Mear": ["Joseph Mearman", "Josephine Mearns"],  # every word is a prefix
    "J. Mearman": ["Joseph Mearman"],  # an initial matches the start of the given name
    "mear": ["Joseph Mearman", "Josephine Mearns"],  # 3 works before 1
    "jos mea": ["Joseph Mearman", "Josephine Mearns"],
    "Müller": ["Anna Mullerova", "Jürgen Müller", "Anna Muller"],  # 3, 2, 1 works; accents folded
    "muller": ["Anna Mullerova", "Jürgen Müller", "Anna Muller"],
    "Jurgen Muller": ["Jürgen Müller"],
    "Anna Muller": ["Anna Muller", "Anna Mullerova"],  # the exact name first, though it has fewer works
    "Mullerová": ["Anna Mullerova"],
    "earman": [],  # words match from their start, not in the middle
}


def test_people_by_partial_prefix_and_accent_free_names(store):
    # One store for all the queries (a store per query makes this file slow on PostgreSQL); the dict shows every miss.
    assert {q: _people(store, q) for q in PEOPLE} == PEOPLE


def test_people_by_alias(store):
    with session_scope(store) as s:
        rid = s.exec(select(Researcher.id).where(Researcher.display_name == "Joseph Mearman")).one()
        s.add(ResearcherAlias(researcher_id=rid, name="Joe Mearman", name_key="joe mearman"))
    assert _people(store, "joe") == ["Joseph Mearman"]  # "joe" is no prefix of "Joseph": found by the alias only
    assert _people(store, "Joe Mearman") == ["Joseph Mearman"]


W2 = "Neural networks for graph layout in immersive analytics"
TITLES = {
    "graph": ["Graph drawing", W2],
    "immersive analytics": ["A survey of immersive analytics", W2],
    "immersive analy": ["A survey of immersive analytics", W2],
    "a survey of immersive analytics": ["A survey of immersive analytics"],
    "muller lyer": ["Müller-Lyer illusions in virtual reality"],
    "depth": ["Perception of depth", "Depth cues and immersive displays"],
    "dept": ["Perception of depth", "Depth cues and immersive displays"],  # the last word is a prefix
    "dept cues": [],  # earlier words are whole words
}  # fmt: skip


def test_works_by_title_words(store):
    # Where two titles match, the shorter one (bm25) is also the more cited one (ts_rank ignores length): both
    # databases agree on the order.
    assert {q: _find(store, q)["works"] for q in TITLES} == TITLES


def test_exact_title_first_and_other_kinds(store):
    with session_scope(store) as s:  # more often cited, and "graph" twice: it would win on score alone
        s.add(Work(title="Graph drawing for graph drawing people", cited_by_count=1000))
    assert _find(store, "graph drawing")["works"] == ["Graph drawing", "Graph drawing for graph drawing people"]
    assert _find(store, "bangor") == {
        "researchers": [],
        "works": [],
        "topics": [],
        "institutions": ["Bangor University"],
    }
    assert _find(store, "Universite de Montreal")["institutions"] == ["Université de Montréal"]
    assert _find(store, "montr")["institutions"] == ["Université de Montréal"]
    got = _find(store, "immersive")
    assert got["topics"] == ["Immersive Analytics"]
    assert sorted(got["works"]) == sorted(t for _, t, *_ in WORKS if "immersive" in t.lower())
    with session_scope(store) as s:
        row = queries.search(session=s, query="bangor")["institutions"][0]
        work = queries.search(session=s, query="graph drawing")["works"][0]
    assert (set(row), row["country_code"]) == ({"id", "name", "country_code"}, "GB")
    assert set(work) == {"id", "title", "year"} and work["year"] == 2020


def test_other_databases_fall_back_to_like(store, monkeypatch):
    monkeypatch.setattr(search, "_HITS", {})  # neither FTS5 nor GIN: every word anywhere in the text
    assert _people(store, "earman") == ["Joseph Mearman"]
    assert sorted(_find(store, "immersive analytics")["works"]) == ["A survey of immersive analytics", W2]
    assert _find(store, "'; drop table work; --") == search.empty_results()


def test_search_gives_the_planner_setting_back(store):
    if store.dialect.name != "postgresql":
        pytest.skip("sequential scans are switched off during a search on PostgreSQL only")
    with session_scope(store) as s:
        assert [w["title"] for w in queries.search(session=s, query="graph")["works"]] == ["Graph drawing", W2]
        assert s.connection().execute(text("SHOW enable_seqscan")).scalar() == "on"


def test_limit(store):
    with session_scope(store) as s:
        got = queries.search(session=s, query="a", limit=10)  # one letter: nothing
        assert got == search.empty_results()
        got = queries.search(session=s, query="anna", limit=1)
    assert [r["name"] for r in got["researchers"]] == ["Anna Mullerova"]


HOSTILE = ['"', 'a*"', "NEAR(", "NEAR(a b)", "-", "-graph", "title:x", "'; drop table work; --", "%_", "%", "_",
           "graph AND", "OR graph", "NOT", "a:*", "'", "\\", "&|!()", "^graph", "{title}: x", "graph*", '"graph',
           "(", ")", "\x00", "j.", "   ", ""]  # fmt: skip


def test_syntax_characters_never_raise(store):
    for query in HOSTILE:
        assert set(_find(store, query)) == {"researchers", "works", "topics", "institutions"}, query
    with session_scope(store) as s:
        assert len(s.exec(select(Work.id)).all()) == len(WORKS)  # and nothing was dropped


def test_syntax_characters_read_as_words(store):
    assert _find(store, "-graph")["works"] == ["Graph drawing", W2]  # "-" is no NOT
    assert _find(store, "graph*")["works"] == _find(store, "graph")["works"]
    assert _find(store, "depth AND")["works"] == ["Depth cues and immersive displays"]  # AND is the word "and"
    assert _find(store, "title:graph")["works"] == []  # ditto "title"


def test_index_follows_imports_edits_and_deletes(store, tmp_path):
    more = [("W7", "Sonification of seismic data", [MEARNS], BANGOR, None, 2)]
    import_paths([_write(tmp_path / "more.jsonl", more)], engine=store, fmt="openalex")
    assert _find(store, "sonification")["works"] == ["Sonification of seismic data"]
    assert _people(store, "mear") == ["Joseph Mearman", "Josephine Mearns"]  # Mearns now 2 works, still fewer

    with session_scope(store) as s:
        person = s.exec(select(Researcher).where(Researcher.display_name == "Josephine Mearns")).one()
        person.display_name = "Josephine Marlowe"
        work = s.exec(select(Work).where(Work.title == "Graph drawing")).one()
        work.title = "Graph sketching"
        work.cited_by_count = 41  # a column outside the index: no re-index needed
    assert _people(store, "mearns") == []
    assert _people(store, "marlowe") == ["Josephine Marlowe"]
    assert _find(store, "drawing")["works"] == []
    assert _find(store, "sketching")["works"] == ["Graph sketching"]

    with session_scope(store) as s:
        s.add(Work(title="Tidal sonification"))
    assert sorted(_find(store, "sonification")["works"]) == ["Sonification of seismic data", "Tidal sonification"]
    with session_scope(store) as s:
        s.exec(delete(Work).where(Work.title == "Tidal sonification"))
        s.exec(delete(ResearcherAlias))  # (none: a delete of no rows fires nothing)
    assert _find(store, "sonification")["works"] == ["Sonification of seismic data"]
    _assert_index_consistent(store)


def _assert_index_consistent(engine) -> None:
    """FTS5's own check that every external-content index agrees with its table (SQLite only)."""
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as conn:
        for table in ("work", "researcher", "researcheralias", "institution", "topic"):
            conn.execute(text(f"INSERT INTO fts_{table}(fts_{table}) VALUES ('integrity-check')"))


# A store as revision 0002 left it, written in SQL of that schema: the importer follows the newest models, so it cannot
# be used to fill an old store.
ROWS_AT_0002 = [
    "INSERT INTO researcher (id, display_name, name_key, initials_key, open_to_collaborate, is_placeholder, "
    "counts_by_year_reported, claim_status, created_at, updated_at) VALUES "
    "(1, 'Joseph Mearman', 'joseph mearman', 'j mearman', true, false, '[]', 'unclaimed', '2020-01-01', '2020-01-01'), "
    "(2, 'Jürgen Müller', 'jurgen muller', 'j muller', true, false, '[]', 'unclaimed', '2020-01-01', '2020-01-01')",
    "INSERT INTO researcheralias (id, researcher_id, name, name_key) VALUES (1, 1, 'Joe Mearman', 'joe mearman')",
    "INSERT INTO work (id, title, title_key, code_urls, dataset_urls, keywords, tags, geo_tags, counts_by_year, "
    "is_retracted, authorships_complete, created_at, updated_at) VALUES (1, "
    "'Müller-Lyer illusions in virtual reality', 'muller lyer illusions in virtual reality', "
    "'[]', '[]', '[]', '[]', '[]', '[]', false, true, '2020-01-01', '2020-01-01')",
    "INSERT INTO institution (id, name, lineage, name_key) VALUES (1, 'Université de Montréal', '[]', 'universite de "
    "montreal')",
    "INSERT INTO topic (id, name, kind, key) VALUES (1, 'Immersive Analytics', 'topic', 'immersive analytics')",
]


def test_upgrade_from_0002_indexes_existing_rows(db_url):
    engine = make_engine(db_url)
    try:
        cfg = alembic_config(engine)
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0002")
            for sql in ROWS_AT_0002:
                conn.execute(text(sql))
        init_db(engine)  # to head: builds the index over the rows already there
        expected = {
            "researchers": ["Joseph Mearman"],
            "works": [],
            "topics": [],
            "institutions": [],
        }
        assert _find(engine, "J. Mearman") == expected
        assert _find(engine, "joe") == expected  # by the alias
        assert _find(engine, "muller") == {**expected, "researchers": ["Jürgen Müller"], "works": [
            "Müller-Lyer illusions in virtual reality"]}  # fmt: skip
        assert _find(engine, "montreal")["institutions"] == ["Université de Montréal"]
        assert _find(engine, "immersive")["topics"] == ["Immersive Analytics"]
        _assert_index_consistent(engine)

        with engine.begin() as conn:  # and back down, and up again
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0002")
        assert _search_objects(engine) == []
        init_db(engine)
        assert len(_search_objects(engine)) == (5 * 8 if engine.dialect.name == "sqlite" else 5)
        assert _people(engine, "mearman") == ["Joseph Mearman"]
    finally:
        engine.dispose()


def _search_objects(engine) -> list[str]:
    """Revision 0003's objects: FTS5 tables, their 4 shadow tables and 3 triggers; or GIN indexes."""
    sql = (
        "SELECT name FROM sqlite_master WHERE name LIKE 'fts%'"
        if engine.dialect.name == "sqlite"
        else "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname LIKE 'ix_fts%'"
    )
    with engine.connect() as conn:
        return sorted(conn.execute(text(sql)).scalars())


def test_autogenerate_at_head_emits_nothing(empty_store):
    # Without the filter in core/migrations/env.py autogenerate sees the search objects (so this test can fail) ...
    with empty_store.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    unfiltered = [op[1].name for op in diff if op[0] in ("remove_table", "remove_index")]
    unfiltered += [op[3].name for op in diff if op[0] == "remove_column"]
    if empty_store.dialect.name == "sqlite":
        assert {"fts_work", "fts_work_data", "fts_researcher_idx"} <= set(unfiltered)
    else:
        assert {"ix_fts_work", search.FTS_DOC} <= set(unfiltered)
    # ... and through env.py (the path `alembic revision --autogenerate` takes) it sees no change at all.
    cfg = alembic_config(empty_store)
    with empty_store.begin() as conn:
        cfg.attributes["connection"] = conn
        command.check(cfg)  # raises AutogenerateDiffsDetected on any difference


def test_postgres_reads_the_stored_document_through_its_index(empty_store):
    """Revision 0009 moved the document into a stored column, kept by PostgreSQL on insert and on edit, under 0003's
    index name; the queries name that column."""
    if empty_store.dialect.name != "postgresql":
        pytest.skip("the stored tsvector column exists on PostgreSQL only")
    with session_scope(empty_store) as s:
        work = Work(title="Müller-Lyer illusions")
        s.add(work)
        s.flush()
        doc = f"SELECT {search.FTS_DOC} FROM work WHERE id = :i"
        assert s.connection().execute(text(doc), {"i": work.id}).scalar() == "'illusions':4 'lyer':3 'muller':2 'muller-lyer':1"
        work.title = "Graph drawing"
        s.flush()
        assert s.connection().execute(text(doc), {"i": work.id}).scalar() == "'drawing':2 'graph':1"
        s.rollback()
    with empty_store.connect() as conn:
        conn.execute(text("SET enable_seqscan = off"))  # an empty table: make the index the only way
        for table in ("work", "researcher", "researcheralias", "institution", "topic"):
            sql = f'EXPLAIN SELECT id FROM "{table}" t WHERE t.{search.FTS_DOC} @@ to_tsquery(\'simple\', \'x\')'
            assert f"ix_fts_{table}" in "\n".join(conn.execute(text(sql)).scalars()), table


def test_a_common_word_in_a_large_table_takes_the_newest_matches(empty_store, monkeypatch):
    """Past the ranking cap both databases take the newest ``POOL`` matches. On PostgreSQL they come from the probe
    of the newest rows (no GIN bitmap of every match); the sizes are scaled down here so 40 works are "large"."""
    monkeypatch.setattr(search, "POOL", 3)
    monkeypatch.setattr(search, "PROBE_ROWS", 6)
    monkeypatch.setattr(search, "RANK_CAP", {"sqlite": 10, "postgresql": 10})  # a PostgreSQL table of 20+ is large
    with session_scope(empty_store) as s:
        for i in range(40):  # every other work is about transfer; one work in the newest six is about lattices
            s.add(Work(title=f"Transfer study {i}" if i % 2 else ("Lattice models" if i == 36 else f"Survey {i}")))
        s.flush()
        ids = {w.title: w.id for w in s.exec(select(Work)).all()}
    if empty_store.dialect.name == "postgresql":
        with empty_store.begin() as conn:
            conn.execute(text("ANALYZE work"))  # reltuples: the probe runs only once the table is known to be large
    newest = [f"Transfer study {i}" for i in (39, 37, 35)]
    with session_scope(empty_store) as s:
        got = queries.search(session=s, query="transf", limit=10)["works"]
    assert sorted((w["title"], w["id"]) for w in got) == sorted((t, ids[t]) for t in newest)  # then by id
    assert _find(empty_store, "lattice")["works"] == ["Lattice models"]  # rare among the newest: the index answers
    assert _find(empty_store, "survey 4")["works"] == ["Survey 4"]  # two words, neither path confused
    assert _find(empty_store, "transfer study 7")["works"][0] == "Transfer study 7"  # ranked: few enough matches
