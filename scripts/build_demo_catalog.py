#!/usr/bin/env python3
"""Build the bundled demo catalog: ``src/netflix_clone/catalog/demo_catalog.zip``.

Reads real TMDB metadata from ``<catalog-data>`` (default ``../shared/catalog-data``: movies,
their extra fields, series with seasons and episodes) and the recorded TMDB answers of ``<tmdb>``
(default ``../shared/tmdb``: ``examples/`` and the example bodies of ``openapi.json``), and
writes one zip file the app reads at run time; it never reads ``../shared``. Standard library
only. The zip's members are deterministic JSON (fixed timestamps, sorted keys), so ``--check``
tells whether the committed file is up to date.

Every value in the output is either recorded by TMDB (in one of the sources) or derived by a
rule in ``RULES`` below; the rules, the sources and the measured coverage are written into the
zip as ``README.md`` and under ``rules`` in ``catalog.json``, so a reader of the data file sees
them. ``netflix_clone.catalog.demo_tmdb`` documents how the answers are shaped from it.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import gzip
import io
import json
import math
import sys
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
OUTPUT = REPO_ROOT / "src" / "netflix_clone" / "catalog" / "demo_catalog.zip"
FORMAT_VERSION = 2

# The demo catalog's "today". Lists that depend on dates (now playing, upcoming, airing today,
# on the air, trending) and a series' last/next episode are computed as of this day, so the
# answers never drift with the clock. Chosen so that each of those lists holds titles: the
# movie data reaches 2026-04 and the episode data 2027-07.
AS_OF = dt.date(2025, 12, 1)
NOW_PLAYING_DAYS = 42  # released in the 6 weeks up to AS_OF (TMDB's window is about as wide)
UPCOMING_DAYS = 91  # released in the 13 weeks after AS_OF
TRENDING_DAYS = {"movie": {"day": 90, "week": 365}, "tv": {"day": 7, "week": 30}}
TOP_RATED_MIN_VOTES = {"movie": 1000, "tv": 200}
ON_THE_AIR_DAYS = 7
# Movies are bucketed by id so that one member holds about 18 of them (about deflate's 32 KiB
# window): one small read per details request, and deflate sees similar records together.
MOVIE_BUCKETS = 256
DERIVED_PERSON_BASE = 1_900_000_000  # above every TMDB person id, below int32's limit

EPISODE_COLUMNS = (
    "id",
    "episode_number",
    "name",
    "air_date",
    "runtime",
    "still_path",
    "overview",
    "vote_average",
    "vote_count",
    "episode_type",
)
MOVIE_ITEM_FIELDS = (
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
TV_ITEM_FIELDS = (
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
# Recorded TMDB answers used as they are (ids: 550 Fight Club, 11 Star Wars, 84892 The Perks
# of Being a Wallflower, 1399 Game of Thrones).
JD = "examples/recorded_jdrouet_tmdb-api"
DOCS = "examples/official_docs"
MISC = "examples/recorded_misc"
SPEC = "openapi.json#"
MOVIE_DETAILS_RECORDINGS = (
    f"{MISC}/movie_84892_append_credits_videos_external_ids.TRIMMED.json",
    f"{JD}/movie-details.json",
    f"{DOCS}/movie_details_11.200.json",
)
MOVIE_SUB_RECORDINGS = {  # all of movie 550, complete
    "credits": f"{JD}/movie-credits.json",
    "videos": f"{JD}/movie-videos.json",
    "images": f"{JD}/movie-images.json",
    "release_dates": f"{JD}/movie-release-dates.json",
}
TV_DETAILS_RECORDING = f"{JD}/tv-details.json"  # 1399
TV_SUB_RECORDINGS = {  # all of series 1399, complete
    "content_ratings": f"{JD}/tv-content-ratings.json",
    "credits": f"{SPEC}/3/tv/{{series_id}}/credits",
    "videos": f"{SPEC}/3/tv/{{series_id}}/videos",
}
TV_SEASON_RECORDING = (1399, 1, f"{JD}/tv-season-details.json")
TV_EPISODE_RECORDING = (1399, 1, 1, f"{JD}/tv-episode-details.json")
CONFIGURATION = f"{DOCS}/configuration.200.json"
MOVIE_GENRES = f"{JD}/genre-movie-list.json"
TV_GENRES = f"{JD}/genre-tv-list.json"
TV_CERTIFICATIONS = f"{JD}/certification-tv-list.json"
MOVIE_CERTIFICATIONS = f"{SPEC}/3/certification/movie/list"
COUNTRIES = f"{SPEC}/3/configuration/countries"
LANGUAGES = f"{SPEC}/3/configuration/languages"
ACTIVE_STATUSES = frozenset({"Returning Series", "In Production", "Planned", "Pilot"})

ATTRIBUTION = "This product uses the TMDB API but is not endorsed or certified by TMDB."
RULES: dict[str, str | list[str]] = {
    "sources": [
        "movies: catalog-data/movies.jsonl.gz (kmv2946/Box-Office-Jedi @7a6c6e1f, TMDB "
        "movie/{id}?append_to_response=credits,videos,release_dates, vote_count >= 500)",
        "movie extras: catalog-data/movies-extra.jsonl.gz (Kaggle TMDB 5000, 2016 data): "
        "popularity, original_language, keywords, production_countries, spoken_languages",
        "series: catalog-data/series.jsonl.gz (movnix/movnix-db @168d8c78, TMDB tv/{id} with "
        "seasons and episodes, vote_count >= 30)",
        "recorded TMDB answers: tmdb/examples (jdrouet/tmdb-api 2024: 550 details, credits, "
        "videos, images, release dates; 1399 details, content ratings, season 1, episode 1x01; "
        "official docs 2023: 11 details; 2025 capture of 84892, trimmed) and the example bodies "
        "of TMDB's OpenAPI document (1399 credits and videos; countries, languages and "
        "certification lists); genre lists and configuration as recorded",
    ],
    "precedence": [
        "A title with a recorded TMDB details answer takes its details fields from it; each of "
        "its sub-resources comes from a complete recording when there is one, else from "
        "catalog-data. A recording marked TRIMMED (84892's credits and videos) never replaces "
        "catalog-data. Recorded season 1399/1 and episode 1399/1/1 replace catalog-data's.",
        "Titles seen only in recorded lists (no details anywhere) are not in the catalog, nor "
        "is series 2 (its episodes were never recorded).",
    ],
    "as_of": f"The catalog's today is {AS_OF.isoformat()}: date-based lists and a series' "
    "last/next episode are computed as of that day, never from the clock.",
    "movies": [
        "genre_ids: the recorded genre names mapped through TMDB's recorded genre list.",
        "poster_path, backdrop_path, profile_path: the last segment of the recorded image URL.",
        "popularity: the recorded value (Kaggle, 2016) when there is one; otherwise "
        "exp(a + b*ln(vote_count) + c*ln(1 + age_years)), a least-squares fit of ln(popularity) "
        "on the movies with a recorded value (age then measured at the dataset's newest release, "
        "for derived values at as_of); coefficients under popularity_fit. Recorded details "
        "answers' own popularity (another TMDB scale) is replaced by this so that one scale "
        "orders the lists.",
        "original_language, production_countries, spoken_languages: recorded for the movies "
        "with extras (names from TMDB's countries and languages lists); otherwise null / [].",
        "original_title: not recorded; the title. adult and video: not recorded; false. "
        "belongs_to_collection null, homepage '', production_companies [] (not recorded).",
        "status: 'Released' when release_date <= as_of, else 'Post Production'.",
        "credits: the recorded cast (up to 10, order = position) and the director(s) as crew "
        "(job Director, department Directing).",
        "videos: the recorded YouTube trailer key as one video of type Trailer, named "
        "'<title> Trailer', id = its key (TMDB's video id and dates are not recorded).",
        "release_dates: the recorded US certification as one US theatrical (type 3) release "
        "on release_date; none when no certification is recorded.",
        "images: the recorded poster and backdrop (aspect ratios 2:3 and 16:9).",
    ],
    "series": [
        "Recorded: name, original_name, overview, dates, status, type, popularity, votes, "
        "poster, backdrop, genres, companies, keywords, credits, videos, seasons, episodes.",
        "networks: the recorded networks of its seasons, in order of first appearance; "
        "origin_country: their origin countries.",
        "content_ratings: a TV-* certification is US; another recorded value is given the one "
        "country whose TMDB TV certification list holds it among the countries of the series' "
        "networks and companies; none when that is not exactly one country.",
        "A season without recorded episodes (35 announced ones, no air date) is left out; "
        "number_of_seasons and number_of_episodes count regular seasons (not 0) and their "
        "recorded episodes; episode_count of a season is its recorded episodes.",
        "episode_run_time: the median recorded runtime of regular episodes (empty if none).",
        "last_episode_to_air / next_episode_to_air: the last episode aired on or before as_of "
        "and the first one after it (regular seasons).",
        "in_production: status is Returning Series, In Production, Planned or Pilot.",
        "created_by []: not recorded (except 1399's recorded details). original_language null, "
        "languages/spoken_languages/production_countries [], homepage '', tagline '': not "
        "recorded. adult false.",
        "credits: job Actor is cast (order = recorded order), other jobs are crew.",
    ],
    "people": [
        "A person's id is the TMDB id recorded for them (series credits, recorded credits). "
        "Movie cast carries no ids: a cast member is the recorded person with the same name "
        "and photo, else with the same name when only one such person is recorded; otherwise "
        "one person per name and photo (a credit without photo joins the only photographed "
        "person of that name), given a derived id from 1900000000 up in name order.",
        "A director is the one person of that name when there is exactly one, else a new "
        "person without photo (known_for_department Directing).",
        "popularity: the highest popularity of the titles they are credited in.",
    ],
    "lists": [
        "popular: every title by popularity (highest first; ties by id).",
        "top_rated: titles with at least "
        f"{TOP_RATED_MIN_VOTES['movie']} votes (movies) / {TOP_RATED_MIN_VOTES['tv']} (series) "
        "by vote_average, then vote_count.",
        f"now_playing: movies released in the {NOW_PLAYING_DAYS} days up to as_of; upcoming: "
        f"released in the {UPCOMING_DAYS} days after as_of; both by popularity, with those "
        "windows as dates.",
        f"airing_today: series with an episode airing on as_of; on_the_air: within the "
        f"{ON_THE_AIR_DAYS} days from as_of; both by popularity.",
        "trending (day / week): movies released in the "
        f"{TRENDING_DAYS['movie']['day']} / {TRENDING_DAYS['movie']['week']} days up to as_of, "
        f"series with an episode in the {TRENDING_DAYS['tv']['day']} / "
        f"{TRENDING_DAYS['tv']['week']} days up to as_of, by popularity; trending/all alternates "
        "the movie and the series list, movie first.",
        "similar and recommendations are derived when asked (see demo_tmdb.py).",
    ],
    "derived_ids": f"Person ids >= {DERIVED_PERSON_BASE} are ours, not TMDB's.",
    "attribution": ATTRIBUTION,
}


# ---------------------------------------------------------------------------- reading sources


class Sources:
    def __init__(self, catalog_data: Path, tmdb: Path) -> None:
        self.catalog_data = catalog_data
        self.tmdb = tmdb
        self._spec: dict[str, Any] | None = None

    def jsonl(self, name: str) -> list[dict[str, Any]]:
        with gzip.open(self.catalog_data / name, "rt", encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]

    def recorded(self, relative: str) -> Any:
        if relative.startswith(SPEC):
            return self._spec_example(relative.removeprefix(SPEC))
        with (self.tmdb / relative).open(encoding="utf-8") as handle:
            return json.load(handle)

    def _spec_example(self, path: str) -> Any:
        if self._spec is None:
            with (self.tmdb / "openapi.json").open(encoding="utf-8") as handle:
                self._spec = json.load(handle)
        content = self._spec["paths"][path]["get"]["responses"]["200"]["content"]
        value = content["application/json"]["examples"]["Result"]["value"]
        return json.loads(value) if isinstance(value, str) else value


# ---------------------------------------------------------------------------- people


@dataclass
class Person:
    id: int | None  # None until derived ids are handed out
    name: str
    profile_path: str | None
    departments: collections.Counter[str] = field(default_factory=collections.Counter)
    credits: list[tuple[str, int]] = field(default_factory=list)  # (kind, title id)
    alias: Person | None = None  # merged into another person

    def row(self, popularity: float) -> list[Any]:
        if self.departments["Acting"] or not self.departments:
            department = "Acting"
        else:
            department = self.departments.most_common(1)[0][0]
        return [self.id, self.name, self.profile_path, department, round(popularity, 3)]


def resolve(person: Person) -> Person:
    while person.alias is not None:
        person = person.alias
    return person


def person_id(person: Person) -> int:
    resolved = resolve(person)
    if resolved.id is None:
        raise ValueError(f"{resolved.name} has no id")
    return resolved.id


class People:
    """Everyone credited anywhere, one record per person (see RULES['people']). Recorded
    people are registered first, then movie cast, then directors, so that no lookup depends
    on the order titles are read in."""

    def __init__(self) -> None:
        self.by_id: dict[int, Person] = {}
        self._recorded_by_name: dict[str, list[Person]] = collections.defaultdict(list)
        self._derived: dict[tuple[str, str | None], Person] = {}
        self._derived_by_name: dict[str, list[Person]] = collections.defaultdict(list)

    def _derive(self, key: tuple[str, str | None], profile_path: str | None) -> Person:
        if key not in self._derived:
            person = Person(None, key[0], profile_path)
            self._derived[key] = person
            self._derived_by_name[key[0]].append(person)
        return self._derived[key]

    def recorded(self, person_id: int, name: str, profile_path: str | None) -> Person:
        person = self.by_id.get(person_id)
        if person is None:
            person = Person(person_id, name, profile_path or None)
            self.by_id[person_id] = person
            self._recorded_by_name[name].append(person)
        elif person.profile_path is None and profile_path:
            person.profile_path = profile_path
        return person

    def cast(self, name: str, profile_path: str | None) -> Person:
        recorded = self._recorded_by_name.get(name, [])
        for person in recorded:
            if profile_path and person.profile_path == profile_path:
                return person
        if len(recorded) == 1 and (not profile_path or recorded[0].profile_path is None):
            return recorded[0]
        return self._derive((name, profile_path), profile_path)

    def merge_photoless(self) -> None:
        """A derived credit without photo joins the only photographed person of its name."""
        by_name: dict[str, list[tuple[str | None, Person]]] = collections.defaultdict(list)
        for (name, profile), person in self._derived.items():
            by_name[name].append((profile, person))
        for entries in by_name.values():
            photographed = [p for profile, p in entries if profile is not None]
            if len(photographed) != 1:
                continue
            for profile, person in entries:
                if profile is None:
                    person.alias = photographed[0]

    def director(self, name: str) -> Person:
        known = {id(p): p for p in self._recorded_by_name.get(name, [])}
        known.update({id(resolve(p)): resolve(p) for p in self._derived_by_name.get(name, [])})
        if len(known) == 1:
            return next(iter(known.values()))
        # Several people of that name (or none): a director of their own, without photo.
        return resolve(self._derive((name, None if not known else "\0director"), None))

    def finish(self) -> None:
        """Hand out derived ids in name order."""
        unique = {id(p): p for p in self._derived.values() if p.alias is None}
        ordered = sorted(
            unique.values(), key=lambda p: (p.name.casefold(), p.name, p.profile_path or "")
        )
        for offset, person in enumerate(ordered):
            person.id = DERIVED_PERSON_BASE + offset
            self.by_id[person.id] = person


# ---------------------------------------------------------------------------- helpers


def image_path(url: str | None) -> str | None:
    """``https://image.tmdb.org/t/p/w342/abc.jpg`` -> ``/abc.jpg``."""
    if not url:
        return None
    return "/" + url.rsplit("/", 1)[-1]


