"""Placeholder images for the demo catalog: every poster, backdrop, still and photo is an SVG.

With the demo catalog, image URLs point at `DEMO_IMAGE_BASE_URL` (`/images/t/p`) in TMDB's own
layout (`/images/t/p/w342/abc.jpg`): the web app builds them from it, and the gateway's
`configuration` answer hands the same base to TMDB-style frontends, so every image URL they make
is valid offline. Each file name is looked up in the demo catalog: a title's poster or backdrop,
a person's photo, a season's poster, an episode's still (titled with its series and number), a
network's or company's logo, and the files of the recorded TMDB answers (found by a generic walk:
every object holding a `*_path` image gives its file the object's title or name, or its nearest
ancestor's, and id). The answer is an SVG with that title on a colour derived from the id, of
the requested size (`w342` is 342 pixels wide; `h632` is 632 high; the shape is the image's:
2:3 for posters and photos, 16:9 for backdrops and stills); an unknown file gets a neutral
placeholder, never an error page. Titles are escaped; the SVG carries a CSP that forbids scripts
should anyone open it directly.
"""

from __future__ import annotations

import bisect
import re
import threading
import zlib
from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from flask import Blueprint, Response

from netflix_clone.catalog.demo_tmdb import DemoTMDB
from netflix_clone.core.exceptions import not_found

bp = Blueprint("demo_images", __name__)

IMMUTABLE = "public, max-age=31536000, immutable"
# An unknown name may be a title a newer catalog adds: cache its neutral stand-in briefly.
UNKNOWN_MAX_AGE = "public, max-age=3600"
SVG_CSP = "default-src 'none'; sandbox"
SIZE = re.compile(r"^(?:w\d{2,4}|h\d{2,4}|original)$")
WIDE_KEYS = ("backdrop_path", "still_path", "logo_path")
# Sizes TMDB offers only for wide images (backdrops, stills, logos): an unknown file asked at
# one of them gets the wide shape.
WIDE_SIZES = ("w300", "w1280")
FILE = re.compile(r"^[\w-]{1,100}\.(?:jpg|jpeg|png|svg|webp)$", re.I)
IMAGE_KEYS = ("poster_path", "backdrop_path", "still_path", "profile_path", "logo_path")
NAME_KEYS = ("title", "name", "original_title", "original_name")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
MAX_TITLE = 120


@dataclass(frozen=True)
class Known:
    title: str
    key: str  # which *_path named it: decides the shape (poster, backdrop, ...)
    id: int | None
    # What the artwork is composed from (not what the file is): the title's genres, then year.
    genres: tuple[int, ...] = field(default=(), compare=False)
    year: str = field(default="", compare=False)


def _name_of(node: Mapping[str, Any]) -> str | None:
    for key in NAME_KEYS:
        value = node.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _walk(
    node: Any, owner: tuple[str | None, int | None], seen: set[int]
) -> Iterator[tuple[str, Known]]:
    if id(node) in seen:
        return
    if isinstance(node, Mapping):
        seen.add(id(node))
        own_name = _name_of(node)
        own_id = node.get("id") if isinstance(node.get("id"), int) else None
        here = (own_name or owner[0], own_id if own_name else (owner[1] or own_id))
        for key, value in node.items():
            if isinstance(value, str) and (key in IMAGE_KEYS or key == "file_path"):
                name = value.lstrip("/")
                if here[0] and FILE.match(name):
                    yield name, Known(here[0], key, here[1])
        for value in node.values():
            if isinstance(value, Mapping | list | tuple):
                yield from _walk(value, here, seen)
    elif isinstance(node, list | tuple):
        seen.add(id(node))
        for value in node:
            yield from _walk(value, owner, seen)


def build_index(roots: Any) -> dict[str, Known]:
    """File name -> what it shows. An object's own title wins over an ancestor's."""
    index: dict[str, Known] = {}
    for name, known in _walk(roots, (None, None), set()):
        current = index.get(name)
        if current is None or (current.key == "file_path" and known.key != "file_path"):
            index[name] = known
    return index


