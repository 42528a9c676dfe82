"""The app server's once-per-process settings (ui.runtime)."""

from __future__ import annotations

import gc

from tests.pages.test_app_pages import _build_store, open_app  # noqa: F401  (fixture)
from ui import runtime


def test_the_first_page_run_freezes_what_is_alive_and_only_once(monkeypatch, open_app, tmp_path):  # noqa: F811
    url = _build_store(tmp_path / "empty.db")
    monkeypatch.setattr(runtime, "_settled", False)
    gc.unfreeze()
    collections = []
    real_collect = gc.collect
    monkeypatch.setattr(gc, "collect", lambda *a: collections.append(a) or real_collect(*a))
    at = open_app(url)
    assert gc.get_freeze_count() > 10_000  # modules, Streamlit, plotly, ...: out of the collector's walk
    assert collections == [()]  # collected once before freezing, so no garbage is frozen
    at.run()
    assert not at.exception and collections == [()]  # not again on later runs
