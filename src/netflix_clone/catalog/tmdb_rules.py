"""TMDB API v3's own rules, written once: error bodies, limits, id syntax, sort fields,
appendable sub-resources and the table of every v3 path this project serves.

Four consumers read them, each adding only its own behaviour:

* the TMDB-compatible gateway (``netflix_clone.gateway.allowlist``) adds a parameter validator
  per route and answers TMDB's error bodies for what it refuses itself;
* ``DemoTMDB`` (``netflix_clone.catalog.demo_tmdb``) adds a handler per route;
* the fake TMDB server (``devtools.fake_tmdb``) answers TMDB's error bodies and records which
  route each request was for;
* the pooled TMDB client (``netflix_clone.catalog.tmdb``) never asks for a page TMDB refuses.

Routes are keyed by ``name``: the path exactly as TMDB's OpenAPI document writes it, without the
``/3/`` prefix (``tv/{series_id}/season/{season_number}``). ``pattern`` is the compiled regex a
client path (without ``/3/``) must *fully* match; its named groups are the template's
placeholders. No two patterns match the same path, so the table's order does not matter.

Sources: developer.themoviedb.org (errors, append_to_response, pagination) and TMDB's official
OpenAPI document (sort_by enums, path templates); observed bodies from recorded TMDB answers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

Body = dict[str, Any]

# --- limits -----------------------------------------------------------------------------------

PAGE_SIZE: Final = 20  # items per page of every paged answer
MAX_PAGE: Final = 500  # TMDB serves pages 1..500: 400 (code 22) below, 422 above
MAX_APPEND: Final = 20  # append_to_response names per request (code 27 above)
MAX_ID: Final = 2**31 - 1  # TMDB ids are int32
MAX_MOVIE_ID: Final = MAX_ID  # the gateway's historical name
MAX_SEASON_NUMBER: Final = 9999
MAX_EPISODE_NUMBER: Final = 99999
DEFAULT_SORT: Final = "popularity.desc"

# --- error bodies (developer.themoviedb.org/docs/errors, and bodies TMDB was seen to send) ----
# Each comment gives the HTTP status TMDB sends the body with.

AUTHENTICATED: Final[Body] = {"success": True, "status_code": 1, "status_message": "Success."}
INVALID_PARAMETERS: Final[Body] = {  # 422
    "success": False,
    "status_code": 5,
    "status_message": "Invalid parameters: Your request parameters are incorrect.",
}
INVALID_KEY: Final[Body] = {  # 401
    "status_code": 7,
    "status_message": "Invalid API key: You must be granted a valid key.",
    "success": False,
}
SERVICE_OFFLINE: Final[Body] = {  # 503
    "success": False,
    "status_code": 9,
    "status_message": "Service offline: This service is temporarily offline, try again later.",
}
INTERNAL_ERROR: Final[Body] = {  # 500, as we word it for our own failures
    "success": False,
    "status_code": 11,
    "status_message": "Internal error: Something went wrong, try again later.",
}
UPSTREAM_INTERNAL_ERROR: Final[Body] = {  # 500, as TMDB words it
    "success": False,
    "status_code": 11,
    "status_message": "Internal error: Something went wrong, contact TMDB.",
}
FAILED: Final[Body] = {"success": False, "status_code": 15, "status_message": "Failed"}  # 500
INVALID_PAGE: Final[Body] = {  # 400
    "success": False,
    "status_code": 22,
    "status_message": (
        "Invalid page: Pages start at 1 and max at 500. They are expected to be an integer."
    ),
}
BACKEND_TIMEOUT: Final[Body] = {  # 504
    "success": False,
    "status_code": 24,
    "status_message": "Your request to the backend server timed out. Try again.",
}
TOO_MANY_APPENDS: Final[Body] = {  # 400
    "success": False,
    "status_code": 27,
    "status_message": (
        "Too many append to response objects: The maximum number of remote calls is 20."
    ),
}
NOT_FOUND: Final[Body] = {  # 404
    "success": False,
    "status_code": 34,
    "status_message": "The resource you requested could not be found.",
}
METHOD_NOT_ALLOWED: Final[Body] = {  # 405
    "success": False,
    "status_code": 42,
    "status_message": "Request method not supported.",
}
BACKEND_UNREACHABLE: Final[Body] = {  # 502
    "success": False,
    "status_code": 43,
    "status_message": "Couldn't connect to the backend server.",
}
INVALID_INPUT: Final[Body] = {  # 400
    "success": False,
    "status_code": 47,
    "status_message": "The input is not valid.",
}
# TMDB's second error shape, for validation errors (HTTP 422).
PAGE_TOO_HIGH: Final[Body] = {"errors": ["page must be less than or equal to 500"]}
QUERY_REQUIRED: Final[Body] = {"errors": ["query must be provided"]}

# The body TMDB answers each HTTP status with when it fails on its own side.
UPSTREAM_FAILURES: Final[Mapping[int, Body]] = {
    401: INVALID_KEY,
    404: NOT_FOUND,
    500: UPSTREAM_INTERNAL_ERROR,
    502: BACKEND_UNREACHABLE,
    503: SERVICE_OFFLINE,
    504: BACKEND_TIMEOUT,
}


def over_rate_limit(count: int, limit: int) -> Body:
    """Code 25 (HTTP 429) as TMDB's error table words it."""
    return {
        "success": False,
        "status_code": 25,
        "status_message": f"Your request count ({count}) is over the allowed limit of ({limit}).",
    }


