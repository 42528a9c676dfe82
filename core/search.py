"""Global search: researchers, works, topics and institutions by name or title, on a full-text index.

The index is built by Alembic revision 0003 (``core/migrations/versions/0003_full_text_search.py``): FTS5 tables
named ``fts_<table>`` on SQLite, kept current by triggers, and on PostgreSQL GIN indexes named ``ix_fts_<table>``
over a stored ``tsvector`` column ``fts_doc`` (revision 0009; 0003 indexed the expression). A ``LIKE '%q%'`` scan
reads every title in the store (766 ms at p95 for 100k works); an index lookup reads only the matching entries.

What a user types is never handed to the full-text parser as syntax. It is cut into words (runs of letters and
digits), each word is quoted, and the words are ANDed: quotes, ``*``, ``:``, ``-``, ``NEAR``, ``AND``/``OR``,
``%`` and ``_`` are either separators or plain words, so no input raises. Names match word prefixes ("mear" finds
"Mearman", "J. Mear" finds "Joseph Mearman"); titles match whole words, the last one as a prefix (the word being
typed). Accents are folded on both sides ("Muller" finds "Müller").

Ranking: an exact name or title first; then people by number of works, then by full-text score (bm25 on SQLite,
ts_rank on PostgreSQL); works, topics and institutions by score, then citations (works) or size (institutions).
Only the best ``POOL`` index hits are re-ranked, and past ``RANK_CAP`` matches none is scored, so a common word
costs a bounded amount of work, not a pass over every match.

>>> query_words('"Müller, J."  NEAR( title:x*')
['Müller', 'J', 'NEAR', 'title', 'x']
>>> fts5_match(["Müller", "J"], prefix="all")
'"Müller"* "J"*'
>>> tsquery(["Müller", "neur"], prefix="last")
"'Muller' & 'neur':*"
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlmodel import Session

FTS_PREFIX = "fts_"  # SQLite FTS5 tables (and their shadow tables and triggers) built by revision 0003
FTS_INDEX_PREFIX = "ix_fts_"  # PostgreSQL GIN expression indexes built by revision 0003
POOL = 100  # index hits re-ranked per kind; more than any page shows, few enough to fetch extra facts for
# Scoring reads every match (bm25: 5-30 us a match on SQLite, more with more words; ts_rank re-parses each title on
# PostgreSQL), so a word in a tenth of all titles would cost hundreds of ms at 1M works. Past this many matches (per
# query word) the query is not selective and a score says little: POOL matches are taken unscored instead (the newest
# on SQLite, the first the index yields on PostgreSQL) and ranked by their facts alone.
RANK_CAP = {"sqlite": 3_000, "postgresql": 2_000}
MAX_WORDS = 8  # a longer query is a pasted paragraph: its first words are enough to find it

_WORD_RE = re.compile(r"[^\W_]+")


def is_search_index_object(name: str | None, type_: str) -> bool:
    """True for the tables, columns and indexes revisions 0003 and 0009 build outside the models (kept out of
    autogenerate).

    >>> is_search_index_object("fts_work_data", "table"), is_search_index_object("ix_fts_work", "index")
    (True, True)
    >>> is_search_index_object("fts_doc", "column")
    True
    >>> is_search_index_object("work", "table")
    False
    """
    name = name or ""
    return (type_ in ("table", "column") and name.startswith(FTS_PREFIX)) or (
        type_ == "index" and name.startswith(FTS_INDEX_PREFIX)
    )


def empty_results() -> dict[str, list[dict]]:
    return {"researchers": [], "works": [], "topics": [], "institutions": []}


def query_words(query: str) -> list[str]:
    """The words of what was typed: runs of letters and digits; everything else separates them."""
    return _WORD_RE.findall(query)[:MAX_WORDS]


def fold(value: str) -> str:
    """Lower case, accents removed, words joined by single spaces: the key for "is this an exact match".

    >>> fold("  Müller-Lüdenscheidt, J. ")
    'muller ludenscheidt j'
    """
    plain = unicodedata.normalize("NFKD", value)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(_WORD_RE.findall(plain.casefold()))


def _prefixed(words: list[str], prefix: str) -> list[bool]:
    """Which words match as prefixes: ``all`` (names: people type the start of each name, or an initial), or
    ``last`` (titles: earlier words are finished, the last may be half typed; one letter is too broad a prefix)."""
    if prefix == "all":
        return [True] * len(words)
    return [i == len(words) - 1 and len(w) >= 2 for i, w in enumerate(words)]


def fts5_match(words: list[str], *, prefix: str) -> str:
    """An FTS5 MATCH expression: each word a quoted string (so never syntax), implicitly ANDed."""
    return " ".join(f'"{w}"' + ("*" if p else "") for w, p in zip(words, _prefixed(words, prefix), strict=True))


def tsquery(words: list[str], *, prefix: str) -> str:
    """A ``to_tsquery`` text: each word a quoted lexeme (words hold no quotes), ANDed; ``:*`` marks a prefix.

    Accents are removed here as the index expression removes them from the text (decomposition, then the combining
    marks U+0300-U+036F dropped), so "Müller" looks up "muller".
    """
    plain = ["".join(c for c in unicodedata.normalize("NFD", w) if not "\u0300" <= c <= "\u036f") for w in words]
    return " & ".join(f"'{w}'" + (":*" if p else "") for w, p in zip(plain, _prefixed(words, prefix), strict=True))


def search(*, session: Session, query: str, limit: int = 10) -> dict[str, list[dict]]:
    """Researchers, works, topics and institutions whose name or title matches the query, best first.

    Returns ``{"researchers": [{id, name}], "works": [{id, title, year}], "topics": [{id, name, kind}],
    "institutions": [{id, name, country_code}]}``, at most ``limit`` of each; all empty for fewer than two letters.
    """
    words = query_words(query.strip())
    if len(query.strip()) < 2 or sum(len(w) for w in words) < 2:
        return empty_results()
    hits = _HITS.get(session.get_bind().dialect.name, _like_hits)
    exact = fold(query)

    def ranked(table: str, col: str, prefix: str, facts: str, where: str = "") -> list[tuple]:
        # Rows are (id, label, fact, tiebreak, score): exact label first, then the score, then the tiebreak.
        rows = hits(session, table, col, words, prefix, facts, where)
        return sorted(rows, key=lambda r: (fold(r[1] or "") != exact, r[4], -(r[3] or 0), r[0]))

    with _index_scans_only(session):
        people = _ranked_people(session, hits, words, exact)
        works = ranked("work", "title", "last", "t.year AS f1, coalesce(t.cited_by_count, 0) AS f2")
        topics = ranked("topic", "name", "all", "t.kind AS f1, 0 AS f2", where=_topic_kinds_clause())
        insts = ranked(
            "institution", "name", "all", "t.country_code AS f1, coalesce(t.works_count_reported, 0) AS f2"
        )
    return {
        "researchers": [{"id": i, "name": n} for i, n in people[:limit]],
        "works": [{"id": r[0], "title": r[1] or "Untitled work", "year": r[2]} for r in works[:limit]],
        "topics": [{"id": r[0], "name": r[1], "kind": r[2]} for r in topics[:limit]],
        "institutions": [{"id": r[0], "name": r[1], "country_code": r[2]} for r in insts[:limit]],
    }


@contextmanager
def _index_scans_only(session: Session) -> Iterator[None]:
    """On PostgreSQL, no sequential scans while searching, then the caller's setting back.

    The planner has no statistics for prefix queries ("nguy:*") and guesses a few thousand matches; under a LIMIT it
    then prefers reading the table in order until enough rows pass, which for a word that matches nothing means
    tokenising every title: 8-10 s at 1M works, against 1 ms through the GIN index.
    """
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    conn = session.connection()
    old = conn.execute(text("SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)"))
    before = old.scalar_one()
    try:
        yield
    finally:
        conn.execute(text("SELECT set_config('enable_seqscan', :v, true)"), {"v": before})


def _topic_kinds_clause() -> str:
    # Imported here: core.queries re-exports this module's ``search``, so a top-level import would be circular.
    from core.queries import TOPIC_KINDS

    return "t.kind IN (" + ", ".join(f"'{k}'" for k in TOPIC_KINDS) + ")"


def _ranked_people(session: Session, hits: Callable, words: list[str], exact: str) -> list[tuple[int, str]]:
    """People by display name or alias: an exact name first, then the most works, then the index score.

    Works come before the score because a surname is shared by many people with near-equal scores, and the one
    a user looks for is most often the prolific one. Counting authorships for at most ``2 * POOL`` people reads
    the ``(researcher_id, work_id)`` index only.
    """
    by_name = hits(session, "researcher", "display_name", words, "all", "0 AS f1, 0 AS f2", "")
    by_alias = hits(session, "researcheralias", "name", words, "all", "t.researcher_id AS f1, 0 AS f2", "")
    best: dict[int, tuple[bool, float]] = {}  # researcher id -> (exact name or alias, best score)
    for rid, label, score in [(r[0], r[1], r[4]) for r in by_name] + [(r[2], r[1], r[4]) for r in by_alias]:
        is_exact, old = fold(label or "") == exact, best.get(rid)
        best[rid] = (is_exact, score) if old is None else (old[0] or is_exact, min(old[1], score))
    if not best:
        return []
    ids = ",".join(str(int(i)) for i in best)  # integers from the database: safe to inline
    conn = session.connection()
    names = dict(conn.execute(text(f"SELECT id, display_name FROM researcher WHERE id IN ({ids})")).all())
    works = dict(
        conn.execute(
            text(
                f"SELECT researcher_id, count(*) FROM authorship WHERE researcher_id IN ({ids}) GROUP BY researcher_id"
            )
        ).all()
    )
    order = sorted(best, key=lambda i: (not best[i][0], -works.get(i, 0), best[i][1], i))
    return [(i, names[i]) for i in order if i in names]


# ---- one backend per dialect: -> [(id, label, *facts, score)], score lower = better, at most POOL rows --------
def _sqlite_hits(session: Session, table: str, col: str, words: list[str], prefix: str, facts: str, where: str):
    """FTS5: the best ``POOL`` by bm25 (lower is better), or the newest when there are too many to score."""
    fts, conn = f"{FTS_PREFIX}{table}", session.connection()
    params = {"m": fts5_match(words, prefix=prefix), "pool": POOL}
    capped = f"SELECT count(*) FROM (SELECT 1 FROM {fts} WHERE {fts} MATCH :m LIMIT :cap)"
    cap = RANK_CAP["sqlite"] // len(words)
    scored = conn.execute(text(capped), {**params, "cap": cap + 1}).scalar_one() <= cap
    score, order = ("rank", "rank") if scored else ("0.0", "rowid DESC")
    sql = (
        f"SELECT t.id, t.{col}, {facts}, h.score FROM (SELECT rowid AS id, {score} AS score FROM {fts} "
        f"WHERE {fts} MATCH :m ORDER BY {order} LIMIT :pool) h JOIN {table} t ON t.id = h.id"
    )
    return [tuple(r) for r in conn.execute(text(sql + (f" WHERE {where}" if where else "")), params).all()]


FTS_DOC = "fts_doc"  # PostgreSQL: the stored tsvector column of each searched table (revision 0009), GIN-indexed
_TSQUERY = "to_tsquery('simple'::regconfig, :q)"
# PostgreSQL, a table of many rows: the newest PROBE_ROWS are tested for the query first (their stored documents,
# 1-5 ms at 1M works). POOL matches among them mean the query matches at least POOL / PROBE_ROWS of the rows, so
# in a table of at least PROBE_ROWS * cap / POOL rows more than ``cap``: too many to score, and those newest
# matches are the pool (as on SQLite), without building the GIN bitmap of every match (15-47 ms for a common word).
PROBE_ROWS = 5_000


def _postgres_hits(session: Session, table: str, col: str, words: list[str], prefix: str, facts: str, where: str):
    """The newest ``POOL`` matches when the query is common (the probe above), else the GIN index: the best
    ``POOL`` by ts_rank (negated: lower is better, as bm25), or any ``POOL`` past ``RANK_CAP``.

    One statement (a round trip and a plan cost more here than in SQLite). Each step runs only when the one before
    it did not settle the answer (the conditions are one-time filters: a branch whose condition fails is never
    executed): the probe only on a table large enough for it to mean something (by ``pg_class.reltuples``), the
    index only when the probe found fewer than ``POOL``, and there at most ``cap + 1`` hits are read, with ts_rank
    over the stored documents only when there are no more than ``cap``.
    """
    cap = RANK_CAP["postgresql"] // len(words)
    matches = f"t.{FTS_DOC} @@ {_TSQUERY}" + (f" AND {where}" if where else "")
    row = f"t.id, t.{col} AS label, {facts}"
    large = f"(SELECT reltuples FROM pg_class WHERE oid = '\"{table}\"'::regclass) >= :large"
    sql = (
        f"WITH newest AS MATERIALIZED (SELECT {row} FROM (SELECT * FROM \"{table}\" WHERE {large} "
        f"ORDER BY id DESC LIMIT :probe) t WHERE {matches} LIMIT :pool), "
        f"hits AS MATERIALIZED (SELECT {row}, t.{FTS_DOC} AS doc FROM \"{table}\" t "
        f"WHERE (SELECT count(*) FROM newest) < :pool AND {matches} LIMIT :cap + 1) "
        f"SELECT n.id, n.label, n.f1, n.f2, 0.0::real AS score FROM newest n WHERE (SELECT count(*) FROM newest) = :pool "
        f"UNION ALL SELECT h.id, h.label, h.f1, h.f2, CASE WHEN (SELECT count(*) FROM hits) <= :cap "
        f"THEN -ts_rank(h.doc, {_TSQUERY}) ELSE 0.0 END FROM hits h "
        f"ORDER BY score LIMIT :pool"
    )
    params = {"q": tsquery(words, prefix=prefix), "pool": POOL, "cap": cap, "probe": PROBE_ROWS,
              "large": PROBE_ROWS * cap // POOL}  # fmt: skip
    return [tuple(r) for r in session.connection().execute(text(sql), params).all()]


def _like_hits(session: Session, table: str, col: str, words: list[str], prefix: str, facts: str, where: str):
    """Any other database: every word somewhere in the text (a scan; correct, not fast)."""
    params = {f"w{i}": f"%{w}%" for i, w in enumerate(words)}
    where = " AND ".join([f"lower(t.{col}) LIKE lower(:w{i})" for i in range(len(words))] + ([where] if where else []))
    sql = f'SELECT t.id, t.{col}, {facts} FROM "{table}" t WHERE {where} LIMIT :pool'
    rows = session.connection().execute(text(sql), {**params, "pool": POOL}).all()
    return [(*r, 0.0) for r in rows]


_HITS = {"sqlite": _sqlite_hits, "postgresql": _postgres_hits}
