"""My List, ratings, viewing progress and history for one profile. Titles are named by
(kind, TMDB id): a movie or a series; the catalog owns their records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, delete, false, func, null, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from netflix_clone.accounts import versions
from netflix_clone.accounts.models import Profile, session_stands
from netflix_clone.catalog.models import Title, TitleKey, title_key
from netflix_clone.catalog.source import Catalog
from netflix_clone.catalog.titles import allowed, ensure_title, require_allowed, unrestricted
from netflix_clone.core.db import Session, one_statement, savepoint, utcnow
from netflix_clone.core.exceptions import Conflict, Invalid, not_found
from netflix_clone.library.models import ListEntry, Rating, Viewing

MAX_LIST = 500
MIN_POSITION_SECONDS = 60
MIN_FRACTION = 0.05
FINISHED_FRACTION = 0.90


def _heartbeat_title(
    db: Session, catalog: Catalog, profile: Profile, key: TitleKey
) -> Title | None:
    """What a heartbeat needs to know about its title: for a movie an unrestricted profile
    plays, only that the catalog has it (an indexed existence check, no record loaded); else
    the record (maturity, seasons). No TMDB call when the title's row exists."""
    if key[0] == "movie" and unrestricted(profile):
        known = db.execute(select(Title.id).where(Title.kind == key[0], Title.id == key[1])).first()
        if known is not None:
            return None
    return _title_for(db, catalog, profile, key)


def _title_for(db: Session, catalog: Catalog, profile: Profile, key: TitleKey) -> Title:
    title = ensure_title(db, catalog, key)
    require_allowed(profile, title)
    return title


def _is(model: Any, profile: Profile, key: TitleKey) -> tuple[Any, ...]:
    return (model.profile_id == profile.id, model.kind == key[0], model.title_id == key[1])


def _joined(model: Any) -> Any:
    return select(model, Title).join(
        Title, and_(Title.kind == model.kind, Title.id == model.title_id)
    )


# --- My List ---------------------------------------------------------------------------------


def add_to_list(
    db: Session, catalog: Catalog, profile: Profile, key: TitleKey
) -> tuple[ListEntry, bool]:
    _title_for(db, catalog, profile, key)
    existing = db.get(ListEntry, (profile.id, *key))
    if existing is not None:
        return existing, False
    count = db.scalar(select(func.count()).where(ListEntry.profile_id == profile.id)) or 0
    if count >= MAX_LIST:
        raise Conflict(
            f"My List holds at most {MAX_LIST} titles; remove some first.", code="list-full"
        )
    entry = ListEntry(profile_id=profile.id, kind=key[0], title_id=key[1], added_at=utcnow())
    try:
        with savepoint(db):
            db.add(entry)
    except IntegrityError:
        # A parallel add won: the primary key keeps exactly one row, and this one is a no-op.
        winner = db.get(ListEntry, (profile.id, *key))
        if winner is None:
            raise
        return winner, False
    versions.bump(db, profile)
    return entry, True


def remove_from_list(db: Session, profile: Profile, key: TitleKey) -> None:
    removed = db.execute(delete(ListEntry).where(*_is(ListEntry, profile, key)))
    if removed.rowcount:  # type: ignore[attr-defined]
        versions.bump(db, profile)


# A restricted profile's listings are filtered in Python (ratings come from certifications by
# country), so its pages and totals are cut from at most this many of the newest rows.
MAX_FILTERED_ROWS = 5000


def _page(
    db: Session, profile: Profile, query: Any, page: int, per_page: int
) -> tuple[list[Any], int]:
    """One page of (row, title) pairs the profile may see, and how many it may see in all."""
    start = (page - 1) * per_page
    if unrestricted(profile):
        total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = db.execute(query.limit(per_page).offset(start)).all()
        return [(r[0], r[1]) for r in rows], total
    visible = [
        (r[0], r[1])
        for r in db.execute(query.limit(MAX_FILTERED_ROWS)).all()
        if allowed(profile, r[1])
    ]
    return visible[start : start + per_page], len(visible)


