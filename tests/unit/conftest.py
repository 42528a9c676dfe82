"""Store fixtures shared by the unit tests: an empty store and one holding the seed world, on each database."""

from __future__ import annotations

import pytest

from core import accounts
from core.db import init_db, make_engine
from core.ingest.loader import import_paths
from core.ingest.seed import SEED_PATH


@pytest.fixture(autouse=True, scope="session")
def cheap_hashes():
    """argon2id at its cheapest: the tests check behaviour, not hashing cost."""
    accounts.configure_hasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    yield
    accounts.configure_hasher()


@pytest.fixture
def empty_store(db_url):
    """An engine on an empty, migrated database (SQLite and PostgreSQL, via ``db_url``)."""
    eng = make_engine(db_url)
    init_db(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def seeded_store(empty_store):
    """The same, holding the seed world (``data/seed/world.json``)."""
    import_paths([SEED_PATH], engine=empty_store, fmt="seed")
    return empty_store
