"""TMDB v3 over HTTP: one pooled client, timeouts, a deadline, retries with jittered backoff.

Errors come out as `UpstreamError` subclasses that never carry the key or the full URL.
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar

import httpx

from netflix_clone.catalog.tmdb_rules import MAX_PAGE, clamp_page
from netflix_clone.core.exceptions import (
    DomainError,
    NotFound,
    RateLimited,
    TimedOut,
    Unavailable,
    UpstreamFailed,
    not_found,
)
from netflix_clone.core.observability import UPSTREAM, redactor
from netflix_clone.core.secret_store import SecretValue, extract, secrets_client
from netflix_clone.core.settings import Settings

log = logging.getLogger(__name__)
# MAX_PAGE and clamp_page are TMDB's rules (tmdb_rules), kept importable from here.
__all__ = [
    "MAX_PAGE",
    "TMDBClient",
    "TMDBKeys",
    "UpstreamAuthError",
    "UpstreamBusy",
    "UpstreamError",
    "UpstreamNotFound",
    "UpstreamRateLimited",
    "UpstreamRejected",
    "UpstreamTimeout",
    "UpstreamUnavailable",
    "clamp_page",
    "is_bearer_token",
    "parse_retry_after",
    "tmdb_error_message",
]
_JWT = re.compile(r"^eyJ[\w-]+\.[\w-]+\.[\w-]+$")


class UpstreamError(DomainError):
    """TMDB did not give a usable answer. Each kind below is also the domain error it means to
    a client (web/errors.py maps those in its one table): the client reads our sentence,
    `detail`; TMDB's own words are `reason`, for our log only."""

    public: ClassVar[str] = "The movie catalog answered with an error; try again shortly."
    retryable: ClassVar[bool] = True
    logged: ClassVar[bool] = True  # a failure of the catalog (not a client's unknown id or budget)

    def __init__(
        self,
        reason: str,
        *,
        retry_after: int | None = None,
        upstream_status: int | None = None,
        body: Any = None,
    ) -> None:
        # `retry_after` stays what TMDB (or our own limiter) said, None when nothing did: the
        # client's Retry-After falls back to the class's default_retry_after (web/errors.py).
        DomainError.__init__(self, self.public, retry_after=retry_after)
        self.reason = redactor.scrub(reason)
        self.upstream_status = upstream_status
        self.body = body

    def __str__(self) -> str:
        return self.reason


class UpstreamUnusable(UpstreamError, UpstreamFailed):
    """An answer we could not use (a 5xx after retries, a malformed body)."""


class UpstreamNotFound(UpstreamError, NotFound):
    public = not_found("movie").detail  # the wording of every unknown movie id
    retryable = False
    logged = False


class UpstreamRejected(UpstreamError, UpstreamFailed):
    """TMDB refused the request itself (a 4xx other than 401/404/429): never retried."""

    retryable = False


class UpstreamAuthError(UpstreamError, Unavailable):
    """Our key is missing, invalid or suspended: our configuration problem, hence 503."""

    default_code = "catalog-unavailable"
    public = "The movie catalog is unavailable right now."
    default_retry_after = 5
    retryable = False


class UpstreamRateLimited(UpstreamError, Unavailable):
    default_code = "catalog-unavailable"
    public = "The movie catalog is unavailable right now."
    default_retry_after = 5


class UpstreamTimeout(UpstreamError, TimedOut):
    default_code = "upstream-timeout"
    public = "The movie catalog did not answer in time; try again shortly."
    default_retry_after = 5


class UpstreamUnavailable(UpstreamError, UpstreamFailed):
    """No answer at all (refused, reset): after retries, a 502."""


class UpstreamBudgetSpent(UpstreamError, RateLimited):
    """The requester (a member, or a client address) used up its own share of the upstream
    budget (catalog.source.Catalog.charge): a 429 for it, nobody else."""

    default_code = "catalog-budget"
    public = "You have asked for many titles we don't hold yet in a short time; try again shortly."
    default_retry_after = 5
    retryable = False
    logged = False


class UpstreamBusy(UpstreamError, Unavailable):
    """Every upstream slot of this worker is taken by slower misses: a quick 503, not a queue."""

    default_code = "catalog-unavailable"
    public = "The movie catalog is unavailable right now."
    default_retry_after = 5
    retryable = False


def is_bearer_token(key: str) -> bool:
    """A v4 read access token is a JWT; a v3 key is 32 hex characters."""
    return bool(_JWT.match(key))


def tmdb_error_message(body: Any) -> str:
    """TMDB answers errors in two shapes: {status_code, status_message} and {errors: [...]}."""
    if isinstance(body, dict):
        if isinstance(body.get("status_message"), str):
            return f"{body['status_message']} (TMDB code {body.get('status_code')})"
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            return "; ".join(str(e) for e in errors)
    return "no error details"


def parse_retry_after(value: str | None) -> int | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        return max(0, int(parsedate_to_datetime(value).timestamp() - time.time()))
    except (TypeError, ValueError):
        return None


