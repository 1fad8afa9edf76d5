"""Redis as an accelerator, never a single point of failure.

Every call goes through one circuit breaker per process, on a client with short connect and read
timeouts and no retries of its own. A failed or refused call raises `RedisUnavailable`; each user
of Redis (the catalog cache, rate limits, single-flight locks) has an in-process fallback for it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

from prometheus_client import Counter

from netflix_clone.core.breaker import CircuitBreaker
from netflix_clone.core.settings import ConfigError, Settings

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


class ElastiCacheIAMToken:
    """A redis-py credential provider for ElastiCache IAM authentication.

    The password is a SigV4-presigned `connect` request for the user and the replication group,
    signed with the pod's AWS credentials; ElastiCache accepts it for 15 minutes. Each new
    connection asks for credentials, so one token serves for TOKEN_REUSE seconds, then the next
    is signed (microseconds, no network call).
    """

    TOKEN_REUSE = 600.0
    TOKEN_LIFETIME = 900

    def __init__(self, user: str, cache_name: str, region: str, session: Any = None) -> None:
        self.user = user
        self._cache_name = cache_name.lower()
        self._region = region
        self._session = session
        self._lock = threading.Lock()
        self._token: str | None = None
        self._signed_at = 0.0

    def get_credentials(self) -> tuple[str, str]:
        with self._lock:
            if self._token is None or time.monotonic() - self._signed_at >= self.TOKEN_REUSE:
                self._token = self._sign()
                self._signed_at = time.monotonic()
            return self.user, self._token

    def _sign(self) -> str:
        import botocore.session
        import redis
        from botocore.model import ServiceId
        from botocore.signers import RequestSigner

        session = self._session or botocore.session.get_session()
        credentials = session.get_credentials()
        if credentials is None:
            # A connection error to redis-py, so the breaker and the fallbacks take over.
            raise redis.AuthenticationError("no AWS credentials to sign a cache token with")
        signer = RequestSigner(
            ServiceId("elasticache"),
            self._region,
            "elasticache",
            "v4",
            credentials,
            session.get_component("event_emitter"),
        )
        query = urlencode({"Action": "connect", "User": self.user})
        url = signer.generate_presigned_url(
            {
                "method": "GET",
                "url": f"https://{self._cache_name}/?{query}",
                "body": {},
                "headers": {},
                "context": {},
            },
            operation_name="connect",
            expires_in=self.TOKEN_LIFETIME,
            region_name=self._region,
        )
        return str(url).removeprefix("https://")


def connect(settings: Settings) -> GuardedRedis | None:
    if not settings.redis_url:
        return None
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    url, extra = settings.redis_url, {}
    if settings.redis_iam_cache_name:
        parts = urlsplit(url)
        if not parts.username or not settings.aws_region:
            raise ConfigError(
                "configuration error: REDIS_IAM_CACHE_NAME needs the user in REDIS_URL"
                " (rediss://<user>@<host>:6379/0) and AWS_REGION"
            )
        extra["credential_provider"] = ElastiCacheIAMToken(
            unquote(parts.username), settings.redis_iam_cache_name, settings.aws_region
        )
        url = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    client = redis.Redis.from_url(
        url,
        **extra,
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