def my_list(
    db: Session, profile: Profile, page: int, per_page: int
) -> tuple[list[tuple[ListEntry, Title]], int]:
    query = (
        _joined(ListEntry)
        .where(ListEntry.profile_id == profile.id)
        .order_by(ListEntry.added_at.desc(), ListEntry.kind, ListEntry.title_id.desc())
    )
    return _page(db, profile, query, page, per_page)


# --- ratings ---------------------------------------------------------------------------------


def rate(db: Session, catalog: Catalog, profile: Profile, key: TitleKey, rating: str) -> Rating:
    _title_for(db, catalog, profile, key)
    now = utcnow()
    changed = db.execute(
        update(Rating).where(*_is(Rating, profile, key)).values(rating=rating, rated_at=now)
    )
    if changed.rowcount == 0:  # type: ignore[attr-defined]
        try:
            with savepoint(db):
                db.add(
                    Rating(
                        profile_id=profile.id,
                        kind=key[0],
                        title_id=key[1],
                        rating=rating,
                        rated_at=now,
                    )
                )
        except IntegrityError:  # a parallel first rating: ours is the later word
            db.execute(
                update(Rating).where(*_is(Rating, profile, key)).values(rating=rating, rated_at=now)
            )
    result: Rating | None = db.get(Rating, (profile.id, *key))
    if result is None:  # deleted between our write and this read by a parallel DELETE
        raise not_found("rating")
    versions.bump(db, profile)
    return result


def unrate(db: Session, profile: Profile, key: TitleKey) -> None:
    removed = db.execute(delete(Rating).where(*_is(Rating, profile, key)))
    if removed.rowcount:  # type: ignore[attr-defined]
        versions.bump(db, profile)


def ratings(
    db: Session, profile: Profile, page: int, per_page: int
) -> tuple[list[tuple[Rating, Title]], int]:
    query = (
        _joined(Rating)
        .where(Rating.profile_id == profile.id)
        .order_by(Rating.rated_at.desc(), Rating.kind, Rating.title_id.desc())
    )
    return _page(db, profile, query, page, per_page)


def rated_keys(db: Session, profile: Profile, *values: str) -> list[TitleKey]:
    query = select(Rating.kind, Rating.title_id).where(Rating.profile_id == profile.id)
    if values:
        query = query.where(Rating.rating.in_(values))
    rows = db.execute(query.order_by(Rating.rated_at.desc(), Rating.title_id.desc()))
    return [title_key(kind, title_id) for kind, title_id in rows]


# --- progress, continue watching, history ----------------------------------------------------


@dataclass(frozen=True)
class Position:
    position_seconds: int
    duration_seconds: int
    sequence: int
    season_number: int | None = None
    episode_number: int | None = None


@dataclass(frozen=True)
class ProgressResult:
    applied: bool
    stored: bool
    finished: bool
    viewing: Position | None


@dataclass(frozen=True)
class EpisodeRef:
    season_number: int
    episode_number: int


def _counts(position: int, duration: int) -> bool:
    return position >= MIN_POSITION_SECONDS and position >= MIN_FRACTION * duration


def _check_episode(title: Title, episode: EpisodeRef) -> None:
    counts = {int(season): int(count) for season, count in title.seasons or []}
    if not counts:
        return  # the catalog listed no seasons: accept what the player names
    if episode.season_number not in counts:
        raise Invalid.field(
            "season_number",
            "no such season",
            f"'{title.title}' has no season {episode.season_number} "
            f"(seasons: {', '.join(str(s) for s in counts)}).",
        )
    if episode.episode_number > counts[episode.season_number]:
        raise Invalid.field(
            "episode_number",
            "no such episode",
            f"Season {episode.season_number} of '{title.title}' has "
            f"{counts[episode.season_number]} episodes.",
        )


