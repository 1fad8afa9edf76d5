"""Loopback helpers for tests: a free port, and waiting for a condition, never for a guessed
duration (tests don't depend on timing)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable


def free_port() -> int:
    """A port nothing listens on right now, on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(condition: Callable[[], bool], timeout: float = 30.0, poll: float = 0.02) -> bool:
    """True as soon as `condition()` holds; False if it still doesn't after `timeout` seconds
    (a generous bound that only a broken system reaches)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(poll)
    return condition()
