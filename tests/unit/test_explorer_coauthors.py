"""The explorer's co-authorship edges of a person, summed by the database, against the definition worked out here
row by row from the same bylines: real OpenAlex works with large teams, a placeholder among the co-authors."""

from __future__ import annotations

from collections import defaultdict

import pytest
from sqlmodel import select

from core import explorer
from core.db import init_db, make_engine, session_scope
from core.ingest.loader import import_paths
from core.models import Authorship, Researcher, Work


@pytest.fixture
def store(db_url, shared_data):
    eng = make_engine(db_url)
    init_db(eng)
    import_paths([shared_data / n / "works.jsonl" for n in ("openalex-snowball", "openalex-ego-bangor")], engine=eng)
    yield eng
    eng.dispose()


def _by_definition(session, rid: int, years: tuple[int, int] | None) -> dict[int, tuple[float, int, int | None]]:
    """Each work of the person (within the years) adds 1/(n-1) to each other author, n the distinct authors who are
    not placeholders; the first year of a shared work that has one."""
    skip = set(session.exec(select(Researcher.id).where(Researcher.is_placeholder)))
    mine = [w for w, y in session.exec(select(Work.id, Work.year).join(Authorship).where(Authorship.researcher_id == rid))
            if years is None or (y is not None and years[0] <= y <= years[1])]  # fmt: skip
    bylines, year_of = defaultdict(set), {}
    for wid, r, y in session.exec(select(Authorship.work_id, Authorship.researcher_id, Work.year).join(Work)
                                  .where(Authorship.work_id.in_(mine))):  # fmt: skip
        if r not in skip:
            bylines[wid].add(r)
            year_of[wid] = y
    out: dict[int, list] = {}
    for wid, people in bylines.items():
        if rid not in people or len(people) < 2:
            continue
        for other in people - {rid}:
            s, n, first = out.get(other, (0.0, 0, None))
            y = year_of[wid] or None
            out[other] = (s + 1.0 / (len(people) - 1), n + 1, min(first, y) if first and y else first or y)
    return out


def test_coauthor_edges_follow_the_definition(store):
    with session_scope(store) as s:
        rows = s.exec(select(Authorship.researcher_id, Authorship.work_id, Work.year).join(Work)).all()
        size, reach, active = defaultdict(int), defaultdict(int), defaultdict(set)
        for _, w, _ in rows:
            size[w] += 1
        for r, w, y in rows:
            reach[r] += size[w]
            active[r].add(y)
        # The person with the most byline rows around them among those with works in several years: large teams.
        rid = max((r for r in reach if len(active[r] - {None, 0}) >= 2), key=lambda r: (reach[r], -r))
        expected = _by_definition(s, rid, None)
        some = sorted(expected)[:3]
        s.get(Researcher, some[0]).is_placeholder = True  # a placeholder co-author: left out, and not counted in n
        s.flush()
        got = explorer.expand(session=s, key=f"r:{rid}", edge_kinds=("co-authored",), limit=10_000)
        # A limit that cuts between two co-authors of equal strength: the node key decides who is kept.
        ranked = sorted(_by_definition(s, rid, None).items(), key=lambda kv: (-round(kv[1][0], 9), f"r:{kv[0]}"))
        cut = next(i for i in range(1, len(ranked)) if round(ranked[i][1][0], 9) == round(ranked[i - 1][1][0], 9))
        top = explorer.expand(session=s, key=f"r:{rid}", edge_kinds=("co-authored",), limit=cut)
        with_placeholder = _by_definition(s, rid, None)
        years = sorted({y for y in s.exec(select(Work.year).join(Authorship).where(Authorship.researcher_id == rid)) if y})
        window = (years[0], years[0])  # the first year alone
        in_window = explorer.expand(session=s, key=f"r:{rid}", edge_kinds=("co-authored",), limit=10_000,
                                    year_range=window)  # fmt: skip
        expected_window = _by_definition(s, rid, window)
        s.rollback()
    assert len(expected) > 50 and some[0] not in with_placeholder and len(with_placeholder) == len(expected) - 1
    for exp, want in ((got, with_placeholder), (in_window, expected_window)):
        edges = {int(b[2:]): d for a, b, d in exp.edges}
        assert set(edges) == set(want) and exp.total == len(want)
        for other, (strength, n, first) in want.items():
            assert edges[other]["weight"] == round(strength, 4), other
            assert (edges[other]["works"], edges[other]["first_year"]) == (n, first), other
    assert len(years) > 1 and 0 < sum(n for _, n, _ in expected_window.values()) < sum(
        n for _, n, _ in with_placeholder.values()
    )
    # The explorer keeps the heaviest: by strength, ties by node key, and counts them all.
    assert [b for _, b, _ in top.edges] == [f"r:{o}" for o, _ in ranked[:cut]] and top.total == len(with_placeholder)
    # The placeholder left the bylines: people on its works have a larger strength than before.
    assert any(with_placeholder[o][0] > expected[o][0] for o in with_placeholder)
