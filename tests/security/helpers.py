"""Small steps the security tests share: a member, its profiles and their tokens."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.conftest import PASSWORD, Member

FIGHT_CLUB = 550  # US R (17), JP PG12 (12) in the demo catalog's recorded certifications
FORREST_GUMP = 13  # US PG-13


def profiles_url(member: Member) -> str:
    return f"/api/users/{member.id}/profiles"


def add_profile(client: FlaskClient, member: Member, **fields: Any) -> dict[str, Any]:
    response = client.post(profiles_url(member), headers=member.headers, json=fields)
    assert response.status_code == 201, response.json
    return dict(response.json or {})


def profile_token(
    client: FlaskClient,
    member: Member,
    profile_id: int,
    pin: str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, str]:
    response = client.post(
        f"{profiles_url(member)}/{profile_id}/token",
        headers=headers or member.headers,
        json={"pin": pin} if pin else {},
    )
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {(response.json or {})['access_token']}"}


def kid(
    client: FlaskClient, member: Member, **fields: Any
) -> tuple[dict[str, Any], dict[str, str]]:
    profile = add_profile(client, member, name=fields.pop("name", "Kid"), kids=True, **fields)
    return profile, profile_token(client, member, profile["id"])


def problem_code(response: Any) -> str:
    return str((response.json or {}).get("type", "")).rsplit("/", 1)[-1]


__all__ = ["PASSWORD", "Member"]
