"""Fake TMDB v3 server for tests and offline development (see ``server.py``)."""

from devtools.fake_tmdb.server import (
    FakeState,
    FakeTMDB,
    FakeTMDBServer,
    FaultRule,
    apply_patch,
    new_api_key,
    new_read_token,
)

__all__ = [
    "FakeState",
    "FakeTMDB",
    "FakeTMDBServer",
    "FaultRule",
    "apply_patch",
    "new_api_key",
    "new_read_token",
]
