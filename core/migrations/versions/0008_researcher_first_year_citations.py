"""researcher first year and citations

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 16:05:00

Issue 6 (the explorer at a million works). ``researcher.first_year`` and ``researcher.citations`` are the first year
and the citations of a person's works in the store, kept by ``core.trust_refresh`` with the trust score (the trust
facts hold the same figures). The explorer showed them for every person it draws by reading all of each person's
works: for a hub and forty co-authors, tens of thousands of work rows per view. Filled here from the works already
in the store, in one set-based statement.

This file is frozen: the SQL below is written out rather than imported.
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('researcher', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_year', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('citations', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE researcher SET first_year = agg.first_year, citations = agg.citations FROM ("
        "SELECT a.researcher_id AS rid, min(CASE WHEN w.year <> 0 THEN w.year END) AS first_year, "
        "coalesce(sum(w.cited_by_count), 0) AS citations "
        "FROM authorship a JOIN work w ON w.id = a.work_id GROUP BY a.researcher_id) AS agg "
        "WHERE researcher.id = agg.rid"
    )
    op.execute("UPDATE researcher SET citations = 0 WHERE citations IS NULL")


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN on both (SQLite >= 3.35): a batch copy of researcher would break the references
    # to it from every other table.
    op.drop_column('researcher', 'citations')
    op.drop_column('researcher', 'first_year')
