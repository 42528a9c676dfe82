"""Lab collaboration maps on a small hand-made lab, and graph exports that load back into networkx."""

from __future__ import annotations

import io
import json

import networkx as nx
import pytest

from core import export, lab_snapshots, labs, queries
from core.db import init_db, make_engine, session_scope
from core.ingest.loader import import_paths

LAB = {"id": "https://openalex.org/I100", "display_name": "Example Lab University", "country_code": "GB",
       "ror": "https://ror.org/00example", "lineage": ["https://openalex.org/I100"]}
UNIT = {"id": "https://openalex.org/I101", "display_name": "Example Lab, Vision Group", "country_code": "GB",
        "lineage": ["https://openalex.org/I101", "https://openalex.org/I100"]}
ELSEWHERE = {"id": "https://openalex.org/I200", "display_name": "Far University", "country_code": "JP",
             "lineage": ["https://openalex.org/I200"]}


def _work(n: int, year: int, authors: list[tuple[str, dict]]) -> dict:
    return {
        "id": f"https://openalex.org/W{n}", "title": f"Lab paper number {n}", "publication_year": year, "type": "article",
        "authorships": [
            {"author_position": "middle", "author": {"id": f"https://openalex.org/{aid}", "display_name": f"Person {aid}"},
             "institutions": [inst], "countries": [inst["country_code"]], "is_corresponding": False,
             "raw_affiliation_strings": [inst["display_name"]]}
            for aid, inst in authors
        ],
    }


@pytest.fixture
def engine(db_url, tmp_path):
    # Members: A1, A2 (lab), A3 (child unit), A4 (lab, never co-authors with a member). Outsider: A9 in Japan.
    works = [
        _work(1, 2015, [("A1", LAB), ("A2", LAB)]),              # A1-A2: 1.0
        _work(2, 2023, [("A1", LAB), ("A2", LAB), ("A3", UNIT)]),  # each pair 0.5
        _work(3, 2016, [("A3", UNIT), ("A9", ELSEWHERE)]),        # external, lapsed by 2023
        _work(4, 2022, [("A4", LAB)]),                            # A4 alone
        _work(5, 2023, [("A2", LAB), ("A9", ELSEWHERE)]),         # external, new
    ]
    inst_file = tmp_path / "institutions.jsonl"
    inst_file.write_text("\n".join(json.dumps(i) for i in (LAB, UNIT, ELSEWHERE)))
    works_file = tmp_path / "works.jsonl"
    works_file.write_text("\n".join(json.dumps(w) for w in works))
    eng = make_engine(db_url)
    init_db(eng)
    import_paths([inst_file, works_file], engine=eng)
    yield eng
    eng.dispose()


def _lab(engine) -> labs.LabMap:
    with session_scope(engine) as s:
        return lab_snapshots.institution_lab_map(
            session=s, institution_id=queries.resolve_institution(session=s, query="I100")
        )


def test_lab_map_by_hand(engine):
    lab = _lab(engine)
    assert sorted(m["name"] for m in lab.members) == ["Person A1", "Person A2", "Person A3", "Person A4"]
    pairs = {(p["a"], p["b"]): (p["strength"], p["shared_works"]) for p in lab.internal_pairs}
    assert pairs == {
        ("Person A1", "Person A2"): (1.5, 2),
        ("Person A1", "Person A3"): (0.5, 1),
        ("Person A2", "Person A3"): (0.5, 1),
    }
    assert [p["name"] for p in lab.external_people] == ["Person A9"]
    assert lab.external_people[0]["strength"] == 2.0  # 1.0 with A3 (2016) + 1.0 with A2 (2023)
    assert [(i["name"], i["authorships"]) for i in lab.external_institutions] == [("Far University", 2)]
    assert lab.countries == [{"country_code": "JP", "authorships": 2}]
    assert [m["name"] for m in lab.isolated] == ["Person A4"]
    # Latest year 2023, recent = after 2020: A1-A2 ongoing (2015, 2023); A1-A3, A2-A3 and A2-A9 new; A3-A9 lapsed.
    assert lab.dynamics == {"new": 3, "ongoing": 1, "lapsed": 1}
    assert "Includes 1 child unit(s) from the institution lineage." in lab.notes


def test_graphml_and_gexf_round_trip(engine):
    g = _lab(engine).graph
    for data, reader in ((export.graph_to_graphml(g), nx.read_graphml), (export.graph_to_gexf(g), nx.read_gexf)):
        back = reader(io.BytesIO(data))
        assert sorted(map(str, back.nodes)) == sorted(map(str, g.nodes))
        assert sorted(tuple(sorted(map(str, e))) for e in back.edges) == sorted(tuple(sorted(map(str, e))) for e in g.edges)
        weights = {tuple(sorted(map(str, (a, b)))): float(d["weight"]) for a, b, d in back.edges(data=True)}
        assert weights == {tuple(sorted(map(str, (a, b)))): d["weight"] for a, b, d in g.edges(data=True)}


def test_cli_graph_export(engine, tmp_path):
    from core import __main__ as cli

    out = tmp_path / "lab.graphml"
    assert cli.main(["graph", "lab", "https://ror.org/00example", "-o", str(out), "--db", str(engine.url.render_as_string(hide_password=False))]) == 0
    back = nx.read_graphml(out)
    assert back.number_of_nodes() == 5 and back.number_of_edges() == 5


def test_lab_bibtex_batch_matches_the_paper_view(engine):
    # The lab's BibTeX export reads all its works in a few queries; each entry must be what the paper page exports.
    from sqlmodel import select

    from core.models import Work

    with session_scope(engine) as s:
        ids = sorted(s.exec(select(Work.id)).all())
        batch = [export.bibtex(p) for p in queries.works_for_citation(session=s, work_ids=[*ids, 10**9])]
        one_by_one = [export.bibtex(queries.paper_detail(session=s, work_id=w, related=False)) for w in ids]
    assert len(batch) == 5 and batch == one_by_one
    assert "author = {A1, Person and A2, Person and A3, Person}" in batch[1]


def test_exports_keep_node_keys_and_the_store_id(engine):
    # Lab (and explorer) nodes are "r:<id>" with an "id" attribute: GEXF must not take that attribute as the node id
    # (networkx does), and the CSV must not have two "id" columns.
    import csv

    g = _lab(engine).graph
    assert all(k.startswith("r:") and d["id"] == int(k[2:]) for k, d in g.nodes(data=True))
    back = nx.read_gexf(io.BytesIO(export.graph_to_gexf(g)))
    assert sorted(back.nodes) == sorted(g.nodes)
    assert {n: int(d["entity_id"]) for n, d in back.nodes(data=True)} == {n: d["id"] for n, d in g.nodes(data=True)}
    nodes_csv, _ = export.graph_to_csv(g)
    rows = list(csv.DictReader(io.StringIO(nodes_csv)))
    header = nodes_csv.splitlines()[0].split(",")
    assert len(header) == len(set(header)) and header[0] == "id" and "entity_id" in header
    assert {r["id"]: int(r["entity_id"]) for r in rows} == {n: d["id"] for n, d in g.nodes(data=True)}
