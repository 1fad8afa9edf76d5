"""Issue 23, row 7: `make run` (SQLite, no Redis, two workers). SQLite reused deleted ids: a new
kids profile got a deleted adult profile's cached home screen, the next member to sign up got a
deleted account's id (and the deleted account's old token read their email); and without Redis
a sign-out reached only the worker that handled it (7 of 20 `/api/users/me` still 200).

Now ids are never reused (AUTOINCREMENT, migration 0006), the home-screen cache is keyed by
account, profile and a random nonce, and without Redis every worker asks the database whether
a session has ended."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from flask import Flask
from sqlalchemy import insert, select, text

from netflix_clone.accounts.models import Profile, RefreshToken, User
from netflix_clone.core.schema import upgrade
from netflix_clone.library.models import ListEntry
from netflix_clone.web.app import create_app
from netflix_clone.web.deps import db_session, services
from tests.conftest import PASSWORD, AppFactory, Member, test_settings
from tests.security.gunicorn import served
from tests.security.helpers import FIGHT_CLUB, add_profile, profile_token, profiles_url

ROUNDS = 20  # requests after a sign-out: with two workers, both see several


def _client(app_url: str) -> httpx.Client:
    # A new connection per request, so both workers get some.
    return httpx.Client(base_url=app_url, timeout=30, headers={"Connection": "close"})


def _member(client: httpx.Client, email: str) -> tuple[int, dict[str, str], dict[str, str]]:
    user = client.post(
        "/api/users", json={"email": email, "password": PASSWORD, "display_name": "M"}
    ).json()
    tokens = client.post("/api/auth/token", json={"email": email, "password": PASSWORD}).json()
    return user["id"], tokens, {"Authorization": f"Bearer {tokens['access_token']}"}


def test_make_run_defaults_never_reuse_ids_and_sign_outs_reach_every_worker(
    tmp_path: Path,
) -> None:
    with (
        served(tmp_path, APP_ENV="local", WEB_CONCURRENCY="2") as app,
        _client(app.base_url) as client,
    ):
        gone_id, _, gone = _member(client, "deleted@example.com")
        deleted = client.request(
            "DELETE", f"/api/users/{gone_id}", headers=gone, json={"password": PASSWORD}
        )
        assert deleted.status_code == 204
        new_id, tokens, headers = _member(client, "newcomer@example.com")
        assert new_id > gone_id  # not the deleted account's id
        # The deleted account's token reads nothing, on every worker.
        for _ in range(ROUNDS):
            assert client.get("/api/users/me", headers=gone).status_code == 401
            made = client.post(
                f"/api/users/{new_id}/profiles", headers=gone, json={"name": "Intruder"}
            )
            assert made.status_code in (401, 404)
        # A sign-out reaches every worker at once, with no Redis between them.
        assert all(
            client.get("/api/users/me", headers=headers).status_code == 200 for _ in range(4)
        )
        out = client.post("/api/auth/logout", json={"refresh_token": tokens["refresh_token"]})
        assert out.status_code == 204
        statuses = [client.get("/api/users/me", headers=headers).status_code for _ in range(ROUNDS)]
        assert statuses == [401] * ROUNDS


def test_ids_of_deleted_rows_are_not_handed_out_again(make_app: AppFactory, backend: str) -> None:
    app = make_app()
    client = app.test_client()
    first = Member(client, "first@example.com")
    kid = add_profile(client, first, name="Kid", kids=True)
    deleted = client.delete(f"{profiles_url(first)}/{kid['id']}", headers=first.headers, json={})
    assert deleted.status_code == 204
    again = add_profile(client, first, name="Kid again", kids=True)
    assert again["id"] > kid["id"]
    gone = Member(client, "gone@example.com")
    assert (
        client.delete(
            f"/api/users/{gone.id}", headers=gone.headers, json={"password": PASSWORD}
        ).status_code
        == 204
    )
    assert Member(client, "next@example.com").id > gone.id
    with app.app_context():
        newest_token = db_session().scalar(select(RefreshToken.id).order_by(RefreshToken.id.desc()))
        db_session().execute(text("DELETE FROM refresh_tokens"))
        db_session().commit()
    Member(client, "tokens@example.com")
    with app.app_context():
        assert newest_token is not None
        assert (db_session().scalar(select(RefreshToken.id)) or 0) > newest_token
        db_session().close()


def test_a_profile_that_takes_a_deleted_ones_id_never_meets_its_cached_home_screen(
    make_app: AppFactory,
) -> None:
    """Ids are not reused any more; should one ever be (a restore, a hand-made row), the cache
    key's account and nonce still keep the entries apart. Simulated by inserting a kids profile
    under the deleted adult profile's id."""
    app = make_app()
    client = app.test_client()
    member = Member(client, "reuse@example.com")
    adult = add_profile(client, member, name="Adult")
    viewer = profile_token(client, member, adult["id"])
    assert client.put(f"/api/profile/list/movie/{FIGHT_CLUB}", headers=viewer).status_code in (
        200,
        201,
        204,
    )
    warm = client.get("/api/browse", headers=viewer)
    assert warm.status_code == 200 and str(FIGHT_CLUB) in warm.get_data(as_text=True)
    assert (
        client.delete(
            f"{profiles_url(member)}/{adult['id']}", headers=member.headers, json={}
        ).status_code
        == 204
    )
    with app.app_context():
        db_session().execute(
            insert(Profile).values(
                id=adult["id"],
                user_id=member.id,
                name="Kid",
                kids=True,
                maturity_level="little_kids",
                avatar="default",
                language="en-US",
                is_main=False,
                data_version=0,
                cache_nonce="0123456789abcdef",
            )
        )
        db_session().commit()
        assert (
            db_session().scalar(select(ListEntry).where(ListEntry.profile_id == adult["id"]))
            is None
        )
        db_session().close()
    kid = profile_token(client, member, adult["id"])
    home = client.get("/api/browse", headers=kid)
    assert home.status_code == 200
    assert f'"id":{FIGHT_CLUB}' not in home.get_data(as_text=True).replace(" ", "")


