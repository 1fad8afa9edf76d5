"""Profiles: limits, main-profile rules, password-gated changes, PIN lock and its rate limit."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import PASSWORD, AppFactory, Member


def profiles_url(member: Member) -> str:
    return f"/api/users/{member.id}/profiles"


def profiles(client: FlaskClient, member: Member) -> list[dict[str, Any]]:
    response = client.get(profiles_url(member), headers=member.headers)
    assert response.status_code == 200
    return list((response.json or {})["items"])


def add_profile(client: FlaskClient, member: Member, **fields: Any) -> dict[str, Any]:
    response = client.post(profiles_url(member), headers=member.headers, json=fields)
    assert response.status_code == 201, response.json
    return dict(response.json or {})


def profile_headers(
    client: FlaskClient, member: Member, profile_id: int, pin: str | None = None
) -> dict[str, str]:
    body = {"pin": pin} if pin else {}
    response = client.post(
        f"{profiles_url(member)}/{profile_id}/token", headers=member.headers, json=body
    )
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {(response.json or {})['access_token']}"}


def test_sign_up_creates_the_main_profile(client: FlaskClient) -> None:
    member = Member(client, "main@example.com")
    (main,) = profiles(client, member)
    assert main["is_main"] is True
    assert main["name"] == "Member"
    assert main["maturity_level"] == "adults"
    assert main["locked"] is False


def test_at_most_five_profiles_with_unique_names(client: FlaskClient) -> None:
    member = Member(client, "five@example.com")
    for i in range(4):
        add_profile(client, member, name=f"P{i}")
    extra = client.post(profiles_url(member), headers=member.headers, json={"name": "P5"})
    assert extra.status_code == 409
    assert extra.json and extra.json["type"].endswith("/profile-limit")
    client.delete(
        f"{profiles_url(member)}/{profiles(client, member)[-1]['id']}", headers=member.headers
    )
    dup = client.post(profiles_url(member), headers=member.headers, json={"name": "P0"})
    assert dup.status_code == 409
    assert dup.json and dup.json["type"].endswith("/name-taken")


def test_main_profile_cannot_be_deleted_or_made_kids(client: FlaskClient) -> None:
    member = Member(client, "rules@example.com")
    main = profiles(client, member)[0]
    url = f"{profiles_url(member)}/{main['id']}"
    assert client.delete(url, headers=member.headers).status_code == 409
    assert client.patch(url, headers=member.headers, json={"kids": True}).status_code == 409


def test_kids_profiles_are_kids_levels(client: FlaskClient) -> None:
    member = Member(client, "kids@example.com")
    kid = add_profile(client, member, name="Kid", kids=True)
    assert kid["maturity_level"] == "older_kids"
    bad = client.post(
        profiles_url(member),
        headers=member.headers,
        json={"name": "Teen kid", "kids": True, "maturity_level": "teens"},
    )
    assert bad.status_code == 422


def test_raising_maturity_needs_the_password(client: FlaskClient) -> None:
    member = Member(client, "raise@example.com")
    teen = add_profile(client, member, name="Teen", maturity_level="teens")
    url = f"{profiles_url(member)}/{teen['id']}"
    lower = client.patch(url, headers=member.headers, json={"maturity_level": "older_kids"})
    assert lower.status_code == 200
    assert (
        client.patch(url, headers=member.headers, json={"maturity_level": "adults"}).status_code
        == 403
    )
    assert (
        client.patch(
            url, headers=member.headers, json={"maturity_level": "adults", "password": "wrong"}
        ).status_code
        == 403
    )
    ok = client.patch(
        url, headers=member.headers, json={"maturity_level": "adults", "password": PASSWORD}
    )
    assert ok.status_code == 200
    assert ok.json and ok.json["maturity_level"] == "adults"


def test_pin_lock_and_its_rate_limit(client: FlaskClient) -> None:
    member = Member(client, "pin@example.com")
    locked = add_profile(client, member, name="Locked", pin="4821", password=PASSWORD)
    assert locked["locked"] is True
    assert "pin" not in str(locked).lower().replace("locked", "")
    token_url = f"{profiles_url(member)}/{locked['id']}/token"
    assert client.post(token_url, headers=member.headers, json={}).status_code == 403
    assert profile_headers(client, member, locked["id"], pin="4821")
    # Every password and PIN check of the account counts (10 in 5 minutes by default); so far:
    # the sign-in, the password that set the PIN, the missing PIN and the right one.
    for _ in range(6):
        assert (
            client.post(token_url, headers=member.headers, json={"pin": "0000"}).status_code == 403
        )
    # The limit is spent: even the right PIN must wait now.
    blocked = client.post(token_url, headers=member.headers, json={"pin": "4821"})
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    malformed = client.post(token_url, headers=member.headers, json={"pin": "12345"})
    assert malformed.status_code == 422


def test_setting_or_removing_a_pin_needs_the_password(client: FlaskClient) -> None:
    member = Member(client, "setpin@example.com")
    p = add_profile(client, member, name="P")
    url = f"{profiles_url(member)}/{p['id']}"
    assert client.patch(url, headers=member.headers, json={"pin": "1234"}).status_code == 403
    assert (
        client.post(
            profiles_url(member), headers=member.headers, json={"name": "Q", "pin": "1234"}
        ).status_code
        == 403
    )
    set_pin = client.patch(url, headers=member.headers, json={"pin": "1234", "password": PASSWORD})
    assert set_pin.json and set_pin.json["locked"] is True
    assert client.patch(url, headers=member.headers, json={"pin": None}).status_code == 403
    removed = client.patch(url, headers=member.headers, json={"pin": None, "password": PASSWORD})
    assert removed.json and removed.json["locked"] is False


def test_profiles_of_another_account_are_always_404(client: FlaskClient, app: Flask) -> None:
    alice = Member(client, "alice-p@example.com")
    bob = Member(client, "bob-p@example.com")
    bob_profile = profiles(client, bob)[0]
    for method, url, body in [
        ("get", profiles_url(bob), None),
        ("post", profiles_url(bob), {"name": "Intruder"}),
        ("get", f"{profiles_url(bob)}/{bob_profile['id']}", None),
        ("patch", f"{profiles_url(bob)}/{bob_profile['id']}", {"name": "x"}),
        ("delete", f"{profiles_url(bob)}/{bob_profile['id']}", None),
        ("post", f"{profiles_url(bob)}/{bob_profile['id']}/token", {}),
        # Alice's own account id with Bob's profile id.
        ("post", f"{profiles_url(alice)}/{bob_profile['id']}/token", {}),
        ("get", f"{profiles_url(alice)}/{bob_profile['id']}", None),
    ]:
        kwargs: dict[str, Any] = {"headers": alice.headers}
        if body is not None:
            kwargs["json"] = body
        assert getattr(client, method)(url, **kwargs).status_code == 404, (method, url)


def test_profile_endpoints_need_a_profile_token(client: FlaskClient) -> None:
    member = Member(client, "scoped@example.com")
    response = client.get("/api/profile/list", headers=member.headers)
    assert response.status_code == 403
    assert response.json and response.json["type"].endswith("/profile-required")
    assert client.get("/api/profile/list").status_code == 401


def test_a_deleted_profiles_token_stops_working(client: FlaskClient) -> None:
    member = Member(client, "gone-profile@example.com")
    p = add_profile(client, member, name="Temp")
    headers = profile_headers(client, member, p["id"])
    assert client.get("/api/profile/list", headers=headers).status_code == 200
    assert (
        client.delete(f"{profiles_url(member)}/{p['id']}", headers=member.headers).status_code
        == 204
    )
    assert client.get("/api/profile/list", headers=headers).status_code == 401


@pytest.mark.parametrize("field", ["name", "avatar", "language"])
def test_profile_field_validation(client: FlaskClient, field: str) -> None:
    member = Member(client, f"v-{field}@example.com")
    bad = {"name": "  ", "avatar": "../../etc", "language": "english"}[field]
    body = {"name": "Ok", field: bad}
    response = client.post(profiles_url(member), headers=member.headers, json=body)
    assert response.status_code == 422
    assert response.json and response.json["errors"][0]["field"] == field


def test_concurrent_profile_creation_respects_the_limit(make_app: AppFactory) -> None:
    import threading

    app = make_app()
    client = app.test_client()
    member = Member(client, "race-profiles@example.com")
    statuses: list[int] = []
    barrier = threading.Barrier(8)

    def create(i: int) -> None:
        c = app.test_client()
        barrier.wait()
        statuses.append(
            c.post(profiles_url(member), headers=member.headers, json={"name": f"R{i}"}).status_code
        )

    threads = [threading.Thread(target=create, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses.count(201) == 4
    assert len(profiles(client, member)) == 5
