"""The kernel's services, built once per process by the app factory (or the CLI) and passed to
the code that uses them. Typed, with no bag of extras: what a service needs is in its signature.
The web layer resolves these per request (web/deps.py); nothing here knows about HTTP."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from netflix_clone.core.db import Database
from netflix_clone.core.observability import redactor
from netflix_clone.core.ratelimit import (
    FallbackRateLimiter,
    MemoryRateLimiter,
    RateLimiter,
    RedisRateLimiter,
)
from netflix_clone.core.redis_store import GuardedRedis
from netflix_clone.core.redis_store import connect as connect_redis
from netflix_clone.core.revocation import RevocationSet
from netflix_clone.core.secret_store import (
    SecretValue,
    database_credentials,
    extract,
    secrets_client,
)
from netflix_clone.core.security import Passwords, TokenSigner, hash_slots, password_hasher
from netflix_clone.core.settings import DEV_SECRET_KEY, Settings, check_secret_key


@dataclass(frozen=True)
class Services:
    settings: Settings
    database: Database
    passwords: Passwords
    tokens: TokenSigner
    limiter: RateLimiter
    revocations: RevocationSet
    redis: GuardedRedis | None = None


def build_services(
    settings: Settings,
    *,
    before_hash: Callable[[], None] | None = None,
    session_ended: Callable[[str], bool] | None = None,
) -> Services:
    """Everything the kernel holds for a process. `before_hash` runs before each password or
    PIN hash (the web layer gives the request's database connection back); `session_ended` is
    the revocation set's fallback when Redis can't answer (the database's record)."""
    redis_client = connect_redis(settings)
    limiter: RateLimiter = (
        FallbackRateLimiter(RedisRateLimiter(redis_client), MemoryRateLimiter())
        if redis_client
        else MemoryRateLimiter()
    )
    hasher = password_hasher(settings.app_env)
    return Services(
        settings=settings,
        database=Database(settings, database_credentials(settings)),
        passwords=Passwords(
            hasher,
            slots=hash_slots(hasher, settings.password_hash_memory_mib),
            queue=settings.password_hash_queue,
            wait=settings.password_hash_wait_seconds,
            before=before_hash,
        ),
        tokens=TokenSigner(_secret_key_provider(settings), settings.access_token_ttl_seconds),
        limiter=limiter,
        revocations=RevocationSet(
            redis_client, settings.access_token_ttl_seconds, database=session_ended
        ),
        redis=redis_client,
    )


def _secret_key_provider(settings: Settings) -> Any:
    if settings.secret_key is not None:
        value = settings.secret_key.get_secret_value()
        redactor.add(value)
        return lambda: value
    if settings.secret_key_secret_id:

        def parse(text: str) -> str:
            value = extract(text, "SECRET_KEY")
            check_secret_key(value, settings.app_env)
            return value

        secret = SecretValue(
            settings.secret_key_secret_id,
            lambda: secrets_client(settings),
            parse,
            ttl=settings.tmdb_key_refresh_seconds,
        )
        secret.get()  # fail at start-up, not on the first sign-in
        return secret.get
    return lambda: DEV_SECRET_KEY
