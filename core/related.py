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

from sqlalchemy import text
from sqlmodel import Session, select

from core.models import Authorship, Citation, Researcher, Topic, Work, WorkTopic

STOPWORDS = frozenset(
    """a an and are as at be by for from has have in into is it its of on or our that the their this to we with
    which via using use used based new study paper results show shows can these those than then there not also
    between over under more most such both each other towards toward""".split()
)
CANDIDATE_CAP = 400
REF_KEYS_PER_QUERY = 200  # arms of one UNION ALL (SQLite allows 500)


_TOKEN = re.compile(r"[a-z][a-z0-9\-]{2,}")


def tokens(text: str | None) -> list[str]:
    """Lower-case content words of three letters or more."""
    return [t for t in _TOKEN.findall((text or "").lower()) if t not in STOPWORDS]


def tfidf(docs: dict[int, list[str]]) -> dict[int, dict[str, float]]:
    """TF-IDF vectors (log-scaled tf, smoothed idf), L2-normalised, for a small set of documents.

    Each term's idf is worked out once, not once per document that holds it (the same arithmetic, so the same
    floats): this runs over hundreds of candidates on every paper page.

    >>> v = tfidf({1: ["graph", "graph", "layout"], 2: ["graph"]})
    >>> round(v[1]["graph"], 4), round(v[1]["layout"], 4), v[2]
    (0.7882, 0.6154, {'graph': 1.0})
    """
    n = len(docs)
    tfs = {key: Counter(toks) for key, toks in docs.items()}
    df: Counter = Counter()
    for tf in tfs.values():
        df.update(tf.keys())
    idf = {t: math.log((1 + n) / (1 + d) + 1) for t, d in df.items()}
    out = {}
    for key, tf in tfs.items():
        vec = {t: idf[t] if c == 1 else (1 + math.log(c)) * idf[t] for t, c in tf.items()}  # 1 + log(1) == 1
        length = math.sqrt(sum([v * v for v in vec.values()])) or 1.0
        out[key] = {t: v / length for t, v in vec.items()}
    return out


def norm(vec: dict[str, float]) -> float:
    """Euclidean length of a term vector (1.0 for an empty one)."""
    return math.sqrt(sum([v * v for v in vec.values()])) or 1.0


def cosine(
    a: dict[str, float], b: dict[str, float], *, norm_a: float | None = None, norm_b: float | None = None
) -> float:
    """Cosine similarity; pass ``norm_a`` / ``norm_b`` (``norm(a)``, ``norm(b)``) when comparing one vector with many."""
    if len(a) > len(b):
        a, b, norm_a, norm_b = b, a, norm_b, norm_a
    dot = sum([v * b.get(t, 0.0) for t, v in a.items()])
    na = norm(a) if norm_a is None else norm_a
    nb = norm(b) if norm_b is None else norm_b
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
    for wid, _ in shared_reference_rows(session, work_id, cap=CANDIDATE_CAP * 4):
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
    points = {w: _graph_points(ev) for w, ev in evidence.items()}
    ranked_ids = sorted(evidence, key=lambda w: -points[w])[:CANDIDATE_CAP]
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
    focus_vec = vectors[work_id]
    focus_norm = norm(focus_vec)
    scored = []
    for wid, (title, year, _abstract) in works.items():
        vec = vectors[wid]
        sim = cosine(focus_vec, vec, norm_a=focus_norm) if focus_vec and vec else 0.0
        scored.append((round(points[wid] + 3.0 * sim, 4), wid, title, year, sim))
    scored.sort(key=lambda r: (-r[0], r[1]))
    # Reasons (and the shared words) only for the papers shown, not for every ranked candidate.
    out = []
    for score, wid, title, year, sim in scored[:limit]:
        reasons = _reasons(evidence[wid])
        if sim >= 0.08:
            shared = sorted(set(focus_vec) & set(vectors[wid]), key=lambda t: -(focus_vec[t] * vectors[wid][t]))
            reasons.append(f"similar wording ({sim:.2f}): {', '.join(shared[:4])}")
        out.append(RelatedPaper(id=wid, title=title or "Untitled work", year=year, score=score, reasons=reasons))
    return out


def shared_reference_rows(session: Session, work_id: int, *, cap: int) -> list[tuple[int, str]]:
    """``(citing work, reference key)`` of other works citing a reference of ``work_id``: the first ``cap`` in
    (citing work, key) order.

    A popular reference has thousands of citing works, so each key's citing works come from its own capped range
    of ``ix_citation_cited_key`` (the first ``cap`` of every key hold the first ``cap`` overall), and the merge is
    done here: the work is bounded by the number of references, never by the size of the corpus. The arms are
    plain SQL (the same for SQLite and PostgreSQL): building a few dozen capped subqueries with the ORM costs more
    than running them.
    """
    keys = sorted(set(session.exec(select(Citation.cited_key).where(Citation.citing_work_id == work_id)).all()))
    rows: list[tuple[int, str]] = []
    for start in range(0, len(keys), REF_KEYS_PER_QUERY):
        chunk = keys[start : start + REF_KEYS_PER_QUERY]
        sql = " UNION ALL ".join(
            f"SELECT * FROM (SELECT citing_work_id, cited_key FROM citation WHERE cited_key = :k{i} "
            f"AND citing_work_id != :w ORDER BY citing_work_id LIMIT :cap) AS a{i}"
            for i in range(len(chunk))
        )
        params = {"w": work_id, "cap": cap, **{f"k{i}": k for i, k in enumerate(chunk)}}
        rows += session.connection().execute(text(sql), params).all()
    return sorted((int(w), k) for w, k in rows)[:cap]


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
