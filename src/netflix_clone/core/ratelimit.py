"""Rate limits with the `limits` library: a moving window, shared through Redis when REDIS_URL
is set, else per process.

A moving window counts the attempts of the last `window` seconds, whenever they came: no window
boundary doubles the allowance as a fixed window does. Each `hit` counts and decides in one atomic
step (a Lua script in Redis, a per-key lock in memory), so parallel attempts cannot all pass a
check that each of them made before the others counted: callers hit first, then verify.

While Redis is unavailable the limits hold per process (`FallbackRateLimiter`): looser across
workers, but never a failed request and never no limit at all. The Redis breaker logs each trip
once; `redis_fallbacks_total{use="rate-limit"}` counts the calls served in process.
"""

from __future__ import annotations

import math
import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import MovingWindowRateLimiter

from netflix_clone.core.exceptions import RateLimited
from netflix_clone.core.redis_store import FALLBACKS, GuardedRedis, RedisUnavailable

# Who is asking, for per-requester budgets: a member's account once the request is
# authenticated, else the client address. The web layer sets it per request; background threads
# have none.
requester: ContextVar[str | None] = ContextVar("requester", default=None)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    retry_after: int


class RateLimiter(Protocol):
    def hit(self, key: str, limit: int, window: int) -> Verdict:
        """Count one attempt against `limit` per `window` seconds; allowed when it fits."""
        ...


def _item(limit: int, window: int) -> RateLimitItem:
    return RateLimitItemPerSecond(limit, window)


def _verdict(strategy: MovingWindowRateLimiter, item: RateLimitItem, key: str) -> Verdict:
    if strategy.hit(item, key):
        return Verdict(True, item.amount, 0)
    # Refused: the oldest attempt in the window leaves it at `reset_time`.
    reset_time, _ = strategy.get_window_stats(item, key)
    return Verdict(False, item.amount, max(1, math.ceil(reset_time - time.time())))


class MemoryRateLimiter:
    def __init__(self) -> None:
        self._strategy = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, key: str, limit: int, window: int) -> Verdict:
        return _verdict(self._strategy, _item(limit, window), key)


class RedisRateLimiter:
    """`limits`' Redis storage on our guarded client's connections: every call goes through the
    Redis breaker and raises RedisUnavailable when Redis can't answer (wrap it in
    FallbackRateLimiter)."""

    def __init__(self, redis: GuardedRedis, prefix: str = "nc:rl") -> None:
        self._redis = redis
        client = redis.client
        storage = RedisStorage(
            "redis://", connection_pool=client.connection_pool, key_prefix=prefix
        )
        self._strategy = MovingWindowRateLimiter(storage)

    def hit(self, key: str, limit: int, window: int) -> Verdict:
        item = _item(limit, window)
        return self._redis.run(lambda _client: _verdict(self._strategy, item, key))


class FallbackRateLimiter:
    """The shared limiter while it answers, this process's own limits while it doesn't."""

    def __init__(self, primary: RateLimiter, fallback: RateLimiter) -> None:
        self._primary = primary
        self._fallback = fallback

    def hit(self, key: str, limit: int, window: int) -> Verdict:
        try:
            return self._primary.hit(key, limit, window)
        except RedisUnavailable:
            FALLBACKS.labels("rate-limit").inc()
            return self._fallback.hit(key, limit, window)


def too_many(verdict: Verdict, detail: str) -> RateLimited:
    return RateLimited(detail, retry_after=verdict.retry_after)
