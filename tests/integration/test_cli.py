"""The `netflix-clone` command: migrate and create-admin, as operators run them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from flask.testing import FlaskClient

from tests.conftest import PASSWORD, login


def run_cli(
    args: list[str], url: str, tmp_path: Path, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, APP_ENV="test", DATABASE_URL=url, CATALOG_SOURCE="demo")
    return subprocess.run(
        [sys.executable, "-m", "netflix_clone.cli", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )


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
    assert "boss@example.com" in result.stdout
    tokens = login(client, "boss@example.com")
    listing = client.get(
        "/api/users", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert listing.status_code == 200
    weak = run_cli(
        ["create-admin", "--email", "weak@example.com"],
        database_urls[backend],
        tmp_path,
        stdin="password\n",
    )
    assert weak.returncode == 1
    assert "password" in weak.stderr


def test_migrate_command_is_idempotent(
    database_urls: dict[str, str], backend: str, tmp_path: Path
) -> None:
    result = run_cli(["migrate"], database_urls[backend], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "latest migration" in result.stdout
