"""A real browser runs a small same-origin app against /tmdb/3 (demo mode, real HTTP on loopback).

Headless Chromium from Debian (`/usr/bin/chromium`, installed by scripts/install-system-deps.sh),
driven by Playwright for Python; never `playwright install`. Without a working Chromium this test
fails with the reason: it is the only check that a browser really runs such an app.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from netflix_clone.catalog.demo_tmdb import DemoTMDB
from tests.e2e.browser import chromium, serving

pytestmark = pytest.mark.browser

SPA_DIR = Path(__file__).parent / "spa"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """Our app under a real WSGI server on a free loopback port: demo catalog, SPA_DIR set."""
    with serving(tmp_path, spa_dir=SPA_DIR) as url:
        yield url


def test_an_existing_style_app_renders_titles_through_the_gateway(
    server: str, tmp_path: Path
) -> None:
    demo = DemoTMDB.default()
    expected_titles = [m["title"] for m in demo.handle("movie/popular", {})[1]["results"]]
    expected_genres = [g["name"] for g in demo.handle("genre/movie/list", {})[1]["genres"]]
    assert expected_titles and expected_genres

    with chromium() as browser:
        page = browser.new_page()
        page.set_default_timeout(15_000)
        # No network beyond loopback: anything else is refused at once.
        page.route(re.compile(r"^(?!http://127\.0\.0\.1:\d+/)"), lambda route: route.abort())
        responses: list[tuple[str, int]] = []
        page.on("response", lambda r: responses.append((r.url, r.status)))
        console: list[str] = []
        page.on("console", lambda m: console.append(m.text))

        page.goto(f"{server}/", wait_until="load")
        status = _settled_status(page)
        assert status == "ready", (status, console)
        titles = page.locator("#popular .title").all_inner_texts()
        assert titles == expected_titles
        assert page.locator("#genres .genre").all_inner_texts() == expected_genres
        # Offline, configuration hands out our placeholder artwork: every poster loads.
        poster = page.locator("#popular img").first.get_attribute("src") or ""
        assert poster.startswith(f"{server}/images/t/p/w185/")
        page.wait_for_function(
            "[...document.querySelectorAll('#popular img')]"
            ".every(i => i.complete && i.naturalWidth > 0)"
        )

        gateway = [(url, code) for url, code in responses if "/tmdb/3/" in url]
        assert {url.split("/tmdb/3/")[1].split("?")[0] for url, _ in gateway} == {
            "configuration",
            "genre/movie/list",
            "movie/popular",
        }
        assert all(code == 200 and "api_key=anything" in url for url, code in gateway)

        screenshot = tmp_path / "gateway-home.png"
        page.screenshot(path=str(screenshot), full_page=True)
        assert screenshot.stat().st_size > 1000

        # A deep link into a client route gets the same app (index.html fallback).
        page.goto(f"{server}/browse/popular", wait_until="load")
        assert _settled_status(page) == "ready"
        assert page.locator("#popular .title").first.inner_text() == expected_titles[0]


def _settled_status(page: Any) -> str:
    page.wait_for_function("document.getElementById('status').textContent !== 'loading'")
    return str(page.locator("#status").inner_text())
