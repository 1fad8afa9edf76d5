from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from netflix_clone.accounts.models import BigId
from netflix_clone.db import UTCDateTime, db, utcnow

MovieId = BigInteger().with_variant(Integer(), "sqlite")


class Movie(db.Model):  # type: ignore[name-defined,misc]
    """Our copy of what a card and the maturity filter need about a title members touched, so
    lists render from one query instead of one upstream call per card."""

    __tablename__ = "movies"

    id: Mapped[int] = mapped_column(MovieId, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(300))
    original_title: Mapped[str | None] = mapped_column(String(300), nullable=True)
    overview: Mapped[str] = mapped_column(Text, default="")
    release_date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    poster_path: Mapped[str | None] = mapped_column(String(100), nullable=True)
    backdrop_path: Mapped[str | None] = mapped_column(String(100), nullable=True)
    genre_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    vote_average: Mapped[float | None] = mapped_column(Float, nullable=True)
    vote_count: Mapped[int] = mapped_column(Integer, default=0)
    popularity: Mapped[float | None] = mapped_column(Float, nullable=True)
    original_language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    adult: Mapped[bool] = mapped_column(Boolean, default=False)
    # Country -> rating from TMDB release dates (theatrical first), and where it came from.
    certifications: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    rating_source: Mapped[str] = mapped_column(String(16), default="tmdb")
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _profile_fk() -> ForeignKey:
    return ForeignKey("profiles.id", ondelete="CASCADE")


class ListEntry(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "my_list"

    profile_id: Mapped[int] = mapped_column(BigId, _profile_fk(), primary_key=True)
    movie_id: Mapped[int] = mapped_column(MovieId, primary_key=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_my_list_profile_added", "profile_id", "added_at"),)


class Rating(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "ratings"

    profile_id: Mapped[int] = mapped_column(BigId, _profile_fk(), primary_key=True)
    movie_id: Mapped[int] = mapped_column(MovieId, primary_key=True)
    rating: Mapped[str] = mapped_column(String(8))
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_ratings_profile_rated", "profile_id", "rated_at"),)


class Viewing(db.Model):  # type: ignore[name-defined,misc]
    """Where a profile is in a title, plus what it chose to hide."""

    __tablename__ = "viewings"

    profile_id: Mapped[int] = mapped_column(BigId, _profile_fk(), primary_key=True)
    movie_id: Mapped[int] = mapped_column(MovieId, primary_key=True)
    position_seconds: Mapped[int] = mapped_column(Integer)
    duration_seconds: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(BigInteger)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    hidden_from_row: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_from_history: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_viewings_profile_updated", "profile_id", "updated_at"),)
