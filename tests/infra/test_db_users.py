"""The database users the release's db-admin Job makes (netflix_clone.core.db_iam ensure-users): the
app is not the master, the migrations run as the schema owner, the app's user has rows only.

A private PostgreSQL laid out the way RDS lays it out: a master user that is not a superuser
(CREATEROLE, CREATEDB, owner of the application database) and an rds_iam role it may grant. The
shared PostgreSQL is left alone: roles are cluster-wide.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import errors

from netflix_clone.core.db_iam import ensure_users
from netflix_clone.core.schema import upgrade
from netflix_clone.web.app import create_app
from netflix_clone.web.deps import services
from tests.conftest import Member, test_settings
from tests.faults.servers import PrivatePostgres, SetupError

pytestmark = pytest.mark.infra

DATABASE = "netflix_clone"
MASTER, OWNER, APP = "netflix_clone", "netflix_clone_dev_owner", "netflix_clone_dev_app"


@pytest.fixture(scope="module")
def rds_like() -> Iterator[PrivatePostgres]:
    with tempfile.TemporaryDirectory(prefix="nc-db-users-") as raw:
        home = Path(raw)
        home.chmod(0o755)  # the postgres OS user works beneath it
        try:
            server = PrivatePostgres(home)
            server.init()
        except SetupError as exc:
            pytest.fail(str(exc))
        try:
            with psycopg.connect(server.dsn("postgres"), autocommit=True) as conn:
                conn.execute("CREATE ROLE rds_iam NOLOGIN")
                conn.execute(f"CREATE ROLE {MASTER} LOGIN CREATEROLE CREATEDB")
                conn.execute(f"GRANT rds_iam TO {MASTER} WITH ADMIN OPTION")
                conn.execute(f"CREATE DATABASE {DATABASE} OWNER {MASTER}")
            # What an earlier release, migrating as the master, left behind.
            with psycopg.connect(dsn(server, MASTER), autocommit=True) as conn:
                conn.execute("CREATE TABLE legacy_notes (id serial PRIMARY KEY, body text)")
            yield server
        finally:
            server.destroy()


def dsn(server: PrivatePostgres, user: str) -> str:
    return f"postgresql://{user}@127.0.0.1:{server.port}/{DATABASE}"


def url(server: PrivatePostgres, user: str) -> str:
    return f"postgresql+psycopg://{user}@127.0.0.1:{server.port}/{DATABASE}"


@pytest.fixture(scope="module")
def migrated(rds_like: PrivatePostgres) -> PrivatePostgres:
    """ensure-users as the master (twice: it runs before every migration), then the real
    migrations as the schema owner, then ensure-users once more as the next release would."""
    with psycopg.connect(dsn(rds_like, MASTER)) as conn:
        first = ensure_users(conn, database=DATABASE, owner=OWNER, app=APP)
        assert f"created {OWNER}" in first and f"created {APP}" in first
        assert f"legacy_notes now owned by {OWNER}" in first
        again = ensure_users(conn, database=DATABASE, owner=OWNER, app=APP)
        assert not [line for line in again if line.startswith("created")]
    with tempfile.TemporaryDirectory() as instance:
        app = create_app(
            test_settings(database_url=url(rds_like, OWNER), instance_path=Path(instance))
        )
        with app.app_context():
            upgrade(services().database)
            services().database.engine.dispose()
    with psycopg.connect(dsn(rds_like, MASTER)) as conn:
        ensure_users(conn, database=DATABASE, owner=OWNER, app=APP)
    return rds_like


def tables_owned_by(server: PrivatePostgres, user: str) -> set[str]:
    with psycopg.connect(dsn(server, MASTER)) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = %s",
            (user,),
        ).fetchall()
    return {name for (name,) in rows}


def test_the_owner_owns_the_schema_and_the_master_owns_no_table(migrated: PrivatePostgres) -> None:
    owned = tables_owned_by(migrated, OWNER)
    assert {"alembic_version", "users", "legacy_notes"} <= owned
    assert tables_owned_by(migrated, MASTER) == set()
    assert tables_owned_by(migrated, APP) == set()


def test_the_app_user_has_rows_only(migrated: PrivatePostgres) -> None:
    with psycopg.connect(dsn(migrated, APP), autocommit=True) as conn:
        conn.execute("INSERT INTO legacy_notes (body) VALUES ('hello')")  # sequence usable
        assert conn.execute("SELECT count(*) FROM legacy_notes").fetchone() == (1,)
        conn.execute("UPDATE legacy_notes SET body = 'bye'")
        conn.execute("DELETE FROM legacy_notes")
        for statement in (
            "CREATE TABLE intruder (id int)",
            "DROP TABLE legacy_notes",
            "ALTER TABLE users ADD COLUMN intruder int",
            "TRUNCATE legacy_notes",
            "CREATE INDEX ON users (id)",
        ):
            with pytest.raises((errors.InsufficientPrivilege, errors.WrongObjectType)):
                conn.execute(statement)


def test_the_app_runs_on_its_user(migrated: PrivatePostgres, tmp_path: Path) -> None:
    """Sign-up, sign-in and reads through the app itself, logged in as the app's user."""
    app = create_app(test_settings(database_url=url(migrated, APP), instance_path=tmp_path))
    try:
        client = app.test_client()
        assert client.get("/readyz").status_code == 200
        member = Member(client, "iam-user@example.com")
        answer = client.get(f"/api/users/{member.id}", headers=member.headers)
        assert answer.status_code == 200, answer.get_data(as_text=True)
    finally:
        with app.app_context():
            services().database.engine.dispose()


def test_only_the_two_users_may_connect(migrated: PrivatePostgres) -> None:
    with psycopg.connect(migrated.dsn("postgres"), autocommit=True) as conn:
        conn.execute("CREATE ROLE stranger LOGIN")
        members = {
            row[0]
            for row in conn.execute(
                "SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member"
                " WHERE m.roleid = (SELECT oid FROM pg_roles WHERE rolname = 'rds_iam')"
            ).fetchall()
        }
    assert {OWNER, APP} <= members  # they log in with IAM tokens on RDS
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        psycopg.connect(dsn(migrated, "stranger")).close()


def test_grants_drifted_by_hand_are_put_back(migrated: PrivatePostgres) -> None:
    with psycopg.connect(dsn(migrated, OWNER), autocommit=True) as conn:
        conn.execute(f"GRANT TRUNCATE, REFERENCES ON legacy_notes TO {APP}")
    with psycopg.connect(dsn(migrated, MASTER)) as conn:
        ensure_users(conn, database=DATABASE, owner=OWNER, app=APP)
    with psycopg.connect(dsn(migrated, MASTER)) as conn:
        privileges = {
            row[0]
            for row in conn.execute(
                "SELECT privilege_type FROM information_schema.role_table_grants"
                " WHERE grantee = %s AND table_name = 'legacy_notes'",
                (APP,),
            ).fetchall()
        }
    assert privileges == {"SELECT", "INSERT", "UPDATE", "DELETE"}


def test_the_job_command_refuses_an_incomplete_configuration() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "netflix_clone.core.db_iam", "ensure-users"],
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgresql+psycopg://h:5432/db"},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 1
    assert '"event": "db_users_failed"' in result.stderr
    assert "AWS_REGION is required" in result.stderr
