"""Catalog use cases: lists, details, seasons, search and genres in our own shapes."""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from netflix_clone.catalog import maturity, normalise
from netflix_clone.catalog.demo_tmdb import DemoTMDB
from netflix_clone.catalog.schemas import (
    Genre,
    GenreList,
    MovieDetails,
    MovieListQuery,
    MultiSearchQuery,
    SearchQuery,
    Season,
    SeriesDetails,
    SeriesListQuery,
    TitleCard,
    TitlePage,
)
from netflix_clone.catalog.source import CacheStatus, Catalog, Fetched
from netflix_clone.catalog.tmdb import MAX_PAGE, UpstreamError
from netflix_clone.core.exceptions import FieldError, Invalid, UpstreamFailed

log = logging.getLogger(__name__)

LIST_PATHS = {
    "popular": "movie/popular",
    "top_rated": "movie/top_rated",
    "now_playing": "movie/now_playing",
    "upcoming": "movie/upcoming",
    "trending": "trending/movie/week",
}
SERIES_LIST_PATHS = {
    "popular": "tv/popular",
    "top_rated": "tv/top_rated",
    "on_the_air": "tv/on_the_air",
    "airing_today": "tv/airing_today",
    "trending": "trending/tv/week",
}
DETAIL_APPENDS = "credits,videos,release_dates,recommendations"
SERIES_APPENDS = "content_ratings,credits,recommendations,videos"
GENRE_PATHS = {"movie": "genre/movie/list", "series": "genre/tv/list"}
GenreMaps = Mapping[str, dict[int, str]]


@dataclass(frozen=True)
class Meta:
    source: str
    cache: CacheStatus
    age: int
    stored_at: float

    @classmethod
    def of(cls, fetched: Fetched) -> Meta:
        return cls(fetched.source, fetched.cache, fetched.age, fetched.stored_at)


T = TypeVar("T")
Lazy = Callable[[], T]


def genre_map(catalog: Catalog, language: str, kind: str = "movie") -> dict[int, str]:
    """Genre id -> name in `language`; the bundled English names if TMDB cannot be reached."""
    try:
        fetched = catalog.fetch(GENRE_PATHS[kind], {"language": language})
        memo = catalog.genre_memo
        known = memo.get((kind, language, fetched.stored_at))
        if known is not None:
            return known
        names = _names(fetched.body)
        if names is not None:
            if len(memo) > 64:  # a few languages, refreshed every few days: stays tiny
                memo.clear()
            memo[(kind, language, fetched.stored_at)] = names
            return names
    except UpstreamError as exc:
        log.warning("genre list unavailable (%s); using bundled names", type(exc).__name__)
    return _bundled_genres(kind)


class _GenreMaps(Mapping[str, dict[int, str]]):
    """Genre maps per kind, each read (from the cache) only when a card of that kind needs
    it: a movie page never asks for TV genres."""

    def __init__(self, catalog: Catalog, language: str) -> None:
        self._catalog = catalog
        self._language = language
        self._maps: dict[str, dict[int, str]] = {}

    def __getitem__(self, kind: str) -> dict[int, str]:
        if kind not in GENRE_PATHS:
            raise KeyError(kind)
        if kind not in self._maps:
            self._maps[kind] = genre_map(self._catalog, self._language, kind)
        return self._maps[kind]

    def __iter__(self) -> Iterator[str]:
        return iter(GENRE_PATHS)

    def __len__(self) -> int:
        return len(GENRE_PATHS)


def genre_maps(catalog: Catalog, language: str) -> GenreMaps:
    """Genre id -> name per kind, each map fetched on first use."""
    return _GenreMaps(catalog, language)


def _names(body: Any) -> dict[int, str] | None:
    genres = body.get("genres") if isinstance(body, dict) else None
    if not isinstance(genres, list):
        return None
    return {
        g["id"]: str(g.get("name") or "")
        for g in genres
        if isinstance(g, dict) and isinstance(g.get("id"), int)
    }


def _bundled_genres(kind: str = "movie") -> dict[int, str]:
    _, body = DemoTMDB.default().handle(GENRE_PATHS[kind], {})
    return _names(body) or {}


def resolve_genre(catalog: Catalog, value: str, language: str, kind: str = "movie") -> int:
    if value.isdigit():
        return int(value)
    wanted = value.strip().lower()
    for names in (genre_map(catalog, language, kind), _bundled_genres(kind)):
        for genre_id, name in names.items():
            if name.lower() == wanted:
                return genre_id
    where = "GET /api/genres" if kind == "movie" else "GET /api/genres?kind=series"
    raise Invalid(
        f"No genre is called {value!r}; see {where}.",
        errors=[FieldError("genre", "unknown genre")],
    )


