"""Health, readiness, metrics, OpenAPI and docs."""

from __future__ import annotations

import json

from flask.testing import FlaskClient

from tests.conftest import AppFactory


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_checks_the_database(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok"}}


def test_readyz_includes_redis_when_configured(make_app: AppFactory, redis_url: str) -> None:
    response = make_app(redis_url=redis_url).test_client().get("/readyz")
    assert response.status_code == 200
    assert response.json and response.json["checks"] == {"database": "ok", "redis": "ok"}


def test_readyz_stays_ready_and_says_degraded_without_redis(make_app: AppFactory) -> None:
    # Redis only accelerates: a pod without it serves from in-process fallbacks, so taking it
    # out of service would turn a cache outage into an outage of the whole service.
    app = make_app(redis_url="redis://127.0.0.1:1/0")
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.json == {
        "status": "degraded",
        "checks": {"database": "ok", "redis": "degraded"},
    }


def test_readyz_is_503_when_the_database_is_down(tmp_path) -> None:
    from netflix_clone.web.app import create_app
    from tests.conftest import test_settings

    app = create_app(
        test_settings(
            database_url="postgresql+psycopg://postgres@127.0.0.1:1/none", instance_path=tmp_path
        )
    )
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json and response.json["checks"]["database"] == "unavailable"


def test_metrics_are_prometheus_text_on_their_own_listener(client: FlaskClient) -> None:
    from prometheus_client import CONTENT_TYPE_LATEST
    from werkzeug.test import Client

    from netflix_clone.core.observability import metrics_app

    client.get("/healthz")
    response = Client(metrics_app).get("/metrics")
    assert response.status_code == 200
    content_type = response.headers["Content-Type"]
    assert content_type == CONTENT_TYPE_LATEST and content_type.startswith("text/plain;")
    assert content_type.count("charset") == 1
    text = response.get_data(as_text=True)
    assert 'http_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert "http_request_duration_seconds_bucket" in text
    assert Client(metrics_app).get("/other").status_code == 404
    assert Client(metrics_app).post("/metrics").status_code == 405


def test_openapi_is_generated_from_the_code(client: FlaskClient) -> None:
    from openapi_spec_validator import validate

    response = client.get("/openapi.json")
    assert response.status_code == 200
    spec = response.json
    assert spec is not None
    validate(json.loads(json.dumps(spec)))
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    assert {
        "/api/users",
        "/api/users/me",
        "/api/users/{user_id}",
        "/api/auth/token",
        "/api/auth/refresh",
        "/api/auth/logout",
        "/healthz",
        "/readyz",
    } <= set(paths)
    sign_up = paths["/api/users"]["post"]
    assert "201" in sign_up["responses"] and "409" in sign_up["responses"]
    assert sign_up["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert paths["/api/users/me"]["get"]["security"] == [{"bearerAuth": []}]
    problem = paths["/api/users/me"]["get"]["responses"]["401"]["content"]
    assert "application/problem+json" in problem
    # What the server itself answers before any handler runs is documented everywhere.
    for path, methods in paths.items():
        for method, op in methods.items():
            assert {"400", "414", "431"} <= set(op["responses"]), (method, path)
    assert "413" in sign_up["responses"]


def test_docs_page_is_served_offline(client: FlaskClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert b"swagger-ui" in page.data
    csp = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert (
        "unsafe-eval" not in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert client.get("/docs/static/swagger-ui-bundle.js").status_code == 200
    assert client.get("/docs/static/swagger-ui-init.js").status_code == 200
    licence = client.get("/docs/static/LICENSE")
    assert licence.status_code == 200 and b"Apache License" in licence.data
    assert licence.mimetype == "text/plain"
    missing = client.get("/docs/static/../ops.py")
    assert missing.status_code == 404
    assert missing.mimetype == "application/problem+json"
    assert client.get("/docs/static/VENDORED.json").status_code == 404


def test_the_vendored_viewer_matches_its_recorded_checksums() -> None:
    """Swagger UI 5 is package data: exactly the files and bytes scripts/vendor-swagger-ui.sh
    took from the npm tarball whose sha256 is recorded, licence texts included."""
    import hashlib

    from netflix_clone.web.ops import SWAGGER_UI_DIR

    manifest = json.loads((SWAGGER_UI_DIR / "VENDORED.json").read_text())
    assert manifest["package"] == "swagger-ui-dist"
    assert manifest["version"].startswith("5.")
    assert len(manifest["tarball_sha256"]) == 64
    assert {"LICENSE", "NOTICE", "swagger-ui-bundle.js", "swagger-ui.css"} <= set(manifest["files"])
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((SWAGGER_UI_DIR / name).read_bytes()).hexdigest() == digest, name
    on_disk = {p.name for p in SWAGGER_UI_DIR.iterdir()} - {"VENDORED.json"}
    assert on_disk == set(manifest["files"])
