"""drop the trust records' (researcher, time) index, which no query reads

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 03:00:00

Issue 6 (trust rescore at a million works). Every query of trust records reads them by researcher in id order: a
person's history (``trust_history``) and the latest record a recompute compares with (``ix_trustrecord_latest`` of
0010, whose leading column also serves the foreign key). The (researcher, computed_at) index of 0001 was read by
none of them, yet every stored snapshot added an entry to it at a random place (records are appended in id order,
this index is in researcher order): one of the two index updates of each of the 917k records a rescore stores.
This file is frozen: the index is written out here.
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_trustrecord_researcher_time", table_name="trustrecord")


def downgrade() -> None:
    op.create_index("ix_trustrecord_researcher_time", "trustrecord", ["researcher_id", "computed_at"])
