"""The circuit breaker: closed, open after failures, one trial when half-open."""

from __future__ import annotations

from typing import Any

import pytest

from netflix_clone.core.breaker import CircuitBreaker
from netflix_clone.core.redis_store import GuardedRedis, RedisUnavailable


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def state(b: CircuitBreaker) -> str:
    return b.state  # read afresh each time (mypy would narrow a repeated `b.state`)


def breaker(clock: Clock, failures: int = 3) -> CircuitBreaker:
    return CircuitBreaker("test", failures=failures, reset_after=2.0, clock=clock)


def test_opens_after_consecutive_failures_only() -> None:
    clock = Clock()
    b = breaker(clock)
    b.failure()
    b.failure()
    b.success()  # a success in between resets the count
    b.failure()
    b.failure()
    assert state(b) == "closed" and b.allow()
    b.failure()
    assert state(b) == "open"
    assert not b.allow()
    assert b.retry_after() == 2


def test_a_timeout_trips_at_once() -> None:
    b = breaker(Clock())
    b.failure(trip=True)
    assert state(b) == "open"


def test_half_open_lets_one_trial_through_and_its_outcome_decides() -> None:
    clock = Clock()
    b = breaker(clock, failures=1)
    b.failure()
    clock.now += 2.0
    assert state(b) == "half-open"
    assert b.allow()  # the trial
    assert not b.allow()  # everyone else still waits
    b.failure()
    assert state(b) == "open"
    clock.now += 2.0
    assert b.allow()
    b.success()
    assert state(b) == "closed"
    assert all(b.allow() for _ in range(5))


def test_a_trial_that_never_reports_back_does_not_shut_it_for_good() -> None:
    clock = Clock()
    b = breaker(clock, failures=1)
    b.failure()
    clock.now += 2.0
    assert b.allow()
    clock.now += 2.0
    assert b.allow()


class FlakyClient:
    def __init__(self) -> None:
        self.calls = 0
        self.down = True

    def get(self, key: str) -> Any:
        import redis

        self.calls += 1
        if self.down:
            raise redis.ConnectionError("refused")
        return b"value"


def test_guarded_redis_stops_calling_a_dead_server_until_the_trial() -> None:
    clock = Clock()
    client = FlakyClient()
    guarded = GuardedRedis(client, breaker(clock, failures=2))
    for _ in range(10):
        with pytest.raises(RedisUnavailable):
            guarded.run(lambda r: r.get("k"))
    assert client.calls == 2  # the breaker refused the other eight without a network call
    client.down = False
    clock.now += 2.0
    assert guarded.run(lambda r: r.get("k")) == b"value"
    assert guarded.breaker.state == "closed"


def test_guarded_redis_lets_our_own_bugs_through() -> None:
    import redis

    guarded = GuardedRedis(object(), breaker(Clock()))

    def bad(_: Any) -> Any:
        raise redis.ResponseError("WRONGTYPE Operation against a key holding the wrong kind")

    with pytest.raises(redis.ResponseError):
        guarded.run(bad)
    assert guarded.breaker.state == "closed"
