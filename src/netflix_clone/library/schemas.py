from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from netflix_clone.api import JsonInt, QueryModel, RequestModel
from netflix_clone.catalog.schemas import MovieCard

RatingValue = Literal["dislike", "like", "love"]


class PageQuery(QueryModel):
    page: int = Field(default=1, ge=1, le=1000)
    per_page: int = Field(default=20, ge=1, le=100)


class ListItem(BaseModel):
    movie: MovieCard
    added_at: datetime


class ListPage(BaseModel):
    items: list[ListItem]
    page: int
    per_page: int
    total: int


class ListChange(BaseModel):
    movie_id: int
    in_list: bool
    added_at: datetime | None


class RatingIn(RequestModel):
    rating: RatingValue


class RatingItem(BaseModel):
    movie: MovieCard
    rating: RatingValue
    rated_at: datetime


class RatingOut(BaseModel):
    movie_id: int
    rating: RatingValue
    rated_at: datetime


class RatingPage(BaseModel):
    items: list[RatingItem]
    page: int
    per_page: int
    total: int


class ProgressIn(RequestModel):
    position_seconds: JsonInt = Field(ge=0, le=86_400, description="At most duration_seconds.")
    duration_seconds: JsonInt = Field(ge=1, le=86_400)
    sequence: JsonInt = Field(
        ge=0,
        le=2**62,
        description="Increases with every update a client "
        "sends for this title; older or repeated numbers are ignored.",
    )


class ProgressOut(BaseModel):
    movie_id: int
    applied: bool = Field(description="False when a newer update was already recorded.")
    stored: bool = Field(description="False below 5% or the first minute: nothing is kept.")
    finished: bool
    position_seconds: int | None
    duration_seconds: int | None
    sequence: int | None


class WatchItem(BaseModel):
    movie: MovieCard
    position_seconds: int
    duration_seconds: int
    progress: float = Field(description="0-1")
    status: Literal["in_progress", "finished"]
    started_at: datetime
    last_watched_at: datetime
    finished_at: datetime | None


class WatchPage(BaseModel):
    items: list[WatchItem]
    page: int
    per_page: int
    total: int


class RowReason(BaseModel):
    kind: Literal[
        "continue_watching",
        "my_list",
        "trending",
        "top_rated",
        "new_releases",
        "genre",
        "because_you_liked",
    ]
    genre_id: int | None = None
    movie_id: int | None = None
    movie_title: str | None = None


class Row(BaseModel):
    id: str
    title: str
    reason: RowReason
    items: list[MovieCard]
    page: int
    has_more: bool


class Browse(BaseModel):
    profile_id: int
    rows: list[Row]


class BrowseQuery(QueryModel):
    per_row: int = Field(default=20, ge=1, le=40)


class RowQuery(QueryModel):
    page: int = Field(default=1, ge=1, le=500)
    per_row: int = Field(default=20, ge=1, le=40)
