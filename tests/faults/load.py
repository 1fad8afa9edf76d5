"""A bounded load of real HTTP requests (threads, keep-alive clients) and what it saw.

Every loop stops by itself: at a deadline, or when the test sets `stop`. Each outcome records
the operation, the status (or the client error), the latency and when it started, relative to
the start of the run, so a test can look at a window (during the fault, after it).
"""

from __future__ import annotations

import gc
import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx

Operation = Callable[[httpx.Client], httpx.Response]


@contextmanager
def collector_out_of_the_way() -> Iterator[None]:
    """Keep this process's garbage collector from pausing the clients while they measure.

    The test process holds a few hundred thousand long-lived objects (pytest, the app's modules,
    the demo catalog); a full collection during a run walks them all and stops every client
    thread for 170-200 ms, which the clients would record as the server's latency. What exists
    before the run is frozen (`gc.freeze`), so collections walk only what the run makes."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@dataclass(frozen=True)
class Outcome:
    name: str
    status: int | str  # an HTTP status, or the client error's class name
    latency: float
    started: float


@dataclass
class Run:
    outcomes: list[Outcome] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    marks: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, outcome: Outcome) -> None:
        with self._lock:
            self.outcomes.append(outcome)

    def mark(self, name: str) -> float:
        self.marks[name] = time.monotonic() - self.started
        return self.marks[name]

    def select(
        self, names: Iterable[str] | None = None, since: float = 0.0, until: float = math.inf
    ) -> list[Outcome]:
        wanted = set(names) if names is not None else None
        with self._lock:
            return [
                o
                for o in self.outcomes
                if (wanted is None or o.name in wanted) and since <= o.started < until
            ]


def statuses(outcomes: Iterable[Outcome]) -> Counter[int | str]:
    return Counter(o.status for o in outcomes)


def percentile(outcomes: list[Outcome], q: float) -> float:
    """The q-th percentile latency in seconds (nearest rank); 0 for no outcomes."""
    if not outcomes:
        return 0.0
    ordered = sorted(o.latency for o in outcomes)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def worker(
    run: Run,
    base_url: str,
    name: str,
    operation: Operation,
    stop: threading.Event,
    deadline: float,
    pause: float = 0.0,
    timeout: float = 30.0,
) -> threading.Thread:
    """A thread that repeats `operation` on one keep-alive client until `stop` or `deadline`."""

    def loop() -> None:
        with httpx.Client(base_url=base_url, timeout=timeout) as client:
            while not stop.is_set() and time.monotonic() < deadline:
                began = time.monotonic()
                try:
                    status: int | str = operation(client).status_code
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                run.add(Outcome(name, status, time.monotonic() - began, began - run.started))
                if pause:
                    stop.wait(pause)

    thread = threading.Thread(target=loop, name=f"load-{name}", daemon=True)
    thread.start()
    return thread