def over_rate_limit_observed(count: int, limit: int = 40) -> Body:
    """Code 25 (HTTP 429) as TMDB's CDN was seen to send it: no ``success``, no parentheses."""
    return {
        "status_code": 25,
        "status_message": f"Your request count ({count}) is over the allowed limit of {limit}.",
    }


def copy_body(body: Mapping[str, Any]) -> Body:
    """A fresh copy of an error body (they are shallow, except the list in ``errors``)."""
    return {key: list(value) if isinstance(value, list) else value for key, value in body.items()}


# --- pages ------------------------------------------------------------------------------------


class PageError(ValueError):
    """A ``page`` TMDB refuses, with the status and body it refuses it with."""

    def __init__(self, status: int, body: Mapping[str, Any]) -> None:
        super().__init__(status)
        self.status = status
        self.body = copy_body(body)


def parse_page(raw: str | None) -> int:
    """``page`` as TMDB reads it: absent is 1; not an integer or below 1 is 400 (code 22);
    above 500 is 422 (``errors``). Leading zeros and a ``+`` sign are accepted."""
    if raw is None:
        return 1
    text = raw.strip()
    if not re.fullmatch(r"[+-]?\d+", text):
        raise PageError(400, INVALID_PAGE)
    digits = text.lstrip("+-").lstrip("0")
    if text.startswith("-") or not digits:
        raise PageError(400, INVALID_PAGE)
    if len(digits) > 3 or int(digits) > MAX_PAGE:
        raise PageError(422, PAGE_TOO_HIGH)
    return int(digits)


def clamp_page(page: int) -> int:
    return min(max(page, 1), MAX_PAGE)


# --- sorting ----------------------------------------------------------------------------------

Direction = Literal["asc", "desc"]
DIRECTIONS: Final[tuple[Direction, ...]] = ("asc", "desc")
# discover/movie and discover/tv `sort_by` fields (OpenAPI enum, each with .asc and .desc).
MOVIE_SORT_FIELDS: Final = (
    "original_title",
    "popularity",
    "primary_release_date",
    "revenue",
    "title",
    "vote_average",
    "vote_count",
)
TV_SORT_FIELDS: Final = (
    "first_air_date",
    "name",
    "original_name",
    "popularity",
    "vote_average",
    "vote_count",
)
SORT_FIELDS: Final[Mapping[str, tuple[str, ...]]] = {
    "movie": MOVIE_SORT_FIELDS,
    "tv": TV_SORT_FIELDS,
}


def sort_values(fields: tuple[str, ...]) -> frozenset[str]:
    return frozenset(f"{name}.{direction}" for name in fields for direction in DIRECTIONS)


MOVIE_SORT_BY: Final = sort_values(MOVIE_SORT_FIELDS)
TV_SORT_BY: Final = sort_values(TV_SORT_FIELDS)
SORT_BY: Final[Mapping[str, frozenset[str]]] = {"movie": MOVIE_SORT_BY, "tv": TV_SORT_BY}

# --- lists, windows, sub-resources ------------------------------------------------------------

