"""Item 7: common and guessable passwords are refused by a strength estimator, saying why."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.conftest import PASSWORD, Member


@pytest.mark.parametrize("password", ["netflix123", "abcd1234ab", "abcdabcdab", "qwertyuiop1"])
def test_item_7_guessable_passwords_are_refused_with_a_reason(
    client: FlaskClient, password: str
) -> None:
    response = client.post(
        "/api/users",
        json={"email": "weak@example.com", "password": password, "display_name": "Weak"},
    )
    assert response.status_code == 422
    body = response.json or {}
    (error,) = body["errors"]
    assert error["field"] == "password"
    assert "guess" in error["message"] or "common" in error["message"]


def test_item_7_a_new_password_is_checked_too(client: FlaskClient) -> None:
    member = Member(client, "changer@example.com")
    response = client.patch(
        f"/api/users/{member.id}",
        headers=member.headers,
        json={"password": "sunshine2026", "current_password": PASSWORD},
    )
    assert response.status_code == 422
    assert "guess" in str(response.json) or "common" in str(response.json)


def test_item_7_a_passphrase_is_accepted(client: FlaskClient) -> None:
    response = client.post(
        "/api/users",
        json={
            "email": "strong@example.com",
            "password": "orbit-lantern-quietly-94",
            "display_name": "Strong",
        },
    )
    assert response.status_code == 201
