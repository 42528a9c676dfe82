"""A value already serialised as JSON text, for a JSON column written by ``core.ingest.bulk_sql.insert_rows``."""

from __future__ import annotations


class JsonText(str):
    """Text produced by ``json.dumps``: ``insert_rows`` stores it as it is instead of serialising it again (a worker
    process that scored a snapshot hands back its JSON, which is cheaper to pass between processes than the dict).

    >>> import json
    >>> JsonText(json.dumps({"a": [1, 2]}))
    '{"a": [1, 2]}'
    """

    __slots__ = ()
