"""DemoTMDB answers TMDB v3 requests from the bundled catalog, as TMDB would."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import threading
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from netflix_clone.catalog.demo_tmdb import PAGE_SIZE, DemoTMDB
from tests.tmdb_spec import ValidationError, response_schema, spec_path, validate_tmdb_response

REPO_ROOT = Path(__file__).resolve().parents[2]
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
RECORDED_DETAILS = (550, 11, 84892)
PARTIAL = 502356  # a movie seen only in lists (The Super Mario Bros. Movie)


@pytest.fixture(scope="module")
def demo() -> DemoTMDB:
    return DemoTMDB.default()


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    text = resources.files("netflix_clone.catalog").joinpath("demo_data.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def ok(demo: DemoTMDB, path: str, **params: str) -> dict[str, Any]:
    status, body = demo.handle(path, params)
    assert status == 200, (path, params, body)
    return body


def ids(body: dict[str, Any]) -> list[int]:
    return [item["id"] for item in body["results"]]


# ---------------------------------------------------------------------------- the data file


def test_data_file_has_enough_movies_each_with_known_genres(data: dict[str, Any]) -> None:
    movies = data["movies"]
    movie_ids = [movie["id"] for movie in movies]
    assert len(set(movie_ids)) == len(movie_ids) >= 100
    genre_ids = {genre["id"] for genre in data["genres"]}
    for movie in movies:
        assert isinstance(movie["genre_ids"], list)
        assert set(movie["genre_ids"]) <= genre_ids, movie["id"]
    # A handful of real recordings carry no genre at all; the catalog keeps them honest.
    assert sum(1 for movie in movies if movie["genre_ids"]) >= 0.9 * len(movies)


def test_data_file_genres_are_english_not_the_german_docs_example(data: dict[str, Any]) -> None:
    names = {genre["id"]: genre["name"] for genre in data["genres"]}
    assert len(names) == 19
    assert names[28] == "Action"
    assert names[878] == "Science Fiction"


def test_data_file_has_several_full_details_with_sub_resources(data: dict[str, Any]) -> None:
    details = data["details"]
    assert {str(movie_id) for movie_id in RECORDED_DETAILS} <= set(details)
    fight_club = details["550"]
    for name in ("credits", "videos", "images", "release_dates", "similar", "recommendations"):
        assert name in fight_club
    assert "id" not in fight_club["credits"]
    assert "external_ids" not in details["84892"]


def test_data_file_is_up_to_date_and_deterministic() -> None:
    source = Path(spec_path()).parent
    if not (source / "examples").is_dir():
        pytest.skip(f"recorded TMDB examples not present at {source}")
    result = subprocess.run(
        [sys.executable, "scripts/build_demo_catalog.py", "--source", str(source), "--check"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------------------- spec conformance

SPEC_CASES: list[tuple[str, str, dict[str, str]]] = [
    ("configuration", "configuration", {}),
    ("genre/movie/list", "genre/movie/list", {"language": "en"}),
    ("movie/popular", "movie/popular", {"language": "en-US", "region": "US"}),
    ("movie/popular", "movie/popular", {"page": "2"}),
    ("movie/top_rated", "movie/top_rated", {}),
    ("movie/now_playing", "movie/now_playing", {}),
    ("movie/upcoming", "movie/upcoming", {"page": "2"}),
    ("trending/movie/{time_window}", "trending/movie/day", {}),
    ("trending/movie/{time_window}", "trending/movie/week", {"page": "3"}),
    ("discover/movie", "discover/movie", {"with_genres": "18", "sort_by": "vote_count.desc"}),
    ("search/movie", "search/movie", {"query": "man"}),
    ("movie/{movie_id}", "movie/550", {"append_to_response": APPEND_ALL}),
]
SUB_PATHS = ("credits", "videos", "images", "similar", "recommendations", "release_dates")


@pytest.mark.parametrize(("template", "path", "params"), SPEC_CASES)
def test_every_list_path_answers_and_fits_the_official_schema(
    demo: DemoTMDB, template: str, path: str, params: dict[str, str]
) -> None:
    validate_tmdb_response(template, ok(demo, path, **params))


@pytest.mark.parametrize("sub", SUB_PATHS)
def test_every_movie_sub_resource_fits_the_official_schema_for_every_movie(
    demo: DemoTMDB, sub: str
) -> None:
    for movie_id in demo.movie_ids:
        validate_tmdb_response(f"movie/{{movie_id}}/{sub}", ok(demo, f"movie/{movie_id}/{sub}"))


def test_every_movie_details_with_all_appends_fits_the_official_schema(demo: DemoTMDB) -> None:
    for movie_id in demo.movie_ids:
        body = ok(demo, f"movie/{movie_id}", append_to_response=APPEND_ALL)
        validate_tmdb_response("movie/{movie_id}", body)
        # The spec's recommendations schema is empty; hold it to the similar schema instead.
        validate_tmdb_response("movie/{movie_id}/similar", body["recommendations"])
        validate_tmdb_response("movie/{movie_id}/similar", body["similar"])


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
def test_lists_page_through_their_bundled_members(demo: DemoTMDB, name: str) -> None:
    path = f"movie/{name}" if not name.startswith("trending") else name.replace("_", "/movie/")
    members = list(demo.list_ids(name))
    first = ok(demo, path)
    assert first["page"] == 1
    assert first["total_results"] == len(members)
    assert first["total_pages"] == math.ceil(len(members) / PAGE_SIZE)
    collected: list[int] = []
    for page in range(1, first["total_pages"] + 1):
        collected += ids(ok(demo, path, page=str(page)))
    assert collected == members
    past_end = ok(demo, path, page=str(first["total_pages"] + 1))
    assert past_end["results"] == []
    assert past_end["total_results"] == len(members)


def test_trending_items_carry_media_type_and_plain_lists_do_not(demo: DemoTMDB) -> None:
    assert {item["media_type"] for item in ok(demo, "trending/movie/day")["results"]} == {"movie"}
    assert all("media_type" not in item for item in ok(demo, "movie/popular")["results"])


@pytest.mark.parametrize("name", ["now_playing", "upcoming"])
def test_now_playing_and_upcoming_carry_dates(demo: DemoTMDB, name: str) -> None:
    dates = ok(demo, f"movie/{name}")["dates"]
    assert dates["minimum"] < dates["maximum"]
    assert "dates" not in ok(demo, "movie/popular")


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
    action_and_adventure = ok(demo, "discover/movie", with_genres="28,12")
    action_or_adventure = ok(demo, "discover/movie", with_genres="28|12")
    only_action = ok(demo, "discover/movie", with_genres="28")
    both, either = action_and_adventure["total_results"], action_or_adventure["total_results"]
    assert 0 < both < only_action["total_results"] < either
    for page in range(1, action_and_adventure["total_pages"] + 1):
        for item in ok(demo, "discover/movie", with_genres="28,12", page=str(page))["results"]:
            assert {28, 12} <= set(item["genre_ids"])
    for page in range(1, action_or_adventure["total_pages"] + 1):
        for item in ok(demo, "discover/movie", with_genres="28|12", page=str(page))["results"]:
            assert {28, 12} & set(item["genre_ids"])


def test_discover_without_genres_excludes(demo: DemoTMDB) -> None:
    body = ok(demo, "discover/movie", without_genres="18|27")
    assert body["total_results"] > 0
    assert all(not {18, 27} & set(item["genre_ids"]) for item in body["results"])
    everything = ok(demo, "discover/movie")["total_results"]
    dramas = ok(demo, "discover/movie", with_genres="18")["total_results"]
    assert ok(demo, "discover/movie", without_genres="18")["total_results"] == everything - dramas


def test_discover_default_sort_is_popularity_desc(demo: DemoTMDB) -> None:
    body = ok(demo, "discover/movie")
    assert body["total_results"] == len(demo.movie_ids)
    popularity = [item["popularity"] for item in body["results"]]
    assert popularity == sorted(popularity, reverse=True)


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
    body = ok(demo, "discover/movie", sort_by=sort_by, with_genres="28")
    values = [item[field] for item in body["results"] if item[field] != ""]
    key = (lambda v: v.casefold()) if field == "title" else None
    assert values == sorted(values, key=key, reverse=reverse)


def test_discover_year_vote_and_language_filters(demo: DemoTMDB) -> None:
    body = ok(demo, "discover/movie", primary_release_year="2023")
    assert body["total_results"] > 0
    assert all(item["release_date"].startswith("2023") for item in body["results"])
    assert ok(demo, "discover/movie", year="2023")["total_results"] == body["total_results"]
    voted = ok(demo, "discover/movie", **{"vote_average.gte": "8", "vote_count.gte": "5000"})
    assert voted["total_results"] > 0
    for item in voted["results"]:
        assert item["vote_average"] >= 8
        assert item["vote_count"] >= 5000
    japanese = ok(demo, "discover/movie", with_original_language="ja")
    assert japanese["total_results"] > 0
    assert {item["original_language"] for item in japanese["results"]} == {"ja"}


def test_discover_accepts_language_region_and_include_adult(demo: DemoTMDB) -> None:
    plain = ok(demo, "discover/movie")
    dressed = ok(
        demo, "discover/movie", language="en-US", region="GB", include_adult="false", page="1"
    )
    assert dressed == plain


# ---------------------------------------------------------------------------- search


def test_search_without_query_is_tmdbs_422(demo: DemoTMDB) -> None:
    assert demo.handle("search/movie", {}) == (422, {"errors": ["query must be provided"]})
    assert demo.handle("search/movie", {"query": "  "})[0] == 422


def test_search_is_case_insensitive_on_title_and_original_title(demo: DemoTMDB) -> None:
    body = ok(demo, "search/movie", query="FIGHT club")
    assert ids(body)[0] == 550  # the exact title first
    assert body["total_results"] > 10
    for item in body["results"]:
        text = f"{item['title']} {item['original_title']}".casefold()
        assert "fight" in text
        assert "club" in text
    # "The Cabbage Soup" is found by its original (French) title too.
    assert ids(ok(demo, "search/movie", query="la SOUPE aux choux")) == [9317]
    assert ids(ok(demo, "search/movie", query="rrrrrrr!!!")) == [21778]


def test_search_year_filters_and_paging(demo: DemoTMDB) -> None:
    everything = ok(demo, "search/movie", query="fight club")
    in_1999 = ok(demo, "search/movie", query="fight club", year="1999")
    assert ids(in_1999) == [550]
    assert ids(ok(demo, "search/movie", query="fight club", primary_release_year="1999")) == [550]
    second = ok(demo, "search/movie", query="fight club", page="2")
    assert second["page"] == 2
    assert ids(second) == []
    assert everything["total_pages"] == 1
    assert ok(demo, "search/movie", query="zzzz-no-such-title") == {
        "page": 1,
        "results": [],
        "total_pages": 1,
        "total_results": 0,
    }
    assert demo.handle("search/movie", {"query": "x", "page": "501"})[0] == 422


# ---------------------------------------------------------------------------- details


def test_recorded_details_and_append_to_response_nesting(demo: DemoTMDB) -> None:
    body = ok(demo, "movie/550", append_to_response=APPEND_ALL)
    assert body["id"] == 550
    assert body["title"] == "Fight Club"
    assert body["runtime"] == 139
    for name in ("credits", "videos", "images", "release_dates"):
        assert "id" not in body[name]
        alone = ok(demo, f"movie/550/{name}")
        assert alone.pop("id") == 550
        assert alone == body[name]
    assert body["credits"]["cast"][0]["name"] == "Edward Norton"
    assert body["similar"] == ok(demo, "movie/550/similar")
    assert body["recommendations"]["results"][0]["media_type"] == "movie"
    assert ok(demo, "movie/550") == {
        key: value
        for key, value in body.items()
        if key not in ("credits", "videos", "images", "similar", "recommendations", "release_dates")
    }


def test_append_to_response_ignores_unknown_names_and_limits_to_20(demo: DemoTMDB) -> None:
    body = ok(demo, "movie/84892", append_to_response="credits,external_ids,bogus")
    assert "credits" in body
    assert "external_ids" not in body
    assert "bogus" not in body
    assert len(body["credits"]["cast"]) == 3  # the recording is trimmed
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


def test_partial_details_are_derived_from_the_list_item(demo: DemoTMDB) -> None:
    assert not demo.has_recorded_details(PARTIAL)
    assert demo.has_recorded_details(550)
    item = next(i for i in ok(demo, "discover/movie")["results"] if i["id"] == PARTIAL)
    body = ok(demo, f"movie/{PARTIAL}", append_to_response=APPEND_ALL)
    assert body["title"] == item["title"]
    assert body["runtime"] is None
    assert [genre["id"] for genre in body["genres"]] == item["genre_ids"]
    assert all(isinstance(genre["name"], str) for genre in body["genres"])
    assert body["credits"] == {"cast": [], "crew": []}
    assert body["videos"] == {"results": []}
    assert body["release_dates"] == {"results": []}
    assert ok(demo, "movie/11/release_dates") == {"id": 11, "results": []}


def test_null_images_and_empty_release_dates_exist_in_real_data(demo: DemoTMDB) -> None:
    everything: list[dict[str, Any]] = []
    body = ok(demo, "discover/movie")
    for page in range(1, body["total_pages"] + 1):
        everything += ok(demo, "discover/movie", page=str(page))["results"]
    assert any(item["poster_path"] is None for item in everything)
    assert any(item["backdrop_path"] is None for item in everything)
    assert any(item["release_date"] == "" for item in everything)


@pytest.mark.parametrize("sub", ["similar", "recommendations"])
def test_derived_related_movies_share_a_genre_and_never_include_the_movie(
    demo: DemoTMDB, sub: str
) -> None:
    genres = {genre["id"] for genre in ok(demo, f"movie/{PARTIAL}")["genres"]}
    body = ok(demo, f"movie/{PARTIAL}/{sub}")
    assert 0 < body["total_results"] <= 40
    assert PARTIAL not in ids(body)
    assert all(genres & set(item["genre_ids"]) for item in body["results"])
    assert body == ok(demo, f"movie/{PARTIAL}/{sub}")  # deterministic
    for movie_id in demo.movie_ids:
        related = ok(demo, f"movie/{movie_id}/{sub}")
        assert movie_id not in ids(related)


def test_recorded_related_movies_are_served_for_550(demo: DemoTMDB) -> None:
    similar = ok(demo, "movie/550/similar")
    assert similar["total_results"] == 20
    recommendations = ok(demo, "movie/550/recommendations")
    assert recommendations["total_results"] == 21
    assert recommendations["total_pages"] == 2
    assert len(ok(demo, "movie/550/recommendations", page="2")["results"]) == 1


def test_movie_id_slug_is_accepted(demo: DemoTMDB) -> None:
    assert ok(demo, "movie/550-fight-club")["id"] == 550


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
        "tv/1399/season/9",
        "tv/1399/season/1/episode/11",
        "",
    ],
)
def test_unknown_id_or_path_is_404_code_34(demo: DemoTMDB, path: str) -> None:
    assert demo.handle(path, {}) == (404, NOT_FOUND)


# ---------------------------------------------------------------------------- robustness


def test_answers_are_copies_callers_cannot_corrupt(demo: DemoTMDB) -> None:
    body = ok(demo, "movie/550", append_to_response="credits")
    body["title"] = "changed"
    body["credits"]["cast"].clear()
    again = ok(demo, "movie/550", append_to_response="credits")
    assert again["title"] == "Fight Club"
    assert again["credits"]["cast"]


def test_default_instance_is_shared_and_safe_across_threads(demo: DemoTMDB) -> None:
    assert DemoTMDB.default() is demo
    expected = ok(demo, "discover/movie", with_genres="35", page="2")
    results: list[dict[str, Any]] = []

    def worker() -> None:
        for _ in range(20):
            results.append(ok(demo, "discover/movie", with_genres="35", page="2"))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 160
    assert all(result == expected for result in results)


def test_adult_movies_only_with_include_adult(data: dict[str, Any]) -> None:
    # No bundled recording is adult, so mark one in a private copy of the data.
    altered = json.loads(json.dumps(data))
    altered["movies"] = [{**m, "adult": m["id"] == 550} for m in altered["movies"]]
    demo = DemoTMDB(altered)
    assert 550 not in ids(ok(demo, "search/movie", query="fight club"))
    assert 550 in ids(ok(demo, "search/movie", query="fight club", include_adult="true"))
    dramas = ok(demo, "discover/movie", with_genres="18")["total_results"]
    with_adult = ok(demo, "discover/movie", with_genres="18", include_adult="true")
    assert with_adult["total_results"] == dramas + 1


def test_the_builder_shows_a_progress_bar_on_a_terminal_only() -> None:
    import importlib.util
    import io

    spec = importlib.util.spec_from_file_location(
        "build_demo_catalog", REPO_ROOT / "scripts" / "build_demo_catalog.py"
    )
    assert spec is not None and spec.loader is not None
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    bar = builder.Progress("reading recordings", 4, stream=terminal, width=8)
    for name in ("a.json", "b.json", "c.json", "d.json"):
        bar.advance(name)
    frames = terminal.getvalue().split("\r")[1:]
    assert frames[0].startswith("reading recordings [##------] 1/4 a.json")
    assert frames[-1].startswith("reading recordings [########] 4/4 d.json")
    assert terminal.getvalue().endswith("\n")

    log = io.StringIO()  # not a terminal (CI): nothing written
    quiet = builder.Progress("reading recordings", 2, stream=log)
    quiet.advance("a.json")
    assert log.getvalue() == ""
    # The bar's total is every recording the build reads, each counted once.
    assert len(builder.recordings()) == len(set(builder.recordings())) >= 20
