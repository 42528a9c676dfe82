"""The real-browser harness shared by the journeys: a Streamlit server over a given store, on a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _streamlit_server(db: Path) -> Iterator[str]:
    """Run ``streamlit run app.py`` over the SQLite store ``db``; yield its base URL once it answers."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "PEERSCOPE_LOAD_SEED_ON_FIRST_START": "false"}
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", "--client.toolbarMode", "minimal",
    ]  # fmt: skip
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"streamlit did not start:\n{log.read().decode(errors='replace')[-3000:]}")
                time.sleep(0.3)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="session")
def streamlit_server() -> Callable[[Path], AbstractContextManager[str]]:
    """``with streamlit_server(db) as base_url: ...`` (the server stops when the block ends)."""
    return _streamlit_server


@pytest.fixture(scope="session")
def sync_playwright():
    """Playwright's ``sync_playwright`` (skips, or fails in CI, when it or chromium is missing)."""
    from tests.browser.helpers import load_sync_playwright

    return load_sync_playwright()
