#!/usr/bin/env python3
"""Build the bundled demo catalog from the recorded TMDB v3 responses.

Reads ``<source>/examples/**`` (default ``../shared/tmdb`` relative to the repository root) and
writes ``src/netflix_clone/catalog/demo_data.json``. The app never reads ``../shared`` at run time;
it reads only the file written here. Standard library only; the output is byte-for-byte
deterministic for the same input, so a re-run shows up in ``git diff`` only when the input changed.

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
"""

from __future__ import annotations

import argparse
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
_progress: dict[str, Progress] = {}  # "bar": set by main() for a run from the command line


def load(source: Path, relative: str) -> Any:
    key = (source, relative)
    if key not in _loaded:
        with (source / "examples" / relative).open(encoding="utf-8") as handle:
            _loaded[key] = json.load(handle)
        if "bar" in _progress:
            _progress["bar"].advance(relative.rsplit("/", 1)[-1])
    return _loaded[key]


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
    return {
        "configuration": load(source, CONFIGURATION),
        "details": {str(movie_id): details[movie_id] for movie_id in sorted(details)},
        "format": FORMAT_VERSION,
        "genres": genres,
        "lists": collect_lists(source, movies),
        "movies": [movies[movie_id] for movie_id in sorted(movies)],
        "notes": NOTES,
    }


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
    print(
        f"wrote {output}: {len(data['movies'])} movies, "
        f"{len(data['details'])} with recorded details, {len(text)} bytes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
