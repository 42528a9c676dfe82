"""stored search documents on PostgreSQL

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 20:45:00

Issue 6 (search at a million works on PostgreSQL). Revision 0003 indexed an expression, ``to_tsvector('simple',
<col without accents>)``, so every use of the document outside the GIN index re-tokenised the text: ``ts_rank`` over
the hits, and any look at rows in another order than the index's. A GIN index only answers with a bitmap of every
match, built before any LIMIT: for a common word ("transfer:*", 30,923 titles at 1M works) 15-47 ms of CPU, then the
heap reads, where SQLite's FTS5 stops at the LIMIT.

Here the document becomes a stored generated column, ``fts_doc``, on each searched table (same expression, computed
by PostgreSQL on every insert and on every change of the column), and the GIN index of 0003 is rebuilt on it under
the same name. ``core.search`` can then test the newest few thousand rows of a large table for a word with a cheap
``fts_doc @@ query`` (1-5 ms) before it asks the index, and ``ts_rank`` reads the stored document.

SQLite keeps its FTS5 tables (0003): nothing changes there. The column is named ``fts_*`` so ``core/migrations/env.py``
keeps it out of autogenerate, as the other search objects. This file is frozen: the SQL is written out here.
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

INDEXED = [("work", "title"), ("researcher", "display_name"), ("researcheralias", "name"), ("institution", "name"),
           ("topic", "name")]  # fmt: skip


def _document(col: str) -> str:
    plain = (
        f"CASE WHEN octet_length({col}) = char_length({col}) THEN {col} "
        f"ELSE regexp_replace(normalize({col}, NFD), '[\\u0300-\\u036f]', '', 'g') END"
    )
    return f"to_tsvector('simple'::regconfig, {plain})"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, col in INDEXED:
        op.execute(f"DROP INDEX IF EXISTS ix_fts_{table}")
        op.execute(f'ALTER TABLE "{table}" ADD COLUMN fts_doc tsvector GENERATED ALWAYS AS ({_document(col)}) STORED')
        op.execute(f'CREATE INDEX ix_fts_{table} ON "{table}" USING gin (fts_doc)')


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, col in INDEXED:
        op.execute(f"DROP INDEX IF EXISTS ix_fts_{table}")
        op.execute(f'ALTER TABLE "{table}" DROP COLUMN fts_doc')
        op.execute(f'CREATE INDEX ix_fts_{table} ON "{table}" USING gin ({_document(col)})')
