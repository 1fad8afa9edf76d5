"""RDS IAM authentication: the app logs in as its database user with a signed token, never a
password of its own (db_iam.py; the infrastructure side is infra/terraform/modules/app-access)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.engine import make_url

from netflix_clone.core import db_iam
from netflix_clone.core.db_iam import RdsIamToken, rds_iam_token
from netflix_clone.core.secret_store import database_credentials
from netflix_clone.core.settings import ConfigError
from netflix_clone.web.app import create_app
from netflix_clone.web.deps import services
from tests.conftest import _pg_admin_dsn, test_settings
from tests.faults.servers import PrivatePostgres, SetupError

RDS_URL = "postgresql+psycopg://netflix-clone-dev.c0ffee.eu-west-1.rds.amazonaws.com:5432/nc"


def test_the_token_is_a_presigned_connect_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example-secret")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    login = rds_iam_token(
        test_settings(
            database_url=RDS_URL, database_iam_user="netflix_clone_dev_app", aws_region="eu-west-1"
        )
    )
    token = login.password()
    # AWS's documented shape: <host>:<port>/?Action=connect&DBUser=<user>&X-Amz-...; no scheme.
    assert token.startswith(
        "netflix-clone-dev.c0ffee.eu-west-1.rds.amazonaws.com:5432/?Action=connect"
        "&DBUser=netflix_clone_dev_app&"
    )
    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in token
    assert "X-Amz-Credential=AKIDEXAMPLE%2F" in token and "%2Feu-west-1%2Frds-db%2F" in token
    assert "X-Amz-Expires=900" in token and "X-Amz-Signature=" in token
    assert login.password() == token  # reused, not re-signed per connection


class FakeRds:
    """Counts signatures; each token names its number."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.signed: list[dict[str, Any]] = []
        self.fail = fail

    def generate_db_auth_token(self, **kwargs: Any) -> str:
        if self.fail:
            raise self.fail
        self.signed.append(kwargs)
        return f"token-{len(self.signed)}"


def test_a_token_serves_new_connections_until_well_before_it_expires() -> None:
    now = [1000.0]
    rds = FakeRds()
    login = RdsIamToken("h", 5432, "u", "eu-west-1", lambda: rds, clock=lambda: now[0])
    assert login.password() == "token-1"
    now[0] += RdsIamToken.TOKEN_REUSE - 1
    assert login.password() == "token-1"
    now[0] += 1
    assert login.password() == "token-2"
    assert RdsIamToken.TOKEN_REUSE < RdsIamToken.TOKEN_LIFETIME
    assert rds.signed[0] == {
        "DBHostname": "h",
        "Port": 5432,
        "DBUsername": "u",
        "Region": "eu-west-1",
    }


def test_without_aws_credentials_the_database_is_unavailable_not_the_app_broken() -> None:
    from botocore.exceptions import NoCredentialsError

    login = RdsIamToken("h", 5432, "u", "eu-west-1", lambda: FakeRds(fail=NoCredentialsError()))
    # A driver error: SQLAlchemy wraps it as OperationalError, which the guard turns into a 503.
    with pytest.raises(psycopg.OperationalError, match="cannot sign a database token for u"):
        login.password()


class FakeDialect:
    def __init__(self, errors: list[Exception]) -> None:
        self.errors = errors
        self.passwords: list[str] = []

    def connect(self, *args: Any, **params: Any) -> str:
        self.passwords.append(params["password"])
        if self.errors:
            raise self.errors.pop(0)
        return f"connected as {params['user']}"


