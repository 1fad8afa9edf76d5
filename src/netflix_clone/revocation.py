"""Ended sign-in sessions, so that their access tokens stop working at once.

An access token names its session (`sid`, the refresh-token family). Logout, reuse of a rotated
refresh token, a password change and account deletion put the session here for as long as an
access token can live; every authenticated request asks whether its session is in the set: one
Redis `EXISTS`, nothing else.

Redis is shared by every worker and pod, so a revocation is seen everywhere at once. Each process
also keeps the revocations it made itself: while Redis is unavailable those still hold in the
process that made them (other processes learn of them when Redis is back: the process writes
what it could not write as soon as Redis answers again).

The database is the record: the unit of work that ends a session leaves no refresh token of its
family unrevoked (`accounts.models.session_ended`). A request whose work is one statement
anyway (a warm home screen, a movie heartbeat) asks the database in that statement instead of
asking Redis (`security.authenticate(defer_session_check=True)`): the same answer, and one
round trip fewer; where that statement cannot answer, the request asks both.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any

from netflix_clone.redis_store import FALLBACKS, GuardedRedis, RedisUnavailable

MAX_LOCAL = 100_000


class RevocationSet:
    def __init__(self, redis: GuardedRedis | None, ttl_seconds: int, prefix: str = "nc:rev:"):
        self._redis = redis
        self._ttl = ttl_seconds
        self._prefix = prefix
        self._lock = threading.Lock()
        self._local: dict[str, float] = {}  # session id -> when its entry may be forgotten
        self._unsynced = False

    def revoke(self, session_ids: Iterable[str]) -> None:
        ids = [s for s in dict.fromkeys(session_ids) if s]
        if not ids:
            return
        until = time.time() + self._ttl
        with self._lock:
            if len(self._local) + len(ids) > MAX_LOCAL:
                self._forget_expired()
            for sid in ids:
                self._local[sid] = until
        if self._redis is None:
            return
        try:
            self._write(self._redis, dict.fromkeys(ids, self._ttl))
        except RedisUnavailable:
            FALLBACKS.labels("revocation").inc()
            self._unsynced = True

    def revoked_here(self, session_id: str) -> bool:
        """Whether this process ended the session itself (no round trip)."""
        with self._lock:
            until = self._local.get(session_id)
        return until is not None and until > time.time()

    def is_revoked(self, session_id: str) -> bool:
        if self.revoked_here(session_id):
            return True
        if self._redis is None:
            return False
        key = self._prefix + session_id
        try:
            if self._unsynced:
                self._resync(self._redis)
            return bool(self._redis.run(lambda r: r.exists(key)))
        except RedisUnavailable:
            FALLBACKS.labels("revocation").inc()
            return False  # this process's own revocations were checked above

    def _write(self, redis: GuardedRedis, ttls: dict[str, int]) -> None:
        def write(r: Any) -> Any:
            pipe = r.pipeline(transaction=False)
            for sid, ttl in ttls.items():
                pipe.set(self._prefix + sid, b"1", ex=max(1, ttl))
            return pipe.execute()

        redis.run(write)

    def _resync(self, redis: GuardedRedis) -> None:
        now = time.time()
        with self._lock:
            pending = {s: int(until - now) + 1 for s, until in self._local.items() if until > now}
        if pending:
            self._write(redis, pending)
        self._unsynced = False

    def _forget_expired(self) -> None:
        now = time.time()
        for sid in [s for s, until in self._local.items() if until <= now]:
            del self._local[sid]
