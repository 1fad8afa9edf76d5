"""The `netflix-clone` command: migrations, admins, demo data and a pre-flight `check`.

Run `netflix-clone --help`. The web server is gunicorn (`make run`, or the container), not this
command. Every failure is one line on stderr and an exit code, never a traceback (unless
`--debug`):

    0  done            1  refused or failed (a rule, an unreachable dependency, a failed check)
    2  wrong usage or invalid configuration        130  interrupted

Commands run the same service functions as the API, with the same services (built here as the
app factory builds them, without a web app): no request is faked. Logs go to stderr
(human-readable on a terminal, JSON lines otherwise, or as `--log-format` says); results go to
stdout so scripts can capture them.
"""

from __future__ import annotations

import getpass
import json
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn

import click

from netflix_clone.core.exceptions import DomainError
from netflix_clone.core.settings import ConfigError, Settings, load_settings
from netflix_clone.version import __version__

if TYPE_CHECKING:  # the commands import what they use when they run: --help stays quick
    from netflix_clone.catalog.source import Catalog
    from netflix_clone.core.container import Services

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
# Libraries whose INFO lines are noise on a terminal ("Context impl SQLiteImpl.", ...).
QUIET_LOGGERS = ("alembic", "botocore", "boto3", "urllib3", "httpx")


class CliError(click.ClickException):
    """One line on stderr, then exit 1."""

    exit_code = EXIT_FAILED

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class CliUsageError(CliError):
    """Wrong usage or configuration: exit 2."""

    exit_code = EXIT_USAGE


def cli_error(message: str, exit_code: int = EXIT_FAILED) -> CliError:
    return CliUsageError(message) if exit_code == EXIT_USAGE else CliError(message)


def fail(message: str, exit_code: int = EXIT_FAILED) -> NoReturn:
    raise cli_error(message, exit_code)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def describe_failure(exc: BaseException) -> tuple[str, int]:
    """The one line and exit code for a failure that escaped a command."""
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    from netflix_clone.catalog.tmdb import UpstreamError
    from netflix_clone.core.secret_store import SecretError

    if isinstance(exc, UpstreamError):  # an operator wants TMDB's own words, not the member's
        return f"the movie catalog failed: {exc.reason}", EXIT_FAILED
    if isinstance(exc, DomainError):
        return exc.describe(), EXIT_FAILED
    if isinstance(exc, ConfigError):
        return str(exc), EXIT_USAGE
    if isinstance(exc, SecretError):
        return f"secret unavailable: {exc}", EXIT_FAILED
    if isinstance(exc, DBAPIError):
        reason = _one_line(exc.orig) if exc.orig is not None else type(exc).__name__
        return f"database error: {reason}", EXIT_FAILED
    if isinstance(exc, SQLAlchemyError):
        return f"database error: {_one_line(exc)}", EXIT_FAILED
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        return f"{exc.strerror or _one_line(exc)}{where}", EXIT_FAILED
    return (
        f"unexpected {type(exc).__name__}: {_one_line(exc)} (run with --debug for the traceback)",
        EXIT_FAILED,
    )


# --- logging ---------------------------------------------------------------------------------


class HumanFormatter(logging.Formatter):
    """`12:00:01 WARNING netflix_clone.core.secret_store: message`, secrets scrubbed."""

    def format(self, record: logging.LogRecord) -> str:
        from netflix_clone.core.observability import redactor

        stamp = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S")
        line = f"{stamp} {record.levelname} {record.name}: {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return redactor.scrub(line)


LogFormat = Literal["auto", "text", "json"]


def configure_cli_logging(fmt: LogFormat, verbose: bool) -> None:
    """Our handler on stderr, installed before the app factory so it adds no JSON one to stdout."""
    from netflix_clone.core.observability import JsonFormatter, OurHandler

    human = fmt == "text" or (fmt == "auto" and sys.stderr.isatty())
    handler = OurHandler(sys.stderr, HumanFormatter() if human else JsonFormatter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, OurHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.WARNING)


# --- the application, built once per command ---------------------------------------------------


@dataclass(frozen=True)
class Runtime:
    """What the commands call services with: the kernel's services and the catalog."""

    services: Services
    catalog: Catalog


