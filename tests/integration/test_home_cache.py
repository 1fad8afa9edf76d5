"""The cached home screen: a hit costs no member-data query, every kind of write that changes
the rows shows on the next browse (read your writes), and GET requests never write."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from netflix_clone.catalog.titles import wait_for_stored
from netflix_clone.web.deps import db_session
from tests.conftest import PASSWORD, Member
from tests.integration.test_profiles import profile_headers, profiles, profiles_url
from tests.integration.test_round_trips import statements

GAME_OF_THRONES = 1399


@pytest.fixture
def member(client: FlaskClient) -> tuple[Member, int, dict[str, str]]:
    member = Member(client, "home@example.com")
    main = profiles(client, member)[0]
    return member, main["id"], profile_headers(client, member, main["id"])


def browse(client: FlaskClient, headers: dict[str, str]) -> tuple[dict[str, Any], str]:
    response = client.get("/api/browse", headers=headers)
    assert response.status_code == 200
    return dict(response.json or {}), response.headers["X-Cache"]


def keys(body: dict[str, Any], row: str) -> list[tuple[str, int]]:
    found = next((r for r in body["rows"] if r["id"] == row), None)
    return [(c["kind"], c["id"]) for c in found["items"]] if found else []


def first_popular(client: FlaskClient, n: int = 3) -> list[int]:
    body = client.get("/api/movies?list=popular").json or {}
    return [m["id"] for m in body["results"][:n]]


def test_a_warm_home_screen_is_a_hit_with_no_member_data_query(
    app: Flask, client: FlaskClient, member: tuple[Member, int, dict[str, str]]
) -> None:
    _, _, headers = member
    first, state = browse(client, headers)
    assert state == "miss"
    with statements(app) as seen:
        again = client.get("/api/browse", headers=headers)
    assert again.headers["X-Cache"] == "hit" and again.json == first
    # Only the profile the token names is read (and the session check): no list, rating,
    # viewing or title query.
    assert all(s.verb == "SELECT" for s in seen) and len(seen) <= 2, seen
    etag = again.headers["ETag"]
    assert client.get("/api/browse", headers={**headers, "If-None-Match": etag}).status_code == 304


def test_a_home_screen_goes_gzipped_to_clients_that_accept_it(
    client: FlaskClient, member: tuple[Member, int, dict[str, str]]
) -> None:
    _, _, headers = member
    plain = client.get("/api/browse", headers=headers)
    packed = client.get("/api/browse", headers={**headers, "Accept-Encoding": "gzip, br"})
    assert packed.headers["X-Cache"] == "hit" and packed.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(packed.data)) == plain.json
    assert len(packed.data) * 2 < len(plain.data)  # ~98 KB -> ~33 KB
    assert "Content-Encoding" not in plain.headers
    for response in (plain, packed):
        assert response.headers["Vary"] == "Authorization, Accept-Encoding"
    assert packed.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'
    # Either validator is the same content: 304 whichever a cache kept.
    for etag in (plain.headers["ETag"], packed.headers["ETag"]):
        again = client.get(
            "/api/browse", headers={**headers, "If-None-Match": etag, "Accept-Encoding": "gzip"}
        )
        assert again.status_code == 304 and again.headers["ETag"] == packed.headers["ETag"]
    # A write changes the content: the old gzip validator no longer matches.
    movie = first_popular(client, 1)[0]
    assert client.put(f"/api/profile/list/movie/{movie}", headers=headers).status_code in (200, 201)
    changed = client.get(
        "/api/browse",
        headers={**headers, "If-None-Match": packed.headers["ETag"], "Accept-Encoding": "gzip"},
    )
    assert changed.status_code == 200 and changed.headers["X-Cache"] == "miss"
    assert keys(json.loads(gzip.decompress(changed.data)), "my-list") == [("movie", movie)]


def test_every_kind_of_write_shows_on_the_next_browse(
    app: Flask, client: FlaskClient, member: tuple[Member, int, dict[str, str]]
) -> None:
    owner, profile_id, headers = member
    a, b, c = first_popular(client)
    browse(client, headers)  # cached from here on

    # My List: add, then remove.
    client.put(f"/api/profile/list/movie/{a}", headers=headers)
    body, state = browse(client, headers)
    assert state == "miss" and keys(body, "my-list") == [("movie", a)]
    client.delete(f"/api/profile/list/movie/{a}", headers=headers)
    body, _ = browse(client, headers)
    assert keys(body, "my-list") == []

    # Ratings: a like makes a "Because you liked" row; a dislike hides the title everywhere.
    client.put(
        f"/api/profile/ratings/series/{GAME_OF_THRONES}", headers=headers, json={"rating": "love"}
    )
    body, _ = browse(client, headers)
    assert any(r["id"] == f"because-series-{GAME_OF_THRONES}" for r in body["rows"])
    client.delete(f"/api/profile/ratings/series/{GAME_OF_THRONES}", headers=headers)
    body, _ = browse(client, headers)
    assert not any(r["id"].startswith("because-") for r in body["rows"])
    trending = keys(body, "trending")
    victim = trending[0]
    client.put(
        f"/api/profile/ratings/{victim[0]}/{victim[1]}", headers=headers, json={"rating": "dislike"}
    )
    body, _ = browse(client, headers)
    assert victim not in {k for r in body["rows"] for k in keys(body, r["id"])}

    # Progress: a title enters Continue Watching, another moves to its head, one finishes.
    def beat(movie: int, position: int, sequence: int) -> None:
        response = client.put(
            f"/api/profile/progress/movie/{movie}",
            headers=headers,
            json={"position_seconds": position, "duration_seconds": 6000, "sequence": sequence},
        )
        assert response.status_code == 200

    beat(b, 900, 1)
    body, _ = browse(client, headers)
    assert keys(body, "continue-watching") == [("movie", b)]
    beat(c, 900, 1)
    body, _ = browse(client, headers)
    assert keys(body, "continue-watching") == [("movie", c), ("movie", b)]
    with statements(app) as seen:  # a heartbeat is one upsert: the profile row is not written
        beat(c, 960, 2)
    assert [x.verb for x in seen if x.verb in ("INSERT", "UPDATE", "DELETE")] == ["INSERT"], seen
    body, _ = browse(client, headers)
    assert keys(body, "continue-watching") == [("movie", c), ("movie", b)]
    beat(b, 1000, 2)  # back to the other one: it moves to the head
    body, _ = browse(client, headers)
    assert keys(body, "continue-watching") == [("movie", b), ("movie", c)]
    beat(b, 5900, 3)  # finished: it leaves the row
    body, _ = browse(client, headers)
    assert keys(body, "continue-watching") == [("movie", c)]

    # Hiding: from Continue Watching, then from history (hidden everywhere).
    client.delete(f"/api/profile/continue-watching/movie/{c}", headers=headers)
    body, _ = browse(client, headers)
    assert keys(body, "continue-watching") == []
    beat(c, 1100, 3)  # playing it again brings it back
    body, _ = browse(client, headers)
    assert keys(body, "continue-watching") == [("movie", c)]
    client.delete(f"/api/profile/history/movie/{c}", headers=headers)
    body, _ = browse(client, headers)
    assert ("movie", c) not in {k for r in body["rows"] for k in keys(body, r["id"])}

    # Maturity: lowering the level drops what is above it at once.
    body, _ = browse(client, headers)
    shown = {k for r in body["rows"] for k in keys(body, r["id"])}
    assert ("series", GAME_OF_THRONES) in shown or any(k[0] == "series" for k in shown)
    lowered = client.patch(
        f"{profiles_url(owner)}/{profile_id}",
        headers=owner.headers,
        json={"maturity_level": "little_kids", "password": PASSWORD},
    )
    assert lowered.status_code == 200, lowered.json
    body, state = browse(client, headers)
    assert state == "miss"
    shown = {k for r in body["rows"] for k in keys(body, r["id"])}
    assert ("series", GAME_OF_THRONES) not in shown


def test_changing_the_account_country_rebuilds_every_profile_home(
    client: FlaskClient, member: tuple[Member, int, dict[str, str]]
) -> None:
    owner, _, headers = member
    browse(client, headers)
    assert browse(client, headers)[1] == "hit"
    changed = client.patch(
        "/api/users/me",
        headers=owner.headers,
        json={"country": "GB", "current_password": PASSWORD},
    )
    assert changed.status_code == 200, changed.json
    assert browse(client, headers)[1] == "miss"


def test_get_requests_never_write(
    app: Flask, client: FlaskClient, member: tuple[Member, int, dict[str, str]]
) -> None:
    owner, _, _ = member
    kids = (
        client.post(
            profiles_url(owner), headers=owner.headers, json={"name": "Kids", "kids": True}
        ).json
        or {}
    )
    kid = profile_headers(client, owner, kids["id"])
    # A restricted profile makes the filter look at titles it has no rows for yet.
    with statements(app) as seen:
        for path in (
            "/api/browse",
            "/api/movies?list=popular",
            "/api/series?list=popular",
            "/api/search?q=the",
            f"/api/series/{GAME_OF_THRONES}",
            "/api/movies/550",
            "/api/browse/rows/trending?page=2",
            "/api/profile/list",
            "/api/profile/continue-watching",
        ):
            assert client.get(path, headers=kid).status_code in (200, 403), path
    writes = [
        s.verb
        for s in seen
        if s.verb not in ("SELECT", "BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK")
    ]
    assert writes == [], writes
    # The records it read are stored off the request path, for the next request.
    assert wait_for_stored()
    with app.app_context():
        from netflix_clone.catalog.models import Title

        assert db_session().get(Title, ("series", GAME_OF_THRONES)) is not None
