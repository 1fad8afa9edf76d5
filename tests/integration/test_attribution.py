"""TMDB's terms: the attribution is shown wherever its data is (web app, README, /api/about)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

NOTICE = "This product uses the TMDB API but is not endorsed or certified by TMDB."
REPO = Path(__file__).resolve().parents[2]


def test_every_web_app_screen_carries_the_notice(app: Flask) -> None:
    client = app.test_client()
    for path in ("/", "/browse", "/title/movie/550", "/signin"):
        page = client.get(path, headers={"Accept": "text/html"})
        assert page.status_code == 200, path
        text = page.get_data(as_text=True)
        footer = text.partition('<footer class="site-footer">')[2].partition("</footer>")[0]
        assert " ".join(footer.split()).endswith(f"{NOTICE}</p>"), path
        assert 'href="https://www.themoviedb.org/"' in footer


def test_the_readme_and_the_about_answer_carry_the_notice(app: Flask) -> None:
    assert NOTICE in (REPO / "README.md").read_text(encoding="utf-8")
    about = app.test_client().get("/api/about").get_json()
    assert about["attribution"] == NOTICE
