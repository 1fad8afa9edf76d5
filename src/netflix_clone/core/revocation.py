"""Ended sign-in sessions, so that their access tokens stop working at once.

An access token names its session (`sid`, the refresh-token family). The database is the record:
the unit of work that ends a session (logout, reuse of a rotated refresh token, a password
change, account deletion) leaves no refresh token of its family unrevoked
(`accounts.models.session_ended`), under the member's lock, so nothing racing it survives.

This set makes the check cheap. The unit of work that ends a session also puts it in Redis for
longer than any access token of it can live; every authenticated request asks Redis whether its
session is there: one `EXISTS`. Redis is shared by every worker and pod, so a revocation is seen
everywhere at once. Each process also keeps the revocations it made itself.

Where Redis can't answer, the database does (`database`, one indexed read): without Redis (the
embedded default, several workers) and while Redis is unavailable, every worker still sees
every revocation. A revocation that could not be written to Redis is written as soon as Redis
answers again, by a timer, not only on this process's next request.

A request whose work is one statement anyway (a warm home screen, a movie heartbeat) asks the
database in that statement instead (`web.sessions.authenticate(defer_session_check=True)`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from netflix_clone.core.redis_store import FALLBACKS, GuardedRedis, RedisUnavailable

log = logging.getLogger(__name__)
MAX_LOCAL = 100_000
# A marker outlives every access token of its session: tokens issued before the revocation
# committed expire within the token lifetime of it; a second more covers clock rounding.
SLACK_SECONDS = 1
RESYNC_SECONDS = 1.0


class RevocationSet:
    def __init__(
        self,
        redis: GuardedRedis | None,
        ttl_seconds: int,
        prefix: str = "nc:rev:",
        database: Callable[[str], bool] | None = None,
    ):
        self._redis = redis
        self._ttl = ttl_seconds + SLACK_SECONDS
        self._prefix = prefix
        self._database = database
        self._lock = threading.Lock()
        self._local: dict[str, float] = {}  # session id -> when its entry may be forgotten
        self._unsynced = False
        self._timer: threading.Timer | None = None

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
            self._resync_later()

    def revoked_here(self, session_id: str) -> bool:
        """Whether this process ended the session itself (no round trip)."""
        with self._lock:
            until = self._local.get(session_id)
        return until is not None and until > time.time()

    def is_revoked(self, session_id: str) -> bool:
        if self.revoked_here(session_id):
            return True
        if self._redis is None:
            return self._ask_database(session_id)
        key = self._prefix + session_id
        try:
            if self._unsynced:
                self._resync(self._redis)
            return bool(self._redis.run(lambda r: r.exists(key)))
        except RedisUnavailable:
            FALLBACKS.labels("revocation").inc()
            return self._ask_database(session_id)

    def _ask_database(self, session_id: str) -> bool:
        return self._database(session_id) if self._database is not None else False

    def _resync_later(self) -> None:
        with self._lock:
            if self._timer is not None:
                return
            self._timer = threading.Timer(RESYNC_SECONDS, self._retry)
            self._timer.daemon = True
            self._timer.start()

    def _retry(self) -> None:
        with self._lock:
            self._timer = None
        if not self._unsynced or self._redis is None:
            return
        try:
            self._resync(self._redis)
        except RedisUnavailable:
            self._resync_later()
        except Exception:
            log.exception("writing revocations to Redis failed")
            self._resync_later()

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
