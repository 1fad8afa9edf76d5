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
from zxcvbn import zxcvbn

from netflix_clone.accounts import versions
from netflix_clone.accounts.countries import check_country
from netflix_clone.accounts.models import (
    Profile,
    RefreshToken,
    User,
    session_ended,
    session_stands,
)
from netflix_clone.core.container import Services
from netflix_clone.core.db import Session, holding_locks, keep_on_error, unique_or_conflict, utcnow
from netflix_clone.core.exceptions import Conflict, Forbidden, Invalid, not_found
from netflix_clone.core.pagination import decode_int_cursor, encode_cursor
from netflix_clone.core.ratelimit import too_many
from netflix_clone.core.security import (
    SESSION_ENDED,
    Principal,
    constant_time_equals,
    hash_token,
    new_refresh_token,
    require_account_token,
    unauthorized,
)

MIN_PASSWORD = 10
EMAIL_TAKEN = "An account with this email already exists."


def invalid(field: str, message: str) -> Invalid:
    return Invalid.field(field, message, message)


def normalise_email(raw: str, field: str = "email") -> str:
    """The one spelling of an address that uniqueness is decided on: NFKC, case-folded.

    Refused, because each lets one person register what reads as somebody else's address: an
    address that NFKC would change (fullwidth letters, ligatures); one with combining marks (a
    dot above, an accent as its own character: `exam\u0307ple.com`, or `İ`, which case-folds to
    `i` plus a combining dot); and one that mixes writing systems within one part (a Cyrillic a
    among Latin letters). The checks run on the case-folded address, the form that is stored."""
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise invalid(field, f"not a valid email address: {exc}") from None
    address = unicodedata.normalize("NFC", result.normalized)
    folded = address.casefold()
    for form in (address, folded):
        if unicodedata.normalize("NFKC", form) != form:
            raise invalid(
                field, "must use ordinary characters, not fullwidth or compatibility forms"
            )
    if any(unicodedata.category(c) in _MARKS for c in raw + folded):
        raise invalid(field, "must not contain combining marks (accents as separate characters)")
    local, _, domain = folded.rpartition("@")
    for part in (local, *domain.split(".")):
        if len(_scripts(part)) > 1:
            raise invalid(field, "must not mix letters of different alphabets within one part")
    return folded


_MARKS = frozenset({"Mn", "Mc", "Me"})


def _scripts(text: str) -> set[str]:
    """Writing systems of the letters in `text`, from their Unicode names (LATIN, CYRILLIC...)."""
    return {unicodedata.name(c, "UNKNOWN").split(" ", 1)[0] for c in text if c.isalpha()}


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    # 20k most common passwords (Royce Williams' list, as shipped by Django; BSD licence).
    data = (
        resources.files("netflix_clone.accounts").joinpath("common-passwords.txt.gz").read_bytes()
    )
    return frozenset(gzip.decompress(data).decode().split())


# zxcvbn scores 0 (guessable in under 10^3 tries) to 4 (over 10^10); 3 is "safely
# unguessable" against an online attack and most offline ones.
MIN_STRENGTH = 3


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
    _check_strength(password, [email, local, display_name, *PRODUCT_WORDS], field)


PRODUCT_WORDS = ("netflix", "netflix-clone", "movies", "password")


def _check_strength(password: str, context: list[str], field: str) -> None:
    # zxcvbn's time grows with the length; past 72 characters a password is strong enough.
    estimate = zxcvbn(password[:72], user_inputs=[c for c in context if c])
    if estimate["score"] >= MIN_STRENGTH:
        return
    feedback = estimate.get("feedback") or {}
    hints = [feedback.get("warning") or "", *(feedback.get("suggestions") or [])]
    reason = " ".join(h.rstrip(".") + "." for h in hints if h)
    raise invalid(field, f"is too easy to guess. {reason}".strip())


def sign_up(
    db: Session,
    svc: Services,
    email: str,
    password: str,
    display_name: str,
    role: str = "member",
    *,
    country: str = "US",
    client_ip: str | None = None,
) -> User:
    """A new account and its main profile. `client_ip` limits sign-ups per address (the CLI,
    which passes none, is not limited)."""
    if client_ip is not None:
        cfg = svc.settings
        verdict = svc.limiter.hit(
            f"signup:ip:{client_ip}", cfg.signup_limit_per_ip, cfg.signup_limit_window_seconds
        )
        if not verdict.allowed:
            raise too_many(verdict, "Too many sign-ups from this address. Try again later.")
    normalised = normalise_email(email)
    check_password_policy(password, normalised, display_name)
    user = User(
        email=normalised,
        display_name=display_name,
        role=role,
        country=check_country(country),
        password_hash=svc.passwords.hash(password),
    )
    with unique_or_conflict(db, EMAIL_TAKEN, "email-taken"):
        db.add(user)  # the unique email index decides concurrent sign-ups: one wins
    # Every account starts with its main profile, named after the member.
    db.add(Profile(user_id=user.id, name=display_name[:40], is_main=True))
    db.flush()
    return user


