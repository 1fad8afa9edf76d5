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

from netflix_clone.catalog.demo_tmdb import (
    APPENDABLE,
    INVALID_PAGE,
    MAX_APPEND,
    NOT_FOUND,
    PAGE_TOO_HIGH,
    QUERY_REQUIRED,
    TOO_MANY_APPENDS,
)

Body = dict[str, Any]

# TMDB's own error bodies (developer.themoviedb.org/docs/errors), for what we answer ourselves.
INVALID_PARAMETERS: Final[Body] = {
    "success": False,
    "status_code": 5,
    "status_message": "Invalid parameters: Your request parameters are incorrect.",
}
METHOD_NOT_ALLOWED: Final[Body] = {
    "success": False,
    "status_code": 42,
    "status_message": "Request method not supported.",
}
SERVICE_OFFLINE: Final[Body] = {
    "success": False,
    "status_code": 9,
    "status_message": "Service offline: This service is temporarily offline, try again later.",
}
BACKEND_UNREACHABLE: Final[Body] = {
    "success": False,
    "status_code": 43,
    "status_message": "Couldn't connect to the backend server.",
}
BACKEND_TIMEOUT: Final[Body] = {
    "success": False,
    "status_code": 24,
    "status_message": "Your request to the backend server timed out. Try again.",
}
INVALID_INPUT: Final[Body] = {
    "success": False,
    "status_code": 47,
    "status_message": "The input is not valid.",
}
INTERNAL_ERROR: Final[Body] = {
    "success": False,
    "status_code": 11,
    "status_message": "Internal error: Something went wrong, try again later.",
}

MAX_MOVIE_ID: Final = 2**31 - 1  # TMDB ids are int32
MAX_PAGE: Final = 500
MAX_QUERY_LENGTH: Final = 200
SORT_BY: Final = frozenset(
    f"{field}.{direction}"
    for field in (
        "original_title",
        "popularity",
        "revenue",
        "primary_release_date",
        "title",
        "vote_average",
        "vote_count",
    )
    for direction in ("asc", "desc")
)
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
    text = raw.strip()
    if not re.fullmatch(r"[+-]?\d+", text):
        raise Refusal(400, INVALID_PAGE)
    digits = text.lstrip("+-").lstrip("0")
    if text.startswith("-") or not digits:
        raise Refusal(400, INVALID_PAGE)
    if len(digits) > 3 or int(digits) > MAX_PAGE:
        raise Refusal(422, PAGE_TOO_HIGH)
    return None if digits == "1" else digits  # page 1 is TMDB's default: one cache entry


def pattern(regex: str, canonical: Callable[[str], str] = str) -> Validator:
    compiled = re.compile(regex)

    def check(raw: str) -> str | None:
        text = raw.strip()
        if not compiled.fullmatch(text):
            raise invalid()
        return canonical(text)

    return check


# TMDB's officially supported translations (GET /configuration/primary_translations).
TMDB_LANGUAGES: Final[frozenset[str]] = frozenset(
    (
        "af-ZA",
        "ar-AE",
        "ar-SA",
        "be-BY",
        "bg-BG",
        "bn-BD",
        "ca-ES",
        "ch-GU",
        "cn-CN",
        "cs-CZ",
        "cy-GB",
        "da-DK",
        "de-AT",
        "de-CH",
        "de-DE",
        "el-GR",
        "en-AU",
        "en-CA",
        "en-GB",
        "en-IE",
        "en-NZ",
        "en-US",
        "eo-EO",
        "es-ES",
        "es-MX",
        "et-EE",
        "eu-ES",
        "fa-IR",
        "fi-FI",
        "fr-CA",
        "fr-FR",
        "ga-IE",
        "gd-GB",
        "gl-ES",
        "he-IL",
        "hi-IN",
        "hr-HR",
        "hu-HU",
        "id-ID",
        "it-IT",
        "ja-JP",
        "ka-GE",
        "kk-KZ",
        "kn-IN",
        "ko-KR",
        "ky-KG",
        "lt-LT",
        "lv-LV",
        "ml-IN",
        "mr-IN",
        "ms-MY",
        "ms-SG",
        "nb-NO",
        "nl-BE",
        "nl-NL",
        "no-NO",
        "pa-IN",
        "pl-PL",
        "pt-BR",
        "pt-PT",
        "ro-RO",
        "ru-RU",
        "si-LK",
        "sk-SK",
        "sl-SI",
        "sq-AL",
        "sr-RS",
        "sv-SE",
        "ta-IN",
        "te-IN",
        "th-TH",
        "tl-PH",
        "tr-TR",
        "uk-UA",
        "vi-VN",
        "zh-CN",
        "zh-HK",
        "zh-SG",
        "zh-TW",
        "zu-ZA",
    )
)
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


def genres(raw: str) -> str | None:
    """Genre ids: a comma means AND, a pipe means OR."""
    text = re.sub(r" *([,|]) *", r"\1", raw.strip())  # "28, 12" is "28,12"
    if not re.fullmatch(r"\d{1,7}([,|]\d{1,7}){0,49}", text):
        raise invalid()
    return text