class DemoImages:
    """File name -> what it shows, over the demo catalog. Built on the first image request
    (the catalog's start-up never pays for it) and kept compact: sorted paths with a packed
    reference beside each (the catalog's own strings, no copies), the data file's sorted tables
    for stills, season posters and logos, and a `Known` made per lookup."""

    _KINDS = ("movie", "tv")
    _KEYS = ("poster_path", "backdrop_path")

    def __init__(self, demo: DemoTMDB) -> None:
        self._demo = demo
        store = demo.store
        refs: list[tuple[str, int]] = []
        # A reference packs (id, tag): tags 0-3 are kind x key of a title, 4 a person's photo.
        for kind_index, (kind, ids) in enumerate(
            (("movie", demo.movie_ids), ("tv", demo.series_ids))
        ):
            for title_id in ids:
                item = demo.item(kind, title_id) or {}
                for key_index, key in enumerate(self._KEYS):
                    path = item.get(key)
                    if isinstance(path, str) and path:
                        refs.append((path, title_id * 8 + kind_index * 2 + key_index))
        people = store.people()
        for person_id, path in zip(people.ids, people.profile_paths, strict=True):
            if path:
                refs.append((path, person_id * 8 + 4))
        refs.sort()
        self._paths = [path for path, _ in refs]
        self._refs = array("q", (ref for _, ref in refs))
        self._tables = store.images()
        recorded = store.head.get("recorded", {})
        named = [
            {**(demo.item(kind, i) or {}), "record": record}
            for kind in self._KINDS
            for i in recorded.get(kind, [])
            for record in [store.movie(i) if kind == "movie" else store.series(i)]
        ]
        self._recorded = build_index(named)

    def get(self, file_name: str) -> Known | None:
        demo = self._demo
        path = "/" + file_name
        position = bisect.bisect_left(self._paths, path)
        if position < len(self._paths) and self._paths[position] == path:
            ref = self._refs[position]
            found_id, tag = ref // 8, ref % 8
            if tag == 4:
                return Known(
                    demo.store.people().names[demo.store.people().index(found_id) or 0],
                    "profile_path",
                    found_id,
                )
            kind, key = self._KINDS[tag // 2], self._KEYS[tag % 2]
            item = demo.item(kind, found_id) or {}
            genres = tuple(g for g in item.get("genre_ids") or () if isinstance(g, int))
            date = item.get("release_date") or item.get("first_air_date") or ""
            year = date[:4] if isinstance(date, str) and date[:4].isdigit() else ""
            return Known(_name_of(item) or "", key, found_id, genres, year)
        stills = self._tables.get("stills")
        found = stills.find(file_name) if stills else None
        if stills is not None and found is not None:
            series_id = stills.columns["series"][found]
            season, episode = stills.columns["season"][found], stills.columns["episode"][found]
            name = _name_of(demo.item("tv", series_id) or {}) or ""
            return Known(f"{name} S{season} E{episode}", "still_path", series_id)
        posters = self._tables.get("season_posters")
        found = posters.find(file_name) if posters else None
        if posters is not None and found is not None:
            series_id, season = posters.columns["series"][found], posters.columns["season"][found]
            name = _name_of(demo.item("tv", series_id) or {}) or ""
            label = f"{name} Specials" if season == 0 else f"{name} Season {season}"
            return Known(label, "poster_path", series_id * 100 + season)
        logos = self._tables.get("logos")
        found = logos.find(file_name) if logos else None
        if logos is not None and found is not None:
            return Known(logos.labels[found], "logo_path", None)
        return self._recorded.get(file_name)


def _file(path: Any) -> str | None:
    name = path.lstrip("/") if isinstance(path, str) else ""
    return name if FILE.match(name) else None


_index_lock = threading.Lock()
_built: dict[str, DemoImages] = {}


def demo_index() -> DemoImages:
    """The index of the bundled demo catalog, built once per process."""
    with _index_lock:
        if "demo" not in _built:
            _built["demo"] = DemoImages(DemoTMDB.default())
        return _built["demo"]


def dimensions(size: str, wide: bool) -> tuple[int, int]:
    """The pixel size TMDB's CDN would answer `size` with, for this shape (2:3 or 16:9)."""
    ratio = 9 / 16 if wide else 3 / 2  # height / width
    if size.startswith("w"):
        width = int(size[1:])
        return width, max(1, round(width * ratio))
    if size.startswith("h"):
        height = int(size[1:])
        return max(1, round(height / ratio)), height
    return (1280, 720) if wide else (500, 750)


# Each genre's colour (a hue, and how light the palette runs): a horror poster is night-dark
# red, a family one bright green, a documentary sand. Titles vary it a little by id.
GENRE_HUES: dict[int, tuple[int, int]] = {
    28: (8, 34),  # Action
    12: (28, 36),  # Adventure
    16: (285, 44),  # Animation
    35: (45, 42),  # Comedy
    80: (35, 22),  # Crime
    99: (38, 30),  # Documentary
    18: (218, 30),  # Drama
    10751: (130, 38),  # Family
    14: (265, 32),  # Fantasy
    36: (30, 26),  # History
    27: (355, 16),  # Horror
    10402: (315, 38),  # Music
    9648: (235, 22),  # Mystery
    10749: (335, 40),  # Romance
    878: (188, 30),  # Science Fiction
    10770: (205, 30),  # TV Movie
    53: (205, 20),  # Thriller
    10752: (75, 22),  # War
    37: (24, 28),  # Western
    10759: (18, 34),  # Action & Adventure
    10762: (160, 44),  # Kids
    10763: (210, 28),  # News
    10764: (300, 40),  # Reality
    10765: (195, 30),  # Sci-Fi & Fantasy
    10766: (340, 34),  # Soap
    10767: (50, 36),  # Talk
    10768: (70, 22),  # War & Politics
}


def _hue(seed: int) -> int:
    return (seed * 137) % 360


def _palette(known: Known, file_name: str) -> tuple[str, str, str]:
    """Top, bottom and glow colours: from the first two genres where known, else the id."""
    seed = known.id if known.id is not None else zlib.crc32(file_name.encode())
    jitter = (seed * 7919) % 25 - 12
    first = GENRE_HUES.get(known.genres[0]) if known.genres else None
    if first is None:
        hue, light = _hue(seed), 30
    else:
        hue, light = (first[0] + jitter) % 360, first[1]
    second = GENRE_HUES.get(known.genres[1]) if len(known.genres) > 1 else None
    glow = (second[0] if second else hue + 40) % 360
    return (
        f"hsl({hue}, 55%, {light}%)",
        f"hsl({hue}, 60%, {max(6, light // 3)}%)",
        f"hsl({glow}, 80%, {min(70, light + 25)}%)",
    )


def _lines(title: str, width: int, most: int = 4) -> list[str]:
    words = title.split()
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if len(candidate) <= width or not current:
            current = candidate[: width * 2]
        else:
            lines.append(current)
            current = word[: width * 2]
        if len(lines) == most:
            break
    if current and len(lines) < most:
        lines.append(current)
    return lines


def _xml(text: str) -> str:
    """Text safe in XML content and in a double- or single-quoted attribute."""
    return escape(text, {'"': "&quot;", "'": "&apos;"})


def _initials(name: str) -> str:
    return "".join(part[0] for part in name.split()[:2]).upper()


def render_svg(known: Known | None, file_name: str, size: str = "original") -> str:
    """A placeholder in the image's shape (2:3 poster or photo, 16:9 backdrop, still or logo),
    drawn on a fixed canvas and sized (width and height) as `size` asks.

    Posters are composed like posters: the genre's colours, a glow, and the title set large at
    the foot with the year above it. Backdrops and stills carry no text: pages print the title
    beside them (a title drawn in the picture too would be said twice). Photos show initials;
    logos the name. An unknown file is a neutral grey."""
    if known is None:
        wide = size in WIDE_SIZES
    elif known.key == "file_path":
        wide = "backdrop" in file_name.lower()
    else:
        wide = known.key in WIDE_KEYS
    width, height = (1280, 720) if wide else (500, 750)
    shown_width, shown_height = dimensions(size, wide)
    if known is None:
        top, bottom, glow, title = "#3a3a3a", "#1f1f1f", "#555555", ""
    else:
        top, bottom, glow = _palette(known, file_name)
        title = _CONTROL.sub("", known.title)[:MAX_TITLE]
    texts = ""
    if known is not None and known.key == "profile_path":
        texts = (
            f'<text x="250" y="430" text-anchor="middle" font-family="Helvetica, Arial, sans-serif"'
            f' font-size="150" font-weight="700" fill="#ffffff" fill-opacity="0.85">'
            f"{_xml(_initials(title))}</text>"
        )
    elif known is not None and known.key == "logo_path":
        lines = _lines(title, 32, 2)
        texts = "".join(
            f'<text x="640" y="{360 + (i - (len(lines) - 1) / 2) * 96:.0f}" text-anchor="middle" '
            'font-family="Helvetica, Arial, sans-serif" font-size="80" font-weight="800" '
            f'fill="#ffffff">{_xml(line)}</text>'
            for i, line in enumerate(lines)
        )
    elif not wide and title:
        # The title large at the foot, as long as the longest line allows.
        lines = _lines(title.upper(), 12, 4)
        longest = max(len(line) for line in lines)
        font = max(34, min(80, int(440 / max(1, longest) * 1.3)))
        last_y = height - 70

        def fit(line: str) -> str:
            # Capitals run ~0.72 em wide: a line that would pass the margins is squeezed.
            return (
                ' textLength="440" lengthAdjust="spacingAndGlyphs"'
                if len(line) * font * 0.72 > 440
                else ""
            )

        texts = "".join(
            f'<text x="250" y="{last_y - (len(lines) - 1 - i) * font * 1.05:.0f}"{fit(line)} '
            'text-anchor="middle" font-family="Impact, \'Arial Narrow\', Helvetica, sans-serif" '
            f'font-size="{font}" font-weight="800" letter-spacing="1" fill="#ffffff">'
            f"{_xml(line)}</text>"
            for i, line in enumerate(lines)
        )
        if known is not None and known.year:
            kicker_y = last_y - (len(lines) - 1) * font * 1.05 - font - 8
            texts = (
                f'<text x="250" y="{kicker_y:.0f}" text-anchor="middle" '
                'font-family="Helvetica, Arial, sans-serif" font-size="24" letter-spacing="8" '
                f'fill="#ffffff" fill-opacity="0.75">{_xml(known.year)}</text>' + texts
            )
    label = _xml(title or "No image")
    cx, cy, r = (width * 0.72, height * 0.3, width * 0.55) if wide else (250, 250, 330)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{shown_width}" height="{shown_height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{label}">'
        '<defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1">'
        f'<stop offset="0" stop-color="{top}"/><stop offset="1" stop-color="{bottom}"/>'
        '</linearGradient><radialGradient id="l">'
        f'<stop offset="0" stop-color="{glow}" stop-opacity="0.75"/>'
        f'<stop offset="1" stop-color="{glow}" stop-opacity="0"/></radialGradient>'
        '<linearGradient id="f" x1="0" y1="0" x2="0" y2="1">'
        '<stop offset="0.45" stop-color="#000" stop-opacity="0"/>'
        '<stop offset="1" stop-color="#000" stop-opacity="0.7"/></linearGradient></defs>'
        f'<rect width="{width}" height="{height}" fill="url(#g)"/>'
        f'<circle cx="{cx:.0f}" cy="{cy:.0f}" r="{r:.0f}" fill="url(#l)"/>'
        f'<path d="M0 {height * 0.62:.0f} L{width} {height * 0.48:.0f} L{width} {height} L0 '
        f'{height}Z" fill="#000" fill-opacity="0.18"/>'
        f'<rect width="{width}" height="{height}" fill="url(#f)"/>'
        f"{texts}</svg>"
    )


# Apps that join TMDB's base and a `/abc.jpg` path with a slash of their own ask for
# `/t/p/original//abc.jpg`, which TMDB's CDN answers; so do we, without a redirect.
@bp.get("/images/t/p/<size>/<file_name>")
@bp.get("/images/t/p/<size>//<file_name>", merge_slashes=False)
def image(size: str, file_name: str) -> Response:
    if not SIZE.match(size) or not FILE.match(file_name):
        raise not_found("image")
    known = demo_index().get(file_name)
    response = Response(render_svg(known, file_name, size), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = IMMUTABLE if known is not None else UNKNOWN_MAX_AGE
    response.headers["Content-Security-Policy"] = SVG_CSP
    return response
