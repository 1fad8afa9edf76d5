"""Profiles: up to five viewers per account, a main one, maturity levels and optional PINs."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from netflix_clone.accounts import versions
from netflix_clone.accounts.maturity import LEVEL_ORDER
from netflix_clone.accounts.models import Profile, User
from netflix_clone.accounts.service import (
    acting_user,
    confirm_password,
    count_signed_in_check,
    invalid,
    lock_member,
    password_matches,
    session_stands_now,
    still_verified,
)
from netflix_clone.core.container import Services
from netflix_clone.core.db import Session, unique_or_conflict
from netflix_clone.core.exceptions import Conflict, Forbidden, not_found
from netflix_clone.core.security import Principal, require_account_token, unauthorized

MAX_PROFILES = 5
KIDS_LEVELS = ("little_kids", "older_kids")
PIN = re.compile(r"^\d{4}$")


def own_account(db: Session, principal: Principal, user_id: int) -> User:
    """Profiles belong to their account alone: another account's id is simply not found."""
    user = acting_user(db, principal)
    if user.id != user_id:
        raise not_found("account")
    return user


def get_profile(db: Session, principal: Principal, user_id: int, profile_id: int) -> Profile:
    user = own_account(db, principal, user_id)
    profile: Profile | None = db.scalar(
        select(Profile).where(Profile.id == profile_id, Profile.user_id == user.id)
    )
    if profile is None:
        raise not_found("profile")
    return profile


def list_profiles(db: Session, principal: Principal, user_id: int) -> list[Profile]:
    user = own_account(db, principal, user_id)
    return list(db.scalars(select(Profile).where(Profile.user_id == user.id).order_by(Profile.id)))


def _pin_matches(svc: Services, principal: Principal, profile: Profile, pin: str | None) -> bool:
    """A PIN check, counted against the caller's limits like a password check."""
    count_signed_in_check(svc, principal)
    return (
        pin is not None
        and profile.pin_hash is not None
        and svc.passwords.verify(profile.pin_hash, pin)
    )


def _check_level(kids: bool, level: str) -> None:
    if kids and level not in KIDS_LEVELS:
        raise invalid("maturity_level", "a kids profile is little_kids or older_kids")


def create_profile(
    db: Session, svc: Services, principal: Principal, user_id: int, fields: dict[str, Any]
) -> Profile:
    require_account_token(principal, "Adding a profile")
    user = own_account(db, principal, user_id)
    kids = bool(fields.get("kids", False))
    level = fields.get("maturity_level") or ("older_kids" if kids else "adults")
    _check_level(kids, level)
    pin_hash = None
    verified = None
    if fields.get("pin") is not None:
        # Hashing first, without the database; then the lock, which checks the password is
        # still the one verified.
        verified = confirm_password(svc, principal, user, fields.get("password"), "Setting a PIN")
        pin_hash = svc.passwords.hash(fields["pin"])
    # Serialise profile creation per account so two requests cannot both take the fifth slot:
    # the member's lock (a row lock in PostgreSQL, the write lock in SQLite) before we count.
    if verified is not None:
        still_verified(db, user.id, verified)
    elif lock_member(db, user.id) is None:
        raise not_found("account")
    count = db.scalar(select(func.count()).where(Profile.user_id == user.id)) or 0
    if count >= MAX_PROFILES:
        raise Conflict(f"An account has at most {MAX_PROFILES} profiles.", code="profile-limit")
    profile = Profile(
        user_id=user.id,
        name=fields["name"],
        avatar=fields.get("avatar") or "default",
        language=fields.get("language") or "en-US",
        kids=kids,
        maturity_level=level,
        is_main=count == 0,
        pin_hash=pin_hash,
    )
    with _unique_name(db):
        db.add(profile)
    return profile


def _unique_name(db: Session) -> Any:
    return unique_or_conflict(db, "Another profile of this account has that name.", "name-taken")


