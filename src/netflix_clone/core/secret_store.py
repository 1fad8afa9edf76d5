"""Secrets from AWS Secrets Manager, held in memory and refreshed so rotations need no restart."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from netflix_clone.core.observability import redactor
from netflix_clone.core.settings import Settings

if TYPE_CHECKING:
    from netflix_clone.core.db_iam import RdsIamToken

log = logging.getLogger(__name__)


class SecretError(Exception):
    """A secret could not be read; the message never contains the value."""


def secrets_client(settings: Settings) -> Any:
    import boto3  # imported lazily: boto3 is slow to import and unused without a secret id
    from botocore.config import Config

    return boto3.client(
        "secretsmanager",
        region_name=settings.aws_region or "us-east-1",
        endpoint_url=settings.aws_endpoint_url or None,
        config=Config(
            connect_timeout=3, read_timeout=5, retries={"max_attempts": 3, "mode": "standard"}
        ),
    )


def extract(secret_string: str, field: str) -> str:
    """A secret is either the plain value or a JSON object holding it under `field`."""
    text = secret_string.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            raise SecretError("secret looks like JSON but does not parse") from None
        value = data.get(field) if isinstance(data, dict) else None
        if not isinstance(value, str) or not value:
            raise SecretError(f"secret JSON has no string field {field!r}")
        return value.strip()
    if not text:
        raise SecretError("secret is empty")
    return text


class SecretValue:
    """One secret, fetched on first use, re-fetched after `ttl` seconds or on demand.

    On a failed refresh the last good value is kept (a Secrets Manager blip must not take the
    service down); only the very first fetch can fail.
    """

    def __init__(
        self,
        secret_id: str,
        client_factory: Callable[[], Any],
        parse: Callable[[str], Any],
        ttl: float,
    ) -> None:
        self.secret_id = secret_id
        self._client_factory = client_factory
        self._client: Any = None
        self._parse = parse
        self._ttl = ttl
        self._lock = threading.Lock()
        self._value: Any = None
        self._fetched_at = 0.0
        self._version: str | None = None

    def _fetch(self) -> None:
        if self._client is None:
            self._client = self._client_factory()
        try:
            result = self._client.get_secret_value(SecretId=self.secret_id)
        except Exception as exc:
            raise SecretError(
                f"cannot read secret {self.secret_id}: {type(exc).__name__}"
            ) from None
        value = self._parse(result.get("SecretString") or "")
        for part in value.values() if isinstance(value, dict) else [value]:
            redactor.add(str(part))
        if self._version and result.get("VersionId") != self._version:
            log.info("secret rotated", extra={"event": "secret_rotated"})
        self._value, self._version = value, result.get("VersionId")
        self._fetched_at = time.monotonic()

    def get(self, *, force: bool = False) -> Any:
        fresh = time.monotonic() - self._fetched_at < self._ttl
        if self._value is not None and fresh and not force:
            return self._value
        with self._lock:
            if (
                self._value is not None
                and not force
                and time.monotonic() - self._fetched_at < self._ttl
            ):
                return self._value
            try:
                self._fetch()
            except SecretError:
                if self._value is None:
                    raise
                log.warning(
                    "secret refresh failed; keeping the last value",
                    extra={"event": "secret_refresh_failed"},
                )
                self._fetched_at = time.monotonic()
            return self._value


class DatabaseCredentials:
    """Username/password of the RDS-managed master secret, put into each new DB connection."""

    def __init__(self, secret: SecretValue) -> None:
        self._secret = secret

    def inject(self, dialect: Any, conn_rec: Any, cargs: Any, cparams: dict[str, Any]) -> Any:
        """SQLAlchemy `do_connect` hook: connect with the current credentials; when the database
        refuses them (RDS rotated the password since we read it), re-read the secret once."""
        creds = self._secret.get()
        cparams["user"], cparams["password"] = creds["username"], creds["password"]
        try:
            return dialect.connect(*cargs, **cparams)
        except Exception as exc:
            if "authentication failed" not in str(exc).lower():
                raise
            log.info(
                "database refused the stored credentials; re-reading the secret",
                extra={"event": "db_credentials_refresh"},
            )
            creds = self._secret.get(force=True)
            cparams["user"], cparams["password"] = creds["username"], creds["password"]
            return dialect.connect(*cargs, **cparams)


def database_credentials(settings: Settings) -> DatabaseCredentials | RdsIamToken | None:
    if settings.database_iam_user:
        from netflix_clone.core.db_iam import rds_iam_token

        return rds_iam_token(settings)
    if not settings.database_secret_id:
        return None

    def parse(text: str) -> dict[str, str]:
        return {"username": extract(text, "username"), "password": extract(text, "password")}

    secret = SecretValue(
        settings.database_secret_id,
        lambda: secrets_client(settings),
        parse,
        ttl=settings.tmdb_key_refresh_seconds,
    )
    return DatabaseCredentials(secret)
