"""Accounts and auth over the HTTP API, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from netflix_clone.accounts.models import RefreshToken, User
from netflix_clone.web.deps import db_session, wiring
from tests.conftest import PASSWORD, AppFactory, Member, bearer, login, sign_up


def promote(app: Flask, user_id: int) -> None:
    with app.app_context():
        db_session().execute(update(User).where(User.id == user_id).values(role="admin"))
        db_session().commit()


def assert_no_secrets(body: object) -> None:
    text = json.dumps(body)
    assert "password" not in text
    assert "argon2" not in text
    assert "hash" not in text


# --- sign-up ---------------------------------------------------------------------------------


def test_sign_up_returns_the_member_with_id_and_location(client: FlaskClient) -> None:
    response = client.post(
        "/api/users",
        json={
            "email": "  Ada.Lovelace@Example.COM ",
            "password": PASSWORD,
            "display_name": " Ada  L ",
        },
    )
    assert response.status_code == 201
    body = response.json
    assert body is not None
    assert body["email"] == "ada.lovelace@example.com"
    assert body["display_name"] == "Ada L"
    assert body["role"] == "member"
    assert isinstance(body["id"], int)
    assert body["created_at"].endswith("Z")
    assert response.headers["Location"] == f"/api/users/{body['id']}"
    assert_no_secrets(body)


def test_duplicate_email_is_409_whatever_the_case(client: FlaskClient) -> None:
    sign_up(client, "dup@example.com")
    response = client.post(
        "/api/users",
        json={"email": "DUP@example.com", "password": PASSWORD, "display_name": "Again"},
    )
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    assert response.json and response.json["type"].endswith("/email-taken")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "at least 10"),
        ("password123", "too common"),
        ("qwertyuiop", "too common"),
        ("carol-the-admin", "email name"),
        ("aaaaaaaaaaaaaaa", "variety"),
        ("abababababab", "variety"),
    ],
)
def test_password_policy(client: FlaskClient, password: str, message: str) -> None:
    response = client.post(
        "/api/users",
        json={"email": "carol@example.com", "password": password, "display_name": "Carol"},
    )
    assert response.status_code == 422
    assert response.json is not None
    errors = response.json["errors"]
    assert errors[0]["field"] == "password"
    assert message in errors[0]["message"]


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "@example.com", "x" * 250 + "@e.com"])
def test_invalid_email_is_422(client: FlaskClient, email: str) -> None:
    response = client.post(
        "/api/users", json={"email": email, "password": PASSWORD, "display_name": "X"}
    )
    assert response.status_code == 422
    assert response.json and response.json["errors"][0]["field"] == "email"


def test_blank_or_control_char_display_name_is_422(client: FlaskClient) -> None:
    for name in ["   ", "bad\u0007name"]:
        response = client.post(
            "/api/users",
            json={"email": "n@example.com", "password": PASSWORD, "display_name": name},
        )
        assert response.status_code == 422
        assert response.json and response.json["errors"][0]["field"] == "display_name"


def test_concurrent_duplicate_sign_ups_exactly_one_wins(app: Flask) -> None:
    statuses: list[int] = []
    barrier = threading.Barrier(8)

    def attempt() -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(
            "/api/users",
            json={"email": "race@example.com", "password": PASSWORD, "display_name": "R"},
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201] + [409] * 7
    with app.app_context():
        assert db_session().scalar(select(func.count()).select_from(User)) == 1


# --- tokens ----------------------------------------------------------------------------------


def test_token_is_oauth2_shaped_and_signed(client: FlaskClient, app: Flask) -> None:
    member = Member(client, "tok@example.com")
    tokens = member.tokens
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == wiring(app).services.settings.access_token_ttl_seconds
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert claims["sub"] == str(member.id)
    assert "email" not in claims


def test_wrong_password_and_unknown_email_look_the_same(client: FlaskClient) -> None:
    sign_up(client, "who@example.com")
    wrong = client.post("/api/auth/token", json={"email": "who@example.com", "password": "nope"})
    unknown = client.post("/api/auth/token", json={"email": "ghost@example.com", "password": "x"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json and unknown.json
    assert wrong.json["detail"] == unknown.json["detail"]
    assert wrong.headers["WWW-Authenticate"].startswith("Bearer")


def test_me_requires_a_valid_token(client: FlaskClient, app: Flask) -> None:
    assert client.get("/api/users/me").status_code == 401
    assert client.get("/api/users/me", headers={"Authorization": "Bearer junk"}).status_code == 401
    assert client.get("/api/users/me", headers={"Authorization": "Basic abc"}).status_code == 401
    member = Member(client, "me@example.com")
    forged = jwt.encode(
        {"sub": str(member.id), "iss": "netflix-clone", "iat": 1, "exp": 2**31},
        "an-attacker-chosen-key-of-32-bytes!!",
        algorithm="HS256",
    )
    assert (
        client.get("/api/users/me", headers={"Authorization": f"Bearer {forged}"}).status_code
        == 401
    )
    response = client.get("/api/users/me", headers=member.headers)
    assert response.status_code == 200
    assert response.json and response.json["email"] == "me@example.com"
    assert response.headers["Cache-Control"] == "no-store"


def test_expired_access_token_is_401(make_app: AppFactory) -> None:
    app = make_app(access_token_ttl_seconds=60)
    client = app.test_client()
    member = Member(client, "exp@example.com")
    key = "local-development-only-secret-key-do-not-deploy"
    expired = jwt.encode(
        {"sub": str(member.id), "iss": "netflix-clone", "iat": 1, "exp": 2}, key, algorithm="HS256"
    )
    response = client.get("/api/users/me", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401


def test_refresh_rotates_and_reuse_revokes_the_family(make_app: AppFactory) -> None:
    app = make_app(refresh_grace_seconds=0)  # reuse at once counts as reuse
    client = app.test_client()
    member = Member(client, "rot@example.com")
    first = member.tokens["refresh_token"]
    second = client.post("/api/auth/refresh", json={"refresh_token": first})
    assert second.status_code == 200
    assert second.json is not None
    new_refresh = second.json["refresh_token"]
    assert new_refresh != first
    # The old one comes back: treat as theft, revoke everything in the family.
    reuse = client.post("/api/auth/refresh", json={"refresh_token": first})
    assert reuse.status_code == 401
    assert reuse.json and "revoked" in reuse.json["detail"]
    assert client.post("/api/auth/refresh", json={"refresh_token": new_refresh}).status_code == 401
    # Another session of the same member is a separate family and survives.
    other = login(client, "rot@example.com")
    assert (
        client.post("/api/auth/refresh", json={"refresh_token": other["refresh_token"]}).status_code
        == 200
    )
    with app.app_context():
        hashes = db_session().scalars(select(RefreshToken.token_hash)).all()
        assert first not in hashes and new_refresh not in hashes  # stored hashed only


def test_concurrent_refresh_with_one_token_yields_one_pair(app: Flask) -> None:
    client = app.test_client()
    member = Member(client, "race-refresh@example.com")
    answers: list[tuple[int, str]] = []
    barrier = threading.Barrier(4)

    def attempt() -> None:
        c = app.test_client()
        barrier.wait()
        r = c.post("/api/auth/refresh", json={"refresh_token": member.tokens["refresh_token"]})
        answers.append((r.status_code, (r.json or {}).get("refresh_token", "")))

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [status for status, _ in answers] == [200] * 4
    assert len({token for _, token in answers}) == 1
    with app.app_context():  # one rotation: the original and its one successor
        assert db_session().scalar(select(func.count()).select_from(RefreshToken)) == 2


def test_unknown_and_expired_refresh_tokens_are_401(client: FlaskClient, app: Flask) -> None:
    assert client.post("/api/auth/refresh", json={"refresh_token": "nope"}).status_code == 401
    member = Member(client, "old@example.com")
    with app.app_context():
        db_session().execute(update(RefreshToken).values(expires_at=RefreshToken.created_at))
        db_session().commit()
    response = client.post(
        "/api/auth/refresh", json={"refresh_token": member.tokens["refresh_token"]}
    )
    assert response.status_code == 401
    assert response.json and "expired" in response.json["detail"]


def test_logout_revokes_the_session(client: FlaskClient) -> None:
    member = Member(client, "bye@example.com")
    assert (
        client.post(
            "/api/auth/logout", json={"refresh_token": member.tokens["refresh_token"]}
        ).status_code
        == 204
    )
    after = client.post("/api/auth/refresh", json={"refresh_token": member.tokens["refresh_token"]})
    assert after.status_code == 401
    # Signed out is not a stolen token: say the session ended, not that it "was already used".
    assert (after.json or {})["detail"] == (
        "This session has ended (signed out or revoked); sign in again."
    )
    # Logging out an unknown token reveals nothing.
    assert client.post("/api/auth/logout", json={"refresh_token": "whatever"}).status_code == 204


# --- rate limits -----------------------------------------------------------------------------


def test_login_is_rate_limited_per_account(make_app: AppFactory) -> None:
    app = make_app(login_limit_per_account=3, login_limit_per_ip=100)
    client = app.test_client()
    sign_up(client, "limited@example.com")
    for _ in range(3):
        bad = client.post("/api/auth/token", json={"email": "limited@example.com", "password": "x"})
        assert bad.status_code == 401
    blocked = client.post(
        "/api/auth/token", json={"email": "Limited@example.com", "password": PASSWORD}
    )
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert blocked.content_type == "application/problem+json"
    # Another account from the same address is unaffected.
    sign_up(client, "fine@example.com")
    assert login(client, "fine@example.com")["access_token"]


def test_login_is_rate_limited_per_address(make_app: AppFactory) -> None:
    app = make_app(login_limit_per_ip=2, login_limit_per_account=100)
    client = app.test_client()
    sign_up(client, "ip@example.com")
    for _ in range(2):
        client.post("/api/auth/token", json={"email": "ip@example.com", "password": PASSWORD})
    response = client.post(
        "/api/auth/token", json={"email": "ip@example.com", "password": PASSWORD}
    )
    assert response.status_code == 429
    other = client.post(
        "/api/auth/token",
        json={"email": "ip@example.com", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.9.8.7"},
    )
    assert other.status_code == 200


@pytest.mark.redis
def test_login_limit_is_shared_through_redis(
    make_app: AppFactory, worker_tag: str, redis_url: str
) -> None:
    first = make_app(redis_url=redis_url, login_limit_per_ip=2)
    second = make_app(redis_url=redis_url, login_limit_per_ip=2)
    ip = {"REMOTE_ADDR": f"10.{len(worker_tag)}.0.{hash(worker_tag) % 250}"}
    body = {"email": "r@example.com", "password": "whatever"}
    assert (
        first.test_client().post("/api/auth/token", json=body, environ_base=ip).status_code == 401
    )
    assert (
        second.test_client().post("/api/auth/token", json=body, environ_base=ip).status_code == 401
    )
    # Two "processes", one budget.
    assert (
        first.test_client().post("/api/auth/token", json=body, environ_base=ip).status_code == 429
    )


# --- reading and changing members ------------------------------------------------------------


def test_members_cannot_read_or_change_each_other(client: FlaskClient) -> None:
    alice = Member(client, "alice@example.com")
    bob = Member(client, "bob@example.com")
    for method in ("get", "patch", "delete"):
        kwargs: dict[str, object] = {"headers": alice.headers}
        if method == "patch":
            kwargs["json"] = {"display_name": "pwned"}
        response = getattr(client, method)(f"/api/users/{bob.id}", **kwargs)
        assert response.status_code == 404, method
    me = client.get(f"/api/users/{bob.id}", headers=bob.headers)
    assert me.status_code == 200
    assert me.json and me.json["display_name"] == "Member"
    assert client.get("/api/users", headers=alice.headers).status_code == 403


def test_patch_own_profile_and_credentials(client: FlaskClient) -> None:
    member = Member(client, "patch@example.com")
    url = f"/api/users/{member.id}"
    response = client.patch(url, headers=member.headers, json={"display_name": "New Name"})
    assert response.status_code == 200
    assert response.json and response.json["display_name"] == "New Name"
    # Email and password changes need the current password.
    assert (
        client.patch(url, headers=member.headers, json={"email": "new@example.com"}).status_code
        == 403
    )
    assert (
        client.patch(
            url,
            headers=member.headers,
            json={"password": "another-long-passphrase", "current_password": "wrong"},
        ).status_code
        == 403
    )
    changed = client.patch(
        url,
        headers=member.headers,
        json={"password": "another-long-passphrase", "current_password": PASSWORD},
    )
    assert changed.status_code == 200
    # Other sessions end with a password change.
    assert (
        client.post(
            "/api/auth/refresh", json={"refresh_token": member.tokens["refresh_token"]}
        ).status_code
        == 401
    )
    # ... and so does this one: its access token stops working at once.
    assert client.patch(url, headers=member.headers, json={}).status_code == 401
    headers = bearer(login(client, "patch@example.com", "another-long-passphrase"))
    assert client.patch(url, headers=headers, json={"role": "admin"}).status_code == 403
    assert client.patch(url, headers=headers, json={}).status_code == 200


def test_email_change_to_a_taken_address_is_409(client: FlaskClient) -> None:
    sign_up(client, "taken@example.com")
    member = Member(client, "mover@example.com")
    response = client.patch(
        f"/api/users/{member.id}",
        headers=member.headers,
        json={"email": "Taken@example.com", "current_password": PASSWORD},
    )
    assert response.status_code == 409


def test_delete_removes_the_member_and_their_sessions(client: FlaskClient, app: Flask) -> None:
    member = Member(client, "gone@example.com")
    login(client, "gone@example.com")
    url = f"/api/users/{member.id}"
    assert client.delete(url, headers=member.headers).status_code == 403  # no password
    assert (
        client.delete(url, headers=member.headers, json={"password": PASSWORD}).status_code == 204
    )
    assert client.get("/api/users/me", headers=member.headers).status_code == 401
    with app.app_context():
        assert db_session().scalar(select(func.count()).select_from(RefreshToken)) == 0
        assert db_session().get(User, member.id) is None
    # The email is free again.
    sign_up(client, "gone@example.com")


def test_admin_can_read_change_delete_and_list(client: FlaskClient, app: Flask) -> None:
    admin = Member(client, "root@example.com")
    promote(app, admin.id)
    target = Member(client, "target@example.com")
    assert client.get(f"/api/users/{target.id}", headers=admin.headers).status_code == 200
    response = client.patch(
        f"/api/users/{target.id}",
        headers=admin.headers,
        json={"display_name": "Renamed", "role": "admin"},
    )
    assert response.status_code == 200
    assert response.json and response.json["role"] == "admin"
    assert (
        client.patch(
            f"/api/users/{admin.id}", headers=admin.headers, json={"role": "member"}
        ).status_code
        == 409
    )
    assert (
        client.delete(
            f"/api/users/{target.id}", headers=admin.headers, json={"password": PASSWORD}
        ).status_code
        == 204
    )
    assert client.get(f"/api/users/{target.id}", headers=admin.headers).status_code == 404


def test_admin_list_is_paginated_stable_and_filterable(client: FlaskClient, app: Flask) -> None:
    admin = Member(client, "zz-admin@example.com")
    promote(app, admin.id)
    for i in range(7):
        sign_up(client, f"page{i}@example.com")
    sign_up(client, "pa_ge@example.com")
    seen: list[int] = []
    cursor = None
    while True:
        query = "per_page=3" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(f"/api/users?{query}", headers=admin.headers)
        assert response.status_code == 200
        body = response.json
        assert body is not None
        assert len(body["items"]) <= 3
        seen.extend(item["id"] for item in body["items"])
        assert_no_secrets(body)
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen)
    assert len(seen) == 9
    filtered = client.get("/api/users?email_prefix=PAGE&per_page=100", headers=admin.headers)
    assert filtered.json is not None
    emails = [i["email"] for i in filtered.json["items"]]
    assert emails == [f"page{i}@example.com" for i in range(7)]
    # '_' is a literal character, not a LIKE wildcard.
    literal = client.get("/api/users?email_prefix=pa_&per_page=100", headers=admin.headers)
    assert literal.json is not None
    assert [i["email"] for i in literal.json["items"]] == ["pa_ge@example.com"]
    bad = client.get("/api/users?cursor=!!!", headers=admin.headers)
    assert bad.status_code == 422
    assert client.get("/api/users?per_page=1000", headers=admin.headers).status_code == 422


def test_demoted_admin_loses_admin_access_at_once(client: FlaskClient, app: Flask) -> None:
    admin = Member(client, "was-admin@example.com")
    promote(app, admin.id)
    assert client.get("/api/users", headers=admin.headers).status_code == 200
    with app.app_context():
        db_session().execute(update(User).where(User.id == admin.id).values(role="member"))
        db_session().commit()
    assert client.get("/api/users", headers=admin.headers).status_code == 403


def test_unknown_ids_are_404_not_errors(
    client: FlaskClient, member_factory: Callable[[str], Member]
) -> None:
    member = member_factory("ids@example.com")
    for path in (
        "/api/users/0",
        "/api/users/-1",
        "/api/users/99999999999999999999",
        "/api/users/abc",
        "/api/users/9223372036854775",
    ):
        response = client.get(path, headers=member.headers)
        assert response.status_code == 404, path
        assert response.content_type == "application/problem+json"


def test_tokens_of_a_deleted_member_stop_working(client: FlaskClient) -> None:
    member = Member(client, "tmp@example.com")
    client.delete(f"/api/users/{member.id}", headers=member.headers, json={"password": PASSWORD})
    assert (
        client.patch(
            f"/api/users/{member.id}", headers=member.headers, json={"display_name": "x"}
        ).status_code
        == 401
    )


def test_names_with_a_tab_or_newline_are_refused_as_the_spec_says(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").json or {}
    sign_up = spec["components"]["schemas"]["SignUp"]["properties"]["display_name"]
    pattern = sign_up["pattern"]
    for name in ["Ada\tLovelace", "Ada\nLovelace", "Ada\u0085"]:
        assert re.fullmatch(pattern, name) is None
        response = client.post(
            "/api/users",
            json={"email": "tab@example.com", "password": PASSWORD, "display_name": name},
        )
        assert response.status_code == 422, name
        (error,) = (response.json or {})["errors"]
        assert error["field"] == "display_name"
        assert error["message"].endswith("must not contain control characters")
    search = next(
        p for p in spec["paths"]["/api/movies/search"]["get"]["parameters"] if p["name"] == "q"
    )
    assert search["schema"]["pattern"] == pattern
    profile = spec["components"]["schemas"]["ProfileCreate"]["properties"]["name"]
    assert profile["pattern"] == pattern
