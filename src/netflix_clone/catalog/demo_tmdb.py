"""TMDB API v3, answered from the bundled demo catalog (``demo_data.json``).

One implementation of TMDB's protocol serves three callers: the app's demo catalog when no TMDB
key is configured, the demo mode of the TMDB-compatible gateway, and the fake TMDB HTTP server
(``devtools.fake_tmdb``). ``DemoTMDB.handle(path, params)`` takes a v3 path without the ``/3``
prefix (``movie/popular``) and the query parameters, and returns ``(http_status, json_body)``
exactly as TMDB would: same JSON shape, same status codes, same error bodies.

Deliberate simplifications, each the closest honest answer the bundled data allows:

* ``language`` and ``region`` are accepted everywhere and change nothing: the data is en-US.
* Lists and trending keep the recorded order; ``discover/movie`` and ``search/movie`` run over
  every bundled movie. Search matches every whitespace-separated word of ``query``
  case-insensitively against ``title`` or ``original_title``; exact title matches come first,
  then popularity (highest first), then id.
* Unparseable discover filter values are ignored (TMDB's discover is lenient); an unknown
  ``sort_by`` falls back to ``popularity.desc``. Ties always break by ascending id, and movies
  without a release date sort last for both date directions.
* A movie without recorded details gets details derived from its list item: ``genres`` mapped
  from ``genre_ids``, ``runtime``/``imdb_id``/``status`` null, ``budget``/``revenue`` 0 (TMDB's
  own "unknown"), empty lists, and empty credits, videos, images and release dates.
* Similar/recommendations without a recording are derived from genre overlap over the bundled
  movies (never the movie itself, never movies sharing no genre, at most 40):
  similar ranks by Jaccard similarity of the genre sets, then vote_count, then id;
  recommendations rank by the number of shared genres, then popularity, then id.
* An empty result still reports ``total_pages: 1`` (``page`` 1, ``total_results`` 0).
"""

from __future__ import annotations

import copy
import json
import math
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from typing import Any, ClassVar, Final

Body = dict[str, Any]
Response = tuple[int, Body]

PAGE_SIZE: Final = 20
MAX_PAGE: Final = 500
MAX_APPEND: Final = 20
DERIVED_RELATED_LIMIT: Final = 40

NOT_FOUND: Final[Body] = {
    "success": False,
    "status_code": 34,
    "status_message": "The resource you requested could not be found.",
}
INVALID_PAGE: Final[Body] = {
    "success": False,
    "status_code": 22,
    "status_message": (
        "Invalid page: Pages start at 1 and max at 500. They are expected to be an integer."
    ),
}
PAGE_TOO_HIGH: Final[Body] = {"errors": ["page must be less than or equal to 500"]}
QUERY_REQUIRED: Final[Body] = {"errors": ["query must be provided"]}
TOO_MANY_APPENDS: Final[Body] = {
    "success": False,
    "status_code": 27,
    "status_message": (
        "Too many append to response objects: The maximum number of remote calls is 20."
    ),
}
AUTHENTICATED: Final[Body] = {"success": True, "status_code": 1, "status_message": "Success."}

SUB_RESOURCES: Final = ("credits", "videos", "images", "release_dates")
RELATED: Final = ("similar", "recommendations")
APPENDABLE: Final = (*SUB_RESOURCES, *RELATED)
EMPTY_SUB_RESOURCES: Final[Mapping[str, Body]] = {
    "credits": {"cast": [], "crew": []},
    "videos": {"results": []},
    "images": {"backdrops": [], "logos": [], "posters": []},
    "release_dates": {"results": []},
}
LIST_NAMES: Final = ("popular", "top_rated", "now_playing", "upcoming")
SORT_FIELDS: Final = (
    "original_title",
    "popularity",
    "primary_release_date",
    "revenue",
    "title",
    "vote_average",
    "vote_count",
)
DEFAULT_SORT: Final = "popularity.desc"

_MOVIE_ID = r"(?P<movie_id>\d+)(?:-[^/]*)?"  # TMDB also accepts "550-fight-club"
_INTEGER = re.compile(r"[+-]?\d+")


class TMDBError(Exception):
    """A TMDB error answer: raised inside a handler, returned by :meth:`DemoTMDB.handle`."""

    def __init__(self, status: int, body: Mapping[str, Any]) -> None:
        super().__init__(status, dict(body))
        self.status = status
        self.body: Body = copy.deepcopy(dict(body))


def _parse_page(params: Mapping[str, str]) -> int:
    raw = params.get("page")
    if raw is None:
        return 1
    text = raw.strip()
    if not _INTEGER.fullmatch(text):
        raise TMDBError(400, INVALID_PAGE)
    page = int(text)
    if page < 1:
        raise TMDBError(400, INVALID_PAGE)
    if page > MAX_PAGE:
        raise TMDBError(422, PAGE_TOO_HIGH)
    return page


