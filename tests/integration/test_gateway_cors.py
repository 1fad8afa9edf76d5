"""CORS on `/tmdb` (Flask-CORS, gateway/routes._cors) beyond what test_gateway pins: exact
origins only, `*`, preflights, and CORS headers on 304s and TMDB's error answers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

APP = "https://app.example"
POPULAR = "/tmdb/3/movie/popular"


def cors_headers(response: TestResponse) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith("Access-Control")}


@pytest.fixture
def client(catalog_app: Callable[..., Flask]) -> FlaskClient:
    origins = [APP, "http://[::1]:5173", "http://LOCALHOST:3000/"]
    return catalog_app(cors_origins=origins).test_client()


def test_an_allowed_origin_reads_answers_304s_and_errors(client: FlaskClient) -> None:
    first = client.get(POPULAR, headers={"Origin": APP})
    assert cors_headers(first) == {
        "Access-Control-Allow-Origin": APP,
        "Access-Control-Expose-Headers": "ETag, Retry-After, X-Request-ID",
    }
    assert first.headers["Vary"] == "Accept-Encoding, Origin"
    again = client.get(POPULAR, headers={"Origin": APP, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Access-Control-Allow-Origin"] == APP
    assert again.headers["Vary"] == "Accept-Encoding, Origin"
    for url in ("/tmdb/3/movie/popular/nope", "/tmdb/4/list/1"):
        missing = client.get(url, headers={"Origin": APP})
        assert missing.status_code == 404 and missing.headers["Access-Control-Allow-Origin"] == APP
    refused = client.post(POPULAR, headers={"Origin": APP})
    assert refused.status_code == 405 and refused.headers["Access-Control-Allow-Origin"] == APP


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        (APP, True),
        ("HTTPS://App.Example", True),  # schemes and hosts are caseless
        ("http://[::1]:5173", True),  # an IPv6 host is a literal, not a regular expression
        ("http://localhost:3000", True),  # configured with a trailing slash
        ("https://app.example.evil.example", False),  # exact, not a prefix
        ("http://app.example", False),
        ("http://1:5173", False),
        ("null", False),
    ],
)
def test_only_the_configured_origins_exactly(
    client: FlaskClient, origin: str, allowed: bool
) -> None:
    response = client.get(POPULAR, headers={"Origin": origin})
    assert response.status_code == 200
    assert response.headers.get("Access-Control-Allow-Origin") == (origin if allowed else None)
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Origin" in response.headers["Vary"]


def test_no_origin_no_cors_headers(client: FlaskClient) -> None:
    response = client.get(POPULAR)
    assert cors_headers(response) == {}
    assert "Origin" in response.headers["Vary"]


def test_preflights(client: FlaskClient) -> None:
    asked = {"Origin": APP, "Access-Control-Request-Method": "GET"}
    bare = client.options(POPULAR, headers=asked)
    assert bare.status_code == 204 and bare.data == b""
    assert bare.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert bare.headers["Access-Control-Allow-Origin"] == APP
    assert bare.headers["Access-Control-Allow-Methods"] == "GET, HEAD"
    assert bare.headers["Access-Control-Max-Age"] == "600"
    assert "Access-Control-Allow-Credentials" not in bare.headers
    # Only the headers the gateway allows are named back; the browser refuses the others.
    mixed = client.options(
        POPULAR, headers={**asked, "Access-Control-Request-Headers": "Authorization, X-Custom"}
    )
    assert mixed.headers["Access-Control-Allow-Headers"] == "Authorization"
    # A write is not allowed: nothing says it is, so the browser never sends it.
    write = client.options(POPULAR, headers={**asked, "Access-Control-Request-Method": "POST"})
    assert write.status_code == 204
    assert "Access-Control-Allow-Methods" not in write.headers


def test_any_origin_with_a_star(catalog_app: Callable[..., Flask]) -> None:
    client = catalog_app(cors_origins=["*"]).test_client()
    response = client.get(POPULAR, headers={"Origin": "https://anyone.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert cors_headers(client.get(POPULAR)) == {}
    assert "Access-Control-Allow-Origin" not in client.get("/api/movies?list=popular").headers


def test_no_cors_configured_still_varies_on_origin(live_client: FlaskClient) -> None:
    response = live_client.get(POPULAR, headers={"Origin": APP})
    assert cors_headers(response) == {}
    assert "Origin" in response.headers["Vary"]
    preflight = live_client.options(
        POPULAR, headers={"Origin": APP, "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status_code == 204 and cors_headers(preflight) == {}


@pytest.fixture
def live_client(catalog_app: Callable[..., Flask]) -> FlaskClient:
    return catalog_app().test_client()
