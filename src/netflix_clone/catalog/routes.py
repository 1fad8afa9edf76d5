"""/api/movies, /api/series, /api/search, /api/genres and /api/about: cacheable JSON with ETag
and Cache-Control."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from flask import Blueprint, Response, g, request
from pydantic import BaseModel

from netflix_clone.accounts.models import Profile
from netflix_clone.accounts.profiles import current_profile
from netflix_clone.catalog import service
from netflix_clone.catalog.models import TitleKey
from netflix_clone.catalog.schemas import (
    About,
    DetailsQuery,
    GenreList,
    GenreQuery,
    MovieDetails,
    MovieListQuery,
    MultiSearchQuery,
    SearchQuery,
    Season,
    SeriesDetails,
    SeriesListQuery,
    TitlePage,
)
from netflix_clone.catalog.service import Meta
from netflix_clone.catalog.source import Catalog
from netflix_clone.catalog.titles import (
    exclusions,
    filter_cards,
    require_allowed,
    title_record,
    unrestricted,
)
from netflix_clone.core.cache import LRU
from netflix_clone.core.payloads import compressed, etag_for
from netflix_clone.web.deps import Memoised, catalog, db_session, wiring
from netflix_clone.web.encoding import cached_answer
from netflix_clone.web.operations import operation

bp = Blueprint("catalog", __name__)
TAGS = ["movies"]
SERIES_TAGS = ["series"]
UPSTREAM_ERRORS = (502, 503, 504)
# A requester past its own upstream budget (catalog.source.Catalog.charge) gets 429.
LISTING_ERRORS = (429, *UPSTREAM_ERRORS)
CATALOG_HEADERS = {
    "ETag": "Validator for If-None-Match.",
    "Cache-Control": "How long clients and CDNs may reuse the answer.",
    "X-Catalog-Source": "tmdb or demo.",
    "X-Cache": "hit, miss, or stale (served from cache because TMDB failed).",
    "Content-Encoding": "gzip, for an anonymous answer of 1,400 bytes or more when the client "
    "accepts it (its ETag then ends in -gzip).",
}
ATTRIBUTION = "This product uses the TMDB API but is not endorsed or certified by TMDB."
PERSONAL = (
    "Anonymous, or with a profile token: then the profile's maturity level filters the answer "
    "(a title above it is 403 here) and the response is private to that client."
)
MAX_AGE = {"list": 300, "details": 3600, "static": 86400}


# A restricted profile's lists and searches cover the first pages only, so that their totals can
# count what the profile may see: at most this many upstream pages (of 20 titles) are read.
FILTERED_PAGES = 5


def _filter_page(
    me: Profile | None, page: TitlePage, other_page: Callable[[int], TitlePage]
) -> None:
    """Drop what the profile may not see, and count only what it may: the totals then walk the
    list's first FILTERED_PAGES pages (through the cache and our title records)."""
    if me is None or unrestricted(me):
        return
    page.results = filter_cards(db_session(), catalog(), me, page.results)
    pages = min(page.total_pages, FILTERED_PAGES)
    if page.page > pages:
        page.results = []
    total = 0
    for number in range(1, pages + 1):
        cards = page.results if number == page.page else other_page(number).results
        total += (
            len(cards)
            if number == page.page
            else len(filter_cards(db_session(), catalog(), me, cards))
        )
    page.total_pages = pages
    page.total_results = total


def viewer() -> Profile | None:
    """The profile of a profile-scoped token, if the request carries one."""
    principal = g.get("principal")
    if principal is None or principal.profile_id is None:
        return None
    return current_profile(db_session(), principal)


def _memo() -> LRU[tuple[str, str, float], Memoised]:
    """Rendered bytes of anonymous answers, keyed by URL and the cache entry they came from: a
    cache hit then skips normalising, serialising and compressing (the same entry gives the
    same bytes)."""
    return wiring().render_memo


def cacheable(
    build: Callable[[], BaseModel],
    meta: Meta,
    max_age: int,
    me: Profile | None = None,
    personalise: Callable[[Any], None] | None = None,
) -> Response:
    """Answer with ETag and Cache-Control. Anonymous answers are shared (public, memoised);
    a profile's answers are filtered by `personalise` and private to that client."""
    gzipped = None
    if me is None:
        key = (request.full_path, meta.source, meta.stored_at)
        memoised = _memo().get(key)
        if memoised is None:
            data = build().model_dump_json().encode()
            memoised = (data, etag_for(data), compressed(data))
            _memo().put(key, memoised)
        data, etag, gzipped = memoised
    else:
        model = build()
        if personalise is not None:
            personalise(model)
        data = model.model_dump_json().encode()
        etag = etag_for(data)
    if meta.cache == "stale":
        max_age = min(max_age, 30)  # come back soon: fresher data may be there by then
    scope = "private" if me is not None else "public"
    headers = {
        "Cache-Control": f"{scope}, max-age={max_age}, stale-if-error=86400",
        "X-Catalog-Source": meta.source,
        "X-Cache": meta.cache,
        "Vary": "Authorization, Accept-Encoding",
    }
    if meta.cache != "miss":
        headers["Age"] = str(meta.age)
    return cached_answer(
        data,
        gzipped,
        etag,
        headers,
    )


Q = TypeVar("Q", bound=BaseModel)
# A catalog answer a profile token may personalise: cacheable, 304-able, private when personal.
catalog_operation = partial(
    operation,
    auth="optional",
    description=PERSONAL,
    extra_responses={304: None},
    response_headers=CATALOG_HEADERS,
)


