"""Trust snapshots: a pure function from dated facts about a researcher to a score with explained components.

A snapshot answers "how much verifiable evidence is there that this profile is a real researcher with the record it
shows?". It is not a quality or prestige ranking: every component saturates early, so a long career or a famous
paper cannot buy the score.

Verification levels
-------------------
===== ======================================================================================================
Level Meaning
===== ======================================================================================================
L0    Name-only record: no persistent identifier.
L1    A persistent identifier from an authority (OpenAlex, Semantic Scholar, DBLP, or the seed world's own ids).
L2    An ORCID iD asserted by a source record.
L3    Claimed by an account, and the claim verified.
===== ======================================================================================================

Components and weights (algorithm ``trust-1``)
-----------------------------------------------
``ln`` is the natural log; every part is capped, then each component is rounded to 0.1 point. The score is the sum of
the rounded components, rounded half up and kept within 0-100.

=========== ===== ==================================================================================================
Component   Max   Points
=========== ===== ==================================================================================================
identity    25    by level: L0 0, L1 8, L2 15, L3 25
record      25    volume min(8, 2.5 log2(1 + works)) + years active min(5, last - first + 1)
                  + 6 x share of works with a DOI or arXiv id + 6 x share of peer-reviewed works
impact      20    min(10, 4 ln(1 + h-index)) + min(10, 1.25 ln(1 + citations))
network     15    15 x trust propagated from verified (L3) researchers, in [0, 1] (``core.trust_graph``)
community   15    min(8, 2.5 ln(1 + verified followers)) + min(7, 3 ln(1 + reviews by verified accounts))
integrity   -30   -8 per retracted work (to -16), -5 per upheld report (to -10),
                  -20 x (self-citation share - 0.30) above 30% (to -8), -4 for a possible merge of two people
=========== ===== ==================================================================================================

Why these numbers: identity carries a quarter of the score because it is the cheapest fact to fake and the most
important to check; L1 earns 8 because an authority id proves a record exists, not who holds it. Volume saturates
near 8 works and activity at 5 years: enough to tell a real research record from a stray one. Impact saturates at
h-index 11 and about 3,000 citations. Network and community count only verified people, so fake accounts add nothing.

The seed's researcher (L1, two 2022 preprints without DOI or arXiv id, no citations, no verified co-author or
follower) scores identity 8 + record 5.0 (volume 2.5 log2 3 = 3.96, one active year 1) = 13, "Unverified", as the
seed page shows.

>>> sum(maximum for _, maximum, _ in WEIGHTS if maximum > 0)
100
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field, fields
from typing import Any

import orjson

__all__ = [
    "ALGORITHM_VERSION",
    "BANDS",
    "LEVEL_POINTS",
    "WEIGHTS",
    "TrustComponent",
    "TrustFacts",
    "TrustSnapshot",
    "band_for",
    "count_verified",
    "explain_change",
    "snapshot_from_dict",
    "snapshot_to_dict",
    "trust_snapshot",
    "verification_level",
]

ALGORITHM_VERSION = "trust-1"
# Part of every facts digest: raised when what a snapshot says changes for the same facts and the same scoring, so
# the next recompute scores everyone again and stores the snapshots that read differently (the method stays the
# same, and the history does not report a change of method). 2: each component names where its facts were read.
SNAPSHOT_FORMAT = 2

BANDS: list[tuple[int, str, str]] = [
    (0, "Unverified", "Little verifiable evidence yet: check claims about this person yourself."),
    (25, "Emerging", "An identifiable researcher with a short or partly verified record."),
    (50, "Established", "A verified identity and a substantial record that others can check."),
    (75, "Trusted", "Verified, with a strong record, ties to verified researchers and no integrity concerns."),
]

LEVEL_POINTS = {"L0": 0, "L1": 8, "L2": 15, "L3": 25}
LEVEL_MEANING = {
    "L0": "name-only record, no persistent identifier",
    "L1": "persistent identifier from an authority",
    "L2": "ORCID iD asserted by a source record",
    "L3": "claimed by an account and the claim verified",
}

WEIGHTS: list[tuple[str, int, str]] = [
    ("identity", 25, "by level: L0 0, L1 8, L2 15, L3 25"),
    (
        "record",
        25,
        "volume min(8, 2.5 log2(1+works)) + years min(5, span) + 6 x DOI/arXiv share + 6 x peer-reviewed share",
    ),
    ("impact", 20, "min(10, 4 ln(1+h)) + min(10, 1.25 ln(1+citations))"),
    ("network", 15, "15 x trust propagated from verified researchers (0-1)"),
    ("community", 15, "min(8, 2.5 ln(1+verified followers)) + min(7, 3 ln(1+verified reviews))"),
    (
        "integrity",
        -30,
        "-8 per retraction (to -16), -5 per upheld report (to -10), self-citation over 30% (to -8), -4 possible merge",
    ),
]

CLAIM_STATUSES = ("unclaimed", "pending", "claimed")
SELF_CITATION_THRESHOLD = 0.30


def count_verified(account_ids: Iterable[Hashable], verified: set[Hashable]) -> int:
    """How many distinct accounts among ``account_ids`` are verified: the only followers and reviewers that count.

    >>> count_verified([1, 2, 2, 3, 9], verified={2, 3, 4})
    2
    """
    return len(set(account_ids) & verified)


def band_for(score: float) -> str:
    """Name of the band a score falls in.

    >>> band_for(0), band_for(24), band_for(25), band_for(74), band_for(75), band_for(100)
    ('Unverified', 'Unverified', 'Emerging', 'Established', 'Trusted', 'Trusted')
    """
    name = BANDS[0][1]
    for lower, band, _ in BANDS:
        if score >= lower:
            name = band
    return name


@dataclass(frozen=True)
class TrustFacts:
    """Everything a snapshot is computed from, gathered (and dated) by the caller.

    ``sources`` maps a fact's name to where and when it was read, e.g. ``{"citations": "OpenAlex 2025-11-01"}``.
    """

    researcher_id: int
    has_persistent_id: bool = False
    id_sources: tuple[str, ...] = ()
    orcid: str | None = None
    orcid_source: str | None = None
    claim_status: str = "unclaimed"
    claim_verified: bool = False
    works_count: int = 0
    first_year: int | None = None
    last_year: int | None = None
    works_with_doi_or_arxiv: int = 0
    peer_reviewed_works: int = 0
    citations: int = 0
    h_index: int = 0
    network_score: float = 0.0
    verified_followers: int = 0
    verified_reviews: int = 0
    retracted_works: int = 0
    upheld_reports: int = 0
    self_citation_share: float | None = None
    open_merge_candidates: int = 0
    as_of: str | None = None
    sources: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.claim_status not in CLAIM_STATUSES:
            raise ValueError(f"claim_status must be one of {CLAIM_STATUSES}, not {self.claim_status!r}")
        object.__setattr__(self, "id_sources", tuple(self.id_sources))


@dataclass
class TrustComponent:
    """One explained part of the score; ``points`` lies between ``minimum`` and ``maximum``."""

    key: str
    label: str
    points: float
    maximum: float
    facts: dict[str, Any]
    sources: list[str]
    explanation: str
    minimum: float = 0.0


@dataclass
class TrustSnapshot:
    """A stored trust score: score, band, level, claim status and the components that add up to the score."""

    score: int
    band: str
    level: str
    claim_status: str
    components: list[TrustComponent]
    suggestions: list[str]
    algorithm_version: str = ALGORITHM_VERSION
    computed_at: str | None = None
    researcher_id: int | None = None
    as_of: str | None = None


def verification_level(facts: TrustFacts) -> str:
    """The strongest verification the facts support, ``"L0"`` to ``"L3"``.

    >>> verification_level(TrustFacts(1))
    'L0'
    >>> verification_level(TrustFacts(1, has_persistent_id=True, id_sources=("OpenAlex",)))
    'L1'
    >>> verification_level(TrustFacts(1, orcid="0000-0002-1825-0097", orcid_source="ORCID"))
    'L2'
    >>> verification_level(TrustFacts(1, claim_status="claimed", claim_verified=True))
    'L3'
    >>> verification_level(TrustFacts(1, has_persistent_id=True, claim_status="pending"))
    'L1'
    """
    if facts.claim_status == "claimed" and facts.claim_verified:
        return "L3"
    if facts.orcid:
        return "L2"
    if facts.has_persistent_id:
        return "L1"
    return "L0"


def _plural(n: float, word: str) -> str:
    return f"{n:g} {word}" if n == 1 else f"{n:g} {word}s"


def _sources(facts: TrustFacts, names: list[str], extra: list[str | None] = ()) -> list[str]:
    """Where the named facts (then ``extra``) were read, each place once, in order of first mention."""
    known, out = facts.sources, []
    for s in itertools.chain(map(known.get, names), extra) if known else extra:
        if s and s not in out:
            out.append(s)
    return out


def _identity(f: TrustFacts) -> TrustComponent:
    level = verification_level(f)
    points = float(LEVEL_POINTS[level])
    ids = ", ".join(f.id_sources) or "an authority"
    parts = [f"persistent identifier from {ids}" if f.has_persistent_id else "no persistent identifier"]
    parts.append(f"ORCID iD {f.orcid}" if f.orcid else "no ORCID iD linked")
    claim = {"unclaimed": "profile unclaimed", "pending": "claim pending verification", "claimed": "profile claimed"}
    parts.append(claim[f.claim_status] + (" and verified" if level == "L3" else ""))
    names = ["has_persistent_id", "orcid", "claim_status", "claim_verified"]
    return TrustComponent(
        key="identity",
        label="Identity",
        points=points,
        maximum=25.0,
        facts={
            "level": level,
            "has_persistent_id": f.has_persistent_id,
            "id_sources": list(f.id_sources),
            "orcid": f.orcid,
            "claim_status": f.claim_status,
            "claim_verified": f.claim_verified,
        },
        sources=_sources(f, names, [f.orcid_source] if f.orcid else []),
        explanation=f"Level {level} ({points:g} of 25 points): " + "; ".join(parts) + ".",
    )


def _record(f: TrustFacts) -> TrustComponent:
    n = max(0, f.works_count)
    with_id = min(max(0, f.works_with_doi_or_arxiv), n)
    reviewed = min(max(0, f.peer_reviewed_works), n)
    years = f.last_year - f.first_year + 1 if f.first_year and f.last_year and f.last_year >= f.first_year else 0
    raw = min(8.0, 2.5 * math.log2(1 + n)) + min(5.0, years)
    if n:
        raw += 6.0 * with_id / n + 6.0 * reviewed / n
    span = (
        f"over {_plural(years, 'year')} ({f.first_year}–{f.last_year})" if years else "with no publication year known"
    )
    text = (
        f"{_plural(n, 'work')} {span}; {with_id} of {n} carry a DOI or arXiv id; {reviewed} peer-reviewed."
        if n
        else "No works on record."
    )
    names = ["works_count", "first_year", "last_year", "works_with_doi_or_arxiv", "peer_reviewed_works"]
    return TrustComponent(
        key="record",
        label="Record",
        points=round(raw, 1),
        maximum=25.0,
        facts={k: getattr(f, k) for k in names},
        sources=_sources(f, names),
        explanation=text,
    )


def _impact(f: TrustFacts) -> TrustComponent:
    h_part = min(10.0, 4.0 * math.log1p(max(0, f.h_index)))
    c_part = min(10.0, 1.25 * math.log1p(max(0, f.citations)))
    names = ["h_index", "citations"]
    return TrustComponent(
        key="impact",
        label="Impact",
        points=round(h_part + c_part, 1),
        maximum=20.0,
        facts={k: getattr(f, k) for k in names},
        sources=_sources(f, names),
        explanation=(
            f"h-index {f.h_index} ({h_part:.1f} points) and {_plural(f.citations, 'citation')} "
            f"({c_part:.1f} points), log-scaled."
        ),
    )


def _network(f: TrustFacts) -> TrustComponent:
    share = min(1.0, max(0.0, f.network_score))
    points = round(15.0 * share, 1)
    return TrustComponent(
        key="network",
        label="Network",
        points=points,
        maximum=15.0,
        facts={"network_score": f.network_score},
        sources=_sources(f, ["network_score"]),
        explanation=(
            f"Trust propagated from verified researchers over co-authorship is {share:.2f} on a 0–1 scale "
            f"({points:.1f} of 15 points); unverified co-authors pass on none."
        ),
    )


def _community(f: TrustFacts) -> TrustComponent:
    fol = max(0, f.verified_followers)
    rev = max(0, f.verified_reviews)
    raw = min(8.0, 2.5 * math.log1p(fol)) + min(7.0, 3.0 * math.log1p(rev))
    names = ["verified_followers", "verified_reviews"]
    return TrustComponent(
        key="community",
        label="Community",
        points=round(raw, 1),
        maximum=15.0,
        facts={k: getattr(f, k) for k in names},
        sources=_sources(f, names),
        explanation=(
            f"{_plural(fol, 'follower')} and {_plural(rev, 'review')} of their works from verified accounts; "
            "unverified accounts are not counted."
        ),
    )


def _integrity(f: TrustFacts) -> TrustComponent:
    retracted = min(16.0, 8.0 * max(0, f.retracted_works))
    reports = min(10.0, 5.0 * max(0, f.upheld_reports))
    share = f.self_citation_share
    selfcite = min(8.0, 20.0 * (share - SELF_CITATION_THRESHOLD)) if share and share > SELF_CITATION_THRESHOLD else 0.0
    merge = 4.0 if f.open_merge_candidates > 0 else 0.0
    total = min(30.0, retracted + reports + selfcite + merge)
    share_text = "self-citation share unknown" if share is None else f"self-citation share {share:.0%}"
    counts = [
        (f.retracted_works, _plural(f.retracted_works, "retracted work"), retracted),
        (f.upheld_reports, _plural(f.upheld_reports, "upheld report"), reports),
        (selfcite, f"{share_text} (above {SELF_CITATION_THRESHOLD:.0%})", selfcite),
        (merge, _plural(f.open_merge_candidates, "possible merge") + " of two people under this profile", merge),
    ]
    if total:
        text = ", ".join(f"{label} (-{pen:.1f})" for n, label, pen in counts if n) + f": -{total:.1f} (at most -30)."
    else:
        text = (
            f"{_plural(f.retracted_works, 'retracted work')}, {_plural(f.upheld_reports, 'upheld report')}, "
            f"{share_text}, {_plural(f.open_merge_candidates, 'possible merge')}: no penalty."
        )
    names = ["retracted_works", "upheld_reports", "self_citation_share", "open_merge_candidates"]
    return TrustComponent(
        key="integrity",
        label="Integrity",
        points=round(-total, 1) + 0.0,  # + 0.0 turns -0.0 into 0.0
        maximum=0.0,
        minimum=-30.0,
        facts={k: getattr(f, k) for k in names},
        sources=_sources(f, names),
        explanation=text,
    )


def _suggestions(f: TrustFacts, level: str) -> list[str]:
    have = LEVEL_POINTS[level]
    out: list[str] = []
    if level == "L0":
        out.append(
            "Import this researcher from OpenAlex, Semantic Scholar or DBLP to attach a persistent identifier "
            f"(+{LEVEL_POINTS['L1'] - have} points at L1)."
        )
    if level in ("L0", "L1") and not f.orcid:
        out.append(f"Link your ORCID iD (+{LEVEL_POINTS['L2'] - have} points at L2).")
    if level != "L3":
        gain = LEVEL_POINTS["L3"] - have
        if f.claim_status == "unclaimed":
            out.append(f"Claim this profile and verify the claim (+{gain} points at L3).")
        else:
            out.append(f"Finish verifying your claim on this profile (+{gain} points at L3).")
    n = f.works_count
    if n > 0 and f.works_with_doi_or_arxiv < n:
        missing = n - max(0, f.works_with_doi_or_arxiv)
        out.append(
            f"Add a DOI or arXiv id to the {_plural(missing, 'work')} without one (up to +{6.0 * missing / n:.1f} points)."
        )
    if n > 0 and f.peer_reviewed_works < n:
        missing = n - max(0, f.peer_reviewed_works)
        out.append(
            f"Link the peer-reviewed (journal or proceedings) versions of {_plural(missing, 'work')} "
            f"(up to +{6.0 * missing / n:.1f} points)."
        )
    if f.network_score < 1:
        out.append("Invite your co-authors to claim and verify their profiles: trust reaches you only through them.")
    if f.open_merge_candidates > 0:
        out.append("Resolve the possible merge of two people under this profile (+4 points).")
    return out


def trust_snapshot(facts: TrustFacts, computed_at: str | None = None) -> TrustSnapshot:
    """The trust snapshot for ``facts``: pure and deterministic (``computed_at`` is stored as given).

    Examples
    --------
    The seed's researcher: an OpenAlex id, two 2022 preprints, nothing else.

    >>> facts = TrustFacts(7, has_persistent_id=True, id_sources=("OpenAlex",), works_count=2,
    ...                    first_year=2022, last_year=2022)
    >>> snap = trust_snapshot(facts, computed_at="2025-11-01T12:00:00Z")
    >>> snap.score, snap.band, snap.level, snap.claim_status
    (13, 'Unverified', 'L1', 'unclaimed')
    >>> [(c.key, c.points) for c in snap.components]
    [('identity', 8.0), ('record', 5.0), ('impact', 0.0), ('network', 0.0), ('community', 0.0), ('integrity', 0.0)]
    >>> snap.suggestions[1]
    'Claim this profile and verify the claim (+17 points at L3).'
    """
    level = verification_level(facts)
    components = [_identity(facts), _record(facts), _impact(facts), _network(facts), _community(facts)]
    components.append(_integrity(facts))
    total = round(sum(c.points for c in components), 1)
    score = min(100, max(0, math.floor(total + 0.5)))
    return TrustSnapshot(
        score=score,
        band=band_for(score),
        level=level,
        claim_status=facts.claim_status,
        components=components,
        suggestions=_suggestions(facts, level),
        algorithm_version=ALGORITHM_VERSION,
        computed_at=computed_at,
        researcher_id=facts.researcher_id,
        as_of=facts.as_of,
    )


def score_rows(batch: list[TrustFacts], computed_at: str) -> list[tuple[int, int, str, str, str, str]]:
    """Score each person of ``batch``: ``(researcher id, score, band, level, claim status, snapshot as JSON)``.

    What a recompute stores, in the shape a worker process hands back cheaply: one string per snapshot, the JSON of
    :func:`snapshot_to_dict`, compact. ``orjson`` writes the dataclasses directly (the same keys in the same order
    as ``snapshot_to_dict``): 15 µs a snapshot, where ``snapshot_to_dict`` and ``json.dumps`` took 50 µs, a third
    of the cost of scoring everyone again after a change to the scoring. A plain ``str``: unpickled from a worker
    three times faster than a subclass of it, and stored as it is (``insert_rows(..., json_text=...)``).

    >>> import json
    >>> facts = TrustFacts(3, works_count=1, first_year=2024, last_year=2024)
    >>> ((rid, score, band, level, claim, data),) = score_rows([facts], "2026-01-01T00:00:00")
    >>> rid, score, band, level, claim
    (3, 4, 'Unverified', 'L0', 'unclaimed')
    >>> json.loads(data) == snapshot_to_dict(trust_snapshot(facts, computed_at="2026-01-01T00:00:00"))
    True
    """
    out = []
    for facts in batch:
        snap = trust_snapshot(facts, computed_at=computed_at)
        data = orjson.dumps(snap).decode()
        out.append((facts.researcher_id, snap.score, snap.band, snap.level, snap.claim_status, data))
    return out


_DIGESTED = tuple(f.name for f in fields(TrustFacts) if f.name not in ("researcher_id", "as_of", "sources"))


def facts_digest(facts: TrustFacts) -> str:
    """A short fingerprint of what a snapshot is computed from, with the algorithm version and the snapshot format.

    :func:`trust_snapshot` is a pure function of its facts; the date they were read (``as_of``, and the dated
    ``sources``) is only carried into the snapshot, never scored, so it is left out, as is the researcher's own id
    (a digest is only ever compared with the same person's). Two equal digests give the same snapshot apart from
    those dates, so a recompute can skip scoring an unchanged person.

    >>> a = TrustFacts(1, works_count=3, as_of="2026-01-01", sources={"works": "OpenAlex 2026-01-01"})
    >>> facts_digest(a) == facts_digest(TrustFacts(1, works_count=3, as_of="2026-02-01", sources={"works": "x"}))
    True
    >>> facts_digest(a) == facts_digest(TrustFacts(1, works_count=4, as_of="2026-01-01"))
    False
    """
    values = tuple(getattr(facts, name) for name in _DIGESTED)
    return hashlib.sha1(repr((ALGORITHM_VERSION, SNAPSHOT_FORMAT, values)).encode()).hexdigest()[:20]


def snapshot_to_dict(snapshot: TrustSnapshot, *, copy: bool = True) -> dict[str, Any]:
    """A JSON-ready dict of ``snapshot`` (inverse of :func:`snapshot_from_dict`).

    ``copy=False`` shares the components' facts dicts with the snapshot instead of copying them: for a caller that
    drops the snapshot at once (a recompute, which stores the dict as JSON).

    >>> snap = trust_snapshot(TrustFacts(1))
    >>> snapshot_from_dict(snapshot_to_dict(snap)) == snap
    True

    It equals ``dataclasses.asdict`` (keys in the same order, so the stored JSON text is the same):

    >>> from dataclasses import asdict
    >>> d = snapshot_to_dict(snap)
    >>> d == asdict(snap), list(d) == list(asdict(snap)), list(d["components"][0]) == list(asdict(snap.components[0]))
    (True, True, True)
    """
    # Written out rather than ``dataclasses.asdict``: asdict deep-copies every leaf through ``copy.deepcopy``, which
    # made it most of the cost of a trust recompute (one snapshot per researcher an import touches).
    return {
        "score": snapshot.score,
        "band": snapshot.band,
        "level": snapshot.level,
        "claim_status": snapshot.claim_status,
        "components": [_component_to_dict(c, copy) for c in snapshot.components],
        "suggestions": list(snapshot.suggestions),
        "algorithm_version": snapshot.algorithm_version,
        "computed_at": snapshot.computed_at,
        "researcher_id": snapshot.researcher_id,
        "as_of": snapshot.as_of,
    }


def _component_to_dict(c: TrustComponent, copy: bool = True) -> dict[str, Any]:
    return {
        "key": c.key,
        "label": c.label,
        "points": c.points,
        "maximum": c.maximum,
        "facts": _plain_copy(c.facts) if copy else c.facts,
        "sources": list(c.sources),
        "explanation": c.explanation,
        "minimum": c.minimum,
    }


def _plain_copy(value: Any) -> Any:
    """A copy of nested dicts, lists and tuples of plain values (what ``asdict`` does to a component's facts)."""
    kind = type(value)
    if kind is dict:
        return {k: _plain_copy(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return kind(_plain_copy(v) for v in value)
    return value


def snapshot_from_dict(data: dict[str, Any]) -> TrustSnapshot:
    """Rebuild a :class:`TrustSnapshot` from :func:`snapshot_to_dict` output (e.g. after a JSON round trip)."""
    fields = dict(data)
    fields["components"] = [TrustComponent(**c) for c in data.get("components", [])]
    fields["suggestions"] = list(data.get("suggestions", []))
    return TrustSnapshot(**fields)


def _as_snapshot(s: TrustSnapshot | dict[str, Any]) -> TrustSnapshot:
    return s if isinstance(s, TrustSnapshot) else snapshot_from_dict(s)


def _identity_reasons(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    reasons = []
    was_verified = old.get("claim_status") == "claimed" and old.get("claim_verified")
    is_verified = new.get("claim_status") == "claimed" and new.get("claim_verified")
    if is_verified and not was_verified:
        reasons.append("the claim was verified")
    if was_verified and not is_verified:
        reasons.append("the claim is no longer verified")
    if new.get("orcid") and not old.get("orcid"):
        reasons.append(f"ORCID iD {new['orcid']} was linked")
    if old.get("orcid") and not new.get("orcid"):
        reasons.append("the ORCID iD was removed")
    if new.get("has_persistent_id") and not old.get("has_persistent_id"):
        reasons.append("a persistent identifier was added")
    if old.get("has_persistent_id") and not new.get("has_persistent_id"):
        reasons.append("the persistent identifier was removed")
    return reasons


def _fact_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return [
        f"{key.replace('_', ' ')} {old.get(key)} → {new.get(key)}"
        for key in sorted(set(old) | set(new))
        if old.get(key) != new.get(key)
    ]


def explain_change(old: TrustSnapshot | dict[str, Any], new: TrustSnapshot | dict[str, Any]) -> list[str]:
    """Sentences saying what changed between two snapshots: the score, then each component whose points moved.

    Returns an empty list when nothing changed the score's parts.

    >>> base = dict(researcher_id=1, has_persistent_id=True, id_sources=("OpenAlex",))
    >>> old = trust_snapshot(TrustFacts(**base))
    >>> new = trust_snapshot(TrustFacts(**base, claim_status="claimed", claim_verified=True))
    >>> explain_change(old, new)
    ['Score: 8 → 25 (Unverified → Emerging).', 'Identity: +17.0 (L1 → L3: the claim was verified).']
    """
    a, b = _as_snapshot(old), _as_snapshot(new)
    lines: list[str] = []
    if a.algorithm_version != b.algorithm_version:
        lines.append(
            f"The method changed ({a.algorithm_version} → {b.algorithm_version}); some changes may come from it."
        )
    if a.score != b.score or a.band != b.band:
        band = f"{a.band} → {b.band}" if a.band != b.band else b.band
        lines.append(f"Score: {a.score} → {b.score} ({band}).")
    before = {c.key: c for c in a.components}
    after = {c.key: c for c in b.components}
    keys = [c.key for c in b.components] + [k for k in before if k not in after]
    for key in keys:
        oc, nc = before.get(key), after.get(key)
        delta = round((nc.points if nc else 0.0) - (oc.points if oc else 0.0), 1)
        if abs(delta) < 0.05:
            continue
        label = (nc or oc).label
        of, nf = (oc.facts if oc else {}), (nc.facts if nc else {})
        if key == "identity":
            why = ", ".join(_identity_reasons(of, nf)) or "the level changed"
            detail = f"{of.get('level', '?')} → {nf.get('level', '?')}: {why}"
        else:
            detail = "; ".join(_fact_changes(of, nf)) or "the scoring method changed"
        lines.append(f"{label}: {delta:+.1f} ({detail}).")
    return lines
