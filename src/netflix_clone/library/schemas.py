from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from netflix_clone.catalog.schemas import Kind, TitleCard
from netflix_clone.core.shapes import JsonInt, QueryModel, RequestModel

RatingValue = Literal["dislike", "like", "love"]


class PageQuery(QueryModel):
    page: int = Field(default=1, ge=1, le=1000)
    per_page: int = Field(default=20, ge=1, le=100)


class ListItem(BaseModel):
    title: TitleCard
    added_at: datetime


class ListPage(BaseModel):
    items: list[ListItem]
    page: int
    per_page: int
    total: int


class ListChange(BaseModel):
    kind: Kind
    id: int
    in_list: bool
    added_at: datetime | None


class RatingIn(RequestModel):
    rating: RatingValue


class RatingItem(BaseModel):
    title: TitleCard
    rating: RatingValue
    rated_at: datetime


class RatingOut(BaseModel):
    kind: Kind
    id: int
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


class SeriesProgressIn(ProgressIn):
    season_number: JsonInt = Field(ge=1, le=1000, description="The episode's season.")
    episode_number: JsonInt = Field(ge=1, le=10_000)


class ProgressOut(BaseModel):
    kind: Kind
    id: int
    applied: bool = Field(description="False when a newer update was already recorded.")
    stored: bool = Field(description="False below 5% or the first minute: nothing is kept.")
    finished: bool = Field(
        description="The title is finished: a movie past 90 %, a series' last aired episode "
        "past 90 %."
    )
    position_seconds: int | None
    duration_seconds: int | None
    sequence: int | None
    season_number: int | None = Field(
        description="Series: the episode to resume, after this update (past 90 % of an "
        "episode, the next one at 0)."
    )
    episode_number: int | None


class EpisodeRef(BaseModel):
    season_number: int
    episode_number: int


class WatchItem(BaseModel):
    title: TitleCard
    episode: EpisodeRef | None = Field(description="Series: the episode to resume.")
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
        "series",
    ]
    genre_id: int | None = None
    title_kind: Kind | None = None
    title_id: int | None = None
    title_name: str | None = None
    movie_id: int | None = Field(default=None, description="Deprecated: title_id of a movie.")
    movie_title: str | None = Field(default=None, description="Deprecated: title_name.")


class Row(BaseModel):
    id: str
    title: str
    reason: RowReason
    items: list[TitleCard]
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
