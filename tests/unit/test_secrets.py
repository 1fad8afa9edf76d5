"""Secret parsing and the database credentials hook (no network)."""

from __future__ import annotations

from typing import Any

import pytest

from netflix_clone.core.secret_store import DatabaseCredentials, SecretError, SecretValue, extract


def test_extract_plain_and_json_forms() -> None:
    assert extract("  abc123  ", "TMDB_API_KEY") == "abc123"
    assert extract('{"TMDB_API_KEY": "k"}', "TMDB_API_KEY") == "k"
    with pytest.raises(SecretError):
        extract('{"other": "k"}', "TMDB_API_KEY")
    with pytest.raises(SecretError):
        extract("{not json", "TMDB_API_KEY")
    with pytest.raises(SecretError):
        extract("   ", "TMDB_API_KEY")


class FakeSecrets:
    def __init__(self, versions: list[str]) -> None:
        self.versions = versions
        self.reads = 0

    def get_secret_value(self, SecretId: str) -> dict[str, Any]:  # noqa: N803 - boto3's name
        value = self.versions[min(self.reads, len(self.versions) - 1)]
        self.reads += 1
        return {"SecretString": value, "VersionId": f"v{self.reads}"}


class FakeDialect:
    def __init__(self, accepted_password: str) -> None:
        self.accepted = accepted_password
        self.attempts: list[dict[str, Any]] = []

    def connect(self, *cargs: Any, **cparams: Any) -> str:
        self.attempts.append(dict(cparams))
        if cparams["password"] != self.accepted:
            raise RuntimeError('FATAL:  password authentication failed for user "app"')
        return "connection"


def _credentials(fake: FakeSecrets) -> DatabaseCredentials:
    def parse(text: str) -> dict[str, str]:
        user, _, password = text.partition(":")
        return {"username": user, "password": password}

    return DatabaseCredentials(SecretValue("db", lambda: fake, parse, ttl=3600))


def test_rotated_database_password_is_re_read_once() -> None:
    fake = FakeSecrets(["app:old", "app:new"])
    credentials = _credentials(fake)
    dialect = FakeDialect(accepted_password="new")
    assert credentials.inject(dialect, None, (), {"host": "db"}) == "connection"
    assert [a["password"] for a in dialect.attempts] == ["old", "new"]
    assert fake.reads == 2
    # The next connection uses the refreshed value straight away.
    credentials.inject(dialect, None, (), {"host": "db"})
    assert fake.reads == 2


def test_other_connection_errors_are_not_retried() -> None:
    fake = FakeSecrets(["app:pw"])
    credentials = _credentials(fake)

    class Down(FakeDialect):
        def connect(self, *cargs: Any, **cparams: Any) -> str:
            raise RuntimeError("could not connect to server: Connection refused")

    with pytest.raises(RuntimeError, match="refused"):
        credentials.inject(Down("pw"), None, (), {})
    assert fake.reads == 1
