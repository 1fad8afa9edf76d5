"""Shared fixtures: every database test runs on SQLite and on real PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.engine import make_url

from netflix_clone.catalog.titles import wait_for_stored
from netflix_clone.core.db import Base
from netflix_clone.core.settings import Settings
from netflix_clone.web.app import create_app
from netflix_clone.web.deps import services

TEST_POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
BACKENDS = ("sqlite", "postgres")
PASSWORD = "correct-horse-battery-staple"


def _pg_admin_dsn() -> str:
    return (
        make_url(TEST_POSTGRES_URL)
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )


@pytest.fixture(scope="session")
def worker_tag() -> str:
    """Unique per test process (xdist worker or not), for databases and roles it creates."""
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{uuid.uuid4().hex[:6]}"


@pytest.fixture(scope="session")
def postgres_url(worker_tag: str) -> Iterator[str]:
    """A fresh database per test worker, dropped at the end."""
    name = f"nc_test_{worker_tag}"
    with psycopg.connect(_pg_admin_dsn(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield make_url(TEST_POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(_pg_admin_dsn(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"app_env": "test", "catalog_source": "demo"}
    values.update(overrides)
    return Settings(**values)


test_settings.__test__ = False  # type: ignore[attr-defined]


def migrate(url: str, instance: Path) -> None:
    """The database at `url` brought to the latest migration (its connections closed after)."""
    from netflix_clone.core.schema import upgrade

    app = create_app(test_settings(database_url=url, instance_path=instance))
    with app.app_context():
        upgrade(services().database)
        services().database.engine.dispose()


@pytest.fixture(scope="session")
def database_urls(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("db")
    urls = {"sqlite": f"sqlite:///{base / 'test.sqlite3'}", "postgres": postgres_url}
    for url in urls.values():
        migrate(url, base / "instance")
    return urls


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _wipe(app: Flask) -> None:
    with app.app_context():
        tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
        with services().database.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - our own names
        services().database.engine.dispose()


AppFactory = Callable[..., Flask]


@pytest.fixture
def make_app(database_urls: dict[str, str], backend: str, tmp_path: Path) -> Iterator[AppFactory]:
    apps: list[Flask] = []

    def factory(**overrides: Any) -> Flask:
        overrides.setdefault("database_url", database_urls[backend])
        overrides.setdefault("instance_path", tmp_path / "instance")
        app = create_app(test_settings(**overrides))
        apps.append(app)
        return app

    yield factory
    # Title rows still being stored in the background would land in the next test's tables
    # (or fail against a dropped database and flood the log): let them finish first.
    wait_for_stored(timeout=30)
    for app in apps:
        _wipe(app)


@pytest.fixture
def app(make_app: AppFactory) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def sign_up(
    client: FlaskClient, email: str, password: str = PASSWORD, display_name: str = "Member"
) -> dict[str, Any]:
    response = client.post(
        "/api/users", json={"email": email, "password": password, "display_name": display_name}
    )
    assert response.status_code == 201, response.json
    return dict(response.json or {})


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    response = client.post("/api/auth/token", json={"email": email, "password": password})
    assert response.status_code == 200, response.json
    return dict(response.json or {})


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


class Member:
    def __init__(self, client: FlaskClient, email: str, password: str = PASSWORD) -> None:
        self.user = sign_up(client, email, password)
        self.id: int = self.user["id"]
        self.email = email
        self.password = password
        self.tokens = login(client, email, password)
        self.headers = bearer(self.tokens)

    @staticmethod
    def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> dict[str, str]:
        """The headers of a new session of the member."""
        return bearer(login(client, email, password))


@pytest.fixture
def member_factory(client: FlaskClient) -> Callable[[str], Member]:
    return lambda email: Member(client, email)


# --- catalog fixtures: fake TMDB and moto over loopback -------------------------------------


@pytest.fixture
def redis_url(worker_tag: str) -> str:
    """A Redis database of this test process's own (xdist workers run side by side), emptied
    before each test that uses it."""
    import redis

    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw-1")
    number = 1 + (int(worker.removeprefix("gw")) + 1) % 15 if worker.startswith("gw") else 15
    url = make_url_redis(TEST_REDIS_URL, number)
    redis.Redis.from_url(url).flushdb()
    return url


def make_url_redis(base: str, number: int) -> str:
    head, _, tail = base.rpartition("/")
    return f"{head}/{number}" if tail.isdigit() else f"{base.rstrip('/')}/{number}"


@pytest.fixture
def tmdb() -> Iterator[Any]:
    from devtools.fake_tmdb import FakeTMDB

    with FakeTMDB() as fake:
        yield fake


SHORT_TIMEOUTS: dict[str, float] = {"tmdb_read_timeout": 0.5, "tmdb_connect_timeout": 0.5}
"""For tests of a slow upstream: the fake's delay (1 s or more) is always past these."""


@pytest.fixture
def catalog_app(tmdb: Any, tmp_path: Path) -> Callable[..., Flask]:
    """An app whose catalog is live TMDB (the fake).

    Timeouts are generous so that a loaded CI machine never turns an answer into a retry; a test
    of a slow upstream passes ``**SHORT_TIMEOUTS`` beside a delay well past them. The catalog
    never touches the database, so these run on a migrated SQLite file only."""

    def factory(**overrides: Any) -> Flask:
        values: dict[str, Any] = {
            "database_url": f"sqlite:///{tmp_path / 'catalog.sqlite3'}",
            "instance_path": tmp_path / "instance",
            "catalog_source": "tmdb",
            "tmdb_api_key": tmdb.api_key,
            "tmdb_base_url": tmdb.base_url,
            "tmdb_read_timeout": 5.0,
            "tmdb_connect_timeout": 2.0,
            "tmdb_deadline": 10.0,
        }
        values.update(overrides)
        app = create_app(test_settings(**values))
        from netflix_clone.core.schema import upgrade

        with app.app_context():  # a fresh SQLite file: member endpoints work on it too
            upgrade(services().database)
        return app

    return factory


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws_env(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    return moto_endpoint
