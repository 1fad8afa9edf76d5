"""The fake TMDB server speaks TMDB's protocol over real loopback HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from devtools.fake_tmdb import FakeTMDB, new_api_key, new_read_token

from netflix_clone.catalog import tmdb_rules
from netflix_clone.catalog.demo_tmdb import DemoTMDB
from tests.tmdb_spec import validate_tmdb_response
from tests.waiting import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
INVALID_KEY = {
    "status_code": 7,
    "status_message": "Invalid API key: You must be granted a valid key.",
    "success": False,
}
NOT_FOUND = {
    "success": False,
    "status_code": 34,
    "status_message": "The resource you requested could not be found.",
}


@pytest.fixture(scope="module")
def server() -> Iterator[FakeTMDB]:
    with FakeTMDB() as fake:
        yield fake


@pytest.fixture
def tmdb(server: FakeTMDB) -> Iterator[FakeTMDB]:
    server.reset()
    yield server
    server.reset()


@pytest.fixture
def client(tmdb: FakeTMDB) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=tmdb.base_url, timeout=5.0) as http:
        yield http


def get(client: httpx.Client, tmdb: FakeTMDB, path: str, **params: str) -> httpx.Response:
    return client.get(path, params={**params, "api_key": tmdb.api_key})


# ---------------------------------------------------------------------------- auth and content


def test_v3_api_key_query_parameter_is_accepted(client: httpx.Client, tmdb: FakeTMDB) -> None:
    response = get(client, tmdb, "movie/popular", page="2")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json;charset=utf-8"
    body = response.json()
    validate_tmdb_response("movie/popular", body)
    assert body == DemoTMDB.default().handle("movie/popular", {"page": "2"})[1]


def test_v4_bearer_token_is_accepted(client: httpx.Client, tmdb: FakeTMDB) -> None:
    assert tmdb.read_token.startswith("eyJ")
    assert tmdb.read_token.count(".") == 2
    response = client.get(
        "movie/550",
        params={"append_to_response": "credits"},
        headers={"Authorization": f"Bearer {tmdb.read_token}"},
    )
    assert response.status_code == 200
    assert response.json()["credits"]["cast"][0]["name"] == "Edward Norton"


@pytest.mark.parametrize(
    ("params", "headers"),
    [
        ({}, {}),
        ({"api_key": "0" * 32}, {}),
        ({"api_key": "not-a-key"}, {}),
        ({}, {"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"}),
        ({}, {"Authorization": "Basic dXNlcjpwYXNz"}),
    ],
)
def test_missing_or_wrong_credentials_get_401_code_7(
    client: httpx.Client, params: dict[str, str], headers: dict[str, str]
) -> None:
    response = client.get("movie/popular", params=params, headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json;charset=utf-8"
    assert response.json() == INVALID_KEY


def test_a_stale_api_key_is_refused_even_next_to_a_good_token(
    client: httpx.Client, tmdb: FakeTMDB
) -> None:
    response = client.get(
        "movie/popular",
        params={"api_key": new_api_key()},
        headers={"Authorization": f"Bearer {tmdb.read_token}"},
    )
    assert response.status_code == 401


def test_tmdb_errors_pass_through_with_their_status(client: httpx.Client, tmdb: FakeTMDB) -> None:
    assert get(client, tmdb, "movie/1").json() == NOT_FOUND
    assert get(client, tmdb, "movie/1").status_code == 404
    response = get(client, tmdb, "search/movie")
    assert (response.status_code, response.json()) == (422, {"errors": ["query must be provided"]})
    assert get(client, tmdb, "movie/popular", page="501").status_code == 422
    assert get(client, tmdb, "movie/popular", page="0").json()["status_code"] == 22


def test_paths_outside_3_are_404(tmdb: FakeTMDB) -> None:
    response = httpx.get(f"{tmdb.root_url}/4/list/1", params={"api_key": tmdb.api_key})
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_api_key_is_not_handed_to_the_catalog(client: httpx.Client, tmdb: FakeTMDB) -> None:
    # discover/movie would otherwise still work; search would not care either. What matters is
    # that the answer equals the keyless demo answer byte for byte.
    response = get(client, tmdb, "discover/movie", with_genres="28|12", page="2")
    expected = DemoTMDB.default().handle("discover/movie", {"with_genres": "28|12", "page": "2"})
    assert response.json() == expected[1]


# ---------------------------------------------------------------------------- faults


@pytest.mark.parametrize(("status", "code"), [(500, 11), (502, 43), (503, 9), (504, 24), (401, 7)])
def test_status_faults_answer_tmdb_shaped_errors_then_recover(
    client: httpx.Client, tmdb: FakeTMDB, status: int, code: int
) -> None:
    tmdb.add_fault("movie/popular", status=status, times=2)
    for _ in range(2):
        response = get(client, tmdb, "movie/popular")
        assert response.status_code == status
        assert response.json()["status_code"] == code
        assert response.json()["success"] is False
        assert "retry-after" not in response.headers
    assert get(client, tmdb, "movie/popular").status_code == 200
    assert get(client, tmdb, "movie/top_rated").status_code == 200


def test_429_with_retry_after(client: httpx.Client, tmdb: FakeTMDB) -> None:
    tmdb.add_fault("movie/", status=429, times=1, retry_after=3)
    response = get(client, tmdb, "movie/550")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "3"
    assert response.json()["status_code"] == 25
    assert "over the allowed limit" in response.json()["status_message"]
    assert get(client, tmdb, "movie/550").status_code == 200


def test_times_null_means_forever_and_faults_come_before_auth(
    client: httpx.Client, tmdb: FakeTMDB
) -> None:
    tmdb.add_fault("configuration", status=503, times=None)
    for _ in range(5):
        assert client.get("configuration").status_code == 503  # no key at all
    tmdb.clear_faults()
    assert client.get("configuration").status_code == 401


def test_malformed_and_empty_bodies(client: httpx.Client, tmdb: FakeTMDB) -> None:
    tmdb.add_fault("movie/popular", body="malformed", times=1)
    response = get(client, tmdb, "movie/popular")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json;charset=utf-8"
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    tmdb.add_fault("movie/popular", status=502, body="empty", times=1)
    response = get(client, tmdb, "movie/popular")
    assert response.status_code == 502
    assert response.content == b""
    assert get(client, tmdb, "movie/popular").json()["page"] == 1


def test_dropped_connection(client: httpx.Client, tmdb: FakeTMDB) -> None:
    tmdb.add_fault("movie/550", drop_connection=True, times=1)
    with pytest.raises(httpx.TransportError):
        get(client, tmdb, "movie/550")
    assert get(client, tmdb, "movie/550").status_code == 200
    assert tmdb.requests[0]["status"] is None
    assert tmdb.stats()["by_status"] == {"200": 1, "dropped": 1}


def test_fault_delay_outlasts_a_short_client_timeout(tmdb: FakeTMDB) -> None:
    tmdb.add_fault("movie/popular", delay=1.0, times=1)
    with (
        httpx.Client(base_url=tmdb.base_url, timeout=0.2) as impatient,
        pytest.raises(httpx.ReadTimeout),
    ):
        impatient.get("movie/popular", params={"api_key": tmdb.api_key})
    with httpx.Client(base_url=tmdb.base_url, timeout=5.0) as patient:
        assert patient.get("movie/popular", params={"api_key": tmdb.api_key}).status_code == 200


def test_global_latency(tmdb: FakeTMDB) -> None:
    tmdb.set_latency(1.0)
    with (
        httpx.Client(base_url=tmdb.base_url, timeout=0.2) as impatient,
        pytest.raises(httpx.ReadTimeout),
    ):
        impatient.get("configuration", params={"api_key": tmdb.api_key})
    tmdb.set_latency(0.0)
    with httpx.Client(base_url=tmdb.base_url, timeout=0.5) as impatient:
        assert impatient.get("configuration", params={"api_key": tmdb.api_key}).is_success


def test_patch_makes_null_images_and_empty_release_dates(
    client: httpx.Client, tmdb: FakeTMDB
) -> None:
    tmdb.add_fault(r"movie/550$", patch={"poster_path": None, "backdrop_path": None})
    body = get(client, tmdb, "movie/550").json()
    assert body["poster_path"] is None
    assert body["backdrop_path"] is None
    assert body["title"] == "Fight Club"
    validate_tmdb_response("movie/{movie_id}", body)
    # The rule matched the path exactly, so sub-resources are untouched.
    assert get(client, tmdb, "movie/550/release_dates").json()["results"]

    tmdb.add_fault("movie/550/release_dates", patch={"results": []})
    assert get(client, tmdb, "movie/550/release_dates").json() == {"id": 550, "results": []}

    tmdb.add_fault("movie/popular", patch_results={"poster_path": None, "video": "__delete__"})
    results = get(client, tmdb, "movie/popular").json()["results"]
    assert all(item["poster_path"] is None for item in results)
    assert all("video" not in item for item in results)


def test_regex_rules_can_match_the_query(client: httpx.Client, tmdb: FakeTMDB) -> None:
    tmdb.add_fault(r"search/movie\?.*query=boom", status=500)
    assert get(client, tmdb, "search/movie", query="boom").status_code == 500
    assert get(client, tmdb, "search/movie", query="fight").status_code == 200


# ---------------------------------------------------------------------------- counting


def test_stats_count_requests_per_path_and_query_excluding_control_calls(
    client: httpx.Client, tmdb: FakeTMDB
) -> None:
    get(client, tmdb, "movie/popular", page="2")
    get(client, tmdb, "movie/popular", page="2")
    client.get("movie/popular", headers={"Authorization": f"Bearer {tmdb.read_token}"})
    client.get("genre/movie/list")  # 401, still counted
    httpx.get(f"{tmdb.control_url}/stats")
    httpx.get(f"{tmdb.control_url}/requests")
    stats = tmdb.stats()
    assert stats["total"] == 4
    assert stats["by_path"] == {
        "/3/genre/movie/list": 1,
        "/3/movie/popular": 1,
        "/3/movie/popular?page=2": 2,
    }
    assert stats["by_status"] == {"200": 3, "401": 1}
    assert httpx.get(f"{tmdb.control_url}/stats").json() == stats
    tmdb.reset()
    assert tmdb.stats()["total"] == 0
    assert tmdb.requests == []


def test_requests_are_counted_by_tmdbs_route(client: httpx.Client, tmdb: FakeTMDB) -> None:
    get(client, tmdb, "tv/1399-game-of-thrones", append_to_response="videos")
    get(client, tmdb, "tv/1399/season/1/episode/1")
    get(client, tmdb, "trending/all/week")
    get(client, tmdb, "movie/550")
    get(client, tmdb, "person/1")  # off our route table: TMDB's 404, counted without a route
    assert [(r["route"], r["status"]) for r in tmdb.requests] == [
        ("tv/{series_id}", 200),
        ("tv/{series_id}/season/{season_number}/episode/{episode_number}", 200),
        ("trending/all/{time_window}", 200),
        ("movie/{movie_id}", 200),
        (None, 404),
    ]
    assert tmdb.stats()["by_route"] == {
        "(none)": 1,
        "movie/{movie_id}": 1,
        "trending/all/{time_window}": 1,
        "tv/{series_id}": 1,
        "tv/{series_id}/season/{season_number}/episode/{episode_number}": 1,
    }


def test_fault_bodies_are_tmdbs(client: httpx.Client, tmdb: FakeTMDB) -> None:
    for status in (401, 404, 500, 502, 503, 504):
        tmdb.add_fault("tv/popular", status=status, times=1)
        response = get(client, tmdb, "tv/popular")
        assert response.status_code == status
        assert response.json() == tmdb_rules.UPSTREAM_FAILURES[status]
    tmdb.add_fault("tv/popular", status=429, times=1)
    limited = get(client, tmdb, "tv/popular")
    assert limited.json() == tmdb_rules.over_rate_limit_observed(len(tmdb.requests))
    tmdb.add_fault("tv/popular", status=418, times=1)
    assert get(client, tmdb, "tv/popular").json() == tmdb_rules.FAILED


def test_request_log_keeps_authorization_only_as_a_flag(
    client: httpx.Client, tmdb: FakeTMDB
) -> None:
    client.get(
        "movie/550",
        params={"language": "en-US"},
        headers={"Authorization": f"Bearer {tmdb.read_token}", "Accept": "application/json"},
    )
    get(client, tmdb, "movie/11")
    bearer, keyed = tmdb.requests
    assert bearer["path"] == "/3/movie/550"
    assert bearer["params"] == {"language": "en-US"}
    assert bearer["authorization"] is True
    assert bearer["headers"]["accept"] == "application/json"
    assert "authorization" not in bearer["headers"]
    assert tmdb.read_token not in json.dumps(bearer)
    assert keyed["authorization"] is False
    assert keyed["params"]["api_key"] == tmdb.api_key
    assert keyed["status"] == 200
    assert httpx.get(f"{tmdb.control_url}/requests").json()["requests"] == tmdb.requests


# ---------------------------------------------------------------------------- key rotation


def test_key_rotation_with_the_helper_and_reset(client: httpx.Client, tmdb: FakeTMDB) -> None:
    old_key = tmdb.api_key
    new_key, new_token = new_api_key(), new_read_token()
    tmdb.set_keys(api_keys=[new_key], read_tokens=new_token)
    assert client.get("configuration", params={"api_key": old_key}).status_code == 401
    assert client.get("configuration", params={"api_key": new_key}).status_code == 200
    bearer = {"Authorization": f"Bearer {new_token}"}
    assert client.get("configuration", headers=bearer).status_code == 200
    tmdb.reset()
    assert client.get("configuration", params={"api_key": old_key}).status_code == 200
    assert client.get("configuration", params={"api_key": new_key}).status_code == 401


def test_key_rotation_over_the_control_plane_accepts_both_during_overlap(
    client: httpx.Client, tmdb: FakeTMDB
) -> None:
    new_key = new_api_key()
    response = httpx.post(f"{tmdb.control_url}/key", json={"api_keys": [tmdb.api_key, new_key]})
    assert response.status_code == 200
    for key in (tmdb.api_key, new_key):
        assert client.get("configuration", params={"api_key": key}).status_code == 200
    httpx.post(f"{tmdb.control_url}/key", json={"api_key": new_key})
    assert client.get("configuration", params={"api_key": tmdb.api_key}).status_code == 401
    # The read token was not part of the rotation and still works.
    bearer = {"Authorization": f"Bearer {tmdb.read_token}"}
    assert client.get("configuration", headers=bearer).status_code == 200
    bad = httpx.post(f"{tmdb.control_url}/key", json={"api_key": "short"})
    assert bad.status_code == 400


# ---------------------------------------------------------------------------- control plane


def test_faults_over_the_control_plane(client: httpx.Client, tmdb: FakeTMDB) -> None:
    rules = [
        {"match": "movie/popular", "status": 503, "times": 1, "retry_after": 1},
        {"match": "movie/top_rated", "status": 504, "times": None},
    ]
    response = httpx.post(f"{tmdb.control_url}/faults", json=rules)
    assert response.status_code == 200
    assert [rule["status"] for rule in response.json()["faults"]] == [503, 504]
    popular = get(client, tmdb, "movie/popular")
    assert (popular.status_code, popular.headers["retry-after"]) == (503, "1")
    assert get(client, tmdb, "movie/popular").status_code == 200
    assert get(client, tmdb, "movie/top_rated").status_code == 504
    listed = httpx.get(f"{tmdb.control_url}/faults").json()["faults"]
    assert [rule["hits"] for rule in listed] == [1, 1]
    assert tmdb.stats()["faults_applied"] == 2
    assert httpx.delete(f"{tmdb.control_url}/faults").json() == {"faults": []}
    assert get(client, tmdb, "movie/top_rated").status_code == 200
    assert httpx.post(f"{tmdb.control_url}/reset").json() == {"ok": True}


@pytest.mark.parametrize(
    "payload",
    [
        [{"match": "x", "body": "garbage"}],
        [{"match": "x", "status": 42}],
        [{"match": "(", "status": 500}],
        [{"match": "x", "colour": "red"}],
        "not a list",
    ],
)
def test_invalid_fault_rules_are_refused(tmdb: FakeTMDB, payload: Any) -> None:
    response = httpx.post(f"{tmdb.control_url}/faults", json=payload)
    assert response.status_code == 400
    assert tmdb.state.faults() == []


def test_unknown_control_call_is_404(tmdb: FakeTMDB) -> None:
    assert httpx.get(f"{tmdb.control_url}/nothing").status_code == 404


# ---------------------------------------------------------------------------- command line


def test_command_line_server(tmp_path: Path) -> None:
    port, key = free_port(), new_api_key()
    faults = tmp_path / "faults.json"
    faults.write_text(json.dumps([{"match": "movie/upcoming", "status": 502, "times": 1}]))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "src"), str(REPO_ROOT)])}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devtools.fake_tmdb",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--api-key",
            key,
            "--faults",
            str(faults),
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{base}/__control/stats", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert httpx.get(f"{base}/3/movie/popular", params={"api_key": key}).status_code == 200
        assert httpx.get(f"{base}/3/movie/popular").status_code == 401
        assert httpx.get(f"{base}/3/movie/upcoming", params={"api_key": key}).status_code == 502
        assert httpx.get(f"{base}/3/movie/upcoming", params={"api_key": key}).status_code == 200
        assert httpx.get(f"{base}/__control/stats").json()["total"] == 4
    finally:
        process.terminate()
        process.wait(timeout=10)
        assert process.stdout is not None
        output = process.stdout.read().decode()
        assert key not in output  # a key the caller supplied is never echoed
