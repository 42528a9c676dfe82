"""The lab page draws a lab map from its tie arrays (``LabMap.edge_*``), not from a networkx graph: on a real
institution the measures, the counts and the figure are exactly those of the graph the exports write."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core import lab_snapshots, labs, queries
from core.db import init_db, make_engine, session_scope
from core.ingest.loader import import_paths
from core.models import LabSnapshot
from ui import explorer_view as view


@pytest.fixture(scope="module")
def stored(shared_data, tmp_path_factory):
    """The map of the University of Helsinki in two real OpenAlex sets (a few large-team works: 190 people, 3,261
    ties), read from its snapshot."""
    eng = make_engine(f"sqlite:///{tmp_path_factory.mktemp('labs') / 'store.db'}")
    init_db(eng)
    import_paths([shared_data / name / "works.jsonl" for name in ("openalex-snowball", "openalex-ego-bangor")], engine=eng)
    with session_scope(eng) as s:
        iid = queries.resolve_institution(session=s, query="University of Helsinki")
        lab_snapshots.institution_lab_map(session=s, institution_id=iid)  # builds and keeps the snapshot
    with session_scope(eng) as s:
        structure = s.get(LabSnapshot, iid).structure
        m = lab_snapshots.institution_lab_map(session=s, institution_id=iid)
    yield eng, m, structure
    eng.dispose()


@pytest.fixture
def lab(stored):
    return stored[1:]


def test_a_member_gone_since_the_build_is_left_out_with_their_ties(stored):
    eng, m, structure = stored
    member = max(m.members, key=lambda x: m.graph.degree(f"r:{x['id']}"))  # the most connected member
    gone = 10**9  # an id no researcher row has: as a member merged away after the map was built
    moved = {**structure, "members": [gone if r == member["id"] else r for r in structure["members"]],
             "nodes": [gone if r == member["id"] else r for r in structure["nodes"]]}  # fmt: skip
    with session_scope(eng) as s:
        after = labs.lab_view(session=s, structure=moved, name=m.name)
    g = m.graph.copy()
    g.remove_node(f"r:{member['id']}")
    assert after.graph.number_of_edges() == g.number_of_edges() < m.graph.number_of_edges()
    assert {(a, b, tuple(sorted(d.items()))) for a, b, d in after.graph.edges(data=True)} == {
        (a, b, tuple(sorted(d.items()))) for a, b, d in g.edges(data=True)
    }
    assert list(after.graph.nodes(data=True)) == list(g.nodes(data=True))


def test_ties_are_stored_packed_and_read_back_whole(lab):
    m, structure = lab
    assert isinstance(structure["edges"]["i"], str) and isinstance(structure["work_ids"], str)  # base64, not lists
    g = m.graph
    assert len(m.nodes) == g.number_of_nodes() > 100 and len(m.edge_ends) == g.number_of_edges() > 1000
    assert m.works_count == len(m.work_ids) > 0 and m.work_ids == sorted(m.work_ids)
    members = {n for n, d in g.nodes(data=True) if d["member"]}
    assert m.internal_ties == sum(1 for a, b in g.edges if a in members and b in members) > 0
    assert 0 < m.internal_ties < len(m.edge_ends)  # ties both inside the lab and to partners outside it
    some = next(iter(g.edges(data=True)))[2]
    assert some["kind"] == "co-authored" and some["works"] >= 1 and some["weight"] > 0


@pytest.mark.parametrize("measure", ["Community", "Degree", "Strength", "First year"])
def test_measures_from_the_arrays_are_those_of_the_graph(lab, measure):
    m, _ = lab
    styles, community = view.lab_drawing(m.nodes, {x["id"]: x["community"] for x in m.members})
    fast = view.lab_measure_values(m, measure, community_of=community)
    slow = view.measure_values(m.graph, measure, centrality={}, community_of=community)
    assert list(fast) == list(slow)
    assert all((a is None and b is None) or math.isclose(a, b, rel_tol=1e-12) for a, b in zip(fast.values(), slow.values(), strict=True))
    assert len({v for v in fast.values() if v is not None}) > 1  # the measure tells people apart here

    # The figure: the same node traces, and the same tie segments (in another order).
    got_fig = view.lab_figure(m, values=fast, measure=measure, styles=styles)
    want_fig = view.graph_figure(m.graph, m.positions, focus=None, values=slow, measure=measure, styles=styles)
    got, want = got_fig.to_plotly_json(), want_fig.to_plotly_json()
    assert len(got["data"]) == len(want["data"]) >= 3
    for a, b in zip(got["data"][2:], want["data"][2:], strict=True):  # node traces
        assert {k: v for k, v in a.items() if k != "marker"} == {k: v for k, v in b.items() if k != "marker"}
        assert a["marker"]["size"] == pytest.approx(b["marker"]["size"])
        assert a["marker"]["color"] == pytest.approx(b["marker"]["color"]) if measure != "Community" else True
    for a, b in zip(got_fig.data[:2], want_fig.data[:2], strict=True):  # other edges (none), co-authorships
        assert _segments(a) == _segments(b)
        assert {k: v for k, v in a.to_plotly_json().items() if k not in "xy"} == {
            k: v for k, v in b.to_plotly_json().items() if k not in "xy"
        }
    assert len(_segments(got_fig.data[1])) == len(m.edge_ends)
    bounds = [(layout["coloraxis"].pop("cmin"), layout["coloraxis"].pop("cmax")) for layout in (got["layout"], want["layout"])]
    assert bounds[0] == pytest.approx(bounds[1]) and got["layout"] == want["layout"]  # strengths: sums in another order


def _segments(trace) -> list[tuple]:
    xs, ys = np.asarray(trace.x, dtype=float), np.asarray(trace.y, dtype=float)
    pts = np.stack([xs, ys], axis=1).reshape(-1, 3, 2)[:, :2]
    return sorted(tuple(sorted(map(tuple, seg.tolist()))) for seg in pts)
