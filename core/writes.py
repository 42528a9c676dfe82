"""Running one write action in its own transaction, retried when the database asks for it.

Under concurrent writers SQLite answers "database is locked" when a transaction that began by reading must
upgrade to writing after another writer committed; PostgreSQL can report a deadlock or a serialization failure.
In each case the whole action is rolled back and may simply be run again.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from core.db import session_scope

T = TypeVar("T")

RETRYABLE = ("database is locked", "database table is locked", "deadlock detected", "could not serialize")


def is_retryable(exc: BaseException) -> bool:
    """Whether a database error means "run the transaction again"."""
    return isinstance(exc, OperationalError | DBAPIError) and any(s in str(exc).lower() for s in RETRYABLE)


def run_write(engine: Engine, action: Callable[[Session], T], *, attempts: int = 8) -> T:
    """``action(session)`` in one committed transaction (``core.db.session_scope``), retried on lock conflicts.

    Example: ``run_write(engine, lambda s: social.vote(session=s, actor=me, work_id=7, value=1))``.
    """
    for attempt in range(1, attempts + 1):
        try:
            with session_scope(engine) as session:
                return action(session)
        except (OperationalError, DBAPIError) as exc:
            if attempt == attempts or not is_retryable(exc):
                raise
            time.sleep(min(0.5, 0.01 * 2**attempt) * (0.5 + random.random()))
    raise AssertionError("unreachable")
