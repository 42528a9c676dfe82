"""OpenAlex: works, authors, institutions, sources, topics, concepts and keywords.

Reads single API objects, list envelopes (``{"results": [...]}``), JSON Lines and gzipped snapshot part files,
in both the 2023 schema (``host_venue``, ``last_known_institution``, concepts) and the current one
(``primary_location``, ``last_known_institutions``, topics).

>>> abstract_from_inverted_index({"Deep": [0], "nets": [1, 3], "are": [2]})
'Deep nets are nets'
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from core.ingest.ids import norm_arxiv, norm_doi, norm_openalex, norm_orcid, norm_ror, record_hash
from core.ingest.jsonfiles import iter_json_objects
from core.ingest.records import (
    AuthorshipRec,
    InstitutionRec,
    Parsed,
    PersonRec,
    RefRec,
    TopicRec,
    VenueRec,
    VersionRec,
    WorkRec,
)

SOURCE = "openalex"
PLACEHOLDER_NAMES = {"deleted author", "deleted user"}
_VERSION_KIND = {"submittedVersion": "preprint", "acceptedVersion": "accepted", "publishedVersion": "published"}


def sniff(path: Path, head: str) -> bool:
    return "openalex.org/" in head[:4096]


def parse_file(path: Path) -> Iterator[Parsed]:
    for location, obj, raw in iter_json_objects(path):
        if obj is None:
            yield Parsed(location=location, source=SOURCE, error=raw)
            continue
        # Hash the object, not its text, so a record read from a file and the same record fetched from the
        # API are recognised as unchanged.
        yield parse_object(obj, location, raw_hash=record_hash(obj))


def parse_object(obj: dict, location: str = "record 1", raw_hash: str | None = None) -> Parsed:
    """One OpenAlex object of any entity type -> ``Parsed``; unknown or malformed objects become errors."""
    raw_id = obj.get("id")
    if not isinstance(raw_id, str) or "openalex.org" not in raw_id:
        return Parsed(location, SOURCE, error="not an OpenAlex object: missing or malformed 'id'")
    key = norm_openalex(raw_id)
    try:
        if "/keywords/" in raw_id:
            item = TopicRec(name=_text(obj, "display_name"), kind="keyword", openalex_id=key)
        elif key is None:
            return Parsed(location, SOURCE, error=f"unrecognised OpenAlex id {raw_id!r}")
        elif key[0] == "W":
            item = parse_work(obj)
        elif key[0] == "A":
            item = parse_author(obj)
        elif key[0] == "I":
            item = parse_institution(obj)
        elif key[0] == "S":
            item = parse_source(obj)
        elif key[0] == "T":
            item = _topic(obj)
        elif key[0] == "C":
            item = TopicRec(
                name=_text(obj, "display_name"), kind="concept", openalex_id=key, level=_int(obj.get("level"))
            )
        else:  # publishers, funders: nothing in the store holds them yet
            return Parsed(location, SOURCE, key=key, raw_hash=raw_hash)
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        return Parsed(location, SOURCE, key=key, error=f"{key}: {exc}")
    return Parsed(location, SOURCE, key=key, item=item, raw_hash=raw_hash)


def abstract_from_inverted_index(index: dict | None) -> str | None:
    """Rebuild abstract text from OpenAlex's ``abstract_inverted_index`` (word -> positions)."""
    if not index:
        return None
    if not isinstance(index, dict):
        raise TypeError("abstract_inverted_index must be an object")
    slots: dict[int, str] = {}
    for word, positions in index.items():
        for pos in positions:
            slots[int(pos)] = word
    return " ".join(slots[i] for i in sorted(slots)) or None


def parse_work(obj: dict) -> WorkRec:
    title = obj.get("title") or obj.get("display_name") or ""
    if not isinstance(title, str):
        raise TypeError(f"'title' must be a string, found {title!r}")
    # Real OpenAlex records can have an empty title (grants, some conference papers): keep the work,
    # the pages show it as untitled with its identifiers.
    ids = obj.get("ids") or {}
    open_access = obj.get("open_access") or {}
    work = WorkRec(
        title=" ".join(title.split()),
        abstract=abstract_from_inverted_index(obj.get("abstract_inverted_index")),
        type=obj.get("type"),
        year=_int(obj.get("publication_year")),
        publication_date=obj.get("publication_date"),
        language=obj.get("language"),
        venue=_work_venue(obj),
        doi=norm_doi(obj.get("doi") or ids.get("doi")),
        openalex_id=norm_openalex(obj["id"]),
        pmid=_pmid(ids.get("pmid")),
        is_oa=open_access.get("is_oa"),
        oa_status=open_access.get("oa_status"),
        oa_url=open_access.get("oa_url"),
        cited_by_count=_int(obj.get("cited_by_count")),
        counts_by_year=[
            {"year": int(c["year"]), "cited_by_count": int(c.get("cited_by_count") or 0)}
            for c in obj.get("counts_by_year") or []
        ],
        is_retracted=bool(obj.get("is_retracted")),
        keywords=[k.get("display_name") for k in obj.get("keywords") or [] if isinstance(k, dict)],
    )
    work.authorships = [_authorship(a, i) for i, a in enumerate(obj.get("authorships") or [])]
    work.topics = _work_topics(obj)
    work.references = [RefRec(openalex_id=norm_openalex(r)) for r in obj.get("referenced_works") or [] if r]
    work.versions, work.arxiv_id = _versions(obj)
    work.dataset_urls = [d for d in obj.get("datasets") or [] if isinstance(d, str)]
    return work