def age_years(released: str, at: dt.date) -> float:
    return max(0.0, (at - dt.date.fromisoformat(released)).days / 365.25)


def least_squares(rows: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Fit y = a + b*x1 + c*x2 (rows of (y, x1, x2)) by the normal equations."""
    sums = [[0.0] * 4 for _ in range(3)]
    for y, x1, x2 in rows:
        xs = (1.0, x1, x2)
        for i in range(3):
            for j in range(3):
                sums[i][j] += xs[i] * xs[j]
            sums[i][3] += xs[i] * y
    for i in range(3):  # Gauss-Jordan on a 3x3 positive definite system
        pivot = sums[i][i]
        sums[i] = [v / pivot for v in sums[i]]
        for r in range(3):
            if r != i:
                factor = sums[r][i]
                sums[r] = [a - factor * b for a, b in zip(sums[r], sums[i], strict=True)]
    return sums[0][3], sums[1][3], sums[2][3]


def median(values: list[int]) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


def by_popularity(items: Iterable[Mapping[str, Any]]) -> list[int]:
    return [i["id"] for i in sorted(items, key=lambda i: (-float(i["popularity"]), i["id"]))]


def within(date: str | None, low: dt.date, high: dt.date) -> bool:
    return bool(date) and low <= dt.date.fromisoformat(str(date)) <= high


# ---------------------------------------------------------------------------- movies


class Builder:
    def __init__(self, sources: Sources) -> None:
        self.src = sources
        self.people = People()
        self.movie_genres = sources.recorded(MOVIE_GENRES)["genres"]
        self.tv_genres = sources.recorded(TV_GENRES)["genres"]
        self.genre_ids = {g["name"]: g["id"] for g in self.movie_genres}
        self.countries = {c["iso_3166_1"]: c["english_name"] for c in sources.recorded(COUNTRIES)}
        self.languages = {lang["iso_639_1"]: lang for lang in sources.recorded(LANGUAGES)}
        self.movies: dict[int, dict[str, Any]] = {}  # list items
        self.movie_details: dict[int, dict[str, Any]] = {}  # the rest, per movie
        self.series: dict[int, dict[str, Any]] = {}
        self.series_details: dict[int, dict[str, Any]] = {}
        self.series_episodes: dict[int, dict[str, Any]] = {}
        self.stills: dict[str, list[int]] = {}
        self.season_posters: dict[str, list[int]] = {}
        self.logos: dict[str, str] = {}
        self.fit: dict[str, Any] = {}
        self.movies_raw = {m["tmdb_id"]: m for m in sources.jsonl("movies.jsonl.gz")}
        self.extras = {x["tmdb_id"]: x for x in sources.jsonl("movies-extra.jsonl.gz")}
        self.series_raw = sources.jsonl("series.jsonl.gz")
        self.recorded_movies: dict[int, tuple[str, dict[str, Any]]] = {}
        for relative in MOVIE_DETAILS_RECORDINGS:
            body = sources.recorded(relative)
            self.recorded_movies.setdefault(int(body["id"]), (relative, body))

    # -- movies ---------------------------------------------------------------------------

    def register_recorded_people(self) -> None:
        """People with a TMDB id anywhere in the sources, before any name is looked up."""
        for raw in self.series_raw:
            for credit in raw["credits"]:
                self.people.recorded(
                    credit["tmdbPersonId"], credit["name"], credit.get("profilePath")
                )
        bodies = [self.src.recorded(MOVIE_SUB_RECORDINGS["credits"])]
        bodies += [self.src.recorded(TV_SUB_RECORDINGS["credits"])]
        bodies += [b["credits"] for _, b in self.recorded_movies.values() if "credits" in b]
        for body in bodies:
            for entry in [*body["cast"], *body["crew"]]:
                self.people.recorded(entry["id"], entry["name"], entry.get("profile_path"))

    def build_movies(self) -> None:
        extras = self.extras
        self._fit_popularity(self.movies_raw, extras)
        for movie_id in sorted(set(self.movies_raw) | set(self.recorded_movies)):
            source = self.movies_raw.get(movie_id)
            item, extra = (
                self._movie_from_data(source, extras.get(movie_id)) if source else ({}, {})
            )
            if movie_id in self.recorded_movies:
                relative, body = self.recorded_movies[movie_id]
                item, extra = self._movie_from_recording(body, relative, item, extra)
            item["popularity"] = self._movie_popularity(item, extras.get(movie_id))
            self.movies[movie_id] = {name: item[name] for name in MOVIE_ITEM_FIELDS}
            self.movie_details[movie_id] = extra
        self.people.merge_photoless()
        for movie_id, extra in self.movie_details.items():
            extra["crew"] = [
                [self.people.director(name) if isinstance(name, str) else name, dep, job]
                for name, dep, job in extra.get("crew", [])
            ]
            for person, _ in extra.get("cast", []):
                resolve(person).departments["Acting"] += 1
                resolve(person).credits.append(("movie", movie_id))
            for person, department, _ in extra["crew"]:
                resolve(person).departments[department] += 1
                resolve(person).credits.append(("movie", movie_id))

    def _movie_from_data(
        self, m: dict[str, Any], extra: dict[str, Any] | None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        unknown = [g for g in m["genres"] if g not in self.genre_ids]
        if unknown:
            raise ValueError(f"movie {m['tmdb_id']} has unknown genres {unknown}")
        released = m["release_date"] or ""
        item = {
            "adult": False,
            "backdrop_path": image_path(m["backdrop_url"]),
            "genre_ids": [self.genre_ids[g] for g in m["genres"]],
            "id": m["tmdb_id"],
            "original_language": extra["original_language"] if extra else None,
            "original_title": m["title"],
            "overview": m["overview"] or "",
            "poster_path": image_path(m["poster_url"]),
            "release_date": released,
            "title": m["title"],
            "video": False,
            "vote_average": m["vote_average"],
            "vote_count": m["vote_count"],
        }
        details: dict[str, Any] = {
            "belongs_to_collection": None,
            "budget": m["budget"] or 0,
            "homepage": "",
            "imdb_id": m["imdb_id"] or None,
            "origin_country": [],
            "production_companies": [],
            "production_countries": [
                {"iso_3166_1": c, "name": self.countries.get(c, c)}
                for c in (extra or {}).get("production_countries", [])
            ],
            "revenue": m["revenue"] or 0,
            "runtime": m["runtime"] or None,
            "spoken_languages": [
                {
                    "english_name": self.languages.get(code, {}).get("english_name", code),
                    "iso_639_1": code,
                    "name": self.languages.get(code, {}).get("name", ""),
                }
                for code in (extra or {}).get("spoken_languages", [])
            ],
            "status": "Released"
            if released and released <= AS_OF.isoformat()
            else ("Post Production"),
            "tagline": m["tagline"] or "",
        }
        cast = [
            [self.people.cast(c["name"], image_path(c.get("profile"))), c["character"] or ""]
            for c in m["cast"]
        ]
        directors = [d.strip() for d in (m["director"] or "").split(",") if d.strip()]
        crew = [[name, "Directing", "Director"] for name in directors]  # resolved later
        videos = []
        if m["trailer_key"]:
            videos.append(
                {
                    "id": m["trailer_key"],
                    "iso_3166_1": "US",
                    "iso_639_1": "en",
                    "key": m["trailer_key"],
                    "name": f"{m['title']} Trailer",
                    "site": "YouTube",
                    "type": "Trailer",
                }
            )
        release_dates = []
        if m["mpaa"]:
            release_dates.append(
                {
                    "iso_3166_1": "US",
                    "release_dates": [
                        {
                            "certification": m["mpaa"],
                            "descriptors": [],
                            "iso_639_1": "",
                            "note": "",
                            "release_date": f"{released}T00:00:00.000Z",
                            "type": 3,
                        }
                    ],
                }
            )
        images = {
            "backdrops": [_image(item["backdrop_path"], 1.778)] if item["backdrop_path"] else [],
            "logos": [],
            "posters": [_image(item["poster_path"], 0.667)] if item["poster_path"] else [],
        }
        extra_record = {
            "details": details,
            "cast": cast,
            "crew": crew,
            "videos": {"results": videos},
            "release_dates": {"results": release_dates},
            "images": images,
            "keywords": list((extra or {}).get("keywords", [])),
        }
        return item, extra_record

    def _movie_from_recording(
        self, body: dict[str, Any], relative: str, item: dict[str, Any], extra: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        movie_id = int(body["id"])
        trimmed = "TRIMMED" in relative
        recorded_item = {name: body[name] for name in MOVIE_ITEM_FIELDS if name != "genre_ids"}
        recorded_item["genre_ids"] = [g["id"] for g in body["genres"]]
        appendable = ("credits", "videos", "images", "release_dates", "external_ids")
        details = {
            k: v
            for k, v in body.items()
            if k not in MOVIE_ITEM_FIELDS and k not in appendable and k != "genres"
        }
        record: dict[str, Any] = {
            "details": details,
            "cast": extra.get("cast", []),
            "crew": extra.get("crew", []),
            "videos": extra.get("videos", {"results": []}),
            "release_dates": extra.get("release_dates", {"results": []}),
            "images": extra.get("images", {"backdrops": [], "logos": [], "posters": []}),
            "keywords": extra.get("keywords", []),
        }
        for name in ("credits", "videos"):  # appended in the recording
            if name in body and not trimmed:
                record[name] = body[name]
        if movie_id == 550:
            for name, sub in MOVIE_SUB_RECORDINGS.items():
                recorded = self.src.recorded(sub)
                record[name] = {k: v for k, v in recorded.items() if k != "id"}
        if "credits" in record:
            record.pop("cast")
            record.pop("crew")
            for entry in record["credits"]["cast"]:
                person = self.people.recorded(entry["id"], entry["name"], entry["profile_path"])
                person.departments["Acting"] += 1
                person.credits.append(("movie", movie_id))
            for entry in record["credits"]["crew"]:
                person = self.people.recorded(entry["id"], entry["name"], entry["profile_path"])
                person.departments[entry["department"]] += 1
                person.credits.append(("movie", movie_id))
        elif not record["cast"] and trimmed and "credits" in body:
            raise ValueError(f"{relative}: trimmed credits and nothing better")
        return recorded_item, record

    def _fit_popularity(
        self, raw: Mapping[int, dict[str, Any]], extras: Mapping[int, dict[str, Any]]
    ) -> None:
        dataset_date = max(
            dt.date.fromisoformat(raw[i]["release_date"]) for i in extras if raw[i]["release_date"]
        )
        rows = [
            (
                math.log(x["popularity"]),
                math.log(raw[i]["vote_count"]),
                math.log1p(age_years(raw[i]["release_date"], dataset_date)),
            )
            for i, x in extras.items()
            if x["popularity"] > 0 and raw[i]["release_date"]
        ]
        a, b, c = least_squares(rows)
        residuals = [y - (a + b * x1 + c * x2) for y, x1, x2 in rows]
        mean = sum(y for y, _, _ in rows) / len(rows)
        total = sum((y - mean) ** 2 for y, _, _ in rows)
        self.fit = {
            "a": round(a, 6),
            "b": round(b, 6),
            "c": round(c, 6),
            "fitted_on": len(rows),
            "r_squared": round(1 - sum(r * r for r in residuals) / total, 3),
            "dataset_date": dataset_date.isoformat(),
        }

    def _movie_popularity(self, item: Mapping[str, Any], extra: Mapping[str, Any] | None) -> float:
        if extra is not None and extra["popularity"] > 0:
            return round(float(extra["popularity"]), 3)
        age = age_years(item["release_date"], AS_OF) if item["release_date"] else 0.0
        fit = self.fit
        value = (
            fit["a"]
            + fit["b"] * math.log(max(1, item["vote_count"]))
            + fit["c"] * (math.log1p(age))
        )
        return round(math.exp(value), 3)

    # -- series ---------------------------------------------------------------------------

    def build_series(self) -> None:
        certifications = self.src.recorded(TV_CERTIFICATIONS)["certifications"]
        rating_countries: dict[str, set[str]] = collections.defaultdict(set)
        for country, entries in certifications.items():
            for entry in entries:
                rating_countries[entry["certification"]].add(country)
        recorded = self.src.recorded(TV_DETAILS_RECORDING)
        for raw in self.series_raw:
            is_recorded = raw["tvShow"]["tmdbId"] == recorded["id"]
            self._series(raw, rating_countries, recorded if is_recorded else None)
        if recorded["id"] not in self.series:
            raise ValueError("series 1399 is missing from catalog-data")

    def _series(
        self,
        raw: dict[str, Any],
        rating_countries: Mapping[str, set[str]],
        recorded: dict[str, Any] | None,
    ) -> None:
        show = raw["tvShow"]
        series_id = int(show["tmdbId"])
        seasons, episodes, regular, networks = self._seasons(raw, series_id)
        companies = [
            {
                "id": c["tmdbId"],
                "logo_path": c.get("logoPath"),
                "name": c["name"],
                "origin_country": c.get("originCountry") or "",
            }
            for c in raw["companies"]
        ]
        for owner in [*networks, *companies]:
            if owner.get("logo_path"):
                self.logos[owner["logo_path"].lstrip("/")] = owner["name"]
        cast, crew = self._series_credits(raw, series_id)
        aired = [e for e in regular if e.get("air_date") and e["air_date"] <= AS_OF.isoformat()]
        upcoming = [e for e in regular if e.get("air_date") and e["air_date"] > AS_OF.isoformat()]
        key = lambda e: (e["air_date"], e["season_number"], e["episode_number"])  # noqa: E731
        runtime = median([e["runtime"] for e in regular if e.get("runtime")])
        countries = {n["origin_country"] for n in networks} | {
            c["origin_country"] for c in companies
        }
        genre_ids = [g["tmdbId"] for g in raw["genres"]]
        if set(genre_ids) - {g["id"] for g in self.tv_genres}:
            raise ValueError(f"series {series_id} has unknown genres {genre_ids}")
        regular_seasons = [s for s in seasons if s["season_number"] > 0]
        item = {
            "adult": False,
            "backdrop_path": show["backdropPath"],
            "first_air_date": show["firstAirDate"] or "",
            "genre_ids": genre_ids,
            "id": series_id,
            "name": show["name"],
            "origin_country": [
                c for c in dict.fromkeys(n["origin_country"] for n in networks) if c
            ],
            "original_language": None,
            "original_name": show["originalName"] or show["name"],
            "overview": show["overview"] or "",
            "popularity": round(float(show["popularity"]), 3),
            "poster_path": show["posterPath"],
            "vote_average": show["voteAverage"],
            "vote_count": show["voteCount"],
        }
        details = {
            "created_by": [],
            "episode_run_time": [runtime] if runtime else [],
            "homepage": "",
            "in_production": show["status"] in ACTIVE_STATUSES,
            "languages": [],
            "last_air_date": show["lastAirDate"],
            "last_episode_to_air": _episode_summary(max(aired, key=key, default=None), series_id),
            "networks": networks,
            "next_episode_to_air": _episode_summary(
                min(upcoming, key=key, default=None), series_id
            ),
            "number_of_episodes": sum(s["episode_count"] for s in regular_seasons),
            "number_of_seasons": len(regular_seasons),
            "production_companies": companies,
            "production_countries": [],
            "seasons": seasons,
            "spoken_languages": [],
            "status": show["status"],
            "tagline": "",
            "type": show["type"],
        }
        record: dict[str, Any] = {
            "details": details,
            "cast": cast,
            "crew": crew,
            "videos": {
                "results": [
                    {k: v for k, v in video.items() if v is not None} for video in raw["videos"]
                ]
            },
            "content_ratings": {
                "results": content_ratings(
                    show.get("certification") or "", countries, rating_countries
                )
            },
            "keywords": [k["name"] if isinstance(k, dict) else k for k in raw["keywords"]],
            "external_ids": raw.get("externalIds") or {},
        }
        if recorded is not None:
            item, record, episodes = self._series_recorded(recorded, item, record, episodes)
        self.series[series_id] = item
        self.series_details[series_id] = record
        self.series_episodes[series_id] = episodes

    def _seasons(
        self, raw: dict[str, Any], series_id: int
    ) -> tuple[
        list[dict[str, Any]], dict[str, list[list[Any]]], list[dict[str, Any]], list[dict[str, Any]]
    ]:
        """Season summaries, episode rows by season, regular episodes, networks (first seen
        first); registers stills and season posters for the image index."""
        networks: dict[int, dict[str, Any]] = {}
        seasons, episodes, regular = [], {}, []
        for season in sorted(raw["seasons"], key=lambda s: s["season_number"]):
            if not season["episodes"]:
                continue  # announced, nothing recorded (RULES['series'])
            number = season["season_number"]
            for network in season.get("networks") or []:
                networks.setdefault(network["id"], network)
            rows = []
            for e in sorted(season["episodes"], key=lambda e: e["episode_number"]):
                rows.append([e.get(column) for column in EPISODE_COLUMNS])
                if number > 0:
                    regular.append({**e, "season_number": number})
                if e.get("still_path"):
                    self.stills[e["still_path"].lstrip("/")] = [
                        series_id,
                        number,
                        e["episode_number"],
                    ]
            if season.get("poster_path"):
                self.season_posters[season["poster_path"].lstrip("/")] = [series_id, number]
            episodes[str(number)] = rows
            seasons.append(
                {
                    "air_date": season["air_date"],
                    "episode_count": len(rows),
                    "id": season["id"],
                    "name": season["name"],
                    "overview": season["overview"] or "",
                    "poster_path": season["poster_path"],
                    "season_number": number,
                    "vote_average": season["vote_average"],
                }
            )
        return seasons, episodes, regular, list(networks.values())

    def _series_credits(
        self, raw: dict[str, Any], series_id: int
    ) -> tuple[list[list[Any]], list[list[Any]]]:
        cast, crew = [], []
        ordered = sorted(
            raw["credits"], key=lambda c: (c.get("order") is None, c.get("order") or 0)
        )
        for credit in ordered:
            person = self.people.recorded(
                credit["tmdbPersonId"], credit["name"], credit.get("profilePath")
            )
            person.credits.append(("tv", series_id))
            if credit.get("job") == "Actor":
                person.departments["Acting"] += 1
                cast.append([person, credit.get("character") or ""])
            else:
                person.departments[credit.get("department") or "Production"] += 1
                crew.append([person, credit.get("department") or "", credit.get("job") or ""])
        return cast, crew

    def _series_recorded(
        self,
        body: dict[str, Any],
        item: dict[str, Any],
        record: dict[str, Any],
        episodes: dict[str, list[list[Any]]],
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, list[list[Any]]]]:
        series_id = int(body["id"])
        popularity = item["popularity"]  # catalog-data's (2026), one scale with the others
        item = {name: body[name] for name in TV_ITEM_FIELDS if name != "genre_ids"}
        item["genre_ids"] = [g["id"] for g in body["genres"]]
        item["popularity"] = popularity
        details = {k: v for k, v in body.items() if k not in TV_ITEM_FIELDS and k != "genres"}
        record = {**record, "details": details}
        for name, relative in TV_SUB_RECORDINGS.items():
            recorded = self.src.recorded(relative)
            if int(recorded["id"]) != series_id:
                raise ValueError(f"{relative} is not of series {series_id}")
            record[name] = {k: v for k, v in recorded.items() if k != "id"}
        record.pop("cast")
        record.pop("crew")
        for entry in [*record["credits"]["cast"], *record["credits"]["crew"]]:
            person = self.people.recorded(entry["id"], entry["name"], entry["profile_path"])
            person.departments["Acting" if "character" in entry else entry["department"]] += 1
            person.credits.append(("tv", series_id))
        # Episodes of the recorded seasons list come from catalog-data (all seasons); the
        # recorded season 1 and episode 1x01 are complete TMDB answers and are kept whole.
        summary_numbers = {s["season_number"] for s in details["seasons"]}
        missing = summary_numbers - {int(n) for n in episodes}
        if missing:
            raise ValueError(f"series {series_id}: no episodes for seasons {sorted(missing)}")
        sid, season_number, relative = TV_SEASON_RECORDING
        season = self.src.recorded(relative)
        if (sid, season["season_number"]) != (series_id, season_number):
            raise ValueError(f"{relative} is not season {season_number} of {series_id}")
        record["recorded_seasons"] = {str(season_number): season}
        sid, season_number, episode_number, relative = TV_EPISODE_RECORDING
        episode = self.src.recorded(relative)
        if (episode["season_number"], episode["episode_number"]) != (season_number, episode_number):
            raise ValueError(f"{relative} is not episode {season_number}x{episode_number}")
        record["recorded_episodes"] = {f"{season_number}/{episode_number}": episode}
        for e in season["episodes"]:
            if e.get("still_path"):
                self.stills[e["still_path"].lstrip("/")] = [
                    series_id,
                    season_number,
                    e["episode_number"],
                ]
        return item, record, episodes

    # -- output ---------------------------------------------------------------------------

    def lists(self) -> dict[str, Any]:
        movies, series = self.movies.values(), self.series.values()
        as_of = AS_OF

        def released(days_before: int, days_after: int = 0) -> list[dict[str, Any]]:
            low, high = as_of - dt.timedelta(days_before), as_of + dt.timedelta(days_after)
            return [m for m in movies if within(m["release_date"], low, high)]

        airs: dict[int, list[str]] = {
            sid: sorted(
                row[3] for number, rows in eps.items() if int(number) > 0 for row in rows if row[3]
            )
            for sid, eps in self.series_episodes.items()
        }

        def airing(low: dt.date, high: dt.date) -> list[dict[str, Any]]:
            return [s for s in series if any(within(d, low, high) for d in airs[s["id"]])]

        def top_rated(items: Iterable[dict[str, Any]], minimum: int) -> list[int]:
            chosen = [i for i in items if i["vote_count"] >= minimum]
            chosen.sort(key=lambda i: (-i["vote_average"], -i["vote_count"], i["id"]))
            return [i["id"] for i in chosen]

        after = as_of + dt.timedelta(days=1)
        day = dt.timedelta(days=1)
        trending: dict[str, dict[str, list[int]]] = {"movie": {}, "tv": {}}
        for window in ("day", "week"):
            days = TRENDING_DAYS["movie"][window]
            trending["movie"][window] = by_popularity(released(days))
            days = TRENDING_DAYS["tv"][window]
            trending["tv"][window] = by_popularity(airing(as_of - days * day, as_of))
        mixed = {
            window: [
                [kind, title_id]
                for pair in _alternate(trending["movie"][window], trending["tv"][window])
                for kind, title_id in [pair]
            ]
            for window in ("day", "week")
        }
        return {
            "movie": {
                "popular": by_popularity(movies),
                "top_rated": top_rated(movies, TOP_RATED_MIN_VOTES["movie"]),
                "now_playing": by_popularity(released(NOW_PLAYING_DAYS)),
                "upcoming": by_popularity(
                    m
                    for m in movies
                    if within(m["release_date"], after, as_of + UPCOMING_DAYS * day)
                ),
                "trending_day": trending["movie"]["day"],
                "trending_week": trending["movie"]["week"],
            },
            "movie_dates": {
                "now_playing": {
                    "maximum": as_of.isoformat(),
                    "minimum": (as_of - NOW_PLAYING_DAYS * day).isoformat(),
                },
                "upcoming": {
                    "maximum": (as_of + UPCOMING_DAYS * day).isoformat(),
                    "minimum": after.isoformat(),
                },
            },
            "tv": {
                "popular": by_popularity(series),
                "top_rated": top_rated(series, TOP_RATED_MIN_VOTES["tv"]),
                "airing_today": by_popularity(airing(as_of, as_of)),
                "on_the_air": by_popularity(airing(as_of, as_of + (ON_THE_AIR_DAYS - 1) * day)),
                "trending_day": trending["tv"]["day"],
                "trending_week": trending["tv"]["week"],
            },
            "all": {"trending_day": mixed["day"], "trending_week": mixed["week"]},
        }

    def facets(self) -> dict[str, Any]:
        """What discover and related titles need beyond a list item, for every title."""

        def credited(record: Mapping[str, Any]) -> list[int]:
            if "credits" in record:  # a complete recording: its billed cast and directors
                cast = [c["id"] for c in record["credits"]["cast"][:10]]
                crew = [c["id"] for c in record["credits"]["crew"] if c.get("job") == "Director"]
                return list(dict.fromkeys([*cast, *crew]))
            people = [person_id(c[0]) for c in record["cast"]]
            people += [person_id(c[0]) for c in record["crew"] if c[2] in ("Director", "Creator")]
            return list(dict.fromkeys(people))

        movies = [
            [i, r["details"].get("runtime"), r["details"].get("revenue") or 0, credited(r)]
            for i, r in sorted(self.movie_details.items())
        ]
        series = [
            [
                i,
                (r["details"].get("episode_run_time") or [None])[0],
                [n["id"] for n in r["details"].get("networks") or []],
                credited(r),
            ]
            for i, r in sorted(self.series_details.items())
        ]
        return {
            "movie": {"columns": ["id", "runtime", "revenue", "people"], "rows": movies},
            "tv": {"columns": ["id", "runtime", "networks", "people"], "rows": series},
        }

    def people_rows(self) -> list[list[Any]]:
        popularity = {("movie", i): float(m["popularity"]) for i, m in self.movies.items()} | {
            ("tv", i): float(s["popularity"]) for i, s in self.series.items()
        }
        rows = []
        seen: set[int] = set()
        for registered in self.people.by_id.values():
            person = resolve(registered)
            if person.id is None or person.id in seen:
                continue
            seen.add(person.id)
            best = max(
                (popularity.get(c, 0.0) for c in person.credits if isinstance(c, tuple)),
                default=0.0,
            )
            rows.append(person.row(best))
        rows.sort(key=lambda r: r[0])
        return rows

    def coverage(self) -> dict[str, Any]:
        def movie_complete(movie_id: int) -> dict[str, bool]:
            extra = self.movie_details[movie_id]
            if "credits" in extra:
                cast = extra["credits"]["cast"]
                with_photo = sum(1 for c in cast if c.get("profile_path"))
                director = any(c.get("job") == "Director" for c in extra["credits"]["crew"])
            else:
                with_photo = sum(1 for c in extra["cast"] if resolve(c[0]).profile_path)
                director = bool(extra["crew"])
            return {
                "runtime": bool(extra["details"].get("runtime")),
                "three_cast_with_photos": with_photo >= 3,
                "director": director,
                "trailer": any(
                    v.get("type") == "Trailer" and v.get("site") == "YouTube"
                    for v in extra["videos"]["results"]
                ),
            }

        popular = self.lists()["movie"]["popular"]
        first_five = [movie_complete(i) for i in popular[:100]]
        everything = [movie_complete(i) for i in self.movies]
        return {
            "movies": len(self.movies),
            "series": len(self.series),
            "episodes": sum(
                len(rows) for eps in self.series_episodes.values() for rows in eps.values()
            ),
            "people": len(self.people_rows()),
            "movies_complete_first_five_popular_pages": sum(all(c.values()) for c in first_five),
            "movies_complete": sum(all(c.values()) for c in everything),
        }

    def members(self) -> dict[str, Any]:
        """Every member of the zip: name -> JSON value."""

        def compact_people(record: dict[str, Any]) -> dict[str, Any]:
            out = dict(record)
            if "cast" in out:
                out["cast"] = [[person_id(p), character] for p, character in out["cast"]]
                out["crew"] = [[person_id(p), dep, job] for p, dep, job in out["crew"]]
            return out

        buckets: dict[str, dict[str, Any]] = collections.defaultdict(dict)
        for movie_id, record in sorted(self.movie_details.items()):
            buckets[f"movies/{movie_id % MOVIE_BUCKETS:03d}.json"][str(movie_id)] = compact_people(
                record
            )
        members: dict[str, Any] = dict(buckets)
        for series_id, record in sorted(self.series_details.items()):
            members[f"tv/{series_id}.json"] = compact_people(record)
            members[f"tv/{series_id}.episodes.json"] = self.series_episodes[series_id]
        rows = self.people_rows()
        columns = ("id", "name", "profile_path", "known_for_department", "popularity")
        # Tables as columns of text, one value per line (an empty line is null): a worker reads
        # them without building a JSON object per value first.
        tables = {
            "people": {name: [row[i] for row in rows] for i, name in enumerate(columns)},
            "images/logos": columnar(self.logos, ("name",)),
            "images/season_posters": columnar(self.season_posters, ("series", "season")),
            "images/stills": columnar(self.stills, ("series", "season", "episode")),
        }
        for table, table_columns in tables.items():
            for column, values in table_columns.items():
                members[f"{table}/{column}.txt"] = text_column(values)
        coverage = self.coverage()
        members["catalog.json"] = {
            "as_of": AS_OF.isoformat(),
            "certifications": {
                "movie": self.src.recorded(MOVIE_CERTIFICATIONS)["certifications"],
                "tv": self.src.recorded(TV_CERTIFICATIONS)["certifications"],
            },
            "configuration": self.src.recorded(CONFIGURATION),
            "coverage": coverage,
            "episode_columns": list(EPISODE_COLUMNS),
            "format": FORMAT_VERSION,
            "facets": self.facets(),
            "genres": {"movie": self.movie_genres, "tv": self.tv_genres},
            "lists": self.lists(),
            "movie_buckets": MOVIE_BUCKETS,
            "movies": {
                "columns": list(MOVIE_ITEM_FIELDS),
                "rows": [
                    [self.movies[i][c] for c in MOVIE_ITEM_FIELDS] for i in sorted(self.movies)
                ],
            },
            "popularity_fit": self.fit,
            "recorded": {
                "movie": sorted(self.recorded_movies),
                "tv": sorted(i for i, r in self.series_details.items() if "recorded_seasons" in r),
            },
            "rules": RULES,
            "series": {
                "columns": list(TV_ITEM_FIELDS),
                "rows": [[self.series[i][c] for c in TV_ITEM_FIELDS] for i in sorted(self.series)],
            },
        }
        members["README.md"] = readme(coverage, self.fit)
        return members


def content_ratings(
    rating: str, countries: set[str], rating_countries: Mapping[str, set[str]]
) -> list[dict[str, Any]]:
    """RULES['series']: TV-* is US; another value goes to its one country among ``countries``."""
    if rating.startswith("TV-"):
        return [{"descriptors": [], "iso_3166_1": "US", "rating": rating}]
    candidates = rating_countries.get(rating, set()) & countries if rating else set()
    if len(candidates) == 1:
        return [{"descriptors": [], "iso_3166_1": candidates.pop(), "rating": rating}]
    return []


def text_column(values: list[Any]) -> str:
    """One value per line; None is an empty line (names hold no line breaks: checked)."""
    lines = ["" if v is None else str(v) for v in values]
    if any("\n" in line or "\r" in line for line in lines):
        raise ValueError("a value holds a line break")
    return "\n".join(lines) + "\n"


def columnar(files: Mapping[str, Any], columns: tuple[str, ...]) -> dict[str, list[Any]]:
    """``{file: value(s)}`` as sorted parallel lists: ``file`` and one list per column."""
    ordered = sorted(files)
    table: dict[str, list[Any]] = {"file": ordered}
    for index, column in enumerate(columns):
        table[column] = [
            files[f][index] if isinstance(files[f], list) else files[f] for f in ordered
        ]
    return table


def _image(path: str, aspect_ratio: float) -> dict[str, Any]:
    return {"aspect_ratio": aspect_ratio, "file_path": path, "iso_639_1": None}


def _episode_summary(episode: Mapping[str, Any] | None, series_id: int) -> dict[str, Any] | None:
    if episode is None:
        return None
    return {
        "air_date": episode.get("air_date"),
        "episode_number": episode["episode_number"],
        "episode_type": episode.get("episode_type") or "standard",
        "id": episode["id"],
        "name": episode.get("name") or "",
        "overview": episode.get("overview") or "",
        "production_code": "",
        "runtime": episode.get("runtime"),
        "season_number": episode["season_number"],
        "show_id": series_id,
        "still_path": episode.get("still_path"),
        "vote_average": episode.get("vote_average") or 0,
        "vote_count": episode.get("vote_count") or 0,
    }


def _alternate(first: list[int], second: list[int]) -> Iterator[tuple[str, int]]:
    for index in range(max(len(first), len(second))):
        if index < len(first):
            yield "movie", first[index]
        if index < len(second):
            yield "tv", second[index]


def readme(coverage: Mapping[str, Any], fit: Mapping[str, Any]) -> str:
    lines = [
        "# The demo catalog (built by scripts/build_demo_catalog.py; do not edit)",
        "",
        "Real TMDB metadata, served offline by `netflix_clone.catalog.demo_tmdb` in TMDB's own",
        f"shapes. {ATTRIBUTION}",
        "TMDB's terms apply to this data: non-commercial use, attribution shown.",
        "",
        f"Coverage: {coverage['movies']} movies, {coverage['series']} series, "
        f"{coverage['episodes']} episodes, {coverage['people']} people. Of the 100 most popular "
        f"movies, {coverage['movies_complete_first_five_popular_pages']} have a runtime, 3 cast "
        "members with photos, a director and a YouTube trailer "
        f"({coverage['movies_complete']} of all movies).",
        "",
        "Members: `catalog.json` (configuration, genres, certifications, list items of every",
        "title, the lists, these rules), `movies/NNN.json` (details of the movies whose id % "
        f"{MOVIE_BUCKETS} is NNN),",
        "`tv/ID.json` (a series' details), `tv/ID.episodes.json` (its episodes by season, columns",
        "in `catalog.json` `episode_columns`), `people/<column>.txt` (everyone credited: id,",
        "name, profile_path, known_for_department, popularity; line N of each is person N),",
        "`images/<table>/<column>.txt` (which series an episode still or a season poster",
        "belongs to, whose logo a logo is; files sorted).",
        "",
    ]
    for section, rules in RULES.items():
        lines.append(f"## {section}")
        lines.append("")
        for rule in rules if isinstance(rules, list) else [rules]:
            lines.append(f"- {rule}")
        lines.append("")
    lines.append(
        f"Popularity fit: a={fit['a']} b={fit['b']} c={fit['c']} "
        f"(R^2 {fit['r_squared']} on {fit['fitted_on']} movies, ages at {fit['dataset_date']})."
    )
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- the zip


ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def encode(value: Any) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8")
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def write_zip(members: Mapping[str, Any]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(members, key=lambda n: (n != "catalog.json", n)):
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, encode(members[name]), compresslevel=9)
    return buffer.getvalue()


def read_zip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def build(catalog_data: Path, tmdb: Path) -> dict[str, Any]:
    builder = Builder(Sources(catalog_data, tmdb))
    builder.register_recorded_people()
    builder.build_movies()
    builder.build_series()
    builder.people.finish()
    return builder.members()


def _source_dir(value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else (REPO_ROOT / path).resolve()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--catalog-data", default="../shared/catalog-data")
    parser.add_argument("--tmdb", default="../shared/tmdb")
    parser.add_argument("--output", default=str(OUTPUT))
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the output file is not up to date"
    )
    args = parser.parse_args(argv)
    catalog_data, tmdb = _source_dir(args.catalog_data), _source_dir(args.tmdb)
    for needed in (catalog_data / "movies.jsonl.gz", tmdb / "examples", tmdb / "openapi.json"):
        if not needed.exists():
            print(f"error: {needed} is missing", file=sys.stderr)
            return 2
    members = build(catalog_data, tmdb)
    output = Path(args.output)
    if args.check:
        wanted = {name: encode(value) for name, value in members.items()}
        current = read_zip(output.read_bytes()) if output.exists() else {}
        if current != wanted:
            stale = sorted(
                n for n in wanted.keys() | current.keys() if wanted.get(n) != current.get(n)
            )
            print(
                f"{output} is out of date ({len(stale)} members differ, e.g. {stale[:3]}); "
                "run make demo-catalog",
                file=sys.stderr,
            )
            return 1
        return 0
    data = write_zip(members)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    coverage = members["catalog.json"]["coverage"]
    print(
        f"wrote {output}: {coverage['movies']} movies, {coverage['series']} series, "
        f"{coverage['episodes']} episodes, {coverage['people']} people; {len(data)} bytes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
