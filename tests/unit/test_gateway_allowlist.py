"""The gateway's allow-list: one parameter set per route of TMDB's route table (tmdb_rules).

Valid requests come out canonical (one cache entry per meaning), unknown parameters are
dropped, and bad values are refused with TMDB's own status and body. TV routes follow the same
discipline as the movie routes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from netflix_clone.catalog import tmdb_rules
from netflix_clone.gateway.allowlist import PARAMS, Refusal, Wanted, resolve

SUBSET = Path(__file__).resolve().parents[1] / "data" / "tmdb-openapi-subset.json"
# Parameters we take that TMDB's spec does not list for the path, each one TMDB honours:
# `page` on trending (the answer is a page envelope), `include_image_language` next to
# append_to_response=images (developer.themoviedb.org/docs/image-languages) and `language` on
# release_dates (ignored by TMDB; accepted since apps send it on every call).
UNDOCUMENTED_BUT_HONOURED = {
    ("trending/all/{time_window}", "page"),
    ("trending/movie/{time_window}", "page"),
    ("trending/tv/{time_window}", "page"),
    ("movie/{movie_id}", "include_image_language"),
    ("tv/{series_id}", "include_image_language"),
    ("movie/{movie_id}/release_dates", "language"),
}


def refused(path: str, args: dict[str, str]) -> Refusal:
    with pytest.raises(Refusal) as refusal:
        resolve(path, args)
    return refusal.value


def test_every_route_of_the_table_is_allow_listed() -> None:
    assert set(PARAMS) == {route.name for route in tmdb_rules.ROUTES}


def test_every_parameter_we_take_is_one_tmdb_documents_for_that_path() -> None:
    with SUBSET.open(encoding="utf-8") as handle:
        paths = json.load(handle)["paths"]
    for name, params in PARAMS.items():
        documented = {
            p["name"] for p in paths[f"/3/{name}"]["get"]["parameters"] if p["in"] == "query"
        }
        extra = {(name, param) for param in set(params) - documented}
        assert extra <= UNDOCUMENTED_BUT_HONOURED, extra


# --- series details and their sub-resources ---------------------------------------------------


def test_series_details_take_a_slug_and_tv_appends_sorted_and_deduplicated() -> None:
    wanted = resolve(
        "tv/1399-game-of-thrones",
        {
            "append_to_response": "videos, credits,content_ratings,bogus,release_dates,videos",
            "api_key": "client-key",
            "language": "en-us",
            "include_image_language": "EN,null",
            "_": "1712345678",
        },
    )
    assert wanted == Wanted(
        "tv/1399",
        {
            "append_to_response": "content_ratings,credits,videos",
            "include_image_language": "en,null",
            "language": "en-US",
        },
        "tv/{series_id}",
        tmdb_rules.ROUTES_BY_NAME["tv/{series_id}"],
    )
    assert wanted.route.cache == "details"


def test_each_kind_appends_only_its_own_sub_resources() -> None:
    every = "videos,credits,images,similar,recommendations,release_dates,content_ratings"
    series = resolve("tv/1399", {"append_to_response": every})
    movie = resolve("movie/550", {"append_to_response": every})
    assert series.params["append_to_response"].split(",") == sorted(tmdb_rules.TV_APPENDABLE)
    assert movie.params["append_to_response"].split(",") == sorted(tmdb_rules.MOVIE_APPENDABLE)
    assert resolve("tv/1399", {"append_to_response": "account_states"}).params == {}


def test_more_than_twenty_appends_is_tmdbs_error_27() -> None:
    refusal = refused("tv/1399", {"append_to_response": ",".join(["videos"] * 21)})
    assert (refusal.status, refusal.body) == (400, tmdb_rules.TOO_MANY_APPENDS)


@pytest.mark.parametrize(
    ("path", "canonical", "template"),
    [
        ("tv/1399/season/1", "tv/1399/season/1", "tv/{series_id}/season/{season_number}"),
        ("tv/1399-got/season/01", "tv/1399/season/1", "tv/{series_id}/season/{season_number}"),
        (
            "tv/1399/season/1/episode/01",
            "tv/1399/season/1/episode/1",
            "tv/{series_id}/season/{season_number}/episode/{episode_number}",
        ),
    ],
)
def test_seasons_and_episodes_are_canonical_and_take_language_only(
    path: str, canonical: str, template: str
) -> None:
    wanted = resolve(
        path, {"language": "fr-fr", "append_to_response": "credits", "page": "2", "x": "y"}
    )
    assert (wanted.path, wanted.params, wanted.template) == (
        canonical,
        {"language": "fr-FR"},
        template,
    )


@pytest.mark.parametrize(
    ("path", "args", "params"),
    [
        ("tv/1399/videos", {"language": "en-US", "page": "2"}, {"language": "en-US"}),
        ("tv/1399/credits", {"language": "de"}, {"language": "de"}),
        ("tv/1399/content_ratings", {"language": "en-US"}, {}),
        (
            "tv/1399/images",
            {"include_image_language": "null,en,en", "language": "en-US"},
            {"include_image_language": "en,null", "language": "en-US"},
        ),
        ("tv/1399/similar", {"page": "2", "language": "en-US"}, {"page": "2", "language": "en-US"}),
        ("tv/1399-got/recommendations", {"page": "1"}, {}),
    ],
)
def test_series_sub_resources(path: str, args: dict[str, str], params: dict[str, str]) -> None:
    wanted = resolve(path, args)
    assert wanted.path == path.replace("-got", "")
    assert wanted.params == params


@pytest.mark.parametrize("path", ["tv/0", "tv/2147483648", "tv/abc", "tv/1399/keywords"])
def test_impossible_series_ids_and_unserved_sub_resources_are_tmdbs_404(path: str) -> None:
    refusal = refused(path, {})
    assert (refusal.status, refusal.body) == (404, tmdb_rules.NOT_FOUND)


# --- TV lists, trending, genres ---------------------------------------------------------------


@pytest.mark.parametrize("name", tmdb_rules.TV_LISTS)
def test_tv_lists_take_language_and_page_not_region(name: str) -> None:
    wanted = resolve(f"tv/{name}", {"language": "EN-us", "page": "3", "region": "US"})
    assert wanted.path == f"tv/{name}"
    assert wanted.params == {"language": "en-US", "page": "3"}


def test_airing_lists_take_a_timezone() -> None:
    for name in ("tv/on_the_air", "tv/airing_today"):
        assert resolve(name, {"timezone": "America/New_York"}).params == {
            "timezone": "America/New_York"
        }
    assert resolve("tv/popular", {"timezone": "America/New_York"}).params == {}
    refusal = refused("tv/airing_today", {"timezone": "../../etc/passwd"})
    assert (refusal.status, refusal.body) == (422, tmdb_rules.INVALID_PARAMETERS)


@pytest.mark.parametrize("media", tmdb_rules.TRENDING_MEDIA)
@pytest.mark.parametrize("window", tmdb_rules.TIME_WINDOWS)
def test_trending_of_every_media(media: str, window: str) -> None:
    wanted = resolve(f"trending/{media}/{window}", {"page": "2", "language": "en", "region": "US"})
    assert wanted.path == f"trending/{media}/{window}"
    assert wanted.template == f"trending/{media}/{{time_window}}"
    assert wanted.params == {"page": "2", "language": "en"}


def test_tv_genres() -> None:
    wanted = resolve("genre/tv/list", {"language": "en-US", "page": "2"})
    assert (wanted.path, wanted.params, wanted.route.cache) == (
        "genre/tv/list",
        {"language": "en-US"},
        "genres",
    )


@pytest.mark.parametrize(
    ("query", "status", "body"),
    [
        ("0", 400, tmdb_rules.INVALID_PAGE),
        ("abc", 400, tmdb_rules.INVALID_PAGE),
        ("501", 422, tmdb_rules.PAGE_TOO_HIGH),
    ],
)
def test_tv_pages_get_tmdbs_own_errors(query: str, status: int, body: dict[str, Any]) -> None:
    for path in ("tv/popular", "trending/all/week", "discover/tv", "tv/1399/similar"):
        refusal = refused(path, {"page": query})
        assert (refusal.status, refusal.body) == (status, body), path


# --- discover/tv ------------------------------------------------------------------------------


def test_discover_tv_netflix_originals_row() -> None:
    wanted = resolve(
        "discover/tv",
        {"api_key": "k", "with_networks": "213", "language": "en-US", "page": "1"},
    )
    assert (wanted.path, wanted.params) == (
        "discover/tv",
        {"language": "en-US", "with_networks": "213"},
    )
    assert wanted.route.cache == "list"


def test_discover_tv_takes_its_own_filters_canonical() -> None:
    wanted = resolve(
        "discover/tv",
        {
            "with_networks": " 213 | 49 ",
            "with_genres": "10765, 18",
            "without_genres": "16",
            "sort_by": "first_air_date.desc",
            "first_air_date.gte": "2010-01-01",
            "first_air_date.lte": "2019-12-31",
            "first_air_date_year": "2011",
            "air_date.gte": "2024-01-01",
            "air_date.lte": "2024-01-07",
            "vote_average.gte": "7.5",
            "vote_count.gte": "100",
            "with_original_language": "EN|ko",
            "include_adult": "FALSE",
            "include_null_first_air_dates": "false",
            "timezone": "Europe/London",
            "with_runtime.lte": "60",
            # not served, or another kind's: dropped
            "primary_release_year": "2011",
            "region": "US",
            "with_cast": "1",
            "with_keywords": "9715",
        },
    )
    assert wanted.params == {
        "air_date.gte": "2024-01-01",
        "air_date.lte": "2024-01-07",
        "first_air_date.gte": "2010-01-01",
        "first_air_date.lte": "2019-12-31",
        "first_air_date_year": "2011",
        "include_adult": "false",
        "include_null_first_air_dates": "false",
        "sort_by": "first_air_date.desc",
        "timezone": "Europe/London",
        "vote_average.gte": "7.5",
        "vote_count.gte": "100",
        "with_genres": "10765,18",
        "with_networks": "213|49",
        "with_original_language": "en|ko",
        "with_runtime.lte": "60",
        "without_genres": "16",
    }


@pytest.mark.parametrize("field", tmdb_rules.TV_SORT_FIELDS)
def test_discover_tv_sorts_by_every_tv_field(field: str) -> None:
    for direction in ("asc", "desc"):
        value = f"{field}.{direction}"
        assert resolve("discover/tv", {"sort_by": value}).params == {"sort_by": value}


@pytest.mark.parametrize(
    "args",
    [
        {"with_networks": "netflix"},
        {"with_networks": "213&api_key=stolen"},
        {"with_networks": "213;49"},
        {"sort_by": "primary_release_date.desc"},  # a movie field
        {"sort_by": "title.asc"},
        {"sort_by": "name.up"},
        {"first_air_date.gte": "2020-02-30"},
        {"air_date.lte": "yesterday"},
        {"first_air_date_year": "99"},
        {"include_null_first_air_dates": "yes"},
        {"vote_average.gte": "11"},
        {"timezone": "America/New York"},
        {"timezone": "x" * 60},
        {"with_genres": "drama"},
    ],
)
def test_bad_discover_tv_values_are_tmdbs_422(args: dict[str, str]) -> None:
    refusal = refused("discover/tv", args)
    assert (refusal.status, refusal.body) == (422, tmdb_rules.INVALID_PARAMETERS)


def test_each_discover_takes_only_its_own_sort_fields() -> None:
    assert resolve("discover/movie", {"sort_by": "title.asc"}).params == {"sort_by": "title.asc"}
    for tv_only in ("name.asc", "original_name.desc", "first_air_date.asc"):
        assert refused("discover/movie", {"sort_by": tv_only}).status == 422
    assert resolve("discover/movie", {"with_networks": "213"}).params == {}


# --- search/tv and search/multi ---------------------------------------------------------------


def test_search_tv() -> None:
    wanted = resolve(
        "search/tv",
        {"query": " breaking bad ", "first_air_date_year": "2008", "year": "2008", "page": "2"},
    )
    assert wanted.params == {
        "first_air_date_year": "2008",
        "page": "2",
        "query": "breaking bad",
        "year": "2008",
    }
    assert wanted.route.cache == "search"


def test_search_multi_takes_no_year_or_region() -> None:
    wanted = resolve(
        "search/multi",
        {"query": "stranger", "year": "2016", "region": "US", "include_adult": "false"},
    )
    assert wanted.params == {"include_adult": "false", "query": "stranger"}


@pytest.mark.parametrize("path", ["search/tv", "search/multi"])
@pytest.mark.parametrize("args", [{}, {"query": ""}, {"query": "   "}])
def test_search_without_query_is_tmdbs_422(path: str, args: dict[str, str]) -> None:
    refusal = refused(path, args)
    assert (refusal.status, refusal.body) == (422, tmdb_rules.QUERY_REQUIRED)


@pytest.mark.parametrize("query", ["x" * 201, "a\x00b", "a\r\nX-Injected: 1"])
def test_search_queries_are_bounded(query: str) -> None:
    for path in ("search/tv", "search/multi"):
        assert refused(path, {"query": query}).body == tmdb_rules.INVALID_PARAMETERS


def test_docs_list_every_route_with_its_parameters() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "gateway.md").read_text("utf-8")
    tables = doc.partition("## Supported paths and parameters")[2].partition("Value checks:")[0]
    rows = [line for line in tables.splitlines() if line.startswith("| `")]
    spelled = {
        "{movie_id}": "{id}",
        "{series_id}": "{id}",
        "{season_number}": "{n}",
        "{episode_number}": "{e}",
    }
    for route in tmdb_rules.ROUTES:
        path = route.name
        for placeholder, short in spelled.items():
            path = path.replace(placeholder, short)
        paths = {path.replace("{time_window}", window) for window in tmdb_rules.TIME_WINDOWS}
        for one in paths:
            (row,) = [row for row in rows if f"`{one}`" in row.split(" | ")[0]]
            documented = set(re.findall(r"`([a-z_.]+)(?:/\.lte)?`", row.split(" | ")[1]))
            documented |= {
                name.replace(".gte", ".lte") for name in documented if name.endswith(".gte")
            }
            assert documented >= set(PARAMS[route.name]), (one, row)
