"""/api/movies against a fake TMDB over loopback: endpoints, faults, cache, single-flight, keys."""

from __future__ import annotations

import gzip
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from netflix_clone.catalog import source as catalog_source
from tests.conftest import SHORT_TIMEOUTS
from tests.waiting import wait_until


def upstream_calls(tmdb: Any, path: str) -> int:
    return sum(1 for r in tmdb.requests if r["path"] == f"/3/{path}")


# --- endpoints -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["popular", "top_rated", "now_playing", "upcoming", "trending"])
def test_every_list_in_our_shape(catalog_app: Callable[..., Flask], name: str) -> None:
    client = catalog_app().test_client()
    response = client.get(f"/api/movies?list={name}")
    assert response.status_code == 200
    body = response.json
    assert body is not None
    assert body["source"] == "tmdb"
    assert response.headers["X-Catalog-Source"] == "tmdb"
    assert body["results"], name
    card = body["results"][0]
    assert set(card) == {
        "kind",
        "id",
        "title",
        "original_title",
        "overview",
        "release_date",
        "year",
        "genres",
        "poster_url",
        "backdrop_url",
        "rating",
        "vote_count",
        "popularity",
        "original_language",
        "adult",
    }
    assert "poster_path" not in json.dumps(body)  # never raw TMDB JSON
    assert card["poster_url"] is None or card["poster_url"].startswith(
        "https://image.tmdb.org/t/p/w342/"
    )
    assert all(isinstance(g["name"], str) and g["name"] for g in card["genres"])
    assert body["total_pages"] <= 500


def test_genre_filter_uses_discover_and_resolves_names(
    catalog_app: Callable[..., Flask], tmdb: Any
) -> None:
    client = catalog_app().test_client()
    response = client.get("/api/movies?list=popular&genre=Action&page=1")
    assert response.status_code == 200
    assert response.json is not None
    assert all(any(g["id"] == 28 for g in m["genres"]) for m in response.json["results"])
    discover = [r for r in tmdb.requests if r["path"] == "/3/discover/movie"]
    assert discover and discover[0]["params"]["with_genres"] == "28"
    assert client.get("/api/movies?genre=NoSuchGenre").status_code == 422


def test_details_have_cast_director_trailer_certification(
    catalog_app: Callable[..., Flask], tmdb: Any
) -> None:
    client = catalog_app().test_client()
    response = client.get("/api/movies/550?region=US")
    assert response.status_code == 200
    movie = response.json
    assert movie is not None
    assert movie["title"] == "Fight Club"
    assert movie["runtime"] == 139
    assert movie["certification"] == "R" and movie["min_age"] == 17
    assert [d["name"] for d in movie["directors"]] == ["David Fincher"]
    assert movie["cast"][0]["name"] == "Edward Norton"
    assert len(movie["cast"]) == 10
    assert movie["trailer"]["url"].startswith("https://www.youtube.com/watch?v=")
    assert movie["poster_url_large"].startswith("https://image.tmdb.org/t/p/w500/")
    assert movie["recommendations"] and all(r["id"] != 550 for r in movie["recommendations"])
    # One upstream call: sub-resources come through append_to_response.
    calls = [r for r in tmdb.requests if r["path"].startswith("/3/movie/550")]
    assert len(calls) == 1
    assert set(calls[0]["params"]["append_to_response"].split(",")) >= {
        "credits",
        "videos",
        "release_dates",
    }


def test_search_is_trimmed_encoded_and_bounded(
    catalog_app: Callable[..., Flask], tmdb: Any
) -> None:
    client = catalog_app().test_client()
    response = client.get("/api/movies/search", query_string={"q": "  fight  club ", "page": 1})
    assert response.status_code == 200
    assert response.json and response.json["results"][0]["title"] == "Fight Club"
    # Parameter injection stays inside the query value.
    client.get("/api/movies/search", query_string={"q": "x&api_key=stolen&page=3#"})
    searches = [r for r in tmdb.requests if r["path"] == "/3/search/movie"]
    injected = searches[-1]
    assert injected["params"]["query"] == "x&api_key=stolen&page=3#"
    assert injected["params"]["api_key"] == tmdb.api_key
    assert injected["params"]["page"] == "1"
    assert client.get("/api/movies/search").status_code == 422
    assert client.get("/api/movies/search?q=%20%20").status_code == 422
    assert client.get("/api/movies/search?q=" + "x" * 101).status_code == 422
    assert client.get("/api/movies/search?q=star&year=1200").status_code == 422


