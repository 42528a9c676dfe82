"""The seed world (``data/seed/world.json``): Peerscope's own records, written from the pages in ``../shared/seeds``.

The file's schema is described in the file itself, under ``"_schema"``. People are emitted first
(``location="people[i]"``), then works (``"works[i]"``), each keyed by its ``seed_key``. Works whose page gives no
title (``"untitled_works"``) are kept in the file but not emitted.

>>> first = next(parse_file(SEED_PATH))
>>> first.source, first.location, first.key
('seed', 'people[0]', 'seed:person:zhongwang-zhang')
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from core.ingest.ids import norm_arxiv, norm_doi, norm_orcid, record_hash
from core.ingest.records import (
    AuthorshipRec,
    InstitutionRec,
    Parsed,
    ParseError,
    PersonRec,
    TopicRec,
    VenueRec,
    VersionRec,
    WorkRec,
)

SOURCE = "seed"
FORMAT = "peerscope-seed/1"
SEED_PATH = Path(__file__).resolve().parents[2] / "data" / "seed" / "world.json"
GEO_TAG_PREFIX = "geo:"


def sniff(path: Path, head: str) -> bool:
    """Is this a seed-world file? (JSON whose ``format`` is ``peerscope-seed/...``.)"""
    return Path(path).suffix.lower() == ".json" and '"peerscope-seed/' in head


def geo_tag(label: str, confidence: float) -> str:
    """Encode a work's affiliation-geography tag as a free tag string.

    >>> geo_tag("Asia > China > Shanghai > Shanghai", 0.05)
    'geo:Asia > China > Shanghai > Shanghai|0.05'
    """
    return f"{GEO_TAG_PREFIX}{label}|{confidence:g}"


def parse_file(path: Path) -> Iterator[Parsed]:
    """Read a seed-world file: one ``Parsed`` per person, then one per titled work.

    Raises ``ParseError`` when the file is not a readable seed world at all; a bad single record
    becomes a ``Parsed`` with ``error`` set.
    """
    path = Path(path)
    try:
        world = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(str(path), "file", f"not a readable JSON file: {exc}") from exc
    if not isinstance(world, dict) or not str(world.get("format", "")).startswith("peerscope-seed/"):
        raise ParseError(str(path), "file", f'not a seed world (expected "format": "{FORMAT}")')

    topics = {t["key"]: t for t in world.get("topics", [])}
    venues = {v["key"]: v for v in world.get("venues", [])}
    people_raw: dict[str, dict[str, Any]] = {}
    seen: set[str] = set()

    for i, raw in enumerate(world.get("people", [])):
        location = f"people[{i}]"
        key = raw.get("seed_key")
        problem = _missing(raw, "seed_key", "display_name") or (f"duplicate seed_key {key}" if key in seen else None)
        if problem:
            yield Parsed(location=location, source=SOURCE, key=key, error=problem, raw_hash=record_hash(raw))
            continue
        seen.add(key)
        people_raw[key] = raw
        try:
            item = _person(raw, topics)
        except (KeyError, TypeError, ValueError) as exc:
            yield Parsed(
                location=location,
                source=SOURCE,
                key=key,
                error=f"bad person record: {exc!r}",
                raw_hash=record_hash(raw),
            )
            continue
        yield Parsed(location=location, source=SOURCE, key=key, item=item, raw_hash=record_hash(raw))

    for i, raw in enumerate(world.get("works", [])):
        location = f"works[{i}]"
        key = raw.get("seed_key")
        authors = [a.get("person") for a in raw.get("authors", [])]
        # The hash covers the people a work embeds, so renaming a co-author counts as a change to the work.
        raw_hash = record_hash({"work": raw, "people": [people_raw.get(k) for k in authors]})
        problem = (
            _missing(raw, "seed_key", "title")
            or (f"duplicate seed_key {key}" if key in seen else None)
            or next((f"unknown person {k!r} in authors" for k in authors if k not in people_raw), None)
        )
        if problem:
            yield Parsed(location=location, source=SOURCE, key=key, error=problem, raw_hash=raw_hash)
            continue
        seen.add(key)
        try:
            item = _work(raw, people_raw, topics, venues)
        except (KeyError, TypeError, ValueError) as exc:
            yield Parsed(
                location=location, source=SOURCE, key=key, error=f"bad work record: {exc!r}", raw_hash=raw_hash
            )
            continue
        yield Parsed(location=location, source=SOURCE, key=key, item=item, raw_hash=raw_hash)


def _missing(raw: dict[str, Any], *fields: str) -> str | None:
    absent = [f for f in fields if not raw.get(f)]
    return f"missing {', '.join(absent)}" if absent else None


def _topic(key: str, topics: dict[str, dict[str, Any]]) -> TopicRec:
    t = topics[key]
    return TopicRec(name=t["name"], kind=t.get("kind", "topic"))


def _person(raw: dict[str, Any], topics: dict[str, dict[str, Any]]) -> PersonRec:
    return PersonRec(
        display_name=raw["display_name"],
        seed_key=raw["seed_key"],
        orcid=norm_orcid(raw.get("orcid")),
        given_name=raw.get("given_name"),
        family_name=raw.get("family_name"),
        name_variants=list(raw.get("name_variants", [])),
        institutions=[InstitutionRec(**inst) for inst in raw.get("institutions", [])],
        homepage=raw.get("homepage"),
        topics=[_topic(k, topics) for k in raw.get("topics", [])],
        summary=raw.get("summary"),
        open_to_collaborate=raw.get("open_to_collaborate"),
    )


def _work(
    raw: dict[str, Any],
    people_raw: dict[str, dict[str, Any]],
    topics: dict[str, dict[str, Any]],
    venues: dict[str, dict[str, Any]],
) -> WorkRec:
    venue = None
    if raw.get("venue"):
        v = venues[raw["venue"]]
        venue = VenueRec(name=v["name"], type=v.get("type"))
    authorships = [
        AuthorshipRec(
            person=_person(people_raw[a["person"]], topics),
            position=pos,
            raw_author_name=a.get("raw_name"),
        )
        for pos, a in enumerate(raw.get("authors", []))
    ]
    versions = [
        VersionRec(
            kind=v["kind"],
            label=v.get("label"),
            date=v.get("date"),
            year=v.get("year"),
            doi=norm_doi(v.get("doi")),
            arxiv_id=norm_arxiv(v.get("arxiv_id")),
            url=v.get("url"),
            venue_name=v.get("venue_name"),
            title=v.get("title"),
            abstract=v.get("abstract"),
        )
        for v in raw.get("versions", [])
    ]
    return WorkRec(
        title=raw["title"],
        abstract=raw.get("abstract"),
        type=raw.get("type"),
        year=raw.get("year"),
        publication_date=raw.get("publication_date"),
        language=raw.get("language"),
        venue=venue,
        doi=norm_doi(raw.get("doi")),
        arxiv_id=norm_arxiv(raw.get("arxiv_id")),
        seed_key=raw["seed_key"],
        is_oa=raw.get("is_oa"),
        # Absent means "the page does not say", which is not the same as an empty list.
        code_urls=list(raw.get("code_urls") or []),
        dataset_urls=list(raw.get("dataset_urls") or []),
        cited_by_count=raw.get("cited_by_count"),
        authorships=authorships,
        authorships_complete=bool(raw.get("authors_complete", True)),
        topics=[_topic(k, topics) for k in raw.get("topics", [])],
        versions=versions,
        # Until WorkRec has a field for them, geography tags travel as free tags "geo:<label>|<confidence>".
        tags=[geo_tag(g["label"], g["confidence"]) for g in raw.get("geo_tags", [])],
    )
