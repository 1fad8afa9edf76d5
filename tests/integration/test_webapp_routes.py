"""The members' web app at `/` and the demo placeholder images: routing, headers, SPA_DIR.

Without SPA_DIR our app owns `/` and every client route (deep links load it); our own roots
keep their answers. With SPA_DIR the configured app owns `/` and ours is not served. Demo mode
answers `/images/t/p/...` with SVG placeholders either way; TMDB mode leaves images to TMDB.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree
from xml.etree.ElementTree import Element

import pytest
from flask import Flask
from flask.testing import FlaskClient

from netflix_clone.catalog.demo_tmdb import DemoTMDB
from netflix_clone.web.app import create_app
from netflix_clone.webapp import STATIC_DIR
from tests.conftest import test_settings


def parse_svg(text: str | bytes) -> Element:
    """Our own SVG output, parsed to check it is well-formed (no external entities in it)."""
    return ElementTree.fromstring(text)  # noqa: S314 - the app's own output, not untrusted


HTML = {"Accept": "text/html,application/xhtml+xml"}
ANY = {"Accept": "*/*"}
FIGHT_CLUB_POSTER = DemoTMDB.default().handle("movie/550", {})[1]["poster_path"].lstrip("/")


def _app(tmp_path: Path, **settings: object) -> Flask:
    settings.setdefault("database_url", f"sqlite:///{tmp_path / 'web.sqlite3'}")
    settings.setdefault("instance_path", tmp_path / "instance")
    return create_app(test_settings(**settings))


@pytest.fixture
def demo(tmp_path: Path) -> FlaskClient:
    return _app(tmp_path).test_client()


@pytest.fixture
def spa_dir(tmp_path: Path) -> Path:
    root = tmp_path / "spa"
    root.mkdir()
    (root / "index.html").write_text("<!doctype html><title>their app</title>")
    return root


def test_the_app_page_at_root_and_at_every_client_route(demo: FlaskClient) -> None:
    index = demo.get("/", headers=HTML)
    assert index.status_code == 200 and index.mimetype == "text/html"
    assert b'<script type="module" src="/webapp/main.js"></script>' in index.data
    assert index.headers["Cache-Control"] == "no-cache"
    for route in (
        "/browse",
        "/title/movie/550",
        "/title/series/1399",
        "/watch/movie/11",
        "/search?q=star",
        "/profiles/manage",
        "/signin",
        "/no/such/page",
    ):
        page = demo.get(route, headers=HTML)
        assert page.status_code == 200, route
        assert page.data == index.data, route


def test_the_app_page_has_a_strict_content_security_policy(demo: FlaskClient) -> None:
    csp = demo.get("/", headers=HTML).headers["Content-Security-Policy"]
    directives = dict(
        [*part.split(" ", 1), ""][:2] for part in (p.strip() for p in csp.split(";")) if part
    )
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["img-src"] == "'self'"  # demo images are our own
    assert directives["connect-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert "unsafe" not in csp
    # ... and the page keeps to it: no inline script or style, no inline handlers.
    page = (STATIC_DIR / "index.html").read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "<style" not in page and " style=" not in page
    assert not re.search(r"\son[a-z]+\s*=", page)


def test_tmdb_mode_lets_the_page_load_images_from_tmdb(tmp_path: Path) -> None:
    app = _app(tmp_path, catalog_source="tmdb", tmdb_api_key="0" * 32)
    client = app.test_client()
    csp = client.get("/", headers=HTML).headers["Content-Security-Policy"]
    assert "img-src 'self' https://image.tmdb.org;" in csp
    # The demo placeholders are a demo-mode feature: TMDB mode leaves images to TMDB's CDN.
    image = client.get(f"/images/t/p/w342/{FIGHT_CLUB_POSTER}", headers=ANY)
    assert image.status_code == 404 and image.mimetype == "application/problem+json"


def test_assets_are_served_with_their_types_and_revalidated(demo: FlaskClient) -> None:
    script = demo.get("/webapp/main.js", headers=ANY)
    assert script.status_code == 200 and script.mimetype == "text/javascript"
    assert script.headers["Cache-Control"] == "no-cache"
    assert (
        demo.get("/webapp/main.js", headers={"If-None-Match": script.headers["ETag"]}).status_code
        == 304
    )
    assert demo.get("/webapp/views/player.js", headers=ANY).mimetype == "text/javascript"
    assert demo.get("/webapp/app.css", headers=ANY).mimetype == "text/css"
    assert demo.get("/webapp/favicon.svg", headers=ANY).mimetype == "image/svg+xml"
    for missing in (
        "/webapp/nope.js",
        "/webapp/index.html",
        "/webapp/../app.py",
        "/webapp/%2e%2e/images.py",
        "/webapp/.hidden.js",
        "/webapp/",
    ):
        response = demo.get(missing, headers=HTML)
        assert response.status_code == 404, missing
        assert response.mimetype == "application/problem+json", missing


def test_every_module_the_app_imports_is_served(demo: FlaskClient) -> None:
    # No bundler: each ES module imports others by relative path; all must resolve.
    seen: set[str] = set()
    queue = ["main.js"]
    while queue:
        name = queue.pop()
        if name in seen:
            continue
        seen.add(name)
        response = demo.get(f"/webapp/{name}", headers=ANY)
        assert response.status_code == 200, name
        base = name.rsplit("/", 1)[0] + "/" if "/" in name else ""
        for target in re.findall(r'from "(\.{1,2}/[^"]+)"', response.get_data(as_text=True)):
            resolved = Path(base + target).as_posix()
            parts: list[str] = []
            for part in resolved.split("/"):
                if part == "..":
                    parts.pop()
                elif part != ".":
                    parts.append(part)
            queue.append("/".join(parts))
    assert {"api.js", "dom.js", "views/home.js", "views/player.js"} <= seen


def test_our_own_roots_keep_their_answers(demo: FlaskClient) -> None:
    for url in ("/api/nope", "/api", "/docs/nope", "/healthz/x", "/metrics/x", "/openapi.json/x"):
        response = demo.get(url, headers=HTML)
        assert response.status_code == 404, url
        assert response.mimetype == "application/problem+json", url
    assert demo.get("/healthz").json == {"status": "ok"}
    assert demo.get("/docs").mimetype == "text/html"
    assert b"swagger-ui" in demo.get("/docs").data
    assert (demo.get("/openapi.json").json or {})["openapi"].startswith("3.1")
    assert demo.get("/tmdb/3/movie/popular").status_code == 200
    assert demo.delete("/api/nope").status_code == 404
    assert demo.post("/browse").status_code == 405
    # A missing file is a 404, not the page (only a browser asking for HTML gets the page).
    assert demo.get("/favicon.ico", headers={"Accept": "image/*"}).status_code == 404
    assert demo.get("/robots.txt", headers=ANY).status_code == 404
    # Only a browser (asking for HTML) gets the app at a client route; API clients keep 404s.
    for headers in (ANY, {"Accept": "application/json"}, {}):
        response = demo.get("/browse", headers=headers)
        assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert demo.get("/", headers=ANY).status_code == 200


def test_spa_dir_owns_root_and_ours_steps_aside(tmp_path: Path, spa_dir: Path) -> None:
    client = _app(tmp_path, spa_dir=spa_dir).test_client()
    assert b"their app" in client.get("/", headers=HTML).data
    assert b"their app" in client.get("/title/movie/550", headers=HTML).data
    assert "Content-Security-Policy" not in client.get("/", headers=HTML).headers
    assert client.get("/webapp/main.js", headers=ANY).status_code == 404
    # Demo images are still ours: the API's cards point at them whoever serves `/`.
    image = client.get(f"/images/t/p/w342/{FIGHT_CLUB_POSTER}", headers=ANY)
    assert image.status_code == 200 and image.mimetype == "image/svg+xml"
    assert client.get("/api/nope", headers=HTML).mimetype == "application/problem+json"


# --- demo images ------------------------------------------------------------------------------


def test_demo_cards_point_at_our_placeholder_images(demo: FlaskClient) -> None:
    cards = (demo.get("/api/movies?list=popular").json or {})["results"]
    assert all(c["poster_url"].startswith("/images/t/p/w342/") for c in cards if c["poster_url"])
    movie = demo.get("/api/movies/550").json or {}
    assert movie["poster_url_large"] == f"/images/t/p/w500/{FIGHT_CLUB_POSTER}"
    for url in [movie["poster_url"], movie["backdrop_url_large"], movie["cast"][0]["profile_url"]]:
        response = demo.get(url, headers=ANY)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_a_placeholder_names_its_title_and_is_safe(demo: FlaskClient) -> None:
    response = demo.get(f"/images/t/p/w342/{FIGHT_CLUB_POSTER}", headers=ANY)
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp and "script" not in csp
    svg = parse_svg(response.data)
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert svg.get("aria-label") == "Fight Club"
    assert svg.get("viewBox") == "0 0 500 750"  # a poster: 2:3
    texts = " ".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
    assert texts == "1999 FIGHT CLUB"  # the year over the title, set as a poster sets it
    assert not [
        e for e in svg.iter() if e.tag.endswith("script") or e.tag.endswith("foreignObject")
    ]


def test_unknown_or_malformed_image_names(demo: FlaskClient) -> None:
    unknown = demo.get("/images/t/p/w342/NoSuchImageAnywhere.jpg", headers=ANY)
    assert unknown.status_code == 200 and unknown.mimetype == "image/svg+xml"
    assert "immutable" not in unknown.headers["Cache-Control"]
    svg = parse_svg(unknown.data)
    assert svg.get("aria-label") == "No image"
    assert not list(svg.iter("{http://www.w3.org/2000/svg}text"))
    for bad in (
        "/images/t/p/w342/x.exe",
        "/images/t/p/huge/a.jpg",
        "/images/t/p/w342/..%2fa.jpg",
        "/images/t/p/w342/" + "a" * 200 + ".jpg",
        "/images/t/p/w342",
    ):
        response = demo.get(bad, headers=ANY)
        assert response.status_code == 404, bad
        assert response.mimetype == "application/problem+json", bad
