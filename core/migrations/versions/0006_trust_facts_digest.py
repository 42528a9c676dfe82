"""trust facts digest

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 12:30:00

Issue 6 (trust recompute at a million researchers). ``trustrecord.facts_digest`` fingerprints the facts a snapshot
was computed from (``core.trust.facts_digest``). A recompute compares digests and scores only the people whose facts
changed, instead of scoring everyone and comparing each new snapshot with the stored JSON. Existing records have
no digest: they are compared the old way once, then carry one.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('trustrecord', schema=None) as batch_op:
        batch_op.add_column(sa.Column('facts_digest', sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('trustrecord', schema=None) as batch_op:
        batch_op.drop_column('facts_digest')
