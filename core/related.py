"""Related papers: candidates from the graph (shared authors, citations, shared references, topics), ranked by
content similarity (TF-IDF over titles and abstracts) plus graph evidence, each with the reasons it is related.

>>> sorted(tokens("Dropout in training neural networks: the noise structure")) == sorted(
...     ["dropout", "training", "neural", "networks", "noise", "structure"])
True
>>> round(cosine({"a": 1.0, "b": 1.0}, {"a": 1.0}), 3)
0.707
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass

from sqlmodel import Session, select

from core.models import Authorship, Citation, Researcher, Topic, Work, WorkTopic

STOPWORDS = frozenset(
    """a an and are as at be by for from has have in into is it its of on or our that the their this to we with
    which via using use used based new study paper results show shows can these those than then there not also
    between over under more most such both each other towards toward""".split()
)
CANDIDATE_CAP = 400


def tokens(text: str | None) -> list[str]:
    """Lower-case content words of three letters or more."""
    return [t for t in re.findall(r"[a-z][a-z0-9\-]{2,}", (text or "").lower()) if t not in STOPWORDS]


def tfidf(docs: dict[int, list[str]]) -> dict[int, dict[str, float]]:
    """TF-IDF vectors (log-scaled tf, smoothed idf), L2-normalised, for a small set of documents."""
    n = len(docs)
    df = Counter(t for toks in docs.values() for t in set(toks))
    out = {}
    for key, toks in docs.items():
        tf = Counter(toks)
        vec = {t: (1 + math.log(c)) * math.log((1 + n) / (1 + df[t]) + 1) for t, c in tf.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        out[key] = {t: v / norm for t, v in vec.items()}
    return out


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(v * b.get(t, 0.0) for t, v in a.items())
    na = math.sqrt(sum(v * v for v in a.values())) or 1.0
    nb = math.sqrt(sum(v * v for v in b.values())) or 1.0
    return dot / (na * nb)


@dataclass
class RelatedPaper:
    id: int
    title: str
    year: int | None
    score: float
    reasons: list[str]


def related_papers(*, session: Session, work_id: int, limit: int = 8) -> list[RelatedPaper]:
    """Papers related to ``work_id``, best first, each with human-readable reasons."""
    focus = session.get(Work, work_id)
    if focus is None:
        return []
    evidence: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))

    authors = session.exec(
        select(Authorship.researcher_id, Researcher.display_name)
        .join(Researcher, Researcher.id == Authorship.researcher_id)
        .where(Authorship.work_id == work_id, Researcher.is_placeholder.is_(False))
    ).all()
    author_names = dict(authors)
    if authors:
        for wid, rid in session.exec(
            select(Authorship.work_id, Authorship.researcher_id)
            .where(Authorship.researcher_id.in_(list(author_names)), Authorship.work_id != work_id)
            .limit(CANDIDATE_CAP * 4)
        ).all():
            evidence[wid]["authors"].append(author_names[rid])
    for wid in session.exec(
        select(Citation.cited_work_id).where(Citation.citing_work_id == work_id, Citation.cited_work_id.is_not(None))
    ).all():
        evidence[wid]["cited_by_focus"].append(True)
    for wid in session.exec(
        select(Citation.citing_work_id).where(Citation.cited_work_id == work_id).limit(CANDIDATE_CAP)
    ).all():
        evidence[wid]["cites_focus"].append(True)
    refs = select(Citation.cited_key).where(Citation.citing_work_id == work_id)
    for wid, _ in session.exec(
        select(Citation.citing_work_id, Citation.cited_key)
        .where(Citation.cited_key.in_(refs), Citation.citing_work_id != work_id)
        .limit(CANDIDATE_CAP * 4)
    ).all():
        evidence[wid]["shared_refs"].append(True)
    topic_rows = session.exec(
        select(WorkTopic.topic_id, Topic.name)
        .join(Topic, Topic.id == WorkTopic.topic_id)
        .where(WorkTopic.work_id == work_id, Topic.kind.in_(("topic", "concept", "field_of_study", "keyword")))
        .order_by(WorkTopic.score.desc())
        .limit(3)
    ).all()
    topic_names = dict(topic_rows)
    if topic_rows:
        for wid, tid in session.exec(
            select(WorkTopic.work_id, WorkTopic.topic_id)
            .where(WorkTopic.topic_id.in_(list(topic_names)), WorkTopic.work_id != work_id)
            .limit(CANDIDATE_CAP)
        ).all():
            evidence[wid]["topics"].append(topic_names[tid])
    evidence.pop(work_id, None)
    if not evidence:
        return []
    ranked_ids = sorted(evidence, key=lambda w: -_graph_points(evidence[w]))[:CANDIDATE_CAP]
    # Only the columns the ranking reads: loading whole rows for hundreds of candidates is the slow part.
    works = {
        wid: (title, year, abstract)
        for wid, title, year, abstract in session.exec(
            select(Work.id, Work.title, Work.year, Work.abstract).where(Work.id.in_(ranked_ids))
        )
    }
    vectors = tfidf(
        {w: tokens(f"{t} {a or ''}") for w, (t, _, a) in works.items()}
        | {work_id: tokens(f"{focus.title} {focus.abstract or ''}")}
    )
    out = []
    for wid, (title, year, _abstract) in works.items():
        ev = evidence[wid]
        sim = cosine(vectors[work_id], vectors[wid]) if vectors[work_id] and vectors[wid] else 0.0
        reasons = _reasons(ev)
        if sim >= 0.08:
            shared = sorted(
                set(vectors[work_id]) & set(vectors[wid]), key=lambda t: -(vectors[work_id][t] * vectors[wid][t])
            )
            reasons.append(f"similar wording ({sim:.2f}): {', '.join(shared[:4])}")
        out.append(
            RelatedPaper(
                id=wid,
                title=title or "Untitled work",
                year=year,
                score=round(_graph_points(ev) + 3.0 * sim, 4),
                reasons=reasons,
            )
        )
    out.sort(key=lambda r: (-r.score, r.id))
    return out[:limit]


def _graph_points(ev: dict[str, list]) -> float:
    return (
        1.5 * len(set(ev.get("authors", [])))
        + 2.0 * bool(ev.get("cites_focus"))
        + 2.0 * bool(ev.get("cited_by_focus"))
        + 0.5 * min(6, len(ev.get("shared_refs", [])))
        + 0.4 * len(set(ev.get("topics", [])))
    )


def _reasons(ev: dict[str, list]) -> list[str]:
    reasons = []
    people = sorted(set(ev.get("authors", [])))
    if people:
        reasons.append(f"shares {len(people)} author{'s' if len(people) > 1 else ''}: {', '.join(people[:3])}")
    if ev.get("cites_focus"):
        reasons.append("cites this paper")
    if ev.get("cited_by_focus"):
        reasons.append("cited by this paper")
    if ev.get("shared_refs"):
        n = len(ev["shared_refs"])
        reasons.append(f"{n} shared reference{'s' if n > 1 else ''}")
    topics = sorted(set(ev.get("topics", [])))
    if topics:
        reasons.append(f"same topic: {', '.join(topics[:2])}")
    return reasons


def as_dicts(items: list[RelatedPaper]) -> list[dict]:
    return [asdict(i) for i in items]
