"""The application factory: the one place where configuration becomes a running app."""

from __future__ import annotations

import io
import logging
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from netflix_clone.accounts.service import session_ended_in_database
from netflix_clone.catalog.source import build_catalog
from netflix_clone.core.cache import LRU
from netflix_clone.core.container import build_services
from netflix_clone.core.db import WritesPending, release_reads
from netflix_clone.core.observability import configure_logging
from netflix_clone.core.ratelimit import requester
from netflix_clone.core.schema import migrate_embedded
from netflix_clone.core.settings import Settings, load_settings
from netflix_clone.library import service as library_service
from netflix_clone.library.browse import HomeCache
from netflix_clone.web.deps import Wiring, current_session, db_session, wire
from netflix_clone.web.errors import register_error_handlers
from netflix_clone.web.operations import IdConverter, KindConverter
from netflix_clone.web.tracking import init_request_tracking

log = logging.getLogger(__name__)


def _session_ended(session_id: str) -> bool:
    """The revocation set's fallback when Redis can't answer: this request's unit of work."""
    return session_ended_in_database(db_session(), session_id)


def _release_database(settings: Settings) -> Any:
    """What runs before every password or PIN hash: the request gives its database connection
    back (db.release_reads). A hash asked for after the unit of work wrote is a bug: tests fail
    on it; a deployed service logs it and hashes anyway."""

    def release() -> None:
        session = current_session()
        if session is None:
            return
        try:
            release_reads(session)
        except WritesPending:
            if settings.app_env == "test":
                raise
            log.error("password hashing while the unit of work holds writes", exc_info=True)

    return release


def at_the_root(wsgi_app: Any) -> Any:
    """The app is always mounted at /: a SCRIPT_NAME from the request (gunicorn takes one from
    a `SCRIPT_NAME` header of any peer it trusts for forwarded headers) goes back into the path,
    so `/x/metrics` with `SCRIPT_NAME: /x` is the path `/x/metrics`, not `/metrics`."""

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        prefix = environ.get("SCRIPT_NAME", "")
        if prefix:
            environ["PATH_INFO"] = prefix + environ.get("PATH_INFO", "")
            environ["SCRIPT_NAME"] = ""
        return wsgi_app(environ, start_response)

    return app


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or load_settings()
    configure_logging(settings.log_level)

    # No implicit /static/<path> route: a built SPA (Create React App puts its bundle under
    # /static/js/) owns that path; our own assets have explicit routes (/docs/static/...).
    app = Flask(
        "netflix_clone", instance_path=str(settings.instance_path.resolve()), static_folder=None
    )
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["kind"] = KindConverter
    # `/api/movies/` is `/api/movies`: set before any route exists, so every rule takes it.
    app.url_map.strict_slashes = False
    if settings.trusted_proxy_hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.trusted_proxy_hops, x_proto=settings.trusted_proxy_hops
        )
    app.wsgi_app = at_the_root(app.wsgi_app)  # type: ignore[method-assign]

    svc = build_services(
        settings, before_hash=_release_database(settings), session_ended=_session_ended
    )
    catalog = build_catalog(settings, svc.redis, svc.limiter)
    # The catalog asks member data which titles a profile hid, without importing it.
    catalog.exclusions = library_service.hidden_keys
    wire(app, Wiring(svc, catalog, HomeCache(), render_memo=LRU(1024)))
    register_error_handlers(app)
    init_request_tracking(app)

    from netflix_clone import gateway, webapp
    from netflix_clone.accounts import profile_routes
    from netflix_clone.accounts import routes as accounts
    from netflix_clone.catalog import routes as catalog_routes
    from netflix_clone.library import routes as library
    from netflix_clone.web import ops

    app.register_blueprint(ops.bp)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(profile_routes.bp)
    app.register_blueprint(catalog_routes.bp)
    app.register_blueprint(library.bp)
    gateway.register(app)  # /tmdb/3 (TMDB-compatible) and the SPA when SPA_DIR is set
    webapp.register(app)  # the members' web app at / (unless SPA_DIR), demo placeholder images

    _register_http_hooks(app, settings)

    if settings.app_env == "local" and settings.uses_embedded_database:
        migrate_embedded(settings, svc.database)
    return app


def _register_http_hooks(app: Flask, settings: Settings) -> None:
    """Body limits on the way in; default security and caching headers on the way out."""

    @app.before_request
    def _requester() -> None:
        # Until a token says which member this is (api.operation), the client address.
        requester.set(f"addr:{request.remote_addr}")

    @app.before_request
    def _bounded_body() -> None:
        # A chunked body has no Content-Length for MAX_CONTENT_LENGTH to check up front, and
        # Werkzeug would cut it at the limit silently: read one byte past the limit ourselves.
        env = request.environ
        limit = settings.max_request_bytes
        declared = request.content_length
        if declared is not None and declared > limit:
            _discard(env["wsgi.input"], min(declared, DRAIN_CAP))
            raise RequestEntityTooLarge()
        if declared is not None or "chunked" not in env.get("HTTP_TRANSFER_ENCODING", ""):
            return
        data = env["wsgi.input"].read(limit + 1)
        if len(data) > limit:
            _discard(env["wsgi.input"], DRAIN_CAP)
            raise RequestEntityTooLarge()
        env["wsgi.input"] = io.BytesIO(data)
        env["CONTENT_LENGTH"] = str(len(data))

    @app.after_request
    def _default_headers(response: Response) -> Response:
        # Member data must never sit in a shared cache; catalog routes set their own policy.
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if response.status_code == 204:
            # No content, so no type (Werkzeug's default would say text/html).
            response.headers.pop("Content-Type", None)
        # request.is_secure: the scheme, or X-Forwarded-Proto from a trusted proxy (ProxyFix).
        if request.is_secure and settings.hsts_max_age_seconds:
            response.headers.setdefault(
                "Strict-Transport-Security",
                f"max-age={settings.hsts_max_age_seconds}; includeSubDomains",
            )
        return response


# An oversized body is read and dropped up to this much before the 413: closing a socket with
# unread data resets it, and the client would see the reset instead of our answer.
DRAIN_CAP = 1024 * 1024


def _discard(stream: Any, at_most: int) -> None:
    left = at_most
    while left > 0:
        try:
            chunk = stream.read(min(65536, left))
        except OSError:
            return  # a client too slow to send what it announced (the worker's read timeout)
        if not chunk:
            return
        left -= len(chunk)
