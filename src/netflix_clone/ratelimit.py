"""Fixed-window rate limits, shared through Redis when REDIS_URL is set, else per process.

While Redis is unavailable the limits hold per process (`FallbackRateLimiter`): looser across
workers, but never a failed request and never no limit at all."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

from netflix_clone.exceptions import RateLimited
from netflix_clone.redis_store import FALLBACKS, GuardedRedis, RedisUnavailable


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after: int


class RateLimiter(Protocol):
    def hit(self, key: str, limit: int, window: int) -> Verdict: ...

    def peek(self, key: str, limit: int, window: int) -> Verdict: ...


class MemoryRateLimiter:
    def __init__(self, max_keys: int = 100_000) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[int, int]] = {}  # key -> (window start, count)
        self._max_keys = max_keys

    def _current(self, key: str, window: int, now: float) -> tuple[int, int]:
        start = int(now // window) * window
        stored = self._windows.get(key)
        if stored is None or stored[0] != start:
            return start, 0
        return stored

    def hit(self, key: str, limit: int, window: int) -> Verdict:
        now = time.time()
        with self._lock:
            if len(self._windows) >= self._max_keys:
                self._evict(now)
            start, count = self._current(key, window, now)
            count += 1
            self._windows[key] = (start, count)
        return Verdict(count <= limit, count, max(1, math.ceil(start + window - now)))

    def peek(self, key: str, limit: int, window: int) -> Verdict:
        now = time.time()
        with self._lock:
            start, count = self._current(key, window, now)
        return Verdict(count < limit, count, max(1, math.ceil(start + window - now)))

    def _evict(self, now: float) -> None:
        # Windows are at most a few minutes long; anything older than an hour is certainly over.
        cutoff = now - 3600
        for key in [k for k, (start, _) in self._windows.items() if start < cutoff]:
            del self._windows[key]
        if len(self._windows) >= self._max_keys:
            self._windows.clear()


class RedisRateLimiter:
    """Raises RedisUnavailable when Redis can't answer; wrap it in FallbackRateLimiter."""

    def __init__(self, redis: GuardedRedis, prefix: str = "nc:rl:") -> None:
        self._redis = redis
        self._prefix = prefix

    def _key(self, key: str, window: int, now: float) -> tuple[str, float]:
        start = int(now // window) * window
        return f"{self._prefix}{key}:{start}", start

    def hit(self, key: str, limit: int, window: int) -> Verdict:
        now = time.time()
        rkey, start = self._key(key, window, now)

        def incr(r: Any) -> Any:
            pipe = r.pipeline(transaction=True)
            pipe.incr(rkey)
            pipe.expire(rkey, window + 1)
            return pipe.execute()[0]

        count = int(self._redis.run(incr))
        return Verdict(count <= limit, count, max(1, math.ceil(start + window - now)))

    def peek(self, key: str, limit: int, window: int) -> Verdict:
        now = time.time()
        rkey, start = self._key(key, window, now)
        count = int(self._redis.run(lambda r: r.get(rkey)) or 0)
        return Verdict(count < limit, count, max(1, math.ceil(start + window - now)))


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

    def peek(self, key: str, limit: int, window: int) -> Verdict:
        try:
            return self._primary.peek(key, limit, window)
        except RedisUnavailable:
            FALLBACKS.labels("rate-limit").inc()
            return self._fallback.peek(key, limit, window)


def too_many(verdict: Verdict, detail: str) -> RateLimited:
    return RateLimited(detail, retry_after=verdict.retry_after)
