"""SECRET_KEY and database credentials from Secrets Manager (moto server over loopback)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import boto3
import psycopg
import pytest
from sqlalchemy import text

from netflix_clone.core.settings import ConfigError
from netflix_clone.web.app import create_app
from netflix_clone.web.deps import db_session, services
from tests.conftest import Member, _pg_admin_dsn, test_settings

STRONG_KEY = "m2Vq8XcN4pL7sR1tY6wZ9bD3fG5hJ0kA"


def _secret(endpoint: str, value: str) -> str:
    sm = boto3.client("secretsmanager", endpoint_url=endpoint, region_name="eu-west-1")
    name = f"netflix-clone/test/{time.monotonic_ns()}"
    sm.create_secret(Name=name, SecretString=value)
    return name


def test_secret_key_from_secrets_manager_signs_tokens(
    aws_env: str, database_urls: dict[str, str], tmp_path: Path
) -> None:
    name = _secret(aws_env, json.dumps({"SECRET_KEY": STRONG_KEY}))
    app = create_app(
        test_settings(
            app_env="dev",
            secret_key_secret_id=name,
            aws_endpoint_url=aws_env,
            aws_region="eu-west-1",
            database_url=database_urls["sqlite"],
            instance_path=tmp_path,
        )
    )
    client = app.test_client()
    member = Member(client, f"sm-{time.monotonic_ns()}@example.com")
    import jwt

    claims = jwt.decode(
        member.tokens["access_token"], STRONG_KEY, algorithms=["HS256"], issuer="netflix-clone"
    )
    assert claims["sub"] == str(member.id)
    assert client.get("/api/users/me", headers=member.headers).status_code == 200
    with app.app_context():
        db_session().execute(text("DELETE FROM users"))
        db_session().commit()


def test_a_placeholder_secret_key_in_secrets_manager_stops_start_up(
    aws_env: str, tmp_path: Path
) -> None:
    name = _secret(aws_env, "changeme")
    with pytest.raises(ValueError, match="placeholder"):
        create_app(
            test_settings(
                app_env="prod",
                secret_key_secret_id=name,
                aws_endpoint_url=aws_env,
                aws_region="eu-west-1",
                database_url=f"sqlite:///{tmp_path / 'x.db'}",
                instance_path=tmp_path,
            )
        )


def test_missing_secret_key_secret_is_a_config_error_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ENV", "uat")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY_SECRET_ID", raising=False)
    from netflix_clone.core.settings import load_settings

    with pytest.raises(ConfigError):
        load_settings()


def test_database_credentials_come_from_the_rds_managed_secret(
    aws_env: str, postgres_url: str, tmp_path: Path, worker_tag: str
) -> None:
    role = f"nc_app_{worker_tag}"
    with psycopg.connect(_pg_admin_dsn(), autocommit=True) as conn:
        conn.execute(f'DROP ROLE IF EXISTS "{role}"')
        conn.execute(f"CREATE ROLE \"{role}\" LOGIN PASSWORD 'from-secrets-manager'")
    try:
        name = _secret(
            aws_env,
            json.dumps(
                {"username": role, "password": "from-secrets-manager", "engine": "postgres"}
            ),
        )
        from sqlalchemy.engine import make_url

        # DATABASE_URL names host, port and database only; the secret brings user and password.
        url = make_url(postgres_url).set(username=None, password=None)
        app = create_app(
            test_settings(
                database_url=url.render_as_string(hide_password=False),
                database_secret_id=name,
                aws_endpoint_url=aws_env,
                aws_region="eu-west-1",
                instance_path=tmp_path,
            )
        )
        assert app.test_client().get("/readyz").status_code == 200
        with app.app_context():
            with services().database.engine.connect() as conn:
                assert conn.execute(text("SELECT current_user")).scalar() == role
            services().database.engine.dispose()
    finally:
        with psycopg.connect(_pg_admin_dsn(), autocommit=True) as conn:
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')
