"""Settings of the app server process, applied once per process (not per page view)."""

from __future__ import annotations

import gc
import threading

_lock = threading.Lock()
_settled = False


def settle_long_lived_objects() -> None:
    """Once per process, after the first page run: collect garbage, then take every object alive at that point out
    of the cycle collector's view (``gc.freeze``).

    A Streamlit server holds some 250,000 long-lived objects (modules, Streamlit, plotly, pandas, SQLAlchemy, the
    engine). Python's full collection walks all of them: ~130 ms here, paid by whichever page view happens to
    trigger it, which is what made the slowest researcher pages at a million works (p95 317 ms against p50 124 ms).
    Frozen objects are never walked again; objects made later are collected as before. Collecting first means no
    garbage is frozen with them.
    """
    global _settled
    if _settled:
        return
    with _lock:
        if not _settled:
            gc.collect()
            gc.freeze()
            _settled = True
