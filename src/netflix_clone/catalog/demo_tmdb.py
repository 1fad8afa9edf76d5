"""TMDB API v3, answered from the bundled demo catalog (``demo_data.json``).

One implementation of TMDB's protocol serves three callers: the app's demo catalog when no TMDB
key is configured, the demo mode of the TMDB-compatible gateway, and the fake TMDB HTTP server
(``devtools.fake_tmdb``). ``DemoTMDB.handle(path, params)`` takes a v3 path without the ``/3``
prefix (``movie/popular``, ``tv/1399/season/1``) and the query parameters, and returns
``(http_status, json_body)`` exactly as TMDB would: same JSON shape, same status codes, same
error bodies. TMDB's rules (error bodies, page limits, id syntax, sort fields, appendable names,
the table of paths) come from :mod:`netflix_clone.catalog.tmdb_rules`; this module adds the
answers. Movies and TV series ("tv", TMDB's word) are served alike.

Deliberate simplifications, each the closest honest answer the bundled data allows:

* ``language`` and ``region`` are accepted everywhere and change nothing: the data is en-US.
* Lists and trending keep the recorded order; ``discover`` and ``search`` run over every bundled
  title of the kind. Search matches every whitespace-separated word of ``query``
  case-insensitively against ``title``/``original_title`` (series: ``name``/``original_name``);
  exact title matches come first, then popularity (highest first), then movies before series,
  then id. ``search/multi`` returns movies and series (no persons), each with ``media_type``.
* Unparseable discover filter values are ignored (TMDB's discover is lenient); an unknown
  ``sort_by`` falls back to ``popularity.desc``. Ties always break by ascending id, and titles
  without a release (first air) date sort last for both date directions. ``discover/tv`` leaves
  out series without ``first_air_date`` unless ``include_null_first_air_dates=true``, as TMDB;
  it ignores ``air_date.*``, ``with_status``, ``with_type`` and the watch-provider filters.
* A movie without recorded details gets details derived from its list item: ``genres`` mapped
  from ``genre_ids``, ``runtime``/``imdb_id``/``status`` null, ``budget``/``revenue`` 0 (TMDB's
  own "unknown"), empty lists, and empty credits, videos, images and release dates.
* Series details are in the data file, recorded or derived by ``scripts/build_demo_catalog.py``
  (its ``tv.notes`` say how). A season without a recording gets derived episodes here: "Episode
  N", empty overview, no still, weekly air dates from the season's ``air_date``, the series'
  ``tv.episode_runtime``; a recorded episode (the details' ``last_episode_to_air`` or
  ``next_episode_to_air``, or recorded episode details) replaces its derived one. A derived
  series' ``last_episode_to_air`` is its last derived episode when that one is dated.
* Similar/recommendations without a recording are derived from genre overlap over the bundled
  titles of the same kind (never the title itself, never titles sharing no genre, at most 40):
  similar ranks by Jaccard similarity of the genre sets, then vote_count, then id;
  recommendations rank by the number of shared genres, then popularity, then id.
* ``trending/all`` mixes movies and series in the data file's order (``tv.lists``).
* An empty result still reports ``total_pages: 1`` (``page`` 1, ``total_results`` 0).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, ClassVar, Final

from netflix_clone.catalog import tmdb_rules
from netflix_clone.catalog.tmdb_rules import (
    AUTHENTICATED,
    DEFAULT_SORT,
    ID_PARAMETERS,
    INVALID_PAGE,
    MAX_APPEND,
    MAX_PAGE,
    MOVIE_APPENDABLE,
    MOVIE_LISTS,
    MOVIE_SORT_FIELDS,
    MOVIE_SUB_RESOURCES,
    NOT_FOUND,
    PAGE_SIZE,
    PAGE_TOO_HIGH,
    QUERY_REQUIRED,
    RELATED,
    TOO_MANY_APPENDS,
    TV_APPENDABLE,
    TV_SORT_FIELDS,
    Matched,
    PageError,
)

# The names this module exported before tmdb_rules existed stay importable from here.
__all__ = [
    "APPENDABLE",
    "AUTHENTICATED",
    "DEFAULT_SORT",
    "DERIVED_RELATED_LIMIT",
    "EMPTY_SUB_RESOURCES",
    "INVALID_PAGE",
    "LIST_NAMES",
    "MAX_APPEND",
    "MAX_PAGE",
    "NOT_FOUND",
    "PAGE_SIZE",
    "PAGE_TOO_HIGH",
    "QUERY_REQUIRED",
    "RELATED",
    "SORT_FIELDS",
    "SUB_RESOURCES",
    "TOO_MANY_APPENDS",
    "DemoTMDB",
    "TMDBError",
]

Body = dict[str, Any]
Response = tuple[int, Body]
Key = tuple[str, int]  # ("movie" | "tv", TMDB id)

DERIVED_RELATED_LIMIT: Final = 40
# Movie-only names of the movie-only DemoTMDB (the gateway and older callers import them).
SUB_RESOURCES: Final = MOVIE_SUB_RESOURCES
APPENDABLE: Final = MOVIE_APPENDABLE
LIST_NAMES: Final = MOVIE_LISTS
SORT_FIELDS: Final = MOVIE_SORT_FIELDS
EMPTY_SUB_RESOURCES: Final[Mapping[str, Body]] = {
    "credits": {"cast": [], "crew": []},
    "videos": {"results": []},
    "images": {"backdrops": [], "logos": [], "posters": []},
    "release_dates": {"results": []},
    "content_ratings": {"results": []},
}
_DERIVED_ID_BASE: Final = 1_000_000_000  # see the data file's tv.notes


@dataclass(frozen=True)
class _Kind:
    """What differs between movies and series in lists, discover, search and sorting."""

    media_type: str  # "movie" | "tv"
    title: str
    original_title: str
    date: str
    sort_fields: tuple[str, ...]
    appendable: tuple[str, ...]


MOVIE: Final = _Kind(
    "movie", "title", "original_title", "release_date", MOVIE_SORT_FIELDS, MOVIE_APPENDABLE
)
TV: Final = _Kind("tv", "name", "original_name", "first_air_date", TV_SORT_FIELDS, TV_APPENDABLE)
_KINDS: Final = {"movie": MOVIE, "tv": TV}
_DATE_SORTS: Final = ("primary_release_date", "first_air_date")
_SEARCH_YEARS: Final = {
    "movie": ("year", "primary_release_year"),
    "tv": ("first_air_date_year", "year"),
}


class TMDBError(Exception):
    """A TMDB error answer: raised inside a handler, returned by :meth:`DemoTMDB.handle`."""

    def __init__(self, status: int, body: Mapping[str, Any]) -> None:
        super().__init__(status, dict(body))
        self.status = status
        self.body: Body = copy.deepcopy(dict(body))


def _parse_page(params: Mapping[str, str]) -> int:
    try:
        return tmdb_rules.parse_page(params.get("page"))
    except PageError as error:
        raise TMDBError(error.status, error.body) from None


def _float(params: Mapping[str, str], name: str) -> float | None:
    try:
        return float(params[name])
    except (KeyError, ValueError):
        return None


def _int_tokens(text: str) -> set[int]:
    return {int(token) for token in re.split(r"[,|]", text) if token.strip().isdigit()}


def _id_groups(text: str) -> list[set[int]]:
    """``28,12`` means 28 AND 12; ``28|12`` means 28 OR 12; ``28,12|16`` = (28 AND 12) OR 16."""
    groups: list[set[int]] = []
    for alternative in text.split("|"):
        tokens = [token.strip() for token in alternative.split(",") if token.strip()]
        if tokens and all(token.isdigit() for token in tokens):
            groups.append({int(token) for token in tokens})
        elif tokens:
            groups.append({-1})  # an unknown token matches no title
    return groups


def _date_between(field: str, low: str, high: str) -> Callable[[Mapping[str, Any]], bool]:
    def check(item: Mapping[str, Any]) -> bool:
        date = str(item.get(field) or "")
        return bool(date) and (not low or date >= low) and (not high or date <= high)

    return check


def _number_between(
    field: str, low: float | None, high: float | None
) -> Callable[[Mapping[str, Any]], bool]:
    def check(item: Mapping[str, Any]) -> bool:
        value = float(item[field])
        return (low is None or value >= low) and (high is None or value <= high)

    return check


def _in_years(field: str, years: set[str]) -> Callable[[Mapping[str, Any]], bool]:
    wanted = {year.zfill(4) for year in years}
    return lambda item: str(item.get(field) or "")[:4] in wanted


def _weeks_after(date: str | None, weeks: int) -> str | None:
    if not date:
        return None
    return (dt.date.fromisoformat(date) + dt.timedelta(weeks=weeks)).isoformat()


class DemoTMDB:
    """Answers TMDB v3 requests from the bundled demo catalog. Immutable once built, so one
    instance is safely shared by all threads; every answer is a fresh deep copy."""

    _default: ClassVar[DemoTMDB | None] = None
    _default_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._configuration: Body = dict(data["configuration"])
        self._genres: list[Body] = [dict(genre) for genre in data["genres"]]
        self._movies: dict[int, Body] = {int(m["id"]): dict(m) for m in data["movies"]}
        self._details: dict[int, Body] = {
            int(movie_id): dict(record) for movie_id, record in data["details"].items()
        }
        self._lists: dict[str, Body] = {name: dict(entry) for name, entry in data["lists"].items()}
        tv: Mapping[str, Any] = data["tv"]
        self._tv_genres: list[Body] = [dict(genre) for genre in tv["genres"]]
        self._certifications: Body = dict(tv["certifications"])
        self._series: dict[int, Body] = {int(s["id"]): dict(s) for s in tv["series"]}
        self._tv_details: dict[int, Body] = {
            int(series_id): dict(record) for series_id, record in tv["details"].items()
        }
        self._tv_derived: frozenset[int] = frozenset(tv["derived"]["details"])
        self._tv_lists: dict[str, Body] = {name: dict(entry) for name, entry in tv["lists"].items()}
        self._seasons: dict[tuple[int, int], Body] = {
            (int(series_id), int(number)): body
            for key, body in tv["seasons"].items()
            for series_id, number in [key.split("/")]
        }
        self._episodes: dict[tuple[int, int, int], Body] = {
            (int(series_id), int(season), int(number)): body
            for key, body in tv["episodes"].items()
            for series_id, season, number in [key.split("/")]
        }
        self._episode_runtime: dict[int, int] = {
            int(series_id): int(minutes) for series_id, minutes in tv["episode_runtime"].items()
        }
        self._networks: dict[int, set[int]] = {
            series_id: {network["id"] for network in record.get("networks") or []}
            for series_id, record in self._tv_details.items()
        }
        self._items: dict[str, dict[int, Body]] = {"movie": self._movies, "tv": self._series}
        self._genre_names: dict[str, dict[int, str]] = {
            "movie": {g["id"]: g["name"] for g in self._genres},
            "tv": {g["id"]: g["name"] for g in self._tv_genres},
        }
        # Paths TMDB answers that the route table (tmdb_rules.ROUTES) does not list.
        self._extra: dict[str, Callable[[Mapping[str, str]], Body]] = {
            "authentication": lambda params: dict(AUTHENTICATED),
            "certification/tv/list": lambda params: {"certifications": self._certifications},
        }
        self._handlers: dict[str, Callable[[Mapping[str, str], Matched], Body]] = {
            "configuration": lambda params, matched: self._configuration,
            "genres": self._genre_list,
            "list": self._list,
            "trending": self._trending,
            "discover": self._discover,
            "search": self._search,
            "details": self._title,
            "related": self._title_sub_resource,
            "sub": self._title_sub_resource,
            "season": self._season,
            "episode": self._episode,
        }

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
            if clean in self._extra:
                return 200, copy.deepcopy(self._extra[clean](params))
            matched = tmdb_rules.match(clean)
            if matched is None:
                return 404, dict(NOT_FOUND)
            body = self._handlers[matched.route.resource](params, matched)
            return 200, copy.deepcopy(body)
        except TMDBError as error:
            return error.status, copy.deepcopy(error.body)

    @property
    def movie_ids(self) -> tuple[int, ...]:
        return tuple(sorted(self._movies))

    @property
    def series_ids(self) -> tuple[int, ...]:
        return tuple(sorted(self._series))

    def has_recorded_details(self, movie_id: int) -> bool:
        """True when details were recorded from TMDB, False when they are derived."""
        return movie_id in self._details

    def has_recorded_tv_details(self, series_id: int) -> bool:
        """True when the series' details were recorded from TMDB, False when derived."""
        return series_id in self._series and series_id not in self._tv_derived

    def list_ids(self, name: str) -> tuple[int, ...]:
        """Member ids of ``popular``, ``top_rated``, ``now_playing``, ``upcoming``,
        ``trending_day`` or ``trending_week``, in answer order."""
        return tuple(self._lists[name]["ids"])

    def tv_list_ids(self, name: str) -> tuple[int, ...]:
        """Member ids of ``popular``, ``top_rated``, ``on_the_air``, ``airing_today``,
        ``trending_day`` or ``trending_week`` (series), in answer order."""
        return tuple(self._tv_lists[name]["ids"])

    def trending_all(self, window: str) -> tuple[tuple[str, int], ...]:
        """``(media_type, id)`` of ``trending/all/<window>``, in answer order."""
        return tuple(
            (kind, int(i)) for kind, i in self._tv_lists[f"all_trending_{window}"]["items"]
        )

    # ------------------------------------------------------------------ simple resources

    def _genre_list(self, params: Mapping[str, str], matched: Matched) -> Body:
        return {"genres": self._genres if matched.route.media == "movie" else self._tv_genres}

    def _list(self, params: Mapping[str, str], matched: Matched) -> Body:
        kind, name = matched.route.name.split("/")
        entry = (self._lists if kind == "movie" else self._tv_lists)[name]
        body = self._paged([(kind, i) for i in entry["ids"]], _parse_page(params))
        if "dates" in entry:
            return {"dates": entry["dates"], **body}
        return body

    def _trending(self, params: Mapping[str, str], matched: Matched) -> Body:
        media, window = matched.route.media, matched.values["time_window"]
        page = _parse_page(params)
        if media == "all":
            return self._paged(self.trending_all(window), page, True)
        lists = self._lists if media == "movie" else self._tv_lists
        return self._paged(
            [(str(media), i) for i in lists[f"trending_{window}"]["ids"]], page, True
        )

    # ------------------------------------------------------------------ paging

    def _item(self, key: Key, media_type: bool = False) -> Body:
        kind, title_id = key
        item = self._items[kind][title_id]
        return {**item, "media_type": kind} if media_type else item

    def _paged(self, keys: Sequence[Key], page: int, media_type: bool = False) -> Body:
        total = len(keys)
        start = (page - 1) * PAGE_SIZE
        return {
            "page": page,
            "results": [self._item(key, media_type) for key in keys[start : start + PAGE_SIZE]],
            "total_pages": max(1, math.ceil(total / PAGE_SIZE)),
            "total_results": total,
        }

    # ------------------------------------------------------------------ discover / search

    def _visible(self, kind: _Kind, params: Mapping[str, str]) -> list[Body]:
        include_adult = params.get("include_adult", "false").strip().lower() == "true"
        items = self._items[kind.media_type].values()
        return [item for item in items if include_adult or not item["adult"]]

    def _discover(self, params: Mapping[str, str], matched: Matched) -> Body:
        kind = _KINDS[str(matched.route.media)]
        page = _parse_page(params)
        filters: list[Callable[[Body], bool]] = []
        if params.get("with_genres", "").strip():
            groups = _id_groups(params["with_genres"])
            filters.append(lambda m: any(g <= set(m["genre_ids"]) for g in groups))
        if params.get("without_genres", "").strip():
            excluded = _int_tokens(params["without_genres"])
            filters.append(lambda m: not excluded & set(m["genre_ids"]))
        if kind is MOVIE:
            year_params: tuple[str, ...] = ("primary_release_year", "year")
            date_params: tuple[str, ...] = ("primary_release_date", "release_date")
        else:
            year_params, date_params = ("first_air_date_year",), ("first_air_date",)
            if params.get("with_networks", "").strip():
                networks = _id_groups(params["with_networks"])
                filters.append(lambda s: any(n <= self._networks[s["id"]] for n in networks))
            nulls = params.get("include_null_first_air_dates", "false").strip().lower()
            if nulls != "true":
                filters.append(lambda s: bool(s["first_air_date"]))
            countries = {c.strip() for c in params.get("with_origin_country", "").split("|")}
            countries.discard("")
            if countries:
                filters.append(lambda s: bool(countries & set(s["origin_country"])))
        years = {params.get(name, "").strip() for name in year_params}
        for year in sorted(y for y in years if y.isdigit()):
            filters.append(_in_years(kind.date, {year}))
        for name in date_params:
            low, high = params.get(f"{name}.gte", "").strip(), params.get(f"{name}.lte", "").strip()
            if low or high:
                filters.append(_date_between(kind.date, low, high))
        for field in ("vote_average", "vote_count"):
            gte, lte = _float(params, f"{field}.gte"), _float(params, f"{field}.lte")
            if gte is not None or lte is not None:
                filters.append(_number_between(field, gte, lte))
        languages = {s.strip() for s in params.get("with_original_language", "").split("|")}
        languages.discard("")
        if languages:
            filters.append(lambda m: m["original_language"] in languages)
        chosen = [m for m in self._visible(kind, params) if all(check(m) for check in filters)]
        ordered = self._sorted(kind, chosen, params.get("sort_by", DEFAULT_SORT))
        return self._paged([(kind.media_type, m["id"]) for m in ordered], page)

    def _sorted(self, kind: _Kind, items: list[Body], sort_by: str) -> list[Body]:
        field, _, direction = sort_by.strip().partition(".")
        if field not in kind.sort_fields or direction not in ("asc", "desc"):
            field, direction = "popularity", "desc"
        by_id = sorted(items, key=lambda m: m["id"])
        if field in _DATE_SORTS:
            dated = [m for m in by_id if m[kind.date]]
            undated = [m for m in by_id if not m[kind.date]]
            dated.sort(key=lambda m: str(m[kind.date]), reverse=direction == "desc")
            return dated + undated
        key: Callable[[Body], Any]
        if field in ("title", "original_title", "name", "original_name"):
            key = lambda m: str(m[field]).casefold()  # noqa: E731
        elif field == "revenue":
            key = lambda m: self._details.get(m["id"], {}).get("revenue") or 0  # noqa: E731
        else:
            key = lambda m: float(m[field])  # noqa: E731
        # Python's sort is stable, so ties keep ascending-id order in both directions.
        return sorted(by_id, key=key, reverse=direction == "desc")

    def _search(self, params: Mapping[str, str], matched: Matched) -> Body:
        query = params.get("query", "").strip()
        if not query:
            raise TMDBError(422, QUERY_REQUIRED)
        page = _parse_page(params)
        words = query.casefold().split()
        media = matched.route.media
        kinds = (MOVIE, TV) if media == "all" else (_KINDS[str(media)],)
        hits: list[tuple[bool, float, int, int, str]] = []
        for order, kind in enumerate(kinds):
            years: set[str] = set()  # search/multi has no year filter
            if media != "all":
                names = _SEARCH_YEARS[kind.media_type]
                years = {params.get(name, "").strip() for name in names} - {""}
            in_years = _in_years(kind.date, years)
            for item in self._visible(kind, params):
                titles = (
                    str(item[kind.title]).casefold(),
                    str(item[kind.original_title]).casefold(),
                )
                if not all(any(word in title for title in titles) for word in words):
                    continue
                if years and not in_years(item):
                    continue
                exact = " ".join(words) in titles
                hits.append(
                    (not exact, -float(item["popularity"]), order, item["id"], kind.media_type)
                )
        hits.sort()
        return self._paged([(kind, title_id) for *_, title_id, kind in hits], page, media == "all")

    # ------------------------------------------------------------------ titles

    def _known(self, kind: str, title_id: int) -> int:
        if title_id not in self._items[kind]:
            raise TMDBError(404, NOT_FOUND)
        return title_id

    def _title(self, params: Mapping[str, str], matched: Matched) -> Body:
        kind = _KINDS[str(matched.route.media)]
        known = self._known(kind.media_type, matched.ids[ID_PARAMETERS[kind.media_type]])
        names = [n.strip() for n in params.get("append_to_response", "").split(",") if n.strip()]
        if len(names) > MAX_APPEND:
            raise TMDBError(400, TOO_MANY_APPENDS)
        details = self._movie_details_body if kind is MOVIE else self._tv_details_body
        body = details(known)
        for name in dict.fromkeys(names):  # unknown names are ignored, as TMDB does
            if name in kind.appendable:
                appended = self._sub_resource(kind, known, name, params)
                appended.pop("id", None)
                body[name] = appended
        return body

    def _title_sub_resource(self, params: Mapping[str, str], matched: Matched) -> Body:
        kind = _KINDS[str(matched.route.media)]
        known = self._known(kind.media_type, matched.ids[ID_PARAMETERS[kind.media_type]])
        return self._sub_resource(kind, known, matched.route.name.rsplit("/", 1)[1], params)

    def _movie_details_body(self, movie_id: int) -> Body:
        recorded = self._details.get(movie_id)
        if recorded is not None:
            return {k: v for k, v in recorded.items() if k not in MOVIE_APPENDABLE}
        item = self._movies[movie_id]
        return {
            "adult": item["adult"],
            "backdrop_path": item["backdrop_path"],
            "belongs_to_collection": None,
            "budget": 0,
            "genres": self._genres_of("movie", item),
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

    def _genres_of(self, kind: str, item: Body) -> list[Body]:
        names = self._genre_names[kind]
        return [{"id": g, "name": names[g]} for g in item["genre_ids"] if g in names]

    def _tv_details_body(self, series_id: int) -> Body:
        record = self._tv_details[series_id]
        body = {k: v for k, v in record.items() if k not in TV_APPENDABLE}
        if series_id in self._tv_derived and body["seasons"] and body["last_air_date"]:
            last = body["seasons"][-1]
            episode = self._season_episodes(series_id, last)[-1]
            body["last_episode_to_air"] = {
                k: v for k, v in episode.items() if k not in ("crew", "guest_stars")
            }
        return body

    def _sub_resource(
        self, kind: _Kind, title_id: int, name: str, params: Mapping[str, str]
    ) -> Body:
        if name in RELATED:
            page = _parse_page(params)
            keys = [(kind.media_type, i) for i in self._related(kind.media_type, title_id, name)]
            return self._paged(keys, page, name == "recommendations")
        records = self._details if kind is MOVIE else self._tv_details
        recorded = records.get(title_id, {}).get(name, EMPTY_SUB_RESOURCES[name])
        body: Body = {"id": title_id, **recorded}
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

    def _related(self, kind: str, title_id: int, name: str) -> list[int]:
        items = self._items[kind]
        records = self._details if kind == "movie" else self._tv_details
        recorded = records.get(title_id, {}).get(name)
        if recorded is not None:
            return [i for i in recorded if i != title_id and i in items]
        genres = set(items[title_id]["genre_ids"])
        scored: list[tuple[tuple[float, ...], int]] = []
        for other_id, other in items.items():
            shared = genres & set(other["genre_ids"])
            if other_id == title_id or not shared:
                continue
            if name == "similar":
                jaccard = len(shared) / len(genres | set(other["genre_ids"]))
                rank: tuple[float, ...] = (-jaccard, -float(other["vote_count"]))
            else:
                rank = (-float(len(shared)), -float(other["popularity"]))
            scored.append((rank, other_id))
        scored.sort()
        return [other_id for _, other_id in scored[:DERIVED_RELATED_LIMIT]]

    # ------------------------------------------------------------------ seasons and episodes

    def _season_summary(self, series_id: int, number: int) -> Body:
        self._known("tv", series_id)
        for season in self._tv_details[series_id]["seasons"]:
            if season["season_number"] == number:
                summary: Body = season
                return summary
        raise TMDBError(404, NOT_FOUND)

    def _season(self, params: Mapping[str, str], matched: Matched) -> Body:
        series_id, number = matched.ids["series_id"], matched.ids["season_number"]
        summary = self._season_summary(series_id, number)
        recorded = self._seasons.get((series_id, number))
        if recorded is not None:
            return recorded
        return {
            "_id": None,
            "air_date": summary["air_date"],
            "episodes": self._season_episodes(series_id, summary),
            "id": summary["id"],
            "name": summary["name"],
            "overview": summary["overview"],
            "poster_path": summary["poster_path"],
            "season_number": number,
            "vote_average": summary.get("vote_average", 0),
        }

    def _season_episodes(self, series_id: int, summary: Body) -> list[Body]:
        number = int(summary["season_number"])
        recorded = self._seasons.get((series_id, number))
        if recorded is not None:
            episodes: list[Body] = recorded["episodes"]
            return episodes
        details = self._tv_details[series_id]
        known: dict[int, Body] = {}
        for name in ("last_episode_to_air", "next_episode_to_air"):
            episode = details.get(name)
            if episode and episode["season_number"] == number:
                known[int(episode["episode_number"])] = {"crew": [], "guest_stars": [], **episode}
        for (show, season, episode_number), body in self._episodes.items():
            if (show, season) == (series_id, number):
                known[episode_number] = {"show_id": series_id, **body}
        base = _DERIVED_ID_BASE + series_id * 4_000 + number * 400
        return [
            known.get(n)
            or {
                "air_date": _weeks_after(summary["air_date"], n - 1),
                "crew": [],
                "episode_number": n,
                "episode_type": "standard",
                "guest_stars": [],
                "id": base + n,
                "name": f"Episode {n}",
                "overview": "",
                "production_code": "",
                "runtime": self._episode_runtime.get(series_id),
                "season_number": number,
                "show_id": series_id,
                "still_path": None,
                "vote_average": 0,
                "vote_count": 0,
            }
            for n in range(1, int(summary["episode_count"]) + 1)
        ]

    def _episode(self, params: Mapping[str, str], matched: Matched) -> Body:
        ids = matched.ids
        series_id, season, number = ids["series_id"], ids["season_number"], ids["episode_number"]
        summary = self._season_summary(series_id, season)
        recorded = self._episodes.get((series_id, season, number))
        if recorded is not None:
            return recorded
        for episode in self._season_episodes(series_id, summary):
            if episode["episode_number"] == number:
                return {k: v for k, v in episode.items() if k not in ("show_id", "episode_type")}
        raise TMDBError(404, NOT_FOUND)