CHECKS_REFUSED = "Too many password or PIN attempts for this account. Try again later."
ACCOUNT_UNDER_ATTACK = (
    "This account has had too many failed sign-ins from elsewhere. Sign in from a device you "
    "have signed in on before, or try again later."
)


def _hit(svc: Services, key: str, limit: int, window: int, detail: str = CHECKS_REFUSED) -> None:
    verdict = svc.limiter.hit(key, limit, window)
    if not verdict.allowed:
        raise too_many(verdict, detail)


def count_sign_in(svc: Services, account: str, client_ip: str, device: str | None) -> None:
    """Count one sign-in attempt on `account` before its password is checked (every attempt
    counts, right or wrong: counting and deciding is one atomic step, so parallel guesses
    can't each pass a limit before the others are counted).

    The buckets protect the owner (docs/security.md, "Failed passwords"): attempts from one
    address count against that address only; attempts from a device the account signed in on
    before (a valid device token) count against that device only; everyone else shares the
    account's ceiling, which slows a guesser spread over many addresses and never blocks
    the owner's known devices."""
    cfg = svc.settings
    window = cfg.login_limit_window_seconds
    if device is not None:
        _hit(svc, f"checks:{account}:device:{device}", cfg.login_limit_per_device, window)
        return
    _hit(svc, f"checks:{account}:addr:{client_ip}", cfg.login_limit_per_account_address, window)
    _hit(
        svc,
        f"checks:{account}:elsewhere",
        cfg.login_limit_per_account,
        cfg.login_limit_account_window_seconds,
        ACCOUNT_UNDER_ATTACK,
    )


def count_signed_in_check(svc: Services, principal: Principal) -> None:
    """Count one password or PIN check by a signed-in member (the current password, a
    profile's PIN): per session, and per account across its sessions. Nobody without a
    session of the account can spend these, so failed sign-ins elsewhere never block them."""
    cfg = svc.settings
    account = f"user:{principal.user_id}"
    window = cfg.login_limit_window_seconds
    _hit(
        svc,
        f"checks:{account}:session:{principal.session_id}",
        cfg.checks_limit_per_session,
        window,
    )
    _hit(
        svc,
        f"checks:{account}:signed-in",
        cfg.checks_limit_per_account,
        cfg.login_limit_account_window_seconds,
    )


def password_matches(svc: Services, principal: Principal, user: User, password: str | None) -> bool:
    """Whether `password` is the account's password; counted against the caller's limits.
    Hashing runs without the database (security.Passwords); a write that relies on the
    answer locks the member and checks the hash is still this one (`still_verified`)."""
    count_signed_in_check(svc, principal)
    return bool(password) and svc.passwords.verify(user.password_hash, password or "")


def confirm_password(
    svc: Services, principal: Principal, user: User, password: str | None, why: str
) -> str:
    """The password hash that `password` was verified against (for `still_verified`)."""
    verified = user.password_hash
    if not password_matches(svc, principal, user, password):
        raise Forbidden(f"{why} needs the account password.", code="password-required")
    return verified


