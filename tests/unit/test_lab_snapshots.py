"""Stored lab maps (core.lab_snapshots): built once, read back unchanged, marked out of date by the imports that
touch an institution's members, and left alone by the imports that do not."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import update
from sqlmodel import select

from core import lab_snapshots, labs, queries
from core.db import session_scope
from core.ingest.loader import import_paths
from core.models import LabSnapshot
from tests.unit.test_labs import ELSEWHERE, LAB, _work
from tests.unit.test_labs import engine as engine  # noqa: F401  (the hand-made lab of test_labs)


def _iid(s) -> int:
    return queries.resolve_institution(session=s, query="I100")


def _view(engine):
    with session_scope(engine) as s:
        return lab_snapshots.institution_lab_map(session=s, institution_id=_iid(s))


def _snapshot(engine) -> LabSnapshot | None:
    with session_scope(engine) as s:
        return s.get(LabSnapshot, _iid(s))


def _import(engine, tmp_path, name: str, records: list[dict]) -> dict:
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(r) for r in records))
    return import_paths([path], engine=engine).as_dict()


def _as_compared(m: labs.LabMap) -> dict:
    graph = sorted((min(a, b), max(a, b), tuple(sorted(d.items()))) for a, b, d in m.graph.edges(data=True))
    nodes = sorted((n, tuple(sorted(d.items()))) for n, d in m.graph.nodes(data=True))
    arrays = ("edge_ends", "edge_weight", "edge_works", "edge_first", "edge_last")
    plain = {k: v for k, v in vars(m).items() if k not in ("graph", "positions", *arrays)}
    return {**plain, **{k: getattr(m, k).tolist() for k in arrays}, "graph": graph, "nodes": nodes,
            "positions": {n: (round(x, 6), round(y, 6)) for n, (x, y) in m.positions.items()}}  # fmt: skip


def test_first_view_stores_the_map_and_later_views_read_it(engine):
    assert _snapshot(engine) is None
    first = _view(engine)
    snap = _snapshot(engine)
    assert snap is not None and snap.version == lab_snapshots.VERSION and len(snap.units) == 2
    assert snap.members_total == 4 and sorted(snap.structure["members"]) == sorted(m["id"] for m in first.members)
    # The stored map (read back through JSON) is the map computed without a snapshot, field by field.
    with session_scope(engine) as s:
        units = labs.institution_units(session=s, institution_id=_iid(s))
        member_ids, total = labs.institution_members(session=s, institution_id=_iid(s))
        fresh = labs.lab_map(session=s, member_ids=member_ids, name=first.name, members_total=total, home_units=units)
    second = _view(engine)
    assert _as_compared(second) == _as_compared(first)
    assert {k: v for k, v in _as_compared(fresh).items() if k != "notes"} == {
        k: v for k, v in _as_compared(second).items() if k != "notes"
    }
    assert second.notes == ["Includes 1 child unit(s) from the institution lineage."]
    assert set(second.positions) == set(second.graph.nodes)
    # A view reads the row rather than the bylines: what the row says is what the page gets.
    with session_scope(engine) as s:
        structure = dict(s.get(LabSnapshot, _iid(s)).structure, dynamics={"new": 9, "ongoing": 9, "lapsed": 9})
        s.execute(update(LabSnapshot).where(LabSnapshot.institution_id == _iid(s)).values(structure=structure))
    assert _view(engine).dynamics == {"new": 9, "ongoing": 9, "lapsed": 9}


def test_an_import_touching_a_member_marks_the_map_and_the_next_view_rebuilds_it(engine, tmp_path):
    _view(engine)
    built_at = _snapshot(engine).built_at
    # A1 (a member) writes with a new outside partner A8: the next view must show A8.
    summary = _import(engine, tmp_path, "more.jsonl", [_work(6, 2024, [("A1", LAB), ("A8", ELSEWHERE)])])
    assert summary["labs_outdated"] == 1
    snap = _snapshot(engine)
    assert snap.version == lab_snapshots.OUTDATED and snap.built_at == built_at  # marked, not rebuilt by the import
    with session_scope(engine) as s:
        assert lab_snapshots.outdated_institutions(session=s) == [_iid(s)]
    lab = _view(engine)
    assert sorted(p["name"] for p in lab.external_people) == ["Person A8", "Person A9"]
    assert lab.works_count == 6 and lab.by_year[-1] == {"year": 2024, "works": 1, "new_external_ties": 1}
    snap = _snapshot(engine)
    assert snap.version == lab_snapshots.VERSION and snap.built_at > built_at
    # Marked twice by two imports, counted once; the CLI rebuilds what imports marked.
    _import(engine, tmp_path, "more2.jsonl", [_work(8, 2025, [("A2", LAB)])])
    assert _import(engine, tmp_path, "more3.jsonl", [_work(9, 2025, [("A4", LAB)])])["labs_outdated"] == 0
    from core import __main__ as cli

    assert cli.main(["labs", "--outdated", "--json", "--db", engine.url.render_as_string(hide_password=False)]) == 0
    assert _snapshot(engine).version == lab_snapshots.VERSION and _view(engine).works_count == 8


def test_an_import_elsewhere_leaves_the_map_alone_and_names_are_read_live(engine, tmp_path):
    _view(engine)
    built_at = _snapshot(engine).built_at
    # Two outsiders write together far away: no member is on the work, so the stored map stays as it is.
    summary = _import(engine, tmp_path, "far.jsonl", [_work(7, 2024, [("A9", ELSEWHERE), ("A7", ELSEWHERE)])])
    assert summary["labs_outdated"] == 0 and _snapshot(engine).version == lab_snapshots.VERSION
    # A9 is renamed by an author record: the name on the map follows, without a rebuild.
    renamed = {"id": "https://openalex.org/A9", "display_name": "Ada Nine-Renamed", "works_count": 3}
    assert _import(engine, tmp_path, "authors.jsonl", [renamed])["labs_outdated"] == 0
    assert _snapshot(engine).built_at == built_at and _snapshot(engine).version == lab_snapshots.VERSION
    assert [p["name"] for p in _view(engine).external_people] == ["Ada Nine-Renamed"]


def test_a_new_unit_outdates_the_map(engine, tmp_path):
    _view(engine)
    # A new unit of the lab arrives before its parent is known, then the lineage links it: the units changed.
    team = {"id": "https://openalex.org/I102", "display_name": "Example Lab, Robotics", "country_code": "GB",
            "lineage": ["https://openalex.org/I102", "https://openalex.org/I100"]}  # fmt: skip
    summary = _import(engine, tmp_path, "units.jsonl", [team])
    assert summary["labs_outdated"] == 1 and len(_snapshot(engine).units) == 2
    assert "Includes 2 child unit(s) from the institution lineage." in _view(engine).notes
    assert len(_snapshot(engine).units) == 3


def test_a_snapshot_of_another_version_is_rebuilt_on_view(engine):
    _view(engine)
    with session_scope(engine) as s:
        s.execute(update(LabSnapshot).values(version=lab_snapshots.VERSION - 1, structure={}))
    assert sorted(m["name"] for m in _view(engine).members) == ["Person A1", "Person A2", "Person A3", "Person A4"]
    assert _snapshot(engine).version == lab_snapshots.VERSION


def test_cli_builds_the_largest_maps(engine, capsys):
    from core import __main__ as cli

    url = engine.url.render_as_string(hide_password=False)
    assert cli.main(["labs", "--top", "2", "--json", "--db", url]) == 0
    out = json.loads(capsys.readouterr().out)
    with session_scope(engine) as s:
        stored = sorted(s.exec(select(LabSnapshot.institution_id)).all())
        largest = lab_snapshots.largest_institutions(session=s, limit=2)
    assert out["built"] == 2 and sorted(map(int, out["seconds"])) == stored == sorted(largest)
    assert cli.main(["labs", "--db", url]) == 2  # nothing named: a clear error, nothing built


@pytest.mark.parametrize("bad", ["I999999", "No Such University"])
def test_cli_unknown_institution_builds_nothing(engine, bad, capsys):
    from core import __main__ as cli

    assert cli.main(["labs", bad, "--db", engine.url.render_as_string(hide_password=False)]) == 2
    assert "error" in capsys.readouterr().err
    with session_scope(engine) as s:
        assert s.exec(select(LabSnapshot)).all() == []


def test_a_view_while_an_import_holds_sqlite_shows_the_map_without_keeping_it(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single writer lock")
    import sqlite3
    import time

    lock = sqlite3.connect(engine.url.database)
    lock.execute("BEGIN IMMEDIATE")  # what a running import holds
    try:
        t0 = time.perf_counter()
        lab = _view(engine)
        waited = time.perf_counter() - t0
    finally:
        lock.rollback()
        lock.close()
    assert sorted(m["name"] for m in lab.members) == ["Person A1", "Person A2", "Person A3", "Person A4"]
    assert waited < 5  # not the 30 s busy timeout
    assert _snapshot(engine) is None
    with engine.connect() as conn:  # the connection's own timeout is back for the next writer
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    _view(engine)
    assert _snapshot(engine) is not None
