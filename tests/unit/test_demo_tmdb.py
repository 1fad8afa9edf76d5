"""DemoTMDB answers TMDB v3 requests from the bundled catalog, as TMDB would (movies, people,
the protocol's rules and the data file itself; series are in test_demo_tv.py)."""

from __future__ import annotations

import copy
import importlib.util
import io
import json
import math
import subprocess
import sys
import threading
import zipfile
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from netflix_clone.catalog.demo_store import CatalogStore
from netflix_clone.catalog.demo_tmdb import PAGE_SIZE, DemoTMDB
from tests.tmdb_spec import ValidationError, response_schema, validate_tmdb_response

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT.parent / "shared"
NOT_FOUND = {
    "success": False,
    "status_code": 34,
    "status_message": "The resource you requested could not be found.",
}
INVALID_PAGE = {
    "success": False,
    "status_code": 22,
    "status_message": (
        "Invalid page: Pages start at 1 and max at 500. They are expected to be an integer."
    ),
}
APPEND_ALL = "credits,videos,images,similar,recommendations,release_dates"
FIGHT_CLUB, STAR_WARS, PERKS, MATRIX = 550, 11, 84892, 603
RECORDED = (FIGHT_CLUB, STAR_WARS, PERKS)


@pytest.fixture(scope="module")
def demo() -> DemoTMDB:
    return DemoTMDB.default()


@pytest.fixture(scope="module")
def members() -> dict[str, bytes]:
    data = resources.files("netflix_clone.catalog").joinpath("demo_catalog.zip").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture(scope="module")
def head(members: dict[str, bytes]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(members["catalog.json"])
    return loaded


def ok(demo: DemoTMDB, path: str, **params: str) -> dict[str, Any]:
    status, body = demo.handle(path, params)
    assert status == 200, (path, params, body)
    return body


def ids(body: dict[str, Any]) -> list[int]:
    return [item["id"] for item in body["results"]]


def all_pages(demo: DemoTMDB, path: str, **params: str) -> list[dict[str, Any]]:
    first = ok(demo, path, **params)
    items = list(first["results"])
    for page in range(2, first["total_pages"] + 1):
        items += ok(demo, path, **params, page=str(page))["results"]
    assert len(items) == first["total_results"]
    return items


def load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_demo_catalog", REPO_ROOT / "scripts" / "build_demo_catalog.py"
    )
    assert spec is not None and spec.loader is not None
    builder = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = builder  # dataclasses look their module up while it loads
    spec.loader.exec_module(builder)
    return builder


# ---------------------------------------------------------------------------- the data file