class TMDBKeys:
    """The TMDB key: from TMDB_API_KEY, or Secrets Manager (refreshed on a timer and on demand)."""

    def __init__(self, settings: Settings) -> None:
        self._static: str | None = None
        self._secret: SecretValue | None = None
        self._last_forced = 0.0
        self._lock = threading.Lock()
        if settings.tmdb_api_key is not None:
            self._static = settings.tmdb_api_key.get_secret_value().strip()
            redactor.add(self._static)
        elif settings.tmdb_secret_id:
            self._secret = SecretValue(
                settings.tmdb_secret_id,
                lambda: secrets_client(settings),
                lambda text: extract(text, "TMDB_API_KEY"),
                ttl=settings.tmdb_key_refresh_seconds,
            )

    @property
    def configured(self) -> bool:
        return self._static is not None or self._secret is not None

    def get(self) -> str:
        if self._static is not None:
            return self._static
        if self._secret is None:
            raise UpstreamAuthError("No TMDB key is configured.")
        try:
            return str(self._secret.get())
        except Exception as exc:
            raise UpstreamAuthError(f"The TMDB key could not be read: {exc}") from None

    def refresh_after_rejection(self) -> bool:
        """After a 401: re-read the secret (at most every 10 s). True if there may be a new key."""
        if self._secret is None:
            return False
        with self._lock:
            if time.monotonic() - self._last_forced < 10:
                return False
            self._last_forced = time.monotonic()
        try:
            before = self._secret.get()
            return bool(self._secret.get(force=True) != before)
        except Exception:
            return False


class TMDBClient:
    def __init__(
        self,
        base_url: str,
        keys: TMDBKeys,
        *,
        connect_timeout: float = 2.0,
        read_timeout: float = 5.0,
        deadline: float = 8.0,
        max_attempts: int = 3,
        backoff_base: float = 0.2,
        backoff_cap: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._keys = keys
        self._deadline = deadline
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._sleep = sleep
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._http = httpx.Client(
            base_url=base_url.rstrip("/") + "/",
            headers={"Accept": "application/json", "User-Agent": "netflix-clone/1"},
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            limits=httpx.Limits(
                max_connections=50, max_keepalive_connections=20, keepalive_expiry=30
            ),
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def _backoff(self, attempt: int) -> float:
        # Full jitter: spreads retries of many workers instead of synchronising them.
        return random.uniform(0, min(self._backoff_cap, self._backoff_base * 2**attempt))  # noqa: S311

    def get(self, path: str, params: Mapping[str, str]) -> Any:
        """GET /3/<path>; returns the decoded JSON body or raises an UpstreamError."""
        path = path.strip("/")
        if "page" in params:
            # TMDB serves pages 1..500 only and answers 400/422 beyond: never ask for those.
            params = {**params, "page": str(clamp_page(_int_or(params["page"], 1)))}
        started = time.monotonic()
        refreshed = False
        attempt = 0
        while True:
            remaining = self._deadline - (time.monotonic() - started)
            if remaining <= 0:
                UPSTREAM.labels("deadline").inc()
                raise UpstreamTimeout(f"TMDB did not answer {path} within {self._deadline:.0f}s.")
            try:
                return self._once(path, params, remaining)
            except UpstreamAuthError:
                if not refreshed and self._keys.refresh_after_rejection():
                    refreshed = True  # a rotated key: retry at once, it is not a new attempt
                    continue
                raise
            except UpstreamError as exc:
                attempt += 1
                if not exc.retryable or attempt >= self._max_attempts:
                    raise
                if exc.retry_after is not None:
                    # TMDB says when: a request thread never sleeps that long. The caller
                    # answers now (stale data, or a 503 passing Retry-After on) instead.
                    raise
                remaining = self._deadline - (time.monotonic() - started)
                pause = self._backoff(attempt - 1)
                if pause >= remaining:
                    raise  # waiting would blow the deadline: answer now (maybe with stale data)
                log.info("retrying TMDB %s after %s (%.2fs)", path, type(exc).__name__, pause)
                self._sleep(pause)

    def _once(self, path: str, params: Mapping[str, str], remaining: float) -> Any:
        key = self._keys.get()
        query = dict(params)
        headers = {}
        if is_bearer_token(key):
            headers["Authorization"] = f"Bearer {key}"
        else:
            query["api_key"] = key
        timeout = httpx.Timeout(
            min(self._read_timeout, remaining), connect=min(self._connect_timeout, remaining)
        )
        try:
            response = self._http.get(path, params=query, headers=headers, timeout=timeout)
        except httpx.TimeoutException:
            UPSTREAM.labels("timeout").inc()
            raise UpstreamTimeout(f"TMDB timed out on {path}.") from None
        except httpx.TransportError as exc:
            UPSTREAM.labels("connection_error").inc()
            raise UpstreamUnavailable(
                f"Could not reach TMDB for {path}: {type(exc).__name__}."
            ) from None
        status = response.status_code
        UPSTREAM.labels(str(status)).inc()
        try:
            body = response.json()
        except ValueError:
            body = None
        if status == 200:
            if not isinstance(body, dict):
                raise UpstreamUnavailable(
                    f"TMDB sent a malformed body for {path}.", upstream_status=status
                )
            return body
        message = tmdb_error_message(body)
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if status == 401:
            raise UpstreamAuthError(
                f"TMDB rejected our key: {message}", upstream_status=status, body=body
            )
        if status == 404:
            raise UpstreamNotFound(f"TMDB has no {path}.", upstream_status=status, body=body)
        if status == 429:
            raise UpstreamRateLimited(
                f"TMDB is rate limiting us: {message}",
                retry_after=retry_after,
                upstream_status=status,
                body=body,
            )
        if status == 504:
            raise UpstreamTimeout(f"TMDB timed out on {path}: {message}", upstream_status=status)
        if status >= 500:
            raise UpstreamUnavailable(
                f"TMDB failed on {path} with {status}: {message}",
                retry_after=retry_after,
                upstream_status=status,
                body=body,
            )
        raise UpstreamRejected(
            f"TMDB refused {path} with {status}: {message}", upstream_status=status, body=body
        )


def _int_or(text: str, default: int) -> int:
    try:
        return int(text)
    except ValueError:
        return default
