"""SQLModel tables of the Peerscope store.

Naming: tables are singular nouns; external identifiers are bare and normalised (see ``core/ingest/ids.py``).
Every lookup a page makes has an index (``index=True`` or ``__table_args__``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def _json(default=list):
    return Field(default_factory=default, sa_column=Column(JSON, nullable=False))


class Institution(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    openalex_id: str | None = Field(default=None, unique=True)
    ror: str | None = Field(default=None, unique=True)
    country_code: str | None = Field(default=None, index=True)
    city: str | None = None
    region: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    type: str | None = None
    homepage: str | None = None
    parent_id: int | None = Field(default=None, foreign_key="institution.id", index=True)
    lineage: list = _json()  # OpenAlex ids, self first, then ancestors
    works_count_reported: int | None = None
    cited_by_count_reported: int | None = None
    name_key: str = Field(default="", index=True)


class Venue(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str
    name_key: str = Field(default="", index=True)
    openalex_id: str | None = Field(default=None, unique=True)
    issn_l: str | None = Field(default=None, index=True)
    issns: list = _json()
    type: str | None = None
    publisher: str | None = None
    homepage: str | None = None
    is_oa: bool | None = None
    country_code: str | None = None
    works_count_reported: int | None = None
    cited_by_count_reported: int | None = None


class Topic(SQLModel, table=True):
    """Topics, concepts, keywords, fields of study and free tags, with a hierarchy via ``parent_id``."""

    __table_args__ = (UniqueConstraint("kind", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str
    kind: str = Field(default="topic", index=True)
    key: str = Field(index=True)  # OpenAlex id when known, else the normalised name
    openalex_id: str | None = Field(default=None, index=True)
    level: int | None = None
    parent_id: int | None = Field(default=None, foreign_key="topic.id", index=True)


class Researcher(SQLModel, table=True):
    # The few placeholder records ("Deleted Author", collaborations): co-author queries leave them out by id instead
    # of joining every co-author's (wide) researcher row.
    __table_args__ = (
        Index("ix_researcher_placeholder", "id", sqlite_where=text("is_placeholder = 1"),
              postgresql_where=text("is_placeholder")),
    )  # fmt: skip
    id: int | None = Field(default=None, primary_key=True)
    display_name: str
    given_name: str | None = None
    family_name: str | None = None
    name_key: str = Field(default="", index=True)  # core.names.name_key(display_name)
    initials_key: str = Field(default="", index=True)
    openalex_id: str | None = Field(default=None, unique=True)
    orcid: str | None = Field(default=None, unique=True)
    s2_id: str | None = Field(default=None, unique=True)
    dblp_pid: str | None = Field(default=None, unique=True)
    seed_key: str | None = Field(default=None, unique=True)
    homepage: str | None = None
    summary: str | None = None
    open_to_collaborate: bool = True
    is_placeholder: bool = False
    last_institution_id: int | None = Field(default=None, foreign_key="institution.id", index=True)
    # Figures reported by the source (kept beside our own computed metrics).
    works_count_reported: int | None = None
    cited_by_count_reported: int | None = None
    h_index_reported: int | None = None
    i10_index_reported: int | None = None
    reported_source: str | None = None
    counts_by_year_reported: list = _json()
    # Our own figures over the person's works in the store, kept with the trust score by core.trust_refresh (the
    # explorer sizes and colours people by them without reading every work of every person it shows).
    # ``citations`` is None until first computed; ``first_year`` stays None for a person without a dated work.
    first_year: int | None = None
    citations: int | None = None
    # The latest trust snapshot, denormalised for lists and sorting (history in TrustRecord).
    trust_score: int | None = Field(default=None, index=True)
    trust_band: str | None = None
    trust_level: str | None = None
    claim_status: str = "unclaimed"  # unclaimed | pending | claimed
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class TrustRecord(SQLModel, table=True):
    """Every trust snapshot ever computed for a researcher (``core.trust``), newest last."""

    __table_args__ = (
        # What a recompute reads of each person's latest record, without touching the table (revision 0010); a
        # person's history reads it too (in id order). No index on time: no query reads by it (revision 0011).
        Index("ix_trustrecord_latest", "researcher_id", "id", "algorithm_version", "facts_digest"),
    )
    id: int | None = Field(default=None, primary_key=True)
    researcher_id: int = Field(foreign_key="researcher.id")
    computed_at: datetime = Field(default_factory=utcnow)
    algorithm_version: str
    score: int
    band: str
    level: str
    claim_status: str
    snapshot: dict = _json(dict)  # core.trust.snapshot_to_dict
    # core.trust.facts_digest of the facts the snapshot was computed from: equal facts give an equal snapshot, so a
    # recompute skips scoring (and reading the stored snapshot) for people whose facts did not change
    facts_digest: str | None = None


class ResearcherAlias(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("researcher_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    researcher_id: int = Field(foreign_key="researcher.id", index=True)
    name: str
    name_key: str = Field(index=True)
    source: str | None = None


class ResearcherTopic(SQLModel, table=True):
    """Topics a source attributes to a person (OpenAlex author ``topics``), with counts."""

    researcher_id: int = Field(foreign_key="researcher.id", primary_key=True)
    topic_id: int = Field(foreign_key="topic.id", primary_key=True, index=True)
    count: int | None = None
    score: float | None = None


class ResearcherInstitution(SQLModel, table=True):
    """Affiliations a source reports for a person (last known / history)."""

    researcher_id: int = Field(foreign_key="researcher.id", primary_key=True)
    institution_id: int = Field(foreign_key="institution.id", primary_key=True, index=True)
    years: list = _json()
    is_last_known: bool = False


class Work(SQLModel, table=True):
    # Only the ids of works with an abstract: the store summary counts them without reading every work row.
    __table_args__ = (
        Index("ix_work_has_abstract", "id", sqlite_where=text("abstract IS NOT NULL"),
              postgresql_where=text("abstract IS NOT NULL")),
    )  # fmt: skip
    id: int | None = Field(default=None, primary_key=True)
    title: str
    title_key: str = Field(default="", index=True)  # normalised title, for matching records without ids
    abstract: str | None = None
    type: str | None = Field(default=None, index=True)
    year: int | None = Field(default=None, index=True)
    publication_date: str | None = None
    language: str | None = None
    venue_id: int | None = Field(default=None, foreign_key="venue.id", index=True)
    doi: str | None = Field(default=None, unique=True)
    arxiv_id: str | None = Field(default=None, unique=True)
    openalex_id: str | None = Field(default=None, unique=True)
    s2_id: str | None = Field(default=None, unique=True)
    dblp_key: str | None = Field(default=None, unique=True)
    pmid: str | None = Field(default=None, index=True)
    seed_key: str | None = Field(default=None, unique=True)
    is_oa: bool | None = None
    oa_status: str | None = None
    oa_url: str | None = None
    code_urls: list = _json()
    dataset_urls: list = _json()
    keywords: list = _json()
    tags: list = _json()
    geo_tags: list = _json()  # [{"path": "Asia > China > Shanghai", "confidence": 0.05}]
    cited_by_count: int | None = None  # as reported by the source
    counts_by_year: list = _json()
    is_retracted: bool = False
    authorships_complete: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class WorkVersion(SQLModel, table=True):
    """A version of a work: arXiv v1/v2, the published version, an accepted manuscript."""

    __table_args__ = (UniqueConstraint("work_id", "kind", "label"),)
    id: int | None = Field(default=None, primary_key=True)
    work_id: int = Field(foreign_key="work.id", index=True)
    kind: str  # preprint | published | accepted | submitted
    label: str = ""
    date: str | None = None
    year: int | None = None
    doi: str | None = Field(default=None, index=True)
    arxiv_id: str | None = Field(default=None, index=True)
    url: str | None = None
    venue_name: str | None = None
    title: str | None = None
    title_key: str | None = Field(default=None, index=True)
    abstract: str | None = None
    source: str | None = None


class Authorship(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("work_id", "researcher_id"),
        Index("ix_authorship_researcher_work", "researcher_id", "work_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    work_id: int = Field(foreign_key="work.id", index=True)
    researcher_id: int = Field(foreign_key="researcher.id")
    position: int
    is_corresponding: bool = False
    equal_contribution: bool = False
    raw_author_name: str | None = None
    raw_affiliation: str | None = None
    countries: list = _json()


class AuthorshipInstitution(SQLModel, table=True):
    authorship_id: int = Field(foreign_key="authorship.id", primary_key=True)
    institution_id: int = Field(foreign_key="institution.id", primary_key=True, index=True)


class WorkTopic(SQLModel, table=True):
    work_id: int = Field(foreign_key="work.id", primary_key=True)
    topic_id: int = Field(foreign_key="topic.id", primary_key=True, index=True)
    score: float | None = None


class Citation(SQLModel, table=True):
    """``citing`` cites a work that is in the store (``cited_work_id``) or only described (``cited_*``)."""

    __table_args__ = (
        UniqueConstraint("citing_work_id", "cited_key"),
        Index("ix_citation_cited_work", "cited_work_id", "citing_work_id"),
        # Shared references (``core.related``): the works that cite the same key, without scanning every citation.
        Index("ix_citation_cited_key", "cited_key", "citing_work_id"),
        # Resolving a reference by one of its ids: partial indexes, as most references carry one or two of the four
        # (an OpenAlex reference only its OpenAlex id); every lookup is ``= value`` or ``IN``, which implies NOT NULL.
        *(
            Index(f"ix_citation_{col}", col, sqlite_where=text(f"{col} IS NOT NULL"),
                  postgresql_where=text(f"{col} IS NOT NULL"))
            for col in ("cited_openalex_id", "cited_doi", "cited_arxiv_id", "cited_s2_id")
        ),  # fmt: skip
    )
    id: int | None = Field(default=None, primary_key=True)
    # no index of its own: the unique (citing_work_id, cited_key) index serves lookups by the citing work
    citing_work_id: int = Field(foreign_key="work.id")
    cited_work_id: int | None = Field(default=None, foreign_key="work.id")
    cited_key: str  # "openalex:W1", "doi:10.1/x", "arxiv:...", "s2:...", "raw:<hash>"
    cited_openalex_id: str | None = None
    cited_doi: str | None = None
    cited_arxiv_id: str | None = None
    cited_s2_id: str | None = None
    cited_title: str | None = None
    cited_year: int | None = None
    raw: str | None = None


class Provenance(SQLModel, table=True):
    """Which source record (and file) a store row came from, and when."""

    __table_args__ = (
        UniqueConstraint("source", "source_key", "entity_type", "file"),
        Index("ix_provenance_entity", "entity_type", "entity_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    entity_type: str  # work | researcher | institution | venue | topic
    entity_id: int
    source: str  # openalex | arxiv | crossref | s2 | bibtex | publist | orcid | dblp | seed
    source_key: str
    file: str | None = None
    location: str | None = None
    record_hash: str | None = None
    first_seen: datetime = Field(default_factory=utcnow)
    last_seen: datetime = Field(default_factory=utcnow)


class MergeCandidate(SQLModel, table=True):
    """Two researcher records that may be one person; a person confirms or refuses."""

    __table_args__ = (UniqueConstraint("researcher_a_id", "researcher_b_id"),)
    id: int | None = Field(default=None, primary_key=True)
    researcher_a_id: int = Field(foreign_key="researcher.id", index=True)
    researcher_b_id: int = Field(foreign_key="researcher.id", index=True)
    reason: str
    score: float = 0.0
    status: str = Field(default="open", index=True)  # open | confirmed | refused
    created_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = None


class ImportRun(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    files: list = _json()
    formats: list = _json()
    status: str = "running"  # running | done | failed
    summary: dict = _json(dict)


# ---- accounts and the social layer -------------------------------------------------------------------------------
# Written by core.accounts, core.claims, core.social, core.reviews and core.discussion. Counts shown on pages
# (likes, ratings, views, followers, reviews, comments) are COUNT queries over these rows, never stored counters,
# so they cannot drift from the rows; one-per-person rows (votes, ratings, follows, reviews) have primary keys or
# unique constraints that make a second row impossible even under concurrent writers.


class User(SQLModel, table=True):
    """An account: local (``provider="local"``, ``subject`` = lower-cased email) or from an OIDC provider."""

    __table_args__ = (UniqueConstraint("provider", "subject"),)
    id: int | None = Field(default=None, primary_key=True)
    provider: str = "local"  # "local" or the OIDC issuer
    subject: str  # local: normalised email; OIDC: the provider's ``sub``
    email: str | None = Field(default=None, index=True)
    # True only when someone proved they read this address: the OIDC provider said so (``email_verified``)
    # or the account confirmed a code sent to it. Typing an address proves nothing.
    email_verified: bool = False
    display_name: str
    password_hash: str | None = None  # argon2id; None for provider accounts
    role: str = Field(default="member", index=True)  # member | moderator | admin
    is_active: bool = True
    session_epoch: int = 0  # bumped by "sign out everywhere" and password changes: older sessions end
    created_at: datetime = Field(default_factory=utcnow)
    last_sign_in_at: datetime | None = None
    password_changed_at: datetime | None = None


class RateLimitEvent(SQLModel, table=True):
    """One attempt of a rate-limited action (failed sign-in, invitation sent), counted within a time window."""

    __table_args__ = (Index("ix_ratelimitevent_action_key_at", "action", "key", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    action: str
    key: str
    at: datetime = Field(default_factory=utcnow)


class Claim(SQLModel, table=True):
    """A person's claim to be the researcher behind a profile, with the evidence they gave."""

    __table_args__ = (Index("ix_claim_researcher_status", "researcher_id", "status"),)
    id: int | None = Field(default=None, primary_key=True)
    researcher_id: int = Field(foreign_key="researcher.id")
    user_id: int = Field(foreign_key="user.id", index=True)
    evidence_kind: str  # email | orcid | page
    evidence: str
    note: str | None = None
    status: str = Field(default="pending", index=True)  # pending | verified | rejected | withdrawn | revoked
    is_dispute: bool = False  # the profile already had a verified owner when the claim was opened
    verified_by: str | None = None  # auto:orcid | auto:email | moderator
    decided_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    decision_reason: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = None


