"""What the TMDB gateway answers: an allow-list of v3 paths, each with its own query parameters.

`resolve(path, args)` turns a client's path and query string into the one upstream request we
make for it: a canonical path we build ourselves (`movie/550-fight-club` becomes `movie/550`) and
a fresh dict of validated, re-encoded parameter values. Nothing the client sent is forwarded
as-is: unknown parameters (cache-busters, `api_key`) are dropped, and a value that fails its
check is refused with the error TMDB itself would give.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from netflix_clone.catalog import tmdb_rules
from netflix_clone.catalog.tmdb_rules import (
    BACKEND_TIMEOUT,
    BACKEND_UNREACHABLE,
    INTERNAL_ERROR,
    INVALID_INPUT,
    INVALID_PARAMETERS,
    MAX_APPEND,
    MAX_MOVIE_ID,
    MAX_PAGE,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    QUERY_REQUIRED,
    SERVICE_OFFLINE,
    TMDB_LANGUAGES,
    TOO_MANY_APPENDS,
    PageError,
    Route,
)

__all__ = [
    "BACKEND_TIMEOUT",
    "BACKEND_UNREACHABLE",
    "INTERNAL_ERROR",
    "INVALID_INPUT",
    "INVALID_PARAMETERS",
    "MAX_MOVIE_ID",
    "MAX_PAGE",
    "METHOD_NOT_ALLOWED",
    "NOT_FOUND",
    "PARAMS",
    "SERVICE_OFFLINE",
    "Refusal",
    "Wanted",
    "resolve",
]

Body = dict[str, Any]

MAX_QUERY_LENGTH: Final = 200  # ours, not TMDB's: a search longer than this is no title
SORT_BY: Final = tmdb_rules.MOVIE_SORT_BY  # discover/movie's; discover/tv's is TV_SORT_BY
# What a JavaScript app sends for a variable it never set: treated as "not sent" (except in a
# search query, where it may be what the member typed).
_UNSET = frozenset({"", "undefined"})


class Refusal(Exception):
    """The gateway answers this request itself, with TMDB's status and error body."""

    def __init__(self, status: int, body: Mapping[str, Any]) -> None:
        super().__init__(status)
        self.status = status
        self.body: Body = dict(body)


def invalid() -> Refusal:
    return Refusal(422, INVALID_PARAMETERS)


# --- validators: raw text in, canonical text out (None: leave the parameter out) --------------

Validator = Callable[[str], str | None]


def page(raw: str) -> str | None:
    """TMDB's rules and bodies: not an integer or below 1 is 400 (code 22), above 500 is 422."""
    try:
        number = tmdb_rules.parse_page(raw)
    except PageError as error:
        raise Refusal(error.status, error.body) from None
    return None if number == 1 else str(number)  # page 1 is TMDB's default: one cache entry


def pattern(regex: str, canonical: Callable[[str], str] = str) -> Validator:
    compiled = re.compile(regex)

    def check(raw: str) -> str | None:
        text = raw.strip()
        if not compiled.fullmatch(text):
            raise invalid()
        return canonical(text)

    return check


_LANGUAGE_CODES: Final[frozenset[str]] = frozenset(tag[:2] for tag in TMDB_LANGUAGES)


def language(raw: str) -> str | None:
    """A translation TMDB has, as it spells it; a variant it doesn't have falls back to its
    language (`fr-XX` is `fr`), an unknown language to TMDB's default (the parameter is left
    out). Every other spelling would be its own cache entry of ~100 KB kept for days: this
    keeps the key space to TMDB's ~80 translations."""
    text = raw.strip()
    if not re.fullmatch(r"[A-Za-z]{2}(-[A-Za-z]{2})?", text):
        raise invalid()
    code, _, country = text.partition("-")
    tag = f"{code.lower()}-{country.upper()}"
    if tag in TMDB_LANGUAGES:
        return tag
    return code.lower() if code.lower() in _LANGUAGE_CODES else None