def test_genres_and_about(catalog_app: Callable[..., Flask]) -> None:
    client = catalog_app().test_client()
    genres = client.get("/api/genres")
    assert genres.status_code == 200
    assert genres.json and {"id": 28, "name": "Action"} in genres.json["genres"]
    about = client.get("/api/about")
    assert about.json and "not endorsed or certified by TMDB" in about.json["attribution"]
    assert about.json["source"] == "tmdb"


def test_v4_read_token_goes_in_the_authorization_header(
    catalog_app: Callable[..., Flask], tmdb: Any
) -> None:
    client = catalog_app(tmdb_api_key=tmdb.read_token).test_client()
    assert client.get("/api/movies?list=popular").status_code == 200
    request = next(r for r in tmdb.requests if r["path"] == "/3/movie/popular")
    assert request["authorization"] is True
    assert "api_key" not in request["params"]
    assert request["headers"].get("accept") == "application/json"


def test_etag_and_if_none_match(catalog_app: Callable[..., Flask]) -> None:
    client = catalog_app().test_client()
    first = client.get("/api/movies?list=popular")
    etag = first.headers["ETag"]
    assert "max-age" in first.headers["Cache-Control"]
    second = client.get("/api/movies?list=popular", headers={"If-None-Match": f'W/{etag}, "other"'})
    assert second.status_code == 304
    assert second.data == b""
    assert second.headers["ETag"] == etag
    assert (
        client.get("/api/movies?list=popular", headers={"If-None-Match": '"nope"'}).status_code
        == 200
    )


