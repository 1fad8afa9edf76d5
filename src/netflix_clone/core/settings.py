"""Typed configuration read from the environment (names in docs/contracts.md and design §3)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

AppEnv = Literal["local", "test", "dev", "uat", "prod"]
CatalogSource = Literal["auto", "tmdb", "demo"]

# Only ever accepted where APP_ENV is local or test; anything else must bring its own key.
DEV_SECRET_KEY = "local-development-only-secret-key-do-not-deploy"  # noqa: S105
_PLACEHOLDER_SECRETS = re.compile(
    r"^(changeme|change-me|secret|password|replace[-_]?me.*|x+)$", re.I
)
MIN_SECRET_KEY_LENGTH = 32
TMDB_IMAGE_BASE_URL = "https://image.tmdb.org/t/p"
# Same-origin path: the demo catalog's poster and backdrop URLs point at the app itself.
DEMO_IMAGE_BASE_URL = "/images/t/p"


class ConfigError(Exception):
    """The configuration cannot run the service; the message is one line meant for operators."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    app_env: AppEnv = "local"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    database_url: str | None = None
    database_secret_id: str | None = None
    # RDS IAM authentication: the database user to log in as, with a token signed from the
    # pod's AWS credentials instead of a password (db_iam.py).
    database_iam_user: str | None = None
    redis_url: str | None = None
    # ElastiCache IAM authentication: the replication group id. The user is REDIS_URL's; the
    # password is a SigV4 token made from the pod's AWS credentials (Pod Identity).
    redis_iam_cache_name: str | None = None

    secret_key: SecretStr | None = None
    secret_key_secret_id: str | None = None

    tmdb_api_key: SecretStr | None = None
    tmdb_secret_id: str | None = None
    tmdb_base_url: str = "https://api.themoviedb.org/3"
    # Unset: TMDB's image CDN with a TMDB catalog; with the demo catalog, placeholder images
    # the app serves itself at DEMO_IMAGE_BASE_URL (src/netflix_clone/webapp/images.py).
    tmdb_image_base_url: str = ""
    catalog_source: CatalogSource = "auto"
    tmdb_key_refresh_seconds: int = Field(default=300, ge=10)
    # TMDB's CDN allows roughly 40-50 requests/s per IP; stay under it across all our workers.
    tmdb_budget_per_second: int = Field(default=35, ge=1)
    tmdb_connect_timeout: float = Field(default=2.0, gt=0)
    tmdb_read_timeout: float = Field(default=5.0, gt=0)
    tmdb_deadline: float = Field(default=8.0, gt=0, description="Per API call, retries included.")
    tmdb_max_attempts: int = Field(default=3, ge=1, le=6)

    aws_region: str | None = None
    aws_endpoint_url: str | None = None

    # Proxies in front of the app whose X-Forwarded-For we trust (1 behind an ALB, 0 locally).
    trusted_proxy_hops: int = Field(default=0, ge=0, le=5)
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # /openapi.json and /docs: unset means on everywhere but prod (see docs_enabled).
    api_docs_enabled: bool | None = None
    # Strict-Transport-Security on HTTPS answers (HTTPS as the trusted proxy reports it).
    hsts_max_age_seconds: int = Field(default=31_536_000, ge=0)
    spa_dir: Path | None = None

    max_request_bytes: int = Field(default=64 * 1024, ge=1024)
    access_token_ttl_seconds: int = Field(default=15 * 60, ge=60, le=24 * 3600)
    refresh_token_ttl_seconds: int = Field(default=30 * 24 * 3600, ge=3600)

    # Sign-in attempts per client address per window (any account).
    login_limit_per_ip: int = Field(default=30, ge=1)
    # Password and PIN checks, counted before the check (docs/security.md, "Failed passwords").
    # A sign-in counts against (account, address), or against (account, device) when it sends
    # the device token of an earlier sign-in; per window.
    login_limit_per_account_address: int = Field(default=10, ge=1)
    login_limit_per_device: int = Field(default=10, ge=1)
    login_limit_window_seconds: int = Field(default=300, ge=1)
    # Sign-ins without a device token share one ceiling per account (across addresses) per
    # account window: it slows a guesser with many addresses; known devices are not affected.
    login_limit_per_account: int = Field(default=100, ge=1)
    login_limit_account_window_seconds: int = Field(default=3600, ge=1)
    # Checks by signed-in members (the current password, PINs): per session per window, and
    # per account per account window. Failed sign-ins elsewhere never count here.
    checks_limit_per_session: int = Field(default=10, ge=1)
    checks_limit_per_account: int = Field(default=30, ge=1)
    # Refreshes per session (refresh-token family) per window: a client needs one every few
    # minutes; a thief racing the owner's sign-out needs many.
    refresh_limit_per_family: int = Field(default=30, ge=1)
    refresh_limit_window_seconds: int = Field(default=300, ge=1)
    # Memory each worker process may spend on argon2id hashes at once (64 MiB per production
    # hash, so one at a time), callers that may wait for a hash, and how long; docs/security.md
    # has the arithmetic against the pod's memory limit.
    password_hash_memory_mib: int = Field(default=64, ge=8, le=1024)
    password_hash_queue: int = Field(default=2, ge=0, le=64)
    password_hash_wait_seconds: float = Field(default=2.0, gt=0, le=30)
    # Sign-ups per client address per window: each one costs an argon2 hash (~0.5 s of CPU).
    signup_limit_per_ip: int = Field(default=10, ge=1)
    signup_limit_window_seconds: int = Field(default=3600, ge=1)
    # A refresh token presented again within this many seconds of its rotation (two tabs, a
    # retry after a timeout) gets the pair it already yielded instead of ending the session.
    refresh_grace_seconds: int = Field(default=10, ge=0, le=60)
    gateway_rate_limit_per_minute: int = Field(default=600, ge=1)
    # CDN or proxy that replaces images.base_url/secure_base_url in the gateway's configuration.
    gateway_image_base_url: str | None = None

    cache_max_entries: int = Field(default=5000, ge=10)

    # Database resilience (PostgreSQL): a slow or frozen server must cost a 503, not a worker.
    db_connect_timeout: int = Field(default=3, ge=1, le=60)
    db_statement_timeout_ms: int = Field(default=5000, ge=100)
    # Client-side deadline per round trip: libpq has no read timeout, and a frozen server
    # can't enforce its own statement_timeout. Past it the connection is cut (a 503).
    db_operation_timeout: float = Field(default=6.0, gt=0)
    # Units of work holding the database at once per process: keep it below GUNICORN_THREADS,
    # so threads stay free for /healthz and the catalog while the database is in trouble.
    db_pool_size: int = Field(default=4, ge=1)
    db_pool_timeout: float = Field(default=2.0, gt=0)
    db_keepalives_idle: int = Field(default=10, ge=1)
    # Circuit breaker: consecutive failures that open it, and seconds before a trial request.
    db_breaker_failures: int = Field(default=3, ge=1)
    db_breaker_reset_seconds: float = Field(default=1.0, gt=0)

    # Redis is an accelerator: short timeouts and a breaker, then in-process fallbacks.
    redis_socket_timeout: float = Field(default=0.25, gt=0, le=0.25)
    redis_connect_timeout: float = Field(default=0.25, gt=0, le=0.25)
    redis_breaker_failures: int = Field(default=2, ge=1)
    redis_breaker_reset_seconds: float = Field(default=2.0, gt=0)

    # Upstream bulkhead: request threads that may wait on TMDB for a cold key at once, per
    # worker process (leaders and followers of a fetch alike); below GUNICORN_THREADS (8).
    upstream_slots: int = Field(default=3, ge=1)
    # TMDB calls (cold catalog misses, title records to fetch) one member, or one client address
    # when anonymous, may cause per window (a minute): the budget above is everyone's.
    upstream_budget_per_requester: int = Field(default=120, ge=1)
    upstream_budget_window_seconds: int = Field(default=60, ge=1)
    upstream_slot_wait: float = Field(default=1.0, ge=0)
    instance_path: Path = Path("instance")

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("tmdb_base_url", "tmdb_image_base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("gateway_image_base_url")
    @classmethod
    def _image_base_is_a_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not re.match(r"^https?://[^/\s]+(/\S*)?$", value.strip()):
            raise ValueError("GATEWAY_IMAGE_BASE_URL must be an http(s) URL")
        return value.strip().rstrip("/") + "/"  # TMDB's base_url ends in a slash

    @model_validator(mode="after")
    def _default_image_base(self) -> Settings:
        if not self.tmdb_image_base_url:
            demo = self.effective_catalog_source == "demo"
            self.tmdb_image_base_url = DEMO_IMAGE_BASE_URL if demo else TMDB_IMAGE_BASE_URL
        return self

    @model_validator(mode="after")
    def _one_way_to_log_in(self) -> Settings:
        if self.database_iam_user and self.database_secret_id:
            raise ValueError("set DATABASE_IAM_USER or DATABASE_SECRET_ID, not both")
        return self

    @model_validator(mode="after")
    def _require_production_secrets(self) -> Settings:
        if self.embedded:
            return self
        if self.secret_key is None and not self.secret_key_secret_id:
            raise ValueError(
                f"SECRET_KEY or SECRET_KEY_SECRET_ID is required when APP_ENV={self.app_env}"
            )
        if self.secret_key is not None:
            check_secret_key(self.secret_key.get_secret_value(), self.app_env)
        if self.catalog_source == "tmdb" and not (self.tmdb_api_key or self.tmdb_secret_id):
            raise ValueError("CATALOG_SOURCE=tmdb needs TMDB_API_KEY or TMDB_SECRET_ID")
        return self

    @property
    def embedded(self) -> bool:
        """local and test may run on built-in defaults; every deployed environment may not."""
        return self.app_env in ("local", "test")

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        path = (self.instance_path / "netflix_clone.sqlite3").resolve()
        return f"sqlite:///{path}"

    @property
    def docs_enabled(self) -> bool:
        """A map of every route is for the developers building against dev and uat; prod
        serves it only when API_DOCS_ENABLED=true says so."""
        if self.api_docs_enabled is None:
            return self.app_env != "prod"
        return self.api_docs_enabled

    @property
    def uses_embedded_database(self) -> bool:
        return self.database_url is None

    @property
    def tmdb_configured(self) -> bool:
        return self.tmdb_api_key is not None or bool(self.tmdb_secret_id)

    @property
    def effective_catalog_source(self) -> Literal["tmdb", "demo"]:
        if self.catalog_source == "auto":
            return "tmdb" if self.tmdb_configured else "demo"
        return self.catalog_source


def check_secret_key(value: str, app_env: str) -> None:
    if app_env in ("local", "test"):
        return
    if value == DEV_SECRET_KEY or _PLACEHOLDER_SECRETS.match(value):
        raise ValueError(f"SECRET_KEY is a placeholder; set a random value for APP_ENV={app_env}")
    if len(value) < MIN_SECRET_KEY_LENGTH:
        raise ValueError(f"SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters")


def load_settings() -> Settings:
    """Read settings from the environment; any problem becomes one ConfigError line."""
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]).upper()
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(
            f"configuration error: {where + ': ' if where else ''}{message}"
        ) from None