region = pattern(r"[A-Za-z]{2}", str.upper)
year = pattern(r"\d{4}")
boolean = pattern(r"(?i:true|false)", str.lower)
count = pattern(r"\d{1,9}")
rating = pattern(r"(10|\d)(\.\d{1,3})?")
original_languages = pattern(r"[A-Za-z]{2}(\|[A-Za-z]{2}){0,9}", str.lower)


def ids(raw: str) -> str | None:
    """Ids (genres, networks): a comma means AND, a pipe means OR."""
    text = re.sub(r" *([,|]) *", r"\1", raw.strip())  # "28, 12" is "28,12"
    if not re.fullmatch(r"\d{1,7}([,|]\d{1,7}){0,49}", text):
        raise invalid()
    return text


genres = ids


def one_of(allowed: frozenset[str]) -> Validator:
    def check(raw: str) -> str | None:
        text = raw.strip()
        if text not in allowed:
            raise invalid()
        return text

    return check


sort_by = one_of(tmdb_rules.MOVIE_SORT_BY)
tv_sort_by = one_of(tmdb_rules.TV_SORT_BY)
# An IANA zone name as TMDB takes it (`America/New_York`, `UTC`); only the air-date filters of
# discover/tv and the on_the_air/airing_today lists read it.
timezone = pattern(r"[A-Za-z]{1,14}(/[A-Za-z0-9_+-]{1,24}){0,2}")


def date(raw: str) -> str | None:
    text = raw.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise invalid()
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise invalid() from None


def query(raw: str) -> str | None:
    text = raw.strip()
    if not text:
        raise Refusal(422, QUERY_REQUIRED)
    if len(text) > MAX_QUERY_LENGTH or re.search(r"[\x00-\x1f\x7f]", text):
        raise invalid()
    return text


def append_to_response(appendable: tuple[str, ...]) -> Validator:
    """Names we serve for this kind of title, deduplicated and sorted (one cache entry per
    set); others are ignored, as TMDB ignores names it does not know, but they still count
    towards TMDB's limit of 20."""
    served = frozenset(appendable)

    def check(raw: str) -> str | None:
        names = [name.strip() for name in raw.split(",") if name.strip()]
        if len(names) > MAX_APPEND:
            raise Refusal(400, TOO_MANY_APPENDS)
        kept = sorted({name for name in names if name in served})
        return ",".join(kept) or None

    return check


def image_languages(raw: str) -> str | None:
    """`include_image_language=en,null`: ISO 639-1 codes, `null` for images without text."""
    tokens = [token.strip().lower() for token in raw.split(",") if token.strip()]
    if not tokens or len(tokens) > 10:
        raise invalid()
    if not all(re.fullmatch(r"[a-z]{2}|null", token) for token in tokens):
        raise invalid()
    return ",".join(sorted(set(tokens)))


# --- the allow-list: the parameters of every route in tmdb_rules.ROUTES ------------------------

NONE: Final[Mapping[str, Validator]] = {}
LOCALE: Final[Mapping[str, Validator]] = {"language": language}
PAGED: Final[Mapping[str, Validator]] = {"language": language, "page": page}
LISTS: Final[Mapping[str, Validator]] = {"language": language, "page": page, "region": region}
TV_AIRING: Final[Mapping[str, Validator]] = {**PAGED, "timezone": timezone}
DISCOVER: Final[Mapping[str, Validator]] = {
    "include_adult": boolean,
    "include_video": boolean,
    "language": language,
    "page": page,
    "primary_release_date.gte": date,
    "primary_release_date.lte": date,
    "primary_release_year": year,
    "region": region,
    "release_date.gte": date,
    "release_date.lte": date,
    "sort_by": sort_by,
    "vote_average.gte": rating,
    "vote_average.lte": rating,
    "vote_count.gte": count,
    "vote_count.lte": count,
    "with_genres": genres,
    "with_original_language": original_languages,
    "with_runtime.gte": count,
    "with_runtime.lte": count,
    "without_genres": genres,
    "year": year,
}
DISCOVER_TV: Final[Mapping[str, Validator]] = {
    "air_date.gte": date,
    "air_date.lte": date,
    "first_air_date.gte": date,
    "first_air_date.lte": date,
    "first_air_date_year": year,
    "include_adult": boolean,
    "include_null_first_air_dates": boolean,
    "language": language,
    "page": page,
    "sort_by": tv_sort_by,
    "timezone": timezone,
    "vote_average.gte": rating,
    "vote_average.lte": rating,
    "vote_count.gte": count,
    "vote_count.lte": count,
    "with_genres": genres,
    "with_networks": ids,
    "with_original_language": original_languages,
    "with_runtime.gte": count,
    "with_runtime.lte": count,
    "without_genres": genres,
}
SEARCH: Final[Mapping[str, Validator]] = {
    "include_adult": boolean,
    "language": language,
    "page": page,
    "primary_release_year": year,
    "query": query,
    "region": region,
    "year": year,
}
SEARCH_TV: Final[Mapping[str, Validator]] = {
    "first_air_date_year": year,
    "include_adult": boolean,
    "language": language,
    "page": page,
    "query": query,
    "year": year,
}
SEARCH_MULTI: Final[Mapping[str, Validator]] = {
    "include_adult": boolean,
    "language": language,
    "page": page,
    "query": query,
}
IMAGES: Final[Mapping[str, Validator]] = {
    "include_image_language": image_languages,
    "language": language,
}


