"""Issue 23, row 6: a teens profile, while a title's details failed upstream, saw Fight Club
(R, 17) in search, and its details answered 502, not 403: the filter treated "no record" as
"no rating" and let teens through. Now a title whose rating is unknown or unavailable is hidden
from every restricted profile, and its details answer 403 (not rated) or 503
(rating-unavailable), never the title."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from tests.conftest import Member
from tests.security.helpers import FIGHT_CLUB, add_profile, profile_token


def _ids(page: Any) -> set[int]:
    return {item["id"] for item in (page or {}).get("results", [])}


def test_details_failing_upstream_hide_the_title_from_a_teen(
    catalog_app: Callable[..., Flask], tmdb: Any
) -> None:
    app = catalog_app()
    client = app.test_client()
    member = Member(client, "teen-parent@example.com")
    teen = add_profile(client, member, name="Teen", maturity_level="teens")
    headers = profile_token(client, member, teen["id"])
    tmdb.add_fault(rf"movie/{FIGHT_CLUB}$", status=500)  # every time: no record can be made
    found = client.get("/api/search?q=fight club", headers=headers)
    assert found.status_code == 200
    assert FIGHT_CLUB not in _ids(found.json)
    listed = client.get("/api/movies/search?q=fight", headers=headers)
    assert FIGHT_CLUB not in _ids(listed.json)
    details = client.get(f"/api/movies/{FIGHT_CLUB}", headers=headers)
    assert details.status_code in (403, 503), details.json
    assert details.content_type == "application/problem+json"
    if details.status_code == 503:
        assert details.json and details.json["type"].endswith("/rating-unavailable")
        assert int(details.headers["Retry-After"]) >= 1
    assert "Fight Club" not in details.get_data(as_text=True)
    # Anonymous (and adults) still see it listed: only restricted profiles fail closed.
    assert FIGHT_CLUB in _ids(client.get("/api/search?q=fight club").json)


def test_a_title_with_no_rating_anywhere_is_hidden_from_restricted_profiles(
    catalog_app: Callable[..., Flask], tmdb: Any
) -> None:
    app = catalog_app()
    client = app.test_client()
    member = Member(client, "unrated@example.com")
    teen = add_profile(client, member, name="Teen", maturity_level="teens")
    headers = profile_token(client, member, teen["id"])
    # The details lose every certification: the rating is unknown, not "fine".
    tmdb.add_fault(
        rf"movie/{FIGHT_CLUB}$", patch={"release_dates": {"results": []}, "adult": False}
    )
    details = client.get(f"/api/movies/{FIGHT_CLUB}", headers=headers)
    assert details.status_code == 403, details.json
    assert details.json and "not rated" in details.json["detail"]
    adult_headers = profile_token(client, member, add_profile(client, member, name="A")["id"])
    assert client.get(f"/api/movies/{FIGHT_CLUB}", headers=adult_headers).status_code == 200