def sort_by(raw: str) -> str | None:
    text = raw.strip()
    if text not in SORT_BY:
        raise invalid()
    return text


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


def append_to_response(raw: str) -> str | None:
    """Names we serve, deduplicated and sorted (one cache entry per set); others are ignored,
    as TMDB ignores names it does not know, but they still count towards TMDB's limit of 20."""
    names = [name.strip() for name in raw.split(",") if name.strip()]
    if len(names) > MAX_APPEND:
        raise Refusal(400, TOO_MANY_APPENDS)
    kept = sorted({name for name in names if name in APPENDABLE})
    return ",".join(kept) or None


def image_languages(raw: str) -> str | None:
    """`include_image_language=en,null`: ISO 639-1 codes, `null` for images without text."""
    tokens = [token.strip().lower() for token in raw.split(",") if token.strip()]
    if not tokens or len(tokens) > 10:
        raise invalid()
    if not all(re.fullmatch(r"[a-z]{2}|null", token) for token in tokens):
        raise invalid()
    return ",".join(sorted(set(tokens)))


# --- the allow-list -------------------------------------------------------------------------

LOCALE: Final[Mapping[str, Validator]] = {"language": language}
PAGED: Final[Mapping[str, Validator]] = {"language": language, "page": page}
LISTS: Final[Mapping[str, Validator]] = {"language": language, "page": page, "region": region}
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
SEARCH: Final[Mapping[str, Validator]] = {
    "include_adult": boolean,
    "language": language,
    "page": page,
    "primary_release_year": year,
    "query": query,
    "region": region,
    "year": year,
}
DETAILS: Final[Mapping[str, Validator]] = {
    "append_to_response": append_to_response,
    "include_image_language": image_languages,
    "language": language,
}
IMAGES: Final[Mapping[str, Validator]] = {
    "include_image_language": image_languages,
    "language": language,
}

_MOVIE = r"movie/(?P<movie_id>\d{1,10})(?:-[^/]{0,200})?"  # TMDB accepts "550-fight-club"


@dataclass(frozen=True)
class Route:
    """One allowed path. `template` is the path as TMDB's OpenAPI spec writes it."""

    pattern: re.Pattern[str]
    template: str
    params: Mapping[str, Validator] = field(default_factory=dict)
    required: Mapping[str, Body] = field(default_factory=dict)


def _route(
    regex: str,
    template: str,
    params: Mapping[str, Validator] | None = None,
    required: Mapping[str, Body] | None = None,
) -> Route:
    return Route(re.compile(regex), template, params or {}, required or {})


ROUTES: Final[tuple[Route, ...]] = (
    _route("configuration", "configuration"),
    _route("genre/movie/list", "genre/movie/list", LOCALE),
    _route(r"movie/(?P<list>popular|top_rated|now_playing|upcoming)", "movie/{list}", LISTS),
    _route(r"trending/movie/(?P<time_window>day|week)", "trending/movie/{time_window}", PAGED),
    _route("discover/movie", "discover/movie", DISCOVER),
    _route("search/movie", "search/movie", SEARCH, {"query": QUERY_REQUIRED}),
    _route(_MOVIE, "movie/{movie_id}", DETAILS),
    _route(rf"{_MOVIE}/(?P<sub>similar|recommendations)", "movie/{movie_id}/{sub}", PAGED),
    _route(rf"{_MOVIE}/(?P<sub>videos|credits|release_dates)", "movie/{movie_id}/{sub}", LOCALE),
    _route(rf"{_MOVIE}/(?P<sub>images)", "movie/{movie_id}/{sub}", IMAGES),
)


@dataclass(frozen=True)
class Wanted:
    """The upstream request for one client request: what `Catalog.fetch` is called with."""

    path: str
    params: dict[str, str]
    template: str  # with the path's own values filled in except {movie_id}: "movie/{movie_id}"


def resolve(path: str, args: Mapping[str, str]) -> Wanted:
    """Match `path` (after `/3/`) against the allow-list and validate `args`; raise `Refusal`."""
    for route in ROUTES:
        match = route.pattern.fullmatch(path)
        if match is None:
            continue
        values = match.groupdict()
        upstream = route.template
        if "movie_id" in values:
            movie_id = int(values["movie_id"])
            if not 1 <= movie_id <= MAX_MOVIE_ID:
                raise Refusal(404, NOT_FOUND)
            upstream = upstream.replace("{movie_id}", str(movie_id))
        template = route.template
        for name in ("list", "sub"):
            if values.get(name):
                upstream = upstream.replace(f"{{{name}}}", values[name])
                template = template.replace(f"{{{name}}}", values[name])
        if values.get("time_window"):
            upstream = upstream.replace("{time_window}", values["time_window"])
        params: dict[str, str] = {}
        for name, check in sorted(route.params.items()):
            raw = args.get(name)
            if raw is None or not raw.strip():
                continue
            if name != "query" and raw.strip() in _UNSET:
                continue
            value = check(raw)
            if value is not None:
                params[name] = value
        for name, body in route.required.items():
            if name not in params:
                raise Refusal(422, body)
        return Wanted(upstream, params, template)
    raise Refusal(404, NOT_FOUND)
