"""Item 1: a profile token (kids or not) cannot manage profiles or the account."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.conftest import PASSWORD, Member
from tests.security.helpers import (
    FIGHT_CLUB,
    add_profile,
    kid,
    problem_code,
    profile_token,
    profiles_url,
)


def test_item_1_profile_tokens_cannot_create_change_or_delete_profiles_or_the_account(
    client: FlaskClient,
) -> None:
    member = Member(client, "parent@example.com")
    kids_profile, kid_headers = kid(client, member)
    other = add_profile(client, member, name="Teen", maturity_level="teens")
    main_id = next(
        p["id"]
        for p in (client.get(profiles_url(member), headers=member.headers).json or {})["items"]
        if p["is_main"]
    )
    adult_headers = profile_token(client, member, main_id)

    # The reproduction: a kids profile's token made an unlocked adults profile, took a token
    # for it and opened an R-rated title.
    for headers in (kid_headers, adult_headers):
        attempts = [
            client.post(
                profiles_url(member),
                headers=headers,
                json={"name": "Grown-up", "maturity_level": "adults"},
            ),
            client.patch(
                f"{profiles_url(member)}/{kids_profile['id']}",
                headers=headers,
                json={"name": "Renamed"},
            ),
            client.patch(
                f"{profiles_url(member)}/{other['id']}",
                headers=headers,
                json={"maturity_level": "little_kids"},
            ),
            client.delete(f"{profiles_url(member)}/{other['id']}", headers=headers),
            client.patch(
                f"/api/users/{member.id}", headers=headers, json={"display_name": "Hacked"}
            ),
            client.patch(
                f"/api/users/{member.id}",
                headers=headers,
                json={"country": "JP", "current_password": PASSWORD},
            ),
            client.delete(f"/api/users/{member.id}", headers=headers, json={"password": PASSWORD}),
            client.get("/api/users", headers=headers),
        ]
        for response in attempts:
            assert response.status_code == 403, (response.request.method, response.json)
            assert problem_code(response) == "account-token-required"
    names = [
        p["name"]
        for p in (client.get(profiles_url(member), headers=member.headers).json or {})["items"]
    ]
    assert names == ["Member", "Kid", "Teen"]
    assert client.get(f"/api/movies/{FIGHT_CLUB}", headers=kid_headers).status_code == 403
    # Reading stays open to profile tokens, and the account token still does everything.
    assert client.get(profiles_url(member), headers=kid_headers).status_code == 200
    assert client.get("/api/users/me", headers=kid_headers).status_code == 200
    assert add_profile(client, member, name="Fourth")["name"] == "Fourth"
