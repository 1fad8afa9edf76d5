"""Film certifications and TV content ratings map to the same minimum ages and four levels."""

from __future__ import annotations

import pytest

from netflix_clone.accounts.maturity import allowed
from netflix_clone.catalog.maturity import certification_age, min_age


@pytest.mark.parametrize(
    ("country", "rating", "age"),
    [
        ("US", "TV-Y", 0),
        ("US", "TV-Y7", 7),
        ("US", "TV-G", 0),
        ("US", "TV-PG", 10),
        ("US", "TV-14", 14),
        ("US", "TV-MA", 17),
        ("GB", "12", 12),
        ("DE", "16", 16),
        ("KR", "19", 19),
        ("CA", "14+", 14),
        ("AU", "MA15+", 15),
        ("BR", "L", 0),
        ("US", "NR", None),
    ],
)
def test_tv_content_ratings(country: str, rating: str, age: int | None) -> None:
    assert certification_age(country, rating, "tv") == age


@pytest.mark.parametrize(
    ("level", "rating", "seen"),
    [
        ("little_kids", "TV-Y", True),
        ("little_kids", "TV-Y7", False),
        ("older_kids", "TV-PG", True),
        ("older_kids", "TV-14", False),
        ("teens", "TV-14", True),
        ("teens", "TV-MA", False),
        ("adults", "TV-MA", True),
    ],
)
def test_one_filter_for_movies_and_series(level: str, rating: str, seen: bool) -> None:
    age, source = min_age({"US": rating}, "US", "tv")
    assert source == f"US:{rating}"
    kids = level in ("little_kids", "older_kids")
    assert allowed(level, age, kids) is seen


@pytest.mark.parametrize("level", ["little_kids", "older_kids", "teens"])
def test_an_unknown_rating_is_hidden_from_every_restricted_level(level: str) -> None:
    """Issue 23 row 6: the filter fails closed (no family-genre guess for kids, no pass for
    teens)."""
    assert allowed(level, None, level != "teens") is False
    assert allowed("adults", None, False) is True


def test_film_ratings_are_unchanged_by_the_tv_table() -> None:
    assert certification_age("US", "R") == 17
    assert certification_age("US", "TV-MA") is None  # not a film certification
    assert min_age({"US": "PG-13", "GB": "15"}, "GB") == (15, "GB:15")
