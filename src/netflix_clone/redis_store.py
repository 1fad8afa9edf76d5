"""Redis as an accelerator, never a single point of failure.

Every call goes through one circuit breaker per process, on a client with short connect and read
timeouts and no retries of its own. A failed or refused call raises `RedisUnavailable`; each user
of Redis (the catalog cache, rate limits, single-flight locks) has an in-process fallback for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from prometheus_client import Counter

from netflix_clone.breaker import CircuitBreaker
from netflix_clone.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

FALLBACKS = Counter(
    "redis_fallbacks_total", "Calls served by an in-process fallback because Redis was not", ["use"]
)


class RedisUnavailable(Exception):
    """Redis failed, timed out, or its breaker is open: use the in-process fallback."""


class GuardedRedis:
    def __init__(self, client: Any, breaker: CircuitBreaker) -> None:
        self.client = client
        self.breaker = breaker

    def run(self, call: Callable[[Any], T]) -> T:
        if not self.breaker.allow():
            raise RedisUnavailable("circuit open")
        try:
            result = call(self.client)
        except Exception as exc:
            if not _is_outage(exc):
                raise
            self.breaker.failure(trip=_is_timeout(exc))
            raise RedisUnavailable(type(exc).__name__) from None
        self.breaker.success()
        return result

    def register_script(self, script: str) -> Any:
        return self.client.register_script(script)

    def status(self) -> str:
        """For /readyz: "ok", or "degraded" while we run on fallbacks."""
        try:
            self.run(lambda r: r.ping())
        except RedisUnavailable:
            return "degraded"
        return "ok"


def _is_outage(exc: Exception) -> bool:
    import redis

    # A script or type error is our bug and must surface; connection trouble is an outage.
    return isinstance(
        exc, redis.ConnectionError | redis.TimeoutError | redis.BusyLoadingError | OSError
    ) or (isinstance(exc, redis.ResponseError) and str(exc).startswith(("LOADING", "MASTERDOWN")))


def _is_timeout(exc: Exception) -> bool:
    import redis

    return isinstance(exc, redis.TimeoutError | TimeoutError)


def connect(settings: Settings) -> GuardedRedis | None:
    if not settings.redis_url:
        return None
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    client = redis.Redis.from_url(
        settings.redis_url,
        socket_timeout=settings.redis_socket_timeout,
        socket_connect_timeout=settings.redis_connect_timeout,
        # No retries inside the client: the breaker decides when to try again, and a request
        # never waits for more than one short timeout.
        retry=Retry(NoBackoff(), 0),
        retry_on_timeout=False,
        health_check_interval=30,
    )
    breaker = CircuitBreaker(
        "redis",
        failures=settings.redis_breaker_failures,
        reset_after=settings.redis_breaker_reset_seconds,
    )
    return GuardedRedis(client, breaker)
