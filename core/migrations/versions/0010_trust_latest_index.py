"""a covering index for each researcher's latest trust record

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 00:00:00

Issue 6 (trust rescore at a million works). A recompute reads, for each batch of 2,000 people, the id, facts digest
and algorithm version of each person's latest trust record, to skip the people whose facts did not change. A record
holds its whole snapshot (about 2.5 KB of JSON), so one record fills most of a page: through the index of 0001
(researcher, time) every record read was a page of the table, 33 s of a 164 s rescore of 917k people on SQLite.
This index holds the four columns the lookup needs, in the order it reads them: the lookup never touches the table.
This file is frozen: the index is written out here.
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_trustrecord_latest", "trustrecord", ["researcher_id", "id", "algorithm_version", "facts_digest"]
    )


def downgrade() -> None:
    op.drop_index("ix_trustrecord_latest", table_name="trustrecord")
