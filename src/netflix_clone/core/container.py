"""The per-app service container, built once by the app factory and reached through services()."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from netflix_clone.core.ratelimit import RateLimiter
from netflix_clone.core.redis_store import GuardedRedis
from netflix_clone.core.revocation import RevocationSet
from netflix_clone.core.security import Passwords, TokenSigner
from netflix_clone.core.settings import Settings


@dataclass
class Services:
    settings: Settings
    passwords: Passwords
    tokens: TokenSigner
    limiter: RateLimiter
    revocations: RevocationSet
    redis: GuardedRedis | None = None
    extras: dict[str, Any] = field(default_factory=dict)


def services() -> Services:
    svc: Services = current_app.extensions["netflix_clone"]
    return svc