def next_episode(title: Title, episode: EpisodeRef) -> EpisodeRef | None:
    """The episode after this one, across a season boundary; None after the last one that
    has aired (as far as the catalog knows)."""
    seasons = [(s, n) for s, n in title.seasons or [] if n > 0]
    following: EpisodeRef | None = None
    for number, count in seasons:
        if number == episode.season_number and episode.episode_number < count:
            following = EpisodeRef(number, episode.episode_number + 1)
            break
        if number > episode.season_number:
            following = EpisodeRef(number, 1)
            break
    if following is None:
        return None
    last = title.last_aired
    if last and (following.season_number, following.episode_number) > (last[0], last[1]):
        return None  # announced but not aired yet
    return following


def _heartbeat_values(
    season: Any,
    episode: Any,
    position: Any,
    duration: Any,
    sequence: Any,
    now: Any,
    finished_at: Any,
) -> dict[str, Any]:
    """What a heartbeat writes to its viewing row: values (record_progress) or parameters (the
    one-statement path), from this one definition."""
    return {
        "season_number": season,
        "episode_number": episode,
        "position_seconds": position,
        "duration_seconds": duration,
        "sequence": sequence,
        "updated_at": now,
        "finished_at": finished_at,
        # A new play brings the title back wherever the member had hidden it.
        "hidden_from_row": False,
        "hidden_from_history": False,
    }


def _newer(sequence: Any) -> Any:
    """Only a newer heartbeat overwrites: late or reordered ones change nothing."""
    return Viewing.__table__.c.sequence < sequence


# What a heartbeat answers with: the stored position, whichever heartbeat wrote it.
_SHOWN = (
    Viewing.__table__.c.position_seconds,
    Viewing.__table__.c.duration_seconds,
    Viewing.__table__.c.sequence,
    Viewing.__table__.c.season_number,
    Viewing.__table__.c.episode_number,
)


def record_progress(
    db: Session,
    catalog: Catalog,
    profile: Profile,
    key: TitleKey,
    position: int,
    duration: int,
    sequence: int,
    episode: EpisodeRef | None = None,
) -> ProgressResult:
    """A heartbeat: one statement. Only a newer sequence number may overwrite, so late or
    reordered heartbeats change nothing; the database decides races, not a prior read.

    For a series the heartbeat names its episode and the row holds the resume point: past
    90 % of an episode that point moves to the start of the next one (across seasons), and
    only the last aired episode finished takes the series out of Continue Watching."""
    if position > duration:
        raise Invalid.field(
            "position_seconds",
            "exceeds duration_seconds",
            "position_seconds cannot exceed duration_seconds.",
        )
    title = _heartbeat_title(db, catalog, profile, key)
    now = utcnow()
    finished = position >= FINISHED_FRACTION * duration
    where: tuple[int | None, int | None] = (None, None)
    store_anyway = False
    if key[0] == "series" and title is not None:
        if episode is None:
            raise Invalid.field(
                "season_number", "required", "A series heartbeat names its episode."
            )
        _check_episode(title, episode)
        where = (episode.season_number, episode.episode_number)
        if finished:
            following = next_episode(title, episode)
            if following is not None:  # resume at the start of the next episode
                where = (following.season_number, following.episode_number)
                position = 0
                duration = title.episode_runtime * 60 if title.episode_runtime else duration
                finished = False
                store_anyway = True
    values = _heartbeat_values(
        where[0], where[1], position, duration, sequence, now, now if finished else None
    )
    table = Viewing.__table__
    this = (
        table.c.profile_id == profile.id,
        table.c.kind == key[0],
        table.c.title_id == key[1],
    )
    newer = _newer(sequence)
    shown = _SHOWN
    statement: Any
    if _counts(position, duration) or finished or store_anyway:
        insert = (pg_insert if db.database.dialect == "postgresql" else sqlite_insert)(table)
        statement = (
            insert.values(
                profile_id=profile.id, kind=key[0], title_id=key[1], started_at=now, **values
            )
            .on_conflict_do_update(
                index_elements=[table.c.profile_id, table.c.kind, table.c.title_id],
                set_=values,
                where=newer,
            )
            .returning(*shown)
        )
    else:  # nothing new is kept for the first minute or below 5 %: update only
        statement = update(table).where(*this, newer).values(**values).returning(*shown)
    written = db.execute(statement).first()
    if written is not None:
        return ProgressResult(True, True, finished, Position(*written))
    stored = db.execute(select(*shown, table.c.finished_at).where(*this)).first()
    if stored is None:
        return ProgressResult(False, False, False, None)
    # A newer (or the same) heartbeat is already recorded: say what it holds.
    return ProgressResult(False, True, stored.finished_at is not None, Position(*stored[:5]))