def _page(
    catalog: Catalog,
    body: Any,
    requested: int,
    genres: GenreMaps,
    source: str,
    keep: Any = None,
    kind: str = "movie",
) -> TitlePage:
    body = body if isinstance(body, dict) else {}
    results = normalise.cards(body.get("results"), genres, catalog.image_base, kind)
    if keep is not None:
        results = [r for r in results if keep(r)]
    total_pages = normalise.integer(body.get("total_pages")) or 0
    return TitlePage(
        page=normalise.integer(body.get("page")) or requested,
        total_pages=min(total_pages, MAX_PAGE),
        total_results=normalise.integer(body.get("total_results")) or len(results),
        results=results,
        source=source,
    )


def list_movies(catalog: Catalog, query: MovieListQuery) -> tuple[Lazy[TitlePage], Meta]:
    params = {"language": query.language, "page": str(query.page)}
    if query.region:
        params["region"] = query.region
    keep = None
    path = LIST_PATHS[query.list]
    if query.genre:
        genre_id = resolve_genre(catalog, query.genre, query.language)
        if query.list in ("trending", "now_playing", "upcoming"):
            # These lists are curated upstream (release windows per region, trending scores) and
            # have no genre filter: keep their meaning and filter the page we have.
            def keep(card: TitleCard) -> bool:
                return any(g.id == genre_id for g in card.genres)
        else:
            path = "discover/movie"
            params.update(_discover_for(query.list, genre_id))
    if query.list == "trending":
        params.pop("region", None)
    fetched = catalog.fetch(path, params)

    return _listing(catalog, fetched, query.page, query.language, keep), Meta.of(fetched)


def list_series(catalog: Catalog, query: SeriesListQuery) -> tuple[Lazy[TitlePage], Meta]:
    params = {"language": query.language, "page": str(query.page)}
    keep = None
    path = SERIES_LIST_PATHS[query.list]
    if query.genre:
        genre_id = resolve_genre(catalog, query.genre, query.language, "series")
        if query.list in ("trending", "on_the_air", "airing_today"):
            # Curated upstream (airing windows, trending scores): filter the page we have.
            def keep(card: TitleCard) -> bool:
                return any(g.id == genre_id for g in card.genres)
        else:
            path = "discover/tv"
            params.update(_discover_for(query.list, genre_id))
    # TV lists have no region (TMDB's airing lists take a timezone, which we leave at its
    # default): `region` is accepted for symmetry with /api/movies and has no effect here.
    fetched = catalog.fetch(path, params)

    return _listing(catalog, fetched, query.page, query.language, keep, "series"), Meta.of(fetched)


def _listing(
    catalog: Catalog,
    fetched: Fetched,
    page: int,
    language: str,
    keep: Callable[[TitleCard], bool] | None,
    kind: str = "movie",
) -> Lazy[TitlePage]:
    """A list page made only when it is wanted (a memoised answer never needs it)."""

    def build() -> TitlePage:
        genres = genre_maps(catalog, language)
        return _page(catalog, fetched.body, page, genres, fetched.source, keep, kind)

    return build


def _discover_for(list_name: str, genre_id: int) -> dict[str, str]:
    params = {"with_genres": str(genre_id), "include_adult": "false", "sort_by": "popularity.desc"}
    if list_name == "top_rated":
        params.update({"sort_by": "vote_average.desc", "vote_count.gte": "200"})
    return params


def movie_details(
    catalog: Catalog, movie_id: int, language: str, region: str
) -> tuple[Lazy[MovieDetails], Meta]:
    fetched = catalog.fetch(
        f"movie/{movie_id}", {"language": language, "append_to_response": DETAIL_APPENDS}
    )
    body = fetched.body

    def build() -> MovieDetails:
        if not isinstance(body, dict):
            raise UpstreamFailed("The catalog sent an unusable answer.")
        age, _ = maturity.min_age(normalise.all_certifications(body), region)
        result = normalise.details(
            body, genre_maps(catalog, language), catalog.image_base, region, age, fetched.source
        )
        if result is None:
            raise UpstreamFailed("The catalog sent an unusable answer.")
        return result

    return build, Meta.of(fetched)


def series_details(
    catalog: Catalog, series_id: int, language: str, region: str
) -> tuple[Lazy[SeriesDetails], Meta]:
    fetched = catalog.fetch(
        f"tv/{series_id}", {"language": language, "append_to_response": SERIES_APPENDS}
    )
    body = fetched.body

    def build() -> SeriesDetails:
        if not isinstance(body, dict):
            raise UpstreamFailed("The catalog sent an unusable answer.")
        age, _ = maturity.min_age(normalise.tv_certifications(body), region, "tv")
        result = normalise.series_details(
            body, genre_maps(catalog, language), catalog.image_base, region, age, fetched.source
        )
        if result is None:
            raise UpstreamFailed("The catalog sent an unusable answer.")
        return result

    return build, Meta.of(fetched)