def _float(params: Mapping[str, str], name: str) -> float | None:
    try:
        return float(params[name])
    except (KeyError, ValueError):
        return None


def _int_tokens(text: str) -> set[int]:
    return {int(token) for token in re.split(r"[,|]", text) if token.strip().isdigit()}


def _genre_groups(text: str) -> list[set[int]]:
    """``28,12`` means 28 AND 12; ``28|12`` means 28 OR 12; ``28,12|16`` = (28 AND 12) OR 16."""
    groups: list[set[int]] = []
    for alternative in text.split("|"):
        tokens = [token.strip() for token in alternative.split(",") if token.strip()]
        if tokens and all(token.isdigit() for token in tokens):
            groups.append({int(token) for token in tokens})
        elif tokens:
            groups.append({-1})  # an unknown genre token matches no movie
    return groups


def _date_between(low: str, high: str) -> Callable[[Mapping[str, Any]], bool]:
    def check(movie: Mapping[str, Any]) -> bool:
        date = str(movie.get("release_date") or "")
        return bool(date) and (not low or date >= low) and (not high or date <= high)

    return check


def _number_between(
    field: str, low: float | None, high: float | None
) -> Callable[[Mapping[str, Any]], bool]:
    def check(movie: Mapping[str, Any]) -> bool:
        value = float(movie[field])
        return (low is None or value >= low) and (high is None or value <= high)

    return check


def _in_years(years: set[str]) -> Callable[[Mapping[str, Any]], bool]:
    wanted = {year.zfill(4) for year in years}
    return lambda movie: _year(movie) in wanted


def _year(movie: Mapping[str, Any]) -> str:
    return str(movie.get("release_date") or "")[:4]


