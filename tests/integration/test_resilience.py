"""Dependencies degrade: a database in trouble is a 503, Redis only accelerates, and a request
commits once. (tests/faults/ does the same under load, with real servers stopped and frozen.)"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from netflix_clone.core.db import DatabaseGuard, is_unavailable
from netflix_clone.core.observability import metrics_text
from netflix_clone.web.app import create_app
from netflix_clone.web.deps import db_session, services, wiring
from tests.conftest import PASSWORD, AppFactory, Member, bearer, login, sign_up, test_settings

DEAD_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:1/none"


def _dead_database_app(tmp_path: Path, **overrides: Any) -> Flask:
    return create_app(
        test_settings(database_url=DEAD_POSTGRES, instance_path=tmp_path, **overrides)
    )


def test_an_unreachable_database_is_a_503_with_retry_after_and_one_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client = _dead_database_app(tmp_path).test_client()
    with caplog.at_level(logging.INFO):
        response = client.post(
            "/api/auth/token", json={"email": "a@example.com", "password": "x" * 12}
        )
    assert response.status_code == 503
    assert response.content_type == "application/problem+json"
    assert response.json is not None
    assert response.json["type"].endswith("/database-unavailable")
    assert int(response.headers["Retry-After"]) >= 1
    failures = [r for r in caplog.records if getattr(r, "event", None) == "db_unavailable"]
    assert len(failures) == 1
    assert not any(r.exc_info for r in caplog.records)  # no traceback in the log


def test_the_breaker_stops_connection_attempts_to_a_dead_database(tmp_path: Path) -> None:
    app = _dead_database_app(tmp_path, db_breaker_failures=3, db_breaker_reset_seconds=60)
    attempts: list[int] = []
    with app.app_context():
        event.listen(services().database.engine, "do_connect", lambda *a: attempts.append(1))
    client = app.test_client()
    statuses = [client.post("/api/users", json={}).status_code for _ in range(3)]
    # (Sign-up's body is checked first: these never reach the database.)
    assert statuses == [422, 422, 422]
    body = {"email": "a@example.com", "password": "x" * 12}
    statuses = [client.post("/api/auth/token", json=body).status_code for _ in range(10)]
    assert statuses == [503] * 10
    assert len(attempts) == 3  # then refused at once, without a connection attempt
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json is not None
    assert ready.json["checks"]["database"] == "unavailable"


@pytest.mark.postgres
def test_a_hung_round_trip_is_cut_at_its_deadline(postgres_url: str, tmp_path: Path) -> None:
    # statement_timeout would end pg_sleep(30) only after 30 s; our own deadline cuts it at 0.5 s.
    # (The same path ends a query to a frozen server, which can't run statement_timeout.)
    app = create_app(
        test_settings(
            database_url=postgres_url,
            instance_path=tmp_path,
            db_operation_timeout=0.5,
            db_statement_timeout_ms=60_000,
        )
    )
    with app.app_context():
        guard: DatabaseGuard = wiring(app).services.database.guard
        with pytest.raises(DBAPIError) as caught:
            db_session().execute(text("SELECT pg_sleep(30)"))
        assert is_unavailable(caught.value)
        assert caught.value.connection_invalidated
        assert guard.breaker.state == "open"
        db_session().rollback()


@pytest.mark.postgres
def test_connections_carry_server_side_timeouts(postgres_url: str, tmp_path: Path) -> None:
    app = create_app(
        test_settings(
            database_url=postgres_url, instance_path=tmp_path, db_statement_timeout_ms=4321
        )
    )
    with app.app_context():
        assert db_session().execute(text("SHOW statement_timeout")).scalar() == "4321ms"
        idle = db_session().execute(text("SHOW idle_in_transaction_session_timeout")).scalar()
        assert idle == "25926ms"
        db_session().rollback()


# --- one unit of work per request ----------------------------------------------------------------


def _commits(app: Flask) -> list[bool]:
    """One entry per COMMIT: whether anything was written since the previous one."""
    seen: list[bool] = []
    wrote = [False]

    def statement(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        if sql.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            wrote[0] = True

    def commit(_conn: Any) -> None:
        seen.append(wrote[0])
        wrote[0] = False

    with app.app_context():
        event.listen(services().database.engine, "before_cursor_execute", statement)
        event.listen(services().database.engine, "commit", commit)
    return seen


def test_a_request_commits_once(make_app: AppFactory) -> None:
    app = make_app()
    commits = _commits(app)
    client = app.test_client()
    sign_up(client, "once@example.com")  # the member and its main profile: one commit
    assert commits.count(True) == 1
    tokens = login(client, "once@example.com")
    me = client.get("/api/users/me", headers=bearer(tokens)).json
    assert me is not None
    commits.clear()
    response = client.patch(
        f"/api/users/{me['id']}",
        headers=bearer(tokens),
        json={
            "display_name": "Once More",
            "password": "a-new-and-long-passphrase",
            "current_password": PASSWORD,
        },
    )
    assert response.status_code == 200, response.json
    # The new name, the new hash and the ended sessions together, in one commit. The reads
    # before the hashes end first, with a commit of nothing (db.release_reads), so hashing
    # holds no connection.
    assert commits == [False, True]


def test_a_failed_request_leaves_nothing_behind(make_app: AppFactory) -> None:
    client = make_app().test_client()
    sign_up(client, "taken@example.com")
    member = Member(client, "mover@example.com")
    response = client.patch(
        f"/api/users/{member.id}",
        headers=member.headers,
        json={
            "display_name": "Renamed",
            "email": "taken@example.com",
            "password": "a-new-and-long-passphrase",
            "current_password": PASSWORD,
        },
    )
    assert response.status_code == 409
    # Nothing of the request stands: not the name, not the password, not the ended sessions.
    me = client.get("/api/users/me", headers=member.headers)
    assert me.json is not None and me.json["display_name"] == "Member"
    assert login(client, "mover@example.com")["access_token"]
    refreshed = client.post(
        "/api/auth/refresh", json={"refresh_token": member.tokens["refresh_token"]}
    )
    assert refreshed.status_code == 200


def test_a_revocation_stands_although_its_request_fails(make_app: AppFactory) -> None:
    client = make_app(refresh_grace_seconds=0).test_client()  # a repeat is reuse at once
    member = Member(client, "reuse@example.com")
    first = client.post("/api/auth/refresh", json={"refresh_token": member.tokens["refresh_token"]})
    assert first.status_code == 200
    reused = client.post(
        "/api/auth/refresh", json={"refresh_token": member.tokens["refresh_token"]}
    )
    assert reused.status_code == 401
    # The 401 rolled nothing back: the rotated-in token of that session is revoked too.
    after = client.post(
        "/api/auth/refresh", json={"refresh_token": (first.json or {})["refresh_token"]}
    )
    assert after.status_code == 401


# --- Redis only accelerates ---------------------------------------------------------------------


def test_without_redis_sign_in_limits_and_the_catalog_keep_working(make_app: AppFactory) -> None:
    app = make_app(redis_url="redis://127.0.0.1:1/0", login_limit_per_account=3)
    client = app.test_client()
    sign_up(client, "noredis@example.com")
    assert login(client, "noredis@example.com")["access_token"]
    assert client.get("/api/movies?list=popular").status_code == 200
    # Rate limits fall back to this process's own: still enforced, never an error. The
    # successful sign-in above was the first of the account's 3 checks.
    wrong = {"email": "noredis@example.com", "password": "not-the-password"}
    statuses = [client.post("/api/auth/token", json=wrong).status_code for _ in range(5)]
    assert statuses == [401, 401, 429, 429, 429]
    metrics = metrics_text().decode()
    assert 'redis_fallbacks_total{use="rate-limit"}' in metrics
    assert 'dependency_breaker_open{dependency="redis"} 1.0' in metrics