_FAST_HEARTBEATS: dict[str, Any] = {}  # dialect name -> the statement, built once


def _fast_heartbeat_statement(db: Session) -> Any:
    """INSERT ... SELECT ... ON CONFLICT DO UPDATE ... RETURNING: the row is written only if
    the token's session stands (accounts.models.session_stands), the profile is the token's, is
    unrestricted (catalog.titles.unrestricted, in SQL), the movie is in the catalog, and the
    sequence is newer than the stored one."""
    dialect = db.database.dialect
    statement = _FAST_HEARTBEATS.get(dialect)
    if statement is not None:
        return statement
    table = Viewing.__table__
    profiles = Profile.__table__
    titles = Title.__table__
    c = table.c
    now = bindparam("now", type_=c.updated_at.type)
    sequence = bindparam("sequence", type_=c.sequence.type)
    # The general path's row (record_progress), with parameters for its values.
    values = _heartbeat_values(
        null(),
        null(),
        bindparam("position", type_=c.position_seconds.type),
        bindparam("duration", type_=c.duration_seconds.type),
        sequence,
        now,
        bindparam("finished_at", type_=c.finished_at.type),
    )
    values["hidden_from_row"] = values["hidden_from_history"] = false()
    source = (
        select(
            profiles.c.id,
            titles.c.kind,
            titles.c.id,
            now,
            *values.values(),
        )
        .select_from(profiles)
        .join(titles, and_(titles.c.kind == "movie", titles.c.id == bindparam("title_id")))
        .where(
            profiles.c.id == bindparam("profile_id"),
            profiles.c.user_id == bindparam("user_id"),
            Profile.sees_everything,  # catalog.titles.unrestricted: the same definition
            session_stands(bindparam("session_id")),
        )
    )
    insert = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    statement = (
        insert.from_select(["profile_id", "kind", "title_id", "started_at", *values], source)
        .on_conflict_do_update(
            index_elements=[table.c.profile_id, table.c.kind, table.c.title_id],
            set_=values,
            where=_newer(sequence),
        )
        .returning(*_SHOWN)
    )
    _FAST_HEARTBEATS[dialect] = statement
    return statement


def record_movie_progress_fast(
    db: Session,
    user_id: int,
    profile_id: int,
    session_id: str,
    movie_id: int,
    position: int,
    duration: int,
    sequence: int,
) -> ProgressResult | None:
    """The common heartbeat in one statement and one round trip, without loading the profile
    or the title: a session still standing, an unrestricted profile, a movie the catalog
    knows, a position that counts (or finishes it), a newer sequence. None when any of that
    doesn't hold (or the profile is gone); record_progress then decides and explains, as it
    always would."""
    finished = position >= FINISHED_FRACTION * duration
    if position > duration or not (_counts(position, duration) or finished):
        return None
    now = utcnow()
    written = one_statement(
        db,
        _fast_heartbeat_statement(db),
        {
            "user_id": user_id,
            "profile_id": profile_id,
            "session_id": session_id,
            "title_id": movie_id,
            "now": now,
            "position": position,
            "duration": duration,
            "sequence": sequence,
            "finished_at": now if finished else None,
        },
    )
    if written is None:
        return None
    return ProgressResult(True, True, finished, Position(*written))


def _in_row(query: Any) -> Any:
    return query.where(
        Viewing.finished_at.is_(None),
        Viewing.hidden_from_row.is_(False),
        Viewing.hidden_from_history.is_(False),
        or_(
            # A series stays in the row between episodes (its resume point may be at 0).
            Viewing.kind == "series",
            and_(
                Viewing.position_seconds >= MIN_POSITION_SECONDS,
                Viewing.position_seconds >= MIN_FRACTION * Viewing.duration_seconds,
            ),
        ),
    )


