"""Neutral records that every parser produces and the loader consumes.

Parsers (``core/ingest/<format>.py``) are pure: raw file -> these dataclasses.
The loader (``core/ingest/loader.py``) is the only code that writes them to the store.
Identifiers are normalised by the parser with the helpers in ``core/ingest/ids.py``
(bare OpenAlex ids like ``W2741809807``, lower-case DOIs without ``https://doi.org/``,
ORCID iDs as ``0000-0002-1825-0097``, arXiv ids without version suffix).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class InstitutionRec:
    name: str
    openalex_id: str | None = None
    ror: str | None = None
    country_code: str | None = None  # ISO 3166-1 alpha-2, upper case
    city: str | None = None
    region: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    type: str | None = None  # education, company, facility, ...
    homepage: str | None = None
    lineage: list[str] = field(default_factory=list)  # OpenAlex ids, self first then ancestors
    parent_openalex_id: str | None = None
    works_count: int | None = None
    cited_by_count: int | None = None


@dataclass
class TopicRec:
    """A topic, concept, keyword or field of study. ``parent`` gives the hierarchy."""

    name: str
    kind: str = "topic"  # topic | subfield | field | domain | concept | keyword | tag
    openalex_id: str | None = None  # e.g. T11636, C71924100, subfields/2613
    level: int | None = None
    parent: TopicRec | None = None
    score: float | None = None  # work-topic score when attached to a work


@dataclass
class PersonRec:
    display_name: str
    openalex_id: str | None = None
    orcid: str | None = None
    s2_id: str | None = None
    dblp_pid: str | None = None
    seed_key: str | None = None  # the seed world's own persistent id
    given_name: str | None = None
    family_name: str | None = None
    name_variants: list[str] = field(default_factory=list)
    institutions: list[InstitutionRec] = field(default_factory=list)  # last known
    homepage: str | None = None
    # What the source itself reports (kept beside our own computed figures).
    works_count: int | None = None
    cited_by_count: int | None = None
    h_index: int | None = None
    i10_index: int | None = None
    counts_by_year: list[dict] = field(default_factory=list)  # [{"year", "works_count", "cited_by_count"}]
    topics: list[TopicRec] = field(default_factory=list)
    is_placeholder: bool = False  # OpenAlex "Deleted Author" and similar
    summary: str | None = None
    open_to_collaborate: bool | None = None


@dataclass
class AuthorshipRec:
    person: PersonRec
    position: int  # 0-based order on the byline
    is_corresponding: bool = False
    equal_contribution: bool = False
    raw_author_name: str | None = None
    raw_affiliation: str | None = None
    institutions: list[InstitutionRec] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)


@dataclass
class VenueRec:
    name: str
    openalex_id: str | None = None
    issn_l: str | None = None
    issns: list[str] = field(default_factory=list)
    type: str | None = None  # journal, conference, repository, ...
    publisher: str | None = None
    homepage: str | None = None
    is_oa: bool | None = None
    country_code: str | None = None
    works_count: int | None = None
    cited_by_count: int | None = None


@dataclass
class RefRec:
    """A reference from a work to another, which may or may not be in the store."""

    openalex_id: str | None = None
    doi: str | None = None
    arxiv_id: str | None = None
    s2_id: str | None = None
    title: str | None = None
    year: int | None = None
    raw: str | None = None  # unstructured citation text


@dataclass
class VersionRec:
    kind: str  # preprint | published | accepted | submitted
    label: str | None = None  # "v1", "v2", "NeurIPS 2021", ...
    date: str | None = None  # ISO date
    year: int | None = None
    doi: str | None = None
    arxiv_id: str | None = None
    url: str | None = None
    venue_name: str | None = None
    title: str | None = None
    abstract: str | None = None


@dataclass
class WorkRec:
    title: str
    abstract: str | None = None
    type: str | None = None  # article, preprint, book-chapter, ...
    year: int | None = None
    publication_date: str | None = None
    language: str | None = None
    venue: VenueRec | None = None
    doi: str | None = None
    arxiv_id: str | None = None
    openalex_id: str | None = None
    s2_id: str | None = None
    dblp_key: str | None = None
    pmid: str | None = None
    seed_key: str | None = None
    is_oa: bool | None = None
    oa_status: str | None = None
    oa_url: str | None = None
    code_urls: list[str] = field(default_factory=list)
    dataset_urls: list[str] = field(default_factory=list)
    cited_by_count: int | None = None
    counts_by_year: list[dict] = field(default_factory=list)  # [{"year", "cited_by_count"}]
    is_retracted: bool = False
    authorships: list[AuthorshipRec] = field(default_factory=list)
    # False when the source lists only some authors (ORCID: only the record owner).
    authorships_complete: bool = True
    topics: list[TopicRec] = field(default_factory=list)
    references: list[RefRec] = field(default_factory=list)
    versions: list[VersionRec] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # free tags (publication lists)
    # Affiliation geography with its confidence: [{"path": "Asia > China > Shanghai", "confidence": 0.05}]
    geo_tags: list[dict] = field(default_factory=list)


Item = WorkRec | PersonRec | InstitutionRec | VenueRec | TopicRec


@dataclass
class Parsed:
    """One record read from a file: either an item or the reason it was rejected.

    ``location`` names where it was found, e.g. ``"line 12"`` or ``"record 3"``;
    ``source`` is the format name (openalex, arxiv, ...); ``key`` a stable record id
    within that source (used for provenance and idempotency).
    """

    location: str
    source: str
    key: str | None = None
    item: Item | None = None
    error: str | None = None
    raw_hash: str | None = None  # hash of the raw record text, for "unchanged" detection
    # A well-formed record that holds nothing the store can keep (a locked ORCID record, an untitled
    # ORCID work summary, a funder): neither an item nor an error; the import counts it as skipped.
    note: str | None = None


class ParseError(Exception):
    """A whole file cannot be read (wrong encoding, truncated archive, unknown format)."""

    def __init__(self, path: str, location: str, problem: str):
        self.path, self.location, self.problem = path, location, problem
        super().__init__(f"{path}: {location}: {problem}")
