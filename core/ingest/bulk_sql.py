"""Set-based SQL for the bulk import path: chunked ``IN`` lookups, primary keys handed out in advance, and
multi-row inserts through SQLAlchemy Core.

Why Core and not the ORM: an ORM bulk insert builds per-row state and, to learn the new keys, needs
``INSERT ... RETURNING`` with ordered results, which cost more than the inserts themselves. Handing out the keys
before inserting (:func:`allocate_ids`) lets every child row (bylines, affiliations, references) be built in
Python and written with one ``executemany`` per table.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import JSON, Table, func, insert, select, text
from sqlmodel import Session


def _import_cache_kib() -> int:
    """The largest SQLite page cache an import may use: a quarter of the machine's memory, at most 4 GiB."""
    try:
        ram_kib = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 1024
    except (ValueError, OSError, AttributeError):  # pragma: no cover - platforms without sysconf
        ram_kib = 4 * 1024 * 1024
    return max(256 * 1024, min(4 * 1024 * 1024, ram_kib // 4))


IMPORT_CACHE_KIB = _import_cache_kib()  # SQLite page cache while an import runs (the default is 2 MiB)
IN_CHUNK = 900  # values per IN list: under SQLite's historical bind-parameter limit (999)
INSERT_CHUNK = 5000  # rows per executemany call: bounds the driver's memory, not a database limit


def in_chunks(values: Sequence, size: int = IN_CHUNK) -> Iterable[Sequence]:
    """``values`` in consecutive slices of at most ``size``.

    >>> [list(c) for c in in_chunks([1, 2, 3, 4, 5], 2)]
    [[1, 2], [3, 4], [5]]
    """
    for i in range(0, len(values), size):
        yield values[i : i + size]


def existing_values(session: Session, column, values: Iterable) -> set:
    """Which of ``values`` are already in ``column`` (one indexed ``IN`` query per chunk)."""
    found: set = set()
    for chunk in in_chunks(sorted(set(values))):
        found.update(session.execute(select(column).where(column.in_(chunk))).scalars())
    return found


def rows_where_in(session: Session, columns: Sequence, key, values: Iterable) -> list[tuple]:
    """``SELECT columns WHERE key IN values``, chunked; rows as tuples."""
    out: list[tuple] = []
    for chunk in in_chunks(sorted(set(values))):
        out.extend(tuple(row) for row in session.execute(select(*columns).where(key.in_(chunk))))
    return out


def allocate_ids(session: Session, table: Table, n: int) -> list[int]:
    """``n`` fresh primary keys for ``table``, to be used in an insert within the same transaction.

    PostgreSQL takes them from the column's sequence (safe beside other writers, and the sequence stays ahead of
    the rows). SQLite has no sequence: the keys follow the largest one stored. That is safe because an import is a
    single transaction and SQLite admits one writer at a time; the keys are inserted right after being handed out.
    """
    if n <= 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table.name, "n": n},
        ).scalars()
        return sorted(rows)
    start = session.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one() + 1
    return list(range(start, start + n))


def insert_rows(session: Session, table: Table, rows: list[dict], *, json_text: Collection[str] = ()) -> None:
    """``INSERT`` many rows (dicts with the same keys), in chunks.

    On SQLite the rows go to the driver's ``executemany`` as tuples, each value passed through the column type's own
    bind processor (so JSON and datetimes are stored exactly as through the ORM): SQLAlchemy's per-row parameter
    handling cost about as much as SQLite's own work. Elsewhere, Core ``executemany``.

    ``json_text``: JSON columns whose values are serialised already (text from ``json.dumps``, as a worker process
    hands back a trust snapshot): stored as they are, not serialised again.
    """
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    names = list(rows[0])
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        _copy_rows(conn, table, names, rows, json_text)
        return
    if dialect.name != "sqlite":
        for chunk in in_chunks(rows, INSERT_CHUNK):
            conn.execute(insert(table), [_decoded(row, json_text) for row in chunk])
        return
    processors = [None if name in json_text else _processor(table.c[name].type, dialect) for name in names]
    columns = ", ".join(f'"{name}"' for name in names)
    sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({", ".join("?" * len(names))})'
    for chunk in in_chunks(rows, INSERT_CHUNK):
        conn.exec_driver_sql(sql, _bound_rows(chunk, names, processors))


def _decoded(row: dict, json_text: Collection[str]) -> dict:
    """``row`` with its JSON text values as the objects they encode, for the column types to serialise again."""
    if not json_text:
        return row
    return {k: json.loads(v) if k in json_text and v is not None else v for k, v in row.items()}


def _bound_rows(rows: Sequence[dict], names: list[str], processors: list) -> list[tuple]:
    """``rows`` as tuples in ``names`` order, each value through its column's bind processor.

    Column by column, then zipped into rows: the loops run in C."""
    values = [[row[name] for row in rows] for name in names]
    for i, process in enumerate(processors):
        if process is not None:
            values[i] = list(map(process, values[i]))
    return list(zip(*values, strict=True))