class ProfileOwner(SQLModel, table=True):
    """The one verified owner of a profile (the primary key makes a second owner impossible)."""

    researcher_id: int = Field(foreign_key="researcher.id", primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    claim_id: int = Field(foreign_key="claim.id")
    since: datetime = Field(default_factory=utcnow)


class ProfileLink(SQLModel, table=True):
    """Links an owner lists on their profile, in order."""

    __table_args__ = (UniqueConstraint("researcher_id", "position"),)
    id: int | None = Field(default=None, primary_key=True)
    researcher_id: int = Field(foreign_key="researcher.id", index=True)
    position: int
    label: str
    url: str


class WorkHiding(SQLModel, table=True):
    """An owner's correction "this work is not mine": hides it from their profile; the authorship row stays."""

    __table_args__ = (UniqueConstraint("researcher_id", "work_id"),)
    id: int | None = Field(default=None, primary_key=True)
    researcher_id: int = Field(foreign_key="researcher.id", index=True)
    work_id: int = Field(foreign_key="work.id")
    user_id: int = Field(foreign_key="user.id")
    reason: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Follow(SQLModel, table=True):
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    researcher_id: int = Field(foreign_key="researcher.id", primary_key=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class WorkVote(SQLModel, table=True):
    """Like (+1) or dislike (-1): one per person per work."""

    __table_args__ = (Index("ix_workvote_work_value", "work_id", "value"),)
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    work_id: int = Field(foreign_key="work.id", primary_key=True)
    value: int
    updated_at: datetime = Field(default_factory=utcnow)


class WorkRating(SQLModel, table=True):
    """A 1-5 rating: one per person per work."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    work_id: int = Field(foreign_key="work.id", primary_key=True, index=True)
    stars: int
    updated_at: datetime = Field(default_factory=utcnow)


class WorkView(SQLModel, table=True):
    """One view of a work page (anonymous views have no user)."""

    id: int | None = Field(default=None, primary_key=True)
    work_id: int = Field(foreign_key="work.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    at: datetime = Field(default_factory=utcnow)


class Collection(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("user_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str
    is_public: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class CollectionItem(SQLModel, table=True):
    collection_id: int = Field(foreign_key="collection.id", primary_key=True)
    work_id: int = Field(foreign_key="work.id", primary_key=True, index=True)
    note: str | None = None
    added_at: datetime = Field(default_factory=utcnow)


class Review(SQLModel, table=True):
    """A structured review (the seed's template), one per person per work, tied to the version reviewed."""

    __table_args__ = (UniqueConstraint("work_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    work_id: int = Field(foreign_key="work.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    work_version_id: int | None = Field(default=None, foreign_key="workversion.id")
    summary: str
    strengths: str = ""
    concerns: str = ""
    method_questions: str = ""
    recommendation: str
    status: str = "visible"  # visible | removed (by a moderator, after an upheld report)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ReviewRevision(SQLModel, table=True):
    """The text a review had before each edit, oldest first."""

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", index=True)
    work_version_id: int | None = None
    summary: str
    strengths: str
    concerns: str
    method_questions: str
    recommendation: str
    written_at: datetime


class Comment(SQLModel, table=True):
    """A comment in a work's discussion; ``parent_id`` makes it a reply. Deleting keeps the row for the thread."""

    __table_args__ = (Index("ix_comment_work_status", "work_id", "status"),)
    id: int | None = Field(default=None, primary_key=True)
    work_id: int = Field(foreign_key="work.id")
    user_id: int = Field(foreign_key="user.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="comment.id", index=True)
    body: str
    status: str = "visible"  # visible | deleted (by its author) | removed (by a moderator)
    created_at: datetime = Field(default_factory=utcnow)
    edited_at: datetime | None = None


class Report(SQLModel, table=True):
    """A report about a comment, a review, a work or a profile, for moderators to uphold or dismiss."""

    __table_args__ = (
        UniqueConstraint("reporter_id", "target_kind", "target_id"),
        Index("ix_report_target", "target_kind", "target_id", "status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    reporter_id: int = Field(foreign_key="user.id")
    target_kind: str  # comment | review | work | researcher
    target_id: int
    reason: str
    status: str = Field(default="open", index=True)  # open | upheld | dismissed
    decided_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    decision_note: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = None


class Invitation(SQLModel, table=True):
    """A direct-collaboration invitation to the verified owner of a profile."""

    __table_args__ = (Index("ix_invitation_to_status", "to_user_id", "status"),)
    id: int | None = Field(default=None, primary_key=True)
    from_user_id: int = Field(foreign_key="user.id", index=True)
    to_researcher_id: int = Field(foreign_key="researcher.id")
    to_user_id: int = Field(foreign_key="user.id")
    message: str
    status: str = "pending"  # pending | accepted | declined
    created_at: datetime = Field(default_factory=utcnow)
    answered_at: datetime | None = None


class Notification(SQLModel, table=True):
    __table_args__ = (Index("ix_notification_user_read", "user_id", "is_read"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    kind: str  # follow | reply | invitation | invitation_answer | claim_decision | report_decision
    message: str
    link: str | None = None  # "researcher:12", "work:5#comment-3", "invitation:4", "claim:2"
    actor_user_id: int | None = Field(default=None, foreign_key="user.id")
    is_read: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class EmailConfirmation(SQLModel, table=True):
    """A one-time code sent to an account's address; confirming it sets ``User.email_verified``.

    Only a hash of the code is stored; a code expires, allows a few wrong guesses, and is used once."""

    __table_args__ = (Index("ix_emailconfirmation_user_created", "user_id", "created_at"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    email: str
    code_hash: str
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    attempts: int = 0
    used_at: datetime | None = None


class OutboxMessage(SQLModel, table=True):
    """A message waiting for the mailer (``python -m core mail send``); kept after sending as a record."""

    __table_args__ = (Index("ix_outboxmessage_sent_created", "sent_at", "created_at"),)
    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(index=True)
    subject: str
    body: str
    kind: str  # email_confirmation | ...
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    attempts: int = 0
    last_error: str | None = None


class StoreStats(SQLModel, table=True):
    """The corpus counts of the store summary (sidebar, home page), kept by ``core.aggregates`` after every import so
    a page view never counts the corpus. ``marks`` holds each counted table's largest id at counting time: a row
    added outside an import makes them differ, and the counts are then read live."""

    id: int | None = Field(default=None, primary_key=True)  # one row, id 1
    works: int = 0
    researchers: int = 0
    institutions: int = 0
    topics: int = 0
    venues: int = 0
    authorships: int = 0
    citations: int = 0
    citations_in_store: int = 0
    works_with_abstract: int = 0
    marks: dict = _json(dict)
    refreshed_at: datetime = Field(default_factory=utcnow)


class LabSnapshot(SQLModel, table=True):
    """An institution's lab map structure (``core.labs.lab_structure``: ids, strengths, years, layout; no names),
    kept by ``core.lab_snapshots``: built on first view or ahead of time, dropped and rebuilt by the imports that
    touch the institution's members. ``units`` is the institution with its child units when it was built."""

    institution_id: int = Field(foreign_key="institution.id", primary_key=True)
    version: int
    units: list = _json()
    members_total: int = 0
    structure: dict = _json(dict)
    built_at: datetime = Field(default_factory=utcnow)
    build_seconds: float = 0.0
