"""The home screen: ordered rows for one profile, each pageable on its own.

A profile's home screen is cached as its rendered bytes, keyed by (profile, its data version,
its latest viewing activity, per_row): every write that changes what the rows show bumps the
version in the same unit of work (accounts/versions.py), and every applied heartbeat moves the
latest viewing activity, so the next browse after a write rebuilds (read your writes); every
other browse is a cache hit costing one indexed read (both versions, one round trip). An entry
also expires when the first catalog answer it was built from does (then the rows would show
an old list). The cache is per process: its key comes from the database, so every worker and
pod is exact without sharing it."""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import bindparam, func, select

from netflix_clone.accounts.models import Profile, session_ended
from netflix_clone.catalog import service as catalog_rows
from netflix_clone.catalog.models import Title, TitleKey
from netflix_clone.catalog.schemas import TitleCard
from netflix_clone.catalog.service import CardsPage, CatalogRow, GenreMaps
from netflix_clone.catalog.source import Catalog
from netflix_clone.catalog.titles import (
    allowed,
    card_from_title,
    filter_cards,
    genres_for,
    records_for,
    unrestricted,
)
from netflix_clone.catalog.tmdb import UpstreamError, UpstreamUnusable
from netflix_clone.core.cache import LRU
from netflix_clone.core.db import Session, one_statement
from netflix_clone.core.exceptions import not_found
from netflix_clone.core.payloads import compressed, etag_for
from netflix_clone.library import service
from netflix_clone.library.models import Viewing
from netflix_clone.library.schemas import Browse, Row, RowReason

log = logging.getLogger(__name__)
ADULT_GENRES = (28, 35, 18, 878)  # Action, Comedy, Drama, Science Fiction
KIDS_GENRES = (16, 10751, 35, 12)  # Animation, Family, Comedy, Adventure
GENRE_ROWS = 4
BECAUSE_ROWS = 2
LIKED_SAMPLE = 20  # the most recent likes shape the genre rows

# A cached home screen is rebuilt at least this often, whatever its catalog entries say.
MAX_CACHED_SECONDS = 300
# Per process: ~160 home screens of 20 cards a row (~100 KB each). Kept small because every
# gunicorn worker holds its own and the pod's memory request (256 Mi, HPA at 80 %) was sized
# before this cache; a miss costs one rebuild (~15 ms), not correctness.
CACHE_BYTES = 16 * 2**20

Loader = Callable[[int, int], tuple[list[TitleCard], bool]]

# The earliest `fresh_until` of the catalog answers read while building a home screen.
_built_until: contextvars.ContextVar[list[float] | None] = contextvars.ContextVar(
    "browse_built_until", default=None
)


def _note_fresh_until(value: float) -> None:
    seen = _built_until.get()
    if seen is not None:
        seen.append(value)


@dataclass(frozen=True)
class RowSpec:
    id: str
    title: str
    reason: RowReason
    load: Loader


def _catalog_loader(
    catalog: Catalog, home: HomeCache, profile: Profile, genres: GenreMaps, row: CatalogRow
) -> Loader:
    def load(page: int, per_row: int) -> tuple[list[TitleCard], bool]:
        found = catalog_rows.row_page(catalog, row, profile.language, page, genres, home.memo)
        _note_fresh_until(found.fresh_until)
        return found.cards, found.more

    return load


def _member_loader(
    db: Session,
    catalog: Catalog,
    profile: Profile,
    rows_of: Callable[[Session, Profile, int, int], tuple[Sequence[tuple[Any, Title]], int]],
) -> Loader:
    """A row from the profile's own data (Continue Watching, My List): cards from our records."""

    def load(page: int, per_row: int) -> tuple[list[TitleCard], bool]:
        rows, total = rows_of(db, profile, page, per_row)
        genres = genres_for(catalog, profile)
        return [card_from_title(catalog, t, genres) for _, t in rows], total > page * per_row

    return load


def _favourite_genres(profile: Profile, liked: list[Title]) -> list[int]:
    """Movie genres for the genre rows (TV genre ids differ, so liked series don't count)."""
    counts: Counter[int] = Counter()
    for title in liked:
        if title.kind == "movie":
            counts.update(title.genre_ids or [])
    defaults = KIDS_GENRES if profile.kids else ADULT_GENRES
    ordered = [g for g, _ in counts.most_common()] + list(defaults)
    return list(dict.fromkeys(ordered))[:GENRE_ROWS]


def _titles_loader(catalog: Catalog, titles: Sequence[Title], genres: GenreMaps) -> Loader:
    """A row from member data already read (the home screen's one query per kind)."""

    def load(page: int, per_row: int) -> tuple[list[TitleCard], bool]:
        start = (page - 1) * per_row
        cards = [card_from_title(catalog, t, genres) for t in titles[start : start + per_row]]
        return cards, len(titles) > start + per_row

    return load


