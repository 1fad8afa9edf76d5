"""Same-origin hosting of a built single-page app from `SPA_DIR` (off unless configured).

Files are served from the folder; any other path that looks like a client route gets
`index.html`, so deep links work. Our own roots (`/api`, `/tmdb`, `/docs`, ...) are never
matched by the SPA route at all, so their 404s and 405s stay exactly as they are.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, request, send_file
from werkzeug.routing import BaseConverter

from netflix_clone.core.settings import ConfigError
from netflix_clone.web.deps import services

RESERVED = ("api", "tmdb", "docs", "openapi.json", "healthz", "readyz", "metrics")
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Bundlers put a content hash in asset names: index-BfX3k9aZ.js (Vite), main.3f2a1b4c.chunk.js
# (webpack). The hash must hold a digit, so that a plain name like carousel-element.js does not.
_HASHED = re.compile(r"[.-](?=[A-Za-z0-9_]*\d)[A-Za-z0-9_]{8,}(\.[A-Za-z0-9]+)+$")

bp = Blueprint("spa", __name__)


class SpaPathConverter(BaseConverter):
    """Any path except under one of our own roots."""

    regex = r"(?!(?:" + "|".join(re.escape(r) for r in RESERVED) + r")(?:/|$)).+?"
    part_isolating = False
    weight = 400  # after every other rule


def _root() -> Path:
    spa_dir = services().settings.spa_dir
    if spa_dir is None:  # pragma: no cover - the blueprint is only registered with SPA_DIR
        abort(404)
    return spa_dir.resolve()


def _index(root: Path) -> Response:
    response = send_file(root / "index.html", mimetype="text/html", conditional=True)
    response.headers["Cache-Control"] = REVALIDATE
    return response


def _safe(parts: list[str]) -> bool:
    # No empty, dot or hidden segments (.git, .env, ..), no backslashes, no NUL.
    return all(part and not part.startswith(".") and "\\" not in part for part in parts) and (
        "\x00" not in "".join(parts)
    )


@bp.get("/")
@bp.get("/<spa:path>")
def serve(path: str = "") -> Response:
    root = _root()
    if not path:
        return _index(root)
    parts = path.split("/")
    if not _safe(parts):
        abort(404)
    candidate = root.joinpath(*parts).resolve()
    if candidate.is_relative_to(root) and candidate.is_file():
        if candidate == root / "index.html":
            return _index(root)
        response = send_file(candidate, conditional=True)
        response.headers["Cache-Control"] = IMMUTABLE if _HASHED.search(parts[-1]) else REVALIDATE
        return response
    # A missing asset is a 404 (an HTML page in its place breaks the app in confusing ways);
    # anything else is a client route the app renders itself.
    looks_like_file = "." in parts[-1]
    if looks_like_file and "text/html" not in request.headers.get("Accept", ""):
        abort(404)
    return _index(root)


def register(app: Flask, spa_dir: Path | None) -> None:
    if spa_dir is None:
        return
    if not (spa_dir / "index.html").is_file():
        raise ConfigError(f"configuration error: SPA_DIR: no index.html in {spa_dir}")
    app.url_map.converters["spa"] = SpaPathConverter
    app.register_blueprint(bp)
