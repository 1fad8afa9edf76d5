"""Item 10: input the database can't store is a 422, and emails are unique after NFKC and case
folding, with mixed-script lookalikes refused."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from netflix_clone.accounts.models import User
from netflix_clone.web.deps import db_session
from tests.conftest import PASSWORD, Member


def test_item_10_a_nul_byte_in_the_sign_in_email_is_422(client: FlaskClient) -> None:
    for body in (
        {"email": "a\x00b@example.com", "password": PASSWORD},
        {"email": "nul@example.com\x00", "password": PASSWORD},
    ):
        response = client.post("/api/auth/token", json=body)
        assert response.status_code == 422, response.json
    signup = client.post(
        "/api/users",
        json={"email": "x\x00@example.com", "password": PASSWORD, "display_name": "N"},
    )
    assert signup.status_code == 422


def test_item_10_a_nul_byte_in_email_prefix_is_422(client: FlaskClient, app: Flask) -> None:
    admin = Member(client, "admin-nul@example.com")
    with app.app_context():
        db_session().execute(update(User).where(User.id == admin.id).values(role="admin"))
        db_session().commit()
    response = client.get("/api/users?email_prefix=ad%00min", headers=admin.headers)
    assert response.status_code == 422
    assert client.get("/api/users?email_prefix=admin", headers=admin.headers).status_code == 200


@pytest.mark.parametrize(
    "lookalike",
    [
        "\u0430da@example.com",  # Cyrillic a among Latin letters
        "\uff41da@example.com",  # fullwidth a
        "ada@ex\u0430mple.com",  # Cyrillic a in the domain
    ],
)
def test_item_10_lookalike_emails_are_refused(client: FlaskClient, lookalike: str) -> None:
    Member(client, "ada@example.com")
    response = client.post(
        "/api/users", json={"email": lookalike, "password": PASSWORD, "display_name": "Eve"}
    )
    assert response.status_code == 422, response.json
    assert (response.json or {})["errors"][0]["field"] == "email"


def test_item_10_emails_are_unique_after_case_folding(client: FlaskClient) -> None:
    Member(client, "strasse@example.com")
    for spelling in ("STRASSE@example.com", "Strasse@EXAMPLE.com", "stra\u00dfe@example.com"):
        response = client.post(
            "/api/users", json={"email": spelling, "password": PASSWORD, "display_name": "Twin"}
        )
        assert response.status_code == 409, (spelling, response.json)
    # A whole address in one other script is an address like any other.
    ok = client.post(
        "/api/users",
        json={
            "email": "\u0438\u0432\u0430\u043d@example.com",
            "password": PASSWORD,
            "display_name": "Ivan",
        },
    )
    assert ok.status_code == 201, ok.json