def lock_member(db: Session, user_id: int) -> str | None:
    """Serialise with every other change to this member's sessions and credentials, until the
    unit of work ends. Returns the password hash as it is now (read under the lock), or None
    when the account no longer exists.

    PostgreSQL: `SELECT ... FOR NO KEY UPDATE` on the account row (it doesn't block the
    foreign-key checks of rows that refer to the account). SQLite has no row locks: a no-op
    UPDATE takes the database's write lock, which serialises every writer anyway.

    Every path that creates or ends a session (sign-in, refresh, reuse detection, sign-out,
    password change, account deletion, a profile token) takes it first, so whichever commits
    second sees what the first did: no refresh token can be added to a session that is being
    ended and then survive it."""
    if db.get_bind().dialect.name == "postgresql":
        holding_locks(db)
        return db.scalar(
            select(User.password_hash)
            .where(User.id == user_id)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
    return db.execute(
        update(User)
        .where(User.id == user_id)
        .values(role=User.role, updated_at=User.updated_at)
        .returning(User.password_hash)
        .execution_options(synchronize_session=False)
    ).scalar()


def still_verified(db: Session, user_id: int, verified_hash: str) -> None:
    """Lock the member; refuse when the password changed (or the account went) since it was
    verified (the hash ran without the database, so the member may have changed it)."""
    current = lock_member(db, user_id)
    if current is None:
        raise unauthorized("The account no longer exists.")
    if not constant_time_equals(current, verified_hash):
        raise unauthorized("The password changed meanwhile; sign in again.")


def session_stands_now(db: Session, principal: Principal) -> None:
    """Under the member's lock: refuse when the token's session has ended (the database is
    the record; see accounts.models.session_stands)."""
    if not db.scalar(select(session_stands(principal.session_id))):
        raise unauthorized(SESSION_ENDED)


def session_ended_in_database(db: Session, session_id: str) -> bool:
    return bool(db.scalar(select(session_ended(session_id))))


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


def _issue(
    db: Session,
    svc: Services,
    user: User,
    family_id: str,
    refresh: str,
    *,
    issued_at: int | None = None,
) -> TokenPair:
    now = utcnow()
    db.add(
        RefreshToken(
            user_id=user.id,
            family_id=family_id,
            token_hash=hash_token(refresh),
            created_at=now,
            expires_at=now + timedelta(seconds=svc.settings.refresh_token_ttl_seconds),
        )
    )
    return _pair(svc, user, family_id, refresh, issued_at)


def _pair(
    svc: Services, user: User, family_id: str, refresh: str, issued_at: int | None
) -> TokenPair:
    tokens = svc.tokens
    principal = Principal(user.id, user.role, session_id=family_id)
    # A rotated pair is a function of the refresh token it replaces: asking again within the
    # grace period yields the very same pair.
    jti = tokens.derive("jti", refresh)[:16] if issued_at is not None else ""
    access = tokens.issue(principal, issued_at=issued_at, jti=jti)
    return TokenPair(access, refresh, tokens.ttl)


def login(
    db: Session,
    svc: Services,
    email: str,
    password: str,
    client_ip: str,
    device_token: str | None = None,
) -> tuple[TokenPair, str]:
    """A new session, and the device token to send with later sign-ins from this device."""
    cfg = svc.settings
    window = cfg.login_limit_window_seconds
    by_ip = svc.limiter.hit(f"login:ip:{client_ip}", cfg.login_limit_per_ip, window)
    if not by_ip.allowed:
        raise too_many(by_ip, "Too many sign-in attempts from this address. Try again later.")
    try:
        normalised = normalise_email(email)
    except Invalid:
        normalised = None
    found = (
        db.execute(select(User.id, User.password_hash).where(User.email == normalised)).first()
        if normalised
        else None
    )
    user_id, stored = (found[0], found[1]) if found is not None else (None, None)
    # An unknown email is limited like an account, so the limits do not reveal members.
    account = f"user:{user_id}" if user_id is not None else f"email:{hash_token(email.lower())}"
    device = device_of(svc, device_token, user_id) if user_id is not None else None
    count_sign_in(svc, account, client_ip, device)
    # Off the database (Passwords releases the connection first): the hash takes ~0.1 s.
    if not svc.passwords.verify(stored, password) or user_id is None or stored is None:
        raise unauthorized("The email or password is wrong.")
    upgraded = svc.passwords.hash(password) if svc.passwords.needs_rehash(stored) else None
    still_verified(db, user_id, stored)
    user = db.get(User, user_id, populate_existing=True)
    if user is None:
        raise unauthorized("The email or password is wrong.")
    if upgraded is not None:
        user.password_hash = upgraded
    device = device or secrets.token_hex(8)
    return _issue(db, svc, user, secrets.token_hex(16), new_refresh_token()), device_token_for(
        svc, user.id, device
    )


def device_token_for(svc: Services, user_id: int, device: str) -> str:
    """Proof that this device signed in to the account before (a random id, signed)."""
    return f"{device}.{svc.tokens.derive('device', f'{user_id}:{device}')[:32]}"


def device_of(svc: Services, token: str | None, user_id: int) -> str | None:
    """The device id in a valid device token of this account, else None."""
    if not token or token.count(".") != 1:
        return None
    device, _ = token.split(".")
    if not (len(device) == 16 and all(c in "0123456789abcdef" for c in device)):
        return None
    return device if constant_time_equals(token, device_token_for(svc, user_id, device)) else None


def _end_sessions(db: Session, svc: Services, family_ids: list[str]) -> None:
    """Revoke these sessions' refresh tokens and, at once, their access tokens. The caller
    holds the member's lock (`lock_member`), so no refresh racing this one survives it."""
    if not family_ids:
        return
    db.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id.in_(family_ids), RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    svc.revocations.revoke(family_ids)
    keep_on_error(db)  # a revocation stands even though the request that caused it fails


def _sessions_of(db: Session, user_id: int) -> list[str]:
    return list(
        db.scalars(select(RefreshToken.family_id).where(RefreshToken.user_id == user_id).distinct())
    )


REUSED = "The refresh token was already used; the session has been revoked."


def refresh(db: Session, svc: Services, token: str) -> TokenPair:
    cfg = svc.settings
    row = db.scalar(select(RefreshToken).where(RefreshToken.token_hash == hash_token(token)))
    if row is None:
        raise unauthorized("The refresh token is not valid.")
    # Per session: a client refreshes every few minutes; a thief racing the owner, thousands.
    verdict = svc.limiter.hit(
        f"refresh:family:{row.family_id}",
        cfg.refresh_limit_per_family,
        cfg.refresh_limit_window_seconds,
    )
    if not verdict.allowed:
        raise too_many(verdict, "This session is refreshing too often. Try again later.")
    if lock_member(db, row.user_id) is None:
        raise unauthorized("The account no longer exists.")
    # Read again under the lock: a sign-out, a password change (which deletes the session's
    # tokens) or a parallel refresh may have committed meanwhile.
    current = db.get(RefreshToken, row.id, populate_existing=True)
    if current is None:
        raise unauthorized("This session has ended (signed out or revoked); sign in again.")
    row = current
    if row.used_at is None and row.revoked_at is not None:
        raise unauthorized("This session has ended (signed out or revoked); sign in again.")
    if row.revoked_at is None and row.used_at is None:
        if row.expires_at <= utcnow():
            raise unauthorized("The refresh token has expired; sign in again.")
        now = utcnow()
        row.used_at = now
        user = db.get(User, row.user_id)
        if user is None:
            raise unauthorized("The account no longer exists.")
        successor = svc.tokens.derive("refresh", token)
        return _issue(db, svc, user, row.family_id, successor, issued_at=int(now.timestamp()))
    repeat = _repeat_within_grace(db, svc, row, token)
    if repeat is not None:
        return repeat
    # A rotated-out token came back after its grace: someone holds a copy. End the session.
    _end_sessions(db, svc, [row.family_id])
    raise unauthorized(REUSED)


def _repeat_within_grace(
    db: Session, svc: Services, row: RefreshToken, token: str
) -> TokenPair | None:
    """The pair a refresh already issued for this token, if it was rotated moments ago, its
    successor is still unused, and the session stands."""
    if row.revoked_at is not None or row.used_at is None:
        return None
    if (utcnow() - row.used_at).total_seconds() > svc.settings.refresh_grace_seconds:
        return None
    successor = svc.tokens.derive("refresh", token)
    following: RefreshToken | None = db.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == hash_token(successor))
    )
    if following is None or following.used_at is not None or following.revoked_at is not None:
        return None
    user = db.get(User, row.user_id)
    if user is None:
        return None
    return _pair(svc, user, row.family_id, successor, int(row.used_at.timestamp()))


