"""/tmdb/3: the TMDB-compatible gateway, against the fake TMDB over loopback and the demo catalog.

Contract: every allow-listed path answers in TMDB's own shape (validated against TMDB's official
OpenAPI spec). Safety: the client's key is dropped, nothing off the allow-list reaches TMDB, and
what does reach it is re-encoded by us. Shared machinery: one upstream call per distinct request.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pydantic import ValidationError
from werkzeug.test import TestResponse

from netflix_clone.catalog import source as catalog_source
from netflix_clone.catalog.demo_tmdb import DemoTMDB
from netflix_clone.catalog.source import Catalog
from netflix_clone.core.settings import ConfigError
from netflix_clone.gateway import allowlist
from netflix_clone.web.deps import catalog
from tests.conftest import SHORT_TIMEOUTS, test_settings
from tests.tmdb_spec import validate_tmdb_response

CLIENT_KEY = "anything-the-app-shipped-0123456789"
CLIENT_TOKEN = "Bearer eyJclient.token.fromthebrowser"
NOT_FOUND = {
    "success": False,
    "status_code": 34,
    "status_message": "The resource you requested could not be found.",
}
# Characters httpx leaves unescaped in a query string: anything else arrived percent-encoded.
ENCODED_QUERY = re.compile(r"[A-Za-z0-9_.~%+=&-]*")


def upstream(tmdb: Any, path: str | None = None) -> list[dict[str, Any]]:
    return [r for r in tmdb.requests if path is None or r["path"] == f"/3/{path}"]


def tmdb_body(response: TestResponse) -> Any:
    assert response.content_type == "application/json;charset=utf-8", response.data
    return json.loads(response.data)


@pytest.fixture
def live(catalog_app: Callable[..., Flask]) -> FlaskClient:
    return catalog_app().test_client()


@pytest.fixture
def demo_app(catalog_app: Callable[..., Flask]) -> Callable[..., Flask]:
    def factory(**overrides: Any) -> Flask:
        return catalog_app(catalog_source="demo", tmdb_api_key=None, **overrides)

    return factory


# --- contract: TMDB's official spec, from live TMDB (the fake) and from the demo catalog ------

CONTRACT = [
    ("configuration", "configuration"),
    ("genre/movie/list?language=en", "genre/movie/list"),
    ("movie/popular?language=en-US&page=1", "movie/popular"),
    ("movie/top_rated?page=2&region=US", "movie/top_rated"),
    ("movie/now_playing?language=en-US", "movie/now_playing"),
    ("movie/upcoming?region=GB", "movie/upcoming"),
    ("trending/movie/day", "trending/movie/{time_window}"),
    ("trending/movie/week?language=en-US", "trending/movie/{time_window}"),
    ("discover/movie?with_genres=28&sort_by=popularity.desc&page=1", "discover/movie"),
    (
        "discover/movie?with_genres=18|35&sort_by=vote_average.desc&language=en-US&region=US"
        "&primary_release_year=1999",
        "discover/movie",
    ),
    (
        "movie/550?append_to_response=videos,credits,images,similar,recommendations,release_dates",
        "movie/{movie_id}",
    ),
    ("movie/550-fight-club?language=en-US", "movie/{movie_id}"),
    ("movie/550/similar", "movie/{movie_id}/similar"),
    ("movie/550/recommendations?page=1", "movie/{movie_id}/recommendations"),
    ("movie/550/videos?language=en-US", "movie/{movie_id}/videos"),
    ("movie/550/credits", "movie/{movie_id}/credits"),
    ("movie/550/images?include_image_language=en,null", "movie/{movie_id}/images"),
    ("movie/550/release_dates", "movie/{movie_id}/release_dates"),
    ("search/movie?query=fight%20club&include_adult=false&page=1", "search/movie"),
]


@pytest.mark.parametrize("source", ["tmdb", "demo"])
@pytest.mark.parametrize(("url", "template"), CONTRACT)
def test_every_allowed_path_answers_in_tmdbs_documented_shape(
    catalog_app: Callable[..., Flask], tmdb: Any, source: str, url: str, template: str
) -> None:
    overrides: dict[str, Any] = {} if source == "tmdb" else {"tmdb_api_key": None}
    app = catalog_app(catalog_source=source, **overrides)
    separator = "&" if "?" in url else "?"
    response = app.test_client().get(f"/tmdb/3/{url}{separator}api_key={CLIENT_KEY}")
    assert response.status_code == 200, response.data
    assert response.headers["X-Catalog-Source"] == source
    body = tmdb_body(response)
    validate_tmdb_response(template, body)
    if "results" in body and "primary_release_year" not in url:
        assert body["results"], url
    if "append_to_response" in url:
        assert {"videos", "credits", "images", "similar", "recommendations"} <= set(body)
        assert "id" not in body["videos"]  # appended objects drop their id, as TMDB's do
    # Same JSON as TMDB's own answer to the canonical request (the fake serves DemoTMDB), but
    # for the image base: in demo mode `configuration` hands out the placeholder artwork's.
    wanted = allowlist.resolve(url.partition("?")[0], dict(parse_qsl(url.partition("?")[2])))
    status, expected = DemoTMDB.default().handle(wanted.path, wanted.params)
    assert status == 200
    if template == "configuration" and source == "demo":
        placeholders = "http://localhost/images/t/p/"
        expected["images"] |= {"base_url": placeholders, "secure_base_url": placeholders}
    assert body == expected
    assert len(upstream(tmdb)) == (1 if source == "tmdb" else 0)


def test_spec_validation_catches_a_wrong_shape() -> None:
    # The contract test above can fail: a body of the wrong shape does not validate.
    from tests.tmdb_spec import ValidationError as SpecError

    with pytest.raises(SpecError):
        validate_tmdb_response("movie/popular", {"page": "one", "results": {}})


# --- what such an app does on its home page ---------------------------------------------------


def home_page_requests(genre_ids: list[int], movie_id: int) -> list[str]:
    common = f"api_key={CLIENT_KEY}&language=en-US"
    urls = [
        f"configuration?api_key={CLIENT_KEY}",
        f"genre/movie/list?{common}",
        f"movie/popular?{common}&page=1",
        f"movie/top_rated?{common}&page=1",
        f"movie/now_playing?{common}&page=1",
        f"movie/upcoming?{common}&page=1",
    ]
    urls += [f"discover/movie?{common}&with_genres={g}" for g in genre_ids]
    urls += [
        f"movie/{movie_id}?{common}&append_to_response=videos",
        f"movie/{movie_id}/similar?{common}&page=1",
    ]
    return urls


def test_a_home_page_runs_through_the_gateway_with_one_upstream_call_each(
    catalog_app: Callable[..., Flask], tmdb: Any
) -> None:
    # Counting upstream calls must not depend on how loaded the machine is: with the fixture's
    # 0.5 s read timeout a slow answer was retried and counted twice. One attempt and timeouts
    # no healthy loopback answer comes near make the count exact.
    live = catalog_app(
        tmdb_max_attempts=1, tmdb_connect_timeout=30.0, tmdb_read_timeout=60.0, tmdb_deadline=120.0
    ).test_client()
    headers = {"Authorization": CLIENT_TOKEN}
    genres = tmdb_body(live.get(f"/tmdb/3/genre/movie/list?api_key={CLIENT_KEY}"))["genres"]
    popular = tmdb_body(live.get("/tmdb/3/movie/popular?page=1"))["results"]
    tmdb.reset()
    urls = home_page_requests([g["id"] for g in genres], popular[0]["id"])
    assert len(urls) == 6 + 19 + 2

    for url in urls:
        response = live.get(f"/tmdb/3/{url}", headers=headers)
        assert response.status_code == 200, (url, response.data)
    first_pass = upstream(tmdb)
    distinct = {(r["path"], r["query"]) for r in first_pass}
    assert len(first_pass) == len(distinct) == len(urls)

    for url in urls:
        response = live.get(f"/tmdb/3/{url}", headers=headers)
        assert response.status_code == 200
        assert response.headers["X-Cache"] == "hit"
    assert len(upstream(tmdb)) == len(first_pass)  # the second pass: zero upstream calls

    for request in first_pass:
        assert request["params"]["api_key"] == tmdb.api_key
        assert request["authorization"] is False
        assert CLIENT_KEY not in request["query"]
        assert "eyJclient" not in json.dumps(request["headers"])
        assert CLIENT_KEY not in json.dumps(request)


def test_a_v4_server_token_goes_in_the_header_and_the_clients_key_nowhere(
    catalog_app: Callable[..., Flask], tmdb: Any
) -> None:
    client = catalog_app(tmdb_api_key=tmdb.read_token).test_client()
    response = client.get(
        f"/tmdb/3/movie/popular?api_key={CLIENT_KEY}", headers={"Authorization": CLIENT_TOKEN}
    )
    assert response.status_code == 200
    (request,) = upstream(tmdb)
    assert request["authorization"] is True  # the server's token: the fake accepted it
    assert request["status"] == 200
    assert request["query"] == ""


# --- never an open proxy ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "account",
        "account/1/favorite/movies",
        "movie/550/account_states",
        "movie/550/watch/providers",
        "movie/550/similar/extra",
        "../account",
        "%2e%2e/account",
        "%2E%2E/%2E%2E/configuration",
        "movie/..%2f..%2faccount",
        "configuration/../account",
        "tv/1/keywords",
        "tv/1/watch/providers",
        "tv/1/season/1/credits",
        "tv/1/season/-1",
        "tv/latest",
        "tv/0",
        "trending/person/week",
        "trending/all/month",
        "discover/person",
        "search/company",
        "genre/person/list",
        "person/1",
        "authentication",
        "authentication/token/new",
        "list/1",
        "movie/0",
        "movie/2147483648",
        "movie/99999999999",
        "movie/abc",
        "movie/-5",
        "3/movie/popular",
        "Movie/Popular",
        "",
    ],
)
def test_paths_off_the_allow_list_are_tmdbs_404_and_never_reach_tmdb(
    live: FlaskClient, tmdb: Any, path: str
) -> None:
    response = live.get(f"/tmdb/3/{path}?api_key={CLIENT_KEY}")
    assert response.status_code == 404
    assert tmdb_body(response) == NOT_FOUND
    assert upstream(tmdb) == []


@pytest.mark.parametrize("url", ["/tmdb/4/list/1", "/tmdb/2/movie/popular", "/tmdb/"])
def test_other_api_versions_are_404_too(live: FlaskClient, tmdb: Any, url: str) -> None:
    response = live.get(url)
    assert response.status_code == 404
    assert tmdb_body(response) == NOT_FOUND
    assert upstream(tmdb) == []


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_write_methods_are_tmdbs_405(live: FlaskClient, tmdb: Any, method: str) -> None:
    response = live.open(
        "/tmdb/3/movie/550/rating", method=method, json={"value": 10}, headers={"Origin": "x"}
    )
    assert response.status_code == 405
    assert tmdb_body(response) == {
        "success": False,
        "status_code": 42,
        "status_message": "Request method not supported.",
    }
    assert "GET" in response.headers["Allow"]
    assert live.open("/tmdb/3/movie/popular", method=method).status_code == 405
    assert upstream(tmdb) == []


def test_head_is_get_without_a_body(live: FlaskClient) -> None:
    response = live.head("/tmdb/3/movie/popular")
    assert response.status_code == 200
    assert response.data == b""
    assert response.headers["ETag"]


# --- parameters: validated, canonical, re-encoded; unknown ones dropped ----------------------


@pytest.mark.parametrize(
    ("query", "status", "body"),
    [
        ("page=abc", 400, {"status_code": 22}),
        ("page=0", 400, {"status_code": 22}),
        ("page=-1", 400, {"status_code": 22}),
        ("page=1.5", 400, {"status_code": 22}),
        ("page=501", 422, {"errors": ["page must be less than or equal to 500"]}),
        (
            "page=99999999999999999999999",
            422,
            {"errors": ["page must be less than or equal to 500"]},
        ),
        ("language=english", 422, {"status_code": 5}),
        ("language=en_US", 422, {"status_code": 5}),
        ("region=USA", 422, {"status_code": 5}),
    ],
)
def test_bad_list_parameters_get_tmdbs_own_errors(
    live: FlaskClient, tmdb: Any, query: str, status: int, body: dict[str, Any]
) -> None:
    response = live.get(f"/tmdb/3/movie/popular?{query}")
    assert response.status_code == status
    assert body.items() <= tmdb_body(response).items()
    assert upstream(tmdb) == []


@pytest.mark.parametrize(
    ("sent", "forwarded"),
    [
        ("en-us", "language=en-US"),
        ("pt-BR", "language=pt-BR"),
        ("fr-XX", "language=fr"),  # a variant TMDB lacks: its language
        ("xx-YY", None),  # a language TMDB lacks: TMDB's default
        ("zz", None),
    ],
)
def test_language_is_one_of_tmdbs_so_the_cache_key_space_stays_bounded(
    live: FlaskClient, tmdb: Any, sent: str, forwarded: str | None
) -> None:
    response = live.get(f"/tmdb/3/movie/popular?language={sent}")
    assert response.status_code == 200
    (query,) = [r["query"] for r in tmdb.requests if r["path"] == "/3/movie/popular"]
    languages = [part for part in query.split("&") if part.startswith("language=")]
    assert languages == ([forwarded] if forwarded else [])


@pytest.mark.parametrize(
    "query",
    [
        "with_genres=28%26api_key%3Dstolen",
        "with_genres=action",
        "with_genres=28,,12",
        "with_genres=28;12",
        "without_genres=28%0A12",
        "with_genres=28%2012",
        "sort_by=id.desc",
        "sort_by=popularity.desc%26api_key%3Dx",
        "primary_release_year=99",
        "year=19999",
        "include_adult=yes",
        "vote_average.gte=11",
        "primary_release_date.gte=2020-02-30",
    ],
)
def test_bad_discover_parameters_are_refused(live: FlaskClient, tmdb: Any, query: str) -> None:
    response = live.get(f"/tmdb/3/discover/movie?{query}")
    assert response.status_code == 422
    assert tmdb_body(response)["status_code"] == 5
    assert upstream(tmdb) == []


def test_search_query_is_required_bounded_and_injection_stays_inside_its_value(
    live: FlaskClient, tmdb: Any
) -> None:
    assert tmdb_body(live.get("/tmdb/3/search/movie")) == {"errors": ["query must be provided"]}
    assert live.get("/tmdb/3/search/movie?query=%20%20").status_code == 422
    assert live.get("/tmdb/3/search/movie?query=" + "x" * 201).status_code == 422
    assert live.get("/tmdb/3/search/movie?query=a%00b").status_code == 422
    assert upstream(tmdb) == []

    injected = "x&api_key=stolen&page=3#frag ü"
    response = live.get(
        "/tmdb/3/search/movie", query_string={"query": injected, "api_key": CLIENT_KEY}
    )
    assert response.status_code == 200
    (request,) = upstream(tmdb, "search/movie")
    assert request["params"] == {"query": injected, "api_key": tmdb.api_key}
    assert "query=x%26api_key%3Dstolen%26page%3D3%23frag+%C3%BC" in request["query"]
    assert "stolen" not in request["query"].replace("%3Dstolen", "")


def test_unknown_parameters_are_dropped_never_forwarded(live: FlaskClient, tmdb: Any) -> None:
    response = live.get(
        "/tmdb/3/movie/popular?api_key=k&_=1712345678&callback=evil&with_genres=28"
        "&session_id=s&language=EN-us&region=us&page=2&page=3"
    )
    assert response.status_code == 200
    (request,) = upstream(tmdb)
    assert request["params"] == {
        "api_key": tmdb.api_key,
        "language": "en-US",
        "page": "2",
        "region": "US",
    }


def test_unset_javascript_values_are_treated_as_not_sent(live: FlaskClient, tmdb: Any) -> None:
    response = live.get("/tmdb/3/movie/popular?language=undefined&region=&page=")
    assert response.status_code == 200
    (request,) = upstream(tmdb)
    assert request["params"] == {"api_key": tmdb.api_key}


def test_append_to_response_is_validated_deduplicated_and_sorted(
    live: FlaskClient, tmdb: Any
) -> None:
    a = live.get("/tmdb/3/movie/550?append_to_response=videos,account_states,bogus,credits,videos")
    b = live.get("/tmdb/3/movie/550-fight-club?append_to_response=credits,videos")
    assert a.status_code == b.status_code == 200
    assert a.data == b.data
    assert {"videos", "credits"} <= set(tmdb_body(a))
    assert "account_states" not in tmdb_body(a)
    (request,) = upstream(tmdb)  # one cache entry for both spellings
    assert request["path"] == "/3/movie/550"
    assert request["params"]["append_to_response"] == "credits,videos"

    too_many = ",".join(["videos"] * 21)
    response = live.get(f"/tmdb/3/movie/550?append_to_response={too_many}")
    assert response.status_code == 400
    assert tmdb_body(response)["status_code"] == 27
    assert len(upstream(tmdb)) == 1


def test_movie_ids_are_normalised_for_the_cache(live: FlaskClient, tmdb: Any) -> None:
    for path in ("movie/550", "movie/550-fight-club", "movie/0550", "movie/550-Fight%20Club"):
        assert live.get(f"/tmdb/3/{path}").status_code == 200, path
    assert [r["path"] for r in upstream(tmdb)] == ["/3/movie/550"]
    assert live.get("/tmdb/3/movie/2147483647").status_code == 404  # int32 max: asked, unknown
    assert [r["path"] for r in upstream(tmdb)][-1] == "/3/movie/2147483647"


def test_nothing_the_client_sent_reaches_tmdb_unencoded(live: FlaskClient, tmdb: Any) -> None:
    hostile = [
        "/tmdb/3/search/movie?query=%22%3E%3Cscript%3E&year=1999&region=us",
        "/tmdb/3/search/movie?query=a%20b%0D%0AX-Injected:%201",
        "/tmdb/3/search/movie?query=..%2F..%2Faccount%3Fx%3D1",
        "/tmdb/3/discover/movie?with_genres=28|12,16&sort_by=title.asc&with_cast=1%26x%3Dy",
        "/tmdb/3/movie/550?append_to_response=videos%2Caccount_states&include_image_language=EN,null",
        "/tmdb/3/trending/movie/week?page=2&api_key=x&x=%00",
    ]
    for url in hostile:
        live.get(url)
    requests = upstream(tmdb)
    assert len(requests) == 5  # the CR/LF query is refused; every other one is answered
    allowed_names = {"api_key", "query", "year", "region", "with_genres", "sort_by", "page"}
    allowed_names |= {"append_to_response", "include_image_language"}
    for request in requests:
        assert ENCODED_QUERY.fullmatch(request["query"]), request["query"]
        names = {name for name, _ in parse_qsl(request["query"], keep_blank_values=True)}
        assert names <= allowed_names
        assert "x=y" not in request["query"] and "account_states" not in request["query"]
        assert request["query"] == urlencode(parse_qsl(request["query"]))  # canonical encoding


# --- errors in TMDB's shape; /api keeps problem+json ------------------------------------------


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [
        ({"status": 401}, 503, 9),
        ({"status": 429, "retry_after": 30}, 503, 9),
        ({"status": 500}, 502, 43),
        ({"status": 503}, 502, 43),
        ({"body": "malformed"}, 502, 43),
        ({"drop_connection": True}, 502, 43),
        ({"status": 504}, 504, 24),
        ({"delay": 1.0}, 504, 24),
    ],
)
def test_upstream_faults_become_tmdb_shaped_errors(
    catalog_app: Callable[..., Flask], tmdb: Any, fault: dict[str, Any], status: int, code: int
) -> None:
    tmdb.add_fault("movie/popular", **fault)
    timeouts = SHORT_TIMEOUTS if "delay" in fault else {}
    client = catalog_app(tmdb_deadline=2.0, tmdb_max_attempts=2, **timeouts).test_client()
    response = client.get("/tmdb/3/movie/popular")
    assert response.status_code == status
    body = tmdb_body(response)
    assert body["success"] is False and body["status_code"] == code
    assert "key" not in body["status_message"].lower()
    if status in (503, 504):
        assert int(response.headers["Retry-After"]) >= 1
    # The app-wide handler still answers /api with problem+json: the blueprint's wins only here.
    api = client.get("/api/movies?list=popular")
    assert api.status_code == status
    assert api.content_type == "application/problem+json"


def test_unknown_movie_is_tmdbs_404(live: FlaskClient) -> None:
    response = live.get("/tmdb/3/movie/999999")
    assert response.status_code == 404
    assert tmdb_body(response) == NOT_FOUND


def test_an_unexpected_error_is_tmdb_shaped_and_api_is_unchanged(
    live: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Catalog, path: str, params: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(Catalog, "fetch", broken)
    response = live.get("/tmdb/3/movie/popular")
    assert response.status_code == 500
    assert tmdb_body(response)["status_code"] == 11
    assert live.get("/api/movies?list=popular").content_type == "application/problem+json"


def test_stale_if_error_through_the_gateway(
    live: FlaskClient, tmdb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(catalog_source.TTL, "list", 0)
    fresh = live.get("/tmdb/3/movie/popular")
    assert fresh.headers["X-Cache"] == "miss"
    tmdb.add_fault("movie/popular", status=500)
    stale = live.get("/tmdb/3/movie/popular")
    assert stale.status_code == 200
    assert stale.headers["X-Cache"] == "stale"
    assert "max-age=30" in stale.headers["Cache-Control"]
    assert stale.data == fresh.data


def test_concurrent_requests_share_one_upstream_call(
    catalog_app: Callable[..., Flask], tmdb: Any
) -> None:
    tmdb.set_latency(0.3)
    app = catalog_app()
    statuses: list[int] = []
    barrier = threading.Barrier(20)

    def one(i: int) -> None:
        barrier.wait()
        statuses.append(app.test_client().get(f"/tmdb/3/movie/13?_={i}").status_code)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 20
    assert len(upstream(tmdb, "movie/13")) == 1


# --- HTTP caching -----------------------------------------------------------------------------


def test_etag_and_if_none_match(live: FlaskClient) -> None:
    first = live.get("/tmdb/3/movie/popular")
    etag = first.headers["ETag"]
    assert "max-age=300" in first.headers["Cache-Control"]
    assert "public" in first.headers["Cache-Control"]
    again = live.get("/tmdb/3/movie/popular?page=1", headers={"If-None-Match": f'"x", W/{etag}'})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    other = live.get("/tmdb/3/movie/popular", headers={"If-None-Match": '"nope"'})
    assert other.status_code == 200
    config = live.get("/tmdb/3/configuration")
    assert "max-age=86400" in config.headers["Cache-Control"]
    assert live.get("/tmdb/3/account").headers["Cache-Control"] == "no-store"


# --- per-client rate limit --------------------------------------------------------------------


# A moving window: no minute boundary can reset the count in the middle of the test.
def test_rate_limit_per_client_in_tmdbs_shape(catalog_app: Callable[..., Flask], tmdb: Any) -> None:
    app = catalog_app(gateway_rate_limit_per_minute=3, cors_origins=["https://app.example"])
    client = app.test_client()
    origin = {"Origin": "https://app.example"}
    preflight = {**origin, "Access-Control-Request-Method": "GET"}
    for _ in range(5):  # preflights do not count
        assert client.options("/tmdb/3/movie/popular", headers=preflight).status_code == 204
    for _ in range(3):
        assert client.get("/tmdb/3/movie/popular", headers=origin).status_code == 200
    assert len(upstream(tmdb)) == 1
    limited = client.get("/tmdb/3/movie/popular", headers=origin)
    assert limited.status_code == 429
    assert tmdb_body(limited) == {
        "success": False,
        "status_code": 25,
        "status_message": "Your request count (4) is over the allowed limit of (3).",
    }
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.headers["Access-Control-Allow-Origin"] == "https://app.example"
    other = app.test_client().get(
        "/tmdb/3/movie/popular", environ_base={"REMOTE_ADDR": "192.0.2.7"}
    )
    assert other.status_code == 200  # per client
    assert client.get("/api/movies?list=popular").status_code == 200  # the gateway's own budget


# --- CORS -------------------------------------------------------------------------------------


def test_cors_for_allowed_origins_only_and_only_on_the_gateway(
    catalog_app: Callable[..., Flask],
) -> None:
    client = catalog_app(
        cors_origins=["https://app.example", "http://localhost:5173/"]
    ).test_client()
    allowed = client.get("/tmdb/3/movie/popular", headers={"Origin": "https://app.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "Origin" in allowed.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in allowed.headers
    assert "ETag" in allowed.headers["Access-Control-Expose-Headers"]
    local = client.get("/tmdb/3/configuration", headers={"Origin": "http://localhost:5173"})
    assert local.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"

    evil = client.get("/tmdb/3/movie/popular", headers={"Origin": "https://evil.example"})
    assert evil.status_code == 200
    assert "Access-Control-Allow-Origin" not in evil.headers
    assert "Origin" in evil.headers["Vary"]

    preflight = client.options(
        "/tmdb/3/movie/popular",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD"
    # Flask-CORS names the allowed headers as the preflight asked for them (names are caseless).
    assert preflight.headers["Access-Control-Allow-Headers"] == "authorization, content-type"
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    assert preflight.data == b""
    refused = client.options(
        "/tmdb/3/movie/popular",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert refused.status_code == 204
    assert not [name for name, _ in refused.headers.items() if name.startswith("Access-Control")]

    api = client.get("/api/movies?list=popular", headers={"Origin": "https://app.example"})
    assert "Access-Control-Allow-Origin" not in api.headers


def test_no_cors_by_default(live: FlaskClient) -> None:
    response = live.get("/tmdb/3/movie/popular", headers={"Origin": "https://app.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


# --- configuration: image base rewrite --------------------------------------------------------


def test_configuration_rewrites_the_image_base_without_touching_the_cache(
    catalog_app: Callable[..., Flask],
) -> None:
    app = catalog_app(gateway_image_base_url="https://img.cdn.example/tmdb")
    client = app.test_client()
    body = tmdb_body(client.get("/tmdb/3/configuration"))
    validate_tmdb_response("configuration", body)
    assert body["images"]["base_url"] == "https://img.cdn.example/tmdb/"
    assert body["images"]["secure_base_url"] == "https://img.cdn.example/tmdb/"
    assert "w500" in body["images"]["poster_sizes"]
    with app.app_context():
        cached = catalog().fetch("configuration", {})
        assert cached.cache == "hit"
        assert cached.body["images"]["secure_base_url"] == "https://image.tmdb.org/t/p/"
    plain = tmdb_body(catalog_app().test_client().get("/tmdb/3/configuration"))
    assert plain["images"]["secure_base_url"] == "https://image.tmdb.org/t/p/"


def test_demo_configuration_hands_out_the_web_apps_placeholder_images(
    demo_app: Callable[..., Flask],
) -> None:
    client = demo_app().test_client()
    body = tmdb_body(client.get("/tmdb/3/configuration", base_url="https://clone.example"))
    validate_tmdb_response("configuration", body)
    base = "https://clone.example/images/t/p/"
    assert body["images"]["base_url"] == body["images"]["secure_base_url"] == base
    # Every size the answer lists gives a real image there: what a frontend builds is valid.
    poster = tmdb_body(client.get("/tmdb/3/movie/550"))["poster_path"]
    for size in body["images"]["poster_sizes"]:
        image = client.get(f"{base.removeprefix('https://clone.example')}{size}{poster}")
        assert image.status_code == 200 and image.mimetype == "image/svg+xml", size
        assert b"Fight Club" in image.data
    # An app that joins the base and the path with a slash of its own gets the image too.
    doubled = client.get(f"/images/t/p/original/{poster}")
    assert doubled.status_code == 200 and b"Fight Club" in doubled.data
    # A CDN setting still wins, and with a TMDB key TMDB's own answer is unchanged.
    cdn = demo_app(gateway_image_base_url="https://img.cdn.example/tmdb").test_client()
    cdn_body = tmdb_body(cdn.get("/tmdb/3/configuration"))
    assert cdn_body["images"]["secure_base_url"] == "https://img.cdn.example/tmdb/"


def test_image_base_setting_must_be_a_url() -> None:
    with pytest.raises(ValidationError):
        test_settings(gateway_image_base_url="javascript:alert(1)")
    assert test_settings(gateway_image_base_url="").gateway_image_base_url is None


# --- the key never leaks ----------------------------------------------------------------------


def test_the_server_key_never_reaches_bodies_headers_or_logs(
    catalog_app: Callable[..., Flask],
    tmdb: Any,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    client = catalog_app(tmdb_deadline=2.0, **SHORT_TIMEOUTS).test_client()
    tmdb.add_fault("movie/popular", status=401)
    tmdb.add_fault("movie/top_rated", status=500)
    tmdb.add_fault("movie/upcoming", delay=1.0)
    tmdb.add_fault("discover/movie", status=422)
    texts = []
    for url in (
        "/tmdb/3/movie/popular",
        "/tmdb/3/movie/top_rated",
        "/tmdb/3/movie/upcoming",
        "/tmdb/3/discover/movie",
        "/tmdb/3/movie/550?append_to_response=videos",
        "/tmdb/3/search/movie?query=fight",
        "/tmdb/3/configuration",
        "/tmdb/3/account",
    ):
        response = client.get(f"{url}{'&' if '?' in url else '?'}api_key={CLIENT_KEY}")
        texts += [response.get_data(as_text=True), json.dumps(dict(response.headers))]
    captured = capsys.readouterr()
    texts += [captured.out, captured.err, caplog.text]
    assert tmdb.api_key not in "\n".join(texts)
    assert "gateway upstream failure" in caplog.text  # the logs were captured at all


# --- not part of our OpenAPI document ---------------------------------------------------------


def test_gateway_routes_are_not_in_our_openapi(live: FlaskClient) -> None:
    spec = live.get("/openapi.json").json
    assert spec is not None
    assert not [p for p in spec["paths"] if p.startswith("/tmdb")]


# --- same-origin SPA hosting ------------------------------------------------------------------


@pytest.fixture
def spa_dir(tmp_path: Path) -> Path:
    root = tmp_path / "site" / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>clone</title><div id=app></div>")
    (root / "assets" / "index-BfX3k9a2.js").write_text("console.log('app')")
    (root / "assets" / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (root / "assets" / "main.3f2a1b4c.chunk.js").write_text("")
    (root / "assets" / "carousel-element.js").write_text("")
    (root / "robots.txt").write_text("User-agent: *")
    (root / ".env").write_text("SECRET=dotfile")
    (tmp_path / "site" / "secret.txt").write_text("outside the spa dir")
    (root / "escape.txt").symlink_to(tmp_path / "site" / "secret.txt")
    return root


@pytest.fixture
def spa(catalog_app: Callable[..., Flask], spa_dir: Path) -> FlaskClient:
    return catalog_app(spa_dir=spa_dir).test_client()


def test_spa_index_assets_and_client_route_fallback(spa: FlaskClient) -> None:
    index = spa.get("/")
    assert index.status_code == 200
    assert b"<title>clone</title>" in index.data
    assert index.headers["Cache-Control"] == "no-cache"
    assert index.mimetype == "text/html"
    assert spa.get("/index.html").headers["Cache-Control"] == "no-cache"

    asset = spa.get("/assets/index-BfX3k9a2.js")
    assert asset.status_code == 200
    assert asset.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert asset.mimetype in ("text/javascript", "application/javascript")
    chunk = spa.get("/assets/main.3f2a1b4c.chunk.js")
    assert chunk.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert spa.get("/assets/carousel-element.js").headers["Cache-Control"] == "no-cache"
    unhashed = spa.get("/assets/logo.svg")
    assert unhashed.status_code == 200 and unhashed.headers["Cache-Control"] == "no-cache"
    assert spa.get("/robots.txt").headers["Cache-Control"] == "no-cache"

    for route in ("/browse", "/movie/550", "/profiles/2/my-list", "/apix"):
        page = spa.get(route, headers={"Accept": "text/html"})
        assert page.status_code == 200, route
        assert page.data == index.data
        assert page.headers["Cache-Control"] == "no-cache"
    missing = spa.get("/assets/index-deadbeef1.js", headers={"Accept": "*/*"})
    assert missing.status_code == 404
    assert (
        spa.get(
            "/assets/index-BfX3k9a2.js", headers={"If-None-Match": asset.headers["ETag"]}
        ).status_code
        == 304
    )


def test_a_create_react_app_build_is_served_whole(
    catalog_app: Callable[..., Flask], tmp_path: Path
) -> None:
    # CRA puts its bundle under /static/js and /static/css: Flask's implicit /static route
    # used to answer those with a 404 problem, and every CRA-based clone rendered blank.
    root = tmp_path / "build"
    (root / "static" / "js").mkdir(parents=True)
    (root / "static" / "css").mkdir(parents=True)
    (root / "index.html").write_text(
        '<!doctype html><script defer src="/static/js/main.8f3a2c1d.js"></script>'
        '<link href="/static/css/main.4b9e7f20.css" rel="stylesheet">'
    )
    (root / "static" / "js" / "main.8f3a2c1d.js").write_text("document.title = 'CRA'")
    (root / "static" / "css" / "main.4b9e7f20.css").write_text("body { margin: 0 }")
    (root / "asset-manifest.json").write_text(
        '{"files": {"main.js": "/static/js/main.8f3a2c1d.js"}, "entrypoints": []}'
    )
    client = catalog_app(spa_dir=root).test_client()
    script = client.get("/static/js/main.8f3a2c1d.js", headers={"Accept": "*/*"})
    assert script.status_code == 200
    assert script.mimetype in ("text/javascript", "application/javascript")
    assert script.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    style = client.get("/static/css/main.4b9e7f20.css", headers={"Accept": "text/css,*/*"})
    assert style.status_code == 200 and style.mimetype == "text/css"
    manifest = client.get("/asset-manifest.json")
    assert manifest.status_code == 200 and manifest.json is not None
    assert (
        client.get("/static/js/missing.1a2b3c4d.js", headers={"Accept": "*/*"}).status_code == 404
    )


def test_spa_never_shadows_our_own_roots(spa: FlaskClient) -> None:
    for url in ("/api/nope", "/api", "/docs/nope", "/healthz/x", "/metrics/x", "/openapi.json/x"):
        response = spa.get(url, headers={"Accept": "text/html"})
        assert response.status_code == 404, url
        assert response.content_type == "application/problem+json", url
    assert tmdb_body(spa.get("/tmdb/3/nope", headers={"Accept": "text/html"})) == NOT_FOUND
    assert spa.delete("/api/nope").status_code == 404  # routing outside the SPA is unchanged
    assert spa.post("/api/movies").status_code == 405
    assert spa.get("/healthz").json == {"status": "ok"}
    assert spa.get("/openapi.json").status_code == 200
    assert spa.get("/tmdb/3/movie/popular").status_code == 200
    assert spa.post("/browse").status_code == 405


@pytest.mark.parametrize(
    "url",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/assets/../../secret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e%2fsecret.txt",
        "/assets/..%5c..%5csecret.txt",
        "/escape.txt",
        "/.env",
        "/assets/%00.js",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
    ],
)
def test_spa_path_traversal_is_refused(spa: FlaskClient, url: str) -> None:
    response = spa.get(url, headers={"Accept": "*/*"}, follow_redirects=True)
    assert b"outside the spa dir" not in response.data
    assert b"SECRET=dotfile" not in response.data
    assert b"root:" not in response.data
    assert response.status_code in (200, 404)
    if response.status_code == 200:  # at worst the app's own index page
        assert b"<title>clone</title>" in response.data


def test_spa_is_off_by_default_and_needs_an_index(
    live: FlaskClient, catalog_app: Callable[..., Flask], tmp_path: Path
) -> None:
    # Without SPA_DIR, `/` is our own web app (tests/integration/test_webapp_routes.py).
    assert b'src="/webapp/main.js"' in live.get("/").data
    assert live.get("/browse", headers={"Accept": "text/html"}).data == live.get("/").data
    with pytest.raises(ConfigError, match="SPA_DIR"):
        catalog_app(spa_dir=tmp_path / "empty")


# --- demo mode --------------------------------------------------------------------------------


def test_demo_mode_needs_no_key_and_makes_no_upstream_calls(
    demo_app: Callable[..., Flask], tmdb: Any
) -> None:
    client = demo_app().test_client()
    for url in home_page_requests([28, 35], 550):
        response = client.get(f"/tmdb/3/{url}")
        assert response.status_code == 200, url
        assert response.headers["X-Catalog-Source"] == "demo"
    assert tmdb_body(client.get("/tmdb/3/movie/1")) == NOT_FOUND
    assert client.get("/tmdb/3/movie/popular?page=0").status_code == 400
    assert upstream(tmdb) == []
