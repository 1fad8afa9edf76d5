"""Password hashing (argon2id), signed access tokens and refresh-token material. The check of a
request's token (and of its session) is the web layer's: web/sessions.py."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import jwt
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from prometheus_client import Counter, Histogram

from netflix_clone.core.exceptions import Forbidden, Unauthenticated, Unavailable

TOKEN_ALGORITHM = "HS256"  # noqa: S105 - an algorithm name, not a secret
TOKEN_ISSUER = "netflix-clone"  # noqa: S105


def hash_slots(hasher: PasswordHasher, memory_mib: int) -> int:
    """How many hashes fit at once in `memory_mib` (at least one)."""
    return max(1, memory_mib * 1024 // hasher.memory_cost)


def password_hasher(app_env: str) -> PasswordHasher:
    if app_env == "test":
        # Still argon2id, but cheap enough that a test suite can sign up hundreds of members.
        return PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1, type=Type.ID)
    # RFC 9106 second recommended option (64 MiB, 3 passes); argon2-cffi's default profile.
    return PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4, type=Type.ID)


# argon2 holds `memory_cost` KiB for the whole of each hash: 64 MiB in production. Hashes at
# once per process are bounded (Settings.password_hash_slots) so a burst of sign-ins can't take
# a worker past the pod's memory limit; docs/security.md has the arithmetic.
HASHES = Histogram(
    "password_hash_seconds", "Password and PIN hashes and checks (argon2id)", ["outcome"]
)
HASH_REFUSED = Counter(
    "password_hash_refused_total", "Hashes refused because every hashing slot was busy"
)
HASHING_BUSY = "Too many sign-ins are being checked right now; try again in a moment."


class Passwords:
    """argon2id hashing and checks, at most `slots` at once in this process.

    Up to `queue` more callers wait (at most `wait` seconds) for a slot; anyone beyond that,
    or still waiting at the deadline, gets Unavailable (a 503 with Retry-After) at once, so
    sign-in floods hold a few request threads and never the rest. `before` runs first on the
    caller's thread: the app factory passes db.release_reads, so no hash ever holds a
    database connection."""

    def __init__(
        self,
        hasher: PasswordHasher,
        *,
        slots: int = 1,
        queue: int = 2,
        wait: float = 2.0,
        before: Callable[[], None] | None = None,
    ) -> None:
        self._hasher = hasher
        self._slots = threading.BoundedSemaphore(slots)
        self._queue = queue
        self._waiting = 0
        self._lock = threading.Lock()
        self._wait = wait
        self._before = before
        # Verified when the account does not exist, so response time does not reveal members.
        self._dummy = hasher.hash(secrets.token_urlsafe(16))

    @contextmanager
    def _slot(self) -> Iterator[None]:
        if self._before is not None:
            self._before()
        if not self._slots.acquire(blocking=False):
            with self._lock:
                full = self._waiting >= self._queue
                if not full:
                    self._waiting += 1
            if full:
                HASH_REFUSED.inc()
                raise Unavailable(HASHING_BUSY, code="busy", retry_after=1)
            try:
                got = self._slots.acquire(timeout=self._wait)
            finally:
                with self._lock:
                    self._waiting -= 1
            if not got:
                HASH_REFUSED.inc()
                raise Unavailable(HASHING_BUSY, code="busy", retry_after=1)
        try:
            yield
        finally:
            self._slots.release()

    def hash(self, password: str) -> str:
        with self._slot(), HASHES.labels("hash").time():
            return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        with self._slot(), HASHES.labels("verify").time():
            try:
                return (
                    self._hasher.verify(stored_hash or self._dummy, password)
                    and stored_hash is not None
                )
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Refresh tokens are 256 random bits: a fast hash suffices to make a stolen table useless."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    user_id: int
    role: str
    profile_id: int | None = None
    # The sign-in session (the refresh-token family) the token belongs to: logout, reuse of a
    # rotated refresh token, a password change and account deletion revoke it.
    session_id: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_account_token(self) -> bool:
        return self.profile_id is None


# Verified tokens a process remembers, so a member's next requests skip the signature check and
# the claim parsing (~0.2 ms each). An entry holds until the token expires, and only while the
# signing key is the one that verified it. The revocation check still runs on every request.
VERIFIED_CACHE_SIZE = 8192


class TokenSigner:
    def __init__(self, key_provider: Callable[[], str], ttl_seconds: int) -> None:
        self._key = key_provider
        self.ttl = ttl_seconds
        # token -> (signing key, expiry, principal); the dict's own operations are atomic.
        self._verified: dict[str, tuple[str, float, Principal]] = {}

    def issue(self, principal: Principal, *, issued_at: int | None = None, jti: str = "") -> str:
        """A signed token. The same principal, `issued_at` and `jti` give the same token, which
        lets a refresh repeated within its grace period answer with the pair it already issued."""
        now = int(time.time()) if issued_at is None else issued_at
        claims: dict[str, Any] = {
            "iss": TOKEN_ISSUER,
            "sub": str(principal.user_id),
            "role": principal.role,
            "sid": principal.session_id,
            "iat": now,
            "exp": now + self.ttl,
            "jti": jti or secrets.token_hex(8),
        }
        if principal.profile_id is not None:
            claims["pid"] = principal.profile_id
        return jwt.encode(claims, self._key(), algorithm=TOKEN_ALGORITHM)

    def derive(self, purpose: str, value: str) -> str:
        """A value only the holder of the signing key can compute from `value` (HMAC-SHA256):
        the successor of a refresh token, so a repeated refresh can answer the same pair."""
        mac = hmac.new(self._key().encode(), f"{purpose}\0{value}".encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()

    def verify(self, token: str) -> Principal:
        key = self._key()
        known = self._verified.get(token)
        if known is not None and known[0] == key and time.time() < known[1]:
            return known[2]
        principal, expires = self._decode(token, key)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.clear()  # cheaper than an LRU, and rare: one sign-in per entry
        self._verified[token] = (key, expires, principal)
        return principal

    def _decode(self, token: str, key: str) -> tuple[Principal, float]:
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[TOKEN_ALGORITHM],
                issuer=TOKEN_ISSUER,
                options={"require": ["exp", "sub", "iat", "sid"]},
            )
            pid = claims.get("pid")
            sid = claims["sid"]
            if not isinstance(sid, str) or not sid:
                raise ValueError("no session id")
            principal = Principal(
                int(claims["sub"]),
                str(claims.get("role", "member")),
                int(pid) if pid is not None else None,
                sid,
            )
            return principal, float(claims["exp"])
        except (jwt.PyJWTError, ValueError, TypeError):
            raise unauthorized("The access token is invalid or has expired.") from None


def unauthorized(detail: str) -> Unauthenticated:
    return Unauthenticated(detail)


def constant_time_equals(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def require_account_token(principal: Principal, action: str) -> None:
    """Account operations (profiles, the account itself) need the account's own token: a profile
    token, a kids profile's above all, only reaches that profile's viewing."""
    if not principal.is_account_token:
        raise Forbidden(
            f"{action} needs the account's token, not a profile token; sign in with the "
            "account password.",
            code="account-token-required",
        )


SESSION_ENDED = "This session has ended; sign in again."
