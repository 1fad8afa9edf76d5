"""TMDB client behaviour that needs no server: key styles, page clamping, error parsing."""

from __future__ import annotations

import httpx

from netflix_clone.catalog import tmdb_rules
from netflix_clone.catalog.tmdb import (
    MAX_PAGE,
    TMDBClient,
    TMDBKeys,
    is_bearer_token,
    parse_retry_after,
    tmdb_error_message,
)
from netflix_clone.core.settings import Settings


def _client(key: str, seen: list[httpx.Request]) -> TMDBClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"page": 1, "results": []})

    return TMDBClient(
        "http://tmdb.test/3",
        TMDBKeys(Settings(app_env="test", tmdb_api_key=key)),
        transport=httpx.MockTransport(handler),
    )


def test_pages_are_clamped_to_what_tmdb_serves() -> None:
    seen: list[httpx.Request] = []
    client = _client("0123456789abcdef0123456789abcdef", seen)
    for asked, sent in (("900", "500"), ("0", "1"), ("-3", "1"), ("x", "1"), ("42", "42")):
        client.get("movie/popular", {"page": asked})
        assert seen[-1].url.params["page"] == sent
    # TMDB's limit, from the one module that states TMDB's rules.
    assert MAX_PAGE == tmdb_rules.MAX_PAGE == 500
    for asked in ("500", "501"):
        client.get("tv/popular", {"page": asked})
        assert seen[-1].url.params["page"] == str(tmdb_rules.MAX_PAGE)


def test_key_styles() -> None:
    seen: list[httpx.Request] = []
    v3 = "0123456789abcdef0123456789abcdef"
    _client(v3, seen).get("configuration", {})
    assert seen[-1].url.params["api_key"] == v3
    assert "authorization" not in seen[-1].headers
    v4 = "eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJl"
    _client(v4, seen).get("configuration", {})
    assert seen[-1].headers["authorization"] == f"Bearer {v4}"
    assert "api_key" not in seen[-1].url.params
    assert seen[-1].headers["accept"] == "application/json"
    assert is_bearer_token(v4) and not is_bearer_token(v3)


def test_both_error_shapes_and_retry_after() -> None:
    assert "Invalid API key" in tmdb_error_message(
        {"status_code": 7, "status_message": "Invalid API key", "success": False}
    )
    assert tmdb_error_message(tmdb_rules.PAGE_TOO_HIGH).startswith("page must")
    assert "could not be found. (TMDB code 34)" in tmdb_error_message(tmdb_rules.NOT_FOUND)
    assert tmdb_error_message("<html>") == "no error details"
    assert parse_retry_after("7") == 7
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
