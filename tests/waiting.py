"""Wait for a condition, never for a guessed duration: tests don't depend on timing."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(condition: Callable[[], bool], timeout: float = 30.0, poll: float = 0.02) -> bool:
    """True as soon as `condition()` holds; False if it still doesn't after `timeout` seconds
    (a generous bound that only a broken system reaches)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(poll)
    return condition()
