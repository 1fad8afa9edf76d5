"""A circuit breaker per dependency: after repeated failures, stop waiting on it for a while.

Closed: calls go through and failures are counted. Open: calls are refused at once, so a dead or
frozen dependency costs microseconds instead of a timeout per request. After `reset_after`
seconds one trial call goes through (half-open); its success closes the breaker, its failure
opens it again. Thread-safe; one instance per process and dependency.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Literal

from prometheus_client import Counter, Gauge

log = logging.getLogger(__name__)

State = Literal["closed", "open", "half-open"]

TRIPS = Counter("dependency_breaker_trips_total", "Circuit breaker trips", ["dependency"])
OPEN = Gauge(
    "dependency_breaker_open",
    "1 while the dependency's circuit breaker is open in this process",
    ["dependency"],
    multiprocess_mode="livemax",
)


class CircuitBreaker:
    def __init__(
        self,
        name: str,
        *,
        failures: int,
        reset_after: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self._threshold = failures
        self._reset_after = reset_after
        self._clock = clock
        self._lock = threading.Lock()
        self._consecutive = 0
        self._opened_at: float | None = None
        self._trial_started: float | None = None

    @property
    def state(self) -> State:
        with self._lock:
            return self._state(self._clock())

    def _state(self, now: float) -> State:
        if self._opened_at is None:
            return "closed"
        return "half-open" if now - self._opened_at >= self._reset_after else "open"

    def allow(self) -> bool:
        """May a call go to the dependency now? In half-open, one trial at a time."""
        now = self._clock()
        with self._lock:
            state = self._state(now)
            if state == "closed":
                return True
            if state == "open":
                return False
            # Half-open: one trial per reset period; a trial that never reports back (its
            # thread died) doesn't keep the breaker shut for good.
            if self._trial_started is None or now - self._trial_started >= self._reset_after:
                self._trial_started = now
                return True
            return False

    def retry_after(self) -> int:
        """Whole seconds until the next trial; what a refused caller tells its client."""
        with self._lock:
            if self._opened_at is None:
                return 1
            left = self._reset_after - (self._clock() - self._opened_at)
        return max(1, math.ceil(left))

    def success(self) -> None:
        if self._opened_at is None and self._consecutive == 0:
            return  # the hot path: nothing to change, no lock
        with self._lock:
            was_open = self._opened_at is not None
            self._consecutive = 0
            self._opened_at = None
            self._trial_started = None
        if was_open:
            OPEN.labels(self.name).set(0)
            log.warning("%s is back: circuit closed", self.name)

    def failure(self, *, trip: bool = False) -> None:
        """Count a failure; `trip` opens at once (a timeout: waiting again would cost as much)."""
        now = self._clock()
        with self._lock:
            self._consecutive += 1
            state = self._state(now)
            if state == "open":
                return
            if state == "half-open" or trip or self._consecutive >= self._threshold:
                first_trip = self._opened_at is None
                self._opened_at = now
                self._trial_started = None
            else:
                return
        if first_trip:
            TRIPS.labels(self.name).inc()
            OPEN.labels(self.name).set(1)
            # Logged once per trip, not once per refused call.
            log.warning(
                "%s is failing: circuit open, retrying every %.1fs", self.name, self._reset_after
            )
