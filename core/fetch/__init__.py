"""Fetching records online. ``openalex_api``: works from the OpenAlex API by ORCID, author, institution or search,
imported page by page through the same loader as files (``pages``).
"""

from core.fetch.openalex_api import (
    FetchError,
    FetchState,
    QueryError,
    QueryPlan,
    Transport,
    fetch_works,
    plan_query,
)
from core.fetch.pages import FetchProgress, FetchResult, fetch_into_store

__all__ = [
    "FetchError",
    "FetchProgress",
    "FetchResult",
    "FetchState",
    "QueryError",
    "QueryPlan",
    "Transport",
    "fetch_into_store",
    "fetch_works",
    "plan_query",
]
