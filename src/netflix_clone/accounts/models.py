from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    exists,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from netflix_clone.accounts.maturity import UNFILTERED_LEVEL
from netflix_clone.core.db import Base, UTCDateTime, utcnow

# BIGINT in PostgreSQL; SQLite only auto-increments a column declared exactly INTEGER.
BigId = BigInteger().with_variant(Integer(), "sqlite")
# SQLite reuses the largest id after a delete unless the table says AUTOINCREMENT; PostgreSQL's
# sequences never do. An id reused would let what still names it (a cache entry, an access
# token of a deleted account) reach the new row (migration 0006).
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="member")
    # Whose certifications decide what the account's profiles may watch (ISO 3166-1 alpha-2).
    # An account setting, changed only with the password: nothing a profile can change moves it.
    country: Mapped[str] = mapped_column(String(2), default="US", server_default="US")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        # Prefix search (email LIKE 'abc%') can use this index in PostgreSQL whatever the collation.
        Index("ix_users_email_prefix", "email", postgresql_ops={"email": "text_pattern_ops"}),
        NEVER_REUSE_IDS,
    )


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[str] = mapped_column(String(32), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = NEVER_REUSE_IDS


def session_stands(session_id: Any) -> ColumnElement[bool]:
    """SQL: whether the sign-in session (an access token's `sid`, its refresh-token family)
    still stands: some refresh token of the family is unrevoked. Sign-out and a reused refresh
    token revoke the whole family, a password change revokes and deletes it, deleting the
    account deletes it, each in the unit of work that ends the session: the same fact the
    revocation set (revocation.py) broadcasts, read in the statement that needs it."""
    return exists().where(RefreshToken.family_id == session_id, RefreshToken.revoked_at.is_(None))


def session_ended(session_id: Any) -> ColumnElement[bool]:
    return ~session_stands(session_id)


class Profile(Base):
    """A viewer within an account; every piece of member data hangs off one of these."""

    __tablename__ = "profiles"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    avatar: Mapped[str] = mapped_column(String(64), default="default")
    language: Mapped[str] = mapped_column(String(8), default="en-US")
    kids: Mapped[bool] = mapped_column(Boolean, default=False)
    maturity_level: Mapped[str] = mapped_column(String(16), default="adults")
    pin_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    is_main: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped (atomically, in the writing unit of work) by every write other than a heartbeat
    # that changes what the profile's browse rows show; cached home screens are keyed by it
    # and by the profile's latest viewing activity (library/browse.py).
    data_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # Random, made with the profile: caches keyed by profile hold it too, so no other profile
    # (were an id ever reused) can meet this one's entries.
    cache_nonce: Mapped[str] = mapped_column(String(16), default=lambda: secrets.token_hex(8))

    account: Mapped[User] = relationship(lazy="joined", innerjoin=True, viewonly=True)

    __table_args__ = (
        UniqueConstraint("user_id", "name", name="uq_profiles_user_id_name"),
        NEVER_REUSE_IDS,
    )

    @property
    def country(self) -> str:
        """Certifications are read for the account's country; `language` only picks the text."""
        return self.account.country

    @hybrid_property
    def sees_everything(self) -> bool:
        """The profile watches without a maturity filter: an adults profile that is not a kids
        profile. One definition for both uses: on a loaded profile it is a bool, and in a
        statement (`Profile.sees_everything`) the same expression is its SQL."""
        return (self.maturity_level == UNFILTERED_LEVEL) & (self.kids == False)  # noqa: E712