@dataclass
class State:
    debug: bool = False
    _runtime: Runtime | None = None

    def settings(self) -> Settings:
        return load_settings()

    def runtime(self) -> Runtime:
        if self._runtime is None:
            self._runtime = build_runtime(self.settings())
        return self._runtime


def build_runtime(settings: Settings) -> Runtime:
    from netflix_clone.catalog.source import build_catalog
    from netflix_clone.core.container import build_services
    from netflix_clone.core.schema import migrate_embedded
    from netflix_clone.library.service import hidden_keys

    svc = build_services(settings, session_ended=lambda sid: _session_ended(svc, sid))
    catalog = build_catalog(settings, svc.redis, svc.limiter)
    catalog.exclusions = hidden_keys
    if settings.app_env == "local" and settings.uses_embedded_database:
        migrate_embedded(settings, svc.database)
    return Runtime(svc, catalog)


def _session_ended(svc: Services, session_id: str) -> bool:
    from netflix_clone.accounts.service import session_ended_in_database

    with svc.database.unit() as db:
        return session_ended_in_database(db, session_id)


class NetflixCloneGroup(click.Group):
    """Turns every failure of a command into one line and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except Exception as exc:
            state = ctx.find_object(State)
            if state is not None and state.debug:
                raise
            message, code = describe_failure(exc)
            raise cli_error(message, code) from None


@click.group(cls=NetflixCloneGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="netflix-clone")
@click.option(
    "--log-format",
    type=click.Choice(["auto", "text", "json"]),
    default="auto",
    show_default=True,
    help="Logs on stderr: text on a terminal and JSON otherwise (auto), or forced.",
)
@click.option("-v", "--verbose", is_flag=True, help="Also show libraries' INFO logs (alembic).")
@click.option("--debug", is_flag=True, help="Show the traceback of an unexpected failure.")
@click.pass_context
def cli(ctx: click.Context, log_format: LogFormat, verbose: bool, debug: bool) -> None:
    """Operate a netflix-clone deployment: configured by the same environment variables as the
    server (DATABASE_URL, REDIS_URL, TMDB_API_KEY, ...; see README)."""
    configure_cli_logging(log_format, verbose)
    ctx.obj = State(debug=debug)


# --- migrate ---------------------------------------------------------------------------------


@cli.command()
@click.pass_obj
def migrate(state: State) -> None:
    """Apply the database migrations (idempotent)."""
    from netflix_clone.core.schema import current_revision, upgrade

    database = state.runtime().services.database
    before = current_revision(database)
    upgrade(database)
    after = current_revision(database)
    if before == after:  # also when the embedded SQLite default migrated itself at start-up
        click.echo(f"database is at the latest migration ({after})")
    else:
        click.echo(f"database migrated from {before or 'empty'} to {after} (the latest migration)")


@cli.command()
@click.argument("revision")
@click.pass_obj
def downgrade(state: State, revision: str) -> None:
    """Take the schema back to REVISION (an Alembic revision id, or `base`). A deliberate act,
    never part of a rollback (docs/deploy.md): data in what it removes is lost."""
    from netflix_clone.core.schema import current_revision
    from netflix_clone.core.schema import downgrade as take_back

    database = state.runtime().services.database
    before = current_revision(database)
    take_back(database, revision)
    click.echo(f"database taken back from {before or 'empty'} to {current_revision(database)}")


# --- create-admin ----------------------------------------------------------------------------


def read_password(password_file: str | None, prompt: str) -> str | None:
    """From a file, a terminal prompt, or the first line of stdin; None when empty."""
    if password_file:
        try:
            text = Path(password_file).read_text(encoding="utf-8")
        except OSError as exc:
            fail(f"cannot read --password-file {password_file}: {exc.strerror}", EXIT_USAGE)
        except UnicodeDecodeError:
            fail(f"--password-file {password_file} is not UTF-8 text", EXIT_USAGE)
        lines = text.splitlines()
        return (lines[0].strip() if lines else "") or None
    if sys.stdin.isatty():
        return getpass.getpass(prompt) or None
    return sys.stdin.readline().strip() or None


@cli.command("create-admin")
@click.option("--email", required=True, help="The admin's email (an existing member is promoted).")
@click.option("--display-name", default="Admin", show_default=True)
@click.option(
    "--password-file",
    metavar="PATH",
    help="Read the password from the first line of this file (else a prompt, or stdin).",
)
@click.pass_obj
def create_admin(state: State, email: str, display_name: str, password_file: str | None) -> None:
    """Create an admin, or promote an existing member (keeping their password unless given)."""
    from netflix_clone.accounts.service import create_or_promote_admin

    password = read_password(password_file, "Password (empty to keep an existing account's): ")
    svc = state.runtime().services
    # Services write; the caller ends the unit of work (one commit), as a request does.
    with svc.database.unit() as db:
        user = create_or_promote_admin(db, svc, email, password, display_name)
        click.echo(f"admin {user.email} has id {user.id}")


# --- seed ------------------------------------------------------------------------------------

SEED_RATINGS = ("love", "like", "dislike")


@cli.command()
@click.option("--members", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.option(
    "--email-domain", default="example.com", show_default=True, help="Members are seedN@DOMAIN."
)
@click.option(
    "--password-file",
    metavar="PATH",
    help="The members' password, first line (else a prompt, or stdin).",
)
@click.pass_obj
def seed(state: State, members: int, email_domain: str, password_file: str | None) -> None:
    """Demo members with a kids profile, My List, ratings and something to continue watching.

    Idempotent: a member that already exists is left as it is."""
    from netflix_clone.accounts import profiles
    from netflix_clone.accounts.service import sign_up
    from netflix_clone.core.exceptions import Conflict
    from netflix_clone.core.security import Principal
    from netflix_clone.library import service as library

    password = read_password(password_file, "Password for the demo members: ")
    if not password:
        fail("the demo members need a password (--password-file, a prompt, or stdin)", EXIT_USAGE)
    created = skipped = 0
    runtime = state.runtime()
    svc, catalog = runtime.services, runtime.catalog
    popular = catalog.fetch("movie/popular", {"page": "1"}).body.get("results", [])
    movie_ids = [int(m["id"]) for m in popular if not m.get("adult")]
    if len(movie_ids) < 6:
        fail("the catalog returned too few popular titles to seed from")
    with click.progressbar(
        range(1, members + 1), label="seeding members", file=sys.stderr, show_pos=True
    ) as numbers:
        for n in numbers:
            email = f"seed{n}@{email_domain}"
            # One unit of work per member: a failure later keeps the earlier ones.
            try:
                with svc.database.unit() as db:
                    user = sign_up(db, svc, email, password, f"Seed {n}")
                    principal = Principal(user.id, user.role)
                    main = profiles.list_profiles(db, principal, user.id)[0]
                    profiles.create_profile(
                        db, svc, principal, user.id, {"name": "Kids", "kids": True}
                    )
                    picks = [movie_ids[(n + i) % len(movie_ids)] for i in range(6)]
                    for movie_id in picks[:4]:
                        library.add_to_list(db, catalog, main, ("movie", movie_id))
                    for i, movie_id in enumerate(picks[2:5]):
                        library.rate(db, catalog, main, ("movie", movie_id), SEED_RATINGS[i])
                    library.record_progress(db, catalog, main, ("movie", picks[5]), 1800, 6000, 1)
            except Conflict:  # the email is taken: seeded before
                skipped += 1
                continue
            created += 1
    click.echo(
        f"seeded {created} member(s) seed1..seed{members}@{email_domain}"
        + (f"; {skipped} already existed" if skipped else "")
    )


# --- demo-seed -------------------------------------------------------------------------------


@cli.command("demo-seed")
@click.option(
    "--url",
    default="http://127.0.0.1:8000/",
    show_default=True,
    help="Where the web app is served, for the sign-in line.",
)
@click.pass_obj
def demo_seed(state: State, url: str) -> None:
    """The demo member of `make demo`: three profiles (one a kids profile), Continue Watching
    (a series at S2:E4), My List and ratings, from the bundled demo catalog.

    Its password is published: refused unless APP_ENV is local or test and the database is
    SQLite or on this machine. Run again, it resets the demo account (deleted, with its
    sessions, and made anew); other members are untouched."""
    from netflix_clone.demo import (
        DEMO_EMAIL,
        DEMO_PASSWORD,
        local_database_problem,
        seed_demo_member,
    )

    settings = state.settings()
    problem = local_database_problem(settings)
    if problem:
        fail(f"refused: {problem}")
    if settings.effective_catalog_source != "demo":
        fail(
            "the demo member's titles come from the bundled demo catalog: run with "
            "CATALOG_SOURCE=demo (make demo does)",
            EXIT_USAGE,
        )
    runtime = state.runtime()
    seeded = seed_demo_member(runtime.services, runtime.catalog)
    how = "reset (it existed: deleted and seeded again)" if seeded.reset else "created and seeded"
    click.echo(f"demo account {DEMO_EMAIL} {how}; other members untouched")
    for line in seeded.lines:
        click.echo(f"  {line}")
    click.echo(f"Open {url} and sign in as {DEMO_EMAIL} with the password {DEMO_PASSWORD}")
    click.echo("(a published demo password: this command refuses any database but a local one)")


# --- check -----------------------------------------------------------------------------------

Status = Literal["ok", "warn", "FAIL", "skip"]


@dataclass
class Result:
    name: str
    status: Status
    detail: str


class CheckFailed(Exception):
    """A check's own verdict, already worded for the report."""