def test_a_shared_catalog_answer_goes_gzipped_once_compressed(
    catalog_app: Callable[..., Flask],
) -> None:
    client = catalog_app().test_client()
    plain = client.get("/api/movies?list=popular")
    packed = client.get("/api/movies?list=popular", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip" and packed.headers["X-Cache"] == "hit"
    assert json.loads(gzip.decompress(packed.data)) == plain.json
    assert packed.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'
    assert packed.headers["Vary"] == plain.headers["Vary"] == "Authorization, Accept-Encoding"
    again = client.get(
        "/api/movies?list=popular",
        headers={"Accept-Encoding": "gzip", "If-None-Match": plain.headers["ETag"]},
    )
    assert again.status_code == 304
    # Refused by q=0: the identity encoding.
    refused = client.get("/api/movies?list=popular", headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers and refused.data == plain.data


# --- faults ----------------------------------------------------------------------------------


def test_unknown_movie_is_404(catalog_app: Callable[..., Flask]) -> None:
    response = catalog_app().test_client().get("/api/movies/999999999")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize(
    ("fault", "status", "attempts"),
    [
        ({"status": 500}, 502, 3),
        ({"status": 503}, 502, 3),
        ({"status": 504}, 504, 3),
        ({"status": 429}, 503, 3),
        ({"status": 401}, 503, 1),
        ({"status": 422}, 502, 1),
        ({"body": "malformed"}, 502, 3),
        ({"delay": 1.0}, 504, None),
        ({"drop_connection": True}, 502, 3),
    ],
)
def test_faults_map_to_documented_statuses(
    catalog_app: Callable[..., Flask],
    tmdb: Any,
    fault: dict[str, Any],
    status: int,
    attempts: int | None,
) -> None:
    tmdb.add_fault("movie/popular", **fault)
    timeouts = SHORT_TIMEOUTS if "delay" in fault else {}
    app = catalog_app(tmdb_deadline=2.5, **timeouts)
    response = app.test_client().get("/api/movies?list=popular")
    assert response.status_code == status, response.json
    assert response.content_type == "application/problem+json"
    if status in (503, 504):
        assert int(response.headers["Retry-After"]) >= 1
    if attempts is not None:
        assert upstream_calls(tmdb, "movie/popular") == attempts


def test_a_transient_5xx_is_retried_then_succeeds(
    catalog_app: Callable[..., Flask], tmdb: Any
) -> None:
    tmdb.add_fault("movie/top_rated", status=502, times=1)
    response = catalog_app().test_client().get("/api/movies?list=top_rated")
    assert response.status_code == 200
    assert upstream_calls(tmdb, "movie/top_rated") == 2


def test_an_upstream_retry_after_never_parks_a_request(
    catalog_app: Callable[..., Flask], tmdb: Any
) -> None:
    tmdb.add_fault("movie/upcoming", status=429, retry_after=20, times=1)
    client = catalog_app().test_client()
    response = client.get("/api/movies?list=upcoming")
    # Answered at once with TMDB's own wait passed on, instead of a thread asleep for 20 s.
    assert response.status_code == 503
    assert 15 <= int(response.headers["Retry-After"]) <= 20
    # During the cool-down, cold misses don't knock on TMDB's door again.
    assert client.get("/api/movies?list=upcoming").status_code == 503
    assert upstream_calls(tmdb, "movie/upcoming") == 1


def test_retry_after_beyond_the_deadline_answers_at_once(
    catalog_app: Callable[..., Flask], tmdb: Any
) -> None:
    tmdb.add_fault("movie/upcoming", status=429, retry_after=30)
    response = catalog_app().test_client().get("/api/movies?list=upcoming")
    assert response.status_code == 503
    # One call: waiting out Retry-After would blow the deadline, so no retry was made.
    assert upstream_calls(tmdb, "movie/upcoming") == 1


def test_null_images_and_empty_release_dates(catalog_app: Callable[..., Flask], tmdb: Any) -> None:
    tmdb.add_fault(
        "movie/550",
        patch={
            "poster_path": None,
            "backdrop_path": None,
            "release_date": "",
            "release_dates": {"results": []},
            "videos": {"results": []},
        },
    )
    response = catalog_app().test_client().get("/api/movies/550")
    assert response.status_code == 200
    movie = response.json
    assert movie is not None
    assert movie["poster_url"] is None and movie["backdrop_url"] is None
    assert movie["release_date"] is None and movie["year"] is None
    assert movie["certification"] is None and movie["min_age"] is None
    assert movie["trailer"] is None


def test_failures_are_never_cached(catalog_app: Callable[..., Flask], tmdb: Any) -> None:
    client = catalog_app(tmdb_max_attempts=1).test_client()
    tmdb.add_fault("movie/now_playing", status=500, times=1)
    assert client.get("/api/movies?list=now_playing").status_code == 502
    assert client.get("/api/movies?list=now_playing").status_code == 200
    assert client.get("/api/movies?list=now_playing").status_code == 200
    assert upstream_calls(tmdb, "movie/now_playing") == 2


def test_stale_if_error(
    catalog_app: Callable[..., Flask], tmdb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(catalog_source.TTL, "list", 0)  # every entry is stale at once
    client = catalog_app().test_client()
    fresh = client.get("/api/movies?list=popular")
    assert fresh.status_code == 200 and fresh.headers["X-Cache"] == "miss"
    tmdb.add_fault("movie/popular", status=500)
    stale = client.get("/api/movies?list=popular")
    assert stale.status_code == 200
    assert stale.headers["X-Cache"] == "stale"
    assert "max-age=30" in stale.headers["Cache-Control"]
    assert stale.json == fresh.json


def test_a_slow_upstream_costs_nothing_for_stale_keys(
    catalog_app: Callable[..., Flask], tmdb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(catalog_source.TTL, "list", 0)  # every entry is stale at once
    app = catalog_app(tmdb_deadline=20.0, tmdb_read_timeout=15.0, upstream_slot_wait=0.1)
    first = app.test_client().get("/api/movies?list=popular")
    assert first.status_code == 200
    tmdb.add_fault("movie/popular", delay=3.0)  # TMDB turns slow
    responses = _parallel_gets(app, ["/api/movies?list=popular"] * 12)
    # Every request got the stored copy at once (none waited for a slot or for TMDB) ...
    assert [r.status_code for r in responses] == [200] * 12
    assert {r.headers["X-Cache"] for r in responses} == {"stale"}
    assert all(r.json == first.json for r in responses)
    # ... and one background task per key refreshed it.
    assert wait_until(lambda: upstream_calls(tmdb, "movie/popular") == 2)
    assert upstream_calls(tmdb, "movie/popular") == 2


def test_cache_hits_do_not_call_upstream(catalog_app: Callable[..., Flask], tmdb: Any) -> None:
    client = catalog_app().test_client()
    for _ in range(5):
        response = client.get("/api/movies?list=popular")
    assert response.headers["X-Cache"] == "hit"
    assert upstream_calls(tmdb, "movie/popular") == 1


def _burst(app: Flask, url: str, n: int) -> list[int]:
    statuses: list[int] = []
    barrier = threading.Barrier(n)

    def one() -> None:
        client = app.test_client()
        barrier.wait()
        statuses.append(client.get(url).status_code)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def test_single_flight_in_one_process(catalog_app: Callable[..., Flask], tmdb: Any) -> None:
    tmdb.set_latency(0.3)
    # A slot for every thread: this test is about single-flight; the bulkhead, which would
    # turn most of a 50-thread burst into quick 503s, has tests of its own below.
    app = catalog_app(tmdb_read_timeout=5.0, tmdb_deadline=10.0, upstream_slots=64)
    statuses = _burst(app, "/api/movies/550", 50)
    assert statuses == [200] * 50
    assert upstream_calls(tmdb, "movie/550") == 1


@pytest.mark.redis
def test_single_flight_across_processes_through_redis(
    catalog_app: Callable[..., Flask], tmdb: Any, redis_url: str
) -> None:
    tmdb.set_latency(0.3)
    # Generous timeouts: this test is about single-flight, not about retries under load.
    apps = [
        catalog_app(
            redis_url=redis_url, tmdb_read_timeout=5.0, tmdb_deadline=10.0, upstream_slots=64
        )
        for _ in range(2)
    ]
    statuses: list[int] = []
    threads = [
        threading.Thread(target=lambda a=a: statuses.extend(_burst(a, "/api/movies/13", 10)))
        for a in apps
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 20
    assert upstream_calls(tmdb, "movie/13") == 1
    # And the second app now hits the shared cache.
    assert apps[1].test_client().get("/api/movies/13").headers["X-Cache"] == "hit"


def test_the_key_never_reaches_logs_headers_or_bodies(
    catalog_app: Callable[..., Flask],
    tmdb: Any,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    client = catalog_app(**SHORT_TIMEOUTS).test_client()
    texts = []
    tmdb.add_fault("movie/popular", status=401, times=1)
    tmdb.add_fault("movie/top_rated", status=500)
    tmdb.add_fault("movie/upcoming", delay=1.0)
    for url in (
        "/api/movies?list=popular",
        "/api/movies?list=top_rated",
        "/api/movies?list=upcoming",
        "/api/movies/550",
        "/api/movies/search?q=a",
    ):
        response = client.get(url)
        texts.append(response.get_data(as_text=True))
        texts.append(json.dumps(dict(response.headers)))
    captured = capsys.readouterr()
    texts += [captured.out, captured.err, caplog.text]
    assert tmdb.api_key not in "\n".join(texts)


# --- the key from Secrets Manager (moto server over loopback) --------------------------------


def test_key_from_secrets_manager_and_rotation(
    catalog_app: Callable[..., Flask], tmdb: Any, aws_env: str
) -> None:
    import boto3
    from devtools.fake_tmdb import new_api_key

    sm = boto3.client("secretsmanager", endpoint_url=aws_env, region_name="eu-west-1")
    name = f"netflix-clone/test/tmdb-{time.monotonic_ns()}"
    sm.create_secret(Name=name, SecretString=json.dumps({"TMDB_API_KEY": tmdb.api_key}))
    app = catalog_app(
        tmdb_api_key=None, tmdb_secret_id=name, aws_endpoint_url=aws_env, aws_region="eu-west-1"
    )
    client = app.test_client()
    assert client.get("/api/movies?list=popular").status_code == 200

    # Rotate: TMDB accepts only the new key, Secrets Manager holds it; no restart.
    rotated = new_api_key()
    sm.put_secret_value(SecretId=name, SecretString=rotated)  # plain-string form this time
    tmdb.set_keys(api_keys=rotated)
    response = client.get("/api/movies?list=top_rated")
    assert response.status_code == 200
    calls = [r for r in tmdb.requests if r["path"] == "/3/movie/top_rated"]
    assert [c["status"] for c in calls] == [401, 200]
    assert calls[-1]["params"]["api_key"] == rotated


def test_secret_refresh_on_a_timer(
    catalog_app: Callable[..., Flask], tmdb: Any, aws_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3
    from devtools.fake_tmdb import new_api_key

    sm = boto3.client("secretsmanager", endpoint_url=aws_env, region_name="eu-west-1")
    name = f"netflix-clone/test/timer-{time.monotonic_ns()}"
    sm.create_secret(Name=name, SecretString=tmdb.api_key)
    app = catalog_app(
        tmdb_api_key=None,
        tmdb_secret_id=name,
        aws_endpoint_url=aws_env,
        aws_region="eu-west-1",
        tmdb_key_refresh_seconds=10,
    )
    client = app.test_client()
    assert client.get("/api/movies?list=popular").status_code == 200
    rotated = new_api_key()
    sm.put_secret_value(SecretId=name, SecretString=rotated)
    tmdb.set_keys(api_keys=[tmdb.api_key, rotated])  # both valid during the rotation window
    real_monotonic = time.monotonic
    monkeypatch.setattr(time, "monotonic", lambda: real_monotonic() + 11)
    assert client.get("/api/movies?list=now_playing").status_code == 200
    last = [r for r in tmdb.requests if r["path"] == "/3/movie/now_playing"][-1]
    assert last["params"]["api_key"] == rotated


def test_unreadable_secret_is_503_not_500(catalog_app: Callable[..., Flask], aws_env: str) -> None:
    app = catalog_app(
        tmdb_api_key=None,
        tmdb_secret_id="netflix-clone/test/does-not-exist",
        aws_endpoint_url=aws_env,
        aws_region="eu-west-1",
    )
    response = app.test_client().get("/api/movies?list=popular")
    assert response.status_code == 503
    assert response.content_type == "application/problem+json"


def _parallel_gets(app: Flask, urls: list[str]) -> list[Any]:
    responses: list[Any] = []
    threads = [
        threading.Thread(target=lambda u=u: responses.append(app.test_client().get(u)))
        for u in urls
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return responses


def test_misses_within_the_slots_queue_for_the_upstream_budget(
    catalog_app: Callable[..., Flask], tmdb: Any
) -> None:
    app = catalog_app(tmdb_budget_per_second=1, tmdb_deadline=6.0, upstream_slot_wait=5.0)
    app.test_client().get("/api/genres")  # warm the genre list: only details count below
    responses = _parallel_gets(app, ["/api/movies/550", "/api/movies/13"])
    # One call a second: the second miss waits for the next window instead of failing.
    assert [r.status_code for r in responses] == [200, 200]
    assert sum(1 for r in tmdb.requests if r["path"].startswith("/3/movie/")) == 2


def test_misses_beyond_the_upstream_slots_get_a_quick_503(
    catalog_app: Callable[..., Flask], tmdb: Any
) -> None:
    app = catalog_app(
        upstream_slots=2, upstream_slot_wait=0.1, tmdb_deadline=20.0, tmdb_read_timeout=15.0
    )
    app.test_client().get("/api/genres")
    # Details take 5 s: two misses hold the two slots; the other four must not queue.
    tmdb.add_fault("movie/", delay=5.0)
    results = _parallel_gets(app, [f"/api/movies/{i}" for i in (550, 13, 278, 680, 11, 155)])
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 200, 503, 503, 503, 503]
    busy = [r for r in results if r.status_code == 503]
    assert all(r.headers["Retry-After"] == "1" for r in busy)
    assert all(r.json["type"].endswith("/catalog-unavailable") for r in busy)
    assert sum(1 for r in tmdb.requests if r["path"].startswith("/3/movie/")) == 2
