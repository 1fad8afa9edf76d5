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
    # Every password and PIN check of the session counts (10 in 5 minutes by default); so far:
    # the password that set the PIN, the missing PIN and the right one.
    for _ in range(7):
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


# --- the same operations under /api/users/me: a client needs no user id ----------------------


def test_me_routes_act_on_the_signed_in_account_only(client: FlaskClient) -> None:
    ada = Member(client, "ada-me@example.com")
    bob = Member(client, "bob-me@example.com")
    add_profile(client, bob, name="Bob's other")

    listed = client.get("/api/users/me/profiles", headers=ada.headers)
    assert listed.status_code == 200
    assert listed.json == client.get(profiles_url(ada), headers=ada.headers).json
    (main,) = listed.json["items"]  # type: ignore[index]

    created = client.post("/api/users/me/profiles", headers=ada.headers, json={"name": "Kids"})
    assert created.status_code == 201, created.json
    kids = created.json or {}
    assert [p["id"] for p in profiles(client, ada)] == [main["id"], kids["id"]]
    assert len(profiles(client, bob)) == 2  # Bob's account is untouched

    one = client.get(f"/api/users/me/profiles/{kids['id']}", headers=ada.headers)
    assert one.status_code == 200 and one.json == kids
    renamed = client.patch(
        f"/api/users/me/profiles/{kids['id']}", headers=ada.headers, json={"name": "Little"}
    )
    assert renamed.status_code == 200 and (renamed.json or {})["name"] == "Little"

    chosen = client.post(f"/api/users/me/profiles/{main['id']}/token", headers=ada.headers, json={})
    assert chosen.status_code == 200
    assert (chosen.json or {})["profile"]["id"] == main["id"]
    profile_token = {"Authorization": f"Bearer {(chosen.json or {})['access_token']}"}
    assert client.get("/api/profile/list", headers=profile_token).status_code == 200

    # Someone else's profile id under /me is simply not found, never theirs.
    bobs = profiles(client, bob)[1]["id"]
    for method in ("get", "patch", "delete"):
        other = client.open(
            f"/api/users/me/profiles/{bobs}", method=method.upper(), headers=ada.headers, json={}
        )
        assert other.status_code == 404, (method, other.json)
    assert client.post(
        f"/api/users/me/profiles/{bobs}/token", headers=ada.headers, json={}
    ).status_code in (403, 404)

    deleted = client.delete(f"/api/users/me/profiles/{kids['id']}", headers=ada.headers)
    assert deleted.status_code == 204
    assert [p["id"] for p in profiles(client, ada)] == [main["id"]]
    assert client.get("/api/users/me/profiles").status_code == 401


def test_me_routes_for_the_account_itself(client: FlaskClient) -> None:
    ada = Member(client, "ada-self@example.com")
    changed = client.patch("/api/users/me", headers=ada.headers, json={"display_name": "Ada L."})
    assert changed.status_code == 200 and (changed.json or {})["display_name"] == "Ada L."
    assert (client.get(f"/api/users/{ada.id}", headers=ada.headers).json or {})[
        "display_name"
    ] == "Ada L."
    gone = client.delete("/api/users/me", headers=ada.headers, json={"password": PASSWORD})
    assert gone.status_code == 204
    assert client.get("/api/users/me", headers=ada.headers).status_code == 401


def test_me_routes_are_documented(client: FlaskClient) -> None:
    paths = (client.get("/openapi.json").json or {})["paths"]
    assert set(paths["/api/users/me/profiles"]) == {"get", "post"}
    assert set(paths["/api/users/me/profiles/{profile_id}"]) == {"get", "patch", "delete"}
    assert set(paths["/api/users/me/profiles/{profile_id}/token"]) == {"post"}
    assert set(paths["/api/users/me"]) == {"get", "patch", "delete"}


def test_kids_rules_in_a_patch_body_and_against_the_stored_profile(client: FlaskClient) -> None:
    member = Member(client, "kidsrules@example.com")
    other = add_profile(client, member, name="Other")
    url = f"{profiles_url(member)}/{other['id']}"
    # kids: true with no level (or an explicit null) picks the kids default, as creation does.
    made_kids = client.patch(
        url, headers=member.headers, json={"kids": True, "maturity_level": None}
    )
    assert made_kids.status_code == 200, made_kids.json
    assert (made_kids.json or {})["maturity_level"] == "older_kids"
    # The body contradicts itself: 422, as the schema's if/then says.
    contradiction = client.patch(
        url, headers=member.headers, json={"kids": True, "maturity_level": "adults"}
    )
    assert contradiction.status_code == 422
    # The body is fine, the stored kids flag refuses it: 409, with the way out.
    stored = client.patch(url, headers=member.headers, json={"maturity_level": "teens"})
    assert stored.status_code == 409
    assert (stored.json or {})["type"].endswith("/kids-profile")
    assert "kids: false" in (stored.json or {})["detail"]
    schema = (client.get("/openapi.json").json or {})["components"]["schemas"]["ProfilePatch"]
    assert schema["if"] == {"properties": {"kids": {"const": True}}, "required": ["kids"]}