def _check(name: str, fn: Callable[[], tuple[Status, str] | str]) -> Result:
    started = time.perf_counter()
    try:
        outcome = fn()
    except CheckFailed as exc:
        return Result(name, "FAIL", str(exc))
    except Exception as exc:
        message, _ = describe_failure(exc)
        return Result(name, "FAIL", message)
    elapsed = (time.perf_counter() - started) * 1000
    status, detail = outcome if isinstance(outcome, tuple) else ("ok", outcome)
    if status == "ok":
        detail = f"{detail} ({elapsed:.0f} ms)"
    return Result(name, status, detail)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(unparsable URL)"


def check_database(settings: Settings, head: str) -> tuple[Status, str] | str:
    from sqlalchemy import create_engine, event, inspect, text
    from sqlalchemy.engine import make_url

    from netflix_clone.core.db import engine_options
    from netflix_clone.core.secret_store import database_credentials

    url = settings.sqlalchemy_url
    shown = _safe_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        path = Path(parsed.database)
        if not path.is_file():
            return "warn", f"{shown}: no database file yet (`netflix-clone migrate` creates it)"
    options = engine_options(settings)
    options.pop("pool_size", None)
    options.pop("max_overflow", None)
    options.pop("pool_timeout", None)
    engine = create_engine(url, **options)
    credentials = database_credentials(settings)
    if credentials is not None:
        event.listen(engine, "do_connect", credentials.inject)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = None
            if inspect(conn).has_table("alembic_version"):
                current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()
    if current is None:
        return "warn", f"{shown} answers but has no schema yet (run `netflix-clone migrate`)"
    if current != head:
        return "warn", f"{shown} is at migration {current}; {head} is the latest (run migrate)"
    return "ok", f"{shown} answers; schema at the latest migration ({head})"