def row_specs(
    db: Session,
    catalog: Catalog,
    home: HomeCache,
    profile: Profile,
    hidden: set[TitleKey],
    genres: GenreMaps,
    liked_keys: Sequence[TitleKey] | None = None,
) -> list[RowSpec]:
    specs = [
        RowSpec(
            "continue-watching",
            "Continue Watching",
            RowReason(kind="continue_watching"),
            _member_loader(db, catalog, profile, service.continue_watching),
        ),
        RowSpec(
            "my-list",
            "My List",
            RowReason(kind="my_list"),
            _member_loader(db, catalog, profile, service.my_list),
        ),
    ]
    for row_id, (title, reason, row) in catalog_rows.HOME_ROWS.items():
        specs.append(
            RowSpec(
                row_id,
                title,
                RowReason.model_validate({"kind": reason}),
                _catalog_loader(catalog, home, profile, genres, row),
            )
        )
    if liked_keys is None:
        liked_keys = service.rated_keys(db, profile, "love", "like")
    liked_keys = liked_keys[:LIKED_SAMPLE]
    records = records_for(db, catalog, liked_keys)  # one query (rated titles have rows)
    # Only titles the profile may see seed its rows: a title rated before the profile's level
    # was lowered must not reappear in a row's name or its recommendations.
    liked = [records[k] for k in liked_keys if k in records and allowed(profile, records[k])]
    for liked_title in [t for t in liked if t.key not in hidden][:BECAUSE_ROWS]:
        kind, title_id = liked_title.key
        is_movie = kind == "movie"
        specs.append(
            RowSpec(
                # A movie keeps its original row id; a series' id names its kind.
                f"because-{title_id}" if is_movie else f"because-series-{title_id}",
                f"Because you liked {liked_title.title}",
                RowReason(
                    kind="because_you_liked",
                    title_kind=kind,
                    title_id=title_id,
                    title_name=liked_title.title,
                    movie_id=title_id if is_movie else None,
                    movie_title=liked_title.title if is_movie else None,
                ),
                _catalog_loader(
                    catalog, home, profile, genres, catalog_rows.recommendations(kind, title_id)
                ),
            )
        )
    names = genres["movie"]
    for genre_id in _favourite_genres(profile, liked):
        if genre_id in names:
            specs.append(
                RowSpec(
                    f"genre-{genre_id}",
                    names[genre_id],
                    RowReason(kind="genre", genre_id=genre_id),
                    _catalog_loader(
                        catalog, home, profile, genres, catalog_rows.genre_row(genre_id)
                    ),
                )
            )
    return specs


def _build(
    db: Session,
    catalog: Catalog,
    profile: Profile,
    spec: RowSpec,
    page: int,
    per_row: int,
    exclude: set[TitleKey],
    loaded: tuple[list[TitleCard], bool] | None = None,
    records: dict[TitleKey, Title] | None = None,
) -> Row | None:
    try:
        candidates, has_more = loaded if loaded is not None else spec.load(page, per_row)
    except UpstreamError as exc:
        # One row failing must not take the home screen down with it.
        log.warning("browse row %s unavailable: %s", spec.id, type(exc).__name__)
        return None
    items = filter_cards(db, catalog, profile, candidates, exclude, records)[:per_row]
    return Row(
        id=spec.id, title=spec.title, reason=spec.reason, items=items, page=page, has_more=has_more
    )


def browse(
    db: Session, catalog: Catalog, home: HomeCache, profile: Profile, per_row: int
) -> Browse:
    """Every row's first page. Member data is three queries (ratings, viewings, My List),
    the genre maps are read once, every catalog row is a cache read, and a restricted
    profile's filter reads the records of all candidate titles in one query."""
    data = service.home_data(db, profile, per_row)
    genres = genres_for(catalog, profile)
    visible = unrestricted(profile)
    watching = data.watching if visible else [t for t in data.watching if allowed(profile, t)]
    listed = data.listed if visible else [t for t in data.listed if allowed(profile, t)]
    specs = row_specs(db, catalog, home, profile, data.hidden, genres, data.liked)
    specs[0] = replace(specs[0], load=_titles_loader(catalog, watching, genres))
    specs[1] = replace(specs[1], load=_titles_loader(catalog, listed, genres))
    loaded: dict[str, tuple[list[TitleCard], bool] | UpstreamError] = {}
    for spec in specs:
        try:
            loaded[spec.id] = spec.load(1, per_row)
        except UpstreamError as exc:
            loaded[spec.id] = exc
    records: dict[TitleKey, Title] | None = None
    if not visible:  # one read of every candidate's record, not one per row
        records = records_for(
            db,
            catalog,
            ((c.kind, c.id) for got in loaded.values() if isinstance(got, tuple) for c in got[0]),
        )
    exclude = set(data.hidden)
    rows = []
    for spec in specs:
        got = loaded[spec.id]
        if isinstance(got, UpstreamError):
            log.warning("browse row %s unavailable: %s", spec.id, type(got).__name__)
            continue
        # My List is the member's own list: shown whole, even where a title is also being
        # watched. Every other row leaves out what the rows above it show.
        own = spec.reason.kind == "my_list"
        row = _build(
            db,
            catalog,
            profile,
            spec,
            1,
            per_row,
            set(data.hidden) if own else exclude,
            got,
            records,
        )
        if row is None or not row.items:
            continue
        exclude |= {(item.kind, item.id) for item in row.items}  # no title twice on a page
        rows.append(row)
    return Browse(profile_id=profile.id, rows=rows)


