"""DemoTMDB answers TMDB v3's TV paths from the bundled catalog, as TMDB would."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from netflix_clone.catalog import tmdb_rules
from netflix_clone.catalog.demo_tmdb import PAGE_SIZE, DemoTMDB
from tests.tmdb_spec import ValidationError, validate_tmdb_response

REPO_ROOT = Path(__file__).resolve().parents[2]
NOT_FOUND = {
    "success": False,
    "status_code": 34,
    "status_message": "The resource you requested could not be found.",
}
GOT = 1399  # Game of Thrones: recorded details, season 1, episode 1x01, ratings, credits, videos
STRANGER_THINGS = 66732  # catalog-data: every season and episode; a Netflix original
NETFLIX, HBO = 213, 49
TV_APPEND_ALL = "credits,videos,images,content_ratings,similar,recommendations"
TV_SUBS = ("credits", "videos", "images", "content_ratings", "similar", "recommendations")


@pytest.fixture(scope="module")
def demo() -> DemoTMDB:
    return DemoTMDB.default()


def item(demo: DemoTMDB, series_id: int) -> dict[str, Any]:
    found = demo.item("tv", series_id)
    assert found is not None, series_id
    return found


def ok(demo: DemoTMDB, path: str, **params: str) -> dict[str, Any]:
    status, body = demo.handle(path, params)
    assert status == 200, (path, params, body)
    return body


def ids(body: dict[str, Any]) -> list[int]:
    return [item["id"] for item in body["results"]]


def us_rating(demo: DemoTMDB, series_id: int) -> str:
    results = ok(demo, f"tv/{series_id}/content_ratings")["results"]
    return str(next(r["rating"] for r in results if r["iso_3166_1"] == "US"))


# ---------------------------------------------------------------------------- the data file


def test_every_series_has_seasons_with_their_recorded_episodes(demo: DemoTMDB) -> None:
    with_two = 0
    for series_id in demo.series_ids:
        details = ok(demo, f"tv/{series_id}")
        regular = [s for s in details["seasons"] if s["season_number"] > 0]
        assert len(regular) == details["number_of_seasons"] >= 1, series_id
        total = 0
        for season in regular:
            body = ok(demo, f"tv/{series_id}/season/{season['season_number']}")
            assert len(body["episodes"]) == season["episode_count"] > 0, (series_id, season)
            total += len(body["episodes"])
        assert total == details["number_of_episodes"], series_id
        with_two += len(regular) >= 2
    assert len(demo.series_ids) >= 400
    assert with_two >= 200


def test_episodes_are_recorded_not_invented(demo: DemoTMDB) -> None:
    named = total = 0
    for series_id in demo.series_ids[::10]:
        for episode in ok(demo, f"tv/{series_id}/season/1")["episodes"]:
            total += 1
            named += not episode["name"].startswith("Episode ")
            assert episode["show_id"] == series_id and episode["season_number"] == 1
    assert total > 300 and named / total > 0.7


def test_series_genres_are_tmdbs_english_tv_genres(demo: DemoTMDB) -> None:
    names = {genre["id"]: genre["name"] for genre in ok(demo, "genre/tv/list")["genres"]}
    assert names[10765] == "Sci-Fi & Fantasy" and names[35] == "Comedy"
    for series_id in demo.series_ids:
        assert set(item(demo, series_id)["genre_ids"]) <= set(names), series_id


def test_recorded_details_win_and_episodes_come_from_the_data(demo: DemoTMDB) -> None:
    got = ok(demo, f"tv/{GOT}")
    assert got["name"] == "Game of Thrones" and got["tagline"] == "Winter Is Coming"
    assert [n["id"] for n in got["networks"]] == [HBO]  # as recorded
    assert [c["name"] for c in got["created_by"]][:2] == ["David Benioff", "D.B. Weiss"]
    assert got["popularity"] == item(demo, GOT)["popularity"]  # one scale for every series
    assert GOT in demo.store.head["recorded"]["tv"]


def test_maturity_ratings_are_the_recorded_certifications(demo: DemoTMDB) -> None:
    ratings = {i: ok(demo, f"tv/{i}/content_ratings")["results"] for i in demo.series_ids}
    us = {i: r["rating"] for i, found in ratings.items() for r in found if r["iso_3166_1"] == "US"}
    assert us[GOT] == "TV-MA" and us[STRANGER_THINGS] == "TV-14"
    assert sum(r == "TV-MA" for r in us.values()) >= 100
    assert sum(r in ("TV-G", "TV-Y7", "TV-Y") for r in us.values()) >= 10
    assert len(us) >= 0.9 * len(demo.series_ids)
    # A rating of another country keeps its country when the rule finds exactly one.
    assert ratings[248698] == [{"descriptors": [], "iso_3166_1": "GB", "rating": "15"}]
    assert ratings[156993] == []  # "12": Germany, Britain, the US network: no single country


def test_episode_ids_are_tmdbs_and_do_not_collide(demo: DemoTMDB) -> None:
    seen: set[int] = set()
    for series_id in demo.series_ids[::4]:
        for season in ok(demo, f"tv/{series_id}")["seasons"]:
            body = ok(demo, f"tv/{series_id}/season/{season['season_number']}")
            for episode in body["episodes"]:
                assert 1 <= episode["id"] < 1_000_000_000
                assert episode["id"] not in seen
                seen.add(episode["id"])


# ---------------------------------------------------------------------------- spec conformance

TV_SPEC_CASES: list[tuple[str, str, dict[str, str]]] = [
    ("genre/tv/list", "genre/tv/list", {"language": "en"}),
    ("tv/popular", "tv/popular", {"page": "2"}),
    ("tv/top_rated", "tv/top_rated", {}),
    ("tv/on_the_air", "tv/on_the_air", {}),
    ("tv/airing_today", "tv/airing_today", {}),
    ("trending/tv/{time_window}", "trending/tv/day", {}),
    ("trending/tv/{time_window}", "trending/tv/week", {"page": "2"}),
    ("trending/all/{time_window}", "trending/all/day", {}),
    ("trending/all/{time_window}", "trending/all/week", {"page": "3"}),
    ("discover/tv", "discover/tv", {"with_networks": "213", "sort_by": "name.asc"}),
    ("search/tv", "search/tv", {"query": "the"}),
    ("search/multi", "search/multi", {"query": "star wars"}),
]


@pytest.mark.parametrize(("template", "path", "params"), TV_SPEC_CASES)
def test_every_tv_list_path_fits_the_official_schema(
    demo: DemoTMDB, template: str, path: str, params: dict[str, str]
) -> None:
    validate_tmdb_response(template, ok(demo, path, **params))


def test_series_details_sub_resources_seasons_and_episodes_fit_the_schema(
    demo: DemoTMDB,
) -> None:
    season_t = "tv/{series_id}/season/{season_number}"
    for series_id in demo.series_ids:
        validate_tmdb_response("tv/{series_id}", ok(demo, f"tv/{series_id}"))
    for series_id in sorted({GOT, STRANGER_THINGS, *demo.series_ids[::10]}):
        details = ok(demo, f"tv/{series_id}", append_to_response=TV_APPEND_ALL)
        validate_tmdb_response("tv/{series_id}", details)
        for sub in TV_SUBS:
            body = ok(demo, f"tv/{series_id}/{sub}")
            validate_tmdb_response(f"tv/{{series_id}}/{sub}", body)
            appended = {k: v for k, v in body.items() if k != "id"}
            assert details[sub] == appended
        for season in details["seasons"]:
            number = season["season_number"]
            body = ok(demo, f"tv/{series_id}/season/{number}")
            validate_tmdb_response(season_t, body)
            for episode in (body["episodes"][0], body["episodes"][-1]):
                path = f"tv/{series_id}/season/{number}/episode/{episode['episode_number']}"
                validate_tmdb_response(f"{season_t}/episode/{{episode_number}}", ok(demo, path))


def test_tv_schema_validation_still_rejects_wrong_types(demo: DemoTMDB) -> None:
    body = ok(demo, f"tv/{GOT}")
    body["seasons"] = {"season_number": 1}
    with pytest.raises(ValidationError):
        validate_tmdb_response("tv/{series_id}", body)
    season = ok(demo, f"tv/{GOT}/season/2")
    season["episodes"][0]["episode_number"] = "one"
    with pytest.raises(ValidationError):
        validate_tmdb_response("tv/{series_id}/season/{season_number}", season)


# ---------------------------------------------------------------------------- lists and trending


@pytest.mark.parametrize(
    "name", ["popular", "top_rated", "on_the_air", "airing_today", "trending_day", "trending_week"]
)
def test_tv_lists_page_through_their_bundled_members(demo: DemoTMDB, name: str) -> None:
    path = f"tv/{name}" if not name.startswith("trending") else name.replace("_", "/tv/")
    members = list(demo.tv_list_ids(name))
    assert members and len(members) == len(set(members))
    first = ok(demo, path)
    assert first["total_results"] == len(members)
    assert first["total_pages"] == math.ceil(len(members) / PAGE_SIZE)
    collected: list[int] = []
    for page in range(1, first["total_pages"] + 1):
        body = ok(demo, path, page=str(page))
        assert all("name" in item and "title" not in item for item in body["results"])
        collected += ids(body)
    assert collected == members
    assert ok(demo, path, page=str(first["total_pages"] + 1))["results"] == []


def test_tv_lists_carry_media_type_only_when_trending(demo: DemoTMDB) -> None:
    assert {i["media_type"] for i in ok(demo, "trending/tv/day")["results"]} == {"tv"}
    assert all("media_type" not in item for item in ok(demo, "tv/popular")["results"])
    assert "dates" not in ok(demo, "tv/on_the_air")


def test_tv_date_lists_follow_their_rules(demo: DemoTMDB) -> None:
    def airs_in(series_id: int, low: str, high: str) -> bool:
        for season in ok(demo, f"tv/{series_id}")["seasons"]:
            if season["season_number"] == 0:
                continue
            episodes = ok(demo, f"tv/{series_id}/season/{season['season_number']}")["episodes"]
            if any(low <= (e["air_date"] or "") <= high for e in episodes):
                return True
        return False

    today = demo.tv_list_ids("airing_today")
    assert len(today) >= 5 and all(airs_in(i, "2025-12-01", "2025-12-01") for i in today)
    week = demo.tv_list_ids("on_the_air")
    assert set(today) <= set(week) and len(week) >= 20
    assert all(airs_in(i, "2025-12-01", "2025-12-07") for i in week[:10])
    for name in ("airing_today", "on_the_air", "trending_day", "trending_week", "popular"):
        popularity = [item(demo, i)["popularity"] for i in demo.tv_list_ids(name)]
        assert popularity == sorted(popularity, reverse=True), name
    assert set(demo.tv_list_ids("trending_day")) <= set(demo.tv_list_ids("trending_week"))
    rated = [item(demo, i) for i in demo.tv_list_ids("top_rated")]
    assert all(s["vote_count"] >= 200 for s in rated) and len(rated) >= 200


@pytest.mark.parametrize("window", ["day", "week"])
def test_trending_all_alternates_movies_and_series(demo: DemoTMDB, window: str) -> None:
    keys = list(demo.trending_all(window))
    assert len(keys) == len(set(keys))
    collected: list[tuple[str, int]] = []
    pages = ok(demo, f"trending/all/{window}")["total_pages"]
    for page in range(1, pages + 1):
        for found in ok(demo, f"trending/all/{window}", page=str(page))["results"]:
            assert ("title" in found) == (found["media_type"] == "movie")
            assert ("name" in found) == (found["media_type"] == "tv")
            collected.append((found["media_type"], found["id"]))
    assert collected == keys
    movies = [("movie", i) for i in demo.list_ids(f"trending_{window}")]
    series = [("tv", i) for i in demo.tv_list_ids(f"trending_{window}")]
    assert [k for k in keys if k[0] == "movie"] == movies
    assert [k for k in keys if k[0] == "tv"] == series
    assert [kind for kind, _ in keys[:6]] == ["movie", "tv"] * 3


# ---------------------------------------------------------------------------- discover/tv


def networks_of(demo: DemoTMDB, series_id: int) -> set[int]:
    return {network["id"] for network in ok(demo, f"tv/{series_id}")["networks"]}


def all_pages(demo: DemoTMDB, path: str, **params: str) -> list[dict[str, Any]]:
    first = ok(demo, path, **params)
    items = list(first["results"])
    for page in range(2, first["total_pages"] + 1):
        items += ok(demo, path, **params, page=str(page))["results"]
    assert len(items) == first["total_results"]
    return items


def test_discover_tv_with_networks_netflix(demo: DemoTMDB) -> None:
    netflix = all_pages(demo, "discover/tv", with_networks=str(NETFLIX))
    assert len(netflix) >= 40
    assert STRANGER_THINGS in [s["id"] for s in netflix]
    assert all(NETFLIX in networks_of(demo, s["id"]) for s in netflix)
    assert all(s["poster_path"] for s in netflix)  # "Netflix Originals" rows show posters
    hbo = {s["id"] for s in all_pages(demo, "discover/tv", with_networks=str(HBO))}
    assert GOT in hbo and all(HBO in networks_of(demo, i) for i in hbo)
    either = {s["id"] for s in all_pages(demo, "discover/tv", with_networks="213|49")}
    assert either == {s["id"] for s in netflix} | hbo
    both = {s["id"] for s in all_pages(demo, "discover/tv", with_networks="213,49")}
    assert both == {s["id"] for s in netflix} & hbo


@pytest.mark.parametrize("field", tmdb_rules.TV_SORT_FIELDS)
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_discover_tv_sorts_by_every_tmdb_tv_sort_field(
    demo: DemoTMDB, field: str, direction: str
) -> None:
    items = all_pages(demo, "discover/tv", sort_by=f"{field}.{direction}")
    values: list[Any] = [
        str(i[field]).casefold() if field in ("name", "original_name") else i[field] for i in items
    ]
    if field != "first_air_date":
        values = [float(v) for v in values] if field not in ("name", "original_name") else values
    assert values == sorted(values, reverse=direction == "desc")
    assert len(items) == ok(demo, "discover/tv")["total_results"]


def test_discover_tv_default_and_unknown_sort_are_popularity_desc(demo: DemoTMDB) -> None:
    default = ids(ok(demo, "discover/tv"))
    assert default == ids(ok(demo, "discover/tv", sort_by="popularity.desc"))
    assert default == ids(ok(demo, "discover/tv", sort_by="release_date.desc"))


def test_discover_tv_dates_years_votes_runtime_and_origin(demo: DemoTMDB) -> None:
    ranged = all_pages(
        demo,
        "discover/tv",
        **{"first_air_date.gte": "2020-01-01", "first_air_date.lte": "2021-12-31"},
    )
    assert ranged and all("2020-01-01" <= s["first_air_date"] <= "2021-12-31" for s in ranged)
    year = all_pages(demo, "discover/tv", first_air_date_year="2023")
    assert year and all(s["first_air_date"].startswith("2023") for s in year)
    voted = all_pages(demo, "discover/tv", **{"vote_average.gte": "8", "vote_count.gte": "1000"})
    assert voted and all(s["vote_average"] >= 8 and s["vote_count"] >= 1000 for s in voted)
    short = all_pages(demo, "discover/tv", **{"with_runtime.lte": "25"})
    assert short and all(ok(demo, f"tv/{s['id']}")["episode_run_time"][0] <= 25 for s in short)
    korean = all_pages(demo, "discover/tv", with_origin_country="KR")
    assert korean and all("KR" in s["origin_country"] for s in korean)
    everything = ok(demo, "discover/tv")["total_results"]
    with_nulls = ok(demo, "discover/tv", include_null_first_air_dates="true")["total_results"]
    assert everything == with_nulls == len(demo.series_ids)  # every series has aired


# ---------------------------------------------------------------------------- search


def test_search_tv_matches_names_as_tmdb_does(demo: DemoTMDB) -> None:
    assert ids(ok(demo, "search/tv", query="GAME of thrones"))[0] == GOT
    assert ids(ok(demo, "search/tv", query="stranger thi"))[0] == STRANGER_THINGS
    assert ids(ok(demo, "search/tv", query="rick and morty"))[:1] == [60625]
    assert [s["name"] for s in ok(demo, "search/tv", query="pokemon")["results"]] == [
        "Pokémon Horizons"
    ]
    assert [s["name"] for s in ok(demo, "search/tv", query="oshi no ko")["results"]] == [
        "【OSHI NO KO】"
    ]
    assert "S.W.A.T." in [s["name"] for s in ok(demo, "search/tv", query="swat")["results"]]
    assert ok(demo, "search/tv", query="zzzz-nothing")["total_results"] == 0


def test_search_tv_year_filter(demo: DemoTMDB) -> None:
    assert GOT in ids(ok(demo, "search/tv", query="game", first_air_date_year="2011"))
    assert GOT not in ids(ok(demo, "search/tv", query="game", first_air_date_year="2012"))


def test_search_multi_mixes_movies_and_series_with_media_type(demo: DemoTMDB) -> None:
    items = all_pages(demo, "search/multi", query="star wars")
    assert {found["media_type"] for found in items} == {"movie", "tv"}
    for found in items:
        name = found["title"] if found["media_type"] == "movie" else found["name"]
        assert "star wars" in name.casefold()
    # Exact matches first: the movie titled exactly "Star Wars".
    assert (items[0]["media_type"], items[0]["id"]) == ("movie", 11)


@pytest.mark.parametrize("path", ["search/tv", "search/multi"])
def test_search_without_query_is_tmdbs_422(demo: DemoTMDB, path: str) -> None:
    assert demo.handle(path, {}) == (422, {"errors": ["query must be provided"]})
    assert demo.handle(path, {"query": "  "})[0] == 422


# ---------------------------------------------------------------------------- details


def test_recorded_series_details_and_append_to_response(demo: DemoTMDB) -> None:
    body = ok(demo, f"tv/{GOT}", append_to_response=TV_APPEND_ALL + ",keywords,nonsense")
    assert body["name"] == "Game of Thrones"
    assert body["number_of_seasons"] == 8 and body["number_of_episodes"] == 73
    assert body["last_episode_to_air"]["name"] == "The Iron Throne"
    assert {"keywords", "nonsense"}.isdisjoint(body)
    for name in TV_SUBS:
        if name not in ("similar", "recommendations"):
            assert "id" not in body[name]
    assert body["credits"]["cast"][0]["credit_id"]  # the recorded credits, whole
    assert body["videos"]["results"]
    us = [r["rating"] for r in body["content_ratings"]["results"] if r["iso_3166_1"] == "US"]
    assert us == ["TV-MA"]
    assert all(i["media_type"] == "tv" for i in body["recommendations"]["results"])
    assert GOT not in ids(body["similar"])
    assert ok(demo, f"tv/{GOT}-game-of-thrones")["id"] == GOT


def test_append_to_response_limit_on_series(demo: DemoTMDB) -> None:
    status, body = demo.handle(f"tv/{GOT}", {"append_to_response": ",".join(["credits"] * 21)})
    assert status == 400 and body["status_code"] == 27
    twenty = ok(demo, f"tv/{GOT}", append_to_response=",".join(["videos"] * 20))
    assert "videos" in twenty


def test_series_details_from_the_data_are_complete(demo: DemoTMDB) -> None:
    body = ok(demo, f"tv/{STRANGER_THINGS}", append_to_response="credits,videos,images")
    assert body["name"] == "Stranger Things" and body["status"] == "Ended"
    assert [n["id"] for n in body["networks"]] == [NETFLIX]
    assert body["origin_country"] == []  # Netflix's origin country is recorded as ""
    assert body["created_by"] == []  # not recorded
    assert body["number_of_seasons"] == 5 and body["episode_run_time"] == [56]
    cast = body["credits"]["cast"]
    assert cast[0]["name"] == "Winona Ryder" and cast[0]["character"]
    assert all(c["profile_path"] for c in cast[:3])
    assert any(v["type"] == "Trailer" and v["site"] == "YouTube" for v in body["videos"]["results"])
    # As of 2025-12-01 volume 1 of season 5 had aired, the rest had not.
    last, following = body["last_episode_to_air"], body["next_episode_to_air"]
    assert (last["season_number"], last["episode_number"]) == (5, 4)
    assert last["air_date"] <= "2025-12-01" < following["air_date"]
    season = ok(demo, f"tv/{STRANGER_THINGS}/season/5")
    assert season["episodes"][3]["id"] == last["id"]


def test_series_images_are_not_recorded_so_none_are_served(demo: DemoTMDB) -> None:
    # Both recorded tv images bodies are Fight Club's (id 550); a series gets none.
    assert ok(demo, f"tv/{GOT}/images") == {
        "id": GOT,
        "backdrops": [],
        "logos": [],
        "posters": [],
    }


def test_related_series_share_a_genre(demo: DemoTMDB) -> None:
    genres = {g["id"] for g in ok(demo, f"tv/{STRANGER_THINGS}")["genres"]}
    for name in ("similar", "recommendations"):
        related = all_pages(demo, f"tv/{STRANGER_THINGS}/{name}")
        assert related and len(related) <= 40
        assert STRANGER_THINGS not in [s["id"] for s in related]
        assert all(genres & set(s["genre_ids"]) for s in related)
        assert all(("media_type" in s) == (name == "recommendations") for s in related)


# ---------------------------------------------------------------------------- seasons / episodes


def test_recorded_season_and_episode(demo: DemoTMDB) -> None:
    season = ok(demo, f"tv/{GOT}/season/1")
    assert season["name"] == "Season 1" and len(season["episodes"]) == 10
    assert season["episodes"][0]["name"] == "Winter Is Coming"
    assert all(e["runtime"] and e["still_path"] for e in season["episodes"])
    assert season["episodes"][0]["crew"]  # the recorded season, whole
    episode = ok(demo, f"tv/{GOT}/season/1/episode/1")
    assert episode["id"] == 63056 and episode["guest_stars"]
    second = ok(demo, f"tv/{GOT}/season/1/episode/2")
    recorded = season["episodes"][1]
    assert second["name"] == recorded["name"] and second["id"] == recorded["id"]
    assert "show_id" not in second


def test_seasons_of_the_data_carry_names_runtimes_and_stills(demo: DemoTMDB) -> None:
    season = ok(demo, f"tv/{GOT}/season/8")
    summary = next(s for s in ok(demo, f"tv/{GOT}")["seasons"] if s["season_number"] == 8)
    assert season["id"] == summary["id"] and season["name"] == summary["name"]
    episodes = season["episodes"]
    assert [e["episode_number"] for e in episodes] == list(range(1, summary["episode_count"] + 1))
    assert episodes[0]["name"] == "Winterfell" and episodes[0]["overview"]
    assert episodes[-1]["name"] == "The Iron Throne" and episodes[-1]["runtime"] == 80
    assert all(e["still_path"] and e["runtime"] for e in episodes)
    assert all(e["crew"] == [] and e["guest_stars"] == [] for e in episodes)  # not recorded
    finale = ok(demo, f"tv/{GOT}/season/8/episode/6")
    assert finale["id"] == 1551830 and "show_id" not in finale


@pytest.mark.parametrize(
    "path",
    [
        "tv/1",
        "tv/999999999",
        "tv/0",
        "tv/abc",
        "tv/1/season/1",
        f"tv/{GOT}/season/9",
        f"tv/{GOT}/season/0/episode/999",
        f"tv/{GOT}/season/1/episode/11",
        f"tv/{GOT}/season/1/episode/0",
        f"tv/{STRANGER_THINGS}/season/6",
        f"tv/{STRANGER_THINGS}/season/1/episode/9",
        f"tv/{GOT}/keywords",
        f"tv/{GOT}/season/1/credits",
        "tv/latest",
        "trending/tv/month",
        "genre/tv",
    ],
)
def test_unknown_series_season_episode_or_path_is_404_code_34(demo: DemoTMDB, path: str) -> None:
    assert demo.handle(path, {}) == (404, NOT_FOUND)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("tv/popular", {}),
        ("trending/tv/day", {}),
        ("trending/all/week", {}),
        ("discover/tv", {}),
        ("search/tv", {"query": "the"}),
        ("search/multi", {"query": "the"}),
        (f"tv/{GOT}/similar", {}),
        (f"tv/{GOT}/recommendations", {}),
    ],
)
def test_tv_paged_paths_refuse_bad_pages_like_tmdb(
    demo: DemoTMDB, path: str, params: dict[str, str]
) -> None:
    assert demo.handle(path, {**params, "page": "0"}) == (400, tmdb_rules.INVALID_PAGE)
    assert demo.handle(path, {**params, "page": "x"}) == (400, tmdb_rules.INVALID_PAGE)
    assert demo.handle(path, {**params, "page": "501"}) == (422, tmdb_rules.PAGE_TOO_HIGH)
    assert demo.handle(path, {**params, "page": "500"})[0] == 200


def test_certification_tv_list(demo: DemoTMDB) -> None:
    body = ok(demo, "certification/tv/list")
    us = {c["certification"] for c in body["certifications"]["US"]}
    assert {"TV-Y", "TV-Y7", "TV-G", "TV-PG", "TV-14", "TV-MA"} <= us
    try:  # not a route of tmdb_rules, so the bundled spec subset lacks it
        validate_tmdb_response("certification/tv/list", body)
    except KeyError:
        pytest.skip("certification/tv/list is not in the spec in use")


# ---------------------------------------------------------------------------- the route table


def sample_path(route: tmdb_rules.Route) -> str:
    values = {
        "movie_id": "550",
        "series_id": str(GOT),
        "season_number": "1",
        "episode_number": "1",
        "time_window": "day",
    }
    return route.path(values)


@pytest.mark.parametrize("route", tmdb_rules.ROUTES, ids=lambda route: route.name)
def test_every_route_of_the_table_is_answered(demo: DemoTMDB, route: tmdb_rules.Route) -> None:
    params = {"query": "game"} if route.required else {}
    ok(demo, sample_path(route), **params)
