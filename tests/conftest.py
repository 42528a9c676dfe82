"""Shared fixtures: database URLs (SQLite and PostgreSQL) and the paths of the shared data and seed pages.

Engines are not built here (that is ``core.db.make_engine``); fixtures only hand out URLs, each one pointing at an
empty, private database: a fresh SQLite file, or a fresh PostgreSQL schema selected through ``search_path``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
PG_ENV = "PEERSCOPE_TEST_PG_URL"


def _libpq_conninfo(url: str) -> str:
    """SQLAlchemy URL (``postgresql+psycopg://...``) -> plain libpq URL for a direct psycopg connection."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _with_query(url: str, **params: str) -> str:
    """Append already-encoded query parameters to ``url``."""
    sep = "&" if "?" in url else "?"
    return url + sep + "&".join(f"{k}={v}" for k, v in params.items())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty database, once for SQLite and once for PostgreSQL.

    PostgreSQL comes from ``PEERSCOPE_TEST_PG_URL`` (``scripts/test.sh`` starts a server and sets it). Each test gets
    its own schema, selected with ``?options=-csearch_path%3D<schema>`` and dropped afterwards, so tests never see
    each other's tables. Without the variable the PostgreSQL case is skipped, except under CI, where it fails.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'peerscope.db'}"
        return

    base = os.environ.get(PG_ENV)
    if not base:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {PG_ENV} is not: run the tests with scripts/test.sh", pytrace=False)
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (bash scripts/test.sh starts a server and sets it)")

    import psycopg

    schema = f"t_{uuid.uuid4().hex[:16]}"
    conninfo = _libpq_conninfo(base)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    # application_name tags the test's own connections so that teardown can end any it left open.
    yield _with_query(base, options=f"-csearch_path%3D{schema}", application_name=schema)

    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("SET lock_timeout = '5s'")
        try:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        except psycopg.errors.LockNotAvailable:
            # A connection of the test still holds a lock (an engine that was not disposed): end it, then drop.
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s AND pid <> pg_backend_pid()",
                (schema,),
            )
            conn.execute("SET lock_timeout = '30s'")
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``: real records from public sources, read in place (never copied into the project)."""
    path = SHARED / "data"
    if not path.is_dir():
        pytest.skip(f"shared data folder absent: {path} (a clone outside this workplace)")
    return path


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """``../shared/seeds``: the scraped pages the seed world (``data/seed/world.json``) was written from."""
    path = SHARED / "seeds"
    if not path.is_dir():
        pytest.skip(f"seed pages folder absent: {path} (a clone outside this workplace)")
    return path


@pytest.fixture(scope="session")
def bangor_store(tmp_path_factory) -> Path:
    """A SQLite store built once per test session from ``../shared/data/openalex-ego-bangor``.

    Page and browser tests share it; each copies the file before opening it (``shutil.copyfile``), never writes to it.
    """
    from core.db import init_db, make_engine
    from core.ingest.loader import import_paths

    bangor = SHARED / "data" / "openalex-ego-bangor"
    if not (bangor / "works.jsonl").is_file():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but the shared data folder {bangor} is missing", pytrace=False)
        pytest.skip(f"shared data folder absent: {bangor}")
    built = tmp_path_factory.getbasetemp() / "bangor-store.db"
    if not built.is_file():
        building = tmp_path_factory.getbasetemp() / "bangor-building.db"
        engine = make_engine(f"sqlite:///{building}")
        init_db(engine)
        import_paths([bangor], engine=engine)
        engine.dispose()
        building.rename(built)
    return built
