"""lab snapshots

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 15:30:00

Issue 6 (the lab map at a million works). ``labsnapshot`` keeps an institution's lab map structure (members,
collaboration strengths, years, layout, communities; no names), so a page view reads one row instead of every
byline of the members' works. ``core.lab_snapshots`` builds it and imports drop and rebuild the stale ones.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "labsnapshot",
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("units", sa.JSON(), nullable=False),
        sa.Column("members_total", sa.Integer(), nullable=False),
        sa.Column("structure", sa.JSON(), nullable=False),
        sa.Column("built_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("build_seconds", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
        ),
        sa.PrimaryKeyConstraint("institution_id"),
    )


def downgrade() -> None:
    op.drop_table("labsnapshot")