MediaKind = Literal["movie", "tv"]
MEDIA_KINDS: Final[tuple[MediaKind, ...]] = ("movie", "tv")
MOVIE_LISTS: Final = ("popular", "top_rated", "now_playing", "upcoming")
TV_LISTS: Final = ("popular", "top_rated", "on_the_air", "airing_today")
LISTS: Final[Mapping[str, tuple[str, ...]]] = {"movie": MOVIE_LISTS, "tv": TV_LISTS}
TIME_WINDOWS: Final = ("day", "week")
TRENDING_MEDIA: Final = ("all", "movie", "tv")
SEARCH_MEDIA: Final = ("movie", "tv", "multi", "person")

# Sub-resources served both as `{kind}/{id}/{name}` and through append_to_response.
RELATED: Final = ("similar", "recommendations")  # paged lists of titles of the same kind
MOVIE_SUB_RESOURCES: Final = ("credits", "videos", "images", "release_dates")
TV_SUB_RESOURCES: Final = ("credits", "videos", "images", "content_ratings")
SUB_RESOURCES: Final[Mapping[str, tuple[str, ...]]] = {
    "movie": MOVIE_SUB_RESOURCES,
    "tv": TV_SUB_RESOURCES,
}
APPENDABLE_BY_KIND: Final[Mapping[str, tuple[str, ...]]] = {
    "movie": (*MOVIE_SUB_RESOURCES, *RELATED),
    "tv": (*TV_SUB_RESOURCES, *RELATED),
}
MOVIE_APPENDABLE: Final = APPENDABLE_BY_KIND["movie"]
TV_APPENDABLE: Final = APPENDABLE_BY_KIND["tv"]

# --- ids --------------------------------------------------------------------------------------

# TMDB accepts a slug after a title id ("movie/550-fight-club", "tv/1399-game-of-thrones").
ID_SYNTAX: Final = r"\d{1,10}(?:-[^/]{0,200})?"
NUMBER_SYNTAX: Final = r"\d{1,5}"  # season and episode numbers: no slug
# The path placeholder naming a title of each kind, as the OpenAPI document names it.
ID_PARAMETERS: Final[Mapping[str, str]] = {"movie": "movie_id", "tv": "series_id"}
_ID_PARAMETERS: Final = frozenset(ID_PARAMETERS.values())
_NUMBER_LIMITS: Final[Mapping[str, int]] = {
    "season_number": MAX_SEASON_NUMBER,
    "episode_number": MAX_EPISODE_NUMBER,
}


def title_id(name: str) -> str:
    """The regex of a title id path segment, captured as ``name`` (slug not captured)."""
    return rf"(?P<{name}>\d{{1,10}})(?:-[^/]{{0,200}})?"


def number(name: str) -> str:
    return rf"(?P<{name}>\d{{1,5}})"


def parse_id(text: str) -> int | None:
    """``550``, ``0550`` or ``550-fight-club`` -> 550; None if it is no valid TMDB id."""
    match = re.fullmatch(ID_SYNTAX, text)
    if match is None:
        return None
    value = int(text.partition("-")[0])
    return value if 1 <= value <= MAX_ID else None


# --- the route table --------------------------------------------------------------------------

CacheClass = Literal["configuration", "genres", "list", "details", "search"]


@dataclass(frozen=True)
class Route:
    """One v3 path we serve.

    ``name``: the path as TMDB's OpenAPI document writes it, without ``/3/``.
    ``pattern``: the compiled regex a client path must fully match (groups = placeholders).
    ``media``: ``movie``, ``tv`` or ``all`` (trending/all, search/multi); None for neither.
    ``resource``: what the path answers: ``configuration``, ``genres``, ``list`` (a named
    list), ``trending``, ``discover``, ``search``, ``details`` (of a title), ``season``,
    ``episode``, ``related`` (similar/recommendations) or ``sub`` (another sub-resource).
    ``cache``: how long an answer stays fresh (the catalog's TTL classes).
    ``paged``: answers TMDB's page envelope and takes ``page``.
    ``required``: query parameters TMDB refuses to answer without, with the 422 body.
    ``appendable``: names ``append_to_response`` may ask for (empty: not supported).
    """

    name: str
    pattern: re.Pattern[str]
    media: str | None
    resource: str
    cache: CacheClass
    paged: bool = False
    required: Mapping[str, Body] | None = None
    appendable: tuple[str, ...] = ()

    @property
    def placeholders(self) -> tuple[str, ...]:
        return tuple(re.findall(r"\{(\w+)\}", self.name))

    def path(self, values: Mapping[str, str]) -> str:
        """The canonical path for ``values`` (``movie/{movie_id}`` + 0550 -> ``movie/550``)."""
        path = self.name
        for key in self.placeholders:
            value = values[key]
            path = path.replace(f"{{{key}}}", str(int(value)) if value.isdigit() else value)
        return path