def logout(db: Session, svc: Services, token: str) -> None:
    row = db.scalar(select(RefreshToken).where(RefreshToken.token_hash == hash_token(token)))
    if row is not None and lock_member(db, row.user_id) is not None:
        _end_sessions(db, svc, [row.family_id])


def acting_user(db: Session, principal: Principal) -> User:
    """The caller's own account, re-read so deleted accounts and demoted admins lose access now."""
    user = db.get(User, principal.user_id)
    if user is None:
        raise unauthorized("The account behind this token no longer exists.")
    return user


def visible_user(db: Session, principal: Principal, user_id: int) -> tuple[User, User]:
    """(caller, target). Members see only themselves; anything else is 404, not 403."""
    caller = acting_user(db, principal)
    if caller.id == user_id:
        return caller, caller
    if caller.role != "admin":
        raise not_found("member")
    target = db.get(User, user_id)
    if target is None:
        raise not_found("member")
    return caller, target


def update_user(
    db: Session,
    svc: Services,
    principal: Principal,
    user_id: int,
    *,
    display_name: str | None,
    email: str | None,
    password: str | None,
    current_password: str | None,
    role: str | None,
    country: str | None = None,
) -> User:
    require_account_token(principal, "Changing the account")
    caller, user = visible_user(db, principal, user_id)
    is_self = caller.id == user.id
    if role is not None and caller.role != "admin":
        raise Forbidden("Only an admin can change roles.")
    if role is not None and is_self and role != "admin":
        raise Conflict("An admin cannot demote themself; ask another admin.")
    new_email = normalise_email(email) if email is not None else None
    wanted_country = check_country(country) if country is not None else None
    if password is not None:
        check_password_policy(password, new_email or user.email, user.display_name)
    # The certification country decides what every profile may watch: like the credentials,
    # only the account password changes it. Hashing runs before any write, without the
    # database; the member's lock then makes sure the password is still the one verified.
    guarded = email is not None or password is not None or country is not None
    verified = (
        confirm_password(
            svc, principal, user, current_password, "Changing the email, password or country"
        )
        if guarded and is_self
        else None
    )
    new_hash = svc.passwords.hash(password) if password is not None else None
    if verified is not None:
        still_verified(db, user.id, verified)
    elif lock_member(db, user.id) is None:
        raise not_found("member")
    if display_name is not None:
        user.display_name = display_name
    if new_email is not None:
        with unique_or_conflict(db, EMAIL_TAKEN, "email-taken"):
            user.email = new_email
    if wanted_country is not None and wanted_country != user.country:
        user.country = wanted_country
        versions.bump_account(db, user.id)
    if new_hash is not None:
        user.password_hash = new_hash
        # A new password ends every session of the member, this one included.
        _end_sessions(db, svc, _sessions_of(db, user.id))
        db.execute(delete(RefreshToken).where(RefreshToken.user_id == user.id))
    if role is not None:
        user.role = role
    return user


