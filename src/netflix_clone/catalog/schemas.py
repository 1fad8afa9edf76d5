"""Our own movie shapes: what clients get, independent of TMDB's JSON."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from netflix_clone.catalog.tmdb_rules import TMDB_LANGUAGES
from netflix_clone.core.shapes import QueryModel, Visible

ListName = Literal["popular", "top_rated", "now_playing", "upcoming", "trending"]
SeriesListName = Literal["popular", "top_rated", "on_the_air", "airing_today", "trending"]
Kind = Literal["movie", "series"]
REGION = r"^[A-Z]{2}$"


def _tmdb_language(value: str) -> str:
    if value not in TMDB_LANGUAGES:
        raise ValueError("must be one of TMDB's translations, e.g. en-US, fr-FR, pt-BR")
    return value


# Only TMDB's ~80 translations, as the gateway maps them: every other spelling would be its own
# catalog cache entry (and upstream call) kept for days.
Language = Annotated[
    str,
    AfterValidator(_tmdb_language),
    Field(json_schema_extra={"enum": sorted(TMDB_LANGUAGES)}, description="e.g. en-US"),
]


class Genre(BaseModel):
    id: int
    name: str


class TitleCard(BaseModel):
    """A movie or a series on a card. For a series, `title` is its name, `release_date` its
    first air date and `genres` TV genres (their ids differ from movie genres)."""

    kind: Kind = "movie"
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


MovieCard = TitleCard


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


class MovieDetails(TitleCard):
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
    recommendations: list[TitleCard]
    source: Literal["tmdb", "demo"]


class TitlePage(BaseModel):
    page: int
    total_pages: int = Field(description="At most 500, as TMDB serves no page beyond.")
    total_results: int
    results: list[TitleCard]
    source: Literal["tmdb", "demo"]


MoviePage = TitlePage


class Episode(BaseModel):
    season_number: int
    episode_number: int
    name: str
    overview: str
    runtime: int | None = Field(description="Minutes.")
    still_url: str | None = Field(description="w300 still, or null.")
    air_date: dt.date | None
    rating: float | None


class SeasonSummary(BaseModel):
    season_number: int
    name: str
    overview: str
    air_date: dt.date | None
    episode_count: int
    poster_url: str | None


class Person(BaseModel):
    id: int
    name: str


class Network(BaseModel):
    id: int
    name: str
    logo_url: str | None


class SeriesDetails(TitleCard):
    tagline: str | None
    status: str | None
    in_production: bool | None
    homepage: str | None
    number_of_seasons: int
    number_of_episodes: int | None
    episode_runtime: int | None = Field(description="Typical minutes per episode.")
    seasons: list[SeasonSummary] = Field(description="In order; specials (season 0) left out.")
    creators: list[Person]
    networks: list[Network]
    cast: list[CastMember]
    content_rating: str | None = Field(
        description="TV content rating for `content_rating_region`, e.g. TV-MA."
    )
    content_rating_region: str
    min_age: int | None = Field(description="Minimum age derived from content ratings.")
    trailer: Trailer | None
    poster_url_large: str | None = Field(description="w500 poster.")
    backdrop_url_large: str | None = Field(description="w1280 backdrop.")
    next_episode_to_air: Episode | None
    last_episode_to_air: Episode | None
    recommendations: list[TitleCard]
    source: Literal["tmdb", "demo"]


class Season(BaseModel):
    series_id: int
    season_number: int
    name: str
    overview: str
    air_date: dt.date | None
    poster_url: str | None
    episodes: list[Episode]
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
    language: Language = "en-US"
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


class SeriesListQuery(LocaleQuery):
    list: SeriesListName = "popular"
    genre: str | None = Field(
        default=None,
        min_length=1,
        max_length=40,
        description="TV genre id or English name, e.g. 18 or Drama.",
    )
    page: int = Field(default=1, ge=1, le=500)


class GenreQuery(LocaleQuery):
    kind: Kind = Field(default="movie", description="Movie and TV genres differ.")


class MultiSearchQuery(LocaleQuery):
    q: Visible = Field(min_length=1, max_length=100, description="Words of the title.")
    page: int = Field(default=1, ge=1, le=500)
