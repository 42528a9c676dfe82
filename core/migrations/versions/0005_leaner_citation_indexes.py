"""leaner citation indexes

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 12:20:00

Issue 6 (import at a million works). The citation table is the largest in the store (about ten rows per work) and
carried nine indexes; writing them was a third of the bulk import's time in SQLite, and more in PostgreSQL.

- ``ix_citation_citing_work_id`` is dropped: the unique (citing_work_id, cited_key) index already serves every
  lookup by the citing work (its leading column).
- The four reference-id indexes (``cited_openalex_id``, ``cited_doi``, ``cited_arxiv_id``, ``cited_s2_id``) become
  partial, over the rows that carry that id. A reference usually carries one or two of the four, so the other
  indexes held a NULL entry per row that no query reads: every lookup is ``col = value`` or ``col IN (...)``, which
  both planners prove implies ``col IS NOT NULL``.
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

REF_COLUMNS = ("cited_openalex_id", "cited_doi", "cited_arxiv_id", "cited_s2_id")


def upgrade() -> None:
    with op.batch_alter_table('citation', schema=None) as batch_op:
        batch_op.drop_index('ix_citation_citing_work_id')
        for col in REF_COLUMNS:
            batch_op.drop_index(f'ix_citation_{col}')
            where = sa.text(f'{col} IS NOT NULL')
            batch_op.create_index(f'ix_citation_{col}', [col], unique=False, sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    with op.batch_alter_table('citation', schema=None) as batch_op:
        for col in REF_COLUMNS:
            batch_op.drop_index(f'ix_citation_{col}')
            batch_op.create_index(f'ix_citation_{col}', [col], unique=False)
        batch_op.create_index('ix_citation_citing_work_id', ['citing_work_id'], unique=False)
