"""The application factory: the one place where configuration becomes a running app."""

from __future__ import annotations

import fcntl
import io
import logging
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from flask_migrate import Migrate, upgrade
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from netflix_clone.catalog.source import build_catalog
from netflix_clone.catalog.tmdb import UpstreamError
from netflix_clone.core.container import Services
from netflix_clone.core.db import WritesPending, db, init_db, release_reads
from netflix_clone.core.exceptions import not_found
from netflix_clone.core.observability import configure_logging, init_request_tracking, redactor
from netflix_clone.core.ratelimit import (
    FallbackRateLimiter,
    MemoryRateLimiter,
    RateLimiter,
    RedisRateLimiter,
    requester,
)
from netflix_clone.core.redis_store import connect as connect_redis
from netflix_clone.core.revocation import RevocationSet
from netflix_clone.core.secret_store import (
    SecretValue,
    database_credentials,
    extract,
    secrets_client,
)
from netflix_clone.core.security import Passwords, TokenSigner, hash_slots, password_hasher
from netflix_clone.core.settings import DEV_SECRET_KEY, Settings, check_secret_key, load_settings
from netflix_clone.web.errors import ApiError, problem_response, register_error_handlers
from netflix_clone.web.operations import IdConverter, KindConverter

MIGRATIONS_DIR = Path(__file__).parent.parent / "migrations"
log = logging.getLogger(__name__)


def _secret_key_provider(settings: Settings) -> Any:
    if settings.secret_key is not None:
        value = settings.secret_key.get_secret_value()
        redactor.add(value)
        return lambda: value
    if settings.secret_key_secret_id:

        def parse(text: str) -> str:
            value = extract(text, "SECRET_KEY")
            check_secret_key(value, settings.app_env)
            return value

        secret = SecretValue(
            settings.secret_key_secret_id,
            lambda: secrets_client(settings),
            parse,
            ttl=settings.tmdb_key_refresh_seconds,
        )
        secret.get()  # fail at start-up, not on the first sign-in
        return secret.get
    return lambda: DEV_SECRET_KEY


def _session_ended(session_id: str) -> bool:
    from netflix_clone.accounts.service import session_ended_in_database

    return session_ended_in_database(session_id)


def _release_database(settings: Settings) -> Any:
    """What runs before every password or PIN hash: the request gives its database connection
    back (db.release_reads). A hash asked for after the unit of work wrote is a bug: tests fail
    on it; a deployed service logs it and hashes anyway."""

    def release() -> None:
        try:
            release_reads()
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

    redis_client = connect_redis(settings)
    limiter: RateLimiter = (
        FallbackRateLimiter(RedisRateLimiter(redis_client), MemoryRateLimiter())
        if redis_client
        else MemoryRateLimiter()
    )
    hasher = password_hasher(settings.app_env)
    svc = Services(
        settings=settings,
        passwords=Passwords(
            hasher,
            slots=hash_slots(hasher, settings.password_hash_memory_mib),
            queue=settings.password_hash_queue,
            wait=settings.password_hash_wait_seconds,
            before=_release_database(settings),
        ),
        tokens=TokenSigner(_secret_key_provider(settings), settings.access_token_ttl_seconds),
        limiter=limiter,
        revocations=RevocationSet(
            redis_client, settings.access_token_ttl_seconds, database=_session_ended
        ),
        redis=redis_client,
    )
    app.extensions["netflix_clone"] = svc
    svc.extras["catalog"] = build_catalog(settings, redis_client, limiter)

    init_db(app, settings, database_credentials(settings))
    Migrate(app, db, directory=str(MIGRATIONS_DIR), compare_type=True)
    register_error_handlers(app)
    init_request_tracking(app)

    from netflix_clone import gateway, webapp
    from netflix_clone.accounts import profile_routes
    from netflix_clone.accounts import routes as accounts
    from netflix_clone.catalog import routes as catalog
    from netflix_clone.library import routes as library
    from netflix_clone.library import service as library_service
    from netflix_clone.web import ops

    app.register_blueprint(ops.bp)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(profile_routes.bp)
    app.register_blueprint(catalog.bp)
    app.register_blueprint(library.bp)
    # The catalog asks member data which titles a profile hid, without importing it.
    svc.extras["title_exclusions"] = library_service.hidden_keys
    gateway.register(app)  # /tmdb/3 (TMDB-compatible) and the SPA when SPA_DIR is set
    webapp.register(app)  # the members' web app at / (unless SPA_DIR), demo placeholder images
    app.register_error_handler(UpstreamError, upstream_problem)

    _register_http_hooks(app, settings)

    if settings.app_env == "local" and settings.uses_embedded_database:
        migrate_embedded(app, settings)
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


_UPSTREAM_DETAIL = {
    404: ("not-found", not_found("movie").detail),  # the wording of every unknown movie id
    429: (
        "catalog-budget",
        "You have asked for many titles we don't hold yet in a short time; try again shortly.",
    ),
    502: ("bad-upstream", "The movie catalog answered with an error; try again shortly."),
    503: ("catalog-unavailable", "The movie catalog is unavailable right now."),
    504: ("upstream-timeout", "The movie catalog did not answer in time; try again shortly."),
}


def upstream_problem(exc: UpstreamError) -> Response:
    """Catalog failures as documented problems; the upstream's own words stay in our log."""
    code, detail = _UPSTREAM_DETAIL.get(exc.status, _UPSTREAM_DETAIL[502])
    if exc.status not in (404, 429):
        log.warning("catalog upstream failure: %s", exc.detail)
    headers = {}
    if exc.status in (429, 503, 504) or exc.retry_after is not None:
        headers["Retry-After"] = str(max(1, exc.retry_after or 5))
    return problem_response(ApiError(exc.status, detail, code=code, headers=headers))


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


def migrate_embedded(app: Flask, settings: Settings) -> None:
    """The zero-setup default applies its own migrations; several workers take turns."""
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    with (settings.instance_path / "migrate.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with app.app_context():
            upgrade(directory=str(MIGRATIONS_DIR))
