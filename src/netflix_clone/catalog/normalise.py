"""TMDB JSON -> our movie and series shapes. Defensive: TMDB data has nulls and blanks
anywhere."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from netflix_clone.catalog.schemas import (
    CastMember,
    CrewMember,
    Episode,
    Genre,
    MovieDetails,
    Network,
    Person,
    Season,
    SeasonSummary,
    SeriesDetails,
    TitleCard,
    Trailer,
)

GenreNames = Mapping[str, Mapping[int, str]]
"""Genre id -> name, per kind ("movie", "series"): TMDB's movie and TV genre ids differ."""

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


def kind_of(raw: Mapping[str, Any], default: str) -> str | None:
    """Our kind for a TMDB item: `media_type` when it has one (mixed answers: trending/all,
    search/multi), else the kind of the list it came from; None for people."""
    media = raw.get("media_type")
    if media is None:
        return default
    return {"movie": "movie", "tv": "series"}.get(media) if isinstance(media, str) else None


def card(
    raw: Mapping[str, Any], genre_names: Mapping[int, str], image_base: str, kind: str = "movie"
) -> TitleCard | None:
    movie_id = integer(raw.get("id"))
    series = kind == "series"
    original = text(raw.get("original_name" if series else "original_title"))
    title = text(raw.get("name" if series else "title")) or original
    if movie_id is None or title is None:
        return None  # not a usable title (TMDB sometimes lists half-deleted entries)
    released = date(raw.get("first_air_date" if series else "release_date"))
    if isinstance(raw.get("genres"), list):
        genres = [
            Genre(id=g["id"], name=str(g.get("name") or genre_names.get(g["id"], "")))
            for g in raw["genres"]
            if isinstance(g, dict) and integer(g.get("id")) is not None
        ]
    else:
        ids = [i for i in raw.get("genre_ids") or [] if integer(i) is not None]
        genres = [Genre(id=i, name=genre_names[i]) for i in ids if i in genre_names]
    return TitleCard(
        kind="series" if series else "movie",
        id=movie_id,
        title=title,
        original_title=original,
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


def cards(
    results: Any, genres: GenreNames, image_base: str, kind: str = "movie"
) -> list[TitleCard]:
    """Cards for a TMDB result list; items of another media type (people) are left out."""
    if not isinstance(results, list):
        return []
    out = []
    for raw in results:
        if isinstance(raw, dict):
            own = kind_of(raw, kind)
            if own is None:
                continue
            item = card(raw, genres.get(own, {}), image_base, own)
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
    genre_names: GenreNames,
    image_base: str,
    region: str,
    min_age: int | None,
    source: str,
) -> MovieDetails | None:
    base = card(raw, genre_names.get("movie", {}), image_base)
    if base is None:
        return None
    people = _dict(raw.get("credits"))
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
        cast=_cast(people, image_base),
        directors=[CrewMember(id=c["id"], name=c["name"], job="Director") for c in directors],
        trailer=trailer(raw),
        poster_url_large=image_url(image_base, "w500", raw.get("poster_path")),
        backdrop_url_large=image_url(image_base, "w1280", raw.get("backdrop_path")),
        recommendations=[r for r in recs if r.id != base.id][:MAX_RECOMMENDATIONS],
        source=source,
    )


def _cast(people: Mapping[str, Any], image_base: str) -> list[CastMember]:
    cast = sorted(
        (
            c
            for c in _list(people.get("cast"))
            if isinstance(c, dict) and integer(c.get("id")) is not None and text(c.get("name"))
        ),
        key=lambda c: integer(c.get("order")) or 0,
    )[:TOP_CAST]
    return [
        CastMember(
            id=c["id"],
            name=c["name"],
            character=text(c.get("character")),
            profile_url=image_url(image_base, "w185", c.get("profile_path")),
        )
        for c in cast
    ]


# --- series ----------------------------------------------------------------------------------


def tv_certification(raw: Mapping[str, Any], country: str) -> str | None:
    """A series' content rating for one country (TMDB `content_ratings`)."""
    return tv_certifications(raw).get(country)


def tv_certifications(raw: Mapping[str, Any]) -> dict[str, str]:
    """Country -> TV content rating, for every country that has one."""
    out: dict[str, str] = {}
    for entry in _list(_dict(raw.get("content_ratings")).get("results")):
        if not isinstance(entry, dict):
            continue
        country, rating = entry.get("iso_3166_1"), text(entry.get("rating"))
        if isinstance(country, str) and rating and country not in out:
            out[country] = rating
    return out


def season_counts(raw: Mapping[str, Any]) -> list[list[int]]:
    """[[season_number, episode_count], ...] in order; specials (season 0) and empty seasons
    left out."""
    found: dict[int, int] = {}
    for s in _list(raw.get("seasons")):
        if not isinstance(s, dict):
            continue
        number, count = integer(s.get("season_number")), integer(s.get("episode_count"))
        if number is not None and number >= 1 and count is not None and count > 0:
            found[number] = count
    return [[n, found[n]] for n in sorted(found)]


