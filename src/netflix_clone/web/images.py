"""Placeholder images for the demo catalog: every poster, backdrop, still and photo is an SVG.

With the demo catalog, cards carry image URLs under `DEMO_IMAGE_BASE_URL` (`/images/t/p`), in
TMDB's own layout (`/images/t/p/w342/abc.jpg`). Each file name is looked up in an index of the
demo data built generically: every object holding a `*_path` image (poster, backdrop, still,
profile, logo, file) gives its file the object's title or name (or its nearest ancestor's) and
id. The answer is an SVG with that title on a colour derived from the id; an unknown file gets a
neutral placeholder, never an error page. Titles are escaped; the SVG carries a CSP that forbids
scripts should anyone open it directly.
"""

from __future__ import annotations

import functools
import re
import zlib
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


@functools.cache
def demo_index() -> dict[str, Known]:
    """The index of the bundled demo catalog, built once per process from all of its data."""
    return build_index(list(vars(DemoTMDB.default()).values()))


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


def render_svg(known: Known | None, file_name: str) -> str:
    """An SVG poster (2:3) or backdrop (16:9) with the escaped title, or a neutral one."""
    wide = known is not None and known.key in ("backdrop_path", "still_path", "logo_path")
    if known is not None and known.key == "file_path":
        wide = "backdrop" in file_name.lower()
    width, height = (1280, 720) if wide else (500, 750)
    if known is None:
        top, bottom, title = "#3a3a3a", "#1f1f1f", ""
    else:
        seed = known.id if known.id is not None else zlib.crc32(file_name.encode())
        hue = _hue(seed)
        top, bottom = f"hsl({hue}, 45%, 30%)", f"hsl({hue}, 55%, 12%)"
        title = _CONTROL.sub("", known.title)[:MAX_TITLE]
    # Posters: the title centred. Backdrops sit behind headings: the title small, bottom right.
    per_line = 32 if wide else 14
    size = 40 if wide else 44
    lines = _lines(title, per_line)
    x: float
    if wide:
        x, anchor = width - 48, "end"
        first_y = height - 48 - (len(lines) - 1) * size * 1.2
    else:
        x, anchor = width / 2, "middle"
        first_y = height / 2 - (len(lines) - 1) * size * 0.6
    opacity = 0.7 if wide else 1
    texts = "".join(
        f'<text x="{x:.0f}" y="{first_y + i * size * 1.2:.0f}" text-anchor="{anchor}" '
        f'font-family="Helvetica, Arial, sans-serif" font-size="{size}" font-weight="700" '
        f'fill="#ffffff" fill-opacity="{opacity}">{_xml(line)}</text>'
        for i, line in enumerate(lines)
    )
    label = _xml(title or "No image")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{label}">'
        '<defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1">'
        f'<stop offset="0" stop-color="{top}"/><stop offset="1" stop-color="{bottom}"/>'
        "</linearGradient></defs>"
        f'<rect width="{width}" height="{height}" fill="url(#g)"/>'
        f'<rect x="16" y="16" width="{width - 32}" height="{height - 32}" fill="none" '
        'stroke="#ffffff" stroke-opacity="0.15" stroke-width="4"/>'
        f"{texts}</svg>"
    )


@bp.get("/images/t/p/<size>/<file_name>")
def image(size: str, file_name: str) -> Response:
    if not SIZE.match(size) or not FILE.match(file_name):
        raise not_found("image")
    known = demo_index().get(file_name)
    response = Response(render_svg(known, file_name), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = IMMUTABLE if known is not None else UNKNOWN_MAX_AGE
    response.headers["Content-Security-Policy"] = SVG_CSP
    return response