@dataclass(frozen=True)
class Rendered:
    data: bytes
    etag: str
    until: float
    gzipped: bytes | None = None  # the gzip encoding, made once with the rendering

    @property
    def size(self) -> int:
        return len(self.data) + len(self.gzipped or b"")


class _ByteLRU:
    """Rendered home screens, least recently used dropped first, bounded in bytes."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._size = 0
        self._lock = threading.Lock()
        self._items: OrderedDict[Hashable, Rendered] = OrderedDict()

    def get(self, key: Hashable) -> Rendered | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Hashable, value: Rendered) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._size -= old.size
            self._items[key] = value
            self._size += value.size
            while self._size > self._limit and self._items:
                _, dropped = self._items.popitem(last=False)
                self._size -= dropped.size


class HomeCache:
    """What the home screen keeps per process: rendered screens (bounded in bytes) and the
    cards normalised from one catalog cache entry, shared by every profile's rows."""

    def __init__(self) -> None:
        self.screens = _ByteLRU(CACHE_BYTES)
        self.cards: LRU[Hashable, CardsPage] = LRU(512)

    def memo(self, key: Hashable, make: Callable[[], CardsPage]) -> CardsPage:
        known = self.cards.get(key)
        if known is None:
            known = make()
            self.cards.put(key, known)
        return known


# The profile's data version and its latest viewing activity (a heartbeat moves it without
# touching the profile row): both from indexes, in one round trip; and its cache nonce, so an
# entry is only ever this profile's (a key names the account, the profile id and the nonce).
_VERSION_COLUMNS = (
    Profile.data_version,
    select(func.max(Viewing.updated_at)).where(Viewing.profile_id == Profile.id).scalar_subquery(),
    Profile.cache_nonce,
)
_OWNED = (Profile.id == bindparam("profile_id"), Profile.user_id == bindparam("user_id"))
_VERSION_QUERY = select(*_VERSION_COLUMNS).where(*_OWNED)
# The warm path's one statement: the versions, and whether the token's session has ended (so
# the request needs no revocation-set round trip).
_HIT_QUERY = select(*_VERSION_COLUMNS, session_ended(bindparam("session_id"))).where(*_OWNED)


def _versions(db: Session, user_id: int, profile_id: int) -> tuple[int, Any, str] | None:
    row = (
        db.connection()
        .execute(_VERSION_QUERY, {"profile_id": profile_id, "user_id": user_id})
        .first()
    )
    return (row[0], row[1], row[2]) if row is not None else None


@dataclass(frozen=True)
class Lookup:
    rendered: Rendered | None  # the cached home screen, if still current
    session_ended: bool


def cached_hit(
    db: Session, home: HomeCache, user_id: int, profile_id: int, session_id: str, per_row: int
) -> Lookup | None:
    """The cached home screen when it is still current, and whether the token's session has
    ended: one indexed read (no entity, no account join, no session), nothing else. None when
    the profile is gone or not this member's: the full path says why."""
    row = one_statement(
        db, _HIT_QUERY, {"profile_id": profile_id, "user_id": user_id, "session_id": session_id}
    )
    if row is None:
        return None
    hit = home.screens.get((user_id, profile_id, row[0], row[1], row[2], per_row))
    return Lookup(hit if hit is not None and time.time() < hit.until else None, bool(row[3]))


def cached_browse(
    db: Session, catalog: Catalog, home: HomeCache, profile: Profile, per_row: int
) -> tuple[Rendered, bool]:
    """The profile's rendered home screen and whether it came from the cache."""
    versions = _versions(db, profile.user_id, profile.id) or (
        profile.data_version,
        None,
        profile.cache_nonce,
    )
    key = (profile.user_id, profile.id, *versions, per_row)
    now = time.time()
    hit = home.screens.get(key)
    if hit is not None and now < hit.until:
        return hit, True
    seen: list[float] = [now + MAX_CACHED_SECONDS]
    token = _built_until.set(seen)
    try:
        data = browse(db, catalog, home, profile, per_row).model_dump_json().encode()
    finally:
        _built_until.reset(token)
    rendered = Rendered(data, etag_for(data), min(seen), compressed(data))
    if rendered.until > now:  # built from stale catalog answers: next time, build again
        home.screens.put(key, rendered)
    return rendered, False


def row(
    db: Session,
    catalog: Catalog,
    home: HomeCache,
    profile: Profile,
    row_id: str,
    page: int,
    per_row: int,
) -> Row:
    hidden = service.hidden_keys(db, profile)
    for spec in row_specs(db, catalog, home, profile, hidden, genres_for(catalog, profile)):
        if spec.id == row_id:
            built = _build(db, catalog, profile, spec, page, per_row, hidden)
            if built is None:
                raise UpstreamUnusable("The catalog behind this row is unavailable.")
            return built
    raise not_found("row")
