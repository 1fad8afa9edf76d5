"""Account rules: sign-up, sign-in, token rotation, and who may see or change which member."""

from __future__ import annotations

import gzip
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from importlib import resources

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, select, update

from netflix_clone.accounts.models import Profile, RefreshToken, User
from netflix_clone.context import services
from netflix_clone.db import db, keep_on_error, unique_or_conflict, utcnow
from netflix_clone.exceptions import Conflict, Forbidden, Invalid, not_found
from netflix_clone.pagination import decode_int_cursor, encode_cursor
from netflix_clone.ratelimit import too_many
from netflix_clone.security import Principal, hash_token, new_refresh_token, unauthorized

MIN_PASSWORD = 10
EMAIL_TAKEN = "An account with this email already exists."


def invalid(field: str, message: str) -> Invalid:
    return Invalid.field(field, message, message)


def normalise_email(raw: str, field: str = "email") -> str:
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise invalid(field, f"not a valid email address: {exc}") from None
    return unicodedata.normalize("NFC", result.normalized).lower()


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    # 20k most common passwords (Royce Williams' list, as shipped by Django; BSD licence).
    data = (
        resources.files("netflix_clone.accounts").joinpath("common-passwords.txt.gz").read_bytes()
    )
    return frozenset(gzip.decompress(data).decode().split())


def check_password_policy(
    password: str, email: str, display_name: str = "", field: str = "password"
) -> None:
    if len(password) < MIN_PASSWORD:
        raise invalid(field, f"must be at least {MIN_PASSWORD} characters")
    if not password.strip():
        raise invalid(field, "must not be blank")
    lowered = password.lower()
    if lowered in _common_passwords() or lowered.strip() in _common_passwords():
        raise invalid(field, "is too common; choose a less guessable password")
    local = email.split("@", 1)[0]
    if (len(local) >= 4 and local in lowered) or lowered == display_name.lower():
        raise invalid(field, "must not contain your email name or equal your display name")
    if len(set(password)) < 4:
        raise invalid(field, "needs more variety than a few repeated characters")


def sign_up(email: str, password: str, display_name: str, role: str = "member") -> User:
    svc = services()
    normalised = normalise_email(email)
    check_password_policy(password, normalised, display_name)
    user = User(
        email=normalised,
        display_name=display_name,
        role=role,
        password_hash=svc.passwords.hash(password),
    )
    with unique_or_conflict(EMAIL_TAKEN, "email-taken"):
        db.session.add(user)  # the unique email index decides concurrent sign-ups: one wins
    # Every account starts with its main profile, named after the member.
    db.session.add(Profile(user_id=user.id, name=display_name[:40], is_main=True))
    db.session.flush()
    return user


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


def _issue(user: User, family_id: str | None = None) -> TokenPair:
    svc = services()
    refresh = new_refresh_token()
    now = utcnow()
    db.session.add(
        RefreshToken(
            user_id=user.id,
            family_id=family_id or secrets.token_hex(16),
            token_hash=hash_token(refresh),
            created_at=now,
            expires_at=now + timedelta(seconds=svc.settings.refresh_token_ttl_seconds),
        )
    )
    access = svc.tokens.issue(Principal(user.id, user.role))
    return TokenPair(access, refresh, svc.tokens.ttl)


def login(email: str, password: str, client_ip: str) -> TokenPair:
    svc = services()
    cfg = svc.settings
    window = cfg.login_limit_window_seconds
    by_ip = svc.limiter.hit(f"login:ip:{client_ip}", cfg.login_limit_per_ip, window)
    if not by_ip.allowed:
        raise too_many(by_ip, "Too many sign-in attempts from this address. Try again later.")
    try:
        normalised = normalise_email(email)
    except Invalid:
        normalised = email.strip().lower()
    account_key = f"login:acct:{hash_token(normalised)}"
    by_account = svc.limiter.peek(account_key, cfg.login_limit_per_account, window)
    if not by_account.allowed:
        raise too_many(by_account, "Too many failed sign-ins for this account. Try again later.")

    user = db.session.scalar(select(User).where(User.email == normalised))
    if not svc.passwords.verify(user.password_hash if user else None, password) or user is None:
        svc.limiter.hit(account_key, cfg.login_limit_per_account, window)
        raise unauthorized("The email or password is wrong.")
    if svc.passwords.needs_rehash(user.password_hash):
        user.password_hash = svc.passwords.hash(password)
    return _issue(user)


def _revoke_family(family_id: str) -> None:
    db.session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    keep_on_error()  # a revocation stands even though the request that caused it fails


