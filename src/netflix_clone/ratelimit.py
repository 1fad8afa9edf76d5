"""Fixed-window rate limits, shared through Redis when REDIS_URL is set, else per process."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

from netflix_clone.errors import ApiError


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
    def __init__(self, client: Any, prefix: str = "nc:rl:") -> None:
        self._redis = client
        self._prefix = prefix

    def _key(self, key: str, window: int, now: float) -> tuple[str, float]:
        start = int(now // window) * window
        return f"{self._prefix}{key}:{start}", start

    def hit(self, key: str, limit: int, window: int) -> Verdict:
        now = time.time()
        rkey, start = self._key(key, window, now)
        pipe = self._redis.pipeline(transaction=True)
        pipe.incr(rkey)
        pipe.expire(rkey, window + 1)
        count = int(pipe.execute()[0])
        return Verdict(count <= limit, count, max(1, math.ceil(start + window - now)))

    def peek(self, key: str, limit: int, window: int) -> Verdict:
        now = time.time()
        rkey, start = self._key(key, window, now)
        count = int(self._redis.get(rkey) or 0)
        return Verdict(count < limit, count, max(1, math.ceil(start + window - now)))


def too_many(verdict: Verdict, detail: str) -> ApiError:
    return ApiError(
        429,
        detail,
        code="rate-limited",
        headers={"Retry-After": str(verdict.retry_after)},
        extra={"retry_after": verdict.retry_after},
    )
