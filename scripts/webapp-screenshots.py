"""Retake the web app's screenshots in docs/screenshots/ (README, docs/webapp.md).

The app on its embedded defaults (a fresh SQLite file, the demo catalog) with the demo member of
`make demo` (`netflix-clone demo-seed`), served on a free loopback port and photographed by
Debian's headless Chromium through Playwright, at 1440 x 900 and 390 x 844.
Usage: .venv/bin/python scripts/webapp-screenshots.py [OUTPUT_DIR]
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
# The ones the docs show: (screen, width).
WANTED = {
    ("home", 1440),
    ("details-series", 1440),
    ("profiles", 390),
    ("continue-watching", 390),
    ("player", 390),
}


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="screenshots-"))
    os.environ.update(
        APP_ENV="local",
        CATALOG_SOURCE="demo",
        DATABASE_URL=f"sqlite:///{work / 'demo.sqlite3'}",
        INSTANCE_PATH=str(work),
    )
    from playwright.sync_api import expect, sync_playwright
    from werkzeug.serving import make_server

    from netflix_clone.core.schema import upgrade
    from netflix_clone.core.settings import Settings
    from netflix_clone.demo import DEMO_EMAIL, DEMO_PASSWORD, seed_demo_member
    from netflix_clone.web.app import create_app
    from netflix_clone.web.deps import services

    app = create_app(Settings())
    with app.app_context():
        upgrade(services().database)
        seed_demo_member()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    expect.set_options(timeout=20_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for width, height in ((1440, 900), (390, 844)):
            page = browser.new_page(viewport={"width": width, "height": height})

            def shot(name: str, page: Any = page, width: int = width) -> None:
                if (name, width) not in WANTED:
                    return
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(out / f"{name}-{width}.png"))
                print(out / f"{name}-{width}.png")

            page.goto(f"{base}/signin")
            page.get_by_label("Email").fill(DEMO_EMAIL)
            page.get_by_label("Password").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("heading", name="Who's watching?")).to_be_visible()
            shot("profiles")
            page.get_by_role("button", name="Alex").click()
            expect(page.get_by_role("region", name="Continue Watching")).to_be_visible()
            shot("home")
            page.get_by_role("region", name="Continue Watching").scroll_into_view_if_needed()
            shot("continue-watching")
            page.goto(f"{base}/title/series/66732")
            expect(page.get_by_role("heading", name="Stranger Things", level=1)).to_be_visible()
            shot("details-series")
            page.goto(f"{base}/watch/series/66732")
            expect(page.get_by_role("slider").first).to_be_visible()
            shot("player")
            page.close()
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