def refresh(token: str) -> TokenPair:
    row = db.session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == hash_token(token))
    )
    if row is None:
        raise unauthorized("The refresh token is not valid.")
    if row.used_at is None and row.revoked_at is not None:
        raise unauthorized("This session has ended (signed out or revoked); sign in again.")
    if row.used_at is not None or row.revoked_at is not None:
        # A rotated-out token came back: someone holds a copy. End the whole session family.
        _revoke_family(row.family_id)
        raise unauthorized("The refresh token was already used; the session has been revoked.")
    if row.expires_at <= utcnow():
        raise unauthorized("The refresh token has expired; sign in again.")
    claimed = db.session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.id == row.id,
            RefreshToken.used_at.is_(None),
            RefreshToken.revoked_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        _revoke_family(row.family_id)
        raise unauthorized("The refresh token was already used; the session has been revoked.")
    user = db.session.get(User, row.user_id)
    if user is None:
        raise unauthorized("The account no longer exists.")
    return _issue(user, row.family_id)


def logout(token: str) -> None:
    row = db.session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == hash_token(token))
    )
    if row is not None:
        _revoke_family(row.family_id)


def acting_user(principal: Principal) -> User:
    """The caller's own account, re-read so deleted accounts and demoted admins lose access now."""
    user = db.session.get(User, principal.user_id)
    if user is None:
        raise unauthorized("The account behind this token no longer exists.")
    return user


def visible_user(principal: Principal, user_id: int) -> tuple[User, User]:
    """(caller, target). Members see only themselves; anything else is 404, not 403."""
    caller = acting_user(principal)
    if caller.id == user_id:
        return caller, caller
    if caller.role != "admin":
        raise not_found("member")
    target = db.session.get(User, user_id)
    if target is None:
        raise not_found("member")
    return caller, target


def update_user(
    principal: Principal,
    user_id: int,
    *,
    display_name: str | None,
    email: str | None,
    password: str | None,
    current_password: str | None,
    role: str | None,
) -> User:
    svc = services()
    caller, user = visible_user(principal, user_id)
    is_self = caller.id == user.id
    if role is not None and caller.role != "admin":
        raise Forbidden("Only an admin can change roles.")
    if role is not None and is_self and role != "admin":
        raise Conflict("An admin cannot demote themself; ask another admin.")
    changes_credentials = email is not None or password is not None
    if (
        changes_credentials
        and is_self
        and not (current_password and svc.passwords.verify(user.password_hash, current_password))
    ):
        raise Forbidden("Confirm the change with your current password.", code="password-required")
    if display_name is not None:
        user.display_name = display_name
    if email is not None:
        new_email = normalise_email(email)
        with unique_or_conflict(EMAIL_TAKEN, "email-taken"):
            user.email = new_email
    if password is not None:
        check_password_policy(password, user.email, user.display_name)
        user.password_hash = svc.passwords.hash(password)
        # A new password ends every other session of the member.
        db.session.execute(delete(RefreshToken).where(RefreshToken.user_id == user.id))
    if role is not None:
        user.role = role
    return user


def delete_user(principal: Principal, user_id: int) -> None:
    _, user = visible_user(principal, user_id)
    # Foreign keys cascade to every row the member owns (tokens, profiles, lists, ...).
    db.session.execute(delete(User).where(User.id == user.id))


def list_users(
    principal: Principal, email_prefix: str | None, cursor: str | None, per_page: int
) -> tuple[list[User], str | None]:
    caller = acting_user(principal)
    if caller.role != "admin":
        raise Forbidden("Only admins can list members.")
    query = select(User).order_by(User.id).limit(per_page + 1)
    if email_prefix:
        escaped = (
            email_prefix.strip()
            .lower()
            .replace("\\", "\\\\")
            .replace("%", "\\%")
            .replace("_", "\\_")
        )
        query = query.where(User.email.like(escaped + "%", escape="\\"))
    if cursor:
        query = query.where(User.id > decode_int_cursor(cursor))
    rows = list(db.session.scalars(query))
    next_cursor = encode_cursor(rows[per_page - 1].id) if len(rows) > per_page else None
    return rows[:per_page], next_cursor


def create_or_promote_admin(email: str, password: str | None, display_name: str) -> User:
    normalised = normalise_email(email)
    user: User | None = db.session.scalar(select(User).where(User.email == normalised))
    if user is None:
        if not password:
            raise invalid("password", "a new admin needs a password")
        return sign_up(normalised, password, display_name, role="admin")
    user.role = "admin"
    if password:
        check_password_policy(password, normalised, user.display_name)
        user.password_hash = services().passwords.hash(password)
    return user
