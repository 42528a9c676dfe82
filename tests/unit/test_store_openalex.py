"""Importing the real OpenAlex folders: store counts equal figures computed here from the raw files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core import queries
from core.db import session_scope
from core.ingest.loader import import_paths


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _bare(url: str | None) -> str | None:
    return url.rsplit("/", 1)[-1] if url else None


def expected_counts(works: list[dict], authors: list[dict] = (), institutions: list[dict] = ()) -> dict:
    """Independent few lines: what the store must hold after importing these raw OpenAlex objects."""
    work_ids = {_bare(w["id"]) for w in works}
    author_ids = {_bare(a["author"]["id"]) for w in works for a in w["authorships"] if a["author"].get("id")}
    author_ids |= {_bare(a["id"]) for a in authors}
    inst_ids = {_bare(i["id"]) for w in works for a in w["authorships"] for i in a["institutions"] if i.get("id")}
    inst_ids |= {_bare(i["id"]) for i in institutions}
    inst_ids |= {_bare(i["id"]) for a in authors for i in a.get("last_known_institutions") or [] if i}
    # Two real records list themselves among their references; the store keeps the row but links no self-citation.
    internal = {
        (_bare(w["id"]), _bare(r))
        for w in works
        for r in w.get("referenced_works") or []
        if _bare(r) in work_ids and _bare(r) != _bare(w["id"])
    }
    return {
        "works": len(work_ids),
        "researchers": len(author_ids),
        "institutions": len(inst_ids),
        "authorships": len({(_bare(w["id"]), _bare(a["author"]["id"])) for w in works for a in w["authorships"]}),
        "citations_in_store": len(internal),
        "citations": sum(len(set(w.get("referenced_works") or [])) for w in works),
        "works_with_abstract": sum(1 for w in works if w.get("abstract_inverted_index")),
    }


def _stats(engine) -> dict:
    with session_scope(engine) as s:
        return queries.store_stats(session=s)


@pytest.fixture
def engine(empty_store):
    return empty_store


def test_ego_network_counts_and_idempotency(engine, shared_data):
    folder = shared_data / "openalex-ego-bangor"
    works, authors = _lines(folder / "works.jsonl"), _lines(folder / "authors.jsonl")
    institutions = _lines(folder / "institutions.jsonl")
    want = expected_counts(works, authors, institutions)

    first = import_paths([folder], engine=engine)
    got = _stats(engine)
    for key, value in want.items():
        assert got[key] == value, key
    assert first.rejected == 0 and first.by_entity["work"]["added"] == len(works)

    second = import_paths([folder], engine=engine)
    assert (second.added, second.updated) == (0, 0)
    assert second.unchanged == len(works) + len(authors) + len(institutions)
    assert _stats(engine) == got


def test_snowball_citation_links_and_abstracts(engine, shared_data):
    path = shared_data / "openalex-snowball" / "works.jsonl"
    works = _lines(path)
    want = expected_counts(works)
    import_paths([path], engine=engine)
    got = _stats(engine)
    assert {k: got[k] for k in want} == want

    # One abstract rebuilt word by word, checked against the raw inverted index.
    raw = next(w for w in works if w.get("abstract_inverted_index"))
    positions = sorted((p, word) for word, ps in raw["abstract_inverted_index"].items() for p in ps)
    with session_scope(engine) as s:
        wid = queries.resolve_work(session=s, query=raw["id"])
        paper = queries.paper_detail(session=s, work_id=wid)
    assert paper["abstract"] == " ".join(word for _, word in positions)
    # A key paper's in-store citing works match the raw referenced_works links.
    key = next(w for w in works if w.get("_snowball_role") == "keypaper")
    citing = {_bare(w["id"]) for w in works if key["id"] in (w.get("referenced_works") or [])}
    with session_scope(engine) as s:
        detail = queries.paper_detail(session=s, work_id=queries.resolve_work(session=s, query=key["id"]))
        assert detail["counts"]["cited_by_in_store"] == len(citing)


def test_entities_and_snapshot_schemas(engine, shared_data):
    """The 2023 snapshot (host_venue, last_known_institution) and the 2025 API objects land in one store."""
    snap = shared_data / "openalex-snapshot-2023"
    ents = shared_data / "openalex-entities-2025"
    summary = import_paths([snap, ents], engine=engine)
    insts = {_bare(i["id"]) for i in _lines(snap / "institutions_part_000.jsonl")}
    insts |= {_bare(json.loads((snap / "single_institutions_I27837315.json").read_text())["id"])}
    snap_works = _lines(snap / "works_part_000.jsonl")
    work_ids = {_bare(w["id"]) for w in snap_works} | {"W2741809807"}
    for w in snap_works + [json.loads((ents / "W2741809807.json").read_text())]:
        insts |= {_bare(i["id"]) for a in w["authorships"] for i in a["institutions"] if i.get("id")}
    for a in _lines(snap / "authors_part_000.jsonl") + [json.loads((ents / "A5023888391.json").read_text())]:
        lki = a.get("last_known_institutions") or (
            [a["last_known_institution"]] if a.get("last_known_institution") else []
        )
        insts |= {_bare(i["id"]) for i in lki}
    got = _stats(engine)
    assert got["works"] == len(work_ids)
    assert got["institutions"] == len(insts)
    venues = {_bare(s["id"]) for s in _lines(snap / "sources_part_000.jsonl")} | {"S137773608"}
    for w in snap_works + [json.loads((ents / "W2741809807.json").read_text())]:
        src = (w.get("primary_location") or {}).get("source") or w.get("host_venue")
        if src and src.get("id"):
            venues.add(_bare(src["id"]))
    assert got["venues"] == len(venues)
    # Funders and publishers are read but not held by the store: counted as skipped, never as rejected.
    raw_ids = [
        o["id"]
        for f in [*snap.iterdir(), *ents.iterdir()]
        if f.suffix in (".json", ".jsonl")
        for o in ([json.loads(f.read_text())] if f.suffix == ".json" else _lines(f))
    ]
    assert summary.skipped == sum(1 for i in raw_ids if _bare(i)[0] in "PF")
    assert summary.rejected == 0
    with session_scope(engine) as s:
        # "Deleted Author" is kept as a placeholder, never shown as a collaborator.
        rid = queries.resolve_researcher(session=s, query="A5317838346")
        assert queries.researcher_profile(session=s, researcher_id=rid).is_placeholder
        priem = queries.researcher_profile(
            session=s, researcher_id=queries.resolve_researcher(session=s, query="A5023888391")
        )
        assert (
            priem.reported["h_index"] == json.loads((ents / "A5023888391.json").read_text())["summary_stats"]["h_index"]
        )
        michigan = json.loads((ents / "I27837315.json").read_text())
        children = [a for a in michigan["associated_institutions"] if a["relationship"] == "child"]
        assert children  # the raw file names child units; our parent links point the other way
