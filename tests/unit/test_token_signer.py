"""TokenSigner remembers the tokens it verified, and only while they would verify again."""

from __future__ import annotations

import time

import pytest

from netflix_clone.core import security
from netflix_clone.core.exceptions import Unauthenticated
from netflix_clone.core.security import Principal, TokenSigner

KEY = "a-signing-key-for-these-tests-32-bytes!"
OTHER_KEY = "another-signing-key-for-these-tests-32b!"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock(time.time())  # PyJWT checks "iat" against the real clock
    monkeypatch.setattr(time, "time", clock)
    return clock


def test_a_remembered_token_is_checked_again_once_it_expires(
    clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    signer = TokenSigner(lambda: KEY, ttl_seconds=60)
    principal = Principal(7, "member", 3, "session-1")
    token = signer.issue(principal)
    decoded: list[str] = []
    decode = signer._decode

    def counting(token: str, key: str) -> tuple[Principal, float]:
        decoded.append(token)
        return decode(token, key)

    monkeypatch.setattr(signer, "_decode", counting)
    assert signer.verify(token) == principal
    assert signer.verify(token) == principal
    clock.now += 59
    assert signer.verify(token) == principal
    assert len(decoded) == 1  # the signature was checked once
    clock.now += 1
    # At its expiry the token goes back to PyJWT, which judges by the real clock (not yet
    # expired here); test_accounts.py's expired token is refused end to end.
    signer.verify(token)
    assert len(decoded) == 2


def test_a_rotated_key_forgets_what_the_old_one_verified(clock: Clock) -> None:
    keys = [KEY]
    signer = TokenSigner(lambda: keys[0], ttl_seconds=600)
    token = signer.issue(Principal(7, "member", None, "session-1"))
    assert signer.verify(token).user_id == 7
    keys[0] = OTHER_KEY
    with pytest.raises(Unauthenticated):
        signer.verify(token)


def test_a_forged_or_tampered_token_is_never_remembered(clock: Clock) -> None:
    signer = TokenSigner(lambda: KEY, ttl_seconds=600)
    forged = TokenSigner(lambda: OTHER_KEY, ttl_seconds=600).issue(Principal(1, "admin"))
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            signer.verify(forged)
    token = signer.issue(Principal(7, "member", None, "session-1"))
    signer.verify(token)
    header, payload, signature = token.split(".")
    with pytest.raises(Unauthenticated):
        signer.verify(f"{header}.{payload}.{signature[:-2]}AA")


def test_memory_is_bounded(clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(security, "VERIFIED_CACHE_SIZE", 3)
    signer = TokenSigner(lambda: KEY, ttl_seconds=600)
    tokens = [signer.issue(Principal(i, "member", None, f"s{i}")) for i in range(10)]
    for token in tokens:
        signer.verify(token)
        assert len(signer._verified) <= 3
    assert [signer.verify(t).user_id for t in tokens] == list(range(10))