def listing(
    query: Q, page_of: Callable[[Catalog, Q], tuple[Callable[[], TitlePage], Meta]]
) -> Response:
    """A paged list or search: shared when anonymous, filtered for a restricted profile (whose
    totals count only what it may see, over the first FILTERED_PAGES pages)."""
    build, meta = page_of(catalog(), query)
    me = viewer()

    def other_page(number: int) -> TitlePage:
        return page_of(catalog(), query.model_copy(update={"page": number}))[0]()

    return cacheable(
        build, meta, MAX_AGE["list"], me, lambda page: _filter_page(me, page, other_page)
    )


D = TypeVar("D", MovieDetails, SeriesDetails)


def details_page(
    key: TitleKey,
    query: DetailsQuery,
    details_of: Callable[[Catalog, int, str, str], tuple[Callable[[], D], Meta]],
) -> Response:
    """A movie's or a series' page: ratings for the viewer's country (or `region`), a 403 for
    a title above the profile's level, recommendations filtered for the profile."""
    me = viewer()
    region = query.region or (me.country if me else "US")
    if me is not None:
        # Before anything else: the title's rating, or a 403 or 503, never the title.
        require_allowed(me, title_record(db_session(), catalog(), key))
    build, meta = details_of(catalog(), key[1], query.language, region)

    def personalise(details: D) -> None:
        if me is not None:
            details.recommendations = filter_cards(
                db_session(),
                catalog(),
                me,
                details.recommendations,
                exclusions(db_session(), catalog(), me),
            )

    return cacheable(build, meta, MAX_AGE["details"], me, personalise)


@bp.get("/api/movies")
@catalog_operation(
    summary="A movie list: popular, top rated, now playing, upcoming or trending",
    tags=TAGS,
    query=MovieListQuery,
    response=TitlePage,
    errors=LISTING_ERRORS,
)
def list_movies(query: MovieListQuery) -> Response:
    return listing(query, service.list_movies)


@bp.get("/api/movies/search")
@catalog_operation(
    summary="Search movies by title",
    tags=TAGS,
    query=SearchQuery,
    response=TitlePage,
    errors=LISTING_ERRORS,
)
def search_movies(query: SearchQuery) -> Response:
    return listing(query, service.search)


@bp.get("/api/movies/<id:movie_id>")
@catalog_operation(
    summary="One movie: genres, runtime, certification, cast, director, trailer, recommendations",
    tags=TAGS,
    query=DetailsQuery,
    response=MovieDetails,
    errors=(403, 429, *UPSTREAM_ERRORS),
)
def movie(movie_id: int, query: DetailsQuery) -> Response:
    return details_page(("movie", movie_id), query, service.movie_details)


@bp.get("/api/series")
@catalog_operation(
    summary="A series list: popular, top rated, on the air, airing today or trending",
    tags=SERIES_TAGS,
    query=SeriesListQuery,
    response=TitlePage,
    errors=LISTING_ERRORS,
)
def list_series(query: SeriesListQuery) -> Response:
    return listing(query, service.list_series)


@bp.get("/api/series/<id:series_id>")
@catalog_operation(
    summary="One series: seasons, creators, networks, cast, content rating, trailer, "
    "next episode to air, recommendations",
    tags=SERIES_TAGS,
    query=DetailsQuery,
    response=SeriesDetails,
    errors=(403, 429, *UPSTREAM_ERRORS),
)
def series(series_id: int, query: DetailsQuery) -> Response:
    return details_page(("series", series_id), query, service.series_details)


@bp.get("/api/series/<id:series_id>/seasons/<id:season_number>")
@catalog_operation(
    summary="One season of a series: its episodes with runtime, still and air date",
    tags=SERIES_TAGS,
    query=DetailsQuery,
    response=Season,
    errors=(403, 429, *UPSTREAM_ERRORS),
)
def season(series_id: int, season_number: int, query: DetailsQuery) -> Response:
    me = viewer()
    if me is not None:  # the series' rating covers its seasons
        require_allowed(me, title_record(db_session(), catalog(), ("series", series_id)))
    build, meta = service.season(catalog(), series_id, season_number, query.language)
    return cacheable(build, meta, MAX_AGE["details"], me)


@bp.get("/api/search")
@catalog_operation(
    summary="Search movies and series together (each result carries its `kind`)",
    tags=["search"],
    query=MultiSearchQuery,
    response=TitlePage,
    errors=LISTING_ERRORS,
)
def search_all(query: MultiSearchQuery) -> Response:
    return listing(query, service.search_all)


@bp.get("/api/genres")
@operation(
    summary="Movie or TV genres (their ids differ)",
    tags=TAGS,
    query=GenreQuery,
    response=GenreList,
    errors=UPSTREAM_ERRORS,
    extra_responses={304: None},
    response_headers=CATALOG_HEADERS,
)
def genres(query: GenreQuery) -> Response:
    result, meta = service.genres(catalog(), query.language, query.kind)
    return cacheable(lambda: result, meta, MAX_AGE["static"])


@bp.get("/api/about")
@operation(
    summary="Data source and the attribution TMDB's terms require", tags=["about"], response=About
)
def about() -> About:
    source = catalog().source.name
    note = (
        "Live data from TMDB."
        if source == "tmdb"
        else "Offline demo catalog built from recorded TMDB responses; "
        "set TMDB_API_KEY for live data."
    )
    return About(
        attribution=ATTRIBUTION,
        tmdb_url="https://www.themoviedb.org/",
        logos_url="https://www.themoviedb.org/about/logos-attribution",
        source=source,
        source_note=note,
    )
