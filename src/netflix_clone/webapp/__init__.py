"""The members' web app at `/`: ES modules and CSS served from this package, no build step.

It is built on `/api` alone (docs/webapp.md). Client routes (`/browse`, `/title/movie/550`, ...)
get `index.html`, so deep links load the app; our own roots (`/api`, `/tmdb`, `/docs`, ...) are
never matched by its catch-all, so their answers stay exactly as they are. When `SPA_DIR` is
set, that app owns `/` instead (gateway/spa.py) and this one is not registered. With the demo
catalog, `/images/t/p/...` answers placeholder images (images.py) either way.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, request, send_from_directory
from werkzeug.routing import BaseConverter

from netflix_clone.core.exceptions import not_found
from netflix_clone.core.settings import Settings
from netflix_clone.web.deps import services, wiring

STATIC_DIR = Path(__file__).parent / "static"
ASSET_PREFIX = "/webapp"
# Ours, never a client route. `webapp` and `images` are this package's own.
RESERVED = (
    "api",
    "tmdb",
    "docs",
    "openapi.json",
    "healthz",
    "readyz",
    "metrics",
    "webapp",
    "images",
)
REVALIDATE = "no-cache"
_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".txt": "text/plain",
    ".json": "application/json",
}
_ASSET = re.compile(r"^[a-z0-9][a-z0-9_-]*(?:/[a-z0-9][a-z0-9_-]*)*\.(?:js|css|svg|txt|json)$")

bp = Blueprint("webapp", __name__)


class WebPathConverter(BaseConverter):
    """Any path except under one of our own roots."""

    regex = r"(?!(?:" + "|".join(re.escape(r) for r in RESERVED) + r")(?:/|$)).+?"
    part_isolating = False
    weight = 400  # after every other rule


def content_security_policy(settings: Settings) -> str:
    """Strict: scripts and styles from this origin only, nothing inline, never framed.

    Images may also come from the image base's origin when it is another one (TMDB's CDN)."""
    images = ["'self'"]
    base = urlsplit(settings.tmdb_image_base_url)
    if base.scheme in ("http", "https") and base.netloc:
        images.append(f"{base.scheme}://{base.netloc}")
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; "
        f"img-src {' '.join(images)}; connect-src 'self'; manifest-src 'self'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"
    )


def _index() -> Response:
    response = send_from_directory(STATIC_DIR, "index.html", mimetype="text/html")
    response.headers["Cache-Control"] = REVALIDATE
    response.headers["Content-Security-Policy"] = content_security_policy(services().settings)
    response.headers["Referrer-Policy"] = "same-origin"
    return response


@bp.get("/")
@bp.get("/<web:path>")
def app_page(path: str = "") -> Response:
    # A browser navigating to a client route asks for HTML and gets the app. Anything else (an
    # API client, a missing file such as /favicon.ico) keeps the plain problem+json 404: an HTML
    # page in its place breaks in confusing ways.
    if path and "text/html" not in request.headers.get("Accept", ""):
        raise not_found("page")
    return _index()


@bp.get(f"{ASSET_PREFIX}/<path:filename>")
def asset(filename: str) -> Response:
    if not _ASSET.match(filename) or not (STATIC_DIR / filename).is_file():
        raise not_found("file")
    response = send_from_directory(
        STATIC_DIR, filename, mimetype=_TYPES[Path(filename).suffix], conditional=True
    )
    response.headers["Cache-Control"] = REVALIDATE
    return response


def register(app: Flask) -> None:
    """The web app at `/` (unless SPA_DIR hosts another), and demo images in demo mode."""
    from netflix_clone.webapp import images

    svc = wiring(app).services
    settings = svc.settings
    if settings.effective_catalog_source == "demo":
        app.register_blueprint(images.bp)
    if settings.spa_dir is not None:
        return
    app.url_map.converters["web"] = WebPathConverter
    app.register_blueprint(bp)
