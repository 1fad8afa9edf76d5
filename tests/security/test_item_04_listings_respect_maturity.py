"""Item 4: every listing respects the active profile's maturity, and totals count only what the
profile can see."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.conftest import Member
from tests.security.helpers import (
    FIGHT_CLUB,
    FORREST_GUMP,
    add_profile,
    kid,
    profile_token,
    profiles_url,
)


def _ids(page: dict[str, Any]) -> list[int]:
    return [item["title"]["id"] for item in page["items"]]


def test_item_4_history_ratings_and_lists_hide_titles_above_a_lowered_level(
    client: FlaskClient,
) -> None:
    member = Member(client, "lowered@example.com")
    profile = add_profile(client, member, name="Sam")
    headers = profile_token(client, member, profile["id"])
    for movie in (FIGHT_CLUB, FORREST_GUMP):
        assert client.put(f"/api/profile/list/{movie}", headers=headers).status_code == 201
        assert (
            client.put(
                f"/api/profile/ratings/{movie}", headers=headers, json={"rating": "love"}
            ).status_code
            == 200
        )
        watched = client.put(
            f"/api/profile/progress/{movie}",
            headers=headers,
            json={"position_seconds": 900, "duration_seconds": 8000, "sequence": 1},
        )
        assert watched.status_code == 200, watched.json
    # Lowering needs no password; the listings must follow at once.
    lowered = client.patch(
        f"{profiles_url(member)}/{profile['id']}",
        headers=member.headers,
        json={"maturity_level": "little_kids"},
    )
    assert lowered.status_code == 200
    for path in (
        "/api/profile/history",
        "/api/profile/ratings",
        "/api/profile/list",
        "/api/profile/continue-watching",
    ):
        page = client.get(path, headers=headers).json or {}
        assert FIGHT_CLUB not in _ids(page), path
        assert page["total"] == len(page["items"]), path  # Forrest Gump (PG-13) is gone too
    browse = client.get("/api/browse", headers=headers).json or {}
    assert all("Fight Club" not in row["title"] for row in browse["rows"])


def test_item_4_my_list_pages_and_totals_count_only_visible_titles(client: FlaskClient) -> None:
    member = Member(client, "pages@example.com")
    profile = add_profile(client, member, name="Pat", maturity_level="teens")
    headers = profile_token(client, member, profile["id"])
    assert client.put(f"/api/profile/list/{FORREST_GUMP}", headers=headers).status_code == 201
    client.patch(
        f"{profiles_url(member)}/{profile['id']}",
        headers=member.headers,
        json={"maturity_level": "little_kids"},
    )
    page = client.get("/api/profile/list?per_page=1", headers=headers).json or {}
    assert page["total"] == 0 and page["items"] == []


def test_item_4_catalog_totals_count_what_a_kids_profile_can_see(client: FlaskClient) -> None:
    member = Member(client, "kid-totals@example.com")
    _, headers = kid(client, member, maturity_level="little_kids")
    first = client.get("/api/movies?list=popular", headers=headers).json or {}
    anonymous = client.get("/api/movies?list=popular").json or {}
    assert first["total_results"] < anonymous["total_results"]
    seen = list(first["results"])
    for number in range(2, first["total_pages"] + 1):
        seen += (client.get(f"/api/movies?list=popular&page={number}", headers=headers).json or {})[
            "results"
        ]
    assert first["total_results"] == len(seen)
