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

from netflix_clone.web.app import create_app
from tests.conftest import migrate, test_settings

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


@contextlib.contextmanager
def serving_migrated(tmp_path: Path) -> Iterator[str]:
    """`serving` on a SQLite file migrated first (members can sign up)."""
    url = f"sqlite:///{tmp_path / 'webapp.sqlite3'}"
    migrate(url, tmp_path / "instance")
    with serving(tmp_path, database_url=url) as base:
        yield base


# axe-core, the accessibility engine, straight from its npm package (no Node build): fetched once
# into .tools/ and checked against the tarball's pinned sha256.
AXE_VERSION = "4.14.1"
AXE_SHA256 = "e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745"
AXE_URL = f"https://registry.npmjs.org/axe-core/-/axe-core-{AXE_VERSION}.tgz"
REPO = Path(__file__).resolve().parents[2]


def axe_script() -> Path:
    import hashlib
    import io
    import tarfile

    import httpx

    target = REPO / ".tools" / f"axe-core-{AXE_VERSION}" / "axe.min.js"
    if target.is_file():
        return target
    tarball = httpx.get(AXE_URL, timeout=60, follow_redirects=True).raise_for_status().content
    digest = hashlib.sha256(tarball).hexdigest()
    if digest != AXE_SHA256:
        pytest.fail(f"axe-core {AXE_VERSION}: sha256 {digest}, expected {AXE_SHA256}")
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        member = archive.extractfile("package/axe.min.js")
        assert member is not None
        script = member.read()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_bytes(script)
    partial.replace(target)  # whole or not at all, should two workers fetch at once
    return target


def serious_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.x A/AA rules on the page as it is: the serious and critical findings,
    each with its rule, impact and the first offending nodes."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(axe_script()))
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {
                runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
            });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
            }));
        }"""
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


# WCAG 2 contrast of every visible text against the nearest opaque background behind it.
CONTRAST = """() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => {
    v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  }).reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const backdrop = (el) => {
    for (let n = el; n; n = n.parentElement) {
      const c = rgb(getComputedStyle(n).backgroundColor);
      if (c.length === 3 || c[3] === 1) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const bad = [];
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!own || !box.width || style.visibility === "hidden") continue;
    if (el.closest("[aria-hidden=true], button:disabled")) continue;
    const [a, b] = [lum(rgb(style.color)), lum(backdrop(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const text = el.textContent.trim().slice(0, 30);
    if (ratio < (large ? 3 : 4.5)) bad.push(`${el.className} ${ratio.toFixed(2)}: ${text}`);
  }
  return bad;
}"""
