"""Where catalog data comes from (TMDB or the bundled demo), behind one cached, guarded fetch.

`Catalog.fetch(path, params)` returns TMDB-shaped JSON for a v3 path. It is shared by the
`/api/movies` endpoints (which normalise it) and the TMDB-compatible gateway (which does not).
"""

from __future__ import annotations

import hashlib
import logging
import math
import random
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal, Protocol
from urllib.parse import urlencode

from netflix_clone.accounts.models import Profile
from netflix_clone.catalog.demo_tmdb import DemoTMDB
from netflix_clone.catalog.models import TitleKey
from netflix_clone.catalog.tmdb import (
    TMDBClient,
    TMDBKeys,
    UpstreamBudgetSpent,
    UpstreamBusy,
    UpstreamError,
    UpstreamNotFound,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamTimeout,
)
from netflix_clone.catalog.tmdb_rules import cache_class
from netflix_clone.core.cache import CacheBackend, Entry, MemoryCache, RedisCache, SingleFlight
from netflix_clone.core.db import Session
from netflix_clone.core.observability import CACHE
from netflix_clone.core.ratelimit import RateLimiter, requester
from netflix_clone.core.redis_store import GuardedRedis
from netflix_clone.core.settings import Settings

# Titles a profile has hidden, asked of member data (the app factory wires library's answer).
Exclusions = Callable[[Session, Profile], set[TitleKey]]

log = logging.getLogger(__name__)

CacheStatus = Literal["hit", "miss", "stale"]
SourceName = Literal["tmdb", "demo"]

# Freshness by kind of resource (seconds); entries are kept STALE_FACTOR times longer for
# stale-if-error, within TMDB's six-month cap.
TTL = {
    "list": 10 * 60,
    "search": 10 * 60,
    "details": 6 * 3600,
    "genres": 3 * 86400,
    "configuration": 3 * 86400,
}
STALE_KEEP = 7 * 86400
NEAR_SECONDS = 10
NEAR_ENTRIES = 2000
BUDGET_TRIES = 3
BUDGET_TRIES_BACKGROUND = 5
REFRESH_WORKERS = 2
SLOT_POLL = 0.05


# Cold misses are charged to the requester (ratelimit.requester: a member's account, or a
# client address), so no one member can spend the TMDB budget that every member shares.
# Background work (refreshes, title rows) runs with no requester.
BUDGET_SPENT = (
    "You have asked for many titles we don't hold yet in a short time; try again shortly."
)


def kind_of(path: str) -> str:
    """The freshness class of a v3 path (movie or TV), from TMDB's route table."""
    return cache_class(path)


class Source(Protocol):
    name: SourceName

    def get(self, path: str, params: Mapping[str, str]) -> Any: ...


class TMDBSource:
    name: SourceName = "tmdb"

    def __init__(self, client: TMDBClient) -> None:
        self._client = client

    def get(self, path: str, params: Mapping[str, str]) -> Any:
        return self._client.get(path, params)


class DemoSource:
    name: SourceName = "demo"

    def __init__(self, demo: DemoTMDB | None = None) -> None:
        self._demo = demo or DemoTMDB.default()

    def get(self, path: str, params: Mapping[str, str]) -> Any:
        status, body = self._demo.handle(path, params)
        if status == 200:
            return body
        if status == 404:
            raise UpstreamNotFound(
                f"The demo catalog has no {path}.", upstream_status=404, body=body
            )
        raise UpstreamRejected(
            f"The demo catalog refused {path} with {status}.", upstream_status=status, body=body
        )


@dataclass(frozen=True)
class Fetched:
    body: Any
    source: SourceName
    cache: CacheStatus
    age: int
    stored_at: float
    fresh_until: float = 0.0  # what is derived from this answer may be reused until then


def cache_key(source: str, path: str, params: Mapping[str, str]) -> str:
    query = urlencode(sorted(params.items()))
    digest = hashlib.sha256(f"{path}?{query}".encode()).hexdigest()[:32]
    return f"{source}:{path.split('/', maxsplit=1)[0]}:{digest}"


