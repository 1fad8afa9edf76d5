#!/usr/bin/env python3
"""Build the bundled demo catalog from the recorded TMDB v3 responses.

Reads ``<source>/examples/**`` and the example bodies of ``<source>/openapi.json`` (default
``../shared/tmdb`` relative to the repository root) and writes
``src/netflix_clone/catalog/demo_data.json``: movies at the top level, TV series under ``tv``.
The app never reads ``../shared`` at run time; it reads only the file written here. Standard
library only; the output is byte-for-byte deterministic for the same input, so a re-run shows up
in ``git diff`` only when the input changed.

Rules (also recorded under ``notes`` in the output so a reader of the data file sees them):

* Recordings are ranked newest first: ``recorded_misc`` (2025) and ``recorded_jdrouet_tmdb-api``
  (2024) before ``official_docs`` (2023). When one movie appears in several recordings, the list
  item of the highest-ranked recording wins; values are never merged field by field.
* Movies that have recorded details (550, 11, 84892) take their list item from those details
  (``genre_ids`` from ``genres``) so that list and details agree; nothing is invented.
* List memberships are the union of the recordings of that list, newest recording first,
  duplicates dropped. ``now_playing``/``upcoming`` ``dates`` span all recordings used.
* There is no recording of ``trending/movie/week``; it is derived as the union of the trending
  (day) and popular memberships ordered by recorded popularity, highest first.
* Appended sub-resources (credits, videos, images, release_dates) are stored without their own
  ``id``; similar/recommendations are stored as ordered id lists of bundled movies.
* The German genre list of the docs is ignored; the recorded English one is used.
* TV series follow the same ranking and union rules; what is recorded and what is derived for
  them (seasons, episodes, content ratings, networks, runtimes) is in ``TV_NOTES``, written to
  ``tv.notes``, with the derived series listed under ``tv.derived``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
OUTPUT = REPO_ROOT / "src" / "netflix_clone" / "catalog" / "demo_data.json"
FORMAT_VERSION = 1

LIST_ITEM_FIELDS = (
    "adult",
    "backdrop_path",
    "genre_ids",
    "id",
    "original_language",
    "original_title",
    "overview",
    "popularity",
    "poster_path",
    "release_date",
    "title",
    "video",
    "vote_average",
    "vote_count",
)
SUB_RESOURCES = ("credits", "videos", "images", "release_dates")

# Ranked newest first; a movie's list item comes from the first recording that holds it.
JD = "recorded_jdrouet_tmdb-api"
DOCS = "official_docs"
MISC = "recorded_misc"
SPEC_PREFIX = "openapi.json#"  # an example body of TMDB's official spec (openapi.json, 2023)
PAGED_RECORDINGS: tuple[str, ...] = (
    f"{JD}/movie-popular.json",
    f"{JD}/movie-top-rated.json",
    f"{JD}/movie-now-playing.json",
    f"{JD}/movie-upcoming.json",
    f"{JD}/movie-similar.json",
    f"{JD}/movie-recommendations.json",
    f"{JD}/search-movie.json",
    f"{DOCS}/movie_popular.200.json",
    f"{DOCS}/movie_top_rated.200.json",
    f"{DOCS}/movie_now_playing.200.json",
    f"{DOCS}/movie_upcoming.200.json",
    f"{DOCS}/trending_movie_day.200.json",
    f"{DOCS}/discover_movie.200.json",
    f"{DOCS}/search_movie.200.json",
    f"{DOCS}/movie_similar.200.json",
    # Movies of the spec's mixed examples (their series are read by the TV part below).
    f"{SPEC_PREFIX}/3/trending/all/{{time_window}}",
    f"{SPEC_PREFIX}/3/search/multi",
)
LIST_MEMBERSHIPS: dict[str, tuple[str, ...]] = {
    "popular": (f"{JD}/movie-popular.json", f"{DOCS}/movie_popular.200.json"),
    "top_rated": (f"{JD}/movie-top-rated.json", f"{DOCS}/movie_top_rated.200.json"),
    "now_playing": (f"{JD}/movie-now-playing.json", f"{DOCS}/movie_now_playing.200.json"),
    "upcoming": (f"{JD}/movie-upcoming.json", f"{DOCS}/movie_upcoming.200.json"),
    "trending_day": (f"{DOCS}/trending_movie_day.200.json",),
}
DETAILS_RECORDINGS: tuple[str, ...] = (
    f"{MISC}/movie_84892_append_credits_videos_external_ids.TRIMMED.json",
    f"{JD}/movie-details.json",
    f"{DOCS}/movie_details_11.200.json",
)
# Per-movie sub-resource recordings (all jdrouet files are for movie 550).
SUB_RESOURCE_RECORDINGS: dict[str, str] = {
    "credits": f"{JD}/movie-credits.json",
    "videos": f"{JD}/movie-videos.json",
    "images": f"{JD}/movie-images.json",
    "release_dates": f"{JD}/movie-release-dates.json",
}
RELATED_RECORDINGS: dict[str, tuple[int, str]] = {
    "similar": (550, f"{JD}/movie-similar.json"),
    "recommendations": (550, f"{JD}/movie-recommendations.json"),
}
GENRES = f"{JD}/genre-movie-list.json"
CONFIGURATION = f"{DOCS}/configuration.200.json"

# ---------------------------------------------------------------------------- TV series
SPEC = SPEC_PREFIX
TV_LIST_ITEM_FIELDS = (
    "adult",
    "backdrop_path",
    "first_air_date",
    "genre_ids",
    "id",
    "name",
    "origin_country",
    "original_language",
    "original_name",
    "overview",
    "popularity",
    "poster_path",
    "vote_average",
    "vote_count",
)
# Ranked newest first, as for movies: jdrouet (2024) before the spec's examples (2023).
TV_PAGED_RECORDINGS: tuple[str, ...] = (
    f"{JD}/tv-popular.json",
    f"{JD}/tv-similar.json",
    f"{JD}/search-tv.json",
    f"{JD}/search-tv-rick-and-morty.json",
    f"{SPEC}/3/tv/popular",
    f"{SPEC}/3/tv/top_rated",
    f"{SPEC}/3/tv/on_the_air",
    f"{SPEC}/3/tv/airing_today",
    f"{SPEC}/3/discover/tv",
    f"{SPEC}/3/trending/tv/{{time_window}}",
    f"{SPEC}/3/trending/all/{{time_window}}",
    f"{SPEC}/3/search/multi",
    f"{SPEC}/3/search/tv",
    f"{SPEC}/3/tv/{{series_id}}/similar",
    f"{SPEC}/3/tv/{{series_id}}/recommendations",
)
TV_LIST_MEMBERSHIPS: dict[str, tuple[str, ...]] = {
    "popular": (f"{JD}/tv-popular.json", f"{SPEC}/3/tv/popular"),
    "top_rated": (f"{SPEC}/3/tv/top_rated",),
    "on_the_air": (f"{SPEC}/3/tv/on_the_air",),
    "airing_today": (f"{SPEC}/3/tv/airing_today",),
    "trending_day": (f"{SPEC}/3/trending/tv/{{time_window}}",),
}
TRENDING_ALL_DAY = f"{SPEC}/3/trending/all/{{time_window}}"
TV_DETAILS_RECORDINGS: tuple[str, ...] = (
    f"{JD}/tv-details.json",
    f"{JD}/tv-details-complex.json",
    f"{SPEC}/3/tv/{{series_id}}",
)
# Sub-resources of 1399 (Game of Thrones), newest recording first. The recorded tv/{id}/images
# bodies (jdrouet and spec) both carry "id": 550 and Fight Club's pictures, so none is used.
TV_SUB_RESOURCE_RECORDINGS: dict[str, tuple[str, ...]] = {
    "content_ratings": (
        f"{JD}/tv-content-ratings.json",
        f"{SPEC}/3/tv/{{series_id}}/content_ratings",
    ),
    "credits": (f"{SPEC}/3/tv/{{series_id}}/credits",),
    "videos": (f"{SPEC}/3/tv/{{series_id}}/videos",),
}
# jdrouet's refresh.sh records /tv/1399/similar; every other tv example of the spec is of 1399.
TV_RELATED_RECORDINGS: dict[str, tuple[int, str]] = {
    "similar": (1399, f"{JD}/tv-similar.json"),
    "recommendations": (1399, f"{SPEC}/3/tv/{{series_id}}/recommendations"),
}
TV_SEASON_RECORDINGS: dict[tuple[int, int], tuple[str, ...]] = {
    (1399, 1): (
        f"{JD}/tv-season-details.json",
        f"{SPEC}/3/tv/{{series_id}}/season/{{season_number}}",
    ),
}
TV_EPISODE_RECORDINGS: dict[tuple[int, int, int], tuple[str, ...]] = {
    (1399, 1, 1): (
        f"{JD}/tv-episode-details.json",
        f"{SPEC}/3/tv/{{series_id}}/season/{{season_number}}/episode/{{episode_number}}",
    ),
}
TV_GENRES = f"{JD}/genre-tv-list.json"
TV_CERTIFICATIONS = f"{JD}/certification-tv-list.json"
# Derivation rules for series without recorded details (stated in TV_NOTES).
DERIVED_SEASONS = 2
DERIVED_EPISODES_PER_SEASON = 8
DERIVED_SEASON_GAP_DAYS = 364  # season 2 starts 52 weeks after season 1
DEFAULT_EPISODE_RUNTIME = 45
ANIMATION_EPISODE_RUNTIME = 24
DERIVED_ID_BASE = 1_000_000_000
NETFLIX: dict[str, Any] = {"id": 213, "logo_path": None, "name": "Netflix", "origin_country": ""}
# Series that are Netflix originals, streamed only on Netflix (TMDB's network 213). No recording
# carries a series' network except 1399 (HBO) and 2 (ABC); this is the one rule that assigns one.
NETFLIX_ORIGINALS = frozenset(
    {
        66732,  # Stranger Things
        71912,  # The Witcher
        94605,  # Arcane
        99581,  # Unorthodox
        99617,  # Halston
        103768,  # Sweet Tooth
        146176,  # Berlin
        203857,  # The Diplomat
    }
)
KIDS, FAMILY, CRIME, ANIMATION = 10762, 10751, 80, 16

TV_NOTES = [
    "TV: series come from the recorded TV lists (jdrouet 2024 first, then the official spec's "
    "examples, 2023); a series' list item comes from the highest-ranked recording holding it. "
    "Series with recorded details (1399 Game of Thrones, 2 Clerks) take their list item from them.",
    "TV: list items of the spec's tv/popular, top_rated, on_the_air, airing_today and discover "
    "examples lack 'adult'; they are non-adult by construction (those lists exclude adult titles), "
    "so adult is false.",
    "TV: list memberships are unions of the recordings of each list; trending_week is derived as "
    "the union of trending_day and popular ordered by popularity; trending/all day is the spec's "
    "recorded trending/all followed by the other day-trending movies and series by popularity; "
    "trending/all week mixes the movie and tv week lists by popularity (ties: movie first, id).",
    "TV: series without recorded details get details derived from their list item: 2 seasons "
    "('Season 1', 'Season 2') of 8 episodes, season 1 starting on first_air_date, season 2 "
    "52 weeks later (no dates when first_air_date is empty); status, type and in_production "
    "null; no creators, companies or languages; last_episode_to_air = the last derived episode "
    "when dated, next_episode_to_air null.",
    "TV: seasons without a recording (all but 1399 season 1) get derived episodes: names "
    "'Episode N', empty overview, no still, vote 0, episode_type 'standard', air dates weekly "
    "from the season's air_date; a recorded episode (details' last_episode_to_air, "
    "next_episode_to_air, recorded episode details) replaces its derived one.",
    "TV: derived episode runtime = the first recorded episode_run_time of the series in any "
    "recording, else 24 minutes for Animation, else 45 minutes (tv.episode_runtime).",
    "TV: derived ids: season 1e9 + series_id*4000 + season*400, episode that + episode number "
    "(also in recorded series); they fit TMDB's int32 ids but are not TMDB's.",
    "TV: content ratings are recorded only for 1399 (US TV-MA); the others are derived from "
    "genres, US only: Kids -> TV-Y7, else Crime -> TV-MA, else Family -> TV-G, else TV-14 "
    "(Animation alone says nothing: Rick and Morty or Invincible are animated).",
    "TV: networks are recorded only for 1399 (HBO) and 2 (ABC). Netflix (213, logo unknown) is "
    "assigned by name to series that are Netflix originals in reality: "
    "Stranger Things, The Witcher, Arcane, Unorthodox, Halston, Sweet Tooth, Berlin, "
    "The Diplomat; every other series has no network.",
    "TV: credits and videos are recorded only for 1399; others have empty credits and videos. "
    "The recorded tv images (jdrouet and spec) are Fight Club's (id 550), so every series has "
    "empty images. Similar (jdrouet, /tv/1399/similar) and recommendations (spec) of 1399 are "
    "recorded; others are derived from genre overlap like movies.",
    "TV: the spec's tv/latest (225491, a placeholder without genres, poster or season dates) "
    "and the German genre names of the spec are not used.",
]

NOTES = [
    "Built by scripts/build_demo_catalog.py from recorded TMDB v3 responses; do not edit by hand.",
    "Recordings ranked newest first (recorded_misc 2025, jdrouet 2024, official docs 2023); "
    "a movie's list item comes from the highest-ranked recording holding it.",
    "List memberships are unions of the recordings of each list, newest first; "
    "now_playing/upcoming dates span all recordings used.",
    "trending_week has no recording: union of trending_day and popular ordered by popularity.",
    "Movies with recorded details (550, 11, 84892) take their list item from those details.",
    "84892 credits/videos are trimmed in the recording (3 cast, 2 crew, 2 videos).",
    "This product uses the TMDB API but is not endorsed or certified by TMDB.",
]


def recordings() -> list[str]:
    """Every recording the build reads, each once."""
    return sorted(
        {
            *PAGED_RECORDINGS,
            *TV_PAGED_RECORDINGS,
            *(r for rs in TV_LIST_MEMBERSHIPS.values() for r in rs),
            *TV_DETAILS_RECORDINGS,
            *(r for rs in TV_SUB_RESOURCE_RECORDINGS.values() for r in rs),
            *(relative for _, relative in TV_RELATED_RECORDINGS.values()),
            *(rs[0] for rs in TV_SEASON_RECORDINGS.values()),
            *(rs[0] for rs in TV_EPISODE_RECORDINGS.values()),
            TV_GENRES,
            TV_CERTIFICATIONS,
            *(r for rs in LIST_MEMBERSHIPS.values() for r in rs),
            *DETAILS_RECORDINGS,
            *SUB_RESOURCE_RECORDINGS.values(),
            *(relative for _, relative in RELATED_RECORDINGS.values()),
            GENRES,
            CONFIGURATION,
        }
    )


class Progress:
    """A one-line progress bar on stderr when it is a terminal; silent otherwise (CI logs)."""

    def __init__(self, label: str, total: int, stream: Any = None, width: int = 30) -> None:
        self.label, self.total, self.width, self.done = label, total, width, 0
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())

    def advance(self, what: str = "") -> None:
        self.done = min(self.total, self.done + 1)
        if not self.enabled:
            return
        filled = self.width * self.done // max(1, self.total)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total} {what[:40]:<40}")
        if self.done == self.total:
            self.stream.write("\n")
        self.stream.flush()


_loaded: dict[tuple[Path, str], Any] = {}
_spec: dict[str, Any] = {}
_progress: dict[str, Progress] = {}  # "bar": set by main() for a run from the command line


def load(source: Path, relative: str) -> Any:
    key = (source, relative)
    if key not in _loaded:
        if relative.startswith(SPEC_PREFIX):
            _loaded[key] = _spec_example(source, relative.removeprefix(SPEC_PREFIX))
        else:
            with (source / "examples" / relative).open(encoding="utf-8") as handle:
                _loaded[key] = json.load(handle)
        if "bar" in _progress:
            _progress["bar"].advance(relative.rsplit("/", 1)[-1])
    return _loaded[key]


def _spec_example(source: Path, path: str) -> Any:
    if "spec" not in _spec:
        with (source / "openapi.json").open(encoding="utf-8") as handle:
            _spec["spec"] = json.load(handle)
    content = _spec["spec"]["paths"][path]["get"]["responses"]["200"]["content"]
    value = content["application/json"]["examples"]["Result"]["value"]
    return json.loads(value) if isinstance(value, str) else value


def list_item(raw: dict[str, Any]) -> dict[str, Any]:
    missing = [name for name in LIST_ITEM_FIELDS if name not in raw]
    if missing:
        raise ValueError(f"movie {raw.get('id')} lacks list-item fields {missing}")
    return {name: raw[name] for name in LIST_ITEM_FIELDS}


def list_item_from_details(details: dict[str, Any]) -> dict[str, Any]:
    derived = {name: details[name] for name in LIST_ITEM_FIELDS if name != "genre_ids"}
    derived["genre_ids"] = [genre["id"] for genre in details["genres"]]
    return derived


def collect_movies(source: Path) -> dict[int, dict[str, Any]]:
    movies: dict[int, dict[str, Any]] = {}
    for relative in PAGED_RECORDINGS:
        for raw in load(source, relative)["results"]:
            if raw.get("media_type", "movie") == "movie":  # mixed examples also hold series
                movies.setdefault(int(raw["id"]), list_item(raw))
    return movies


def collect_details(source: Path) -> dict[int, dict[str, Any]]:
    details: dict[int, dict[str, Any]] = {}
    for relative in DETAILS_RECORDINGS:
        raw = load(source, relative)
        movie_id = int(raw["id"])
        if movie_id in details:
            continue
        # Appended objects that the demo does not serve (e.g. external_ids) are left out.
        record = {key: value for key, value in raw.items() if key not in ("external_ids",)}
        details[movie_id] = record
    for name, relative in SUB_RESOURCE_RECORDINGS.items():
        raw = load(source, relative)
        movie_id = int(raw["id"])
        body = {key: value for key, value in raw.items() if key != "id"}
        details[movie_id].setdefault(name, body)
    for record in details.values():
        for name in SUB_RESOURCES:
            if name in record and "id" in record[name]:
                del record[name]["id"]
    return details


def collect_related(
    source: Path, movies: dict[int, dict[str, Any]]
) -> dict[int, dict[str, list[int]]]:
    related: dict[int, dict[str, list[int]]] = {}
    for name, (movie_id, relative) in RELATED_RECORDINGS.items():
        ids = [int(raw["id"]) for raw in load(source, relative)["results"]]
        ids = dedupe(i for i in ids if i != movie_id and i in movies)
        related.setdefault(movie_id, {})[name] = ids
    return related


def dedupe(ids: Any) -> list[int]:
    seen: set[int] = set()
    ordered: list[int] = []
    for movie_id in ids:
        if movie_id not in seen:
            seen.add(movie_id)
            ordered.append(movie_id)
    return ordered


def collect_lists(source: Path, movies: dict[int, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    lists: dict[str, dict[str, Any]] = {}
    for name, recordings in LIST_MEMBERSHIPS.items():
        bodies = [load(source, relative) for relative in recordings]
        entry: dict[str, Any] = {
            "ids": dedupe(int(raw["id"]) for body in bodies for raw in body["results"]),
            "sources": list(recordings),
        }
        all_dates = [body["dates"] for body in bodies if "dates" in body]
        if all_dates:
            entry["dates"] = {
                "maximum": max(dates["maximum"] for dates in all_dates),
                "minimum": min(dates["minimum"] for dates in all_dates),
            }
        lists[name] = entry
    week = dedupe([*lists["trending_day"]["ids"], *lists["popular"]["ids"]])
    week.sort(key=lambda movie_id: (-float(movies[movie_id]["popularity"]), movie_id))
    lists["trending_week"] = {"ids": week, "sources": ["derived: trending_day + popular"]}
    return lists


# ---------------------------------------------------------------------------- TV series


def tv_list_item(raw: dict[str, Any]) -> dict[str, Any]:
    present = {**raw}
    present.setdefault("adult", False)  # see TV_NOTES: the spec's list examples omit it
    missing = [name for name in TV_LIST_ITEM_FIELDS if name not in present]
    if missing:
        raise ValueError(f"series {raw.get('id')} lacks list-item fields {missing}")
    return {name: present[name] for name in TV_LIST_ITEM_FIELDS}


def tv_list_item_from_details(details: dict[str, Any]) -> dict[str, Any]:
    derived = {name: details[name] for name in TV_LIST_ITEM_FIELDS if name != "genre_ids"}
    derived["genre_ids"] = [genre["id"] for genre in details["genres"]]
    return derived


def is_tv(raw: dict[str, Any]) -> bool:
    return raw.get("media_type", "tv") == "tv"


def collect_series(source: Path) -> dict[int, dict[str, Any]]:
    series: dict[int, dict[str, Any]] = {}
    for relative in TV_PAGED_RECORDINGS:
        for raw in load(source, relative)["results"]:
            if is_tv(raw):
                series.setdefault(int(raw["id"]), tv_list_item(raw))
    return series


def collect_tv_details(source: Path) -> dict[int, dict[str, Any]]:
    details: dict[int, dict[str, Any]] = {}
    for relative in TV_DETAILS_RECORDINGS:
        raw = load(source, relative)
        details.setdefault(int(raw["id"]), dict(raw))
    for name, relatives in TV_SUB_RESOURCE_RECORDINGS.items():
        for relative in relatives:
            raw = load(source, relative)
            series_id = int(raw["id"])
            if series_id in details:
                details[series_id].setdefault(name, {k: v for k, v in raw.items() if k != "id"})
    return details


def recorded_runtimes(source: Path) -> dict[int, int]:
    """The first non-empty ``episode_run_time`` of each series over every details recording."""
    runtimes: dict[int, int] = {}
    for relative in TV_DETAILS_RECORDINGS:
        raw = load(source, relative)
        if raw.get("episode_run_time"):
            runtimes.setdefault(int(raw["id"]), int(raw["episode_run_time"][0]))
    return runtimes


def iso_plus(date: str, days: int) -> str | None:
    if not date:
        return None
    return (dt.date.fromisoformat(date) + dt.timedelta(days=days)).isoformat()


def derived_season_id(series_id: int, season_number: int) -> int:
    """See TV_NOTES; DemoTMDB numbers a derived episode ``this + episode number``."""
    if not (0 <= season_number < 10 and series_id * 4_000 < 2**31 - 1 - DERIVED_ID_BASE - 4_000):
        raise ValueError(f"no derived id for season {season_number} of {series_id}")
    return DERIVED_ID_BASE + series_id * 4_000 + season_number * 400


def derived_details(item: dict[str, Any], genre_names: dict[int, str]) -> dict[str, Any]:
    seasons = []
    for number in range(1, DERIVED_SEASONS + 1):
        seasons.append(
            {
                "air_date": iso_plus(
                    item["first_air_date"], (number - 1) * DERIVED_SEASON_GAP_DAYS
                ),
                "episode_count": DERIVED_EPISODES_PER_SEASON,
                "id": derived_season_id(item["id"], number),
                "name": f"Season {number}",
                "overview": "",
                "poster_path": None,
                "season_number": number,
                "vote_average": 0,
            }
        )
    last_date = iso_plus(str(seasons[-1]["air_date"] or ""), 7 * (DERIVED_EPISODES_PER_SEASON - 1))
    return {
        "adult": item["adult"],
        "backdrop_path": item["backdrop_path"],
        "created_by": [],
        "episode_run_time": [],
        "first_air_date": item["first_air_date"],
        "genres": [
            {"id": genre_id, "name": genre_names[genre_id]}
            for genre_id in item["genre_ids"]
            if genre_id in genre_names
        ],
        "homepage": "",
        "id": item["id"],
        "in_production": None,
        "languages": [],
        "last_air_date": last_date,
        # The derived episode itself is made by DemoTMDB, which replaces this marker.
        "last_episode_to_air": None,
        "name": item["name"],
        "networks": [NETFLIX] if item["id"] in NETFLIX_ORIGINALS else [],
        "next_episode_to_air": None,
        "number_of_episodes": DERIVED_SEASONS * DERIVED_EPISODES_PER_SEASON,
        "number_of_seasons": DERIVED_SEASONS,
        "origin_country": item["origin_country"],
        "original_language": item["original_language"],
        "original_name": item["original_name"],
        "overview": item["overview"],
        "popularity": item["popularity"],
        "poster_path": item["poster_path"],
        "production_companies": [],
        "production_countries": [],
        "seasons": seasons,
        "spoken_languages": [],
        "status": None,
        "tagline": "",
        "type": None,
        "vote_average": item["vote_average"],
        "vote_count": item["vote_count"],
    }


def derived_rating(genre_ids: list[int]) -> str:
    genres = set(genre_ids)
    if KIDS in genres:
        return "TV-Y7"
    if CRIME in genres:
        return "TV-MA"
    if FAMILY in genres:
        return "TV-G"
    return "TV-14"


def collect_seasons(source: Path) -> dict[str, dict[str, Any]]:
    seasons: dict[str, dict[str, Any]] = {}
    for (series_id, number), relatives in TV_SEASON_RECORDINGS.items():
        raw = load(source, relatives[0])
        if raw["season_number"] != number or any(
            e["show_id"] != series_id for e in raw["episodes"]
        ):
            raise ValueError(f"{relatives[0]} is not season {number} of {series_id}")
        seasons[f"{series_id}/{number}"] = raw
    return seasons


def collect_episodes(source: Path) -> dict[str, dict[str, Any]]:
    episodes: dict[str, dict[str, Any]] = {}
    for (series_id, season, number), relatives in TV_EPISODE_RECORDINGS.items():
        raw = load(source, relatives[0])
        if (raw["season_number"], raw["episode_number"]) != (season, number):
            raise ValueError(f"{relatives[0]} is not S{season}E{number} of {series_id}")
        episodes[f"{series_id}/{season}/{number}"] = raw
    return episodes


def collect_tv_lists(
    source: Path,
    series: dict[int, dict[str, Any]],
    movies: dict[int, dict[str, Any]],
    movie_lists: dict[str, dict[str, Any]],
) -> dict[str, dict[str, Any]]:
    lists: dict[str, dict[str, Any]] = {}
    for name, recordings in TV_LIST_MEMBERSHIPS.items():
        bodies = [load(source, relative) for relative in recordings]
        lists[name] = {
            "ids": dedupe(int(raw["id"]) for body in bodies for raw in body["results"]),
            "sources": list(recordings),
        }
    week = dedupe([*lists["trending_day"]["ids"], *lists["popular"]["ids"]])
    week.sort(key=lambda series_id: (-float(series[series_id]["popularity"]), series_id))
    lists["trending_week"] = {"ids": week, "sources": ["derived: trending_day + popular"]}

    def popularity(entry: tuple[str, int]) -> tuple[float, int, int]:
        kind, title_id = entry
        item = movies[title_id] if kind == "movie" else series[title_id]
        return (-float(item["popularity"]), 0 if kind == "movie" else 1, title_id)

    recorded = [
        ("movie" if raw["media_type"] == "movie" else "tv", int(raw["id"]))
        for raw in load(source, TRENDING_ALL_DAY)["results"]
        if raw["media_type"] in ("movie", "tv")
    ]
    rest = [
        entry
        for entry in [
            *(("movie", i) for i in movie_lists["trending_day"]["ids"]),
            *(("tv", i) for i in lists["trending_day"]["ids"]),
        ]
        if entry not in recorded
    ]
    lists["all_trending_day"] = {
        "items": [list(entry) for entry in [*recorded, *sorted(set(rest), key=popularity)]],
        "sources": [TRENDING_ALL_DAY, "derived: + movie and tv trending_day by popularity"],
    }
    all_week = {
        *(("movie", i) for i in movie_lists["trending_week"]["ids"]),
        *(("tv", i) for i in lists["trending_week"]["ids"]),
    }
    lists["all_trending_week"] = {
        "items": [list(entry) for entry in sorted(all_week, key=popularity)],
        "sources": ["derived: movie and tv trending_week by popularity"],
    }
    return lists


def build_tv(
    source: Path, movies: dict[int, dict[str, Any]], movie_lists: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    series = collect_series(source)
    recorded = collect_tv_details(source)
    for series_id, record in recorded.items():
        series[series_id] = tv_list_item_from_details(record)
    genres = load(source, TV_GENRES)["genres"]
    genre_names = {genre["id"]: genre["name"] for genre in genres}
    for item in series.values():
        unknown = set(item["genre_ids"]) - set(genre_names)
        if unknown:
            raise ValueError(f"series {item['id']} has unknown genre ids {sorted(unknown)}")
    runtimes = recorded_runtimes(source)
    details: dict[str, dict[str, Any]] = {}
    derived: dict[str, list[int]] = {"details": [], "content_ratings": [], "networks": []}
    episode_runtime: dict[str, int] = {}
    for series_id in sorted(series):
        item = series[series_id]
        if series_id in recorded:
            record = dict(recorded[series_id])
        else:
            record = derived_details(item, genre_names)
            derived["details"].append(series_id)
            if record["networks"]:
                derived["networks"].append(series_id)
        if "content_ratings" not in record:
            rating = derived_rating(item["genre_ids"])
            record["content_ratings"] = {
                "results": [{"descriptors": [], "iso_3166_1": "US", "rating": rating}]
            }
            derived["content_ratings"].append(series_id)
        for name, (related_id, relative) in TV_RELATED_RECORDINGS.items():
            if related_id == series_id:
                ids = [int(raw["id"]) for raw in load(source, relative)["results"] if is_tv(raw)]
                record[name] = dedupe(i for i in ids if i != series_id and i in series)
        default = (
            ANIMATION_EPISODE_RUNTIME
            if ANIMATION in item["genre_ids"]
            else (DEFAULT_EPISODE_RUNTIME)
        )
        episode_runtime[str(series_id)] = runtimes.get(series_id, default)
        details[str(series_id)] = record
    return {
        "certifications": load(source, TV_CERTIFICATIONS)["certifications"],
        "derived": derived,
        "details": details,
        "episode_runtime": episode_runtime,
        "episodes": collect_episodes(source),
        "genres": genres,
        "lists": collect_tv_lists(source, series, movies, movie_lists),
        "notes": TV_NOTES,
        "seasons": collect_seasons(source),
        "series": [series[series_id] for series_id in sorted(series)],
    }


def build(source: Path) -> dict[str, Any]:
    movies = collect_movies(source)
    details = collect_details(source)
    for movie_id, record in details.items():
        # List and details of one movie must agree, so the details recording wins.
        movies[movie_id] = list_item_from_details(record)
    for movie_id, related in collect_related(source, movies).items():
        details[movie_id].update(related)
    genres = load(source, GENRES)["genres"]
    known_genres = {genre["id"] for genre in genres}
    for movie in movies.values():
        unknown = set(movie["genre_ids"]) - known_genres
        if unknown:
            raise ValueError(f"movie {movie['id']} has unknown genre ids {sorted(unknown)}")
    lists = collect_lists(source, movies)
    return {
        "configuration": load(source, CONFIGURATION),
        "details": {str(movie_id): details[movie_id] for movie_id in sorted(details)},
        "format": FORMAT_VERSION,
        "genres": genres,
        "lists": lists,
        "movies": [movies[movie_id] for movie_id in sorted(movies)],
        "notes": [*NOTES, movie_extras_note(movies, details)],
        "tv": build_tv(source, movies, lists),
    }


def movie_extras_note(movies: dict[int, dict[str, Any]], details: dict[int, dict[str, Any]]) -> str:
    """How many movies have a runtime, spoken languages and a trailer: only recorded details
    carry them (no other recording, spec examples included, has them for a bundled movie)."""
    runtime = sum(1 for d in details.values() if d.get("runtime"))
    languages = sum(1 for d in details.values() if d.get("spoken_languages"))
    trailer = sum(
        1
        for d in details.values()
        if any(v.get("type") == "Trailer" for v in d.get("videos", {}).get("results", []))
    )
    return (
        f"Of {len(movies)} movies, {runtime} have a runtime, {languages} spoken languages and "
        f"{trailer} a trailer: no recording (spec examples included) has them for the others, "
        "which keep runtime null, no spoken languages and no videos."
    )


def render(value: Any, indent: int = 0, width: int = 100) -> str:
    """JSON with sorted keys; a container is inlined when it fits in ``width`` columns."""
    compact = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))
    if not isinstance(value, dict | list) or indent + len(compact) <= width or not value:
        return compact
    pad = " " * (indent + 1)
    if isinstance(value, dict):
        parts = [
            f"{pad}{json.dumps(key, ensure_ascii=False)}: {render(value[key], indent + 1, width)}"
            for key in sorted(value)
        ]
        return "{\n" + ",\n".join(parts) + "\n" + " " * indent + "}"
    parts = [f"{pad}{render(item, indent + 1, width)}" for item in value]
    return "[\n" + ",\n".join(parts) + "\n" + " " * indent + "]"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source",
        default="../shared/tmdb",
        help="folder holding examples/ (relative paths are taken from the repository root)",
    )
    parser.add_argument("--output", default=str(OUTPUT), help="where to write demo_data.json")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the output file is not up to date"
    )
    args = parser.parse_args(argv)
    source = Path(args.source)
    if not source.is_absolute():
        source = (REPO_ROOT / source).resolve()
    if not (source / "examples").is_dir():
        print(f"error: no examples/ folder under {source}", file=sys.stderr)
        return 2
    _progress["bar"] = Progress("reading recordings", len(recordings()))
    text = render(build(source)) + "\n"
    output = Path(args.output)
    if args.check:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != text:
            print(f"{output} is out of date; run scripts/build_demo_catalog.py", file=sys.stderr)
            return 1
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    data = json.loads(text)
    tv = data["tv"]
    print(
        f"wrote {output}: {len(data['movies'])} movies, "
        f"{len(data['details'])} with recorded details; {len(tv['series'])} series, "
        f"{len(tv['details']) - len(tv['derived']['details'])} with recorded details; "
        f"{len(text.encode())} bytes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
