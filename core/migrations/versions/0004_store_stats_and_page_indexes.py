"""store stats and page indexes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 09:07:08.314912

Issue 6 (pages at a million works). Three things the pages need so that nothing they do per view scans the corpus:

- ``storestats``: one row of corpus counts for the sidebar and the home page, refreshed by ``core.aggregates`` at
  the end of every import (with each counted table's largest id, so rows added outside an import are noticed).
  Filled here from the rows already in the store.
- ``ix_citation_cited_key`` (cited_key, citing_work_id): related papers look up the works that share a reference;
  without it that lookup read every citation (about 200 ms at 100k works).
- ``ix_work_has_abstract``: a partial index over the ids of works with an abstract, so counting them after an import
  reads a small index instead of every (wide) work row.
- ``ix_researcher_placeholder``: a partial index over the ids of placeholder researchers ("Deleted Author",
  collaborations), so co-author queries drop those few by id instead of joining every co-author's researcher row.

This file is frozen: the counting SQL below is written out rather than imported from ``core.aggregates``.
"""

from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

TOPIC_KINDS = "('topic', 'concept', 'field_of_study', 'category', 'keyword')"
COUNTS = {
    "works": "SELECT count(*) FROM work",
    "researchers": "SELECT count(*) FROM researcher",
    "institutions": "SELECT count(*) FROM institution",
    "topics": f"SELECT count(*) FROM topic WHERE kind IN {TOPIC_KINDS}",
    "venues": "SELECT count(*) FROM venue",
    "authorships": "SELECT count(*) FROM authorship",
    "citations": "SELECT count(*) FROM citation",
    "citations_in_store": "SELECT count(*) FROM citation WHERE cited_work_id IS NOT NULL",
    "works_with_abstract": "SELECT count(*) FROM work WHERE abstract IS NOT NULL",
}
MARKED = ("work", "researcher", "institution", "topic", "venue", "authorship", "citation")


def upgrade() -> None:
    storestats = op.create_table('storestats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('works', sa.Integer(), nullable=False),
    sa.Column('researchers', sa.Integer(), nullable=False),
    sa.Column('institutions', sa.Integer(), nullable=False),
    sa.Column('topics', sa.Integer(), nullable=False),
    sa.Column('venues', sa.Integer(), nullable=False),
    sa.Column('authorships', sa.Integer(), nullable=False),
    sa.Column('citations', sa.Integer(), nullable=False),
    sa.Column('citations_in_store', sa.Integer(), nullable=False),
    sa.Column('works_with_abstract', sa.Integer(), nullable=False),
    sa.Column('marks', sa.JSON(), nullable=False),
    sa.Column('refreshed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('citation', schema=None) as batch_op:
        batch_op.create_index('ix_citation_cited_key', ['cited_key', 'citing_work_id'], unique=False)

    with op.batch_alter_table('work', schema=None) as batch_op:
        batch_op.create_index('ix_work_has_abstract', ['id'], unique=False, sqlite_where=sa.text('abstract IS NOT NULL'), postgresql_where=sa.text('abstract IS NOT NULL'))

    with op.batch_alter_table('researcher', schema=None) as batch_op:
        batch_op.create_index('ix_researcher_placeholder', ['id'], unique=False, sqlite_where=sa.text('is_placeholder = 1'), postgresql_where=sa.text('is_placeholder'))

    bind = op.get_bind()
    row = {name: bind.execute(sa.text(sql)).scalar_one() for name, sql in COUNTS.items()}
    row["marks"] = {t: bind.execute(sa.text(f"SELECT max(id) FROM {t}")).scalar_one() for t in MARKED}
    op.bulk_insert(storestats, [{"id": 1, **row, "refreshed_at": datetime.now(UTC)}])


def downgrade() -> None:
    with op.batch_alter_table('researcher', schema=None) as batch_op:
        batch_op.drop_index('ix_researcher_placeholder', sqlite_where=sa.text('is_placeholder = 1'), postgresql_where=sa.text('is_placeholder'))

    with op.batch_alter_table('work', schema=None) as batch_op:
        batch_op.drop_index('ix_work_has_abstract', sqlite_where=sa.text('abstract IS NOT NULL'), postgresql_where=sa.text('abstract IS NOT NULL'))

    with op.batch_alter_table('citation', schema=None) as batch_op:
        batch_op.drop_index('ix_citation_cited_key')

    op.drop_table('storestats')