def update_profile(
    db: Session,
    svc: Services,
    principal: Principal,
    user_id: int,
    profile_id: int,
    fields: dict[str, Any],
) -> Profile:
    require_account_token(principal, "Changing a profile")
    profile = get_profile(db, principal, user_id, profile_id)
    user = acting_user(db, principal)
    kids = fields.get("kids", profile.kids)
    level = fields.get("maturity_level") or profile.maturity_level
    if kids and not profile.kids and fields.get("maturity_level") is None:
        level = "older_kids" if level not in KIDS_LEVELS else level
    if kids and fields.get("kids") is None and level not in KIDS_LEVELS:
        # The body alone is fine; the stored kids flag refuses it: a conflict with the state.
        raise Conflict(
            "This is a kids profile (little_kids or older_kids); send kids: false to raise it.",
            code="kids-profile",
        )
    if kids and profile.is_main:
        raise Conflict("The main profile cannot be a kids profile.", code="main-profile")
    _check_level(kids, level)
    raising = LEVEL_ORDER.index(level) > LEVEL_ORDER.index(profile.maturity_level) or (
        profile.kids and not kids
    )
    verified = None
    if raising or "pin" in fields:
        why = "Raising the maturity level" if raising else "Changing the PIN"
        verified = confirm_password(svc, principal, user, fields.get("password"), why)
    pin = fields.get("pin")
    pin_hash = svc.passwords.hash(pin) if pin is not None else None
    if verified is not None:
        still_verified(db, user.id, verified)
        if db.get(Profile, profile.id, populate_existing=True) is None:
            raise not_found("profile")  # deleted meanwhile
    if "pin" in fields:
        profile.pin_hash = pin_hash
    shown = (profile.language, profile.kids, profile.maturity_level)
    with _unique_name(db):
        for name in ("name", "avatar", "language"):
            if fields.get(name) is not None:
                setattr(profile, name, fields[name])
        profile.kids = kids
        profile.maturity_level = level
        if (profile.language, profile.kids, profile.maturity_level) != shown:
            # What the browse rows may show (and in which language) changed.
            versions.bump(db, profile)
    return profile


def delete_profile(
    db: Session,
    svc: Services,
    principal: Principal,
    user_id: int,
    profile_id: int,
    pin: str | None = None,
    password: str | None = None,
) -> None:
    require_account_token(principal, "Deleting a profile")
    profile = get_profile(db, principal, user_id, profile_id)
    if profile.is_main:
        raise Conflict("The main profile cannot be deleted.", code="main-profile")
    if profile.pin_hash is not None:
        user = acting_user(db, principal)
        confirmed = (
            _pin_matches(svc, principal, profile, pin)
            if pin is not None
            else password is not None and password_matches(svc, principal, user, password)
        )
        if not confirmed:
            raise Forbidden(
                "Deleting a locked profile needs its PIN or the account password.",
                code="pin-required",
            )
    db.delete(profile)  # foreign keys cascade to its list, ratings and viewings


def profile_token(
    db: Session, svc: Services, principal: Principal, user_id: int, profile_id: int, pin: str | None
) -> str:
    profile = get_profile(db, principal, user_id, profile_id)
    user = acting_user(db, principal)
    checked_pin = profile.pin_hash
    if checked_pin is not None and not _pin_matches(svc, principal, profile, pin):
        raise Forbidden("This profile is locked; the PIN is wrong or missing.", code="wrong-pin")
    # The token belongs to the same sign-in session: under the member's lock, the session must
    # stand now (a sign-out committing meanwhile would otherwise miss this new token), and the
    # profile must still be the one whose PIN was checked.
    if lock_member(db, user.id) is None:
        raise unauthorized("The account behind this token no longer exists.")
    session_stands_now(db, principal)
    current = db.get(Profile, profile.id, populate_existing=True)
    if current is None or current.user_id != user.id:
        raise not_found("profile")
    if current.pin_hash != checked_pin:
        raise Forbidden("This profile is locked; the PIN is wrong or missing.", code="wrong-pin")
    return svc.tokens.issue(Principal(user.id, user.role, profile.id, principal.session_id))


def current_profile(db: Session, principal: Principal) -> Profile:
    """The profile a profile-scoped token names; member data is only ever reached through it."""
    if principal.profile_id is None:
        raise Forbidden(
            "Choose a profile first: POST /api/users/{id}/profiles/{profile_id}/token.",
            code="profile-required",
        )
    profile: Profile | None = db.scalar(
        select(Profile).where(
            Profile.id == principal.profile_id, Profile.user_id == principal.user_id
        )
    )
    if profile is None:
        raise unauthorized("The profile behind this token no longer exists.")
    return profile