class Catalog:
    """Cache in front of a source.

    - a fresh entry is answered at once (`hit`);
    - a stale one is answered at once too (`stale`) while one background task per key refreshes
      it (stale-while-revalidate): a slow or failing upstream costs nothing for what we hold;
    - a cold miss waits for the upstream, single-flight per key, but only on one of a few
      upstream slots per worker (a bulkhead): when they are all taken, it is a quick 503 with
      `Retry-After`, so a slow upstream can never tie up every request thread;
    - an upstream `Retry-After` starts a cool-down: cold misses answer 503 until it passes,
      and no thread sleeps through it.
    """

    def __init__(
        self,
        source: Source,
        backend: CacheBackend,
        limiter: RateLimiter,
        budget_per_second: int,
        wait: float = 10.0,
        slots: int = 2,
        slot_wait: float = 0.5,
        requester_budget: int = 60,
        requester_window: int = 60,
        image_base: str = "",
    ) -> None:
        self.source = source
        # Where this catalog's images are served from (TMDB's CDN, or our demo placeholders).
        self.image_base = image_base
        # Genre id -> name per (kind, language, cache entry): a few languages, stays tiny.
        self.genre_memo: dict[tuple[str, str, float], dict[int, str]] = {}
        # Titles a profile hid (disliked, removed from history): member data provides this
        # when the app is wired, so the catalog never imports it.
        self.exclusions: Exclusions | None = None
        self._requester_budget = requester_budget
        self._requester_window = requester_window
        self._backend = backend
        self._flight = SingleFlight(backend)
        self._limiter = limiter
        self._budget = budget_per_second
        self._wait = wait
        self._slots = threading.BoundedSemaphore(slots)
        self._slot_wait = slot_wait
        self._cooldown_until = 0.0
        self._refreshing: set[str] = set()
        self._refresh_lock = threading.Lock()
        self._refresher: ThreadPoolExecutor | None = None
        # A near cache only when the main one is shared (Redis); an in-process one is near already.
        self._near = None if isinstance(backend, MemoryCache) else MemoryCache(NEAR_ENTRIES)

    def fetch(self, path: str, params: Mapping[str, str]) -> Fetched:
        key = cache_key(self.source.name, path, params)
        cached = self._near.get(key) if self._near is not None else None
        if cached is None or not cached.is_fresh():
            cached = self._backend.get(key) or cached
            if cached is not None and cached.is_fresh():
                self._remember(key, cached)
        if cached is not None:
            if cached.is_fresh():
                CACHE.labels("hit").inc()
                return Fetched(
                    cached.value,
                    self.source.name,
                    "hit",
                    cached.age(),
                    cached.stored_at,
                    cached.fresh_until,
                )
            self._revalidate(key, path, params)
            CACHE.labels("stale").inc()
            return Fetched(
                cached.value,
                self.source.name,
                "stale",
                cached.age(),
                cached.stored_at,
                cached.fresh_until,
            )
        CACHE.labels("miss").inc()
        entry = self._load_cold(key, path, params)
        return Fetched(
            entry.value, self.source.name, "miss", entry.age(), entry.stored_at, entry.fresh_until
        )

    def peek(self, path: str, params: Mapping[str, str]) -> Fetched | None:
        """What we hold for this request, fresh or stale, without asking the upstream: None
        when we hold nothing. The demo catalog is local: it answers (nothing to spare)."""
        if self.source.name != "tmdb":
            return self.fetch(path, params)
        key = cache_key(self.source.name, path, params)
        cached = self._near.get(key) if self._near is not None else None
        if cached is None:
            cached = self._backend.get(key)
        if cached is None:
            return None
        status: CacheStatus = "hit" if cached.is_fresh() else "stale"
        return Fetched(
            cached.value,
            self.source.name,
            status,
            cached.age(),
            cached.stored_at,
            cached.fresh_until,
        )

    def charge(self, calls: int = 1) -> int:
        """Charge `calls` upstream calls to the current requester (none: nothing to charge);
        how many fit in its budget."""
        who = requester.get()
        if self.source.name != "tmdb" or who is None:
            return calls
        for done in range(calls):
            hit = self._limiter.hit(
                f"upstream:by:{who}", self._requester_budget, self._requester_window
            )
            if not hit.allowed:
                return done
        return calls

    def _charge_requester(self) -> None:
        who = requester.get()
        if self.source.name != "tmdb" or who is None:
            return
        verdict = self._limiter.hit(
            f"upstream:by:{who}", self._requester_budget, self._requester_window
        )
        if not verdict.allowed:
            raise UpstreamBudgetSpent(BUDGET_SPENT, retry_after=verdict.retry_after)

    def _load_cold(self, key: str, path: str, params: Mapping[str, str]) -> Entry:
        self._charge_requester()
        cooldown = self._cooldown_until - time.monotonic()
        if cooldown > 0:
            raise UpstreamRateLimited(
                "TMDB asked us to slow down; try again shortly.", retry_after=math.ceil(cooldown)
            )
        landed = self._wait_for_slot(key)
        if landed is not None:
            return landed
        try:
            return self._flight.run(key, lambda: self._load(key, path, params, False), self._wait)
        except TimeoutError as exc:
            raise UpstreamTimeout(str(exc)) from None
        finally:
            self._slots.release()

    def _wait_for_slot(self, key: str) -> Entry | None:
        """Take an upstream slot; or the entry itself, when a request ahead of us lands it
        while we wait (a burst for one cold key then costs one slot, not a queue)."""
        deadline = time.monotonic() + self._slot_wait
        while not self._slots.acquire(timeout=min(SLOT_POLL, self._slot_wait)):
            landed = self._backend.get(key)
            if landed is not None and landed.is_fresh():
                return landed
            if time.monotonic() >= deadline:
                raise UpstreamBusy("Every upstream slot of this worker is busy.", retry_after=1)
        return None

    def _load(self, key: str, path: str, params: Mapping[str, str], background: bool) -> Entry:
        # Another thread or process may have filled the key while we queued for it.
        current = self._backend.get(key)
        if current is not None and current.is_fresh():
            return current
        self._spend_budget(background)
        try:
            body = self.source.get(path, params)
        except UpstreamRateLimited as exc:
            if exc.retry_after:
                self._cooldown_until = time.monotonic() + exc.retry_after
            raise
        now = time.time()
        ttl = TTL[kind_of(path)]
        entry = Entry(body, now, now + ttl)
        self._backend.set(key, entry, ttl + STALE_KEEP)  # only successes are ever stored
        self._remember(key, entry)
        return entry

    def _revalidate(self, key: str, path: str, params: Mapping[str, str]) -> None:
        """Refresh a stale key in the background, once per key in this process."""
        with self._refresh_lock:
            if key in self._refreshing:
                return
            self._refreshing.add(key)
            if self._refresher is None:
                self._refresher = ThreadPoolExecutor(
                    max_workers=REFRESH_WORKERS, thread_name_prefix="catalog-refresh"
                )
            refresher = self._refresher
        params = dict(params)

        def refresh() -> None:
            try:
                self._flight.run(key, lambda: self._load(key, path, params, True), self._wait)
            except (UpstreamError, TimeoutError) as exc:
                # The stale copy keeps being served; the next request for it tries again.
                log.warning("refresh of stale %s failed: %s", path, type(exc).__name__)
            except Exception:
                log.exception("refresh of stale %s failed", path)
            finally:
                with self._refresh_lock:
                    self._refreshing.discard(key)

        refresher.submit(refresh)

    def _remember(self, key: str, entry: Entry) -> None:
        """Keep a shared-cache entry in this process for a few seconds: a hot key then costs a
        dictionary lookup instead of a Redis round trip and a JSON decode on every request."""
        if self._near is not None:
            self._near.set(key, entry, NEAR_SECONDS)

    def _spend_budget(self, background: bool) -> None:
        if self.source.name != "tmdb":
            return
        # A burst of misses queues rather than fail at once: the budget is a moving one-second
        # window, so a second from now the oldest call has left it. A request waits at most
        # two such seconds, a background refresh a little longer.
        tries = BUDGET_TRIES_BACKGROUND if background else BUDGET_TRIES
        for attempt in range(tries):
            if self._limiter.hit("tmdb:upstream", self._budget, 1).allowed:
                return
            if attempt < tries - 1:
                time.sleep(1.0 + random.uniform(0, 0.05))  # noqa: S311
        raise UpstreamRateLimited(
            "Our own TMDB request budget is spent; try again shortly.", retry_after=1
        )


def build_catalog(
    settings: Settings, redis_client: GuardedRedis | None, limiter: RateLimiter
) -> Catalog:
    backend: CacheBackend = (
        RedisCache(redis_client, fallback=MemoryCache(settings.cache_max_entries))
        if redis_client is not None
        else MemoryCache(settings.cache_max_entries)
    )
    source: Source
    if settings.effective_catalog_source == "tmdb":
        client = TMDBClient(
            settings.tmdb_base_url,
            TMDBKeys(settings),
            connect_timeout=settings.tmdb_connect_timeout,
            read_timeout=settings.tmdb_read_timeout,
            deadline=settings.tmdb_deadline,
            max_attempts=settings.tmdb_max_attempts,
        )
        source = TMDBSource(client)
    else:
        source = DemoSource()
    return Catalog(
        source,
        backend,
        limiter,
        settings.tmdb_budget_per_second,
        wait=settings.tmdb_deadline + 2,
        slots=settings.upstream_slots,
        slot_wait=settings.upstream_slot_wait,
        requester_budget=settings.upstream_budget_per_requester,
        requester_window=settings.upstream_budget_window_seconds,
        image_base=settings.tmdb_image_base_url,
    )
