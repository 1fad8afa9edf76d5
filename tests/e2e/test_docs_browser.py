"""`/docs` in a real browser: the vendored Swagger UI renders our OpenAPI 3.1 document.

Status codes alone passed while Swagger UI 4 showed "does not specify a valid version field"
instead of the API. Headless Chromium from Debian (`/usr/bin/chromium`), driven by Playwright
for Python exactly as test_gateway_browser.py does; never `playwright install`.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.browser import chromium, serving

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with serving(tmp_path) as url:
        yield url


def test_docs_renders_every_operation_of_the_31_document(server: str, tmp_path: Path) -> None:
    with urllib.request.urlopen(f"{server}/openapi.json", timeout=10) as answer:  # noqa: S310
        spec = json.load(answer)
    assert spec["openapi"].startswith("3.1")
    expected = {
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "put", "post", "patch", "delete"}
    }
    assert ("POST", "/api/users") in expected

    with chromium() as browser:
        page = browser.new_page()
        page.set_default_timeout(20_000)
        page.route(re.compile(r"^(?!http://127\.0\.0\.1:\d+/)"), lambda route: route.abort())
        outside: list[str] = []
        page.on(
            "request",
            lambda r: outside.append(r.url) if not r.url.startswith(server) else None,
        )
        console: list[str] = []
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))

        response = page.goto(f"{server}/docs", wait_until="load")
        assert response is not None and response.status == 200
        csp = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "unsafe-eval" not in csp

        page.wait_for_selector(".opblock-summary-path", state="attached")
        page.screenshot(path=str(tmp_path / "docs.png"), full_page=True)
        body = page.locator("body").inner_text()
        assert "valid version field" not in body, body[:500]
        assert "netflix-clone API" in body
        pairs = page.eval_on_selector_all(
            ".opblock",
            """blocks => blocks.map(b => [
                    b.querySelector('.opblock-summary-method').textContent.trim(),
                    b.querySelector('.opblock-summary-path').getAttribute('data-path')])""",
        )
        rendered = {(method, path) for method, path in pairs}
        assert ("POST", "/api/users") in rendered
        assert rendered == expected

        # Opening an operation shows its request body, from the 3.1 document's schema.
        sign_up = page.locator(
            ".opblock-post", has=page.locator('.opblock-summary-path[data-path="/api/users"]')
        )
        sign_up.locator(".opblock-summary").click()
        sign_up.locator(".opblock-section-request-body").wait_for()
        opened = sign_up.inner_text()
        assert "Sign up" in opened and "display_name" in opened, opened[:1000]

        # "Try it out" sends a real request from the page: the CSP lets the viewer reach us.
        health = page.locator(
            ".opblock-get", has=page.locator('.opblock-summary-path[data-path="/healthz"]')
        )
        health.locator(".opblock-summary").click()
        health.locator(".try-out__btn").click()
        health.locator(".execute").click()
        live = health.locator(".live-responses-table tbody .response-col_status")
        live.first.wait_for()
        assert live.first.inner_text().strip() == "200"
        assert '"status": "ok"' in health.locator(".live-responses-table").inner_text()

        violations = [c for c in console if "Content Security Policy" in c or "pageerror" in c]
        assert violations == [], violations
        assert outside == [], outside