def season(
    catalog: Catalog, series_id: int, number: int, language: str
) -> tuple[Lazy[Season], Meta]:
    fetched = catalog.fetch(f"tv/{series_id}/season/{number}", {"language": language})
    body = fetched.body

    def build() -> Season:
        result = (
            normalise.season(body, series_id, catalog.image_base, fetched.source)
            if isinstance(body, dict)
            else None
        )
        if result is None:
            raise UpstreamFailed("The catalog sent an unusable answer.")
        return result

    return build, Meta.of(fetched)


def search(catalog: Catalog, query: SearchQuery) -> tuple[Lazy[TitlePage], Meta]:
    params = {
        "query": query.q,
        "page": str(query.page),
        "language": query.language,
        "include_adult": "false",
    }
    if query.year:
        params["year"] = str(query.year)
    if query.region:
        params["region"] = query.region
    fetched = catalog.fetch("search/movie", params)

    return _listing(catalog, fetched, query.page, query.language, None), Meta.of(fetched)


def search_all(catalog: Catalog, query: MultiSearchQuery) -> tuple[Lazy[TitlePage], Meta]:
    """Movies and series in one answer (TMDB's multi search; people are left out)."""
    params = {
        "query": query.q,
        "page": str(query.page),
        "language": query.language,
        "include_adult": "false",
    }
    fetched = catalog.fetch("search/multi", params)

    return _listing(catalog, fetched, query.page, query.language, None), Meta.of(fetched)


def genres(catalog: Catalog, language: str, kind: str = "movie") -> tuple[GenreList, Meta]:
    fetched = catalog.fetch(GENRE_PATHS[kind], {"language": language})
    body = fetched.body if isinstance(fetched.body, dict) else {}
    items = [
        Genre(id=g["id"], name=str(g.get("name") or ""))
        for g in body.get("genres") or []
        if isinstance(g, dict) and isinstance(g.get("id"), int)
    ]
    return GenreList(genres=items, source=fetched.source), Meta.of(fetched)


# --- rows for a home screen -------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogRow:
    """A home-screen row the catalog fills: where its titles come from, and of what kind."""

    path: str
    kind: str = "movie"  # of the path's items (trending/all mixes both; cards say which)
    params: tuple[tuple[str, str], ...] = ()


# id: (title, reason, the row). Shown on every profile's home screen, in this order.
HOME_ROWS: dict[str, tuple[str, str, CatalogRow]] = {
    "trending": ("Trending Now", "trending", CatalogRow("trending/all/week")),
    "popular-series": ("Popular Series", "series", CatalogRow("tv/popular", "series")),
    "top-rated": ("Top Rated", "top_rated", CatalogRow("movie/top_rated")),
    "new-releases": ("New Releases", "new_releases", CatalogRow("movie/now_playing")),
    "top-rated-series": ("Top Rated Series", "series", CatalogRow("tv/top_rated", "series")),
}


def recommendations(kind: str, title_id: int) -> CatalogRow:
    """Titles like this one ("Because you liked ...")."""
    if kind == "series":
        return CatalogRow(f"tv/{title_id}/recommendations", "series")
    return CatalogRow(f"movie/{title_id}/recommendations")


def genre_row(genre_id: int) -> CatalogRow:
    """The most popular movies of a genre, adult titles left out."""
    return CatalogRow(
        "discover/movie",
        params=(
            ("with_genres", str(genre_id)),
            ("sort_by", "popularity.desc"),
            ("include_adult", "false"),
        ),
    )


# A row's cards from one catalog answer, and whether a later page exists.
CardsPage = tuple[list[TitleCard], bool]


@dataclass(frozen=True)
class RowPage:
    cards: list[TitleCard]
    more: bool  # a later page exists
    fresh_until: float  # what is derived from this page may be reused until then
    key: tuple[Any, ...]  # names the catalog answer it was made from (same key, same cards)


def row_page(
    catalog: Catalog,
    row: CatalogRow,
    language: str,
    page: int,
    genres: GenreMaps,
    memo: Callable[[Hashable, Callable[[], CardsPage]], CardsPage] | None = None,
) -> RowPage:
    """One page of a row, as cards. `memo(key, make)` may keep the cards made from one catalog
    answer (the key names it), so every profile reading that answer shares them."""
    params = {"language": language, "page": str(page), **dict(row.params)}
    fetched = catalog.fetch(row.path, params)
    key = (row.path, tuple(sorted(params.items())), fetched.source, fetched.stored_at)

    def make() -> CardsPage:
        body = fetched.body if isinstance(fetched.body, dict) else {}
        cards = normalise.cards(body.get("results"), genres, catalog.image_base, row.kind)
        total_pages = min(normalise.integer(body.get("total_pages")) or 0, MAX_PAGE)
        return cards, page < total_pages

    cards, more = memo(key, make) if memo is not None else make()
    return RowPage(list(cards), more, fetched.fresh_until, key)