def _details(kind: str) -> Mapping[str, Validator]:
    return {
        "append_to_response": append_to_response(tmdb_rules.APPENDABLE_BY_KIND[kind]),
        "include_image_language": image_languages,
        "language": language,
    }


DETAILS: Final = _details("movie")
TV_DETAILS: Final = _details("tv")


def _params_of(route: Route) -> Mapping[str, Validator]:
    """Each route's parameters, from what kind of resource it answers."""
    name, kind = route.name, route.media
    if route.resource == "configuration":
        return NONE
    if route.resource == "genres":
        return LOCALE
    if route.resource == "list":
        if kind == "movie":
            return LISTS
        return TV_AIRING if name in ("tv/on_the_air", "tv/airing_today") else PAGED
    if route.resource in ("trending", "related"):
        return PAGED
    if route.resource == "discover":
        return DISCOVER if kind == "movie" else DISCOVER_TV
    if route.resource == "search":
        return {"search/movie": SEARCH, "search/tv": SEARCH_TV}.get(name, SEARCH_MULTI)
    if route.resource == "details":
        return DETAILS if kind == "movie" else TV_DETAILS
    if route.resource == "sub":
        if name.endswith("/images"):
            return IMAGES
        return NONE if name.endswith("/content_ratings") else LOCALE
    if route.resource in ("season", "episode"):
        return LOCALE
    raise LookupError(f"the gateway has no parameters for {name}")  # a new kind of route


# Keyed by the route's OpenAPI template; every route of the table is allow-listed.
PARAMS: Final[Mapping[str, Mapping[str, Validator]]] = {
    route.name: _params_of(route) for route in tmdb_rules.ROUTES
}


@dataclass(frozen=True)
class Wanted:
    """The upstream request for one client request: what `Catalog.fetch` is called with."""

    path: str  # canonical: "movie/550", "tv/1399/season/1"
    params: dict[str, str]
    template: str  # the route's OpenAPI template: "movie/{movie_id}", "trending/all/{time_window}"
    route: Route = field(compare=False)


def resolve(path: str, args: Mapping[str, str]) -> Wanted:
    """Match `path` (after `/3/`) against the allow-list and validate `args`; raise `Refusal`."""
    matched = tmdb_rules.match(path)
    if matched is None:  # off the table, or an id TMDB cannot have
        raise Refusal(404, NOT_FOUND)
    route = matched.route
    params: dict[str, str] = {}
    for name, check in sorted(PARAMS[route.name].items()):
        raw = args.get(name)
        if raw is None or not raw.strip():
            continue
        if name != "query" and raw.strip() in _UNSET:
            continue
        value = check(raw)
        if value is not None:
            params[name] = value
    for name, body in (route.required or {}).items():
        if name not in params:
            raise Refusal(422, body)
    return Wanted(matched.path, params, route.name, route)