def _authorship(a: dict, index: int) -> AuthorshipRec:
    author = a.get("author") or {}
    name = author.get("display_name") or a.get("raw_author_name") or "Unknown author"
    raw_affs = a.get("raw_affiliation_strings") or (
        [a["raw_affiliation_string"]] if a.get("raw_affiliation_string") else []
    )
    return AuthorshipRec(
        person=PersonRec(
            display_name=name,
            openalex_id=norm_openalex(author.get("id")),
            orcid=norm_orcid(author.get("orcid")),
            is_placeholder=name.strip().lower() in PLACEHOLDER_NAMES,
        ),
        position=index,
        is_corresponding=bool(a.get("is_corresponding")),
        raw_author_name=a.get("raw_author_name"),
        raw_affiliation="; ".join(raw_affs) or None,
        institutions=[_institution_stub(i) for i in a.get("institutions") or [] if i.get("display_name")],
        countries=list(a.get("countries") or []),
    )


def _institution_stub(i: dict) -> InstitutionRec:
    lineage = [norm_openalex(x) for x in i.get("lineage") or [] if x]
    oid = norm_openalex(i.get("id"))
    return InstitutionRec(
        name=i["display_name"],
        openalex_id=oid,
        ror=norm_ror(i.get("ror")),
        country_code=i.get("country_code"),
        type=i.get("type"),
        lineage=lineage,
        parent_openalex_id=_parent_from_lineage(oid, lineage),
    )


def _parent_from_lineage(oid: str | None, lineage: list[str]) -> str | None:
    others = [x for x in lineage if x and x != oid]
    return others[0] if others else None


def _work_venue(obj: dict) -> VenueRec | None:
    src = (obj.get("primary_location") or {}).get("source") or obj.get("host_venue")
    if not src or not src.get("display_name"):
        return None
    return VenueRec(
        name=src["display_name"],
        openalex_id=norm_openalex(src.get("id")),
        issn_l=src.get("issn_l"),
        issns=list(src.get("issn") or []),
        type=src.get("type"),
        publisher=src.get("host_organization_name") or src.get("publisher"),
        is_oa=src.get("is_oa"),
    )


def _work_topics(obj: dict) -> list[TopicRec]:
    topics = [_topic(t) for t in obj.get("topics") or []]
    if topics:
        return topics
    return [
        TopicRec(
            name=c["display_name"],
            kind="concept",
            openalex_id=norm_openalex(c.get("id")),
            level=_int(c.get("level")),
            score=_float(c.get("score")),
        )
        for c in obj.get("concepts") or []
        if c.get("display_name")
    ]


def _topic(t: dict) -> TopicRec:
    """A topic with its subfield > field > domain chain as parents."""
    parent = None
    for kind, level in (("domain", 0), ("field", 1), ("subfield", 2)):
        node = t.get(kind)
        if isinstance(node, dict) and node.get("display_name"):
            parent = TopicRec(
                name=node["display_name"],
                kind=kind,
                openalex_id=norm_openalex(node.get("id")),
                level=level,
                parent=parent,
            )
    return TopicRec(
        name=_text(t, "display_name"),
        kind="topic",
        openalex_id=norm_openalex(t.get("id")),
        level=3,
        parent=parent,
        score=_float(t.get("score")),
    )


