"""The catalog's own record of a title (a movie or a series) that members touched."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from netflix_clone.catalog.schemas import Kind
from netflix_clone.core.db import Base, UTCDateTime, utcnow

TitleId = BigInteger().with_variant(Integer(), "sqlite")
KINDS: tuple[Kind, ...] = ("movie", "series")
TitleKey = tuple[Kind, int]
"""(kind, TMDB id): TMDB numbers movies and series separately, so an id alone names nothing."""


class Title(Base):
    """What a card, the maturity filter and episode progress need about a title, so member
    lists render from one query instead of one upstream call per card."""

    __tablename__ = "titles"

    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    id: Mapped[int] = mapped_column(TitleId, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(300))
    original_title: Mapped[str | None] = mapped_column(String(300), nullable=True)
    overview: Mapped[str] = mapped_column(Text, default="")
    # A movie's release date; a series' first air date.
    release_date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    poster_path: Mapped[str | None] = mapped_column(String(100), nullable=True)
    backdrop_path: Mapped[str | None] = mapped_column(String(100), nullable=True)
    genre_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    vote_average: Mapped[float | None] = mapped_column(Float, nullable=True)
    vote_count: Mapped[int] = mapped_column(Integer, default=0)
    popularity: Mapped[float | None] = mapped_column(Float, nullable=True)
    original_language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    adult: Mapped[bool] = mapped_column(Boolean, default=False)
    # Country -> rating: a movie's release certifications (theatrical first), a series' TV
    # content ratings; and where they came from.
    certifications: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    rating_source: Mapped[str] = mapped_column(String(16), default="tmdb")
    # Series only: [[season_number, episode_count], ...] in order, specials (season 0) left
    # out; the last episode aired as [season, episode] (null: unknown); minutes per episode.
    seasons: Mapped[list[list[int]]] = mapped_column(JSON, default=list)
    last_aired: Mapped[list[int] | None] = mapped_column(JSON, nullable=True)
    episode_runtime: Mapped[int | None] = mapped_column(Integer, nullable=True)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def key(self) -> TitleKey:
        return title_key(self.kind, self.id)


def title_key(kind: str, title_id: int) -> TitleKey:
    """A key from a stored kind (a column holds only "movie" or "series")."""
    return ("series" if kind == "series" else "movie", title_id)
