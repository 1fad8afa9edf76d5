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
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from flask import Blueprint, Response

from netflix_clone.catalog.demo_tmdb import DemoTMDB
from netflix_clone.exceptions import not_found

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
            return Known(_name_of(demo.item(kind, found_id) or {}) or "", key, found_id)
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


def _hue(seed: int) -> int:
    return (seed * 137) % 360


def _lines(title: str, width: int) -> list[str]:
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
        if len(lines) == 4:
            break
    if current and len(lines) < 4:
        lines.append(current)
    return lines


def _xml(text: str) -> str:
    """Text safe in XML content and in a double- or single-quoted attribute."""
    return escape(text, {'"': "&quot;", "'": "&apos;"})


def render_svg(known: Known | None, file_name: str, size: str = "original") -> str:
    """An SVG poster (2:3) or backdrop (16:9) with the escaped title, or a neutral one, drawn on
    a fixed canvas and sized (width and height) as `size` asks."""
    if known is None:
        wide = size in WIDE_SIZES
    elif known.key == "file_path":
        wide = "backdrop" in file_name.lower()
    else:
        wide = known.key in WIDE_KEYS
    width, height = (1280, 720) if wide else (500, 750)
    shown_width, shown_height = dimensions(size, wide)
    if known is None:
        top, bottom, title = "#3a3a3a", "#1f1f1f", ""
    else:
        seed = known.id if known.id is not None else zlib.crc32(file_name.encode())
        hue = _hue(seed)
        top, bottom = f"hsl({hue}, 45%, 30%)", f"hsl({hue}, 55%, 12%)"
        title = _CONTROL.sub("", known.title)[:MAX_TITLE]
    # Posters: the title centred. Backdrops sit behind headings: the title small, bottom right.
    per_line = 32 if wide else 14
    font = 40 if wide else 44
    lines = _lines(title, per_line)
    x: float
    if wide:
        x, anchor = width - 48, "end"
        first_y = height - 48 - (len(lines) - 1) * font * 1.2
    else:
        x, anchor = width / 2, "middle"
        first_y = height / 2 - (len(lines) - 1) * font * 0.6
    opacity = 0.7 if wide else 1
    texts = "".join(
        f'<text x="{x:.0f}" y="{first_y + i * font * 1.2:.0f}" text-anchor="{anchor}" '
        f'font-family="Helvetica, Arial, sans-serif" font-size="{font}" font-weight="700" '
        f'fill="#ffffff" fill-opacity="{opacity}">{_xml(line)}</text>'
        for i, line in enumerate(lines)
    )
    label = _xml(title or "No image")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{shown_width}" height="{shown_height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{label}">'
        '<defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1">'
        f'<stop offset="0" stop-color="{top}"/><stop offset="1" stop-color="{bottom}"/>'
        "</linearGradient></defs>"
        f'<rect width="{width}" height="{height}" fill="url(#g)"/>'
        f'<rect x="16" y="16" width="{width - 32}" height="{height - 32}" fill="none" '
        'stroke="#ffffff" stroke-opacity="0.15" stroke-width="4"/>'
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
