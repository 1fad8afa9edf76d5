"""`/tmdb/3/...`: a read-only, TMDB v3 compatible gateway for existing Netflix-clone frontends.

Such an app swaps its API base URL for ours and ships no TMDB key. Every answer is TMDB's JSON,
TMDB's status codes and TMDB's error bodies, never our problem+json: errors are handled here, in
the view and in this blueprint's own handlers, so `/api` keeps the app-wide handlers.

The client's `api_key` and `Authorization` never leave this module: we build a fresh upstream
request (allow-listed path, validated parameters) and `Catalog.fetch` adds the server's key,
with the catalog's cache, single-flight, stale-if-error and upstream budget in front of TMDB.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from collections.abc import Mapping
from typing import Any, cast
from urllib.parse import urljoin

from flask import Blueprint, Flask, Response, request
from flask.blueprints import BlueprintSetupState
from flask_cors import CORS
from werkzeug.exceptions import HTTPException

from netflix_clone.catalog.source import Fetched
from netflix_clone.catalog.tmdb import (
    UpstreamAuthError,
    UpstreamBudgetSpent,
    UpstreamError,
    UpstreamNotFound,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamTimeout,
)
from netflix_clone.catalog.tmdb_rules import (
    BACKEND_TIMEOUT,
    BACKEND_UNREACHABLE,
    INTERNAL_ERROR,
    INVALID_INPUT,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    SERVICE_OFFLINE,
    over_rate_limit,
)
from netflix_clone.core.observability import redactor
from netflix_clone.core.payloads import etag_for
from netflix_clone.core.settings import TMDB_IMAGE_BASE_URL
from netflix_clone.gateway.allowlist import Refusal, Wanted, resolve
from netflix_clone.web.deps import catalog, services, wiring
from netflix_clone.web.encoding import conditional

log = logging.getLogger(__name__)

bp = Blueprint("gateway", __name__, url_prefix="/tmdb")

TMDB_CONTENT_TYPE = "application/json;charset=utf-8"
# Every method is routed here so that the wrong ones get TMDB's 405, not our problem+json.
ROUTED_METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"]
READ_METHODS = ("GET", "HEAD")
ALLOW = "GET, HEAD, OPTIONS"
CORS_ALLOW_METHODS = ["GET", "HEAD"]
# Apps send these even though the gateway ignores them; refusing them would break the preflight.
CORS_ALLOW_HEADERS = ["Authorization", "Content-Type"]
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After", "X-Request-ID"]
CORS_MAX_AGE = 600
MAX_AGE = {"configuration": 86400, "genres": 86400, "details": 3600, "list": 300, "search": 300}
STALE_MAX_AGE = 30
RATE_WINDOW = 60


def tmdb_json(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    response = Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type=TMDB_CONTENT_TYPE,
    )
    response.headers.update(headers or {})
    return response


# --- the one view ----------------------------------------------------------------------------


@bp.route("/", defaults={"path": ""}, methods=ROUTED_METHODS)
@bp.route("/<path:path>", methods=ROUTED_METHODS)
def gateway(path: str) -> Response:
    if request.method == "OPTIONS":
        preflight = Response(status=204, headers={"Allow": ALLOW})  # CORS headers: see _cors
        del preflight.headers["Content-Type"]
        return preflight
    limited = _rate_limited()
    if limited is not None:
        return limited
    if request.method not in READ_METHODS:
        return tmdb_json(405, METHOD_NOT_ALLOWED, {"Allow": ALLOW})
    version, _, rest = path.partition("/")
    try:
        if version != "3":
            raise Refusal(404, NOT_FOUND)
        wanted = resolve(rest, request.args)
        fetched = catalog().fetch(wanted.path, wanted.params)
    except Refusal as refusal:
        return tmdb_json(refusal.status, refusal.body)
    except UpstreamError as exc:
        return upstream_failure(exc)
    return _answer(wanted, fetched)


def image_base_url() -> str | None:
    """The image base the `configuration` answer hands out, or None for TMDB's own.

    `GATEWAY_IMAGE_BASE_URL` when set; otherwise the web app's image base whenever it is not
    TMDB's CDN (the demo catalog's placeholder artwork), made absolute on this request's origin
    so a frontend on any origin gets a valid image URL. The web app and TMDB-style frontends
    therefore always show the same images."""
    settings = services().settings
    if settings.gateway_image_base_url:
        return settings.gateway_image_base_url
    base = settings.tmdb_image_base_url
    if base == TMDB_IMAGE_BASE_URL:
        return None
    return urljoin(request.host_url, base) + "/"


def _answer(wanted: Wanted, fetched: Fetched) -> Response:
    body = fetched.body
    image_base = image_base_url() if wanted.path == "configuration" else None
    if image_base and isinstance(body, dict):
        body = copy.deepcopy(body)  # the catalog hands out its cached object: never edit it
        images = body.setdefault("images", {})
        images["base_url"] = image_base
        images["secure_base_url"] = image_base
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    max_age = STALE_MAX_AGE if fetched.cache == "stale" else MAX_AGE[wanted.route.cache]
    headers = {
        "Cache-Control": f"public, max-age={max_age}, stale-if-error=86400",
        "X-Catalog-Source": fetched.source,
        "X-Cache": fetched.cache,
    }
    if fetched.cache != "miss":
        headers["Age"] = str(fetched.age)
    response = Response(data, status=200, content_type=TMDB_CONTENT_TYPE, headers=headers)
    response.set_etag(etag_for(data))
    response.vary.add("Accept-Encoding")
    return conditional(response)


# --- errors, in TMDB's words ------------------------------------------------------------------


def _tmdb_error_body(body: Any) -> dict[str, Any] | None:
    """Rebuild TMDB's error body from known fields only (never pass an unknown body through)."""
    if not isinstance(body, dict):
        return None
    code, message = body.get("status_code"), body.get("status_message")
    if isinstance(code, int) and isinstance(message, str):
        return {"success": False, "status_code": code, "status_message": redactor.scrub(message)}
    errors = body.get("errors")
    if isinstance(errors, list) and errors and all(isinstance(e, str) for e in errors):
        return {"errors": [redactor.scrub(e)[:300] for e in errors[:10]]}
    return None


