"""/api/profile/* and /api/browse: everything acts on the profile named by the token.

Titles are named by kind and id (`/api/profile/list/series/1399`); the paths without a kind
(`/api/profile/list/550`) are the original movie paths, kept for existing clients."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, Response

from netflix_clone.accounts.models import Profile
from netflix_clone.accounts.profiles import current_profile
from netflix_clone.catalog.models import Title, TitleKey
from netflix_clone.catalog.schemas import Kind
from netflix_clone.catalog.titles import card_from_title, genres_for
from netflix_clone.library import browse as browse_service
from netflix_clone.library import service
from netflix_clone.library.models import Viewing
from netflix_clone.library.schemas import (
    Browse,
    BrowseQuery,
    EpisodeRef,
    ListChange,
    ListItem,
    ListPage,
    PageQuery,
    ProgressIn,
    ProgressOut,
    RatingIn,
    RatingItem,
    RatingOut,
    RatingPage,
    Row,
    RowQuery,
    SeriesProgressIn,
    WatchItem,
    WatchPage,
)
from netflix_clone.web.deps import catalog, db_session, home
from netflix_clone.web.encoding import cached_answer
from netflix_clone.web.operations import operation
from netflix_clone.web.sessions import current_principal, live_session, settle_session

bp = Blueprint("library", __name__)
LIST_TAGS = ["my list"]
RATING_TAGS = ["ratings"]
WATCH_TAGS = ["watching"]
BROWSE_TAGS = ["browse"]
# 403: no profile chosen, or the title is above the profile's maturity level.
PROFILE_ERRORS = (403,)
UPSTREAM = (502, 503, 504)
LEGACY = " The path without a kind names a movie (kept for existing clients)."


def profile() -> Profile:
    return current_profile(db_session(), current_principal())


# --- My List ---------------------------------------------------------------------------------


@bp.get("/api/profile/list")
@operation(
    summary="My List, most recently added first (movies and series)",
    tags=LIST_TAGS,
    query=PageQuery,
    response=ListPage,
    auth=True,
    errors=PROFILE_ERRORS,
)
def get_list(query: PageQuery) -> ListPage:
    me = profile()
    rows, total = service.my_list(db_session(), me, query.page, query.per_page)
    cat = catalog()
    genres = genres_for(cat, me)
    return ListPage(
        items=[
            ListItem(title=card_from_title(cat, t, genres), added_at=e.added_at) for e, t in rows
        ],
        page=query.page,
        per_page=query.per_page,
        total=total,
    )


def _add(key: TitleKey) -> tuple[ListChange, int]:
    entry, created = service.add_to_list(db_session(), catalog(), profile(), key)
    change = ListChange(kind=key[0], id=key[1], in_list=True, added_at=entry.added_at)
    return change, 201 if created else 200


ADD = partial(
    operation,
    summary="Add a title to My List (idempotent)",
    tags=LIST_TAGS,
    response=ListChange,
    extra_responses={201: ListChange},
    auth=True,
    errors=(*PROFILE_ERRORS, 409, *UPSTREAM),
)


@bp.put("/api/profile/list/<kind:kind>/<id:title_id>")
@ADD()
def add_to_list(kind: Kind, title_id: int) -> tuple[ListChange, int]:
    return _add((kind, title_id))


@bp.put("/api/profile/list/<id:movie_id>")
@ADD(summary="Add a movie to My List (idempotent)", description=LEGACY)
def add_movie_to_list(movie_id: int) -> tuple[ListChange, int]:
    return _add(("movie", movie_id))


REMOVE = partial(
    operation,
    summary="Remove a title from My List (idempotent)",
    tags=LIST_TAGS,
    response=None,
    status=204,
    auth=True,
    errors=PROFILE_ERRORS,
)


@bp.delete("/api/profile/list/<kind:kind>/<id:title_id>")
@REMOVE()
def remove_from_list(kind: Kind, title_id: int) -> None:
    service.remove_from_list(db_session(), profile(), (kind, title_id))


@bp.delete("/api/profile/list/<id:movie_id>")
@REMOVE(summary="Remove a movie from My List (idempotent)", description=LEGACY)
def remove_movie_from_list(movie_id: int) -> None:
    service.remove_from_list(db_session(), profile(), ("movie", movie_id))


# --- ratings ---------------------------------------------------------------------------------


@bp.get("/api/profile/ratings")
@operation(
    summary="This profile's ratings, newest first",
    tags=RATING_TAGS,
    query=PageQuery,
    response=RatingPage,
    auth=True,
    errors=PROFILE_ERRORS,
)
def get_ratings(query: PageQuery) -> RatingPage:
    me = profile()
    rows, total = service.ratings(db_session(), me, query.page, query.per_page)
    cat = catalog()
    genres = genres_for(cat, me)
    return RatingPage(
        items=[
            RatingItem(title=card_from_title(cat, t, genres), rating=r.rating, rated_at=r.rated_at)
            for r, t in rows
        ],
        page=query.page,
        per_page=query.per_page,
        total=total,
    )


def _rate(key: TitleKey, body: RatingIn) -> RatingOut:
    rating = service.rate(db_session(), catalog(), profile(), key, body.rating)
    return RatingOut(kind=key[0], id=key[1], rating=rating.rating, rated_at=rating.rated_at)


RATE = partial(
    operation,
    summary="Rate a title: dislike hides it from rows and recommendations",
    tags=RATING_TAGS,
    body=RatingIn,
    response=RatingOut,
    auth=True,
    errors=(*PROFILE_ERRORS, *UPSTREAM),
)


@bp.put("/api/profile/ratings/<kind:kind>/<id:title_id>")
@RATE()
def put_rating(kind: Kind, title_id: int, body: RatingIn) -> RatingOut:
    return _rate((kind, title_id), body)


@bp.put("/api/profile/ratings/<id:movie_id>")
@RATE(summary="Rate a movie: dislike hides it from rows and recommendations", description=LEGACY)
def put_movie_rating(movie_id: int, body: RatingIn) -> RatingOut:
    return _rate(("movie", movie_id), body)


UNRATE = partial(
    operation,
    summary="Remove a rating",
    tags=RATING_TAGS,
    response=None,
    status=204,
    auth=True,
    errors=PROFILE_ERRORS,
)


@bp.delete("/api/profile/ratings/<kind:kind>/<id:title_id>")
@UNRATE()
def delete_rating(kind: Kind, title_id: int) -> None:
    service.unrate(db_session(), profile(), (kind, title_id))


@bp.delete("/api/profile/ratings/<id:movie_id>")
@UNRATE(summary="Remove a movie's rating", description=LEGACY)
def delete_movie_rating(movie_id: int) -> None:
    service.unrate(db_session(), profile(), ("movie", movie_id))


# --- progress --------------------------------------------------------------------------------


def _progress(
    key: TitleKey, body: ProgressIn, episode: service.EpisodeRef | None = None
) -> ProgressOut:
    principal = current_principal()
    result = None
    if key[0] == "movie" and principal.profile_id is not None:
        result = service.record_movie_progress_fast(
            db_session(),
            principal.user_id,
            principal.profile_id,
            principal.session_id,
            key[1],
            body.position_seconds,
            body.duration_seconds,
            body.sequence,
        )
    if result is not None:
        settle_session(False)  # the statement wrote only for a session that stands
    else:
        live_session()
        result = service.record_progress(
            db_session(),
            catalog(),
            current_profile(db_session(), principal),
            key,
            body.position_seconds,
            body.duration_seconds,
            body.sequence,
            episode,
        )
    v = result.viewing
    return ProgressOut(
        kind=key[0],
        id=key[1],
        applied=result.applied,
        stored=result.stored,
        finished=result.finished,
        position_seconds=v.position_seconds if v else None,
        duration_seconds=v.duration_seconds if v else None,
        sequence=v.sequence if v else None,
        season_number=v.season_number if v else None,
        episode_number=v.episode_number if v else None,
    )


PROGRESS = partial(
    operation,
    summary="Report a movie's playback position (newest sequence wins)",
    tags=WATCH_TAGS,
    body=ProgressIn,
    response=ProgressOut,
    auth=True,
    errors=(*PROFILE_ERRORS, 409, *UPSTREAM),
    defer_session_check=True,  # the heartbeat's one statement asks (see _progress)
)


@bp.put("/api/profile/progress/movie/<id:movie_id>")
@PROGRESS()
def put_movie_progress(movie_id: int, body: ProgressIn) -> ProgressOut:
    return _progress(("movie", movie_id), body)


@bp.put("/api/profile/progress/<id:movie_id>")
@PROGRESS(description=LEGACY)
def put_progress(movie_id: int, body: ProgressIn) -> ProgressOut:
    return _progress(("movie", movie_id), body)


@bp.put("/api/profile/progress/series/<id:series_id>")
@operation(
    summary="Report the playback position in a series' episode (newest sequence wins)",
    description="`sequence` increases per series, across its episodes. Past 90 % of an "
    "episode the resume point becomes the next episode (across a season boundary) at 0; "
    "past 90 % of the last aired episode the series is finished and leaves Continue Watching.",
    tags=WATCH_TAGS,
    body=SeriesProgressIn,
    response=ProgressOut,
    auth=True,
    errors=(*PROFILE_ERRORS, 409, *UPSTREAM),
)
def put_series_progress(series_id: int, body: SeriesProgressIn) -> ProgressOut:
    episode = service.EpisodeRef(body.season_number, body.episode_number)
    return _progress(("series", series_id), body, episode)


def _watch_page(
    rows: list[tuple[Viewing, Title]], page: int, per_page: int, total: int, me: Profile
) -> WatchPage:
    cat = catalog()
    genres = genres_for(cat, me)
    items = []
    for v, t in rows:
        episode = (
            EpisodeRef(season_number=v.season_number, episode_number=v.episode_number)
            if v.season_number is not None and v.episode_number is not None
            else None
        )
        items.append(
            WatchItem(
                title=card_from_title(cat, t, genres),
                episode=episode,
                position_seconds=v.position_seconds,
                duration_seconds=v.duration_seconds,
                progress=round(v.position_seconds / v.duration_seconds, 4),
                status="finished" if v.finished_at else "in_progress",
                started_at=v.started_at,
                last_watched_at=v.updated_at,
                finished_at=v.finished_at,
            )
        )
    return WatchPage(items=items, page=page, per_page=per_page, total=total)


@bp.get("/api/profile/continue-watching")
@operation(
    summary="Titles in progress, most recent activity first (a series once, at its episode)",
    tags=WATCH_TAGS,
    query=PageQuery,
    response=WatchPage,
    auth=True,
    errors=PROFILE_ERRORS,
)
def get_continue_watching(query: PageQuery) -> WatchPage:
    me = profile()
    rows, total = service.continue_watching(db_session(), me, query.page, query.per_page)
    return _watch_page(rows, query.page, query.per_page, total, me)


HIDE_ROW = partial(
    operation,
    summary="Hide a title from Continue Watching (the position is kept)",
    tags=WATCH_TAGS,
    response=None,
    status=204,
    auth=True,
    errors=PROFILE_ERRORS,
)


@bp.delete("/api/profile/continue-watching/<kind:kind>/<id:title_id>")
@HIDE_ROW()
def hide_continue_watching(kind: Kind, title_id: int) -> None:
    service.hide_from_row(db_session(), profile(), (kind, title_id))


@bp.delete("/api/profile/continue-watching/<id:movie_id>")
@HIDE_ROW(description=LEGACY)
def hide_movie_continue_watching(movie_id: int) -> None:
    service.hide_from_row(db_session(), profile(), ("movie", movie_id))


@bp.get("/api/profile/history")
@operation(
    summary="Finished and in-progress titles with dates",
    tags=WATCH_TAGS,
    query=PageQuery,
    response=WatchPage,
    auth=True,
    errors=PROFILE_ERRORS,
)
def get_history(query: PageQuery) -> WatchPage:
    me = profile()
    rows, total = service.history(db_session(), me, query.page, query.per_page)
    return _watch_page(rows, query.page, query.per_page, total, me)


HIDE_HISTORY = partial(
    operation,
    summary="Hide a title from history, rows and recommendations",
    tags=WATCH_TAGS,
    response=None,
    status=204,
    auth=True,
    errors=PROFILE_ERRORS,
)


@bp.delete("/api/profile/history/<kind:kind>/<id:title_id>")
@HIDE_HISTORY()
def hide_history(kind: Kind, title_id: int) -> None:
    service.hide_from_history(db_session(), profile(), (kind, title_id))


@bp.delete("/api/profile/history/<id:movie_id>")
@HIDE_HISTORY(description=LEGACY)
def hide_movie_history(movie_id: int) -> None:
    service.hide_from_history(db_session(), profile(), ("movie", movie_id))


# --- browse ----------------------------------------------------------------------------------


@bp.get("/api/browse")
@operation(
    summary="The home screen: ordered rows of cards (movies and series) for this profile",
    description="Cached per profile until a write changes what it shows (My List, ratings, "
    "Continue Watching, hidden titles, maturity) or a catalog list it shows is refreshed. "
    "Send the `ETag` back in `If-None-Match` for a 304. Compressed (gzip) once, when rendered, "
    "for clients that accept it.",
    tags=BROWSE_TAGS,
    query=BrowseQuery,
    response=Browse,
    auth=True,
    errors=PROFILE_ERRORS,
    extra_responses={304: None},
    response_headers={
        "ETag": "Validator for If-None-Match.",
        "X-Cache": "hit when the rendered home screen came from the cache, else miss.",
        "Content-Encoding": "gzip when the client accepts it (its ETag then ends in -gzip).",
    },
    defer_session_check=True,
)
def get_browse(query: BrowseQuery) -> Response:
    principal = current_principal()
    lookup = None
    if principal.profile_id is not None:
        lookup = browse_service.cached_hit(
            db_session(),
            home(),
            principal.user_id,
            principal.profile_id,
            principal.session_id,
            query.per_row,
        )
    if lookup is not None:
        settle_session(lookup.session_ended)
    else:
        live_session()
    rendered = lookup.rendered if lookup is not None else None
    hit = rendered is not None
    if rendered is None:
        rendered, hit = browse_service.cached_browse(
            db_session(), catalog(), home(), profile(), query.per_row
        )
    headers = {
        "Cache-Control": "private, no-cache",
        "X-Cache": "hit" if hit else "miss",
        "Vary": "Authorization",
    }
    return cached_answer(
        rendered.data,
        rendered.gzipped,
        rendered.etag,
        headers,
    )


@bp.get("/api/browse/rows/<row_id>")
@operation(
    summary="One browse row, paged on its own",
    tags=BROWSE_TAGS,
    query=RowQuery,
    response=Row,
    auth=True,
    errors=(*PROFILE_ERRORS, *UPSTREAM),
)
def get_row(row_id: str, query: RowQuery) -> Row:
    return browse_service.row(
        db_session(), catalog(), home(), profile(), row_id, query.page, query.per_row
    )
