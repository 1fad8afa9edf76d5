"""/tmdb/3 for series: what a TV-using Netflix clone asks, end to end.

Issue 14: tried with existing clones, the gateway answered 404 to their hero (`tv/{id}`), their
"Netflix Originals" row (`discover/tv?with_networks=213`), their Trending row
(`trending/all/week`) and their search (`search/multi`). Here a clone's home page is replayed
through the gateway twice over: in front of live TMDB (the fake TMDB server over loopback,
through the pooled TMDB client) and on the bundled demo catalog.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from netflix_clone.catalog import tmdb_rules

CLIENT_KEY = "0123456789abcdef0123456789abcdef"  # what the clone shipped: never forwarded
NETFLIX = 213
COMMON = f"api_key={CLIENT_KEY}&language=en-US"
# The requests.js of the popular clones: one row per entry, in the order they render.
ROWS = [
    f"trending/all/week?{COMMON}",
    f"discover/tv?api_key={CLIENT_KEY}&with_networks={NETFLIX}",
    f"movie/top_rated?{COMMON}",
    f"tv/top_rated?{COMMON}&page=1",
    f"tv/popular?{COMMON}&page=1",
    f"discover/movie?api_key={CLIENT_KEY}&with_genres=28",
    f"discover/movie?api_key={CLIENT_KEY}&with_genres=35",
    f"discover/movie?api_key={CLIENT_KEY}&with_genres=27",
    f"discover/movie?api_key={CLIENT_KEY}&with_genres=10749",
    f"discover/movie?api_key={CLIENT_KEY}&with_genres=99",
    f"movie/popular?{COMMON}&page=1",
]
START = [f"configuration?api_key={CLIENT_KEY}", f"genre/movie/list?{COMMON}"]
START += [f"genre/tv/list?{COMMON}"]
SEARCH = f"search/multi?{COMMON}&query=stranger&page=1&include_adult=false"


def body_of(response: TestResponse) -> Any:
    assert response.content_type == "application/json;charset=utf-8", response.data
    return json.loads(response.data)


class Clone:
    """Drives the gateway as a TV-using clone's browser would, keeping every answer."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.answers: list[tuple[str, int]] = []

    def get(self, url: str) -> Any:
        # Apps send their own key in a header too; the gateway drops both.
        response = self.client.get(
            f"/tmdb/3/{url}", headers={"Authorization": "Bearer eyJclient.token.x"}
        )
        self.answers.append((url, response.status_code))
        return body_of(response) if response.status_code != 304 else None

    def home_page(self) -> dict[str, Any]:
        for url in START:
            assert self.get(url)
        rows = {url: self.get(url)["results"] for url in ROWS}
        originals = rows[ROWS[1]]
        hero = originals[0]  # the banner: a Netflix original, with its trailer
        banner = self.get(f"tv/{hero['id']}?{COMMON}&append_to_response=videos")
        # A click on the first series and the first movie of Trending: its trailer.
        trending = rows[ROWS[0]]
        clicked = [
            next(item for item in trending if item["media_type"] == kind)
            for kind in ("tv", "movie")
        ]
        trailers = [
            self.get(f"{item['media_type']}/{item['id']}/videos?{COMMON}") for item in clicked
        ]
        found = self.get(SEARCH)["results"]
        first_series = next(item for item in found if item["media_type"] == "tv")
        opened = self.get(
            f"tv/{first_series['id']}?{COMMON}&append_to_response=videos,credits,content_ratings"
        )
        season = self.get(f"tv/{first_series['id']}/season/1?{COMMON}")
        return {
            "rows": rows,
            "banner": banner,
            "trailers": trailers,
            "search": found,
            "opened": opened,
            "season": season,
            "hero": hero,
        }


def assert_the_home_page_is_whole(clone: Clone, page: dict[str, Any]) -> None:
    failed = [(url, status) for url, status in clone.answers if not 200 <= status < 300]
    assert failed == []
    for url, results in page["rows"].items():
        assert results, url
    assert all(item["media_type"] in ("movie", "tv", "person") for item in page["rows"][ROWS[0]])
    assert {item["media_type"] for item in page["rows"][ROWS[0]]} >= {"movie", "tv"}
    originals = page["rows"][ROWS[1]]
    assert all("name" in item and "first_air_date" in item for item in originals)
    banner = page["banner"]
    assert banner["id"] == page["hero"]["id"]
    assert banner["name"] == page["hero"]["name"]
    assert NETFLIX in {network["id"] for network in banner["networks"]}
    assert "results" in banner["videos"] and "id" not in banner["videos"]
    assert all("results" in trailer for trailer in page["trailers"])
    assert page["search"]
    assert any("stranger" in item.get("name", "").lower() for item in page["search"])
    assert {"videos", "credits", "content_ratings"} <= set(page["opened"])
    assert page["season"]["episodes"]


@pytest.fixture
def live(catalog_app: Callable[..., Flask]) -> FlaskClient:
    # One attempt and timeouts no healthy loopback answer comes near: counts are exact.
    return catalog_app(
        tmdb_max_attempts=1, tmdb_connect_timeout=30.0, tmdb_read_timeout=60.0, tmdb_deadline=120.0
    ).test_client()


