"""Series through every layer: catalog lists, details, seasons, search, genres, the maturity
filter, My List / ratings / episode progress and Continue Watching, and browse."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import Member
from tests.integration.test_profiles import add_profile, profile_headers, profiles

GAME_OF_THRONES = 1399  # recorded: TV-MA in the US, 8 seasons, last aired S8E6
THE_SIMPSONS = 456  # TV-14 (recorded)
PHINEAS_AND_FERB = 1877  # TV-G (recorded)
FIGHT_CLUB = 550


@pytest.fixture
def viewer(client: FlaskClient) -> tuple[Member, dict[str, str]]:
    member = Member(client, "series@example.com")
    main = profiles(client, member)[0]
    return member, profile_headers(client, member, main["id"])


@pytest.fixture
def kid(client: FlaskClient, viewer: tuple[Member, dict[str, str]]) -> dict[str, str]:
    member, _ = viewer
    kids = add_profile(client, member, name="Kids", kids=True)
    return profile_headers(client, member, kids["id"])


# --- catalog ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["popular", "top_rated", "on_the_air", "airing_today", "trending"])
def test_every_series_list_in_our_shape(client: FlaskClient, name: str) -> None:
    response = client.get(f"/api/series?list={name}")
    assert response.status_code == 200
    body = response.json or {}
    assert body["results"], name
    assert {card["kind"] for card in body["results"]} == {"series"}
    card = body["results"][0]
    assert card["title"] and "name" not in card and "first_air_date" not in card
    assert response.headers["ETag"] and response.headers["X-Catalog-Source"] == "demo"
    again = client.get(
        f"/api/series?list={name}", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def test_series_lists_page_and_filter_by_tv_genre(client: FlaskClient) -> None:
    first = client.get("/api/series?list=popular").json or {}
    second = client.get("/api/series?list=popular&page=2").json or {}
    assert first["total_pages"] >= 2 and second["page"] == 2
    assert not {c["id"] for c in first["results"]} & {c["id"] for c in second["results"]}
    drama = client.get("/api/series?list=popular&genre=Drama").json or {}
    assert drama["results"]
    assert all(any(g["id"] == 18 for g in c["genres"]) for c in drama["results"])
    # "Sci-Fi & Fantasy" is a TV genre (10765); movies call it "Science Fiction" (878).
    scifi = client.get("/api/series?list=top_rated&genre=Sci-Fi%20%26%20Fantasy").json or {}
    assert scifi["results"]
    assert all(any(g["id"] == 10765 for g in c["genres"]) for c in scifi["results"])
    unknown = client.get("/api/series?genre=Nope")
    assert unknown.status_code == 422
    assert "kind=series" in (unknown.json or {})["detail"]


def test_series_details_seasons_people_rating_and_trailer(client: FlaskClient) -> None:
    response = client.get(f"/api/series/{GAME_OF_THRONES}")
    assert response.status_code == 200
    body = response.json or {}
    assert body["kind"] == "series" and body["title"] == "Game of Thrones"
    assert body["number_of_seasons"] == 8
    assert [s["season_number"] for s in body["seasons"]] == list(range(1, 9))  # no specials
    assert body["seasons"][0]["episode_count"] == 10
    assert body["creators"] and body["networks"][0]["name"] == "HBO"
    assert body["cast"] and body["cast"][0]["name"]
    assert (body["content_rating"], body["content_rating_region"], body["min_age"]) == (
        "TV-MA",
        "US",
        17,
    )
    assert body["last_episode_to_air"]["season_number"] == 8
    assert {g["id"] for g in body["genres"]} >= {10765, 18}
    assert all(r["kind"] == "series" for r in body["recommendations"])
    # Another country's board: the recorded Australian rating.
    au = client.get(f"/api/series/{GAME_OF_THRONES}?region=AU").json or {}
    assert (au["content_rating"], au["min_age"]) == ("R18+", 18)


def test_a_season_lists_its_episodes(client: FlaskClient) -> None:
    response = client.get(f"/api/series/{GAME_OF_THRONES}/seasons/1")
    assert response.status_code == 200
    season = response.json or {}
    assert season["series_id"] == GAME_OF_THRONES and season["season_number"] == 1
    episodes = season["episodes"]
    assert [e["episode_number"] for e in episodes] == list(range(1, 11))
    pilot = episodes[0]
    assert pilot["name"] == "Winter Is Coming" and pilot["runtime"] and pilot["air_date"]
    assert set(pilot) == {
        "season_number",
        "episode_number",
        "name",
        "overview",
        "runtime",
        "still_url",
        "air_date",
        "rating",
    }
    assert client.get(f"/api/series/{GAME_OF_THRONES}/seasons/99").status_code == 404
    assert client.get("/api/series/999999999").status_code == 404
    assert client.get("/api/series/999999999/seasons/1").status_code == 404


def test_one_search_over_movies_and_series(client: FlaskClient) -> None:
    body = client.get("/api/search?q=game").json or {}
    found = {(c["kind"], c["id"]) for c in body["results"]}
    assert ("series", GAME_OF_THRONES) in found
    both = client.get("/api/search?q=the").json or {}
    assert {c["kind"] for c in both["results"]} == {"movie", "series"}
    # The movie search stays as it was.
    movies = client.get("/api/movies/search?q=the").json or {}
    assert {c["kind"] for c in movies["results"]} == {"movie"}
    assert client.get("/api/search").status_code == 422


def test_genres_per_kind(client: FlaskClient) -> None:
    movie = {g["id"] for g in (client.get("/api/genres").json or {})["genres"]}
    tv = {g["id"] for g in (client.get("/api/genres?kind=series").json or {})["genres"]}
    assert 878 in movie and 878 not in tv
    assert 10765 in tv and 10765 not in movie
    assert client.get("/api/genres?kind=podcast").status_code == 422


# --- maturity --------------------------------------------------------------------------------


def test_a_kids_profile_cannot_open_a_tv_ma_series_or_its_seasons(
    client: FlaskClient, kid: dict[str, str]
) -> None:
    for path in (f"/api/series/{GAME_OF_THRONES}", f"/api/series/{GAME_OF_THRONES}/seasons/1"):
        response = client.get(path, headers=kid)
        assert response.status_code == 403, path
        assert (response.json or {})["type"].endswith("/maturity-restricted")
    blocked = client.put(f"/api/profile/list/series/{GAME_OF_THRONES}", headers=kid)
    assert blocked.status_code == 403
    # A TV-G series is fine.
    assert client.get(f"/api/series/{PHINEAS_AND_FERB}", headers=kid).status_code == 200
    path = f"/api/series/{PHINEAS_AND_FERB}/seasons/1"
    assert client.get(path, headers=kid).status_code == 200


def test_kids_lists_and_search_show_no_series_above_their_level(
    client: FlaskClient, kid: dict[str, str]
) -> None:
    anonymous = client.get("/api/series?list=popular").json or {}
    mine = client.get("/api/series?list=popular", headers=kid).json or {}
    assert len(mine["results"]) < len(anonymous["results"])
    for card in mine["results"]:
        assert client.get(f"/api/series/{card['id']}", headers=kid).status_code == 200
    found = client.get("/api/search?q=game", headers=kid).json or {}
    assert ("series", GAME_OF_THRONES) not in {(c["kind"], c["id"]) for c in found["results"]}
    rows = client.get("/api/browse", headers=kid).json or {}
    shown = {(c["kind"], c["id"]) for r in rows["rows"] for c in r["items"]}
    assert ("series", GAME_OF_THRONES) not in shown


# --- member data -----------------------------------------------------------------------------


def test_my_list_and_ratings_hold_series_beside_movies(
    client: FlaskClient, viewer: tuple[Member, dict[str, str]]
) -> None:
    _, headers = viewer
    added = client.put(f"/api/profile/list/series/{GAME_OF_THRONES}", headers=headers)
    assert added.status_code == 201
    assert (added.json or {})["kind"] == "series"
    assert client.put(f"/api/profile/list/movie/{FIGHT_CLUB}", headers=headers).status_code == 201
    assert client.put(f"/api/profile/list/{FIGHT_CLUB}", headers=headers).status_code == 200
    items = (client.get("/api/profile/list", headers=headers).json or {})["items"]
    assert [(i["title"]["kind"], i["title"]["id"]) for i in items] == [
        ("movie", FIGHT_CLUB),
        ("series", GAME_OF_THRONES),
    ]
    # Series 550 and movie 550 are different titles.
    assert client.delete("/api/profile/list/series/550", headers=headers).status_code == 204
    assert len((client.get("/api/profile/list", headers=headers).json or {})["items"]) == 2
    rated = client.put(
        f"/api/profile/ratings/series/{GAME_OF_THRONES}", headers=headers, json={"rating": "love"}
    )
    assert rated.status_code == 200 and (rated.json or {})["kind"] == "series"
    ratings = (client.get("/api/profile/ratings", headers=headers).json or {})["items"]
    assert [(r["title"]["kind"], r["rating"]) for r in ratings] == [("series", "love")]
    assert client.put("/api/profile/list/series/999999999", headers=headers).status_code == 404
    assert client.put("/api/profile/list/podcast/1", headers=headers).status_code == 404


def episode(
    client: FlaskClient,
    headers: dict[str, str],
    season: int,
    number: int,
    position: int,
    sequence: int,
    duration: int = 3600,
) -> dict[str, Any]:
    response = client.put(
        f"/api/profile/progress/series/{GAME_OF_THRONES}",
        headers=headers,
        json={
            "season_number": season,
            "episode_number": number,
            "position_seconds": position,
            "duration_seconds": duration,
            "sequence": sequence,
        },
    )
    assert response.status_code == 200, response.json
    return dict(response.json or {})


def continue_watching(client: FlaskClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    return list((client.get("/api/profile/continue-watching", headers=headers).json or {})["items"])


def test_progress_is_per_episode_and_the_next_episode_becomes_the_resume_point(
    client: FlaskClient, viewer: tuple[Member, dict[str, str]]
) -> None:
    _, headers = viewer
    episode(client, headers, 1, 3, 600, sequence=1)
    episode(client, headers, 1, 3, 1200, sequence=2)
    items = continue_watching(client, headers)
    assert len(items) == 1  # a series once
    (item,) = items
    assert (item["title"]["kind"], item["title"]["id"]) == ("series", GAME_OF_THRONES)
    assert item["episode"] == {"season_number": 1, "episode_number": 3}
    assert item["position_seconds"] == 1200
    # Past 90 %: the next episode, at 0, is where to resume.
    after = episode(client, headers, 1, 3, 3300, sequence=3)
    assert (after["season_number"], after["episode_number"], after["position_seconds"]) == (
        1,
        4,
        0,
    )
    assert after["finished"] is False
    (item,) = continue_watching(client, headers)
    assert item["episode"] == {"season_number": 1, "episode_number": 4}
    assert item["position_seconds"] == 0
    # A late heartbeat from episode 3 changes nothing.
    late = episode(client, headers, 1, 3, 1500, sequence=2)
    assert late["applied"] is False and late["episode_number"] == 4


def test_the_last_episode_of_a_season_leads_to_the_next_season(
    client: FlaskClient, viewer: tuple[Member, dict[str, str]]
) -> None:
    _, headers = viewer
    episode(client, headers, 1, 10, 600, sequence=1)
    moved = episode(client, headers, 1, 10, 3500, sequence=2)
    assert (moved["season_number"], moved["episode_number"]) == (2, 1)
    (item,) = continue_watching(client, headers)
    assert item["episode"] == {"season_number": 2, "episode_number": 1}


def test_finishing_the_last_episode_takes_the_series_out_of_the_row(
    client: FlaskClient, viewer: tuple[Member, dict[str, str]]
) -> None:
    _, headers = viewer
    episode(client, headers, 8, 6, 900, sequence=1)
    assert len(continue_watching(client, headers)) == 1
    done = episode(client, headers, 8, 6, 3500, sequence=2)
    assert done["finished"] is True
    assert (done["season_number"], done["episode_number"]) == (8, 6)
    assert continue_watching(client, headers) == []
    history = (client.get("/api/profile/history", headers=headers).json or {})["items"]
    assert [(h["title"]["id"], h["status"], h["episode"]) for h in history] == [
        (GAME_OF_THRONES, "finished", {"season_number": 8, "episode_number": 6})
    ]


def test_a_heartbeat_must_name_an_episode_the_series_has(
    client: FlaskClient, viewer: tuple[Member, dict[str, str]]
) -> None:
    _, headers = viewer
    url = f"/api/profile/progress/series/{GAME_OF_THRONES}"
    base = {"position_seconds": 600, "duration_seconds": 3600, "sequence": 1}
    for wrong, field in (
        ({"season_number": 9, "episode_number": 1}, "season_number"),
        ({"season_number": 1, "episode_number": 11}, "episode_number"),
    ):
        response = client.put(url, headers=headers, json={**base, **wrong})
        assert response.status_code == 422, wrong
        assert field in str(response.json)
    missing = client.put(url, headers=headers, json=base)
    assert missing.status_code == 422


def test_hiding_a_series_from_continue_watching_and_history(
    client: FlaskClient, viewer: tuple[Member, dict[str, str]]
) -> None:
    _, headers = viewer
    episode(client, headers, 2, 2, 900, sequence=1)
    hidden = client.delete(
        f"/api/profile/continue-watching/series/{GAME_OF_THRONES}", headers=headers
    )
    assert hidden.status_code == 204
    assert continue_watching(client, headers) == []
    episode(client, headers, 2, 2, 1000, sequence=2)  # playing again brings it back
    assert len(continue_watching(client, headers)) == 1
    gone = client.delete(f"/api/profile/history/series/{GAME_OF_THRONES}", headers=headers)
    assert gone.status_code == 204
    assert (client.get("/api/profile/history", headers=headers).json or {})["items"] == []


# --- browse ----------------------------------------------------------------------------------


def test_browse_mixes_series_into_its_rows(
    client: FlaskClient, viewer: tuple[Member, dict[str, str]]
) -> None:
    _, headers = viewer
    client.put(
        f"/api/profile/ratings/series/{GAME_OF_THRONES}", headers=headers, json={"rating": "love"}
    )
    client.put(f"/api/profile/list/series/{THE_SIMPSONS}", headers=headers)
    episode(client, headers, 1, 2, 900, sequence=1)
    body = client.get("/api/browse", headers=headers).json or {}
    rows = {r["id"]: r for r in body["rows"]}

    def kinds(row: str) -> set[str]:
        return {c["kind"] for c in rows[row]["items"]}

    assert kinds("continue-watching") == {"series"}
    assert ("series", THE_SIMPSONS) in {(c["kind"], c["id"]) for c in rows["my-list"]["items"]}
    assert kinds("trending") == {"movie", "series"}
    assert kinds("popular-series") == {"series"}
    because = rows[f"because-series-{GAME_OF_THRONES}"]
    assert because["reason"]["title_kind"] == "series"
    assert because["reason"]["title_name"] == "Game of Thrones"
    assert because["reason"]["movie_id"] is None
    assert kinds(f"because-series-{GAME_OF_THRONES}") == {"series"}
    page2 = client.get("/api/browse/rows/popular-series?page=2&per_row=5", headers=headers)
    assert page2.status_code == 200 and (page2.json or {})["items"]