def check_redis(settings: Settings) -> tuple[Status, str] | str:
    if not settings.redis_url:
        return "skip", "REDIS_URL is unset: cache and rate limits are in-process"
    import redis

    client = redis.Redis.from_url(
        settings.redis_url, socket_timeout=3, socket_connect_timeout=3, retry_on_timeout=False
    )
    try:
        client.ping()
        info: dict[str, Any] = client.info("server")  # type: ignore[assignment]
        version = info.get("redis_version", "?")
    except redis.RedisError as exc:
        raise CheckFailed(f"{_safe_url(settings.redis_url)}: {_one_line(exc)}") from None
    finally:
        client.close()
    return f"{_safe_url(settings.redis_url)} answers (Redis {version})"


def check_secrets(settings: Settings) -> tuple[Status, str] | str:
    from netflix_clone.core.secret_store import extract, secrets_client

    wanted = {
        "SECRET_KEY_SECRET_ID": (settings.secret_key_secret_id, ("SECRET_KEY",)),
        "DATABASE_SECRET_ID": (settings.database_secret_id, ("username", "password")),
        "TMDB_SECRET_ID": (settings.tmdb_secret_id, ("TMDB_API_KEY",)),
    }
    configured = {name: v for name, v in wanted.items() if v[0]}
    if not configured:
        return "skip", "no *_SECRET_ID is set: secrets come from environment variables"
    client = secrets_client(settings)
    read: list[str] = []
    for name, (secret_id, fields) in configured.items():
        try:
            text = client.get_secret_value(SecretId=secret_id).get("SecretString") or ""
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code")
            if type(exc).__name__ == "NoCredentialsError":
                code = "no AWS credentials found: set them, or run with an IAM role"
            raise CheckFailed(
                f"{name} {secret_id}: cannot read it ({code or type(exc).__name__})"
            ) from None
        for field in fields:
            try:
                extract(text, field)
            except Exception as exc:
                raise CheckFailed(f"{name} {secret_id}: {exc}") from None
        read.append(name)
    region = settings.aws_region or "us-east-1"
    return f"read {', '.join(read)} from Secrets Manager ({region})"