def _copy_rows(conn, table: Table, names: list[str], rows: list[dict], json_text: Collection[str] = ()) -> None:
    """PostgreSQL: the rows through ``COPY ... FROM STDIN`` (psycopg 3), in the connection's transaction.

    ``COPY`` skips the per-statement planning and parameter round trips of ``INSERT``: on the bulk import it wrote
    the same rows several times faster. Values pass through the column types' bind processors first (JSON becomes
    its text, as through the ORM); psycopg adapts the rest (text, numbers, booleans, timestamps, NULL).
    """
    processors = [None if name in json_text else _processor(table.c[name].type, conn.dialect) for name in names]
    columns = ", ".join(f'"{name}"' for name in names)
    cursor = conn.connection.driver_connection.cursor()
    try:
        with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
            for row in _bound_rows(rows, names, processors):
                copy.write_row(row)
    finally:
        cursor.close()


def _processor(type_, dialect):
    process = type_.dialect_impl(dialect).bind_processor(dialect)
    if process is None or not isinstance(type_, JSON):
        return process
    seen: dict[tuple, str] = {}  # most JSON values of an import are the same few short lists of strings

    def json_list(value):
        if type(value) is list and all(type(v) is str for v in value):
            key = tuple(value)
            out = seen.get(key)
            if out is None:
                if len(seen) > 10_000:
                    seen.clear()
                out = seen[key] = process(value)
            return out
        return process(value)

    return json_list


@contextmanager
def import_pragmas(session: Session, input_bytes: int = 0) -> Iterator[None]:
    """A larger SQLite page cache and in-memory statement journals for the length of an import, then the
    connection's own settings again.

    An import is one transaction: with SQLite's default 2 MiB cache, the index pages it keeps revisiting are
    spilled to the write-ahead log over and over (at 100k works the log grew to several times the database, and
    a fifth of the import's time went to system calls). With a 256 MiB cache a million-work import still wrote
    about 37 times the size of its log (each spilled index page written again on its next change) and slowed to
    200 works/s. The cache grows with the input (twice its size, at most ``IMPORT_CACHE_KIB``: a quarter of the
    machine's memory, at most 4 GiB), so a small import into a large store does not fill memory with pages it reads
    once. Durability is untouched: ``synchronous`` stays as configured, so a committed import is as safe as before.
    """
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    temp_before = conn.exec_driver_sql("PRAGMA temp_store").scalar()
    want_kib = min(IMPORT_CACHE_KIB, 2 * input_bytes // 1024)
    current_kib = -before if before < 0 else before * (conn.exec_driver_sql("PRAGMA page_size").scalar() // 1024)
    if want_kib > current_kib:
        conn.exec_driver_sql(f"PRAGMA cache_size=-{want_kib}")
    # Statement journals in memory: every insert into a table with foreign keys or triggers keeps the pages it
    # changes in a statement journal (to undo that one statement), and once past 64 KiB SQLite spills it to a
    # temporary file: a million-work import wrote about 90 MB/s to it. Set before the import's transaction begins.
    conn.exec_driver_sql("PRAGMA temp_store=MEMORY")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(before)}")
        conn.exec_driver_sql(f"PRAGMA temp_store={int(temp_before)}")


ANALYZE_AFTER_WORKS = 5000  # new works in one import from which PostgreSQL's planner statistics are refreshed
BULK_TABLES = ("work", "researcher", "authorship", "authorshipinstitution", "worktopic", "citation", "provenance",
               "venue", "institution", "topic", "trustrecord")  # fmt: skip


class PlannerStatistics:
    """Keeps PostgreSQL's planner statistics in step with a large import while it runs (SQLite: does nothing).

    Autovacuum cannot see the rows of an import that has not committed, so during a first import the planner
    keeps planning with the statistics of the empty tables: it chose sequential scans for the batch lookups (the
    provenance check of a 900-key batch took 0.2-2 s at 150k works, and grew with every batch, so the import was
    quadratic). ``ANALYZE`` inside the import's transaction sees its rows. It runs whenever the store has doubled
    since the last time (from ``ANALYZE_AFTER_WORKS`` new works on), so a million-work import analyses about eight
    times, each a sample of a few tens of thousands of rows per table.
    """

    def __init__(self, session: Session):
        self.active = session.get_bind().dialect.name == "postgresql"
        self.mark = 0
        if self.active:
            tuples = session.connection().exec_driver_sql("SELECT reltuples FROM pg_class WHERE oid = 'work'::regclass")
            self.mark = max(int(tuples.scalar() or 0), 0)
        self.base = self.mark

    def after_batch(self, session: Session, new_works: int) -> None:
        total = self.base + new_works
        if self.active and new_works >= ANALYZE_AFTER_WORKS and total >= 2 * max(self.mark, ANALYZE_AFTER_WORKS // 2):
            refresh_planner_statistics(session, new_works)
            self.mark = total


def refresh_planner_statistics(session: Session, new_works: int) -> None:
    """``ANALYZE`` the tables a large import filled, before the queries that end it (PostgreSQL only).

    Until autovacuum gets to them, PostgreSQL plans with the statistics of the tables as they were before the
    import (empty, for a first import), and the trust recompute that ends an import ran about twice as long. Inside
    the import's transaction the statistics see its rows, and roll back with it. SQLite is left alone: it has no
    statistics unless ANALYZE is run, and the pages' queries are planned without them.
    """
    if new_works < ANALYZE_AFTER_WORKS or session.get_bind().dialect.name != "postgresql":
        return
    conn = session.connection()
    for table in BULK_TABLES:
        conn.exec_driver_sql(f'ANALYZE "{table}"')