def upstream_failure(exc: UpstreamError) -> Response:
    """Catalog failures as TMDB would report them; why it failed stays in our log.

    A problem with our key is reported as "service offline" (503), never as a key problem."""
    if isinstance(exc, UpstreamNotFound):
        return tmdb_json(404, NOT_FOUND)
    if isinstance(exc, UpstreamBudgetSpent):  # this client's own share (catalog.source)
        limit = services().settings.upstream_budget_per_requester
        retry = {"Retry-After": str(max(1, exc.retry_after or 1))}
        return tmdb_json(429, over_rate_limit(limit + 1, limit), retry)
    if isinstance(exc, UpstreamRejected) and exc.upstream_status in (400, 422):
        body = _tmdb_error_body(exc.body)
        if body is not None:
            return tmdb_json(exc.upstream_status, body)
    log.warning("gateway upstream failure: %s", exc.reason)
    retry_after = {"Retry-After": str(max(1, exc.retry_after or 5))}
    if isinstance(exc, UpstreamAuthError | UpstreamRateLimited):
        return tmdb_json(503, SERVICE_OFFLINE, retry_after)
    if isinstance(exc, UpstreamTimeout):
        return tmdb_json(504, BACKEND_TIMEOUT, retry_after)
    return tmdb_json(502, BACKEND_UNREACHABLE, retry_after if exc.retry_after else None)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    if status == 405:
        return tmdb_json(405, METHOD_NOT_ALLOWED, {"Allow": ALLOW})
    if status == 404:
        return tmdb_json(404, NOT_FOUND)
    return tmdb_json(status, INVALID_INPUT)


@bp.errorhandler(Exception)
def _unexpected(exc: Exception) -> Response:
    log.exception("gateway: unhandled error")
    return tmdb_json(500, INTERNAL_ERROR)


# --- per-client rate limit -------------------------------------------------------------------


def _rate_limited() -> Response | None:
    svc = services()
    limit = svc.settings.gateway_rate_limit_per_minute
    client = request.remote_addr or "unknown"
    try:
        verdict = svc.limiter.hit(f"gateway:{client}", limit, RATE_WINDOW)
    except Exception as exc:
        # The limiter's store (Redis) is down: keep serving, the upstream budget still holds.
        log.warning("gateway rate limiter unavailable: %s", type(exc).__name__)
        return None
    if verdict.allowed:
        return None
    # A moving window refuses once `limit` requests sit in it: this one would be limit + 1.
    body = over_rate_limit(limit + 1, limit)
    return tmdb_json(429, body, {"Retry-After": str(verdict.retry_after)})


# --- CORS: for /tmdb only, for the configured origins, never with credentials -----------------


def _cors(state: BlueprintSetupState) -> None:
    """Flask-CORS on the app, for this blueprint's paths only, with the app's `CORS_ORIGINS`
    (read once, when the app registers the blueprint)."""
    app = cast(Flask, state.app)
    configured = [o.strip().rstrip("/") for o in wiring(app).services.settings.cors_origins]
    if not configured:
        return
    CORS(
        app,
        resources={rf"{re.escape(bp.url_prefix or '')}/.*": {}},
        origins=[o if o == "*" else _exactly(o) for o in configured],
        send_wildcard=True,  # `*` configured: answer `*`, not the echoed origin
        methods=CORS_ALLOW_METHODS,
        allow_headers=CORS_ALLOW_HEADERS,
        expose_headers=CORS_EXPOSE_HEADERS,
        max_age=CORS_MAX_AGE,
        supports_credentials=False,
        always_send=False,  # no Origin, no CORS headers
        vary_header=False,  # _vary_on_origin: on every answer, allowed or not
        intercept_exceptions=False,  # its after_request already sees our error answers
    )


bp.record_once(_cors)


def _exactly(origin: str) -> re.Pattern[str]:
    """A configured origin matches itself only, in any case, with or without a trailing slash.
    (Given as a string, Flask-CORS would read one with `[` (an IPv6 host) or `*` as a regular
    expression, matched as a prefix.)"""
    return re.compile(re.escape(origin) + r"/?\Z", re.IGNORECASE)


@bp.after_request
def _vary_on_origin(response: Response) -> Response:
    # Whether an answer carries CORS headers depends on Origin: a shared cache must know, for
    # the answers without them too.
    response.vary.add("Origin")
    return response
