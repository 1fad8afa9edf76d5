"""The `netflix-clone` command as operators run it: a real process, real databases and servers.

Every error path ends in one line on stderr and a documented exit code, never a traceback."""

from __future__ import annotations

import json
import os
import pty
import select
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from flask.testing import FlaskClient

from netflix_clone import __version__
from netflix_clone.core.schema import head_revision
from tests.conftest import PASSWORD, TEST_REDIS_URL, bearer, login

CLI = [sys.executable, "-m", "netflix_clone.cli"]


def run_cli(
    args: list[str],
    url: str,
    tmp_path: Path,
    stdin: str = "",
    **env_overrides: str,
) -> subprocess.CompletedProcess[str]:
    # Nothing of the caller's own configuration leaks in (a DATABASE_SECRET_ID, REDIS_URL, ...).
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "REDIS_", "TMDB_", "SECRET_KEY", "APP_ENV"))
    }
    env.update(APP_ENV="test", DATABASE_URL=url, CATALOG_SOURCE="demo")
    env.update(env_overrides)
    return subprocess.run(
        [*CLI, *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The whole of stderr must be a single `error: ...` line."""
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines
    return lines[0]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_version_and_help(tmp_path: Path) -> None:
    result = run_cli(["--version"], "sqlite://", tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"netflix-clone, version {__version__}"
    helped = run_cli(["--help"], "sqlite://", tmp_path)
    assert helped.returncode == 0
    for command in ("check", "create-admin", "migrate", "seed"):
        assert command in helped.stdout
    assert "dev server" not in helped.stdout.lower()


def test_create_admin_then_list_members(
    client: FlaskClient, database_urls: dict[str, str], backend: str, tmp_path: Path
) -> None:
    result = run_cli(
        ["create-admin", "--email", "Boss@Example.com", "--display-name", "Boss"],
        database_urls[backend],
        tmp_path,
        stdin=PASSWORD + "\n",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("admin boss@example.com has id ")
    assert result.stderr == ""  # no log lines at all on a quiet success
    tokens = login(client, "boss@example.com")
    listing = client.get("/api/users", headers=bearer(tokens))
    assert listing.status_code == 200

    password_file = tmp_path / "password"
    password_file.write_text("another-good-passphrase-42\nignored second line\n")
    promoted = run_cli(
        ["create-admin", "--email", "boss@example.com", "--password-file", str(password_file)],
        database_urls[backend],
        tmp_path,
    )
    assert promoted.returncode == 0, promoted.stderr
    login(client, "boss@example.com", "another-good-passphrase-42")


@pytest.mark.parametrize(
    ("args", "stdin", "env", "code", "words"),
    [
        (
            ["create-admin", "--email", "a@example.com", "--password-file", "/nope"],
            "",
            {},
            2,
            "cannot read --password-file /nope: No such file or directory",
        ),
        (
            ["create-admin", "--email", "weak@example.com"],
            "password\n",
            {},
            1,
            "password",
        ),
        (["create-admin", "--email", "not-an-email"], PASSWORD + "\n", {}, 1, "email"),
        (["create-admin", "--email", "new@example.com"], "\n", {}, 1, "needs a password"),
        (["migrate"], "", {"APP_ENV": "prod"}, 2, "SECRET_KEY"),
        (["seed", "--members", "2"], "\n", {}, 2, "need a password"),
    ],
)
def test_error_paths_print_one_line_and_an_exit_code(
    database_urls: dict[str, str],
    tmp_path: Path,
    args: list[str],
    stdin: str,
    env: dict[str, str],
    code: int,
    words: str,
) -> None:
    result = run_cli(args, database_urls["sqlite"], tmp_path, stdin=stdin, **env)
    assert result.returncode == code, (result.stdout, result.stderr)
    assert words in one_line_error(result)


def test_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/none"
    result = run_cli(["migrate"], url, tmp_path)
    assert result.returncode == 1
    line = one_line_error(result)
    assert line.startswith("error: database error: ") and "127.0.0.1" in line


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    result = run_cli(["create-admin"], "sqlite://", tmp_path)
    assert result.returncode == 2
    assert "Missing option '--email'" in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_command_is_idempotent(
    database_urls: dict[str, str], backend: str, tmp_path: Path
) -> None:
    result = run_cli(["migrate"], database_urls[backend], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "latest migration" in result.stdout
    assert result.stderr == ""


HEAD = head_revision()


def test_migrate_on_an_empty_database_reports_the_step(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    result = run_cli(["migrate"], url, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"database migrated from empty to {HEAD}")
    # Alembic's INFO chatter only with --verbose, and then human-readable on request.
    assert "Context impl" not in result.stdout + result.stderr
    verbose = run_cli(
        ["--log-format", "text", "-v", "migrate"], f"sqlite:///{tmp_path / 'b.sqlite3'}", tmp_path
    )
    assert verbose.returncode == 0, verbose.stderr
    alembic = [line for line in verbose.stderr.splitlines() if "alembic" in line]
    assert alembic, verbose.stderr
    assert all(" INFO alembic." in line and "{" not in line for line in alembic), alembic
    assert '"level"' not in verbose.stdout + verbose.stderr


def test_downgrade_takes_the_schema_back_and_migrate_brings_it_forward(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'down.sqlite3'}"
    assert run_cli(["migrate"], url, tmp_path).returncode == 0
    back = run_cli(["downgrade", "0005_profile_data_version"], url, tmp_path)
    assert back.returncode == 0, back.stderr
    assert back.stdout.strip() == (f"database taken back from {HEAD} to 0005_profile_data_version")
    again = run_cli(["migrate"], url, tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith(f"database migrated from 0005_profile_data_version to {HEAD}")
    unknown = run_cli(["downgrade", "no-such-revision"], url, tmp_path)
    assert unknown.returncode == 1 and "Traceback" not in unknown.stderr, unknown.stderr


def run_on_a_terminal(args: list[str], env: dict[str, str], cwd: Path) -> str:
    """Run the CLI with stdout and stderr on a pseudo-terminal, as a person would."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [*CLI, *args], stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, env=env, cwd=cwd
    )
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            process.kill()
            break
        try:
            data = os.read(leader, 4096)
        except OSError:  # the follower side closed: the process is done
            break
        if not data:
            break
        chunks.append(data)
    process.wait(timeout=60)
    os.close(leader)
    assert process.returncode == 0, b"".join(chunks)
    return b"".join(chunks).decode()


def test_on_a_terminal_logs_are_human_readable(tmp_path: Path) -> None:
    env = dict(
        os.environ,
        APP_ENV="local",
        DATABASE_URL=f"sqlite:///{tmp_path / 't.sqlite3'}",
        CATALOG_SOURCE="demo",
    )
    output = run_on_a_terminal(["-v", "migrate"], env, tmp_path)
    assert f"database migrated from empty to {HEAD}" in output
    assert " INFO alembic.runtime.migration: " in output
    assert '{"time"' not in output and '"level"' not in output


# --- check -----------------------------------------------------------------------------------


def report(result: subprocess.CompletedProcess[str]) -> dict[str, tuple[str, str]]:
    assert "Traceback" not in result.stdout + result.stderr
    lines = {}
    for line in result.stdout.splitlines()[:-1]:
        name, status, detail = line.split(maxsplit=2)
        lines[name] = (status, detail)
    return lines


@pytest.fixture
def secret_ids(aws_env: str) -> dict[str, str]:
    client = boto3.client("secretsmanager", endpoint_url=aws_env, region_name="eu-west-1")
    ids = {}
    for name, value in {
        "cli-tmdb": '{"TMDB_API_KEY": "placeholder"}',
        "cli-secret-key": "a-long-random-secret-key-for-the-cli-check-0123456789",
    }.items():
        try:
            arn = client.create_secret(Name=name, SecretString=value)["ARN"]
        except client.exceptions.ResourceExistsException:
            arn = client.describe_secret(SecretId=name)["ARN"]
        ids[name] = arn
    return ids


def test_check_reaches_everything_and_says_so(
    database_urls: dict[str, str], tmp_path: Path, tmdb: Any, aws_env: str, secret_ids: Any
) -> None:
    result = run_cli(
        ["check"],
        database_urls["postgres"],
        tmp_path,
        APP_ENV="dev",
        SECRET_KEY_SECRET_ID=secret_ids["cli-secret-key"],
        REDIS_URL=TEST_REDIS_URL,
        CATALOG_SOURCE="tmdb",
        TMDB_API_KEY=tmdb.api_key,
        TMDB_BASE_URL=tmdb.base_url,
        AWS_ENDPOINT_URL=aws_env,
        AWS_REGION="eu-west-1",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = report(result)
    assert {name: status for name, (status, _) in lines.items()} == {
        "settings": "ok",
        "database": "ok",
        "redis": "ok",
        "secrets": "ok",
        "tmdb": "ok",
    }
    assert "latest migration" in lines["database"][1]
    assert "SECRET_KEY_SECRET_ID" in lines["secrets"][1]
    assert tmdb.api_key not in result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "all checks passed"
    assert any(r["path"] == "/3/configuration" for r in tmdb.requests)


def test_check_names_each_failure_without_a_traceback(
    database_urls: dict[str, str], tmp_path: Path, tmdb: Any, aws_env: str
) -> None:
    port = closed_port()
    result = run_cli(
        ["check"],
        f"postgresql+psycopg://postgres:hunter2-password@127.0.0.1:{port}/nc",
        tmp_path,
        REDIS_URL=f"redis://127.0.0.1:{port}/0",
        CATALOG_SOURCE="tmdb",
        TMDB_API_KEY="0" * 32,
        TMDB_BASE_URL=tmdb.base_url,
        TMDB_SECRET_ID="does-not-exist",
        AWS_ENDPOINT_URL=aws_env,
        AWS_REGION="eu-west-1",
    )
    assert result.returncode == 1
    lines = report(result)
    assert lines["settings"][0] == "ok"
    assert lines["database"][0] == "FAIL" and f"port {port} failed" in lines["database"][1]
    assert lines["redis"][0] == "FAIL" and "Connection refused" in lines["redis"][1]
    assert lines["secrets"][0] == "FAIL"
    assert "TMDB_SECRET_ID does-not-exist" in lines["secrets"][1]
    assert "ResourceNotFoundException" in lines["secrets"][1]
    assert lines["tmdb"][0] == "FAIL" and "refused the key" in lines["tmdb"][1]
    assert result.stdout.splitlines()[-1] == "4 of 5 checks failed"
    assert "hunter2-password" not in result.stdout + result.stderr


def test_check_reports_invalid_settings_as_json(tmp_path: Path) -> None:
    result = run_cli(["check", "--json"], "sqlite://", tmp_path, APP_ENV="prod")
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert document["checks"] == [
        {"name": "settings", "status": "FAIL", "detail": document["checks"][0]["detail"]}
    ]
    assert "SECRET_KEY" in document["checks"][0]["detail"]


def test_check_on_a_fresh_local_setup_warns_about_migrations(tmp_path: Path) -> None:
    result = run_cli(["check"], "", tmp_path, APP_ENV="local")
    assert result.returncode == 0, result.stdout
    lines = report(result)
    assert lines["database"][0] == "warn" and "migrate" in lines["database"][1]
    assert lines["redis"][0] == lines["secrets"][0] == lines["tmdb"][0] == "skip"


# --- seed ------------------------------------------------------------------------------------


def test_seed_creates_members_with_data_and_is_idempotent(
    client: FlaskClient, database_urls: dict[str, str], backend: str, tmp_path: Path
) -> None:
    result = run_cli(["seed", "--members", "3"], database_urls[backend], tmp_path, PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "seeded 3 member(s) seed1..seed3@example.com"
    assert "seeding members" in result.stderr  # the progress bar's label
    tokens = login(client, "seed2@example.com")
    profiles = client.get("/api/users/me/profiles", headers=bearer(tokens)).json
    assert profiles is not None
    assert [p["name"] for p in profiles["items"]] == ["Seed 2", "Kids"]
    main = profiles["items"][0]["id"]
    chosen = client.post(
        f"/api/users/me/profiles/{main}/token", json={}, headers=bearer(tokens)
    ).json
    assert chosen is not None
    headers = bearer(chosen)
    assert client.get("/api/profile/list", headers=headers).json["total"] == 4  # type: ignore[index]
    watching = client.get("/api/profile/continue-watching", headers=headers).json
    assert watching is not None and len(watching["items"]) == 1

    again = run_cli(["seed", "--members", "3"], database_urls[backend], tmp_path, PASSWORD + "\n")
    assert again.returncode == 0, again.stderr
    assert "3 already existed" in again.stdout
