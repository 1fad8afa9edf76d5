"""Settings: defaults for local, hard failures with one-line reasons elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from netflix_clone.core.settings import DEV_SECRET_KEY, ConfigError, Settings, load_settings


def test_local_defaults_need_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "APP_ENV",
        "DATABASE_URL",
        "SECRET_KEY",
        "TMDB_API_KEY",
        "TMDB_SECRET_ID",
        "CATALOG_SOURCE",
        "REDIS_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.app_env == "local"
    assert settings.sqlalchemy_url.startswith("sqlite:///")
    assert settings.effective_catalog_source == "demo"


@pytest.mark.parametrize("env", ["dev", "uat", "prod"])
def test_deployed_environments_require_a_secret_key(
    monkeypatch: pytest.MonkeyPatch, env: str
) -> None:
    monkeypatch.setenv("APP_ENV", env)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY_SECRET_ID", raising=False)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "SECRET_KEY" in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("value", ["changeme", DEV_SECRET_KEY, "short-but-random"])
def test_placeholder_or_short_keys_are_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("APP_ENV", "prod")
    monkeypatch.setenv("SECRET_KEY", value)
    with pytest.raises(ConfigError):
        load_settings()


def test_a_real_key_or_a_secret_id_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ENV", "prod")
    monkeypatch.setenv("SECRET_KEY", "x7Qm2P9vL4sT8wZ1cB6nR3yH5jK0dF2gA")
    assert load_settings().app_env == "prod"
    monkeypatch.delenv("SECRET_KEY")
    monkeypatch.setenv("SECRET_KEY_SECRET_ID", "netflix-clone/prod/secret-key")
    assert load_settings().secret_key_secret_id == "netflix-clone/prod/secret-key"


def test_tmdb_source_needs_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ENV", "prod")
    monkeypatch.setenv("SECRET_KEY", "x7Qm2P9vL4sT8wZ1cB6nR3yH5jK0dF2gA")
    monkeypatch.setenv("CATALOG_SOURCE", "tmdb")
    monkeypatch.delenv("TMDB_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="TMDB_API_KEY"):
        load_settings()


def test_cors_origins_parse_from_a_comma_list() -> None:
    assert Settings(cors_origins="https://a.example, https://b.example").cors_origins == [
        "https://a.example",
        "https://b.example",
    ]


def test_the_wsgi_entry_stops_with_one_line_and_no_traceback(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SECRET_KEY_SECRET_ID")}
    env["APP_ENV"] = "prod"
    result = subprocess.run(
        [sys.executable, "-c", "import netflix_clone.wsgi"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "SECRET_KEY" in lines[0]
    assert "Traceback" not in result.stderr