def continue_watching(
    db: Session, profile: Profile, page: int, per_page: int
) -> tuple[list[tuple[Viewing, Title]], int]:
    query = _in_row(
        _joined(Viewing)
        .where(Viewing.profile_id == profile.id)
        .order_by(Viewing.updated_at.desc(), Viewing.kind, Viewing.title_id.desc())
    )
    return _page(db, profile, query, page, per_page)


def hide_from_row(db: Session, profile: Profile, key: TitleKey) -> None:
    viewing = db.get(Viewing, (profile.id, *key))
    if viewing is None:
        raise not_found("title in Continue Watching")
    viewing.hidden_from_row = True  # the position stays for the next play
    versions.bump(db, profile)


def history(
    db: Session, profile: Profile, page: int, per_page: int
) -> tuple[list[tuple[Viewing, Title]], int]:
    query = (
        _joined(Viewing)
        .where(Viewing.profile_id == profile.id, Viewing.hidden_from_history.is_(False))
        .order_by(Viewing.updated_at.desc(), Viewing.kind, Viewing.title_id.desc())
    )
    return _page(db, profile, query, page, per_page)


def hide_from_history(db: Session, profile: Profile, key: TitleKey) -> None:
    viewing = db.get(Viewing, (profile.id, *key))
    if viewing is None:
        raise not_found("title in your history")
    viewing.hidden_from_history = True
    viewing.hidden_from_row = True
    versions.bump(db, profile)


# --- the home screen's member data: one query per kind -----------------------------------


@dataclass(frozen=True)
class HomeData:
    liked: list[TitleKey]  # loved and liked, newest first
    hidden: set[TitleKey]  # disliked or removed from history: never suggested
    watching: list[Title]  # Continue Watching, most recent first (not yet maturity-filtered)
    listed: list[Title]  # My List, most recently added first (not yet maturity-filtered)


def home_data(db: Session, profile: Profile, limit: int) -> HomeData:
    """What the home screen needs from member data in three queries (ratings, viewings, My
    List), each bounded: at most `limit` titles per row are read for an unrestricted profile,
    MAX_FILTERED_ROWS for a restricted one (it filters in Python)."""
    cap = limit if unrestricted(profile) else MAX_FILTERED_ROWS
    rated = db.execute(
        select(Rating.kind, Rating.title_id, Rating.rating)
        .where(Rating.profile_id == profile.id)
        .order_by(Rating.rated_at.desc(), Rating.title_id.desc())
    ).all()
    liked = [title_key(k, i) for k, i, r in rated if r in ("love", "like")]
    hidden = {title_key(k, i) for k, i, r in rated if r == "dislike"}
    in_row = _in_row(select(Viewing.kind)).whereclause
    viewings = db.execute(
        _joined(Viewing)
        .where(Viewing.profile_id == profile.id)
        .where(or_(Viewing.hidden_from_history.is_(True), in_row))
        .order_by(Viewing.updated_at.desc(), Viewing.kind, Viewing.title_id.desc())
        .limit(MAX_FILTERED_ROWS)
    ).all()
    watching: list[Title] = []
    for viewing, title in viewings:
        if viewing.hidden_from_history:
            hidden.add(title.key)
        elif len(watching) <= cap:
            watching.append(title)
    listed = [
        t
        for _, t in db.execute(
            _joined(ListEntry)
            .where(ListEntry.profile_id == profile.id)
            .order_by(ListEntry.added_at.desc(), ListEntry.kind, ListEntry.title_id.desc())
            .limit(cap + 1)
        ).all()
    ]
    return HomeData(liked, hidden, watching, listed)


def hidden_keys(db: Session, profile: Profile) -> set[TitleKey]:
    """Titles the profile never wants suggested: disliked or removed from history."""
    disliked = set(rated_keys(db, profile, "dislike"))
    hidden = {
        title_key(kind, title_id)
        for kind, title_id in db.execute(
            select(Viewing.kind, Viewing.title_id).where(
                Viewing.profile_id == profile.id, Viewing.hidden_from_history.is_(True)
            )
        )
    }
    return disliked | hidden