def test_data_file_is_up_to_date_and_deterministic() -> None:
    if not (SHARED / "catalog-data" / "movies.jsonl.gz").is_file():
        pytest.skip(f"the catalog's sources are not at {SHARED}")
    result = subprocess.run(
        [sys.executable, "scripts/build_demo_catalog.py", "--check"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_data_file_states_its_sources_rules_and_attribution(
    members: dict[str, bytes], head: dict[str, Any]
) -> None:
    readme = members["README.md"].decode()
    for needed in (
        "Box-Office-Jedi",
        "movnix-db",
        "Kaggle",
        "popularity",
        "as_of",
        "This product uses the TMDB API but is not endorsed or certified by TMDB.",
    ):
        assert needed in readme, needed
    assert head["as_of"] == "2025-12-01"
    fit = head["popularity_fit"]
    assert fit["fitted_on"] > 2000 and 0.5 < fit["r_squared"] <= 1
    assert set(head["rules"]) >= {"sources", "precedence", "movies", "series", "people", "lists"}


def test_data_file_members_are_a_few_hundred_not_thousands(members: dict[str, bytes]) -> None:
    # One member per ~18 movies and two per series keep the zip's directory small.
    movies = [n for n in members if n.startswith("movies/")]
    assert len(movies) == 256
    assert len(members) < 1200


def test_movie_genres_are_tmdbs_english_genres(head: dict[str, Any]) -> None:
    names = {genre["id"]: genre["name"] for genre in head["genres"]["movie"]}
    assert len(names) == 19
    assert names[28] == "Action" and names[878] == "Science Fiction"
    columns = head["movies"]["columns"]
    for row in head["movies"]["rows"]:
        item = dict(zip(columns, row, strict=True))
        assert set(item["genre_ids"]) <= set(names), item["id"]


def test_derived_popularity_follows_the_stated_fit(demo: DemoTMDB, head: dict[str, Any]) -> None:
    fit = head["popularity_fit"]
    # Avengers: Infinity War (2018) is not in the 2016 dataset: its popularity is derived.
    item = ok(demo, "movie/299536")
    age = (
        __import__("datetime").date.fromisoformat(head["as_of"])
        - __import__("datetime").date.fromisoformat(item["release_date"])
    ).days / 365.25
    expected = math.exp(
        fit["a"] + fit["b"] * math.log(item["vote_count"]) + fit["c"] * math.log1p(age)
    )
    assert item["popularity"] == pytest.approx(expected, abs=0.001)
    # Recorded values are kept: Minions' 2016 popularity heads the popular list.
    assert ok(demo, "movie/popular")["results"][0]["popularity"] == 875.581


# ---------------------------------------------------------------------------- spec conformance

SPEC_CASES: list[tuple[str, str, dict[str, str]]] = [
    ("configuration", "configuration", {}),
    ("genre/movie/list", "genre/movie/list", {"language": "en"}),
    ("movie/popular", "movie/popular", {"language": "en-US", "region": "US"}),
    ("movie/popular", "movie/popular", {"page": "25"}),
    ("movie/top_rated", "movie/top_rated", {}),
    ("movie/now_playing", "movie/now_playing", {}),
    ("movie/upcoming", "movie/upcoming", {}),
    ("trending/movie/{time_window}", "trending/movie/day", {}),
    ("trending/movie/{time_window}", "trending/movie/week", {"page": "3"}),
    ("discover/movie", "discover/movie", {"with_genres": "18", "sort_by": "vote_count.desc"}),
    ("search/movie", "search/movie", {"query": "man"}),
    ("search/person", "search/person", {"query": "tom"}),
    ("movie/{movie_id}", "movie/550", {"append_to_response": APPEND_ALL}),
    ("movie/{movie_id}", "movie/603", {"append_to_response": APPEND_ALL}),
]
SUB_PATHS = ("credits", "videos", "images", "similar", "recommendations", "release_dates")


@pytest.mark.parametrize(("template", "path", "params"), SPEC_CASES)
def test_every_list_path_answers_and_fits_the_official_schema(
    demo: DemoTMDB, template: str, path: str, params: dict[str, str]
) -> None:
    validate_tmdb_response(template, ok(demo, path, **params))


def test_every_movie_details_fits_the_official_schema(demo: DemoTMDB) -> None:
    for movie_id in demo.movie_ids:
        validate_tmdb_response("movie/{movie_id}", ok(demo, f"movie/{movie_id}"))


@pytest.mark.parametrize("sub", SUB_PATHS)
def test_movie_sub_resources_fit_the_official_schema(demo: DemoTMDB, sub: str) -> None:
    # Every recorded movie and a systematic sample of one in 40 of the others.
    for movie_id in sorted({*RECORDED, *demo.movie_ids[::40]}):
        validate_tmdb_response(f"movie/{{movie_id}}/{sub}", ok(demo, f"movie/{movie_id}/{sub}"))


def test_appended_sub_resources_equal_the_sub_resource_paths(demo: DemoTMDB) -> None:
    for movie_id in (*RECORDED, MATRIX):
        body = ok(demo, f"movie/{movie_id}", append_to_response=APPEND_ALL)
        validate_tmdb_response("movie/{movie_id}", body)
        # The spec's recommendations schema is empty; hold it to the similar schema instead.
        validate_tmdb_response("movie/{movie_id}/similar", body["recommendations"])
        for name in SUB_PATHS:
            alone = ok(demo, f"movie/{movie_id}/{name}")
            if name not in ("similar", "recommendations"):
                assert alone.pop("id") == movie_id
                assert "id" not in body[name]
            assert body[name] == alone, (movie_id, name)
        plain = ok(demo, f"movie/{movie_id}")
        assert plain == {k: v for k, v in body.items() if k not in SUB_PATHS}


def test_schema_validation_still_rejects_wrong_types(demo: DemoTMDB) -> None:
    body = ok(demo, "movie/popular")
    body["results"][0]["title"] = 42
    with pytest.raises(ValidationError):
        validate_tmdb_response("movie/popular", body)
    with pytest.raises(ValidationError):
        validate_tmdb_response("movie/{movie_id}", {"genres": {"id": 1}})


def test_schema_relaxations_are_exactly_null_and_number_for_integer() -> None:
    schema = response_schema("movie/upcoming")
    vote_average = schema["properties"]["results"]["items"]["properties"]["vote_average"]
    assert sorted(vote_average["type"]) == ["integer", "null", "number"]
    title = schema["properties"]["results"]["items"]["properties"]["title"]
    assert sorted(title["type"]) == ["null", "string"]


# ---------------------------------------------------------------------------- lists and paging


@pytest.mark.parametrize(
    "name", ["popular", "top_rated", "now_playing", "upcoming", "trending_day", "trending_week"]
)
def test_lists_page_through_their_members_with_honest_totals(demo: DemoTMDB, name: str) -> None:
    path = f"movie/{name}" if not name.startswith("trending") else name.replace("_", "/movie/")
    members = list(demo.list_ids(name))
    assert members and len(members) == len(set(members))
    first = ok(demo, path)
    assert first["page"] == 1
    assert first["total_results"] == len(members)
    assert first["total_pages"] == math.ceil(len(members) / PAGE_SIZE)
    pages = min(first["total_pages"], 30)
    collected: list[int] = []
    for page in range(1, pages + 1):
        collected += ids(ok(demo, path, page=str(page)))
    assert collected == members[: pages * PAGE_SIZE]
    past_end = ok(demo, path, page=str(first["total_pages"] + 1))
    assert past_end["results"] == []
    assert past_end["total_results"] == len(members)


def test_popular_is_every_movie_by_popularity(demo: DemoTMDB) -> None:
    popular = demo.list_ids("popular")
    assert sorted(popular) == list(demo.movie_ids)
    popularity = [demo.item("movie", i)["popularity"] for i in popular]  # type: ignore[index]
    assert popularity == sorted(popularity, reverse=True)


def test_top_rated_follows_its_rule(demo: DemoTMDB) -> None:
    rated = [demo.item("movie", i) or {} for i in demo.list_ids("top_rated")]
    assert all(m["vote_count"] >= 1000 for m in rated)
    keys = [(-m["vote_average"], -m["vote_count"], m["id"]) for m in rated]
    assert keys == sorted(keys)
    assert rated[0]["title"] == "The Shawshank Redemption"
    everyone = [demo.item("movie", i) or {} for i in demo.movie_ids]
    assert len(rated) == sum(1 for m in everyone if m["vote_count"] >= 1000)


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [("now_playing", "2025-10-20", "2025-12-01"), ("upcoming", "2025-12-02", "2026-03-02")],
)
def test_now_playing_and_upcoming_are_date_windows_around_as_of(
    demo: DemoTMDB, name: str, low: str, high: str
) -> None:
    body = ok(demo, f"movie/{name}")
    assert next(iter(body)) == "dates"
    assert body["dates"] == {"maximum": high, "minimum": low}
    members = all_pages(demo, f"movie/{name}")
    assert len(members) >= 10
    assert all(low <= m["release_date"] <= high for m in members)
    inside = {m["id"] for m in demo_items(demo) if low <= m["release_date"] <= high}
    assert {m["id"] for m in members} == inside
    popularity = [m["popularity"] for m in members]
    assert popularity == sorted(popularity, reverse=True)
    assert "dates" not in ok(demo, "movie/popular")


def demo_items(demo: DemoTMDB) -> list[dict[str, Any]]:
    return [demo.item("movie", i) or {} for i in demo.movie_ids]


def test_trending_movies_are_recent_releases_by_popularity(demo: DemoTMDB) -> None:
    week = all_pages(demo, "trending/movie/week")
    assert {item["media_type"] for item in week} == {"movie"}
    assert all("2024-12-01" <= m["release_date"] <= "2025-12-01" for m in week)
    day = all_pages(demo, "trending/movie/day")
    assert {m["id"] for m in day} < {m["id"] for m in week}
    assert all("media_type" not in item for item in ok(demo, "movie/popular")["results"])


@pytest.mark.parametrize("page", ["501", "4454545"])
def test_page_above_500_is_422_with_tmdbs_errors_body(demo: DemoTMDB, page: str) -> None:
    assert demo.handle("movie/popular", {"page": page}) == (
        422,
        {"errors": ["page must be less than or equal to 500"]},
    )


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", ""])
def test_page_below_1_or_not_integer_is_400_code_22(demo: DemoTMDB, page: str) -> None:
    assert demo.handle("discover/movie", {"page": page}) == (400, INVALID_PAGE)


def test_page_500_is_allowed(demo: DemoTMDB) -> None:
    assert ok(demo, "movie/popular", page="500")["results"] == []


# ---------------------------------------------------------------------------- discover


def test_discover_with_genres_comma_is_and_pipe_is_or(demo: DemoTMDB) -> None:
    both = all_pages(demo, "discover/movie", with_genres="28,12")
    either = all_pages(demo, "discover/movie", with_genres="28|12")
    only_action = ok(demo, "discover/movie", with_genres="28")["total_results"]
    assert 0 < len(both) < only_action < len(either)
    assert all({28, 12} <= set(item["genre_ids"]) for item in both)
    assert all({28, 12} & set(item["genre_ids"]) for item in either)


def test_discover_without_genres_excludes(demo: DemoTMDB) -> None:
    body = ok(demo, "discover/movie", without_genres="18|27")
    assert body["total_results"] > 0
    assert all(not {18, 27} & set(item["genre_ids"]) for item in body["results"])
    everything = ok(demo, "discover/movie")["total_results"]
    dramas = ok(demo, "discover/movie", with_genres="18")["total_results"]
    assert ok(demo, "discover/movie", without_genres="18")["total_results"] == everything - dramas


def test_discover_documentaries_have_backdrops(demo: DemoTMDB) -> None:
    # A frontend's Documentaries row (with_genres=99) shows backdrops: every one has one.
    documentaries = all_pages(demo, "discover/movie", with_genres="99")
    assert len(documentaries) >= 20
    assert all(item["backdrop_path"] for item in documentaries)


def test_discover_default_sort_is_popularity_desc(demo: DemoTMDB) -> None:
    body = ok(demo, "discover/movie")
    assert body["total_results"] == len(demo.movie_ids)
    assert ids(body) == list(demo.list_ids("popular")[:PAGE_SIZE])


@pytest.mark.parametrize(
    ("sort_by", "field", "reverse"),
    [
        ("vote_average.desc", "vote_average", True),
        ("vote_count.asc", "vote_count", False),
        ("primary_release_date.desc", "release_date", True),
        ("title.asc", "title", False),
        ("popularity.asc", "popularity", False),
    ],
)
def test_discover_sort_by(demo: DemoTMDB, sort_by: str, field: str, reverse: bool) -> None:
    items = all_pages(demo, "discover/movie", sort_by=sort_by, with_genres="28")
    values = [item[field] for item in items if item[field] != ""]
    key = (lambda v: v.casefold()) if field == "title" else None
    assert values == sorted(values, key=key, reverse=reverse)


def test_discover_sort_by_revenue_uses_the_recorded_revenue(demo: DemoTMDB) -> None:
    top = ids(ok(demo, "discover/movie", sort_by="revenue.desc"))[:3]
    revenues = [ok(demo, f"movie/{i}")["revenue"] for i in top]
    assert revenues == sorted(revenues, reverse=True) and revenues[0] > 2_000_000_000


def test_discover_year_vote_runtime_and_language_filters(demo: DemoTMDB) -> None:
    body = ok(demo, "discover/movie", primary_release_year="2023")
    assert body["total_results"] > 50
    assert all(item["release_date"].startswith("2023") for item in body["results"])
    assert ok(demo, "discover/movie", year="2023")["total_results"] == body["total_results"]
    voted = all_pages(
        demo, "discover/movie", **{"vote_average.gte": "8", "vote_count.gte": "20000"}
    )
    assert voted and all(i["vote_average"] >= 8 and i["vote_count"] >= 20000 for i in voted)
    short = all_pages(demo, "discover/movie", **{"with_runtime.lte": "80"})
    assert short and all(ok(demo, f"movie/{i['id']}")["runtime"] <= 80 for i in short)
    japanese = ok(demo, "discover/movie", with_original_language="ja")
    assert japanese["total_results"] >= 5  # original_language is recorded for 2,450 movies
    assert {item["original_language"] for item in japanese["results"]} == {"ja"}


def test_discover_accepts_language_region_and_include_adult(demo: DemoTMDB) -> None:
    plain = ok(demo, "discover/movie")
    dressed = ok(
        demo, "discover/movie", language="en-US", region="GB", include_adult="false", page="1"
    )
    assert dressed == plain


# ---------------------------------------------------------------------------- search


def test_search_without_query_is_tmdbs_422(demo: DemoTMDB) -> None:
    for path in ("search/movie", "search/person"):
        assert demo.handle(path, {}) == (422, {"errors": ["query must be provided"]})
        assert demo.handle(path, {"query": "  "})[0] == 422


def test_search_matches_word_prefixes_in_any_order_ignoring_case(demo: DemoTMDB) -> None:
    assert ids(ok(demo, "search/movie", query="FIGHT club"))[0] == FIGHT_CLUB
    infinity = [i["title"] for i in ok(demo, "search/movie", query="infinity")["results"]]
    assert "Avengers: Infinity War" in infinity
    typing = [i["title"] for i in ok(demo, "search/movie", query="lion ki")["results"]]
    assert typing[0] == "The Lion King"
    assert ids(ok(demo, "search/movie", query="club fight"))[0] == FIGHT_CLUB
    for item in ok(demo, "search/movie", query="dark knight")["results"]:
        assert "dark" in item["title"].casefold() and "knight" in item["title"].casefold()


def test_search_folds_diacritics_and_joins_hyphenated_words(demo: DemoTMDB) -> None:
    assert [i["title"] for i in ok(demo, "search/movie", query="amelie")["results"]] == ["Amélie"]
    assert ok(demo, "search/movie", query="AMÉLIE")["results"][0]["title"] == "Amélie"
    spider = [i["title"] for i in ok(demo, "search/movie", query="spiderman")["results"]]
    assert "Spider-Man" in spider and "Spider-Man: No Way Home" in spider
    assert ok(demo, "search/movie", query="spider-man")["total_results"] >= len(spider)


def test_search_ranks_exact_then_starting_then_popular(demo: DemoTMDB) -> None:
    titles = [i["title"] for i in ok(demo, "search/movie", query="the lion king")["results"]]
    assert titles == ["The Lion King", "Mufasa: The Lion King"]
    batman = all_pages(demo, "search/movie", query="batman")
    starting = [i for i in batman if i["title"].casefold().startswith("batman")]
    assert len(starting) >= 3 and batman[: len(starting)] == starting  # then "The Lego Batman"
    popularity = [i["popularity"] for i in starting]
    assert popularity == sorted(popularity, reverse=True)


def test_search_year_filters_and_paging(demo: DemoTMDB) -> None:
    assert ids(ok(demo, "search/movie", query="fight club", year="1999")) == [FIGHT_CLUB]
    assert ids(ok(demo, "search/movie", query="fight club", primary_release_year="1998")) == []
    many = ok(demo, "search/movie", query="the")
    assert many["total_pages"] > 2
    second = ok(demo, "search/movie", query="the", page="2")
    assert second["page"] == 2 and set(ids(second)).isdisjoint(ids(many))
    assert ok(demo, "search/movie", query="zzzz-no-such-title") == {
        "page": 1,
        "results": [],
        "total_pages": 1,
        "total_results": 0,
    }
    assert demo.handle("search/movie", {"query": "x", "page": "501"})[0] == 422


def test_search_person_finds_cast_by_name_with_known_for(demo: DemoTMDB) -> None:
    body = ok(demo, "search/person", query="keanu reeves")
    keanu = body["results"][0]
    assert keanu["name"] == "Keanu Reeves" and keanu["known_for_department"] == "Acting"
    assert keanu["profile_path"]
    assert {k["media_type"] for k in keanu["known_for"]} == {"movie"}
    assert "The Matrix" in [k["title"] for k in keanu["known_for"]] or len(keanu["known_for"]) == 3
    edward = ok(demo, "search/person", query="edward norton")["results"][0]
    assert edward["id"] == 819  # the TMDB id of the recorded credits
    director = ok(demo, "search/person", query="lana wachowski")["results"][0]
    assert director["known_for_department"] == "Directing"


def test_search_multi_holds_movies_series_and_people(demo: DemoTMDB) -> None:
    items = all_pages(demo, "search/multi", query="star wars")
    assert {i["media_type"] for i in items} >= {"movie", "tv"}
    assert (items[0]["media_type"], items[0]["id"]) == ("movie", STAR_WARS)  # the exact title
    people = ok(demo, "search/multi", query="tom hanks")["results"]
    assert people[0]["media_type"] == "person" and people[0]["name"] == "Tom Hanks"


# ---------------------------------------------------------------------------- details


def test_recorded_details_and_their_complete_sub_resources(demo: DemoTMDB) -> None:
    body = ok(demo, "movie/550", append_to_response=APPEND_ALL)
    assert body["title"] == "Fight Club" and body["runtime"] == 139
    assert body["tagline"] == "Mischief. Mayhem. Soap."  # the recording's
    assert body["credits"]["cast"][0]["name"] == "Edward Norton"
    assert body["credits"]["cast"][0]["credit_id"]  # recorded whole
    assert len(body["credits"]["cast"]) > 50 and len(body["credits"]["crew"]) > 100
    assert len(body["videos"]["results"]) == 3
    assert len(body["release_dates"]["results"]) > 10 and body["images"]["logos"]
    assert body["recommendations"]["results"][0]["media_type"] == "movie"


def test_a_trimmed_recording_never_replaces_fuller_data(demo: DemoTMDB) -> None:
    body = ok(demo, f"movie/{PERKS}", append_to_response="credits,videos,external_ids,bogus")
    assert body["title"] == "The Perks of Being a Wallflower"
    assert len(body["credits"]["cast"]) == 10  # catalog-data's ten, not the recording's three
    assert {"external_ids", "bogus"}.isdisjoint(body)


def test_movie_details_from_the_data_are_complete(demo: DemoTMDB) -> None:
    body = ok(demo, f"movie/{MATRIX}", append_to_response="credits,videos,release_dates")
    assert body["title"] == "The Matrix" and body["runtime"] == 136
    assert body["imdb_id"] == "tt0133093" and body["status"] == "Released"
    assert [g["name"] for g in body["genres"]] == ["Action", "Science Fiction"]
    assert body["spoken_languages"][0]["english_name"] == "English"
    cast = body["credits"]["cast"]
    assert [c["name"] for c in cast[:2]] == ["Keanu Reeves", "Laurence Fishburne"]
    assert [c["order"] for c in cast] == list(range(len(cast)))
    assert all(c["profile_path"] and isinstance(c["id"], int) for c in cast[:3])
    assert [(c["name"], c["job"]) for c in body["credits"]["crew"]] == [
        ("Lana Wachowski", "Director")  # the data records one director's name
    ]
    trailer = body["videos"]["results"][0]
    assert trailer["site"] == "YouTube" and trailer["type"] == "Trailer" and trailer["key"]
    us = body["release_dates"]["results"][0]
    assert us["iso_3166_1"] == "US" and us["release_dates"][0]["certification"] == "R"


def test_star_wars_keeps_its_recorded_details_without_invented_credits(demo: DemoTMDB) -> None:
    body = ok(demo, "movie/11", append_to_response="credits,videos,release_dates")
    assert body["title"] == "Star Wars" and body["runtime"]
    assert body["credits"] == {"cast": [], "crew": []}
    assert body["videos"] == {"results": []} and body["release_dates"] == {"results": []}


def test_append_to_response_ignores_unknown_names_and_limits_to_20(demo: DemoTMDB) -> None:
    too_many = ",".join(["videos"] * 21)
    assert demo.handle("movie/550", {"append_to_response": too_many}) == (
        400,
        {
            "success": False,
            "status_code": 27,
            "status_message": (
                "Too many append to response objects: The maximum number of remote calls is 20."
            ),
        },
    )
    assert ok(demo, "movie/550", append_to_response=",".join(["videos"] * 20))["videos"]
    assert "content_ratings" not in ok(demo, "movie/550", append_to_response="content_ratings")


@pytest.mark.parametrize("sub", ["similar", "recommendations"])
def test_related_movies_share_a_genre_and_never_include_the_movie(demo: DemoTMDB, sub: str) -> None:
    for movie_id in (FIGHT_CLUB, MATRIX, *demo.movie_ids[::500]):
        genres = {genre["id"] for genre in ok(demo, f"movie/{movie_id}")["genres"]}
        related = all_pages(demo, f"movie/{movie_id}/{sub}")
        assert 0 < len(related) <= 40
        assert movie_id not in [m["id"] for m in related]
        assert all(genres & set(m["genre_ids"]) for m in related)
        assert all(("media_type" in m) == (sub == "recommendations") for m in related)
    assert ok(demo, "movie/603/similar") == ok(demo, "movie/603/similar")  # deterministic


def test_recommendations_put_shared_cast_and_directors_first(demo: DemoTMDB) -> None:
    titles = [m["title"] for m in ok(demo, "movie/603/recommendations")["results"][:3]]
    assert set(titles) == {
        "The Matrix Reloaded",
        "The Matrix Revolutions",
        "The Matrix Resurrections",
    }


def test_movie_id_slug_is_accepted(demo: DemoTMDB) -> None:
    assert ok(demo, "movie/550-fight-club")["id"] == FIGHT_CLUB


@pytest.mark.parametrize(
    "path",
    [
        "movie/1",
        "movie/abc",
        "movie/1/credits",
        "movie/550/keywords",
        "trending/movie/month",
        "tv/1",
        "tv/1399/keywords",
        "tv/1399/season/99",
        "tv/1399/season/1/episode/11",
        "person/819",
        "",
    ],
)
def test_unknown_id_or_path_is_404_code_34(demo: DemoTMDB, path: str) -> None:
    assert demo.handle(path, {}) == (404, NOT_FOUND)


# ---------------------------------------------------------------------------- robustness


def test_answers_are_copies_callers_cannot_corrupt(demo: DemoTMDB) -> None:
    body = ok(demo, "movie/603", append_to_response="credits")
    body["title"] = "changed"
    body["credits"]["cast"].clear()
    ok(demo, "movie/popular")["results"][0]["title"] = "changed"
    again = ok(demo, "movie/603", append_to_response="credits")
    assert again["title"] == "The Matrix" and again["credits"]["cast"]
    assert ok(demo, "movie/popular")["results"][0]["title"] == "Minions"


def test_default_instance_is_shared_and_safe_across_threads(demo: DemoTMDB) -> None:
    assert DemoTMDB.default() is demo
    expected = ok(demo, "discover/movie", with_genres="35", page="2")
    fresh = DemoTMDB.from_package()  # nothing decoded yet: threads race to read the same parts
    results: list[tuple[dict[str, Any], dict[str, Any], bool]] = []

    def worker(index: int) -> None:
        details = [
            fresh.handle(f"movie/{movie_id}", {"append_to_response": "credits"})
            == demo.handle(f"movie/{movie_id}", {"append_to_response": "credits"})
            for movie_id in demo.movie_ids[index::8][:20]
        ]
        discovered = ok(fresh, "discover/movie", with_genres="35", page="2")
        results.append((discovered, ok(fresh, "search/person", query="tom"), all(details)))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8
    people = ok(demo, "search/person", query="tom")
    assert all(found == (expected, people, True) for found in results)


def test_adult_titles_only_with_include_adult(members: dict[str, bytes]) -> None:
    # No bundled title is adult, so mark one in a private copy of the data.
    altered: dict[str, Any] = {
        name: json.loads(raw) if name.endswith(".json") else raw.decode()
        for name, raw in members.items()
        if name == "catalog.json" or name.startswith(("movies/", "people/"))
    }
    head = copy.deepcopy(altered["catalog.json"])
    columns = head["movies"]["columns"]
    for row in head["movies"]["rows"]:
        row[columns.index("adult")] = row[columns.index("id")] == FIGHT_CLUB
    altered["catalog.json"] = head
    demo = DemoTMDB(CatalogStore.from_members(altered))
    assert FIGHT_CLUB not in ids(ok(demo, "search/movie", query="fight club"))
    assert FIGHT_CLUB in ids(ok(demo, "search/movie", query="fight club", include_adult="true"))
    dramas = ok(demo, "discover/movie", with_genres="18")["total_results"]
    with_adult = ok(demo, "discover/movie", with_genres="18", include_adult="true")
    assert with_adult["total_results"] == dramas + 1
    assert FIGHT_CLUB not in ids(ok(demo, "movie/603/similar"))


def test_a_data_file_of_another_format_is_refused() -> None:
    with pytest.raises(ValueError, match="format"):
        CatalogStore.from_members({"catalog.json": {"format": 1}})


# ---------------------------------------------------------------------------- the builder's rules


def test_builder_content_ratings_rule() -> None:
    builder = load_builder()
    countries = {"15": {"GB", "IE"}, "12": {"DE", "GB", "NL"}, "M18": {"SG"}}
    assert builder.content_ratings("TV-MA", set(), countries)[0]["iso_3166_1"] == "US"
    assert builder.content_ratings("15", {"GB", "US"}, countries)[0]["iso_3166_1"] == "GB"
    assert builder.content_ratings("12", {"DE", "GB"}, countries) == []  # not one country
    assert builder.content_ratings("M18", {"CA", "US"}, countries) == []  # no such country
    assert builder.content_ratings("", {"US"}, countries) == []


def test_builder_people_rule_joins_recorded_ids_and_derives_the_rest() -> None:
    builder = load_builder()
    people = builder.People()
    recorded = people.recorded(819, "Edward Norton", "/norton.jpg")
    assert people.cast("Edward Norton", "/norton.jpg") is recorded
    assert people.cast("Edward Norton", None) is recorded  # the only one of that name
    first = people.cast("Jane Doe", "/a.jpg")
    other = people.cast("Jane Doe", "/b.jpg")  # another photo: another person
    assert first is not other
    alone = people.cast("Solo Actor", "/s.jpg")
    photoless = people.cast("Solo Actor", None)
    people.merge_photoless()
    assert builder.resolve(photoless) is alone
    assert people.director("Solo Actor") is alone
    assert people.director("Jane Doe") not in (first, other)  # two candidates: none chosen
    people.finish()
    derived = sorted(builder.person_id(p) for p in (first, other, alone))
    assert derived[0] >= builder.DERIVED_PERSON_BASE and len(set(derived)) == 3


def test_builder_popularity_fit_recovers_a_known_line() -> None:
    builder = load_builder()
    rows = [(1.0 + 2.0 * x1 - 0.5 * x2, x1, x2) for x1 in range(1, 6) for x2 in (0.0, 1.0, 3.0)]
    a, b, c = builder.least_squares(rows)
    assert (a, b, c) == pytest.approx((1.0, 2.0, -0.5))