@dataclass(frozen=True)
class Matched:
    """A client path matched to its route: canonical values and canonical path."""

    route: Route
    values: Mapping[str, str]
    path: str

    @property
    def ids(self) -> dict[str, int]:
        """The numeric path values (ids, season and episode numbers) as integers."""
        return {key: int(value) for key, value in self.values.items() if value.isdigit()}


def _r(
    name: str,
    regex: str,
    media: str | None,
    resource: str,
    cache: CacheClass,
    *,
    paged: bool = False,
    required: Mapping[str, Body] | None = None,
    appendable: tuple[str, ...] = (),
) -> Route:
    return Route(name, re.compile(regex), media, resource, cache, paged, required, appendable)


def _build_routes() -> tuple[Route, ...]:
    routes: list[Route] = [
        _r("configuration", "configuration", None, "configuration", "configuration"),
    ]
    for kind in MEDIA_KINDS:
        routes.append(_r(f"genre/{kind}/list", f"genre/{kind}/list", kind, "genres", "genres"))
    for kind in MEDIA_KINDS:
        for name in LISTS[kind]:
            routes.append(_r(f"{kind}/{name}", f"{kind}/{name}", kind, "list", "list", paged=True))
    for media in TRENDING_MEDIA:
        routes.append(
            _r(
                f"trending/{media}/{{time_window}}",
                rf"trending/{media}/(?P<time_window>{'|'.join(TIME_WINDOWS)})",
                media,
                "trending",
                "list",
                paged=True,
            )
        )
    for kind in MEDIA_KINDS:
        routes.append(
            _r(f"discover/{kind}", f"discover/{kind}", kind, "discover", "list", paged=True)
        )
    for searched in SEARCH_MEDIA:
        routes.append(
            _r(
                f"search/{searched}",
                f"search/{searched}",
                "all" if searched == "multi" else searched,
                "search",
                "search",
                paged=True,
                required={"query": QUERY_REQUIRED},
            )
        )
    for title_kind, id_name in ID_PARAMETERS.items():
        title = rf"{title_kind}/{title_id(id_name)}"
        template = f"{title_kind}/{{{id_name}}}"
        routes.append(
            _r(
                template,
                title,
                title_kind,
                "details",
                "details",
                appendable=APPENDABLE_BY_KIND[title_kind],
            )
        )
        for sub in RELATED:
            routes.append(
                _r(f"{template}/{sub}", f"{title}/{sub}", title_kind, "related", "list", paged=True)
            )
        for sub in SUB_RESOURCES[title_kind]:
            routes.append(_r(f"{template}/{sub}", f"{title}/{sub}", title_kind, "sub", "details"))
    season = rf"tv/{title_id('series_id')}/season/{number('season_number')}"
    routes.append(_r("tv/{series_id}/season/{season_number}", season, "tv", "season", "details"))
    routes.append(
        _r(
            "tv/{series_id}/season/{season_number}/episode/{episode_number}",
            rf"{season}/episode/{number('episode_number')}",
            "tv",
            "episode",
            "details",
        )
    )
    return tuple(routes)


ROUTES: Final[tuple[Route, ...]] = _build_routes()
ROUTES_BY_NAME: Final[Mapping[str, Route]] = {route.name: route for route in ROUTES}


def match(path: str) -> Matched | None:
    """The route a v3 path (without ``/3/``, no surrounding slashes) belongs to, with canonical
    values; None when no route matches or an id is out of TMDB's range (TMDB's 404)."""
    for route in ROUTES:
        found = route.pattern.fullmatch(path)
        if found is None:
            continue
        values: dict[str, str] = {}
        for key, raw in found.groupdict().items():
            if key in _ID_PARAMETERS:
                value = int(raw)
                if not 1 <= value <= MAX_ID:
                    return None
                values[key] = str(value)
            elif key in _NUMBER_LIMITS:
                if int(raw) > _NUMBER_LIMITS[key]:
                    return None
                values[key] = str(int(raw))
            else:
                values[key] = raw
        return Matched(route, values, route.path(values))
    return None


def cache_class(path: str) -> CacheClass:
    """How long an answer for ``path`` stays fresh; ``list`` for a path off the table."""
    matched = match(path)
    return matched.route.cache if matched is not None else "list"


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
