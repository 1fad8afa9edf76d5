"""Item 3: deleting the account needs the password; deleting a PIN-locked profile needs its PIN
or the account password."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.conftest import PASSWORD, Member
from tests.security.helpers import add_profile, problem_code, profiles_url


def test_item_3_deleting_the_account_needs_the_password(client: FlaskClient) -> None:
    member = Member(client, "delete-me@example.com")
    url = f"/api/users/{member.id}"
    missing = client.delete(url, headers=member.headers)
    assert missing.status_code == 403
    assert problem_code(missing) == "password-required"
    assert (
        client.delete(url, headers=member.headers, json={"password": "wrong-one"}).status_code
        == 403
    )
    assert client.get("/api/users/me", headers=member.headers).status_code == 200
    assert (
        client.delete(url, headers=member.headers, json={"password": PASSWORD}).status_code == 204
    )


def test_item_3_deleting_a_locked_profile_needs_its_pin_or_the_password(
    client: FlaskClient,
) -> None:
    member = Member(client, "locked-delete@example.com")
    first = add_profile(client, member, name="Locked1", pin="1357", password=PASSWORD)
    second = add_profile(client, member, name="Locked2", pin="2468", password=PASSWORD)
    open_one = add_profile(client, member, name="Open")
    base = profiles_url(member)

    refused = client.delete(f"{base}/{first['id']}", headers=member.headers)
    assert refused.status_code == 403
    assert problem_code(refused) == "pin-required"
    for body in ({"pin": "0000"}, {"password": "not-the-password"}):
        assert (
            client.delete(f"{base}/{first['id']}", headers=member.headers, json=body).status_code
            == 403
        )
    assert (
        client.delete(f"{base}/{first['id']}", headers=member.headers, json={"pin": "1357"})
    ).status_code == 204
    assert (
        client.delete(f"{base}/{second['id']}", headers=member.headers, json={"password": PASSWORD})
    ).status_code == 204
    assert client.delete(f"{base}/{open_one['id']}", headers=member.headers).status_code == 204
    items = (client.get(base, headers=member.headers).json or {})["items"]
    assert [p["name"] for p in items] == ["Member"]
