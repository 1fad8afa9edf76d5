"""The kernel's services, built once per process by the app factory (or the CLI) and passed to
the code that uses them. Typed, with no bag of extras: what a service needs is in its signature.
The web layer resolves these per request (web/deps.py); nothing here knows about HTTP."""

from __future__ import annotations

from dataclasses import dataclass

from netflix_clone.core.db import Database
from netflix_clone.core.ratelimit import RateLimiter
from netflix_clone.core.redis_store import GuardedRedis
from netflix_clone.core.revocation import RevocationSet
from netflix_clone.core.security import Passwords, TokenSigner
from netflix_clone.core.settings import Settings


@dataclass(frozen=True)
class Services:
    settings: Settings
    database: Database
    passwords: Passwords
    tokens: TokenSigner
    limiter: RateLimiter
    revocations: RevocationSet
    redis: GuardedRedis | None = None
