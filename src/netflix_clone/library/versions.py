"""A profile's data version: bumped by every write that changes what its browse rows show.

The bump is one `UPDATE ... SET data_version = data_version + 1` in the writing unit of work,
so it commits (or rolls back) with the write itself, and every worker and pod sees it on the
next request: a cached home screen keyed by (profile, version) is never served after a write
that changed it (read your writes), and never rebuilt without one."""

from __future__ import annotations

from sqlalchemy import update

from netflix_clone.accounts.models import Profile
from netflix_clone.catalog.models import TitleKey
from netflix_clone.db import db


def bump(profile: Profile, left_row: bool = False) -> None:
    """My List, ratings, hiding, maturity: the rows may show something else now. `left_row`:
    a title left Continue Watching by hand, so the next heartbeat of any title counts as a
    change (it brings that title back)."""
    values: dict[str, object] = {"data_version": Profile.data_version + 1}
    if left_row:
        values.update(watching_kind=None, watching_id=None)
    db.session.execute(
        update(Profile)
        .where(Profile.id == profile.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def watched(profile: Profile, key: TitleKey, in_row: bool) -> None:
    """After an applied heartbeat. Continue Watching shows titles (no positions) by last
    activity, so a heartbeat changes the rows only when the title enters or leaves the row or
    moves to its head. While a member keeps watching one title, its heartbeats find it at the
    head and cost no statement; switching titles (or finishing one) bumps once.

    The head is read from the profile loaded for this request: two devices of one profile
    playing different titles at the same moment can leave a cached home screen's Continue
    Watching order one switch behind until the next bump (its membership is always exact)."""
    head = (profile.watching_kind, profile.watching_id)
    if in_row and head == key:
        return
    new_head = key if in_row else (None, None)
    db.session.execute(
        update(Profile)
        .where(Profile.id == profile.id)
        .values(
            data_version=Profile.data_version + 1,
            watching_kind=new_head[0],
            watching_id=new_head[1],
        )
        .execution_options(synchronize_session=False)
    )
