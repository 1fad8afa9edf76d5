"""Catalog cache: fresh/stale entries, Redis or a bounded in-process LRU, and single-flight.

An entry outlives its freshness on purpose: while it is stale it is not served normally, but it
is what we serve when the upstream fails (stale-if-error).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from netflix_clone.core.redis_store import FALLBACKS, GuardedRedis, RedisUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    value: Any
    stored_at: float
    fresh_until: float

    def is_fresh(self, now: float | None = None) -> bool:
        return (now or time.time()) < self.fresh_until

    def age(self, now: float | None = None) -> int:
        return max(0, int((now or time.time()) - self.stored_at))


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRU(Generic[K, V]):
    """A small thread-safe LRU for derived values (rendered answers, normalised cards) keyed by
    the cache entry they were derived from, so they never outlive it."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            if len(self._items) > self._size:
                self._items.popitem(last=False)


class CacheBackend(Protocol):
    def get(self, key: str) -> Entry | None: ...

    def set(self, key: str, entry: Entry, keep_for: float) -> None: ...

    def lock(self, key: str, ttl: float) -> str | None: ...

    def unlock(self, key: str, token: str) -> None: ...

    def is_locked(self, key: str) -> bool: ...


class MemoryCache:
    """Size-bounded LRU for one process."""

    def __init__(self, max_entries: int) -> None:
        self._max = max_entries
        self._lock = threading.Lock()
        self._data: OrderedDict[str, tuple[Entry, float]] = OrderedDict()

    def get(self, key: str) -> Entry | None:
        now = time.time()
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            entry, expires = item
            if now >= expires:
                del self._data[key]
                return None
            self._data.move_to_end(key)
            return entry

    def set(self, key: str, entry: Entry, keep_for: float) -> None:
        with self._lock:
            self._data[key] = (entry, time.time() + keep_for)
            self._data.move_to_end(key)
            while len(self._data) > self._max:
                self._data.popitem(last=False)

    def lock(self, key: str, ttl: float) -> str | None:
        return "local"  # within a process, SingleFlight's own futures do the work

    def unlock(self, key: str, token: str) -> None:
        return None

    def is_locked(self, key: str) -> bool:
        return False

    def __len__(self) -> int:
        return len(self._data)


_UNLOCK = """if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0"""


class RedisCache:
    """Shared by every worker and pod. While Redis fails (or its breaker is open) entries are
    read from and written to an in-process fallback, and single-flight is per process: a Redis
    outage costs hit rate, never a request."""

    def __init__(
        self, redis: GuardedRedis, fallback: MemoryCache, prefix: str = "nc:cache:"
    ) -> None:
        self._redis = redis
        self._fallback = fallback
        self._prefix = prefix
        self._unlock = redis.register_script(_UNLOCK)

    def get(self, key: str) -> Entry | None:
        try:
            raw = self._redis.run(lambda r: r.get(self._prefix + key))
        except RedisUnavailable:
            FALLBACKS.labels("cache").inc()
            return self._fallback.get(key)
        if raw is None:
            return None
        try:
            data = json.loads(raw)
            return Entry(data["v"], float(data["s"]), float(data["f"]))
        except (ValueError, KeyError, TypeError):
            return None

    def set(self, key: str, entry: Entry, keep_for: float) -> None:
        payload = json.dumps(
            {"v": entry.value, "s": entry.stored_at, "f": entry.fresh_until}, separators=(",", ":")
        )
        try:
            self._redis.run(lambda r: r.set(self._prefix + key, payload, ex=max(1, int(keep_for))))
        except RedisUnavailable:
            FALLBACKS.labels("cache").inc()
            self._fallback.set(key, entry, keep_for)

    def lock(self, key: str, ttl: float) -> str | None:
        token = uuid.uuid4().hex
        try:
            ok = self._redis.run(
                lambda r: r.set(
                    self._prefix + "lock:" + key, token, nx=True, px=max(1, int(ttl * 1000))
                )
            )
        except RedisUnavailable:
            FALLBACKS.labels("single-flight").inc()
            return token  # per-process single-flight (SingleFlight's futures) still holds
        return token if ok else None

    def unlock(self, key: str, token: str) -> None:
        lock_key = self._prefix + "lock:" + key
        with contextlib.suppress(RedisUnavailable):  # else the lock expires by itself
            self._redis.run(lambda _: self._unlock(keys=[lock_key], args=[token]))

    def is_locked(self, key: str) -> bool:
        try:
            return bool(self._redis.run(lambda r: r.exists(self._prefix + "lock:" + key)))
        except RedisUnavailable:
            return False


class SingleFlight:
    """At most one loader per key at a time: in this process with futures, across processes with
    a Redis lock while the others poll the cache for the winner's result."""

    def __init__(self, backend: CacheBackend, lock_ttl: float = 15.0, poll: float = 0.02) -> None:
        self._backend = backend
        self._lock_ttl = lock_ttl
        self._poll = poll
        self._mutex = threading.Lock()
        self._inflight: dict[str, Future[Entry]] = {}

    def run(self, key: str, load: Callable[[], Entry], wait: float) -> Entry:
        with self._mutex:
            future = self._inflight.get(key)
            leader = future is None
            if future is None:
                future = Future()
                self._inflight[key] = future
        if not leader:
            return future.result(timeout=wait)
        try:
            entry = self._across_processes(key, load, wait)
            future.set_result(entry)
            return entry
        except BaseException as exc:
            future.set_exception(exc)
            raise
        finally:
            with self._mutex:
                self._inflight.pop(key, None)

    def _across_processes(self, key: str, load: Callable[[], Entry], wait: float) -> Entry:
        deadline = time.monotonic() + wait
        seen = self._backend.get(key)
        while True:
            token = self._backend.lock(key, self._lock_ttl)
            if token is not None:
                try:
                    return load()
                finally:
                    self._backend.unlock(key, token)
            # Another process is loading this key: wait for its result to land in the cache.
            while time.monotonic() < deadline:
                time.sleep(self._poll)
                current = self._backend.get(key)
                if current is not None and current.is_fresh() and current != seen:
                    return current
                if not self._backend.is_locked(key):
                    break  # the other loader finished without a result; try ourselves
            else:
                raise TimeoutError(f"waited {wait:.1f}s for another process to load {key}")
