"""tmdb_rules: TMDB's rules written once, checked against TMDB's own OpenAPI document.

The document is the committed subset (tests/data/tmdb-openapi-subset.json, cut from TMDB's
official spec by tests/make_tmdb_openapi_subset.py), so these checks need nothing beside
the repository.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import pytest

from netflix_clone.catalog import tmdb_rules
from netflix_clone.catalog.tmdb_rules import ROUTES, ROUTES_BY_NAME, PageError, match

SUBSET = Path(__file__).resolve().parents[1] / "data" / "tmdb-openapi-subset.json"

# A value for each placeholder of the route table, spelled as clients spell them.
SAMPLE_VALUES = {
    "movie_id": "550",
    "series_id": "1399",
    "season_number": "1",
    "episode_number": "2",
    "time_window": "week",
}


@functools.cache
def spec() -> dict[str, Any]:
    with SUBSET.open(encoding="utf-8") as handle:
        document: dict[str, Any] = json.load(handle)
    return document


def sample_path(route: tmdb_rules.Route) -> str:
    return route.path({key: SAMPLE_VALUES[key] for key in route.placeholders})


def documented_enum(path: str, parameter: str) -> set[str]:
    (found,) = [
        p for p in spec()["paths"][f"/3/{path}"]["get"]["parameters"] if p["name"] == parameter
    ]
    return set(found["schema"]["enum"])


def test_every_route_is_a_get_operation_of_tmdbs_spec() -> None:
    documented = {path.removeprefix("/3/") for path in spec()["paths"]}
    assert {route.name for route in ROUTES} == documented  # the subset is exactly our routes
    for route in ROUTES:
        path_parameters = {
            p["name"]
            for p in spec()["paths"][f"/3/{route.name}"]["get"]["parameters"]
            if p["in"] == "path"
        }
        assert set(route.placeholders) == path_parameters, route.name
        assert set(route.pattern.groupindex) == path_parameters, route.name


def test_the_route_table_covers_movies_and_series() -> None:
    names = set(ROUTES_BY_NAME)
    for kind in ("movie", "tv"):
        assert f"genre/{kind}/list" in names
        assert f"discover/{kind}" in names
        assert f"search/{kind}" in names
        assert {f"{kind}/{name}" for name in tmdb_rules.LISTS[kind]} <= names
    assert {f"trending/{m}/{{time_window}}" for m in ("all", "movie", "tv")} <= names
    assert {"search/multi", "search/person"} <= names
    series = "tv/{series_id}"
    assert {
        series,
        f"{series}/season/{{season_number}}",
        f"{series}/season/{{season_number}}/episode/{{episode_number}}",
        *(f"{series}/{sub}" for sub in ("videos", "similar", "recommendations", "credits")),
        f"{series}/content_ratings",
        f"{series}/images",
    } <= names
    assert len(ROUTES) == len(names) == 36


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_each_route_matches_its_own_paths_and_no_other_route_does(
    route: tmdb_rules.Route,
) -> None:
    path = sample_path(route)
    matched = match(path)
    assert matched is not None and matched.route is route
    assert matched.path == path
    assert [other.name for other in ROUTES if other.pattern.fullmatch(path)] == [route.name]


@pytest.mark.parametrize(
    ("path", "route", "canonical"),
    [
        ("movie/550-fight-club", "movie/{movie_id}", "movie/550"),
        ("movie/0550", "movie/{movie_id}", "movie/550"),
        ("tv/1399-game-of-thrones", "tv/{series_id}", "tv/1399"),
        (
            "tv/1399-game-of-thrones/season/01",
            "tv/{series_id}/season/{season_number}",
            "tv/1399/season/1",
        ),
        ("tv/1399/season/0", "tv/{series_id}/season/{season_number}", "tv/1399/season/0"),
        (
            "tv/01399/season/1/episode/009",
            "tv/{series_id}/season/{season_number}/episode/{episode_number}",
            "tv/1399/season/1/episode/9",
        ),
        ("tv/1399-x/content_ratings", "tv/{series_id}/content_ratings", "tv/1399/content_ratings"),
        ("trending/all/day", "trending/all/{time_window}", "trending/all/day"),
        ("movie/2147483647", "movie/{movie_id}", "movie/2147483647"),
    ],
)
def test_ids_take_tmdbs_slugs_and_are_canonical(path: str, route: str, canonical: str) -> None:
    matched = match(path)
    assert matched is not None
    assert (matched.route.name, matched.path) == (route, canonical)


@pytest.mark.parametrize(
    "path",
    [
        "movie/0",
        "tv/0",
        "movie/2147483648",
        "tv/99999999999",
        "movie/-5",
        "tv/abc",
        "tv/1399/season/-1",
        "tv/1399/season/1-slug",  # only title ids take a slug
        "tv/1399/season/10000",
        "tv/1399/season/1/episode/100000",
        "tv/1399/season/1/episode/1/credits",
        "tv/1399/keywords",
        "tv/latest",
        "trending/person/day",
        "trending/all/month",
        "search/company",
        "movie/550/",
        "/movie/550",
        "Movie/550",
        "tv",
        "",
    ],
)
def test_paths_off_the_table_or_out_of_range_match_nothing(path: str) -> None:
    assert match(path) is None


def test_matched_ids_are_integers() -> None:
    matched = match("tv/1399-got/season/2/episode/3")
    assert matched is not None
    assert matched.ids == {"series_id": 1399, "season_number": 2, "episode_number": 3}
    assert dict(matched.values) == {
        "series_id": "1399",
        "season_number": "2",
        "episode_number": "3",
    }


def test_parse_id() -> None:
    assert tmdb_rules.parse_id("550") == 550
    assert tmdb_rules.parse_id("550-fight-club") == 550
    assert tmdb_rules.parse_id("0550") == 550
    for bad in ("0", "-1", "abc", "2147483648", "", "550/x"):
        assert tmdb_rules.parse_id(bad) is None, bad


def test_cache_classes() -> None:
    assert tmdb_rules.cache_class("configuration") == "configuration"
    assert tmdb_rules.cache_class("genre/tv/list") == "genres"
    assert tmdb_rules.cache_class("tv/1399") == "details"
    assert tmdb_rules.cache_class("tv/1399/season/1") == "details"
    assert tmdb_rules.cache_class("tv/1399/season/1/episode/1") == "details"
    assert tmdb_rules.cache_class("tv/1399/content_ratings") == "details"
    assert tmdb_rules.cache_class("tv/1399/similar") == "list"
    assert tmdb_rules.cache_class("movie/550/credits") == "details"
    assert tmdb_rules.cache_class("search/multi") == "search"
    assert tmdb_rules.cache_class("trending/all/week") == "list"
    assert tmdb_rules.cache_class("discover/tv") == "list"
    assert tmdb_rules.cache_class("person/1") == "list"  # off the table: the shortest


def test_discover_sort_fields_are_tmdbs_enums() -> None:
    assert documented_enum("discover/movie", "sort_by") == tmdb_rules.MOVIE_SORT_BY
    assert documented_enum("discover/tv", "sort_by") == tmdb_rules.TV_SORT_BY
    assert tmdb_rules.SORT_BY == {"movie": tmdb_rules.MOVIE_SORT_BY, "tv": tmdb_rules.TV_SORT_BY}
    assert tmdb_rules.DEFAULT_SORT in tmdb_rules.MOVIE_SORT_BY & tmdb_rules.TV_SORT_BY


def test_time_windows_are_tmdbs_enum() -> None:
    for media in tmdb_rules.TRENDING_MEDIA:
        path = f"trending/{media}/{{time_window}}"
        assert documented_enum(path, "time_window") == set(tmdb_rules.TIME_WINDOWS)


def test_appendable_names_are_the_sub_resources_we_route() -> None:
    for kind, id_name in tmdb_rules.ID_PARAMETERS.items():
        details = ROUTES_BY_NAME[f"{kind}/{{{id_name}}}"]
        assert details.appendable == tmdb_rules.APPENDABLE_BY_KIND[kind]
        for name in details.appendable:  # each is also a path of its own
            assert f"{kind}/{{{id_name}}}/{name}" in ROUTES_BY_NAME
    assert "content_ratings" in tmdb_rules.TV_APPENDABLE
    assert "release_dates" in tmdb_rules.MOVIE_APPENDABLE
    assert "release_dates" not in tmdb_rules.TV_APPENDABLE


def test_search_routes_require_a_query_and_paged_routes_are_the_page_envelopes() -> None:
    for route in ROUTES:
        assert (route.required is not None) == route.name.startswith("search/"), route.name
        properties = spec()["paths"][f"/3/{route.name}"]["get"]["responses"]["200"]["content"][
            "application/json"
        ]["schema"].get("properties", {})
        if not properties:  # movie/{movie_id}/recommendations: the spec's example was empty
            continue
        envelope = {"page", "results", "total_pages", "total_results"} <= set(properties)
        assert route.paged == envelope, route.name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, 1), ("1", 1), (" 2 ", 2), ("+3", 3), ("007", 7), ("500", 500), ("0500", 500)],
)
def test_parse_page_accepts_what_tmdb_accepts(raw: str | None, expected: int) -> None:
    assert tmdb_rules.parse_page(raw) == expected


@pytest.mark.parametrize(
    ("raw", "status", "body"),
    [
        ("0", 400, tmdb_rules.INVALID_PAGE),
        ("-1", 400, tmdb_rules.INVALID_PAGE),
        ("1.5", 400, tmdb_rules.INVALID_PAGE),
        ("abc", 400, tmdb_rules.INVALID_PAGE),
        ("", 400, tmdb_rules.INVALID_PAGE),
        ("501", 422, tmdb_rules.PAGE_TOO_HIGH),
        ("9" * 30, 422, tmdb_rules.PAGE_TOO_HIGH),
    ],
)
def test_parse_page_refuses_with_tmdbs_status_and_body(
    raw: str, status: int, body: dict[str, Any]
) -> None:
    with pytest.raises(PageError) as refused:
        tmdb_rules.parse_page(raw)
    assert (refused.value.status, refused.value.body) == (status, body)
    refused.value.body["errors" if "errors" in body else "status_message"] = "changed"
    assert body != refused.value.body  # a copy: the shared constant is never handed out


def test_error_bodies_carry_tmdbs_codes() -> None:
    codes = {
        "INVALID_PARAMETERS": 5,
        "INVALID_KEY": 7,
        "SERVICE_OFFLINE": 9,
        "INTERNAL_ERROR": 11,
        "UPSTREAM_INTERNAL_ERROR": 11,
        "FAILED": 15,
        "INVALID_PAGE": 22,
        "BACKEND_TIMEOUT": 24,
        "TOO_MANY_APPENDS": 27,
        "NOT_FOUND": 34,
        "METHOD_NOT_ALLOWED": 42,
        "BACKEND_UNREACHABLE": 43,
        "INVALID_INPUT": 47,
    }
    for name, code in codes.items():
        body = getattr(tmdb_rules, name)
        assert body["status_code"] == code, name
        assert body["success"] is False, name
        assert isinstance(body["status_message"], str) and body["status_message"], name
    assert tmdb_rules.UPSTREAM_FAILURES[404] is tmdb_rules.NOT_FOUND
    assert tmdb_rules.over_rate_limit(41, 40)["status_message"] == (
        "Your request count (41) is over the allowed limit of (40)."
    )
    assert tmdb_rules.over_rate_limit_observed(46) == {
        "status_code": 25,
        "status_message": "Your request count (46) is over the allowed limit of 40.",
    }


def test_no_other_module_spells_tmdbs_rules() -> None:
    # The rules live in tmdb_rules only: the gateway, the demo catalog, the fake server and the
    # client import them.
    root = Path(__file__).resolve().parents[2]
    sources = [
        root / "src" / "netflix_clone" / "gateway" / "allowlist.py",
        root / "src" / "netflix_clone" / "gateway" / "routes.py",
        root / "src" / "netflix_clone" / "catalog" / "tmdb.py",
        root / "src" / "netflix_clone" / "catalog" / "demo_tmdb.py",
        root / "devtools" / "fake_tmdb" / "server.py",
    ]
    for source in sources:
        text = source.read_text(encoding="utf-8")
        assert not re.search(r'"status_code":\s*\d', text), source
        assert not re.search(r"MAX_PAGE\s*[:=]|\b500\b(?!\d)(?=.*page)", text), source
        assert "could not be found" not in text, source
