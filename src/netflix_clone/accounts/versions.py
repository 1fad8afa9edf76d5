"""A profile's data version: bumped by every write that changes what its browse rows show (My
List, ratings, hiding: library; language, kids, maturity, the account's country: here).

The bump is one `UPDATE ... SET data_version = data_version + 1` in the writing unit of work,
so it commits (or rolls back) with the write itself, and every worker and pod sees it on the
next request: a cached home screen keyed by (profile, version) is never served after a write
that changed it (read your writes), and never rebuilt without one.

Heartbeats do not bump it: they would all write the one profile row and queue behind each
other. Every applied heartbeat moves its viewing's `updated_at`, and the home screen's cache
key also holds the profile's latest `updated_at` (one index lookup), so a heartbeat shows on
the next browse all the same."""

from __future__ import annotations

from sqlalchemy import ColumnElement, update

from netflix_clone.accounts.models import Profile
from netflix_clone.core.db import Session


def bump(db: Session, profile: Profile) -> None:
    """My List, ratings, hiding, language, maturity: the rows may show something else now."""
    _bump(db, Profile.id == profile.id)


def bump_account(db: Session, user_id: int) -> None:
    """The account's country: every profile's rows may change (ratings are read for it)."""
    _bump(db, Profile.user_id == user_id)


def _bump(db: Session, which: ColumnElement[bool]) -> None:
    db.execute(
        update(Profile)
        .where(which)
        .values(data_version=Profile.data_version + 1)
        .execution_options(synchronize_session=False)
    )
