"""PostgreSQL logins with RDS IAM authentication, and the database users they log in as.

In the cloud nobody logs in with a password. The web pods connect as the app's database user
(rows only), the migration Job as the schema owner; the password of each new connection is an
IAM authentication token: a SigV4-presigned `connect` request for that user and host, signed
with the pod's own AWS credentials (EKS Pod Identity), which RDS accepts for 15 minutes. Only a
role allowed `rds-db:connect` as that user of that instance can make one, so the web pods'
role can't log in as the owner, and no role of another environment at all.

`python -m netflix_clone.core.db_iam ensure-users` is the release's db-admin Job: the one place that
reads the RDS master secret. It makes sure both users exist and have exactly their grants,
before every migration (deploy/k8s/deploy.sh).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from netflix_clone.core.settings import ConfigError, Settings

log = logging.getLogger(__name__)


class RdsIamToken:
    """The SQLAlchemy `do_connect` hook that logs in as `user` with an IAM token.

    A token is signed locally (no network call) and RDS accepts it for TOKEN_LIFETIME seconds
    after signing; new connections reuse it for TOKEN_REUSE seconds, well before that, so a
    connection never presents one about to expire. Established connections are unaffected: the
    token is only checked at login.
    """

    TOKEN_LIFETIME = 900.0
    TOKEN_REUSE = 600.0

    def __init__(
        self,
        host: str,
        port: int,
        user: str,
        region: str,
        client_factory: Callable[[], Any],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.host, self.port, self.user, self.region = host, port, user, region
        self._client_factory = client_factory
        self._client: Any = None
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._signed_at = 0.0

    def password(self, *, fresh: bool = False) -> str:
        with self._lock:
            if fresh or self._token is None or self._clock() - self._signed_at >= self.TOKEN_REUSE:
                self._token = self._sign()
                self._signed_at = self._clock()
            return self._token

    def _sign(self) -> str:
        if self._client is None:
            self._client = self._client_factory()
        try:
            token = self._client.generate_db_auth_token(
                DBHostname=self.host, Port=self.port, DBUsername=self.user, Region=self.region
            )
        except Exception as exc:
            import psycopg

            # A driver error, so the database guard counts it as an outage (a 503), not a bug.
            raise psycopg.OperationalError(
                f"cannot sign a database token for {self.user}: {type(exc).__name__}"
            ) from None
        return str(token)

    def inject(self, dialect: Any, conn_rec: Any, cargs: Any, cparams: dict[str, Any]) -> Any:
        """Connect as the IAM user; if RDS refuses the token (a clock step, a revoked session),
        sign a fresh one once and retry."""
        cparams["user"], cparams["password"] = self.user, self.password()
        try:
            return dialect.connect(*cargs, **cparams)
        except Exception as exc:
            if "authentication failed" not in str(exc).lower():
                raise
            log.info(
                "database refused the IAM token; signing a new one",
                extra={"event": "db_iam_token_refresh"},
            )
            cparams["password"] = self.password(fresh=True)
            return dialect.connect(*cargs, **cparams)


def rds_client(region: str, endpoint_url: str | None) -> Any:
    import boto3  # lazily: slow to import, unused without IAM authentication

    # A session of its own: boto3's default session caches the credentials it first resolved,
    # and whatever else in the process made a client first would decide them.
    session = boto3.session.Session()
    return session.client("rds", region_name=region, endpoint_url=endpoint_url or None)


def rds_iam_token(settings: Settings) -> RdsIamToken:
    """The login hook for DATABASE_IAM_USER, at the host and port of DATABASE_URL."""
    from sqlalchemy.engine import make_url

    url = make_url(settings.sqlalchemy_url)
    if url.get_backend_name() != "postgresql" or not url.host:
        raise ConfigError("configuration error: DATABASE_IAM_USER needs a PostgreSQL DATABASE_URL")
    if not settings.aws_region:
        raise ConfigError("configuration error: DATABASE_IAM_USER needs AWS_REGION")
    user = settings.database_iam_user or ""
    region, endpoint = settings.aws_region, settings.aws_endpoint_url
    return RdsIamToken(
        url.host, url.port or 5432, user, region, lambda: rds_client(region, endpoint)
    )


# --- the database users (the db-admin Job) ----------------------------------------------------

# What the app's user may do with the schema owner's tables and sequences: rows, never the schema.
APP_TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
APP_SEQUENCE_PRIVILEGES = "USAGE, SELECT"


def ensure_users(conn: Any, *, database: str, owner: str, app: str) -> list[str]:
    """As the master user, in one transaction: both users exist and log in (with IAM on RDS);
    only they may connect; the owner owns the public schema's objects (also those an earlier
    release made as the master) and may create more; the app's user has exactly row rights on
    them, now and for tables the owner makes later. Idempotent. Returns what it did."""
    from psycopg import sql

    done: list[str] = []

    def run(statement: Any, *args: Any) -> Any:
        return conn.execute(statement, args or None)

    def ident(*names: str) -> Any:
        return sql.Identifier(*names)

    with conn.transaction():
        master = run("SELECT current_user").fetchone()[0]
        rds_iam = run("SELECT 1 FROM pg_roles WHERE rolname = 'rds_iam'").fetchone() is not None
        for user in (owner, app):
            if run("SELECT 1 FROM pg_roles WHERE rolname = %s", user).fetchone() is None:
                run(sql.SQL("CREATE ROLE {} LOGIN").format(ident(user)))
                done.append(f"created {user}")
            run(sql.SQL("ALTER ROLE {} LOGIN NOCREATEDB NOCREATEROLE").format(ident(user)))
            if rds_iam:
                run(sql.SQL("GRANT rds_iam TO {}").format(ident(user)))
        # The master acts as the owner below (ownership, default privileges).
        run(sql.SQL("GRANT {} TO {}").format(ident(owner), ident(master)))

        run(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(ident(database)))
        run(
            sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}, {}").format(
                ident(database), ident(owner), ident(app)
            )
        )
        run("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        run(sql.SQL("GRANT USAGE, CREATE ON SCHEMA public TO {}").format(ident(owner)))
        run(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(ident(app)))

        # Relations and types the master made (migrations run before this Job existed). A
        # sequence owned by a column follows its table.
        relations = run(
            """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public'
              AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = %s)
              AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
              AND NOT (c.relkind = 'S' AND EXISTS (
                SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
            ORDER BY c.relname
            """,
            master,
        ).fetchall()
        for (name,) in relations:
            run(sql.SQL("ALTER TABLE {} OWNER TO {}").format(ident("public", name), ident(owner)))
            done.append(f"{name} now owned by {owner}")
        types = run(
            """
            SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
            WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'r', 'm')
              AND t.typowner = (SELECT oid FROM pg_roles WHERE rolname = %s)
            ORDER BY t.typname
            """,
            master,
        ).fetchall()
        for (name,) in types:
            run(sql.SQL("ALTER TYPE {} OWNER TO {}").format(ident("public", name), ident(owner)))
            done.append(f"type {name} now owned by {owner}")

        # Exactly row rights, granted as the owner: revoked first, so nothing else lingers.
        run(sql.SQL("SET LOCAL ROLE {}").format(ident(owner)))
        run(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {}").format(ident(app)))
        run(sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {}").format(ident(app)))
        for grant in (
            f"GRANT {APP_TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA public TO {{}}",
            f"GRANT {APP_SEQUENCE_PRIVILEGES} ON ALL SEQUENCES IN SCHEMA public TO {{}}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {APP_TABLE_PRIVILEGES}"
            " ON TABLES TO {}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {APP_SEQUENCE_PRIVILEGES}"
            " ON SEQUENCES TO {}",
        ):
            run(sql.SQL(grant).format(ident(app)))
    done.append(f"{app}: {APP_TABLE_PRIVILEGES} on {owner}'s tables; {owner}: the schema")
    return done


def master_credentials(secret_id: str, region: str, endpoint_url: str | None) -> tuple[str, str]:
    """User name and password of the RDS-managed master secret (JSON)."""
    import boto3

    from netflix_clone.core.secret_store import SecretError, extract

    client = boto3.client("secretsmanager", region_name=region, endpoint_url=endpoint_url or None)
    try:
        text = client.get_secret_value(SecretId=secret_id).get("SecretString") or ""
    except Exception as exc:
        raise SecretError(f"cannot read secret {secret_id}: {type(exc).__name__}") from None
    return extract(text, "username"), extract(text, "password")


def _env(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ConfigError(f"configuration error: {name} is required")
    return value


def main(argv: list[str]) -> int:
    """`ensure-users`: DATABASE_URL (host, port, database), DATABASE_SECRET_ID (the master
    secret), DATABASE_OWNER_USER, DATABASE_APP_USER, AWS_REGION. One JSON line per run."""
    if argv != ["ensure-users"]:
        sys.stderr.write("usage: python -m netflix_clone.core.db_iam ensure-users\n")
        return 2
    import psycopg
    from sqlalchemy.engine import make_url

    from netflix_clone.core.secret_store import SecretError

    try:
        url = make_url(_env("DATABASE_URL"))
        region = _env("AWS_REGION")
        owner, app = _env("DATABASE_OWNER_USER"), _env("DATABASE_APP_USER")
        if owner == app:
            raise ConfigError("configuration error: the owner and the app need two users")
        user, password = master_credentials(
            _env("DATABASE_SECRET_ID"), region, os.environ.get("AWS_ENDPOINT_URL")
        )
        with psycopg.connect(
            host=url.host,
            port=url.port or 5432,
            dbname=url.database,
            user=user,
            password=password,
            sslmode=str(url.query.get("sslmode", "require")),
            connect_timeout=10,
            application_name="netflix-clone-db-admin",
        ) as conn:
            done = ensure_users(conn, database=url.database or "", owner=owner, app=app)
    except (ConfigError, SecretError, psycopg.Error) as exc:
        # One line, never the password (psycopg's messages don't carry it).
        sys.stderr.write(json.dumps({"event": "db_users_failed", "error": str(exc).strip()}) + "\n")
        return 1
    sys.stdout.write(
        json.dumps({"event": "db_users_ensured", "owner": owner, "app": app, "done": done}) + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
