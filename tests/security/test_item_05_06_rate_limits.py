"""Items 5 and 6: atomic limits for every password and PIN check (signed-in checks per session,
sign-ins per account and address), sign-up limited per client address, and a moving window
that no boundary doubles. Issue 23 row 3 (tests/security/test_attack_03_*) has the owner's side."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from netflix_clone.core.ratelimit import FallbackRateLimiter, MemoryRateLimiter, RateLimiter
from netflix_clone.core.ratelimit import RedisRateLimiter as RedisLimiter
from netflix_clone.core.redis_store import connect
from tests.conftest import PASSWORD, AppFactory, Member, test_settings
from tests.security.helpers import add_profile, problem_code, profiles_url


def _parallel(count: int, call: Callable[[], Any]) -> list[Any]:
    results: list[Any] = []
    barrier = threading.Barrier(count)

    def run() -> None:
        barrier.wait()
        results.append(call())

    threads = [threading.Thread(target=run) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_item_5_every_signed_in_password_and_pin_check_counts_against_the_session(
    make_app: AppFactory,
) -> None:
    app = make_app(checks_limit_per_session=5)
    client = app.test_client()
    member = Member(client, "guessed@example.com")
    locked = add_profile(client, member, name="Locked", pin="1234", password=PASSWORD)  # 1
    kid = add_profile(client, member, name="Kid", kids=True)
    user_url = f"/api/users/{member.id}"
    # 2: current_password, 3: the profile password, 4: a PIN, 5: a wrong password to delete.
    assert (
        client.patch(
            user_url,
            headers=member.headers,
            json={"email": "x@example.com", "current_password": "a"},
        ).status_code
        == 403
    )
    assert (
        client.patch(
            f"{profiles_url(member)}/{kid['id']}",
            headers=member.headers,
            json={"maturity_level": "teens", "kids": False, "password": "b"},
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"{profiles_url(member)}/{locked['id']}/token",
            headers=member.headers,
            json={"pin": "0000"},
        ).status_code
        == 403
    )
    assert (
        client.delete(user_url, headers=member.headers, json={"password": "c" * 10}).status_code
        == 403
    )
    # The session's allowance is spent: the right password is refused too, wherever it is asked.
    for response in (
        client.patch(
            user_url,
            headers=member.headers,
            json={"email": "x@example.com", "current_password": PASSWORD},
        ),
        client.post(
            f"{profiles_url(member)}/{locked['id']}/token",
            headers=member.headers,
            json={"pin": "1234"},
        ),
    ):
        assert response.status_code == 429, response.json
        assert problem_code(response) == "rate-limited"
        assert int(response.headers["Retry-After"]) >= 1
    # A new session of the member has its own allowance; signing in was never limited by it.
    again = Member.sign_in(client, member.email)
    assert (
        client.post(
            f"{profiles_url(member)}/{locked['id']}/token",
            headers=again,
            json={"pin": "1234"},
        ).status_code
        == 200
    )


def test_item_5_sign_up_is_limited_per_client_address(make_app: AppFactory) -> None:
    app = make_app(signup_limit_per_ip=2)
    client = app.test_client()

    def sign_up(n: int, address: str) -> Any:
        return client.post(
            "/api/users",
            json={"email": f"new{n}@example.com", "password": PASSWORD, "display_name": "New"},
            environ_base={"REMOTE_ADDR": address},
        )

    assert [sign_up(n, "198.51.100.7").status_code for n in range(2)] == [201, 201]
    refused = sign_up(2, "198.51.100.7")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert sign_up(3, "198.51.100.8").status_code == 201


def test_item_6_parallel_wrong_sign_ins_are_checked_at_most_the_limit(make_app: AppFactory) -> None:
    app = make_app(login_limit_per_account=10, login_limit_per_ip=1000)
    client = app.test_client()
    member = Member(client, "parallel@example.com")  # 1 of the 10
    body = {"email": member.email, "password": "wrong-password-guess"}
    statuses = _parallel(
        29, lambda: app.test_client().post("/api/auth/token", json=body).status_code
    )
    assert statuses.count(401) == 9
    assert statuses.count(429) == 20


def test_item_6_parallel_pins_are_checked_at_most_the_limit(make_app: AppFactory) -> None:
    app = make_app(checks_limit_per_session=7)
    client = app.test_client()
    member = Member(client, "pins@example.com")
    locked = add_profile(client, member, name="Locked", pin="1234", password=PASSWORD)  # 1
    url = f"{profiles_url(member)}/{locked['id']}/token"
    statuses = _parallel(
        40,
        lambda: (
            app.test_client().post(url, headers=member.headers, json={"pin": "9999"}).status_code
        ),
    )
    assert statuses.count(403) == 6
    assert statuses.count(429) == 34


@pytest.fixture(params=["memory", "redis"])
def limiter(request: pytest.FixtureRequest) -> RateLimiter:
    if request.param == "memory":
        return MemoryRateLimiter()
    guarded = connect(test_settings(redis_url=request.getfixturevalue("redis_url")))
    assert guarded is not None
    return FallbackRateLimiter(RedisLimiter(guarded), MemoryRateLimiter())


def test_item_6_no_window_boundary_doubles_the_allowance(limiter: RateLimiter) -> None:
    window = 2
    # Spend the allowance just before a fixed two-second boundary, then try just after it.
    time.sleep((1.6 - time.time() % window) % window)
    assert [limiter.hit("boundary", 3, window).allowed for _ in range(3)] == [True] * 3
    time.sleep(window - time.time() % window + 0.1)  # a new fixed window would start here
    refused = limiter.hit("boundary", 3, window)
    assert not refused.allowed
    assert 1 <= refused.retry_after <= window


def test_item_6_limits_fall_back_to_the_process_while_redis_is_down(
    make_app: AppFactory,
) -> None:
    app: Flask = make_app(redis_url="redis://127.0.0.1:1/0", login_limit_per_account=3)
    client = app.test_client()
    Member(client, "down@example.com")
    body = {"email": "down@example.com", "password": "wrong-password-guess"}
    statuses = [client.post("/api/auth/token", json=body).status_code for _ in range(4)]
    assert statuses == [401, 401, 429, 429]
