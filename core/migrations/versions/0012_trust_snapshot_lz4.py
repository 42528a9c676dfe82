"""PostgreSQL: trust snapshots compressed with lz4

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 03:30:00

Issue 6 (trust rescore at a million works). A stored snapshot is about 2.4 KB of JSON, over PostgreSQL's TOAST
threshold, so the server compresses each one as it is written; with the default method (pglz) that was much of
the 79 s the 917k records of a rescore took to COPY in, on a machine whose other core scores them. lz4 compresses
about as well (2.4 KB to 1.3 KB) at several times the speed: the COPY took 59 s. Only values written from now on
are compressed this way; PostgreSQL reads both. A server built without lz4, and SQLite, are left as they are.
This file is frozen: the statement is written out here.
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _lz4_available(bind) -> bool:
    methods = bind.exec_driver_sql(
        "SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'"
    ).scalar()
    return "lz4" in (methods or [])


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql" and _lz4_available(bind):
        op.execute("ALTER TABLE trustrecord ALTER COLUMN snapshot SET COMPRESSION lz4")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql" and _lz4_available(bind):
        op.execute("ALTER TABLE trustrecord ALTER COLUMN snapshot SET COMPRESSION default")
