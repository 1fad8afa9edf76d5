"""The database watchdog charges the database only for time this process was running.

A full collection or a starved host stops every thread of the process: a round trip that ended
at the server during the pause is seen to end only afterwards. The watchdog waking late says so;
without this, CI's one failure of that kind opened the breaker and gave a test a 503.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine

from netflix_clone.core import db as dbmod
from netflix_clone.core.settings import Settings


@pytest.fixture
def cuts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sockets the watchdog cut (file descriptors)."""
    made: list[int] = []
    monkeypatch.setattr(dbmod, "_cut", made.append)
    return made


@pytest.fixture
def guard(cuts: list[int]) -> Any:
    settings = Settings(app_env="test", db_operation_timeout=6.0)
    return dbmod.DatabaseGuard(settings, create_engine("sqlite://"))


def _outstanding(guard: Any, started: float, fd: int = 7) -> None:
    guard._watches[fd] = dbmod._Watch(started + guard._timeout, fd)
    guard._progress = started


def test_a_round_trip_outstanding_while_nothing_completes_opens_the_breaker(
    guard: Any, cuts: list[int]
) -> None:
    _outstanding(guard, started=100.0)
    guard._tick(100.0 + dbmod.STALLED / 2)
    assert guard.breaker.state == "closed"
    guard._tick(100.0 + dbmod.STALLED)
    assert guard.breaker.state == "open"
    assert cuts == []


def test_a_pause_of_the_process_is_not_charged_to_the_database(guard: Any) -> None:
    _outstanding(guard, started=100.0)
    # The watchdog wakes 2 s late: the whole process (and the thread that would have seen the
    # round trip end) was stopped.
    guard._tick(102.5, paused=2.0)
    assert guard.breaker.state == "closed"
    assert guard._stalled_for(102.5) == 0.0
    # Still outstanding a full STALLED of running time after the pause: now it counts.
    guard._tick(102.5 + dbmod.STALLED)
    assert guard.breaker.state == "open"


def test_the_deadline_moves_by_the_pause_and_then_cuts(guard: Any, cuts: list[int]) -> None:
    _outstanding(guard, started=100.0)
    guard._tick(106.5, paused=3.0)  # 6.5 s of wall time, 3.5 s of it running
    assert cuts == []
    guard._tick(109.0)  # 6 s of running time
    assert cuts == [7]


def test_a_slot_waiter_gives_up_only_after_running_time_without_progress(guard: Any) -> None:
    guard._progress = 100.0
    guard._resumed = 105.0
    assert guard._stalled_for(105.5) == pytest.approx(0.5)
    assert guard._stalled_for(106.0) == pytest.approx(dbmod.STALLED)
