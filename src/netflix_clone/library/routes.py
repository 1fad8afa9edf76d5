"""/api/profile/* and /api/browse: everything acts on the profile named by the token."""

from __future__ import annotations

from flask import Blueprint

from netflix_clone.accounts.models import Profile
from netflix_clone.accounts.profiles import current_profile
from netflix_clone.api import operation
from netflix_clone.library import browse as browse_service
from netflix_clone.library import service
from netflix_clone.library.models import Viewing
from netflix_clone.library.movies import card_from_movie, genres_for
from netflix_clone.library.schemas import (
    Browse,
    BrowseQuery,
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
    WatchItem,
    WatchPage,
)
from netflix_clone.security import current_principal

bp = Blueprint("library", __name__)
LIST_TAGS = ["my list"]
RATING_TAGS = ["ratings"]
WATCH_TAGS = ["watching"]
BROWSE_TAGS = ["browse"]
# 403: no profile chosen, or the title is above the profile's maturity level.
PROFILE_ERRORS = (403,)
UPSTREAM = (502, 503, 504)


def profile() -> Profile:
    return current_profile(current_principal())


@bp.get("/api/profile/list")
@operation(
    summary="My List, most recently added first",
    tags=LIST_TAGS,
    query=PageQuery,
    response=ListPage,
    auth=True,
    errors=PROFILE_ERRORS,
)
def get_list(query: PageQuery) -> ListPage:
    me = profile()
    rows, total = service.my_list(me, query.page, query.per_page)
    genres = genres_for(me)
    return ListPage(
        items=[ListItem(movie=card_from_movie(m, genres), added_at=e.added_at) for e, m in rows],
        page=query.page,
        per_page=query.per_page,
        total=total,
    )


@bp.put("/api/profile/list/<id:movie_id>")
@operation(
    summary="Add a title to My List (idempotent)",
    tags=LIST_TAGS,
    response=ListChange,
    extra_responses={201: ListChange},
    auth=True,
    errors=(*PROFILE_ERRORS, 409, *UPSTREAM),
)
def add_to_list(movie_id: int) -> tuple[ListChange, int]:
    entry, created = service.add_to_list(profile(), movie_id)
    return ListChange(movie_id=movie_id, in_list=True, added_at=entry.added_at), (
        201 if created else 200
    )


@bp.delete("/api/profile/list/<id:movie_id>")
@operation(
    summary="Remove a title from My List (idempotent)",
    tags=LIST_TAGS,
    response=None,
    status=204,
    auth=True,
    errors=PROFILE_ERRORS,
)
def remove_from_list(movie_id: int) -> None:
    service.remove_from_list(profile(), movie_id)


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
    rows, total = service.ratings(me, query.page, query.per_page)
    genres = genres_for(me)
    return RatingPage(
        items=[
            RatingItem(
                movie=card_from_movie(m, genres),
                rating=r.rating,
                rated_at=r.rated_at,
            )
            for r, m in rows
        ],
        page=query.page,
        per_page=query.per_page,
        total=total,
    )


@bp.put("/api/profile/ratings/<id:movie_id>")
@operation(
    summary="Rate a title: dislike hides it from rows and recommendations",
    tags=RATING_TAGS,
    body=RatingIn,
    response=RatingOut,
    auth=True,
    errors=(*PROFILE_ERRORS, *UPSTREAM),
)
def put_rating(movie_id: int, body: RatingIn) -> RatingOut:
    rating = service.rate(profile(), movie_id, body.rating)
    return RatingOut(
        movie_id=movie_id,
        rating=rating.rating,
        rated_at=rating.rated_at,
    )


@bp.delete("/api/profile/ratings/<id:movie_id>")
@operation(
    summary="Remove a rating",
    tags=RATING_TAGS,
    response=None,
    status=204,
    auth=True,
    errors=PROFILE_ERRORS,
)
def delete_rating(movie_id: int) -> None:
    service.unrate(profile(), movie_id)


@bp.put("/api/profile/progress/<id:movie_id>")
@operation(
    summary="Report the playback position (newest sequence wins)",
    tags=WATCH_TAGS,
    body=ProgressIn,
    response=ProgressOut,
    auth=True,
    errors=(*PROFILE_ERRORS, 409, *UPSTREAM),
)
def put_progress(movie_id: int, body: ProgressIn) -> ProgressOut:
    result = service.record_progress(
        profile(), movie_id, body.position_seconds, body.duration_seconds, body.sequence
    )
    v = result.viewing
    return ProgressOut(
        movie_id=movie_id,
        applied=result.applied,
        stored=result.stored,
        finished=result.finished,
        position_seconds=v.position_seconds if v else None,
        duration_seconds=v.duration_seconds if v else None,
        sequence=v.sequence if v else None,
    )


def _watch_page(
    rows: list[tuple[Viewing, object]], page: int, per_page: int, total: int, me: Profile
) -> WatchPage:
    genres = genres_for(me)
    items = []
    for v, m in rows:
        items.append(
            WatchItem(
                movie=card_from_movie(m, genres),  # type: ignore[arg-type]
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
    summary="Titles in progress, most recent activity first",
    tags=WATCH_TAGS,
    query=PageQuery,
    response=WatchPage,
    auth=True,
    errors=PROFILE_ERRORS,
)
def get_continue_watching(query: PageQuery) -> WatchPage:
    me = profile()
    rows, total = service.continue_watching(me, query.page, query.per_page)
    return _watch_page(rows, query.page, query.per_page, total, me)  # type: ignore[arg-type]


@bp.delete("/api/profile/continue-watching/<id:movie_id>")
@operation(
    summary="Hide a title from Continue Watching (the position is kept)",
    tags=WATCH_TAGS,
    response=None,
    status=204,
    auth=True,
    errors=PROFILE_ERRORS,
)
def hide_continue_watching(movie_id: int) -> None:
    service.hide_from_row(profile(), movie_id)


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
    rows, total = service.history(me, query.page, query.per_page)
    return _watch_page(rows, query.page, query.per_page, total, me)  # type: ignore[arg-type]


@bp.delete("/api/profile/history/<id:movie_id>")
@operation(
    summary="Hide a title from history, rows and recommendations",
    tags=WATCH_TAGS,
    response=None,
    status=204,
    auth=True,
    errors=PROFILE_ERRORS,
)
def hide_history(movie_id: int) -> None:
    service.hide_from_history(profile(), movie_id)


@bp.get("/api/browse")
@operation(
    summary="The home screen: ordered rows of cards for this profile",
    tags=BROWSE_TAGS,
    query=BrowseQuery,
    response=Browse,
    auth=True,
    errors=PROFILE_ERRORS,
)
def get_browse(query: BrowseQuery) -> Browse:
    return browse_service.browse(profile(), query.per_row)


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
    return browse_service.row(profile(), row_id, query.page, query.per_row)
