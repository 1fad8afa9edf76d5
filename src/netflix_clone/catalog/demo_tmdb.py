"""TMDB API v3, answered from the bundled demo catalog (``demo_catalog.zip``).

One implementation of TMDB's protocol serves three callers: the app's demo catalog when no TMDB
key is configured, the demo mode of the TMDB-compatible gateway, and the fake TMDB HTTP server
(``devtools.fake_tmdb``). ``DemoTMDB.handle(path, params)`` takes a v3 path without the ``/3``
prefix (``movie/popular``, ``tv/1399/season/1``) and the query parameters, and returns
``(http_status, json_body)`` as TMDB would: same JSON shapes, status codes and error bodies.
TMDB's rules (error bodies, page limits, id syntax, sort fields, appendable names, the table of
paths) come from :mod:`netflix_clone.catalog.tmdb_rules`; the data and the rules that made it
(what is recorded, what is derived and how) are in the data file, read by
:mod:`netflix_clone.catalog.demo_store`; search is :mod:`netflix_clone.catalog.demo_search`.

What this module adds to the data, each the closest honest answer it allows:

* ``language`` and ``region`` are accepted everywhere and change nothing: the data is en-US.
* Named lists and trending are the data file's lists (its README states their rules, e.g. the
  catalog's own "today", ``as_of``, for now playing and airing today). Totals are the real
  sizes: ``total_pages`` is ``ceil(total_results / 20)``, at least 1, and pages past the end
  are empty.
* ``discover`` filters every title of the kind: genres (``,`` is AND, ``|`` is OR), years and
  date ranges, vote average and count, runtime (a series' typical episode runtime), original
  language, networks and origin country (series); unparseable values are ignored and an
  unknown ``sort_by`` is ``popularity.desc``, as TMDB's lenient discover does. Ties break by
  id; titles without a date sort last in both directions. ``discover/tv`` leaves out series
  without ``first_air_date`` unless ``include_null_first_air_dates=true``.
* Search (movie, tv, multi, person) is :mod:`~netflix_clone.catalog.demo_search` over titles
  and original titles (names for series and people); results rank by its tiers, then by
  popularity, then movies before series before people, then id. Multi results and people's
  ``known_for`` carry ``media_type``.
* Details are the list item plus the title's details record; appended names TMDB does not know
  for the kind are ignored. Credits are rendered from the people table: for each person ``id``,
  ``name``, ``original_name`` (the name), ``profile_path``, ``known_for_department`` and
  ``popularity`` (derived), plus ``character`` and ``order`` (cast) or ``department`` and
  ``job`` (crew); fields TMDB has that were not recorded (gender, credit_id) are left out.
  Complete recorded credits (550, 1399) are served as recorded.
* ``similar``: titles of the same kind sharing a genre, ranked by Jaccard similarity of the
  genre sets, then closeness of the release year, then vote count. ``recommendations``: the
  same candidates ranked by the number of shared cast and directors, then genre similarity,
  then popularity. At most 40 of each, never the title itself.
* Seasons and episodes are the recorded ones; an episode's ``crew`` and ``guest_stars`` are
  empty (not recorded) unless the episode or its season was recorded whole (1399 season 1).
* An empty result still reports ``total_pages: 1`` (``page`` 1, ``total_results`` 0).
"""

from __future__ import annotations

import copy
import functools
import math
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Final

from netflix_clone.catalog import tmdb_rules
from netflix_clone.catalog.demo_search import Index
from netflix_clone.catalog.demo_store import CatalogStore
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

DERIVED_RELATED_LIMIT: Final = 40
KNOWN_FOR: Final = 3
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
_EPISODE_DETAIL_KEYS: Final = (
    "air_date",
    "crew",
    "episode_number",
    "guest_stars",
    "id",
    "name",
    "overview",
    "production_code",
    "runtime",
    "season_number",
    "still_path",
    "vote_average",
    "vote_count",
)


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
_KIND_ORDER: Final = {"movie": 0, "tv": 1, "person": 2}


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
    value: Callable[[Mapping[str, Any]], float | None], low: float | None, high: float | None
) -> Callable[[Mapping[str, Any]], bool]:
    def check(item: Mapping[str, Any]) -> bool:
        found = value(item)
        if found is None:
            return False
        return (low is None or found >= low) and (high is None or found <= high)

    return check


