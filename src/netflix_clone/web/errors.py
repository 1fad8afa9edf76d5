"""RFC 9457 problem details for every error the service returns.

The one place where failures become HTTP: `ApiError` for the web layer's own answers (a malformed
body, a wrong media type) and `STATUS_OF` for the domain exceptions services raise."""

from __future__ import annotations

import json
import logging
import traceback
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, g
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from netflix_clone.catalog.tmdb import UpstreamError
from netflix_clone.core.db import is_unavailable
from netflix_clone.core.exceptions import (
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    TimedOut,
    Unauthenticated,
    Unavailable,
    UpstreamFailed,
)
from netflix_clone.web.deps import services

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_BASE = "https://netflix-clone.dev/problems/"

log = logging.getLogger(__name__)


@dataclass
class ApiError(Exception):
    """A failure a client can understand; raised from services and handlers alike."""

    status: int
    detail: str
    code: str = ""
    title: str = ""
    errors: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.detail)
        if not self.title:
            self.title = HTTPStatus(self.status).phrase
        if not self.code:
            self.code = self.title.lower().replace(" ", "-").replace("'", "")


# Domain exception -> HTTP status; looked up along the class's MRO, so a subclass inherits.
STATUS_OF: dict[type[DomainError], int] = {
    Invalid: 422,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    RateLimited: 429,
    UpstreamFailed: 502,
    Unavailable: 503,
    TimedOut: 504,
}
BEARER_CHALLENGE = 'Bearer realm="netflix-clone"'


def from_domain(exc: DomainError) -> ApiError:
    status = next((STATUS_OF[c] for c in type(exc).__mro__ if c in STATUS_OF), 400)
    headers: dict[str, str] = {}
    wait = exc.retry_after if exc.retry_after is not None else exc.default_retry_after
    if wait is not None:
        headers["Retry-After"] = str(max(1, wait))
    if status == 401:
        headers["WWW-Authenticate"] = BEARER_CHALLENGE
    return ApiError(
        status, exc.detail, code=exc.code, errors=exc.errors, headers=headers, extra=exc.extra
    )


def problem_response(error: ApiError) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + error.code,
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
    }
    if error.errors:
        body["errors"] = [{"field": e.field, "message": e.message} for e in error.errors]
    body.update(error.extra)
    request_id = getattr(g, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    response = Response(json.dumps(body), status=error.status, mimetype=PROBLEM_CONTENT_TYPE)
    for name, value in error.headers.items():
        response.headers[name] = value
    return response


def _from_http_exception(exc: HTTPException) -> ApiError:
    status = exc.code or 500
    if isinstance(exc, RequestEntityTooLarge):
        return ApiError(
            413, "The request body is larger than this service accepts.", code="payload-too-large"
        )
    detail = {
        404: "No resource lives at this URL.",
        405: "This URL does not support that method.",
    }.get(status, exc.description or HTTPStatus(status).phrase)
    headers: dict[str, str] = {}
    if status == 405 and exc.response is None:
        allowed = getattr(exc, "valid_methods", None)
        if allowed:
            headers["Allow"] = ", ".join(sorted(allowed))
    return ApiError(status, detail, headers=headers)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(error: ApiError) -> Response:
        return problem_response(error)

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError) -> Response:
        if isinstance(exc, UpstreamError) and exc.logged:
            # The catalog failed us; its own words stay in our log, never in the answer.
            log.warning("catalog upstream failure: %s", exc.reason)
        return problem_response(from_domain(exc))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        return problem_response(_from_http_exception(exc))

    @app.errorhandler(SQLAlchemyError)
    def _database_error(exc: SQLAlchemyError) -> Response:
        if not is_unavailable(exc):
            # The database's own message can quote the row ("Key (email)=(...)", "Failing row
            # contains ..."): log where it failed and what kind of error, never that text.
            orig = getattr(exc, "orig", None) or exc
            statement = (getattr(exc, "statement", None) or "").split("\n", 1)[0][:200]
            log.error(
                "database error %s in %r\n%s",
                type(orig).__name__,
                statement,
                "".join(traceback.format_tb(exc.__traceback__)),
                extra={"event": "db_error"},
            )
            return problem_response(
                ApiError(500, "The service failed to handle this request.", code="internal-error")
            )
        guard = services().database.guard
        guard.record_failure(exc)
        # One line, no traceback: an outage must not flood the log with identical stacks.
        log.warning(
            "database unavailable: %s",
            type(getattr(exc, "orig", None) or exc).__name__,
            extra={"event": "db_unavailable"},
        )
        retry = guard.breaker.retry_after()
        return problem_response(
            from_domain(
                Unavailable(
                    "The database is unavailable right now; try again shortly.",
                    code="database-unavailable",
                    retry_after=retry,
                )
            )
        )

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        # Still a problem document, never an HTML page; the details stay in the log.
        log.exception("unhandled error")
        return problem_response(
            ApiError(500, "The service failed to handle this request.", code="internal-error")
        )
