"""Local movie records and the one maturity filter every list, row and detail goes through."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from netflix_clone.accounts.models import Profile
from netflix_clone.catalog import maturity, normalise
from netflix_clone.catalog.schemas import MovieCard
from netflix_clone.catalog.service import DETAIL_APPENDS, catalog, genre_map, image_base
from netflix_clone.catalog.source import Catalog
from netflix_clone.catalog.tmdb import UpstreamError, UpstreamNotFound
from netflix_clone.db import db, savepoint, utcnow
from netflix_clone.exceptions import Forbidden, not_found
from netflix_clone.library.models import Movie

log = logging.getLogger(__name__)
RECORD_TTL = timedelta(days=7)
FETCH_WORKERS = 8


def _fields(raw: dict[str, Any], source: str) -> dict[str, Any]:
    return {
        "title": (
            normalise.text(raw.get("title")) or normalise.text(raw.get("original_title")) or ""
        )[:300],
        "original_title": (normalise.text(raw.get("original_title")) or None),
        "overview": normalise.text(raw.get("overview")) or "",
        "release_date": str(normalise.date(raw.get("release_date")) or "") or None,
        "poster_path": raw.get("poster_path") if isinstance(raw.get("poster_path"), str) else None,
        "backdrop_path": (
            raw.get("backdrop_path") if isinstance(raw.get("backdrop_path"), str) else None
        ),
        "genre_ids": [
            g["id"]
            for g in raw.get("genres") or []
            if isinstance(g, dict) and isinstance(g.get("id"), int)
        ],
        "vote_average": normalise.number(raw.get("vote_average")),
        "vote_count": normalise.integer(raw.get("vote_count")) or 0,
        "popularity": normalise.number(raw.get("popularity")),
        "original_language": normalise.text(raw.get("original_language")),
        "adult": raw.get("adult") is True,
        "certifications": normalise.all_certifications(raw),
        "rating_source": source,
        "fetched_at": utcnow(),
    }


def _fetch_raw(cat: Catalog, movie_id: int) -> tuple[int, dict[str, Any] | None, str]:
    """Details through the shared cache; None when the catalog has no such movie."""
    try:
        fetched = cat.fetch(
            f"movie/{movie_id}", {"language": "en-US", "append_to_response": DETAIL_APPENDS}
        )
    except UpstreamNotFound:
        return movie_id, None, cat.source.name
    body = fetched.body if isinstance(fetched.body, dict) else None
    return movie_id, body, fetched.source


def _store(movie_id: int, raw: dict[str, Any], source: str) -> Movie:
    fields = _fields(raw, source)
    movie: Movie | None = db.session.get(Movie, movie_id)
    try:
        with savepoint():
            if movie is None:
                movie = Movie(id=movie_id, **fields)
                db.session.add(movie)
            else:
                for name, value in fields.items():
                    setattr(movie, name, value)
    except IntegrityError:  # another request stored it first; theirs is as good as ours
        stored: Movie | None = db.session.get(Movie, movie_id, populate_existing=True)
        if stored is None:
            raise
        movie = stored
    return movie


def ensure_movies(ids: Iterable[int]) -> dict[int, Movie]:
    """Records for these ids, fetching (concurrently, through the cache) only what is missing
    or old. Unknown ids are left out."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    rows = db.session.scalars(select(Movie).where(Movie.id.in_(wanted))).all()
    found = {m.id: m for m in rows}
    cutoff = utcnow() - RECORD_TTL
    missing = [i for i in wanted if i not in found or found[i].fetched_at < cutoff]
    if missing:
        cat = catalog()
        with ThreadPoolExecutor(max_workers=min(FETCH_WORKERS, len(missing))) as pool:
            results = list(pool.map(lambda i: _safe_fetch(cat, i), missing))
        for movie_id, raw, source in results:
            if raw is not None:
                found[movie_id] = _store(movie_id, raw, source)
    return found


def _safe_fetch(cat: Catalog, movie_id: int) -> tuple[int, dict[str, Any] | None, str]:
    try:
        return _fetch_raw(cat, movie_id)
    except UpstreamError as exc:
        # No record this time: the filter treats the title as unrated, the safe side for kids.
        log.warning("details for %s unavailable: %s", movie_id, type(exc).__name__)
        return movie_id, None, cat.source.name


def ensure_movie(movie_id: int) -> Movie:
    """The title's row for a write (a heartbeat, a rating): never waits on TMDB when we have
    one, however old; old rows are refreshed when a listing next reads them."""
    movie = db.session.get(Movie, movie_id)
    if movie is not None:
        return movie
    _, raw, source = _fetch_raw(catalog(), movie_id)
    if raw is None:
        raise not_found("movie")
    return _store(movie_id, raw, source)


def unrestricted(profile: Profile | None) -> bool:
    return profile is None or (profile.maturity_level == "adults" and not profile.kids)


def movie_min_age(movie: Movie, profile: Profile) -> int | None:
    return maturity.min_age(movie.certifications or {}, profile.country)[0]


def allowed(profile: Profile | None, movie: Movie | None, genre_ids: Iterable[int] = ()) -> bool:
    if profile is None or unrestricted(profile):
        return True
    if movie is None:
        age, genres = None, set(genre_ids)
    else:
        age, genres = movie_min_age(movie, profile), set(movie.genre_ids or [])
    return maturity.allowed(profile.maturity_level, age, genres, profile.kids)


def require_allowed(profile: Profile | None, movie: Movie) -> None:
    if not allowed(profile, movie):
        age = movie_min_age(movie, profile) if profile else None
        rating = f"rated for {age}+" if age is not None else "not rated"
        raise Forbidden(
            f"'{movie.title}' is {rating}, above this profile's maturity level "
            f"({profile.maturity_level if profile else 'adults'}).",
            code="maturity-restricted",
        )


def filter_cards(
    profile: Profile | None,
    cards: Sequence[MovieCard],
    exclude: set[int] | frozenset[int] = frozenset(),
) -> list[MovieCard]:
    """The one filter: drops excluded titles and, for restricted profiles, over-limit ones."""
    kept = [c for c in cards if c.id not in exclude]
    if unrestricted(profile):
        return kept
    records = ensure_movies(c.id for c in kept)
    return [c for c in kept if allowed(profile, records.get(c.id), [g.id for g in c.genres])]


def card_from_movie(movie: Movie, genres: dict[int, str]) -> MovieCard:
    released = normalise.date(movie.release_date)
    base = image_base()
    return MovieCard(
        id=movie.id,
        title=movie.title,
        original_title=movie.original_title,
        overview=movie.overview,
        release_date=released,
        year=released.year if released else None,
        genres=[{"id": g, "name": genres[g]} for g in movie.genre_ids or [] if g in genres],
        poster_url=normalise.image_url(base, "w342", movie.poster_path),
        backdrop_url=normalise.image_url(base, "w780", movie.backdrop_path),
        rating=movie.vote_average,
        vote_count=movie.vote_count,
        popularity=movie.popularity,
        original_language=movie.original_language,
        adult=movie.adult,
    )


def genres_for(profile: Profile | None) -> dict[int, str]:
    return genre_map(profile.language if profile else "en-US")
