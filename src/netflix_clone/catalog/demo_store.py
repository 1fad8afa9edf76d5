"""The bundled demo catalog's data file (``demo_catalog.zip``), read lazily.

``scripts/build_demo_catalog.py`` writes the file from real TMDB data; its ``README.md`` member
states where every value comes from and by which rule the derived ones are made. At start-up
only ``catalog.json`` is read (configuration, genres, the list item of every title and the
lists: what lists, discover and search need). A title's details, a series' episodes, the people
and the image index are read the first time they are asked for; details and episodes are kept
in a small LRU cache (the catalog's own cache sits in front of this in the app).

Everything handed out is shared and must not be changed by callers; ``DemoTMDB`` copies
what it answers.
"""

from __future__ import annotations

import bisect
import functools
import io
import json
import sys
import threading
import zipfile
from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Final

Body = dict[str, Any]

PACKAGE_FILE: Final = "demo_catalog.zip"
FORMAT: Final = 2
RECORDS: Final = 512  # decoded details records and seasons kept per process


@dataclass(frozen=True)
class People:
    """Everyone credited, as parallel columns sorted by id (compact: no object per person)."""

    ids: array[int]
    names: list[str]
    profile_paths: list[str | None]
    departments: list[str]
    popularity: array[float]

    def index(self, person_id: int) -> int | None:
        position = bisect.bisect_left(self.ids, person_id)
        found = position < len(self.ids) and self.ids[position] == person_id
        return position if found else None

    def get(self, person_id: int) -> tuple[str, str | None, str, float] | None:
        """(name, profile_path, known_for_department, popularity), or None."""
        position = self.index(person_id)
        if position is None:
            return None
        return (
            self.names[position],
            self.profile_paths[position],
            self.departments[position],
            self.popularity[position],
        )


@dataclass(frozen=True)
class FileTable:
    """Image files (sorted, without the leading slash) with integer columns or a text label
    beside each."""

    files: list[str]
    columns: dict[str, array[int]] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)

    def find(self, file_name: str) -> int | None:
        position = bisect.bisect_left(self.files, file_name)
        if position == len(self.files) or self.files[position] != file_name:
            return None
        return position


class CatalogStore:
    """Members of the data file by name; the head (``catalog.json``) decoded eagerly."""

    def __init__(self, members: Mapping[str, bytes] | zipfile.ZipFile) -> None:
        self._zip = members if isinstance(members, zipfile.ZipFile) else None
        self._members = None if isinstance(members, zipfile.ZipFile) else dict(members)
        self._lock = threading.Lock()
        self._names = frozenset(
            self._zip.namelist() if self._zip is not None else self._members or {}
        )
        self.head: Body = self._decode("catalog.json")
        if self.head.get("format") != FORMAT:
            raise ValueError(f"{PACKAGE_FILE}: format {self.head.get('format')}, need {FORMAT}")
        self.movie_buckets = int(self.head["movie_buckets"])
        self.movie = functools.lru_cache(maxsize=RECORDS)(self._movie)
        self.series = functools.lru_cache(maxsize=RECORDS)(self._series)
        self.season_rows = functools.lru_cache(maxsize=RECORDS)(self._season_rows)
        self._people: People | None = None
        self._images: dict[str, FileTable] | None = None

    @classmethod
    def from_package(cls) -> CatalogStore:
        resource = resources.files(__package__ or "netflix_clone.catalog").joinpath(PACKAGE_FILE)
        if isinstance(resource, Path):
            # Read from the file as needed: the OS page cache holds it once for every worker.
            return cls(zipfile.ZipFile(resource))
        return cls(zipfile.ZipFile(io.BytesIO(resource.read_bytes())))  # e.g. a zipped package

    @classmethod
    def from_members(cls, members: Mapping[str, Any]) -> CatalogStore:
        """A store over JSON values (tests build small catalogs this way)."""
        encoded = {
            name: value.encode() if isinstance(value, str) else json.dumps(value).encode()
            for name, value in members.items()
        }
        return cls(encoded)

    def _read(self, name: str) -> bytes | None:
        if name not in self._names:
            return None
        if self._zip is not None:
            with self._lock:  # one reader at a time on the shared zip
                return self._zip.read(name)
        return (self._members or {})[name]

    def _decode(self, name: str) -> Any:
        raw = self._read(name)
        return None if raw is None else json.loads(raw)

    # -- titles (each through an LRU cache set up in __init__) ----------------------------------

    def _movie(self, movie_id: int) -> Body | None:
        """The details record of a movie (see the data file's README), or None."""
        bucket = self._decode(f"movies/{movie_id % self.movie_buckets:03d}.json") or {}
        record: Body | None = bucket.get(str(movie_id))
        return record

    def _series(self, series_id: int) -> Body | None:
        record: Body | None = self._decode(f"tv/{series_id}.json")
        return record

    def _season_rows(self, series_id: int, season_number: int) -> list[list[Any]]:
        """Episode rows (``head['episode_columns']``) of one season, [] if none recorded."""
        seasons: dict[str, list[list[Any]]] = self._decode(f"tv/{series_id}.episodes.json") or {}
        return seasons.get(str(season_number), [])

    # -- people and images, read on first use --------------------------------------------------

    def _column(self, name: str) -> list[str]:
        """A text column of the data file: one value per line."""
        raw = self._read(name)
        return [] if raw is None else raw.decode("utf-8").split("\n")[:-1]

    def people(self) -> People:
        if self._people is None:
            profiles = self._column("people/profile_path.txt")
            people = People(
                array("q", map(int, self._column("people/id.txt"))),
                self._column("people/name.txt"),
                [path or None for path in profiles],
                [sys.intern(d) for d in self._column("people/known_for_department.txt")],
                array("d", map(float, self._column("people/popularity.txt"))),
            )
            with self._lock:
                if self._people is None:
                    self._people = people
        return self._people

    def images(self) -> dict[str, FileTable]:
        """``stills`` (columns series, season, episode), ``season_posters`` (series, season)
        and ``logos`` (labelled with the network's or company's name), by file name."""
        if self._images is None:
            tables = {
                "stills": FileTable(
                    self._column("images/stills/file.txt"),
                    {
                        c: self._ints(f"images/stills/{c}.txt")
                        for c in ("series", "season", "episode")
                    },
                ),
                "season_posters": FileTable(
                    self._column("images/season_posters/file.txt"),
                    {c: self._ints(f"images/season_posters/{c}.txt") for c in ("series", "season")},
                ),
                "logos": FileTable(
                    self._column("images/logos/file.txt"),
                    labels=self._column("images/logos/name.txt"),
                ),
            }
            with self._lock:
                if self._images is None:
                    self._images = tables
        return self._images

    def _ints(self, name: str) -> array[int]:
        return array("q", map(int, self._column(name)))
