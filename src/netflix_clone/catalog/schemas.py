"""Our own movie shapes: what clients get, independent of TMDB's JSON."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from netflix_clone.api import QueryModel, Visible

ListName = Literal["popular", "top_rated", "now_playing", "upcoming", "trending"]
LANGUAGE = r"^[a-z]{2}(-[A-Z]{2})?$"
REGION = r"^[A-Z]{2}$"


class Genre(BaseModel):
    id: int
    name: str


class MovieCard(BaseModel):
    id: int
    title: str
    original_title: str | None
    overview: str
    release_date: dt.date | None
    year: int | None
    genres: list[Genre]
    poster_url: str | None = Field(description="w342 poster, or null when TMDB has none.")
    backdrop_url: str | None = Field(description="w780 backdrop, or null.")
    rating: float | None = Field(description="TMDB vote average, 0-10.")
    vote_count: int
    popularity: float | None
    original_language: str | None
    adult: bool


class CastMember(BaseModel):
    id: int
    name: str
    character: str | None
    profile_url: str | None


class CrewMember(BaseModel):
    id: int
    name: str
    job: str


class Trailer(BaseModel):
    name: str
    site: Literal["YouTube", "Vimeo"]
    key: str
    url: str
    official: bool | None


class MovieDetails(MovieCard):
    runtime: int | None = Field(description="Minutes.")
    tagline: str | None
    status: str | None
    homepage: str | None
    imdb_id: str | None
    certification: str | None = Field(
        description="Rating for `certification_region` (theatrical release first)."
    )
    certification_region: str
    min_age: int | None = Field(description="Minimum age derived from certifications.")
    cast: list[CastMember]
    directors: list[CrewMember]
    trailer: Trailer | None
    poster_url_large: str | None = Field(description="w500 poster.")
    backdrop_url_large: str | None = Field(description="w1280 backdrop.")
    recommendations: list[MovieCard]
    source: Literal["tmdb", "demo"]


class MoviePage(BaseModel):
    page: int
    total_pages: int = Field(description="At most 500, as TMDB serves no page beyond.")
    total_results: int
    results: list[MovieCard]
    source: Literal["tmdb", "demo"]


class GenreList(BaseModel):
    genres: list[Genre]
    source: Literal["tmdb", "demo"]


class About(BaseModel):
    attribution: str
    tmdb_url: str
    logos_url: str = Field(description="TMDB's approved logos, to show beside the notice.")
    source: Literal["tmdb", "demo"]
    source_note: str


class LocaleQuery(QueryModel):
    language: str = Field(default="en-US", pattern=LANGUAGE, description="e.g. en-US")
    region: str | None = Field(default=None, pattern=REGION, description="ISO 3166-1, e.g. US")


class MovieListQuery(LocaleQuery):
    list: ListName = "popular"
    genre: str | None = Field(
        default=None,
        min_length=1,
        max_length=40,
        description="Genre id or English name, e.g. 28 or Action.",
    )
    page: int = Field(default=1, ge=1, le=500)


class SearchQuery(LocaleQuery):
    q: Visible = Field(min_length=1, max_length=100, description="Words of the title.")
    year: int | None = Field(default=None, ge=1870, le=2100)
    page: int = Field(default=1, ge=1, le=500)


class DetailsQuery(LocaleQuery):
    pass
