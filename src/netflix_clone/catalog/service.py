"""Catalog use cases: lists, details, search and genres in our own shapes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from netflix_clone.catalog import maturity, normalise
from netflix_clone.catalog.demo_tmdb import DemoTMDB
from netflix_clone.catalog.schemas import (
    Genre,
    GenreList,
    MovieCard,
    MovieDetails,
    MovieListQuery,
    MoviePage,
    SearchQuery,
)
from netflix_clone.catalog.source import CacheStatus, Catalog, Fetched
from netflix_clone.catalog.tmdb import MAX_PAGE, UpstreamError
from netflix_clone.context import services
from netflix_clone.exceptions import FieldError, Invalid, UpstreamFailed

log = logging.getLogger(__name__)

LIST_PATHS = {
    "popular": "movie/popular",
    "top_rated": "movie/top_rated",
    "now_playing": "movie/now_playing",
    "upcoming": "movie/upcoming",
    "trending": "trending/movie/week",
}
DETAIL_APPENDS = "credits,videos,release_dates,recommendations"


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


def catalog() -> Catalog:
    found: Catalog = services().extras["catalog"]
    return found


def image_base() -> str:
    return services().settings.tmdb_image_base_url


def genre_map(language: str) -> dict[int, str]:
    """Genre id -> name in `language`; the bundled English names if TMDB cannot be reached."""
    try:
        fetched = catalog().fetch("genre/movie/list", {"language": language})
        memo: dict[tuple[str, float], dict[int, str]] = services().extras.setdefault(
            "genre_maps", {}
        )
        known = memo.get((language, fetched.stored_at))
        if known is not None:
            return known
        body = fetched.body
        genres = body.get("genres") if isinstance(body, dict) else None
        if isinstance(genres, list):
            names = {
                g["id"]: str(g.get("name") or "")
                for g in genres
                if isinstance(g, dict) and isinstance(g.get("id"), int)
            }
            if len(memo) > 64:  # a few languages, refreshed every few days: stays tiny
                memo.clear()
            memo[(language, fetched.stored_at)] = names
            return names
    except UpstreamError as exc:
        log.warning("genre list unavailable (%s); using bundled names", type(exc).__name__)
    return _bundled_genres()


def _bundled_genres() -> dict[int, str]:
    _, body = DemoTMDB.default().handle("genre/movie/list", {})
    return {g["id"]: g["name"] for g in body["genres"]}


def resolve_genre(value: str, language: str) -> int:
    if value.isdigit():
        return int(value)
    wanted = value.strip().lower()
    for names in (genre_map(language), _bundled_genres()):
        for genre_id, name in names.items():
            if name.lower() == wanted:
                return genre_id
    raise Invalid(
        f"No genre is called {value!r}; see GET /api/genres.",
        errors=[FieldError("genre", "unknown genre")],
    )


def _page(
    body: Any, requested: int, genres: dict[int, str], source: str, keep: Any = None
) -> MoviePage:
    body = body if isinstance(body, dict) else {}
    results = normalise.cards(body.get("results"), genres, image_base())
    if keep is not None:
        results = [r for r in results if keep(r)]
    total_pages = normalise.integer(body.get("total_pages")) or 0
    return MoviePage(
        page=normalise.integer(body.get("page")) or requested,
        total_pages=min(total_pages, MAX_PAGE),
        total_results=normalise.integer(body.get("total_results")) or len(results),
        results=results,
        source=source,
    )


def list_movies(query: MovieListQuery) -> tuple[Lazy[MoviePage], Meta]:
    params = {"language": query.language, "page": str(query.page)}
    if query.region:
        params["region"] = query.region
    keep = None
    path = LIST_PATHS[query.list]
    if query.genre:
        genre_id = resolve_genre(query.genre, query.language)
        if query.list in ("trending", "now_playing", "upcoming"):
            # These lists are curated upstream (release windows per region, trending scores) and
            # have no genre filter: keep their meaning and filter the page we have.
            def keep(card: MovieCard) -> bool:
                return any(g.id == genre_id for g in card.genres)
        else:
            path = "discover/movie"
            params.update(_discover_for(query.list, genre_id))
    if query.list == "trending":
        params.pop("region", None)
    fetched = catalog().fetch(path, params)

    def build() -> MoviePage:
        return _page(fetched.body, query.page, genre_map(query.language), fetched.source, keep)

    return build, Meta.of(fetched)


def _discover_for(list_name: str, genre_id: int) -> dict[str, str]:
    params = {"with_genres": str(genre_id), "include_adult": "false", "sort_by": "popularity.desc"}
    if list_name == "top_rated":
        params.update({"sort_by": "vote_average.desc", "vote_count.gte": "200"})
    return params


def movie_details(movie_id: int, language: str, region: str) -> tuple[Lazy[MovieDetails], Meta]:
    fetched = catalog().fetch(
        f"movie/{movie_id}", {"language": language, "append_to_response": DETAIL_APPENDS}
    )
    body = fetched.body

    def build() -> MovieDetails:
        if not isinstance(body, dict):
            raise UpstreamFailed("The catalog sent an unusable answer.")
        age, _ = maturity.min_age(normalise.all_certifications(body), region)
        result = normalise.details(
            body, genre_map(language), image_base(), region, age, fetched.source
        )
        if result is None:
            raise UpstreamFailed("The catalog sent an unusable answer.")
        return result

    return build, Meta.of(fetched)


def search(query: SearchQuery) -> tuple[Lazy[MoviePage], Meta]:
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
    fetched = catalog().fetch("search/movie", params)

    def build() -> MoviePage:
        return _page(fetched.body, query.page, genre_map(query.language), fetched.source)

    return build, Meta.of(fetched)


def genres(language: str) -> tuple[GenreList, Meta]:
    fetched = catalog().fetch("genre/movie/list", {"language": language})
    body = fetched.body if isinstance(fetched.body, dict) else {}
    items = [
        Genre(id=g["id"], name=str(g.get("name") or ""))
        for g in body.get("genres") or []
        if isinstance(g, dict) and isinstance(g.get("id"), int)
    ]
    return GenreList(genres=items, source=fetched.source), Meta.of(fetched)