def check_tmdb(settings: Settings) -> tuple[Status, str] | str:
    if settings.effective_catalog_source != "tmdb":
        return "skip", "the bundled demo catalog serves (no TMDB key, or CATALOG_SOURCE=demo)"
    from netflix_clone.catalog.tmdb import TMDBClient, TMDBKeys, UpstreamAuthError, UpstreamError

    client = TMDBClient(
        settings.tmdb_base_url,
        TMDBKeys(settings),
        connect_timeout=settings.tmdb_connect_timeout,
        read_timeout=settings.tmdb_read_timeout,
        deadline=settings.tmdb_deadline,
        max_attempts=1,
    )
    try:
        client.get("configuration", {})
    except UpstreamAuthError as exc:
        raise CheckFailed(f"{settings.tmdb_base_url} refused the key: {exc.reason}") from None
    except UpstreamError as exc:
        raise CheckFailed(f"{settings.tmdb_base_url}: {exc.reason}") from None
    finally:
        client.close()
    return f"{settings.tmdb_base_url} accepted the key"


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON document.")
def check(as_json: bool) -> None:
    """Validate the settings, then reach the database, Redis, Secrets Manager and TMDB.

    Exits 1 when anything fails; `warn` (for example, migrations not applied yet) does not."""
    results: list[Result] = []
    try:
        settings = load_settings()
    except ConfigError as exc:
        results.append(Result("settings", "FAIL", str(exc)))
        settings = None
    if settings is not None:
        results.append(
            Result(
                "settings",
                "ok",
                f"APP_ENV={settings.app_env}, catalog {settings.effective_catalog_source}, "
                f"database {_safe_url(settings.sqlalchemy_url)}",
            )
        )
        from netflix_clone.core.schema import head_revision

        head = head_revision()  # before the clock starts: importing Alembic is not the database
        results.append(_check("database", lambda: check_database(settings, head)))
        results.append(_check("redis", lambda: check_redis(settings)))
        results.append(_check("secrets", lambda: check_secrets(settings)))
        results.append(_check("tmdb", lambda: check_tmdb(settings)))
    failed = [r for r in results if r.status == "FAIL"]
    if as_json:
        report = {"ok": not failed, "checks": [r.__dict__ for r in results]}
        click.echo(json.dumps(report, indent=2))
    else:
        for r in results:
            colour = {"ok": "green", "warn": "yellow", "FAIL": "red", "skip": None}[r.status]
            status = click.style(f"{r.status:<4}", fg=colour) if colour else f"{r.status:<4}"
            click.echo(f"{r.name:<9} {status}  {r.detail}")
        click.echo(
            f"{len(failed)} of {len(results)} checks failed" if failed else "all checks passed"
        )
    if failed:
        raise click.exceptions.Exit(EXIT_FAILED)


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="netflix-clone")


if __name__ == "__main__":
    main()
