"""TMDB JSON -> our movie shapes. Defensive: TMDB data has nulls and blanks anywhere."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from netflix_clone.catalog.schemas import (
    CastMember,
    CrewMember,
    Genre,
    MovieCard,
    MovieDetails,
    Trailer,
)

_IMAGE_PATH = re.compile(r"^/[\w.-]+\.(?:jpg|jpeg|png|svg|webp)$", re.I)
_VIDEO_KEY = re.compile(r"^[\w-]{4,32}$")
TOP_CAST = 10
MAX_RECOMMENDATIONS = 12
# release_dates "type": 3 theatrical, 2 limited theatrical, then premiere, digital, physical, TV.
RELEASE_TYPE_PREFERENCE = (3, 2, 1, 4, 5, 6)


def text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def integer(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def image_url(base: str, size: str, path: Any) -> str | None:
    if not isinstance(path, str) or not _IMAGE_PATH.match(path):
        return None
    return f"{base}/{size}{path}"


def card(
    raw: Mapping[str, Any], genre_names: Mapping[int, str], image_base: str
) -> MovieCard | None:
    movie_id = integer(raw.get("id"))
    title = text(raw.get("title")) or text(raw.get("original_title"))
    if movie_id is None or title is None:
        return None  # not a usable movie (TMDB sometimes lists half-deleted entries)
    released = date(raw.get("release_date"))
    if isinstance(raw.get("genres"), list):
        genres = [
            Genre(id=g["id"], name=str(g.get("name") or genre_names.get(g["id"], "")))
            for g in raw["genres"]
            if isinstance(g, dict) and integer(g.get("id")) is not None
        ]
    else:
        ids = [i for i in raw.get("genre_ids") or [] if integer(i) is not None]
        genres = [Genre(id=i, name=genre_names[i]) for i in ids if i in genre_names]
    return MovieCard(
        id=movie_id,
        title=title,
        original_title=text(raw.get("original_title")),
        overview=text(raw.get("overview")) or "",
        release_date=released,
        year=released.year if released else None,
        genres=genres,
        poster_url=image_url(image_base, "w342", raw.get("poster_path")),
        backdrop_url=image_url(image_base, "w780", raw.get("backdrop_path")),
        rating=number(raw.get("vote_average")),
        vote_count=integer(raw.get("vote_count")) or 0,
        popularity=number(raw.get("popularity")),
        original_language=text(raw.get("original_language")),
        adult=raw.get("adult") is True,
    )


def cards(results: Any, genre_names: Mapping[int, str], image_base: str) -> list[MovieCard]:
    if not isinstance(results, list):
        return []
    out = []
    for raw in results:
        if isinstance(raw, dict):
            item = card(raw, genre_names, image_base)
            if item is not None:
                out.append(item)
    return out


def certification(raw: Mapping[str, Any], country: str) -> str | None:
    """The rating for one country, theatrical release first."""
    for entry in _list(_dict(raw.get("release_dates")).get("results")):
        if isinstance(entry, dict) and entry.get("iso_3166_1") == country:
            dates = [d for d in _list(entry.get("release_dates")) if isinstance(d, dict)]
            for release_type in RELEASE_TYPE_PREFERENCE:
                for d in dates:
                    cert = text(d.get("certification"))
                    if d.get("type") == release_type and cert:
                        return cert
            for d in dates:
                cert = text(d.get("certification"))
                if cert:
                    return cert
    return None


def all_certifications(raw: Mapping[str, Any]) -> dict[str, str]:
    """Country -> rating, for every country that has one."""
    out: dict[str, str] = {}
    for entry in _list(_dict(raw.get("release_dates")).get("results")):
        country = entry.get("iso_3166_1") if isinstance(entry, dict) else None
        if isinstance(country, str):
            cert = certification(raw, country)
            if cert:
                out[country] = cert
    return out


def trailer(raw: Mapping[str, Any]) -> Trailer | None:
    videos = [v for v in _list(_dict(raw.get("videos")).get("results")) if isinstance(v, dict)]
    usable = [
        v
        for v in videos
        if v.get("site") in ("YouTube", "Vimeo")
        and isinstance(v.get("key"), str)
        and _VIDEO_KEY.match(v["key"])
    ]
    for wanted in ("Trailer", "Teaser"):
        matches = [v for v in usable if v.get("type") == wanted]
        if matches:
            best = sorted(
                matches,
                key=lambda v: (v.get("official") is not True, str(v.get("published_at") or "")),
            )[0]
            key = best["key"]
            url = (
                f"https://www.youtube.com/watch?v={key}"
                if best["site"] == "YouTube"
                else f"https://vimeo.com/{key}"
            )
            return Trailer(
                name=text(best.get("name")) or wanted,
                site=best["site"],
                key=key,
                url=url,
                official=best.get("official") if isinstance(best.get("official"), bool) else None,
            )
    return None


def details(
    raw: Mapping[str, Any],
    genre_names: Mapping[int, str],
    image_base: str,
    region: str,
    min_age: int | None,
    source: str,
) -> MovieDetails | None:
    base = card(raw, genre_names, image_base)
    if base is None:
        return None
    people = _dict(raw.get("credits"))
    cast = sorted(
        (
            c
            for c in _list(people.get("cast"))
            if isinstance(c, dict) and integer(c.get("id")) is not None and text(c.get("name"))
        ),
        key=lambda c: integer(c.get("order")) or 0,
    )[:TOP_CAST]
    directors = [
        c
        for c in _list(people.get("crew"))
        if isinstance(c, dict)
        and c.get("job") == "Director"
        and integer(c.get("id")) is not None
        and text(c.get("name"))
    ]
    recs = cards(_dict(raw.get("recommendations")).get("results"), genre_names, image_base)
    return MovieDetails(
        **base.model_dump(),
        runtime=integer(raw.get("runtime")) or None,
        tagline=text(raw.get("tagline")),
        status=text(raw.get("status")),
        homepage=text(raw.get("homepage")),
        imdb_id=text(raw.get("imdb_id")),
        certification=certification(raw, region),
        certification_region=region,
        min_age=min_age,
        cast=[
            CastMember(
                id=c["id"],
                name=c["name"],
                character=text(c.get("character")),
                profile_url=image_url(image_base, "w185", c.get("profile_path")),
            )
            for c in cast
        ],
        directors=[CrewMember(id=c["id"], name=c["name"], job="Director") for c in directors],
        trailer=trailer(raw),
        poster_url_large=image_url(image_base, "w500", raw.get("poster_path")),
        backdrop_url_large=image_url(image_base, "w1280", raw.get("backdrop_path")),
        recommendations=[r for r in recs if r.id != base.id][:MAX_RECOMMENDATIONS],
        source=source,
    )


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
