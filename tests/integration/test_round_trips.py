"""What a request costs the database: a movie heartbeat is one statement (no profile or title
read), and on PostgreSQL a GET's unit of work and that heartbeat run outside a transaction (no
BEGIN and COMMIT round trips). Everything the one statement can't decide falls back to the full
path, which answers exactly as before: the checks below run through the fallback too."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from netflix_clone.catalog.models import Title
from netflix_clone.core.db import driver_statement_listeners
from netflix_clone.library import service
from netflix_clone.library.models import Viewing
from netflix_clone.web.deps import db_session, services, wiring
from tests.conftest import Member
from tests.integration.test_heartbeat_paths import SHOWN
from tests.integration.test_profiles import add_profile, profile_headers, profiles

FIGHT_CLUB = 550  # rated R in the US recordings
FORREST_GUMP = 13


@dataclass
class Statement:
    verb: str
    autocommit: bool | None  # psycopg's autocommit; None on SQLite


@contextmanager
def statements(app: Flask) -> Iterator[list[Statement]]:
    """SQL run by this thread (the test client runs the request here)."""
    seen: list[Statement] = []
    me = threading.get_ident()

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if threading.get_ident() == me:
            raw = conn.connection.dbapi_connection
            autocommit = raw.autocommit if conn.dialect.name == "postgresql" else None
            seen.append(Statement(statement.split(None, 1)[0].upper(), autocommit))

    def driver(statement: str, raw: Any) -> None:  # one_statement() on PostgreSQL
        if threading.get_ident() == me:
            seen.append(Statement(statement.split(None, 1)[0].upper(), raw.autocommit))

    with app.app_context():
        engine = services().database.engine
    event.listen(engine, "before_cursor_execute", record)
    driver_statement_listeners.append(driver)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
        driver_statement_listeners.remove(driver)


def postgres(app: Flask) -> bool:
    with app.app_context():
        return bool(services().database.engine.dialect.name == "postgresql")


@pytest.fixture
def viewer(client: FlaskClient) -> tuple[Member, int, dict[str, str]]:
    member = Member(client, "trips@example.com")
    main = profiles(client, member)[0]
    return member, main["id"], profile_headers(client, member, main["id"])


def heartbeat(
    client: FlaskClient, headers: dict[str, str], movie_id: int, position: int, sequence: int
) -> Any:
    return client.put(
        f"/api/profile/progress/movie/{movie_id}",
        headers=headers,
        json={"position_seconds": position, "duration_seconds": 6000, "sequence": sequence},
    )


def stored(app: Flask, profile_id: int, movie_id: int) -> dict[str, Any] | None:
    with app.app_context():
        row = db_session().get(Viewing, (profile_id, "movie", movie_id))
        if row is None:
            return None
        return {name: getattr(row, name) for name in SHOWN} | {
            "finished": row.finished_at is not None,
            "moved": row.updated_at > row.started_at,
        }


def test_a_movie_heartbeat_is_one_statement(
    app: Flask, client: FlaskClient, viewer: tuple[Member, int, dict[str, str]]
) -> None:
    _, profile_id, headers = viewer
    assert heartbeat(client, headers, FORREST_GUMP, 900, 1).status_code == 200  # title stored
    with statements(app) as seen:
        answer = heartbeat(client, headers, FORREST_GUMP, 960, 2)
    assert answer.status_code == 200 and answer.json and answer.json["applied"] is True
    assert [s.verb for s in seen] == ["INSERT"]
    if postgres(app):
        assert seen[0].autocommit is True
    assert stored(app, profile_id, FORREST_GUMP) == {
        "position_seconds": 960,
        "duration_seconds": 6000,
        "sequence": 2,
        "season_number": None,
        "episode_number": None,
        "hidden_from_row": False,
        "hidden_from_history": False,
        "finished": False,
        "moved": True,
    }


def test_get_requests_run_outside_a_transaction_on_postgres(
    app: Flask, client: FlaskClient, viewer: tuple[Member, int, dict[str, str]]
) -> None:
    if not postgres(app):
        pytest.skip("SQLite starts no transaction for a read")
    member, _, headers = viewer
    client.put(f"/api/profile/list/movie/{FORREST_GUMP}", headers=headers)
    with statements(app) as seen:
        for path in ("/api/browse", "/api/profile/list", "/api/profile/continue-watching"):
            assert client.get(path, headers=headers).status_code == 200, path
        assert client.get("/api/users/me", headers=member.headers).status_code == 200
    assert seen and all(s.verb == "SELECT" and s.autocommit for s in seen), seen
    # A write still runs in a transaction of its own.
    with statements(app) as seen:
        assert client.put(
            f"/api/profile/ratings/movie/{FORREST_GUMP}", headers=headers, json={"rating": "love"}
        ).status_code in (200, 201)
    assert seen and not any(s.autocommit for s in seen), seen


def test_fast_and_full_paths_store_the_same_row(
    app: Flask,
    client: FlaskClient,
    viewer: tuple[Member, int, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, profile_id, headers = viewer
    heartbeat(client, headers, FORREST_GUMP, 900, 1)
    heartbeat(client, headers, FIGHT_CLUB, 900, 1)
    # A hidden, then replayed title comes back; the position passes 90 %: finished.
    client.delete(f"/api/profile/history/movie/{FORREST_GUMP}", headers=headers)
    client.delete(f"/api/profile/history/movie/{FIGHT_CLUB}", headers=headers)
    fast = heartbeat(client, headers, FORREST_GUMP, 5500, 2).json
    monkeypatch.setattr(service, "record_movie_progress_fast", lambda *a: None)
    full = heartbeat(client, headers, FIGHT_CLUB, 5500, 2).json
    assert fast and full
    assert {k: v for k, v in fast.items() if k != "id"} == {
        k: v for k, v in full.items() if k != "id"
    }
    assert fast["finished"] is True
    assert stored(app, profile_id, FORREST_GUMP) == stored(app, profile_id, FIGHT_CLUB)


def test_what_one_statement_cannot_decide_takes_the_full_path(
    app: Flask, client: FlaskClient, viewer: tuple[Member, int, dict[str, str]]
) -> None:
    member, _, headers = viewer
    # A movie the database has no record of yet: the full path stores it, then writes.
    with app.app_context():
        assert db_session().get(Title, ("movie", FIGHT_CLUB)) is None
    first = heartbeat(client, headers, FIGHT_CLUB, 900, 5)
    assert first.status_code == 200 and first.json and first.json["applied"] is True
    # An older sequence: nothing changes, and the answer says what is stored.
    late = heartbeat(client, headers, FIGHT_CLUB, 300, 4)
    assert late.status_code == 200 and late.json
    assert (late.json["applied"], late.json["position_seconds"], late.json["sequence"]) == (
        False,
        900,
        5,
    )
    # A position past the duration is the client's mistake.
    assert heartbeat(client, headers, FIGHT_CLUB, 7000, 6).status_code == 422
    # A profile made a kids profile, or given a lower maturity level, after its token was
    # issued: the next heartbeat on an R-rated movie is refused and writes nothing.
    for name, change in (("Teen", {"kids": True}), ("Adult", {"maturity_level": "teens"})):
        made = add_profile(client, member, name=name)
        made_headers = profile_headers(client, member, made["id"])
        assert heartbeat(client, made_headers, FIGHT_CLUB, 900, 1).status_code == 200
        changed = client.patch(
            f"/api/users/{member.id}/profiles/{made['id']}", headers=member.headers, json=change
        )
        assert changed.status_code == 200, changed.json
        assert heartbeat(client, made_headers, FIGHT_CLUB, 1200, 2).status_code == 403, name
        assert stored(app, made["id"], FIGHT_CLUB)["sequence"] == 1  # type: ignore[index]
    # A deleted profile's token writes nothing either.
    extra = add_profile(client, member, name="Gone")
    gone = profile_headers(client, member, extra["id"])
    assert heartbeat(client, gone, FORREST_GUMP, 900, 1).status_code == 200
    client.delete(f"/api/users/{member.id}/profiles/{extra['id']}", headers=member.headers)
    assert heartbeat(client, gone, FORREST_GUMP, 960, 2).status_code == 401
    with app.app_context():
        left = db_session().scalars(select(Viewing.profile_id)).all()
    assert extra["id"] not in left


def test_another_members_profile_id_is_never_written(
    app: Flask, client: FlaskClient, viewer: tuple[Member, int, dict[str, str]]
) -> None:
    _, alice_profile, alice = viewer
    heartbeat(client, alice, FORREST_GUMP, 900, 1)
    bob = Member(client, "bob-trips@example.com")
    bob_headers = profile_headers(client, bob, profiles(client, bob)[0]["id"])
    assert heartbeat(client, bob_headers, FORREST_GUMP, 2000, 9).status_code == 200
    # A validly signed token naming Bob's account and Alice's profile (a bug elsewhere, say):
    # the profile must still belong to the token's account.
    signer = wiring(app).services.tokens
    bobs = signer.verify(bob_headers["Authorization"].split()[1])
    crossed = signer.issue(replace(bobs, profile_id=alice_profile))
    answer = heartbeat(client, {"Authorization": f"Bearer {crossed}"}, FORREST_GUMP, 3000, 10)
    assert answer.status_code == 401
    assert stored(app, alice_profile, FORREST_GUMP)["sequence"] == 1  # type: ignore[index]


def test_a_connection_pinged_after_idling_still_serves_both_kinds_of_unit(
    app: Flask, client: FlaskClient, viewer: tuple[Member, int, dict[str, str]]
) -> None:
    """The pool pings a connection that sat idle; the ping must leave it idle (not inside a
    transaction), or switching it to autocommit for a read fails."""
    _, _, headers = viewer
    guard = wiring(app).services.database.guard
    if guard is None or not postgres(app):
        pytest.skip("the ping runs on PostgreSQL only")
    heartbeat(client, headers, FORREST_GUMP, 900, 1)
    guard._ping_after = 0.0  # every checkout after a check-in pings
    for sequence in range(2, 6):
        assert client.get("/api/profile/continue-watching", headers=headers).status_code == 200
        assert heartbeat(client, headers, FORREST_GUMP, 900 + sequence, sequence).status_code == 200
        assert client.put(
            f"/api/profile/list/movie/{FORREST_GUMP}", headers=headers
        ).status_code in (
            200,
            201,
        )


def test_a_dead_connection_under_one_statement_is_a_503_then_replaced(
    app: Flask, client: FlaskClient, viewer: tuple[Member, int, dict[str, str]]
) -> None:
    """one_statement() goes straight to psycopg on PostgreSQL: its errors must still be the
    app's (503 with Retry-After, never a 500) and a dead connection must leave the pool."""
    if not postgres(app):
        pytest.skip("the driver path is PostgreSQL's")
    _, _, headers = viewer
    heartbeat(client, headers, FORREST_GUMP, 900, 1)
    assert client.get("/api/browse", headers=headers).status_code == 200
    with app.app_context():
        dsn = (
            services()
            .database.engine.url.set(drivername="postgresql")
            .render_as_string(hide_password=False)
        )
    with psycopg.connect(dsn, autocommit=True) as admin:  # not one of the pool's
        killed = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    assert killed and killed[0]
    statuses = []
    for sequence in range(2, 12):
        browse = client.get("/api/browse", headers=headers)
        beat = heartbeat(client, headers, FORREST_GUMP, 900 + sequence, sequence)
        for answer in (browse, beat):
            statuses.append(answer.status_code)
            assert answer.status_code in (200, 503), answer.json
            if answer.status_code == 503:
                assert answer.headers["Content-Type"] == "application/problem+json"
                assert answer.headers.get("Retry-After")
        if browse.status_code == beat.status_code == 200:
            break
    assert statuses[-2:] == [200, 200], statuses


def test_no_connection_for_one_statement_is_a_503(
    app: Flask,
    client: FlaskClient,
    viewer: tuple[Member, int, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The database refuses new connections (stopped): the driver's own connect error must be
    a 503 on the heartbeat and the cached home screen, as on every other path."""
    if not postgres(app):
        pytest.skip("the driver path is PostgreSQL's")
    _, _, headers = viewer
    heartbeat(client, headers, FORREST_GUMP, 900, 1)
    assert client.get("/api/browse", headers=headers).status_code == 200
    with app.app_context():
        engine = services().database.engine

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise psycopg.OperationalError("connection refused (a test)")

    monkeypatch.setattr(engine.dialect, "connect", refused)
    engine.dispose()  # no pooled connection left: the next statement must connect
    for answer in (
        heartbeat(client, headers, FORREST_GUMP, 960, 2),
        client.get("/api/browse", headers=headers),
    ):
        assert answer.status_code == 503, answer.json
        assert answer.headers["Content-Type"] == "application/problem+json"
        assert answer.headers.get("Retry-After")