def last_aired(raw: Mapping[str, Any]) -> list[int] | None:
    last = _dict(raw.get("last_episode_to_air"))
    season, number = integer(last.get("season_number")), integer(last.get("episode_number"))
    return [season, number] if season is not None and number is not None else None


def episode_runtime(raw: Mapping[str, Any]) -> int | None:
    for minutes in _list(raw.get("episode_run_time")):
        if integer(minutes):
            return int(minutes)
    return integer(_dict(raw.get("last_episode_to_air")).get("runtime")) or None


def episode(raw: Any, image_base: str) -> Episode | None:
    if not isinstance(raw, dict):
        return None
    season, number = integer(raw.get("season_number")), integer(raw.get("episode_number"))
    if season is None or number is None:
        return None
    return Episode(
        season_number=season,
        episode_number=number,
        name=text(raw.get("name")) or f"Episode {number}",
        overview=text(raw.get("overview")) or "",
        runtime=integer(raw.get("runtime")) or None,
        still_url=image_url(image_base, "w300", raw.get("still_path")),
        air_date=date(raw.get("air_date")),
        rating=number_or_none(raw.get("vote_average")),
    )


def number_or_none(value: Any) -> float | None:
    found = number(value)
    return found if found else None


def series_details(
    raw: Mapping[str, Any],
    genre_names: GenreNames,
    image_base: str,
    region: str,
    min_age: int | None,
    source: str,
) -> SeriesDetails | None:
    base = card(raw, genre_names.get("series", {}), image_base, "series")
    if base is None:
        return None
    seasons = [
        SeasonSummary(
            season_number=integer(s.get("season_number")) or 0,
            name=text(s.get("name")) or f"Season {s.get('season_number')}",
            overview=text(s.get("overview")) or "",
            air_date=date(s.get("air_date")),
            episode_count=integer(s.get("episode_count")) or 0,
            poster_url=image_url(image_base, "w342", s.get("poster_path")),
        )
        for s in _list(raw.get("seasons"))
        if isinstance(s, dict) and (integer(s.get("season_number")) or 0) >= 1
    ]
    seasons.sort(key=lambda s: s.season_number)
    recs = cards(
        _dict(raw.get("recommendations")).get("results"), genre_names, image_base, "series"
    )
    return SeriesDetails(
        **base.model_dump(),
        tagline=text(raw.get("tagline")),
        status=text(raw.get("status")),
        in_production=raw.get("in_production")
        if isinstance(raw.get("in_production"), bool)
        else None,
        homepage=text(raw.get("homepage")),
        number_of_seasons=len(seasons),
        number_of_episodes=integer(raw.get("number_of_episodes")),
        episode_runtime=episode_runtime(raw),
        seasons=seasons,
        creators=[
            Person(id=c["id"], name=c["name"])
            for c in _list(raw.get("created_by"))
            if isinstance(c, dict) and integer(c.get("id")) is not None and text(c.get("name"))
        ],
        networks=[
            Network(
                id=n["id"],
                name=n["name"],
                logo_url=image_url(image_base, "w92", n.get("logo_path")),
            )
            for n in _list(raw.get("networks"))
            if isinstance(n, dict) and integer(n.get("id")) is not None and text(n.get("name"))
        ],
        cast=_cast(_dict(raw.get("credits")), image_base),
        content_rating=tv_certification(raw, region),
        content_rating_region=region,
        min_age=min_age,
        trailer=trailer(raw),
        poster_url_large=image_url(image_base, "w500", raw.get("poster_path")),
        backdrop_url_large=image_url(image_base, "w1280", raw.get("backdrop_path")),
        next_episode_to_air=episode(raw.get("next_episode_to_air"), image_base),
        last_episode_to_air=episode(raw.get("last_episode_to_air"), image_base),
        recommendations=[r for r in recs if (r.kind, r.id) != (base.kind, base.id)][
            :MAX_RECOMMENDATIONS
        ],
        source=source,
    )


def season(raw: Mapping[str, Any], series_id: int, image_base: str, source: str) -> Season | None:
    number = integer(raw.get("season_number"))
    if number is None:
        return None
    episodes = [e for e in (episode(x, image_base) for x in _list(raw.get("episodes"))) if e]
    episodes.sort(key=lambda e: e.episode_number)
    return Season(
        series_id=series_id,
        season_number=number,
        name=text(raw.get("name")) or f"Season {number}",
        overview=text(raw.get("overview")) or "",
        air_date=date(raw.get("air_date")),
        poster_url=image_url(image_base, "w342", raw.get("poster_path")),
        episodes=episodes,
        source=source,
    )


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
