"""Resolving references at the end of an import: every reference that names a stored work points at it, and no
row that stays unresolved is rewritten (a small import into a large store must not rewrite the store's references).

A generated OpenAlex corpus is imported in two parts, the newer works first, so their references to the older
works dangle until the second part arrives. A trigger logs every update of a citation row.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from benchmarks.generate import write_corpus
from core.ingest.loader import import_paths

FIRST = 50  # the oldest works, imported second: 50 * 4 < 250 stored works, so the second import is the scoped pass

PG_LOG = """
CREATE FUNCTION log_citation_update() RETURNS trigger AS $$
BEGIN INSERT INTO citation_update_log VALUES (OLD.id); RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TRIGGER citation_logged AFTER UPDATE ON citation FOR EACH ROW EXECUTE FUNCTION log_citation_update();
"""
SQLITE_LOG = """CREATE TRIGGER citation_logged AFTER UPDATE ON citation
BEGIN INSERT INTO citation_update_log VALUES (old.id); END"""


@pytest.fixture(scope="module")
def corpus_parts(tmp_path_factory) -> tuple[Path, Path, dict[str, int]]:
    d = tmp_path_factory.mktemp("corpus")
    meta = write_corpus(300, d, seed=5)
    lines = Path(meta["files"][0]).read_text(encoding="utf-8").splitlines(keepends=True)
    old, new = d / "old.jsonl", d / "new.jsonl"
    old.write_text("".join(lines[:FIRST]), encoding="utf-8")
    new.write_text("".join(lines[FIRST:]), encoding="utf-8")
    order = {json.loads(line)["id"].rsplit("/", 1)[-1]: i for i, line in enumerate(lines)}
    return old, new, order


def _log_updates(engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE citation_update_log (id BIGINT)")
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(PG_LOG)
        else:
            conn.exec_driver_sql(SQLITE_LOG)


def _state(engine) -> tuple[dict[int, int | None], dict[int, str | None], set[int], set[str]]:
    with engine.connect() as conn:
        links = {a: b for a, b in conn.execute(text("SELECT id, cited_work_id FROM citation"))}
        named = {a: b for a, b in conn.execute(text("SELECT id, cited_openalex_id FROM citation"))}
        logged = {r[0] for r in conn.execute(text("SELECT id FROM citation_update_log"))}
        stored = {r[0] for r in conn.execute(text("SELECT openalex_id FROM work"))}
        conn.execute(text("DELETE FROM citation_update_log"))
        conn.commit()
    return links, named, logged, stored


def _check(engine) -> tuple[int, set[int]]:
    links, named, logged, stored = _state(engine)
    with engine.connect() as conn:
        by_oa = {a: b for a, b in conn.execute(text("SELECT openalex_id, id FROM work"))}
        citing = {a: b for a, b in conn.execute(text("SELECT id, citing_work_id FROM citation"))}
    for cid, target in links.items():
        want = by_oa.get(named[cid])
        if want == citing[cid]:
            want = None  # a work never cites itself
        assert target == want, f"citation {cid} names {named[cid]}: linked to {target}, expected {want}"
    # only rows that found their work were rewritten
    assert all(links[cid] is not None for cid in logged), "an unresolved reference was rewritten"
    return sum(t is None for t in links.values()), logged


def test_references_resolve_and_unresolved_rows_are_left_alone(empty_store, corpus_parts) -> None:
    old, new, order = corpus_parts
    _log_updates(empty_store)
    import_paths([new], engine=empty_store)  # the newer works: their references to the older ones dangle
    dangling, _ = _check(empty_store)
    links, named, _, _ = _state(empty_store)
    older = {k for k, i in order.items() if i < FIRST}
    waiting = {cid for cid, target in links.items() if target is None and named[cid] in older}
    assert dangling > len(waiting) > 0, "the corpus should have references to older works and to works outside it"

    import_paths([old], engine=empty_store)  # 50 works into a store of 250: the pass scoped to the import
    left, logged = _check(empty_store)
    assert waiting <= logged  # each reference that was waiting for an older work now points at it
    assert left == dangling - len(waiting) + _unresolved_of(empty_store, older)


def _unresolved_of(engine, works: set[str]) -> int:
    """Unresolved references written by the works ``works`` (their references to works outside the corpus)."""
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT w.openalex_id FROM citation c JOIN work w ON w.id = c.citing_work_id "
                 "WHERE c.cited_work_id IS NULL")
        ).scalars()  # fmt: skip
        return sum(1 for oa in rows if oa in works)