def test_a_tv_clones_home_page_through_the_gateway_in_front_of_tmdb(
    live: FlaskClient, tmdb: Any
) -> None:
    clone = Clone(live)
    page = clone.home_page()
    assert_the_home_page_is_whole(clone, page)

    first_pass = tmdb.requests
    assert {r["status"] for r in first_pass} == {200}
    distinct = {(r["path"], r["query"]) for r in first_pass}
    assert len(first_pass) == len(distinct) == len(clone.answers)  # one upstream call each
    asked = {r["route"] for r in first_pass}
    assert {
        "tv/{series_id}",
        "discover/tv",
        "trending/all/{time_window}",
        "tv/top_rated",
        "search/multi",
        "tv/{series_id}/videos",
        "tv/{series_id}/season/{season_number}",
        "genre/tv/list",
    } <= asked
    for request in first_pass:
        assert request["params"]["api_key"] == tmdb.api_key  # the server's key, never the app's
        assert CLIENT_KEY not in request["query"]
        assert request["authorization"] is False

    again = Clone(live)
    assert again.home_page() == page
    assert len(tmdb.requests) == len(first_pass)  # the second visit: all from the cache


def test_a_tv_clones_home_page_on_the_demo_catalog(
    catalog_app: Callable[..., Flask], tmdb: Any
) -> None:
    client = catalog_app(catalog_source="demo", tmdb_api_key=None).test_client()
    clone = Clone(client)
    page = clone.home_page()
    assert_the_home_page_is_whole(clone, page)
    assert tmdb.requests == []  # demo mode: no network


# --- series ids, caching, refusals ------------------------------------------------------------


def test_series_ids_are_canonical_for_the_cache(live: FlaskClient, tmdb: Any) -> None:
    for path in ("tv/1399", "tv/1399-game-of-thrones", "tv/01399", "tv/1399-Game%20of%20Thrones"):
        assert live.get(f"/tmdb/3/{path}").status_code == 200, path
    for path in ("tv/1399/season/1", "tv/1399-got/season/01", "tv/01399/season/001"):
        assert live.get(f"/tmdb/3/{path}").status_code == 200, path
    assert [r["path"] for r in tmdb.requests] == ["/3/tv/1399", "/3/tv/1399/season/1"]


@pytest.mark.parametrize(
    ("url", "max_age"),
    [
        ("tv/1399?append_to_response=videos", 3600),
        ("tv/1399/season/1", 3600),
        ("tv/1399/season/1/episode/1", 3600),
        ("tv/1399/content_ratings", 3600),
        ("tv/1399/similar", 300),
        ("tv/popular", 300),
        (f"discover/tv?with_networks={NETFLIX}", 300),
        ("trending/all/week", 300),
        ("search/multi?query=thrones", 300),
        ("genre/tv/list", 86400),
    ],
)
def test_tv_answers_are_cached_like_the_movie_ones(
    live: FlaskClient, tmdb: Any, url: str, max_age: int
) -> None:
    first = live.get(f"/tmdb/3/{url}")
    assert first.status_code == 200, first.data
    assert first.headers["Cache-Control"] == f"public, max-age={max_age}, stale-if-error=86400"
    assert first.headers["X-Cache"] == "miss"
    again = live.get(f"/tmdb/3/{url}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["X-Cache"] == "hit"
    assert len(tmdb.requests) == 1


def test_an_unknown_series_season_or_episode_is_tmdbs_404(live: FlaskClient, tmdb: Any) -> None:
    for path in ("tv/2147483647", "tv/1399/season/999", "tv/1399/season/1/episode/999"):
        response = live.get(f"/tmdb/3/{path}")
        assert response.status_code == 404, path
        assert body_of(response) == tmdb_rules.NOT_FOUND
    assert [r["status"] for r in tmdb.requests] == [404, 404, 404]  # asked: TMDB decides


@pytest.mark.parametrize(
    ("url", "status", "body"),
    [
        ("tv/0", 404, tmdb_rules.NOT_FOUND),
        ("tv/2147483648", 404, tmdb_rules.NOT_FOUND),
        ("tv/1399/keywords", 404, tmdb_rules.NOT_FOUND),
        ("tv/latest", 404, tmdb_rules.NOT_FOUND),
        ("trending/person/week", 404, tmdb_rules.NOT_FOUND),
        ("search/multi", 422, tmdb_rules.QUERY_REQUIRED),
        ("search/tv?query=%20", 422, tmdb_rules.QUERY_REQUIRED),
        ("discover/tv?with_networks=netflix", 422, tmdb_rules.INVALID_PARAMETERS),
        ("discover/tv?sort_by=release_date.desc", 422, tmdb_rules.INVALID_PARAMETERS),
        ("discover/tv?first_air_date.gte=2024-13-01", 422, tmdb_rules.INVALID_PARAMETERS),
        ("tv/popular?page=0", 400, tmdb_rules.INVALID_PAGE),
        ("trending/all/week?page=501", 422, tmdb_rules.PAGE_TOO_HIGH),
        (
            "tv/1399?append_to_response=" + ",".join(["videos"] * 21),
            400,
            tmdb_rules.TOO_MANY_APPENDS,
        ),
    ],
)
def test_tv_refusals_are_tmdbs_and_never_reach_tmdb(
    live: FlaskClient, tmdb: Any, url: str, status: int, body: dict[str, Any]
) -> None:
    response = live.get(f"/tmdb/3/{url}")
    assert response.status_code == status
    assert body_of(response) == body
    assert tmdb.requests == []


def test_discover_tv_forwards_only_validated_canonical_values(live: FlaskClient, tmdb: Any) -> None:
    response = live.get(
        f"/tmdb/3/discover/tv?api_key={CLIENT_KEY}&with_networks=%20213%20&sort_by=popularity.desc"
        "&include_adult=FALSE&_=1712345678&with_cast=1&language=en-us&page=1"
    )
    assert response.status_code == 200
    (request,) = tmdb.requests
    assert request["params"] == {
        "api_key": tmdb.api_key,
        "include_adult": "false",
        "language": "en-US",
        "sort_by": "popularity.desc",
        "with_networks": "213",
    }
    assert request["route"] == "discover/tv"
