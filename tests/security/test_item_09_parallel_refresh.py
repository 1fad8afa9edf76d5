"""Item 9: parallel refreshes with one refresh token share one new pair; reuse after the grace
period still revokes the session."""

from __future__ import annotations

import threading

from flask import Flask
from sqlalchemy import update

from netflix_clone.accounts.models import RefreshToken
from netflix_clone.core.db import utcnow
from netflix_clone.web.deps import db_session
from tests.conftest import Member


def test_item_9_parallel_refreshes_with_one_token_get_the_same_pair(app: Flask) -> None:
    client = app.test_client()
    member = Member(client, "tabs@example.com")
    answers: list[tuple[int, dict[str, str]]] = []
    barrier = threading.Barrier(8)

    def refresh() -> None:
        c = app.test_client()
        barrier.wait()
        r = c.post("/api/auth/refresh", json={"refresh_token": member.tokens["refresh_token"]})
        answers.append((r.status_code, dict(r.json or {})))

    threads = [threading.Thread(target=refresh) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [status for status, _ in answers] == [200] * 8, answers
    pairs = {(body["access_token"], body["refresh_token"]) for _, body in answers}
    assert len(pairs) == 1
    access, new_refresh = pairs.pop()
    # The session lives on: the new access token works and the new refresh token rotates.
    assert (
        client.get("/api/users/me", headers={"Authorization": f"Bearer {access}"}).status_code
        == 200
    )
    assert client.post("/api/auth/refresh", json={"refresh_token": new_refresh}).status_code == 200


def test_item_9_reuse_after_the_grace_period_revokes_the_session(app: Flask) -> None:
    client = app.test_client()
    member = Member(client, "late-reuse@example.com")
    first = client.post("/api/auth/refresh", json={"refresh_token": member.tokens["refresh_token"]})
    again = client.post("/api/auth/refresh", json={"refresh_token": member.tokens["refresh_token"]})
    assert first.status_code == again.status_code == 200
    assert first.json == again.json  # within the grace period: the same pair
    with app.app_context():
        db_session().execute(
            update(RefreshToken)
            .where(RefreshToken.used_at.is_not(None))
            .values(used_at=utcnow().replace(year=2000))
        )
        db_session().commit()
    late = client.post("/api/auth/refresh", json={"refresh_token": member.tokens["refresh_token"]})
    assert late.status_code == 401
    body = first.json or {}
    assert (
        client.post("/api/auth/refresh", json={"refresh_token": body["refresh_token"]}).status_code
        == 401
    )
    assert (
        client.get("/api/users/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    ).status_code == 401