def delete_user(
    db: Session, svc: Services, principal: Principal, user_id: int, password: str | None
) -> None:
    """Needs the caller's password: the member's own, or the admin's."""
    require_account_token(principal, "Deleting the account")
    caller, user = visible_user(db, principal, user_id)
    verified = confirm_password(svc, principal, caller, password, "Deleting an account")
    # Both members' locks, in id order (two admins deleting each other can't deadlock).
    for member_id in sorted({caller.id, user.id}):
        if member_id == caller.id:
            still_verified(db, caller.id, verified)
        elif lock_member(db, member_id) is None:
            return  # deleted meanwhile (by another admin, or the member)
    _delete_locked_member(db, svc, user.id)


def _delete_locked_member(db: Session, svc: Services, user_id: int) -> None:
    """Every session of the member ends; foreign keys cascade to every row the member owns
    (tokens, profiles, lists, ...). The caller holds the member's lock."""
    _end_sessions(db, svc, _sessions_of(db, user_id))
    db.execute(delete(User).where(User.id == user_id))


def remove_member(db: Session, svc: Services, email: str) -> bool:
    """An operator's deletion (the CLI on the host, as create-admin: no password asked), with
    delete_user's effects. False when no member has this email."""
    normalised = normalise_email(email)
    user_id = db.scalar(select(User.id).where(User.email == normalised))
    if user_id is None or lock_member(db, user_id) is None:
        return False
    _delete_locked_member(db, svc, user_id)
    return True


def list_users(
    db: Session, principal: Principal, email_prefix: str | None, cursor: str | None, per_page: int
) -> tuple[list[User], str | None]:
    require_account_token(principal, "Listing members")
    caller = acting_user(db, principal)
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
    rows = list(db.scalars(query))
    next_cursor = encode_cursor(rows[per_page - 1].id) if len(rows) > per_page else None
    return rows[:per_page], next_cursor


def create_or_promote_admin(
    db: Session, svc: Services, email: str, password: str | None, display_name: str
) -> User:
    normalised = normalise_email(email)
    user: User | None = db.scalar(select(User).where(User.email == normalised))
    if user is None:
        if not password:
            raise invalid("password", "a new admin needs a password")
        return sign_up(db, svc, normalised, password, display_name, role="admin")
    if password:
        check_password_policy(password, normalised, user.display_name)
        new_hash = svc.passwords.hash(password)
        if lock_member(db, user.id) is None:
            raise not_found("member")
        user.password_hash = new_hash
        # A new password ends the member's sessions, as it does through the API.
        _end_sessions(db, svc, _sessions_of(db, user.id))
        db.execute(delete(RefreshToken).where(RefreshToken.user_id == user.id))
    user.role = "admin"
    return user
