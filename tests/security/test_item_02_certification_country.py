"""Item 2: nothing a kids profile can change loosens its filter; the certification country is
an account setting changed only with the password, and `language` only picks display text."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.conftest import PASSWORD, Member
from tests.security.helpers import FIGHT_CLUB, kid, problem_code, profiles_url


def test_item_2_language_does_not_change_the_certification_country(client: FlaskClient) -> None:
    member = Member(client, "country@example.com")
    assert member.user["country"] == "US"
    profile, kid_headers = kid(client, member)  # older_kids: up to 12
    assert client.get(f"/api/movies/{FIGHT_CLUB}", headers=kid_headers).status_code == 403

    # The reproduction: Japanese as the display language rated Fight Club by JP's PG12.
    changed = client.patch(
        f"{profiles_url(member)}/{profile['id']}",
        headers=member.headers,
        json={"language": "ja-JP"},
    )
    assert changed.status_code == 200
    assert (changed.json or {})["language"] == "ja-JP"
    assert client.get(f"/api/movies/{FIGHT_CLUB}", headers=kid_headers).status_code == 403
    listed = client.get("/api/movies?list=popular&language=ja-JP", headers=kid_headers)
    assert FIGHT_CLUB not in [m["id"] for m in (listed.json or {})["results"]]


def test_item_2_the_country_is_an_account_setting_that_needs_the_password(
    client: FlaskClient,
) -> None:
    member = Member(client, "country2@example.com")
    _, kid_headers = kid(client, member)
    url = f"/api/users/{member.id}"
    refused = client.patch(url, headers=member.headers, json={"country": "JP"})
    assert refused.status_code == 403
    assert problem_code(refused) == "password-required"
    wrong = client.patch(
        url, headers=member.headers, json={"country": "JP", "current_password": "not-it"}
    )
    assert wrong.status_code == 403
    assert (
        client.patch(
            url, headers=member.headers, json={"country": "XX", "current_password": PASSWORD}
        ).status_code
        == 422
    )
    assert client.get(url, headers=member.headers).json["country"] == "US"  # type: ignore[index]
    # With the password the account chooses Japan's ratings, for every profile at once.
    # ISO 3166-1 codes are upper case, as the schema's enum says; "jp" is not one.
    lower = client.patch(
        url, headers=member.headers, json={"country": "jp", "current_password": PASSWORD}
    )
    assert lower.status_code == 422
    ok = client.patch(
        url, headers=member.headers, json={"country": "JP", "current_password": PASSWORD}
    )
    assert ok.status_code == 200
    assert (ok.json or {})["country"] == "JP"
    assert client.get(f"/api/movies/{FIGHT_CLUB}", headers=kid_headers).status_code == 200


def test_item_2_sign_up_takes_a_country(client: FlaskClient) -> None:
    body = {"email": "gb@example.com", "password": PASSWORD, "display_name": "Brit"}
    created = client.post("/api/users", json={**body, "country": "GB"})
    assert created.status_code == 201
    assert (created.json or {})["country"] == "GB"
    bad = client.post("/api/users", json={**body, "email": "q@example.com", "country": "Q1"})
    assert bad.status_code == 422
