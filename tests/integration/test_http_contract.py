"""Every client mistake is a clear 4xx problem document; every response carries a request id."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import PASSWORD, AppFactory


def assert_problem(response: TestResponse, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    body: dict[str, Any] = response.json or {}
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    return body


def test_unknown_path_is_problem_404(client: FlaskClient) -> None:
    assert_problem(client.get("/no/such/thing"), 404)


def test_wrong_method_is_problem_405_with_allow(client: FlaskClient) -> None:
    response = client.put("/api/users/me")
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_malformed_json_is_400(client: FlaskClient) -> None:
    body = assert_problem(
        client.post("/api/users", data='{"email": ', content_type="application/json"), 400
    )
    assert body["type"].endswith("/malformed-json")


def test_non_object_json_is_422(client: FlaskClient) -> None:
    assert_problem(client.post("/api/users", json=[1, 2, 3]), 422)


def test_wrong_types_are_not_coerced(client: FlaskClient) -> None:
    body = assert_problem(
        client.post(
            "/api/users",
            json={"email": "t@example.com", "password": 1234567890123, "display_name": True},
        ),
        422,
    )
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"password", "display_name"}


def test_unknown_fields_are_rejected_by_name(client: FlaskClient) -> None:
    body = assert_problem(
        client.post(
            "/api/users",
            json={
                "email": "u@example.com",
                "password": PASSWORD,
                "display_name": "U",
                "role": "admin",
            },
        ),
        422,
    )
    assert body["errors"] == [{"field": "role", "message": "unknown field"}]


def test_missing_fields_are_listed(client: FlaskClient) -> None:
    body = assert_problem(client.post("/api/users", json={}), 422)
    assert {e["field"] for e in body["errors"]} == {"email", "password", "display_name"}


def test_wrong_content_type_is_415(client: FlaskClient) -> None:
    assert_problem(
        client.post("/api/users", data="email=a", content_type="application/x-www-form-urlencoded"),
        415,
    )


def test_oversized_body_is_413(client: FlaskClient) -> None:
    big = '{"email": "' + "a" * 100_000 + '"}'
    assert_problem(client.post("/api/users", data=big, content_type="application/json"), 413)


def test_bad_query_values_are_422(client: FlaskClient) -> None:
    from tests.conftest import Member

    member = Member(client, "q@example.com")
    assert_problem(client.get("/api/users?per_page=abc", headers=member.headers), 422)


@pytest.mark.parametrize("incoming", ["abc-123", "0af7651916cd43dd8448eb211c80319c"])
def test_request_id_is_echoed(client: FlaskClient, incoming: str) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert response.headers["X-Request-ID"] == incoming


def test_request_id_is_generated_and_unsafe_ones_replaced(client: FlaskClient) -> None:
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 32
    for unsafe in ("bad id with spaces", "x" * 200, "<script>"):
        replaced = client.get("/healthz", headers={"X-Request-ID": unsafe}).headers["X-Request-ID"]
        assert replaced != unsafe and len(replaced) == 32


def test_error_bodies_carry_the_request_id(client: FlaskClient) -> None:
    response = client.get("/missing", headers={"X-Request-ID": "trace-me"})
    assert response.json and response.json["request_id"] == "trace-me"


def test_unexpected_exceptions_are_problem_500_without_internals(make_app: AppFactory) -> None:
    app = make_app()

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    body = assert_problem(response, 500)
    assert "secret internals" not in response.get_data(as_text=True)
    assert body["type"].endswith("/internal-error")


def test_a_204_carries_no_content_type(client: FlaskClient) -> None:
    response = client.post("/api/auth/logout", json={"refresh_token": "unknown"})
    assert response.status_code == 204
    assert response.data == b""
    assert "Content-Type" not in response.headers


@pytest.mark.parametrize(
    "path", ["/api/movies/", "/api/genres/", "/api/movies/550/", "/healthz/", "/openapi.json/"]
)
def test_a_trailing_slash_reaches_the_same_resource(client: FlaskClient, path: str) -> None:
    with_slash = client.get(path)
    assert with_slash.status_code == 200, with_slash.json
    assert with_slash.data == client.get(path.rstrip("/")).data


def test_a_trailing_slash_also_works_for_writes(client: FlaskClient) -> None:
    response = client.post(
        "/api/users/",
        json={"email": "slash@example.com", "password": PASSWORD, "display_name": "Slash"},
    )
    assert response.status_code == 201, response.json


def test_an_unknown_movie_id_reads_the_same_everywhere(client: FlaskClient) -> None:
    from tests.conftest import Member
    from tests.integration.test_profiles import profile_headers, profiles

    member = Member(client, "nomovie@example.com")
    headers = profile_headers(client, member, profiles(client, member)[0]["id"])
    answers = [
        client.get("/api/movies/999999999"),
        client.put("/api/profile/list/999999999", headers=headers),
        client.put("/api/profile/ratings/999999999", headers=headers, json={"rating": "like"}),
    ]
    bodies = [assert_problem(a, 404) for a in answers]
    assert {(b["type"], b["detail"]) for b in bodies} == {
        ("https://netflix-clone.dev/problems/not-found", "The movie was not found.")
    }
