"""Item 8: an access token stops working at once after logout, refresh-token reuse, a password
change and account deletion; across processes through Redis, and in the process that revoked
it while Redis is down."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from netflix_clone.accounts.models import RefreshToken
from netflix_clone.core.db import utcnow
from netflix_clone.web.deps import db_session
from tests.conftest import PASSWORD, AppFactory, Member
from tests.security.helpers import profile_token, profiles_url

ME = "/api/users/me"
CATALOG = "/api/movies?list=popular"  # optional auth: only the token's own validity is checked


@pytest.fixture(params=["in-process", "redis"])
def apps(request: pytest.FixtureRequest, make_app: AppFactory) -> tuple[Flask, Flask]:
    """Two app instances (two workers): with Redis they share the revocation set."""
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        return make_app(redis_url=url), make_app(redis_url=url)
    one = make_app()
    return one, one


def _main_profile_headers(client: FlaskClient, member: Member) -> dict[str, str]:
    items = (client.get(profiles_url(member), headers=member.headers).json or {})["items"]
    return profile_token(client, member, items[0]["id"])


def test_item_8_logout_ends_the_access_tokens_of_the_session(apps: tuple[Flask, Flask]) -> None:
    one, other = (a.test_client() for a in apps)
    member = Member(one, "logout@example.com")
    profile_headers = _main_profile_headers(one, member)
    second = one.post("/api/auth/token", json={"email": member.email, "password": PASSWORD})
    second_headers = {"Authorization": f"Bearer {(second.json or {})['access_token']}"}
    assert other.get(ME, headers=member.headers).status_code == 200
    assert (
        one.post(
            "/api/auth/logout", json={"refresh_token": member.tokens["refresh_token"]}
        ).status_code
        == 204
    )
    for client in (one, other):
        assert client.get(ME, headers=member.headers).status_code == 401
        assert client.get(CATALOG, headers=member.headers).status_code == 401
        assert client.get("/api/profile/list", headers=profile_headers).status_code == 401
        # Another session of the member is untouched.
        assert client.get(ME, headers=second_headers).status_code == 200


def test_item_8_refresh_token_reuse_ends_the_session(
    apps: tuple[Flask, Flask],
) -> None:
    one, other = (a.test_client() for a in apps)
    member = Member(one, "reuse@example.com")
    rotated = one.post("/api/auth/refresh", json={"refresh_token": member.tokens["refresh_token"]})
    assert rotated.status_code == 200
    new_headers = {"Authorization": f"Bearer {(rotated.json or {})['access_token']}"}
    with apps[0].app_context():  # the grace period for a repeated refresh is over
        db_session().execute(
            update(RefreshToken)
            .where(RefreshToken.used_at.is_not(None))
            .values(used_at=utcnow().replace(year=2000))
        )
        db_session().commit()
    reuse = other.post("/api/auth/refresh", json={"refresh_token": member.tokens["refresh_token"]})
    assert reuse.status_code == 401
    for client in (one, other):
        assert client.get(ME, headers=new_headers).status_code == 401
        assert client.get(ME, headers=member.headers).status_code == 401


def test_item_8_a_password_change_ends_every_session(apps: tuple[Flask, Flask]) -> None:
    one, other = (a.test_client() for a in apps)
    member = Member(one, "newpass@example.com")
    changed = one.patch(
        f"/api/users/{member.id}",
        headers=member.headers,
        json={"password": "a-brand-new-passphrase-77", "current_password": PASSWORD},
    )
    assert changed.status_code == 200
    for client in (one, other):
        assert client.get(ME, headers=member.headers).status_code == 401
        assert client.get(CATALOG, headers=member.headers).status_code == 401


def test_item_8_deleting_the_account_ends_its_tokens(apps: tuple[Flask, Flask]) -> None:
    one, other = (a.test_client() for a in apps)
    member = Member(one, "deleted@example.com")
    assert (
        one.delete(
            f"/api/users/{member.id}", headers=member.headers, json={"password": PASSWORD}
        ).status_code
        == 204
    )
    for client in (one, other):
        assert client.get(CATALOG, headers=member.headers).status_code == 401


def test_item_8_revocations_hold_in_process_while_redis_is_down(make_app: AppFactory) -> None:
    app = make_app(redis_url="redis://127.0.0.1:1/0")
    client = app.test_client()
    member = Member(client, "noredis-logout@example.com")
    assert (
        client.post(
            "/api/auth/logout", json={"refresh_token": member.tokens["refresh_token"]}
        ).status_code
        == 204
    )
    assert client.get(ME, headers=member.headers).status_code == 401


def test_item_8_tokens_without_a_session_id_are_refused(client: FlaskClient, app: Flask) -> None:
    import time

    import jwt

    from netflix_clone.core.settings import DEV_SECRET_KEY

    member = Member(client, "nosid@example.com")
    now = int(time.time())
    forged = jwt.encode(
        {
            "iss": "netflix-clone",
            "sub": str(member.id),
            "role": "member",
            "iat": now,
            "exp": now + 60,
        },
        DEV_SECRET_KEY,
        algorithm="HS256",
    )
    assert client.get(ME, headers={"Authorization": f"Bearer {forged}"}).status_code == 401