@pytest.fixture
def migrated_at_0005(tmp_path: Path) -> Flask:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    app = create_app(test_settings(database_url=url, instance_path=tmp_path))
    with app.app_context():
        upgrade(services().database, "0005_profile_data_version")
    return app


def test_migration_0006_keeps_every_row_and_reference(migrated_at_0005: Flask) -> None:
    app = migrated_at_0005
    with app.app_context():
        db_session().execute(
            text(
                "INSERT INTO users (id, email, display_name, password_hash, role, country,"
                " created_at, updated_at) VALUES (5, 'a@example.com', 'A', 'h', 'member', 'US',"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        db_session().execute(
            text(
                "INSERT INTO profiles (id, user_id, name, avatar, language, kids, maturity_level,"
                " is_main, created_at, data_version) VALUES (9, 5, 'Main', 'default', 'en-US',"
                " false, 'adults', true, CURRENT_TIMESTAMP, 3)"
            )
        )
        db_session().execute(
            text(
                "INSERT INTO my_list (profile_id, kind, title_id, added_at) VALUES"
                " (9, 'movie', 550, CURRENT_TIMESTAMP)"
            )
        )
        db_session().execute(
            text(
                "INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, created_at,"
                " expires_at) VALUES (7, 5, 'f', 'hash', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        db_session().commit()
        upgrade(services().database)
        assert db_session().scalar(select(User.email).where(User.id == 5)) == "a@example.com"
        profile = db_session().get(Profile, 9)
        assert profile is not None and profile.data_version == 3
        assert len(profile.cache_nonce) == 16
        assert (
            db_session().scalar(select(ListEntry.title_id).where(ListEntry.profile_id == 9)) == 550
        )
        assert (
            db_session().scalar(select(RefreshToken.family_id).where(RefreshToken.id == 7)) == "f"
        )
        schema = (
            db_session()
            .execute(text("SELECT sql FROM sqlite_master WHERE name IN ('users', 'profiles')"))
            .scalars()
        )
        assert all("AUTOINCREMENT" in sql for sql in schema)
        assert db_session().execute(text("PRAGMA foreign_keys")).scalar() == 1
        # Delete the newest account; the next one must not get its id.
        db_session().execute(text("DELETE FROM users WHERE id = 5"))
        db_session().commit()
        db_session().execute(
            insert(User).values(
                email="b@example.com", display_name="B", password_hash="h", role="member"
            )
        )
        db_session().commit()
        assert (db_session().scalar(select(User.id).where(User.email == "b@example.com")) or 0) > 5
        db_session().close()
