from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from netflix_clone.accounts.models import BigId
from netflix_clone.catalog.models import TitleId
from netflix_clone.core.db import Base, UTCDateTime, utcnow

# Member rows name a title by kind ("movie" or "series") and TMDB id; the catalog owns the
# title records (netflix_clone.catalog.models.Title).


def _profile_fk() -> ForeignKey:
    return ForeignKey("profiles.id", ondelete="CASCADE")


class ListEntry(Base):
    __tablename__ = "my_list"

    profile_id: Mapped[int] = mapped_column(BigId, _profile_fk(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    title_id: Mapped[int] = mapped_column(TitleId, primary_key=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_my_list_profile_added", "profile_id", "added_at"),)


class Rating(Base):
    __tablename__ = "ratings"

    profile_id: Mapped[int] = mapped_column(BigId, _profile_fk(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    title_id: Mapped[int] = mapped_column(TitleId, primary_key=True)
    rating: Mapped[str] = mapped_column(String(8))
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_ratings_profile_rated", "profile_id", "rated_at"),)


class Viewing(Base):
    """Where a profile is in a title, plus what it chose to hide. For a series, one row holds
    the resume point: the episode (season, number) and the position in it."""

    __tablename__ = "viewings"

    profile_id: Mapped[int] = mapped_column(BigId, _profile_fk(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    title_id: Mapped[int] = mapped_column(TitleId, primary_key=True)
    season_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    episode_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    position_seconds: Mapped[int] = mapped_column(Integer)
    duration_seconds: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(BigInteger)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    hidden_from_row: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_from_history: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_viewings_profile_updated", "profile_id", "updated_at"),)