class DemoTMDB:
    """Answers TMDB v3 requests from the bundled demo catalog. Immutable once built, so one
    instance is safely shared by all threads; every answer is a fresh deep copy."""

    _default: ClassVar[DemoTMDB | None] = None
    _default_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._configuration: Body = dict(data["configuration"])
        self._genres: list[Body] = [dict(genre) for genre in data["genres"]]
        self._genre_names: dict[int, str] = {g["id"]: g["name"] for g in self._genres}
        self._movies: dict[int, Body] = {int(m["id"]): dict(m) for m in data["movies"]}
        self._details: dict[int, Body] = {
            int(movie_id): dict(record) for movie_id, record in data["details"].items()
        }
        self._lists: dict[str, Body] = {name: dict(entry) for name, entry in data["lists"].items()}
        self._routes: tuple[tuple[re.Pattern[str], Callable[..., Body]], ...] = (
            (re.compile(r"configuration"), self._configuration_body),
            (re.compile(r"authentication"), lambda params: dict(AUTHENTICATED)),
            (re.compile(r"genre/movie/list"), self._genre_list),
            (re.compile(r"movie/(?P<name>popular|top_rated|now_playing|upcoming)"), self._list),
            (re.compile(r"trending/movie/(?P<window>day|week)"), self._trending),
            (re.compile(r"discover/movie"), self._discover),
            (re.compile(r"search/movie"), self._search),
            (re.compile(rf"movie/{_MOVIE_ID}"), self._movie),
            (
                re.compile(rf"movie/{_MOVIE_ID}/(?P<sub>{'|'.join(APPENDABLE)})"),
                self._movie_sub_resource,
            ),
        )

    @classmethod
    def from_package(cls) -> DemoTMDB:
        """Load ``demo_data.json`` shipped inside this package."""
        text = (
            resources.files(__package__ or "netflix_clone.catalog")
            .joinpath("demo_data.json")
            .read_text(encoding="utf-8")
        )
        return cls(json.loads(text))

    @classmethod
    def default(cls) -> DemoTMDB:
        """The process-wide instance, loaded from the package on first use."""
        with cls._default_lock:
            if cls._default is None:
                cls._default = cls.from_package()
            return cls._default

    # ------------------------------------------------------------------ public API

    def handle(self, path: str, params: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        """Answer ``GET /3/<path>?<params>`` as TMDB would: ``(http_status, json_body)``."""
        clean = path.strip("/")
        try:
            for pattern, handler in self._routes:
                match = pattern.fullmatch(clean)
                if match:
                    return 200, copy.deepcopy(handler(params, **match.groupdict()))
        except TMDBError as error:
            return error.status, copy.deepcopy(error.body)
        return 404, dict(NOT_FOUND)

    @property
    def movie_ids(self) -> tuple[int, ...]:
        return tuple(sorted(self._movies))

    def has_recorded_details(self, movie_id: int) -> bool:
        """True when details were recorded from TMDB, False when they are derived."""
        return movie_id in self._details

    def list_ids(self, name: str) -> tuple[int, ...]:
        """Member ids of ``popular``, ``top_rated``, ``now_playing``, ``upcoming``,
        ``trending_day`` or ``trending_week``, in answer order."""
        return tuple(self._lists[name]["ids"])

    # ------------------------------------------------------------------ simple resources

    def _configuration_body(self, params: Mapping[str, str]) -> Body:
        return self._configuration

    def _genre_list(self, params: Mapping[str, str]) -> Body:
        return {"genres": self._genres}

    def _list(self, params: Mapping[str, str], name: str) -> Body:
        entry = self._lists[name]
        body = self._paged(entry["ids"], _parse_page(params))
        if "dates" in entry:
            return {"dates": entry["dates"], **body}
        return body

    def _trending(self, params: Mapping[str, str], window: str) -> Body:
        return self._paged(self._lists[f"trending_{window}"]["ids"], _parse_page(params), True)

    # ------------------------------------------------------------------ paging

    def _item(self, movie_id: int, media_type: bool = False) -> Body:
        item = self._movies[movie_id]
        return {**item, "media_type": "movie"} if media_type else item

    def _paged(self, ids: Sequence[int], page: int, media_type: bool = False) -> Body:
        total = len(ids)
        start = (page - 1) * PAGE_SIZE
        return {
            "page": page,
            "results": [self._item(i, media_type) for i in ids[start : start + PAGE_SIZE]],
            "total_pages": max(1, math.ceil(total / PAGE_SIZE)),
            "total_results": total,
        }

    # ------------------------------------------------------------------ discover / search

    def _visible(self, params: Mapping[str, str]) -> list[Body]:
        include_adult = params.get("include_adult", "false").strip().lower() == "true"
        return [m for m in self._movies.values() if include_adult or not m["adult"]]

    def _discover(self, params: Mapping[str, str]) -> Body:
        page = _parse_page(params)
        movies = self._visible(params)
        filters: list[Callable[[Body], bool]] = []
        if params.get("with_genres", "").strip():
            groups = _genre_groups(params["with_genres"])
            filters.append(lambda m: any(g <= set(m["genre_ids"]) for g in groups))
        if params.get("without_genres", "").strip():
            excluded = _int_tokens(params["without_genres"])
            filters.append(lambda m: not excluded & set(m["genre_ids"]))
        years = {params.get(n, "").strip() for n in ("primary_release_year", "year")}
        for year in sorted(y for y in years if y.isdigit()):
            filters.append(_in_years({year}))
        for name in ("primary_release_date", "release_date"):
            low, high = params.get(f"{name}.gte", "").strip(), params.get(f"{name}.lte", "").strip()
            if low or high:
                filters.append(_date_between(low, high))
        for field in ("vote_average", "vote_count"):
            gte, lte = _float(params, f"{field}.gte"), _float(params, f"{field}.lte")
            if gte is not None or lte is not None:
                filters.append(_number_between(field, gte, lte))
        languages = {s.strip() for s in params.get("with_original_language", "").split("|")}
        languages.discard("")
        if languages:
            filters.append(lambda m: m["original_language"] in languages)
        chosen = [m for m in movies if all(check(m) for check in filters)]
        ids = [m["id"] for m in self._sorted(chosen, params.get("sort_by", DEFAULT_SORT))]
        return self._paged(ids, page)

    def _sorted(self, movies: list[Body], sort_by: str) -> list[Body]:
        field, _, direction = sort_by.strip().partition(".")
        if field not in SORT_FIELDS or direction not in ("asc", "desc"):
            field, direction = "popularity", "desc"
        by_id = sorted(movies, key=lambda m: m["id"])
        if field == "primary_release_date":
            dated = [m for m in by_id if m["release_date"]]
            undated = [m for m in by_id if not m["release_date"]]
            dated.sort(key=lambda m: str(m["release_date"]), reverse=direction == "desc")
            return dated + undated
        key: Callable[[Body], Any]
        if field in ("title", "original_title"):
            key = lambda m: str(m[field]).casefold()  # noqa: E731
        elif field == "revenue":
            key = lambda m: self._details.get(m["id"], {}).get("revenue") or 0  # noqa: E731
        else:
            key = lambda m: float(m[field])  # noqa: E731
        # Python's sort is stable, so ties keep ascending-id order in both directions.
        return sorted(by_id, key=key, reverse=direction == "desc")

    def _search(self, params: Mapping[str, str]) -> Body:
        query = params.get("query", "").strip()
        if not query:
            raise TMDBError(422, QUERY_REQUIRED)
        page = _parse_page(params)
        words = query.casefold().split()
        years = {params.get(n, "").strip() for n in ("year", "primary_release_year")} - {""}
        in_years = _in_years(years)
        hits = []
        for movie in self._visible(params):
            titles = (str(movie["title"]).casefold(), str(movie["original_title"]).casefold())
            if not all(any(word in title for title in titles) for word in words):
                continue
            if years and not in_years(movie):
                continue
            exact = " ".join(words) in titles
            hits.append((not exact, -float(movie["popularity"]), movie["id"]))
        return self._paged([movie_id for *_, movie_id in sorted(hits)], page)

    # ------------------------------------------------------------------ movie details

    def _movie_id(self, raw: str) -> int:
        movie_id = int(raw)
        if movie_id not in self._movies:
            raise TMDBError(404, NOT_FOUND)
        return movie_id

    def _movie(self, params: Mapping[str, str], movie_id: str) -> Body:
        known = self._movie_id(movie_id)
        names = [n.strip() for n in params.get("append_to_response", "").split(",") if n.strip()]
        if len(names) > MAX_APPEND:
            raise TMDBError(400, TOO_MANY_APPENDS)
        body = self._details_body(known)
        for name in dict.fromkeys(names):  # unknown names are ignored, as TMDB does
            if name in APPENDABLE:
                appended = self._sub_resource(known, name, params)
                appended.pop("id", None)
                body[name] = appended
        return body

    def _details_body(self, movie_id: int) -> Body:
        recorded = self._details.get(movie_id)
        if recorded is not None:
            return {k: v for k, v in recorded.items() if k not in APPENDABLE}
        item = self._movies[movie_id]
        return {
            "adult": item["adult"],
            "backdrop_path": item["backdrop_path"],
            "belongs_to_collection": None,
            "budget": 0,
            "genres": [
                {"id": genre_id, "name": self._genre_names[genre_id]}
                for genre_id in item["genre_ids"]
                if genre_id in self._genre_names
            ],
            "homepage": "",
            "id": item["id"],
            "imdb_id": None,
            "origin_country": [],
            "original_language": item["original_language"],
            "original_title": item["original_title"],
            "overview": item["overview"],
            "popularity": item["popularity"],
            "poster_path": item["poster_path"],
            "production_companies": [],
            "production_countries": [],
            "release_date": item["release_date"],
            "revenue": 0,
            "runtime": None,
            "spoken_languages": [],
            "status": None,
            "tagline": "",
            "title": item["title"],
            "video": item["video"],
            "vote_average": item["vote_average"],
            "vote_count": item["vote_count"],
        }

    def _movie_sub_resource(self, params: Mapping[str, str], movie_id: str, sub: str) -> Body:
        return self._sub_resource(self._movie_id(movie_id), sub, params)

    def _sub_resource(self, movie_id: int, name: str, params: Mapping[str, str]) -> Body:
        if name in RELATED:
            page = _parse_page(params)
            return self._paged(self._related(movie_id, name), page, name == "recommendations")
        recorded = self._details.get(movie_id, {}).get(name, EMPTY_SUB_RESOURCES[name])
        body: Body = {"id": movie_id, **recorded}
        if name == "images":
            body = self._filter_images(body, params)
        return body

    @staticmethod
    def _filter_images(body: Body, params: Mapping[str, str]) -> Body:
        """``language`` plus ``include_image_language`` (``null`` = no text) select images;
        without either parameter every image is returned."""
        wanted: set[str | None] = set()
        if params.get("language", "").strip():
            wanted.add(params["language"].strip()[:2])
        for token in params.get("include_image_language", "").split(","):
            if token.strip():
                wanted.add(None if token.strip() == "null" else token.strip())
        if not wanted:
            return body
        return {
            key: [i for i in value if i.get("iso_639_1") in wanted]
            if key in ("backdrops", "logos", "posters")
            else value
            for key, value in body.items()
        }

    def _related(self, movie_id: int, name: str) -> list[int]:
        recorded = self._details.get(movie_id, {}).get(name)
        if recorded is not None:
            return [i for i in recorded if i != movie_id and i in self._movies]
        genres = set(self._movies[movie_id]["genre_ids"])
        scored: list[tuple[tuple[float, ...], int]] = []
        for other_id, other in self._movies.items():
            shared = genres & set(other["genre_ids"])
            if other_id == movie_id or not shared:
                continue
            if name == "similar":
                jaccard = len(shared) / len(genres | set(other["genre_ids"]))
                rank: tuple[float, ...] = (-jaccard, -float(other["vote_count"]))
            else:
                rank = (-float(len(shared)), -float(other["popularity"]))
            scored.append((rank, other_id))
        scored.sort()
        return [other_id for _, other_id in scored[:DERIVED_RELATED_LIMIT]]
