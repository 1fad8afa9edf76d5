"""What a newcomer sees with no TMDB key: deep lists, complete details, well-known titles found.

These are the catalog's promises (issue 27), checked on the answers DemoTMDB serves, not on the
builder's own counts."""

from __future__ import annotations

from typing import Any

import pytest

from netflix_clone.catalog.demo_tmdb import PAGE_SIZE, DemoTMDB

# (what a member types, kind, TMDB id of the title it must find first)
WELL_KNOWN: list[tuple[str, str, int]] = [
    ("the shawshank redemption", "movie", 278),
    ("godfather", "movie", 238),
    ("pulp fiction", "movie", 680),
    ("the dark knight", "movie", 155),
    ("inception", "movie", 27205),
    ("titanic", "movie", 597),
    ("jurassic park", "movie", 329),
    ("the lion king", "movie", 420818),
    ("toy story", "movie", 862),
    ("forrest gump", "movie", 13),
    ("the matrix", "movie", 603),
    ("interstellar", "movie", 157336),
    ("spirited away", "movie", 129),
    ("parasite", "movie", 496243),
    ("infinity war", "movie", 299536),
    ("how to train your dragon", "movie", 1087192),
    ("game of thrones", "tv", 1399),
    ("stranger things", "tv", 66732),
    ("squid game", "tv", 93405),
    ("the last of us", "tv", 100088),
]


@pytest.fixture(scope="module")
def demo() -> DemoTMDB:
    return DemoTMDB.default()


def ok(demo: DemoTMDB, path: str, **params: str) -> dict[str, Any]:
    status, body = demo.handle(path, params)
    assert status == 200, (path, params, body)
    return body


def test_popular_movies_run_at_least_25_full_pages(demo: DemoTMDB) -> None:
    first = ok(demo, "movie/popular")
    assert first["total_pages"] >= 25
    for page in range(1, 26):
        assert len(ok(demo, "movie/popular", page=str(page))["results"]) == PAGE_SIZE, page


def test_popular_series_run_at_least_10_full_pages(demo: DemoTMDB) -> None:
    assert ok(demo, "tv/popular")["total_pages"] >= 10
    for page in range(1, 11):
        assert len(ok(demo, "tv/popular", page=str(page))["results"]) == PAGE_SIZE, page


def test_the_first_five_popular_movie_pages_are_complete(demo: DemoTMDB) -> None:
    complete = []
    for page in range(1, 6):
        for item in ok(demo, "movie/popular", page=str(page))["results"]:
            body = ok(demo, f"movie/{item['id']}", append_to_response="credits,videos")
            photos = sum(1 for c in body["credits"]["cast"] if c.get("profile_path"))
            director = any(c.get("job") == "Director" for c in body["credits"]["crew"])
            trailer = any(
                v["type"] == "Trailer" and v["site"] == "YouTube" and v["key"]
                for v in body["videos"]["results"]
            )
            complete.append(bool(body["runtime"]) and photos >= 3 and director and trailer)
    assert len(complete) == 100
    assert sum(complete) >= 95


def test_the_first_five_popular_series_pages_as_far_as_the_data_goes(demo: DemoTMDB) -> None:
    # Series data records no creators, and cast and trailers for 97 % and 93 % of series: the
    # figures below are what the most popular 100 series carry (measured: 99, 85 and 88).
    runtime = cast = trailer = 0
    for page in range(1, 6):
        for item in ok(demo, "tv/popular", page=str(page))["results"]:
            body = ok(demo, f"tv/{item['id']}", append_to_response="credits,videos")
            runtime += bool(body["episode_run_time"])
            cast += sum(1 for c in body["credits"]["cast"] if c.get("profile_path")) >= 3
            trailer += any(
                v["type"] == "Trailer" and v["site"] == "YouTube" and v["key"]
                for v in body["videos"]["results"]
            )
    assert runtime >= 95 and cast >= 80 and trailer >= 85


@pytest.mark.parametrize(("query", "kind", "title_id"), WELL_KNOWN)
def test_a_well_known_title_is_found_first(
    demo: DemoTMDB, query: str, kind: str, title_id: int
) -> None:
    assert [i["id"] for i in ok(demo, f"search/{kind}", query=query)["results"][:1]] == [title_id]
    multi = ok(demo, "search/multi", query=query)["results"]
    assert (kind, title_id) in [(i["media_type"], i["id"]) for i in multi[:5]]


def test_twenty_well_known_titles() -> None:
    assert len(WELL_KNOWN) == 20 and len({t for *_, t in WELL_KNOWN}) == 20


def test_every_recorded_certification_is_served_for_restricted_profiles(demo: DemoTMDB) -> None:
    # Maturity filters read the US certification from release_dates / content_ratings.
    movies = [
        any(
            r["iso_3166_1"] == "US" and any(d["certification"] for d in r["release_dates"])
            for r in ok(demo, f"movie/{i}/release_dates")["results"]
        )
        for i in demo.movie_ids
    ]
    assert sum(movies) >= 0.97 * len(movies)  # 107 movies have no recorded certification
    series = [
        any(r["iso_3166_1"] == "US" for r in ok(demo, f"tv/{i}/content_ratings")["results"])
        for i in demo.series_ids
    ]
    assert sum(series) >= 0.9 * len(series)  # the rest carry another country's or none
