"""A warm home screen and a movie heartbeat ask the database whether the token's session has
ended, in their one statement, instead of a revocation-set (Redis) round trip; and a session
ended in another process is refused by that statement even when the revocation set never
heard of it (two apps on one database with no Redis between them are two such processes)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

import netflix_clone.core.db as db_module
from netflix_clone.core.security import SESSION_ENDED
from netflix_clone.library.models import Viewing
from netflix_clone.web.deps import db_session, services
from netflix_clone.web.operations import operation
from netflix_clone.web.sessions import current_principal
from tests.conftest import PASSWORD, AppFactory, Member
from tests.integration.test_profiles import profile_headers, profiles

NEW_PASSWORD = "a much better passphrase 42"


def popular(client: FlaskClient, n: int = 2) -> list[int]:
    body = client.get("/api/movies?list=popular").json or {}
    return [m["id"] for m in body["results"][:n]]


def beat(client: FlaskClient, headers: dict[str, str], movie: int, sequence: int) -> int:
    body = {"position_seconds": 600 + sequence, "duration_seconds": 7200, "sequence": sequence}
    response = client.put(f"/api/profile/progress/movie/{movie}", headers=headers, json=body)
    return response.status_code


def stored_sequence(app: Flask, movie: int) -> int | None:
    with app.app_context():
        return db_session().scalar(select(Viewing.sequence).where(Viewing.title_id == movie))


def ended(response: TestResponse) -> bool:
    return response.status_code == 401 and (response.json or {}).get("detail") == SESSION_ENDED


@pytest.fixture
def checks(app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every question put to the revocation set (the Redis round trip)."""
    asked: list[str] = []
    with app.app_context():
        revocations = services().revocations
    original = revocations.is_revoked

    def is_revoked(session_id: str) -> bool:
        asked.append(session_id)
        return original(session_id)

    monkeypatch.setattr(revocations, "is_revoked", is_revoked)
    return asked


def test_a_warm_browse_and_a_heartbeat_ask_no_revocation_set(
    client: FlaskClient, checks: list[str]
) -> None:
    member = Member(client, "one-trip@example.com")
    headers = profile_headers(client, member, profiles(client, member)[0]["id"])
    movie = popular(client)[0]
    assert beat(client, headers, movie, 1) == 200  # the title's first write stores its record
    assert client.get("/api/browse", headers=headers).headers["X-Cache"] == "miss"
    checks.clear()
    assert client.get("/api/browse", headers=headers).headers["X-Cache"] == "hit"
    assert beat(client, headers, movie, 2) == 200
    assert checks == []
    # Requests whose work is not one statement still ask it (the spy sees them).
    assert client.put(f"/api/profile/list/movie/{movie}", headers=headers).status_code in (200, 201)
    assert len(checks) == 1


def test_a_session_ended_in_another_process_is_refused_by_the_statement(
    make_app: AppFactory,
) -> None:
    here, there = make_app().test_client(), make_app().test_client()
    member = Member(here, "elsewhere@example.com")
    headers = profile_headers(here, member, profiles(here, member)[0]["id"])
    movie, other = popular(there)
    assert there.get("/api/browse", headers=headers).status_code == 200
    assert there.get("/api/browse", headers=headers).headers["X-Cache"] == "hit"
    assert beat(there, headers, movie, 1) == 200

    signed_out = here.post(
        "/api/auth/logout", json={"refresh_token": member.tokens["refresh_token"]}
    )
    assert signed_out.status_code == 204
    # `there` never heard of it (no Redis between the two): its statement asks the database.
    assert ended(there.get("/api/browse", headers=headers))  # the cached screen
    assert ended(there.get("/api/browse?per_row=7", headers=headers))  # one not cached
    assert ended(
        there.put(
            f"/api/profile/progress/movie/{movie}",
            headers=headers,
            json={"position_seconds": 900, "duration_seconds": 7200, "sequence": 2},
        )
    )
    # The fast heartbeat wrote nothing, and its fallback path refused too.
    assert beat(there, headers, other, 1) == 401
    assert stored_sequence(there.application, movie) == 1
    assert stored_sequence(there.application, other) is None
    # The account token of the ended session fares no better on the paths that ask Redis
    # (this process revoked it itself, so its own set knows).
    assert here.get("/api/users/me", headers=member.headers).status_code == 401


def test_a_password_change_ends_profile_tokens_everywhere(make_app: AppFactory) -> None:
    here, there = make_app().test_client(), make_app().test_client()
    member = Member(here, "rekey@example.com")
    headers = profile_headers(here, member, profiles(here, member)[0]["id"])
    movie = popular(there)[0]
    assert there.get("/api/browse", headers=headers).status_code == 200
    changed = here.patch(
        "/api/users/me",
        headers=member.headers,
        json={"password": NEW_PASSWORD, "current_password": PASSWORD},
    )
    assert changed.status_code == 200, changed.json
    # The session's refresh tokens are gone, not just revoked: no token left unrevoked.
    assert ended(there.get("/api/browse", headers=headers))
    assert beat(there, headers, movie, 1) == 401


def test_a_handler_that_leaves_the_check_owed_is_checked_before_its_answer(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()

    @operation(summary="Forgets to settle", tags=["test"], auth=True, defer_session_check=True)
    def forgetful() -> None:
        current_principal()

    app.add_url_rule("/test/forgetful", view_func=forgetful, methods=["GET"])
    client = app.test_client()
    member = Member(client, "forgetful@example.com")
    assert client.get("/test/forgetful", headers=member.headers).status_code == 204
    with app.app_context():
        revocations = services().revocations
    # Revoked where only the revocation set knows (another pod, through Redis, say).
    monkeypatch.setattr(revocations, "is_revoked", lambda session_id: True)
    assert ended(client.get("/test/forgetful", headers=member.headers))


def test_local_revocations_still_hold_before_the_statement(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """This process's own revocations are checked at once, even where the check is deferred."""
    member = Member(client, "local@example.com")
    headers = profile_headers(client, member, profiles(client, member)[0]["id"])
    assert client.get("/api/browse", headers=headers).status_code == 200
    calls: list[str] = []
    original: Callable[..., object] = db_module.one_statement

    def counted(*args: object) -> object:
        calls.append("statement")
        return original(*args)

    monkeypatch.setattr("netflix_clone.library.browse.one_statement", counted)
    client.post("/api/auth/logout", json={"refresh_token": member.tokens["refresh_token"]})
    assert ended(client.get("/api/browse", headers=headers))
    assert calls == []  # refused before any database work