def test_a_refused_token_is_signed_again_once() -> None:
    login = RdsIamToken("h", 5432, "app", "eu-west-1", FakeRds)
    dialect = FakeDialect([psycopg.OperationalError('PAM authentication failed for user "app"')])
    assert login.inject(dialect, None, (), {}) == "connected as app"
    assert dialect.passwords == ["token-1", "token-2"]

    other = FakeDialect([psycopg.OperationalError("connection refused")])
    with pytest.raises(psycopg.OperationalError, match="connection refused"):
        login.inject(other, None, (), {})
    assert len(other.passwords) == 1  # no second attempt for what a new token can't fix


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"database_url": None}, "needs a PostgreSQL DATABASE_URL"),
        ({"aws_region": None}, "needs AWS_REGION"),
    ],
)
def test_iam_login_needs_postgresql_and_a_region(overrides: dict[str, Any], message: str) -> None:
    settings = test_settings(
        **{
            "database_url": RDS_URL,
            "database_iam_user": "app",
            "aws_region": "eu-west-1",
            **overrides,
        }
    )
    with pytest.raises(ConfigError, match=message):
        rds_iam_token(settings)


def test_one_way_to_log_in() -> None:
    with pytest.raises(ValidationError, match="DATABASE_IAM_USER or DATABASE_SECRET_ID"):
        test_settings(database_url=RDS_URL, database_iam_user="app", database_secret_id="x")
    assert isinstance(
        database_credentials(
            test_settings(database_url=RDS_URL, database_iam_user="app", aws_region="eu-west-1")
        ),
        RdsIamToken,
    )


def test_the_app_logs_in_as_its_database_user(
    postgres_url: str, tmp_path: Path, worker_tag: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    role = f"nc_iam_{worker_tag}"
    with psycopg.connect(_pg_admin_dsn(), autocommit=True) as conn:
        conn.execute(f'DROP ROLE IF EXISTS "{role}"')
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
        conn.execute(f'GRANT ALL ON SCHEMA public TO "{role}"')
    monkeypatch.setattr(db_iam.RdsIamToken, "_sign", lambda self: "signed-token")
    try:
        # DATABASE_URL names host, port and database only; DATABASE_IAM_USER the user.
        url = make_url(postgres_url).set(username=None, password=None)
        app = create_app(
            test_settings(
                database_url=url.render_as_string(hide_password=False),
                database_iam_user=role,
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
            conn.execute(f'REVOKE ALL ON SCHEMA public FROM "{role}"')
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


@pytest.fixture
def password_checking_postgres() -> Iterator[PrivatePostgres]:
    """A private cluster that checks the app user's password (the shared one trusts loopback),
    standing in for RDS checking the token."""
    with tempfile.TemporaryDirectory(prefix="nc-db-iam-") as raw:
        home = Path(raw)
        home.chmod(0o755)  # the postgres OS user works beneath it
        try:
            server = PrivatePostgres(home)
            server.init()
        except SetupError as exc:
            pytest.fail(str(exc))
        try:
            (server.datadir / "pg_hba.conf").write_text(
                "host all app 127.0.0.1/32 scram-sha-256\n"
                "host all all 127.0.0.1/32 trust\n"
                "local all all trust\n"
            )
            with psycopg.connect(server.dsn(), autocommit=True) as conn:
                conn.execute("CREATE ROLE app LOGIN PASSWORD 'token-2'")
                conn.execute("SELECT pg_reload_conf()")
            yield server
        finally:
            server.destroy()


def test_the_token_is_the_password_and_a_refused_one_is_replaced(
    password_checking_postgres: PrivatePostgres,
) -> None:
    """RDS refuses a token that expired or was signed with revoked credentials; the next login
    signs a fresh one instead of failing until the reuse period ends. Here the server accepts
    only the second token the fake signer makes."""
    from sqlalchemy import create_engine, event

    rds = FakeRds()
    login = RdsIamToken(
        "127.0.0.1", password_checking_postgres.port, "app", "eu-west-1", lambda: rds
    )
    engine = create_engine(
        f"postgresql+psycopg://127.0.0.1:{password_checking_postgres.port}/faults"
    )
    event.listen(engine, "do_connect", login.inject)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar() == "app"
        assert len(rds.signed) == 2  # the first token was refused, the second logged in
    finally:
        engine.dispose()
