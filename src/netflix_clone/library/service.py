"""My List, ratings, viewing progress and history for one profile."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from netflix_clone.accounts.models import Profile
from netflix_clone.db import db, savepoint, utcnow
from netflix_clone.exceptions import Conflict, Invalid, not_found
from netflix_clone.library.models import ListEntry, Movie, Rating, Viewing
from netflix_clone.library.movies import allowed, ensure_movie, require_allowed, unrestricted

MAX_LIST = 500
MIN_POSITION_SECONDS = 60
MIN_FRACTION = 0.05
FINISHED_FRACTION = 0.90


def _movie_for(profile: Profile, movie_id: int) -> Movie:
    movie = ensure_movie(movie_id)
    require_allowed(profile, movie)
    return movie


# --- My List ---------------------------------------------------------------------------------


def add_to_list(profile: Profile, movie_id: int) -> tuple[ListEntry, bool]:
    _movie_for(profile, movie_id)
    existing = db.session.get(ListEntry, (profile.id, movie_id))
    if existing is not None:
        return existing, False
    count = db.session.scalar(select(func.count()).where(ListEntry.profile_id == profile.id)) or 0
    if count >= MAX_LIST:
        raise Conflict(
            f"My List holds at most {MAX_LIST} titles; remove some first.", code="list-full"
        )
    entry = ListEntry(profile_id=profile.id, movie_id=movie_id, added_at=utcnow())
    try:
        with savepoint():
            db.session.add(entry)
    except IntegrityError:
        # A parallel add won: the primary key keeps exactly one row, and this one is a no-op.
        winner = db.session.get(ListEntry, (profile.id, movie_id))
        if winner is None:
            raise
        return winner, False
    return entry, True


def remove_from_list(profile: Profile, movie_id: int) -> None:
    db.session.execute(
        delete(ListEntry).where(ListEntry.profile_id == profile.id, ListEntry.movie_id == movie_id)
    )


# A restricted profile's listings are filtered in Python (ratings come from certifications by
# country), so its pages and totals are cut from at most this many of the newest rows.
MAX_FILTERED_ROWS = 5000


def _page(profile: Profile, query: Any, page: int, per_page: int) -> tuple[list[Any], int]:
    """One page of (row, movie) pairs the profile may see, and how many it may see in all."""
    start = (page - 1) * per_page
    if unrestricted(profile):
        total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = db.session.execute(query.limit(per_page).offset(start)).all()
        return [(r[0], r[1]) for r in rows], total
    visible = [
        (r[0], r[1])
        for r in db.session.execute(query.limit(MAX_FILTERED_ROWS)).all()
        if allowed(profile, r[1])
    ]
    return visible[start : start + per_page], len(visible)


def my_list(
    profile: Profile, page: int, per_page: int
) -> tuple[list[tuple[ListEntry, Movie]], int]:
    query = (
        select(ListEntry, Movie)
        .join(Movie, Movie.id == ListEntry.movie_id)
        .where(ListEntry.profile_id == profile.id)
        .order_by(ListEntry.added_at.desc(), ListEntry.movie_id.desc())
    )
    return _page(profile, query, page, per_page)


# --- ratings ---------------------------------------------------------------------------------


def rate(profile: Profile, movie_id: int, rating: str) -> Rating:
    _movie_for(profile, movie_id)
    now = utcnow()
    changed = db.session.execute(
        update(Rating)
        .where(Rating.profile_id == profile.id, Rating.movie_id == movie_id)
        .values(rating=rating, rated_at=now)
    )
    if changed.rowcount == 0:  # type: ignore[attr-defined]
        try:
            with savepoint():
                db.session.add(
                    Rating(profile_id=profile.id, movie_id=movie_id, rating=rating, rated_at=now)
                )
        except IntegrityError:  # a parallel first rating: ours is the later word
            db.session.execute(
                update(Rating)
                .where(Rating.profile_id == profile.id, Rating.movie_id == movie_id)
                .values(rating=rating, rated_at=now)
            )
    result: Rating | None = db.session.get(Rating, (profile.id, movie_id))
    if result is None:  # deleted between our write and this read by a parallel DELETE
        raise not_found("rating")
    return result


def unrate(profile: Profile, movie_id: int) -> None:
    db.session.execute(
        delete(Rating).where(Rating.profile_id == profile.id, Rating.movie_id == movie_id)
    )


def ratings(profile: Profile, page: int, per_page: int) -> tuple[list[tuple[Rating, Movie]], int]:
    query = (
        select(Rating, Movie)
        .join(Movie, Movie.id == Rating.movie_id)
        .where(Rating.profile_id == profile.id)
        .order_by(Rating.rated_at.desc(), Rating.movie_id.desc())
    )
    return _page(profile, query, page, per_page)


def rated_ids(profile: Profile, *values: str) -> list[int]:
    query = select(Rating.movie_id).where(Rating.profile_id == profile.id)
    if values:
        query = query.where(Rating.rating.in_(values))
    return list(db.session.scalars(query.order_by(Rating.rated_at.desc())))


# --- progress, continue watching, history ----------------------------------------------------


@dataclass(frozen=True)
class Position:
    position_seconds: int
    duration_seconds: int
    sequence: int


@dataclass(frozen=True)
class ProgressResult:
    applied: bool
    stored: bool
    finished: bool
    viewing: Position | None


def _counts(position: int, duration: int) -> bool:
    return position >= MIN_POSITION_SECONDS and position >= MIN_FRACTION * duration


def record_progress(
    profile: Profile, movie_id: int, position: int, duration: int, sequence: int
) -> ProgressResult:
    """A heartbeat: one statement. Only a newer sequence number may overwrite, so late or
    reordered heartbeats change nothing; the database decides races, not a prior read."""
    if position > duration:
        raise Invalid.field(
            "position_seconds",
            "exceeds duration_seconds",
            "position_seconds cannot exceed duration_seconds.",
        )
    _movie_for(profile, movie_id)  # the title's row (no TMDB call when we have it), maturity
    now = utcnow()
    finished = position >= FINISHED_FRACTION * duration
    values: dict[str, Any] = {
        "position_seconds": position,
        "duration_seconds": duration,
        "sequence": sequence,
        "updated_at": now,
        "finished_at": now if finished else None,
        # A new play brings the title back wherever the member had hidden it.
        "hidden_from_row": False,
        "hidden_from_history": False,
    }
    table = Viewing.__table__
    this = (table.c.profile_id == profile.id, table.c.movie_id == movie_id)
    newer = table.c.sequence < sequence
    shown = (table.c.position_seconds, table.c.duration_seconds, table.c.sequence)
    statement: Any
    if _counts(position, duration) or finished:
        insert = (pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert)(table)
        statement = (
            insert.values(profile_id=profile.id, movie_id=movie_id, started_at=now, **values)
            .on_conflict_do_update(
                index_elements=[table.c.profile_id, table.c.movie_id], set_=values, where=newer
            )
            .returning(*shown)
        )
    else:  # nothing new is kept for the first minute or below 5 %: update only
        statement = update(table).where(*this, newer).values(**values).returning(*shown)
    written = db.session.execute(statement).first()
    if written is not None:
        return ProgressResult(True, True, finished, Position(*written))
    stored = db.session.execute(select(*shown, table.c.finished_at).where(*this)).first()
    if stored is None:
        return ProgressResult(False, False, False, None)
    # A newer (or the same) heartbeat is already recorded: say what it holds.
    return ProgressResult(False, True, stored.finished_at is not None, Position(*stored[:3]))


def _in_row(query: Any) -> Any:
    return query.where(
        Viewing.finished_at.is_(None),
        Viewing.hidden_from_row.is_(False),
        Viewing.hidden_from_history.is_(False),
        Viewing.position_seconds >= MIN_POSITION_SECONDS,
        Viewing.position_seconds >= MIN_FRACTION * Viewing.duration_seconds,
    )


def continue_watching(
    profile: Profile, page: int, per_page: int
) -> tuple[list[tuple[Viewing, Movie]], int]:
    query = _in_row(
        select(Viewing, Movie)
        .join(Movie, Movie.id == Viewing.movie_id)
        .where(Viewing.profile_id == profile.id)
        .order_by(Viewing.updated_at.desc(), Viewing.movie_id.desc())
    )
    return _page(profile, query, page, per_page)


def hide_from_row(profile: Profile, movie_id: int) -> None:
    viewing = db.session.get(Viewing, (profile.id, movie_id))
    if viewing is None:
        raise not_found("title in Continue Watching")
    viewing.hidden_from_row = True  # the position stays for the next play


def history(profile: Profile, page: int, per_page: int) -> tuple[list[tuple[Viewing, Movie]], int]:
    query = (
        select(Viewing, Movie)
        .join(Movie, Movie.id == Viewing.movie_id)
        .where(Viewing.profile_id == profile.id, Viewing.hidden_from_history.is_(False))
        .order_by(Viewing.updated_at.desc(), Viewing.movie_id.desc())
    )
    return _page(profile, query, page, per_page)


def hide_from_history(profile: Profile, movie_id: int) -> None:
    viewing = db.session.get(Viewing, (profile.id, movie_id))
    if viewing is None:
        raise not_found("title in your history")
    viewing.hidden_from_history = True
    viewing.hidden_from_row = True


def hidden_ids(profile: Profile) -> set[int]:
    """Titles the profile never wants suggested: disliked or removed from history."""
    disliked = set(rated_ids(profile, "dislike"))
    hidden = set(
        db.session.scalars(
            select(Viewing.movie_id).where(
                Viewing.profile_id == profile.id, Viewing.hidden_from_history.is_(True)
            )
        )
    )
    return disliked | hidden