def _versions(obj: dict) -> tuple[list[VersionRec], str | None]:
    """Versions from ``locations`` (a preprint on arXiv and the published article are versions of one work)."""
    versions: list[VersionRec] = []
    arxiv_id = norm_arxiv((obj.get("ids") or {}).get("arxiv"))
    seen: set[tuple[str, str]] = set()
    for loc in obj.get("locations") or []:
        src = loc.get("source") or {}
        url = loc.get("landing_page_url") or loc.get("pdf_url")
        loc_arxiv = norm_arxiv(url) if url and "arxiv.org" in url else None
        if loc_arxiv and not arxiv_id:
            arxiv_id = loc_arxiv
        kind = _VERSION_KIND.get(loc.get("version") or "")
        if loc_arxiv:
            kind = "preprint"
        if kind is None:
            continue
        label = src.get("display_name") or ("arXiv" if loc_arxiv else kind)
        if (kind, label) in seen:
            continue
        seen.add((kind, label))
        versions.append(
            VersionRec(
                kind=kind,
                label=label,
                url=url,
                arxiv_id=loc_arxiv,
                doi=norm_doi(url) if kind == "published" and url and "doi.org" in url else None,
                venue_name=src.get("display_name"),
                year=_int(obj.get("publication_year")) if kind == "published" else None,
            )
        )
    return versions, arxiv_id


def parse_author(obj: dict) -> PersonRec:
    name = _text(obj, "display_name")
    stats = obj.get("summary_stats") or {}
    insts = obj.get("last_known_institutions")
    if insts is None:
        insts = [obj["last_known_institution"]] if obj.get("last_known_institution") else []
    topics = [_topic(t) for t in obj.get("topics") or []]
    for t, raw in zip(topics, obj.get("topics") or [], strict=False):
        t.score = _float(raw.get("count"))
    if not topics:
        topics = [
            TopicRec(
                name=c["display_name"],
                kind="concept",
                openalex_id=norm_openalex(c.get("id")),
                score=_float(c.get("score")),
            )
            for c in obj.get("x_concepts") or []
            if c.get("display_name")
        ]
    ids = obj.get("ids") or {}
    return PersonRec(
        display_name=name,
        openalex_id=norm_openalex(obj["id"]),
        orcid=norm_orcid(obj.get("orcid") or ids.get("orcid")),
        name_variants=[v for v in obj.get("display_name_alternatives") or [] if isinstance(v, str) and v != name],
        institutions=[_institution_stub(i) for i in insts if i and i.get("display_name")],
        works_count=_int(obj.get("works_count")),
        cited_by_count=_int(obj.get("cited_by_count")),
        h_index=_int(stats.get("h_index")),
        i10_index=_int(stats.get("i10_index")),
        counts_by_year=[
            {
                "year": int(c["year"]),
                "works_count": int(c.get("works_count") or 0),
                "cited_by_count": int(c.get("cited_by_count") or 0),
            }
            for c in obj.get("counts_by_year") or []
        ],
        topics=topics,
        is_placeholder=name.strip().lower() in PLACEHOLDER_NAMES,
    )


def parse_institution(obj: dict) -> InstitutionRec:
    geo = obj.get("geo") or {}
    oid = norm_openalex(obj["id"])
    lineage = [norm_openalex(x) for x in obj.get("lineage") or [] if x]
    parent = next(
        (
            norm_openalex(a.get("id"))
            for a in obj.get("associated_institutions") or []
            if a.get("relationship") == "parent"
        ),
        None,
    ) or _parent_from_lineage(oid, lineage)
    return InstitutionRec(
        name=_text(obj, "display_name"),
        openalex_id=oid,
        ror=norm_ror(obj.get("ror")),
        country_code=obj.get("country_code") or geo.get("country_code"),
        city=geo.get("city"),
        region=geo.get("region"),
        latitude=_float(geo.get("latitude")),
        longitude=_float(geo.get("longitude")),
        type=obj.get("type"),
        homepage=obj.get("homepage_url"),
        lineage=lineage,
        parent_openalex_id=parent,
        works_count=_int(obj.get("works_count")),
        cited_by_count=_int(obj.get("cited_by_count")),
    )


def parse_source(obj: dict) -> VenueRec:
    return VenueRec(
        name=_text(obj, "display_name"),
        openalex_id=norm_openalex(obj["id"]),
        issn_l=obj.get("issn_l"),
        issns=list(obj.get("issn") or []),
        type=obj.get("type"),
        publisher=obj.get("host_organization_name") or obj.get("publisher"),
        homepage=obj.get("homepage_url"),
        is_oa=obj.get("is_oa"),
        country_code=obj.get("country_code"),
        works_count=_int(obj.get("works_count")),
        cited_by_count=_int(obj.get("cited_by_count")),
    )


def _text(obj: dict, key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"'{key}' must be a non-empty string, found {value!r}")
    return value.strip()


def _int(value) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TypeError(f"expected a number, found {value!r}")
    return int(value)


def _float(value) -> float | None:
    if value is None or value == "":
        return None
    return float(value)


def _pmid(value) -> str | None:
    if not value:
        return None
    return str(value).rstrip("/").rsplit("/", 1)[-1]