def _in_years(field: str, years: set[str]) -> Callable[[Mapping[str, Any]], bool]:
    wanted = {year.zfill(4) for year in years}
    return lambda item: str(item.get(field) or "")[:4] in wanted


def _year(item: Mapping[str, Any], kind: _Kind) -> int | None:
    date = str(item.get(kind.date) or "")
    return int(date[:4]) if date[:4].isdigit() else None


def _rows(table: Mapping[str, Any]) -> list[dict[str, Any]]:
    columns = table["columns"]
    return [dict(zip(columns, row, strict=True)) for row in table["rows"]]


@dataclass(frozen=True)
class _Facets:
    runtime: int | None
    revenue: int
    networks: tuple[int, ...]
    people: tuple[int, ...]


class DemoTMDB:
    """Answers TMDB v3 requests from the bundled demo catalog. Immutable once built (lazy parts
    are read once, under a lock or idempotently), so one instance is safely shared by all
    threads; every answer is a fresh deep copy."""

    _default: ClassVar[DemoTMDB | None] = None
    _default_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, store: CatalogStore) -> None:
        self._store = store
        head = store.head
        self.as_of: str = head["as_of"]
        self._configuration: Body = head["configuration"]
        self._genres: dict[str, list[Body]] = head["genres"]
        self._certifications: Mapping[str, Body] = head["certifications"]
        self._lists: Mapping[str, Any] = head["lists"]
        self._items: dict[str, dict[int, Body]] = {
            "movie": {item["id"]: item for item in _rows(head["movies"])},
            "tv": {item["id"]: item for item in _rows(head["series"])},
        }
        self._facets: dict[str, dict[int, _Facets]] = {}
        for kind, table in head["facets"].items():
            self._facets[kind] = {
                row["id"]: _Facets(
                    row.get("runtime"),
                    int(row.get("revenue") or 0),
                    tuple(row.get("networks") or ()),
                    tuple(row.get("people") or ()),
                )
                for row in _rows(table)
            }
        self._by_popularity = {
            kind: sorted(items.values(), key=lambda i: (-float(i["popularity"]), i["id"]))
            for kind, items in self._items.items()
        }
        self._by_popularity_not_adult = {
            kind: [item for item in items if not item["adult"]]
            for kind, items in self._by_popularity.items()
        }
        # For similar and recommendations: genre sets, years and the titles of each genre.
        self._genre_sets = {
            kind: {i: frozenset(item["genre_ids"]) for i, item in items.items()}
            for kind, items in self._items.items()
        }
        self._years = {
            kind: {i: _year(item, _KINDS[kind]) for i, item in items.items()}
            for kind, items in self._items.items()
        }
        self._by_genre: dict[str, dict[int, list[int]]] = {}
        for kind, items in self._items.items():
            by_genre: dict[int, list[int]] = defaultdict(list)
            for title_id, item in items.items():
                for genre in item["genre_ids"]:
                    by_genre[genre].append(title_id)
            self._by_genre[kind] = dict(by_genre)
        self._genre_members = {
            kind: {genre: frozenset(ids) for genre, ids in by_genre.items()}
            for kind, by_genre in self._by_genre.items()
        }
        self._genre_names: dict[str, dict[int, str]] = {
            kind: {g["id"]: g["name"] for g in genres} for kind, genres in self._genres.items()
        }
        self._title_index: Index | None = None  # built by the first search (0.1 s of CPU)
        self._people_index: Index | None = None
        self._credits_of: dict[int, list[tuple[str, int]]] | None = None
        self._lazy_lock = threading.Lock()
        self._related = functools.lru_cache(maxsize=2048)(self._related_uncached)
        # Paths TMDB answers that the route table (tmdb_rules.ROUTES) does not list.
        self._extra: dict[str, Callable[[Mapping[str, str]], Body]] = {
            "authentication": lambda params: dict(AUTHENTICATED),
            "certification/tv/list": lambda params: {"certifications": self._certifications["tv"]},
            "certification/movie/list": lambda params: {
                "certifications": self._certifications["movie"]
            },
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
        """The catalog shipped inside this package (``demo_catalog.zip``)."""
        return cls(CatalogStore.from_package())

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
    def store(self) -> CatalogStore:
        return self._store

    @property
    def movie_ids(self) -> tuple[int, ...]:
        return tuple(sorted(self._items["movie"]))

    @property
    def series_ids(self) -> tuple[int, ...]:
        return tuple(sorted(self._items["tv"]))

    def item(self, kind: str, title_id: int) -> Body | None:
        """A title's list item (``kind`` ``movie`` or ``tv``); shared, do not change it."""
        return self._items[kind].get(title_id)

    def list_ids(self, name: str) -> tuple[int, ...]:
        """Member ids of ``popular``, ``top_rated``, ``now_playing``, ``upcoming``,
        ``trending_day`` or ``trending_week``, in answer order."""
        return tuple(self._lists["movie"][name])

    def tv_list_ids(self, name: str) -> tuple[int, ...]:
        """Member ids of ``popular``, ``top_rated``, ``on_the_air``, ``airing_today``,
        ``trending_day`` or ``trending_week`` (series), in answer order."""
        return tuple(self._lists["tv"][name])

    def trending_all(self, window: str) -> tuple[tuple[str, int], ...]:
        """``(media_type, id)`` of ``trending/all/<window>``, in answer order."""
        return tuple((kind, int(i)) for kind, i in self._lists["all"][f"trending_{window}"])

    # ------------------------------------------------------------------ paging

    def _list_item(self, kind: str, title_id: int, media_type: bool) -> Body:
        item = self._items[kind][title_id]
        if not media_type:
            return item
        # TMDB puts media_type (and, for movies, the title) right after the id in these lists.
        return {"adult": item["adult"], "id": title_id, "media_type": kind, **item}

    def _person_item(self, person_id: int, media_type: bool) -> Body:
        name, profile, department, popularity = self._person(person_id)
        known_for = [
            self._list_item(kind, title_id, True) for kind, title_id in self._known_for(person_id)
        ]
        body: Body = {"adult": False, "id": person_id}
        if media_type:
            body["media_type"] = "person"
        body |= {
            "known_for": known_for,
            "known_for_department": department,
            "name": name,
            "original_name": name,
            "popularity": popularity,
            "profile_path": profile,
        }
        return body

    def _paged(self, keys: Sequence[tuple[str, int]], page: int, media_type: bool = False) -> Body:
        start = (page - 1) * PAGE_SIZE
        results = [
            self._person_item(i, media_type)
            if kind == "person"
            else self._list_item(kind, i, media_type)
            for kind, i in keys[start : start + PAGE_SIZE]
        ]
        return {
            "page": page,
            "results": results,
            "total_pages": max(1, math.ceil(len(keys) / PAGE_SIZE)),
            "total_results": len(keys),
        }

    # ------------------------------------------------------------------ simple resources

    def _genre_list(self, params: Mapping[str, str], matched: Matched) -> Body:
        return {"genres": self._genres[str(matched.route.media)]}

    def _list(self, params: Mapping[str, str], matched: Matched) -> Body:
        kind, name = matched.route.name.split("/")
        ids = self._lists[kind][name]
        body = self._paged([(kind, i) for i in ids], _parse_page(params))
        dates = self._lists.get(f"{kind}_dates", {}).get(name)
        if dates is not None:  # now_playing and upcoming: TMDB puts dates first
            body = {"dates": dict(dates), **body}
        return body

    def _trending(self, params: Mapping[str, str], matched: Matched) -> Body:
        media, window = matched.route.media, matched.values["time_window"]
        page = _parse_page(params)
        if media == "all":
            keys = [(kind, int(i)) for kind, i in self._lists["all"][f"trending_{window}"]]
        else:
            keys = [(str(media), i) for i in self._lists[str(media)][f"trending_{window}"]]
        return self._paged(keys, page, media_type=True)

    # ------------------------------------------------------------------ discover

    def _visible(self, kind: _Kind, params: Mapping[str, str]) -> list[Body]:
        """Every title of the kind by popularity (the popular list's order)."""
        include_adult = params.get("include_adult", "false").strip().lower() == "true"
        if include_adult:
            return self._by_popularity[kind.media_type]
        return self._by_popularity_not_adult[kind.media_type]

    def _discover(self, params: Mapping[str, str], matched: Matched) -> Body:
        kind = _KINDS[str(matched.route.media)]
        facets = self._facets[kind.media_type]
        page = _parse_page(params)
        filters: list[Callable[[Body], bool]] = []
        # Genres through the index of each genre's titles: a set lookup per title.
        members = self._genre_members[kind.media_type]
        if params.get("with_genres", "").strip():
            wanted: set[int] = set()
            for group in _id_groups(params["with_genres"]):
                wanted |= frozenset.intersection(*(members.get(g, frozenset()) for g in group))
            filters.append(lambda m: m["id"] in wanted)
        if params.get("without_genres", "").strip():
            excluded = _int_tokens(params["without_genres"])
            unwanted = frozenset().union(*(members.get(g, frozenset()) for g in excluded))
            filters.append(lambda m: m["id"] not in unwanted)
        if kind is MOVIE:
            year_params: tuple[str, ...] = ("primary_release_year", "year")
            date_params: tuple[str, ...] = ("primary_release_date", "release_date")
        else:
            year_params, date_params = ("first_air_date_year",), ("first_air_date",)
            if params.get("with_networks", "").strip():
                networks = _id_groups(params["with_networks"])
                filters.append(
                    lambda s: any(n.issubset(facets[s["id"]].networks) for n in networks)
                )
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
                filters.append(
                    _number_between(lambda m, f=field: float(m[f]), gte, lte)  # type: ignore[misc]
                )
        gte, lte = _float(params, "with_runtime.gte"), _float(params, "with_runtime.lte")
        if gte is not None or lte is not None:
            filters.append(_number_between(lambda m: facets[m["id"]].runtime, gte, lte))
        languages = {s.strip() for s in params.get("with_original_language", "").split("|")}
        languages.discard("")
        if languages:
            filters.append(lambda m: m["original_language"] in languages)
        chosen = self._visible(kind, params)
        for check in filters:
            chosen = [m for m in chosen if check(m)]
        ordered = self._sorted(kind, chosen, params.get("sort_by", DEFAULT_SORT))
        return self._paged([(kind.media_type, m["id"]) for m in ordered], page)

    def _sorted(self, kind: _Kind, items: list[Body], sort_by: str) -> list[Body]:
        """``items`` come by popularity (highest first, ties by id): TMDB's default order."""
        field, _, direction = sort_by.strip().partition(".")
        if field not in kind.sort_fields or direction not in ("asc", "desc"):
            field, direction = "popularity", "desc"
        if (field, direction) == ("popularity", "desc"):
            return items
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
            facets = self._facets[kind.media_type]
            key = lambda m: facets[m["id"]].revenue  # noqa: E731
        else:
            key = lambda m: float(m[field])  # noqa: E731
        # Python's sort is stable, so ties keep ascending-id order in both directions.
        return sorted(by_id, key=key, reverse=direction == "desc")

    # ------------------------------------------------------------------ search

    def _search(self, params: Mapping[str, str], matched: Matched) -> Body:
        query = params.get("query", "").strip()
        if not query:
            raise TMDBError(422, QUERY_REQUIRED)
        page = _parse_page(params)
        media = str(matched.route.media)
        include_adult = params.get("include_adult", "false").strip().lower() == "true"
        kinds = ("movie", "tv", "person") if media == "all" else (media,)
        hits: list[tuple[int, float, int, int, str]] = []
        if "movie" in kinds or "tv" in kinds:
            for found_tier, entry in self._titles().search(query):
                kind, title_id = entry.key
                if kind not in kinds:
                    continue
                item = self._items[kind][title_id]
                if item["adult"] and not include_adult:
                    continue
                if media != "all":
                    years = {params.get(n, "").strip() for n in _SEARCH_YEARS[kind]} - {""}
                    if years and not _in_years(_KINDS[kind].date, years)(item):
                        continue
                popularity = float(item["popularity"])
                hits.append((found_tier, -popularity, _KIND_ORDER[kind], title_id, kind))
        if "person" in kinds:
            for found_tier, entry in self._people().search(query):
                person_id = int(entry.key)
                popularity = self._person(person_id)[3]
                hits.append((found_tier, -popularity, _KIND_ORDER["person"], person_id, "person"))
        hits.sort()
        keys = [(kind, title_id) for *_, title_id, kind in hits]
        return self._paged(keys, page, media_type=media == "all")

    def _person(self, person_id: int) -> tuple[str, str | None, str, float]:
        found = self._store.people().get(person_id)
        if found is None:  # a credit without a person: the data file is inconsistent
            raise TMDBError(404, NOT_FOUND)
        return found

    def _titles(self) -> Index:
        if self._title_index is None:
            index = Index(
                ((kind, title_id), (item[_KINDS[kind].title], item[_KINDS[kind].original_title]))
                for kind, items in self._items.items()
                for title_id, item in items.items()
            )
            with self._lazy_lock:
                if self._title_index is None:
                    self._title_index = index
        return self._title_index

    def _people(self) -> Index:
        if self._people_index is None:
            people = self._store.people()
            index = Index(zip(people.ids, ((name,) for name in people.names), strict=True))
            with self._lazy_lock:
                if self._people_index is None:
                    self._people_index = index
        return self._people_index

    def _known_for(self, person_id: int) -> list[tuple[str, int]]:
        if self._credits_of is None:
            credited: dict[int, list[tuple[str, int]]] = defaultdict(list)
            for kind, facets in self._facets.items():
                for title_id, facet in facets.items():
                    for pid in facet.people:
                        credited[pid].append((kind, title_id))
            with self._lazy_lock:
                if self._credits_of is None:
                    self._credits_of = dict(credited)
        titles = self._credits_of.get(person_id, [])
        ranked = sorted(titles, key=lambda k: (-float(self._items[k[0]][k[1]]["popularity"]), k[1]))
        return ranked[:KNOWN_FOR]

    # ------------------------------------------------------------------ titles

    def _known(self, kind: str, title_id: int) -> int:
        if title_id not in self._items[kind]:
            raise TMDBError(404, NOT_FOUND)
        return title_id

    def _record(self, kind: str, title_id: int) -> Body:
        found = self._store.movie(title_id) if kind == "movie" else self._store.series(title_id)
        if found is None:  # a list item without details: the data file is inconsistent
            raise TMDBError(404, NOT_FOUND)
        return found

    def _title(self, params: Mapping[str, str], matched: Matched) -> Body:
        kind = _KINDS[str(matched.route.media)]
        known = self._known(kind.media_type, matched.ids[ID_PARAMETERS[kind.media_type]])
        names = [n.strip() for n in params.get("append_to_response", "").split(",") if n.strip()]
        if len(names) > MAX_APPEND:
            raise TMDBError(400, TOO_MANY_APPENDS)
        item = self._items[kind.media_type][known]
        record = self._record(kind.media_type, known)
        body: Body = {k: v for k, v in item.items() if k != "genre_ids"}
        body["genres"] = self._genres_of(kind.media_type, item)
        body.update(record["details"])
        body = dict(sorted(body.items()))
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

    def _genres_of(self, kind: str, item: Body) -> list[Body]:
        names = self._genre_names[kind]
        return [{"id": g, "name": names[g]} for g in item["genre_ids"] if g in names]

    def _sub_resource(
        self, kind: _Kind, title_id: int, name: str, params: Mapping[str, str]
    ) -> Body:
        if name in RELATED:
            page = _parse_page(params)
            keys = [(kind.media_type, i) for i in self._related(kind.media_type, title_id, name)]
            return self._paged(keys, page, name == "recommendations")
        record = self._record(kind.media_type, title_id)
        if name == "credits":
            body: Body = {"id": title_id, **self._credits(record)}
        else:
            body = {"id": title_id, **record.get(name, EMPTY_SUB_RESOURCES[name])}
        if name == "images":
            body = self._filter_images(body, params)
        return body

    def _credits(self, record: Body) -> Body:
        if "credits" in record:
            recorded: Body = record["credits"]
            return recorded

        def person(person_id: int) -> Body:
            name, profile, department, popularity = self._person(person_id)
            return {
                "id": person_id,
                "known_for_department": department,
                "name": name,
                "original_name": name,
                "popularity": popularity,
                "profile_path": profile,
            }

        cast = [
            {**person(pid), "character": character, "order": order}
            for order, (pid, character) in enumerate(record.get("cast", []))
        ]
        crew = [
            {**person(pid), "department": department, "job": job}
            for pid, department, job in record.get("crew", [])
        ]
        return {"cast": cast, "crew": crew}

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

    def _related_uncached(self, kind: str, title_id: int, name: str) -> tuple[int, ...]:
        items, facets = self._items[kind], self._facets[kind]
        genres, years = self._genre_sets[kind], self._years[kind]
        own, year = genres[title_id], years[title_id]
        people = set(facets[title_id].people)
        candidates = set().union(*(self._by_genre[kind].get(g, ()) for g in own))
        candidates.discard(title_id)
        scored: list[tuple[tuple[float, ...], int]] = []
        for other_id in candidates:
            other = items[other_id]
            if other["adult"]:
                continue
            jaccard = len(own & genres[other_id]) / len(own | genres[other_id])
            if name == "similar":
                other_year = years[other_id]
                distance = abs(year - other_year) if year and other_year else 999
                rank: tuple[float, ...] = (-jaccard, distance, -float(other["vote_count"]))
            else:
                together = len(people.intersection(facets[other_id].people)) if people else 0
                rank = (-float(together), -jaccard, -float(other["popularity"]))
            scored.append((rank, other_id))
        scored.sort()
        return tuple(other_id for _, other_id in scored[:DERIVED_RELATED_LIMIT])

    # ------------------------------------------------------------------ seasons and episodes

    def _season_summary(self, series_id: int, number: int) -> tuple[Body, Body]:
        self._known("tv", series_id)
        record = self._record("tv", series_id)
        for season in record["details"]["seasons"]:
            if season["season_number"] == number:
                return record, season
        raise TMDBError(404, NOT_FOUND)

    def _season(self, params: Mapping[str, str], matched: Matched) -> Body:
        series_id, number = matched.ids["series_id"], matched.ids["season_number"]
        record, summary = self._season_summary(series_id, number)
        recorded: Body | None = record.get("recorded_seasons", {}).get(str(number))
        if recorded is not None:
            return recorded
        return {
            "air_date": summary["air_date"],
            "episodes": self._episodes(series_id, number),
            "id": summary["id"],
            "name": summary["name"],
            "overview": summary["overview"],
            "poster_path": summary["poster_path"],
            "season_number": number,
            "vote_average": summary.get("vote_average", 0),
        }

    def _episodes(self, series_id: int, number: int) -> list[Body]:
        columns = self._store.head["episode_columns"]
        rows = self._store.season_rows(series_id, number)
        episodes = []
        for row in rows:
            episode = dict(zip(columns, row, strict=True))
            episodes.append(
                {
                    "air_date": episode["air_date"],
                    "crew": [],
                    "episode_number": episode["episode_number"],
                    "episode_type": episode["episode_type"] or "standard",
                    "guest_stars": [],
                    "id": episode["id"],
                    "name": episode["name"] or "",
                    "overview": episode["overview"] or "",
                    "production_code": "",
                    "runtime": episode["runtime"],
                    "season_number": number,
                    "show_id": series_id,
                    "still_path": episode["still_path"],
                    "vote_average": episode["vote_average"] or 0,
                    "vote_count": episode["vote_count"] or 0,
                }
            )
        return episodes

    def _episode(self, params: Mapping[str, str], matched: Matched) -> Body:
        ids = matched.ids
        series_id, season, number = ids["series_id"], ids["season_number"], ids["episode_number"]
        record, _ = self._season_summary(series_id, season)
        recorded: Body | None = record.get("recorded_episodes", {}).get(f"{season}/{number}")
        if recorded is not None:
            return recorded
        recorded_season = record.get("recorded_seasons", {}).get(str(season))
        episodes: Iterable[Body] = (
            recorded_season["episodes"]
            if recorded_season is not None
            else self._episodes(series_id, season)
        )
        for episode in episodes:
            if episode["episode_number"] == number:
                return {k: episode[k] for k in _EPISODE_DETAIL_KEYS if k in episode}
        raise TMDBError(404, NOT_FOUND)
