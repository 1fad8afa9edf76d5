"""Operational endpoints: liveness, readiness, the OpenAPI document and its viewer. Metrics have
their own listener (observability.metrics_app); this one refuses every spelling of /metrics."""

from __future__ import annotations

import logging
import posixpath
import re
from pathlib import Path
from typing import Any, Literal

from flask import Blueprint, Response, current_app, request, send_from_directory
from pydantic import BaseModel
from sqlalchemy import text
from werkzeug.exceptions import NotFound

from netflix_clone.core.exceptions import not_found
from netflix_clone.version import __version__
from netflix_clone.web.deps import services
from netflix_clone.web.errors import ApiError
from netflix_clone.web.operations import build_openapi, json_response, operation

bp = Blueprint("ops", __name__)
log = logging.getLogger(__name__)
TAGS = ["ops"]

DESCRIPTION = """A Netflix-style backend: accounts, profiles, My List, ratings, continue watching
and a movie catalog from The Movie Database (TMDB).

Errors are `application/problem+json` (RFC 9457). Authenticate with
`Authorization: Bearer <access_token>` from `POST /api/auth/token`.

This product uses the TMDB API but is not endorsed or certified by TMDB."""


class Health(BaseModel):
    status: Literal["ok"]


class Ready(BaseModel):
    status: Literal["ok", "degraded"]
    checks: dict[str, str]


@bp.get("/healthz")
@operation(summary="Liveness: the process answers (no I/O)", tags=TAGS, response=Health)
def healthz() -> Health:
    return Health(status="ok")


def _check_database() -> None:
    database = services().database
    if database.guard.breaker.state == "open":
        raise ConnectionError("the database's circuit breaker is open")  # no wait behind it
    with database.engine.connect() as conn:
        conn.execute(text("SELECT 1"))


@bp.get("/readyz")
@operation(
    summary="Readiness: the database (and Redis, when configured) answer",
    tags=TAGS,
    response=Ready,
    errors=[503],
)
def readyz() -> Ready:
    checks: dict[str, str] = {}
    failing: list[str] = []
    try:
        _check_database()
        checks["database"] = "ok"
    except Exception as exc:
        log.warning("readiness: database unavailable: %s", type(exc).__name__)
        checks["database"] = "unavailable"
        failing.append("database")
    redis = services().redis
    if redis is not None:
        # Redis only accelerates: without it we serve from in-process fallbacks, so a pod
        # stays ready and says so (taking every pod out of service would be the outage).
        checks["redis"] = redis.status()
    if failing:
        raise ApiError(
            503,
            f"Not ready: {', '.join(failing)} unavailable.",
            code="not-ready",
            headers={"Retry-After": "5"},
            extra={"checks": checks},
        )
    degraded = any(value == "degraded" for value in checks.values())
    return Ready(status="degraded" if degraded else "ok", checks=checks)


def _is_metrics(path: str) -> bool:
    """Whether a path names /metrics in any spelling a router or proxy might accept: doubled
    or trailing slashes, dot segments, another case (percent-escapes arrive decoded)."""
    normal = posixpath.normpath("/" + re.sub(r"/+", "/", path).strip("/")).lower()
    return normal == "/metrics" or normal.startswith("/metrics/")


@bp.before_app_request
def _metrics_are_not_public() -> None:
    # Metrics have their own listener (METRICS_PORT) for the in-cluster scraper; this one is
    # the public one, behind the load balancer.
    if _is_metrics(request.path):
        raise not_found()


@bp.before_request
def _docs_switch() -> None:
    # Off in prod unless API_DOCS_ENABLED=true: a map of every route and field is a gift to a
    # scanner, and the clients that need it are built against dev.
    docs_path = request.path.startswith(("/docs", "/openapi.json"))
    if docs_path and not services().settings.docs_enabled:
        raise NotFound()


@bp.get("/openapi.json")
def openapi() -> Response:
    cached: dict[str, Any] | None = current_app.extensions.get("openapi")
    if cached is None:
        cached = build_openapi(
            current_app, title="netflix-clone API", version=__version__, description=DESCRIPTION
        )
        current_app.extensions["openapi"] = cached
    response = json_response(cached)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


SWAGGER_UI_DIR = Path(__file__).parent / "swagger-ui"
# Swagger UI 5 (OpenAPI 3.1), vendored by scripts/vendor-swagger-ui.sh; versions and sha256 in
# swagger-ui/VENDORED.json. Only these files are served; the licence texts go with them.
_DOCS_FILES = frozenset(
    {
        "swagger-ui-bundle.js",
        "swagger-ui.css",
        "LICENSE",
        "NOTICE",
        "swagger-ui-bundle.js.LICENSE.txt",
    }
)

_DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>netflix-clone API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/docs/static/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/static/swagger-ui-bundle.js"></script>
<script src="/docs/static/swagger-ui-init.js"></script>
</body></html>"""

# validatorUrl null: the default badge would send our spec to validator.swagger.io.
_DOCS_INIT = """window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui",
  deepLinking: true, persistAuthorization: true, validatorUrl: null,
  displayRequestDuration: true});"""

# No inline script, nothing from another origin, never framed (clickjacking on "Try it out").
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self' data:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


@bp.get("/docs")
def docs() -> Response:
    response = Response(_DOCS_PAGE, mimetype="text/html")
    response.headers["Content-Security-Policy"] = DOCS_CSP
    return response


@bp.get("/docs/static/<path:filename>")
def docs_static(filename: str) -> Response:
    if filename == "swagger-ui-init.js":
        return Response(_DOCS_INIT, mimetype="text/javascript")
    if filename not in _DOCS_FILES:
        raise ApiError(404, "No such file of the API documentation viewer.")
    mimetype = "text/plain" if "." not in filename or filename.endswith(".txt") else None
    return send_from_directory(SWAGGER_UI_DIR, filename, max_age=86400, mimetype=mimetype)
