"""What every browser test needs: the app under a real WSGI server on loopback, and Debian's
headless Chromium driven by Playwright for Python (never `playwright install`).

Without a working Chromium a browser test fails with the reason: it is the only check that a
browser really runs the page.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from netflix_clone.app import create_app
from tests.conftest import test_settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOW_TO_INSTALL = "apt-get install -y chromium (scripts/install-system-deps.sh does it in CI)"


@contextlib.contextmanager
def serving(tmp_path: Path, **settings: Any) -> Iterator[str]:
    """The app (demo catalog, its own SQLite file) on a free loopback port; yields its URL."""
    settings.setdefault("database_url", f"sqlite:///{tmp_path / 'e2e.sqlite3'}")
    settings.setdefault("instance_path", tmp_path / "instance")
    settings.setdefault("catalog_source", "demo")
    app = create_app(test_settings(**settings))
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A launched headless Chromium (Playwright's Browser), closed on the way out."""
    if not CHROMIUM.is_file():
        pytest.fail(f"no Chromium at {CHROMIUM}: install it with {HOW_TO_INSTALL}")
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=30_000
            )
        except Error as exc:
            pytest.fail(f"Chromium at {CHROMIUM} could not be launched ({HOW_TO_INSTALL}): {exc}")
        try:
            yield browser
        finally:
            browser.close()
