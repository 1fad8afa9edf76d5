"""Title records (movies and series) and the one maturity filter every list, row and detail
goes through. The catalog owns these; member data (netflix_clone.library) refers to them by
(kind, id) and never the other way round."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.exc import IntegrityError

from netflix_clone.accounts import maturity as levels
from netflix_clone.accounts.models import Profile
from netflix_clone.catalog import maturity, normalise
from netflix_clone.catalog.models import Title, TitleKey
from netflix_clone.catalog.schemas import TitleCard
from netflix_clone.catalog.service import DETAIL_APPENDS, SERIES_APPENDS, GenreMaps, genre_maps
from netflix_clone.catalog.source import Catalog
from netflix_clone.catalog.tmdb import UpstreamError, UpstreamNotFound
from netflix_clone.core.db import Database, Session, commit, savepoint, utcnow
from netflix_clone.core.exceptions import Forbidden, Unavailable, not_found

log = logging.getLogger(__name__)
RECORD_TTL = timedelta(days=7)
NOUN = {"movie": "movie", "series": "series"}


def details_request(key: TitleKey) -> tuple[str, dict[str, str]]:
    """The upstream request whose answer a title record is made from (shared with the detail
    endpoints through the cache)."""
    kind, title_id = key
    if kind == "series":
        return f"tv/{title_id}", {"language": "en-US", "append_to_response": SERIES_APPENDS}
    return f"movie/{title_id}", {"language": "en-US", "append_to_response": DETAIL_APPENDS}


def _fields(kind: str, raw: dict[str, Any], source: str) -> dict[str, Any]:
    series = kind == "series"
    name = raw.get("name") if series else raw.get("title")
    original = raw.get("original_name") if series else raw.get("original_title")
    released = raw.get("first_air_date") if series else raw.get("release_date")
    fields: dict[str, Any] = {
        "title": (normalise.text(name) or normalise.text(original) or "")[:300],
        "original_title": (normalise.text(original) or None),
        "overview": normalise.text(raw.get("overview")) or "",
        "release_date": str(normalise.date(released) or "") or None,
        "poster_path": raw.get("poster_path") if isinstance(raw.get("poster_path"), str) else None,
        "backdrop_path": (
            raw.get("backdrop_path") if isinstance(raw.get("backdrop_path"), str) else None
        ),
        "genre_ids": [
            g["id"]
            for g in raw.get("genres") or []
            if isinstance(g, dict) and isinstance(g.get("id"), int)
        ],
        "vote_average": normalise.number(raw.get("vote_average")),
        "vote_count": normalise.integer(raw.get("vote_count")) or 0,
        "popularity": normalise.number(raw.get("popularity")),
        "original_language": normalise.text(raw.get("original_language")),
        "adult": raw.get("adult") is True,
        "certifications": (
            normalise.tv_certifications(raw) if series else normalise.all_certifications(raw)
        ),
        "rating_source": source,
        "fetched_at": utcnow(),
    }
    if series:
        fields["seasons"] = normalise.season_counts(raw)
        fields["last_aired"] = normalise.last_aired(raw)
        fields["episode_runtime"] = normalise.episode_runtime(raw)
    return fields


def _fetch_raw(cat: Catalog, key: TitleKey) -> tuple[TitleKey, dict[str, Any] | None, str]:
    """Details through the shared cache; None when the catalog has no such title."""
    path, params = details_request(key)
    try:
        fetched = cat.fetch(path, params)
    except UpstreamNotFound:
        return key, None, cat.source.name
    body = fetched.body if isinstance(fetched.body, dict) else None
    return key, body, fetched.source


def _store(db: Session, key: TitleKey, raw: dict[str, Any], source: str) -> Title:
    fields = _fields(key[0], raw, source)
    title: Title | None = db.get(Title, key)
    try:
        with savepoint(db):
            if title is None:
                title = Title(kind=key[0], id=key[1], **fields)
                db.add(title)
            else:
                for name, value in fields.items():
                    setattr(title, name, value)
    except IntegrityError:  # another request stored it first; theirs is as good as ours
        stored: Title | None = db.get(Title, key, populate_existing=True)
        if stored is None:
            raise
        title = stored
    return title


def load_titles(db: Session, keys: Iterable[TitleKey]) -> dict[TitleKey, Title]:
    """The records we have for these keys, in one query."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    rows = db.scalars(select(Title).where(tuple_(Title.kind, Title.id).in_(wanted))).all()
    return {t.key: t for t in rows}


def records_for(db: Session, catalog: Catalog, keys: Iterable[TitleKey]) -> dict[TitleKey, Title]:
    """Records for these keys without writing and without asking TMDB: what we have stored (one
    query), and for what is missing, records made from details the catalog already holds. The
    rest are stored off the request path (`store_later`, charged to the requester's upstream
    budget); until then they have no record, and the maturity filter hides them from restricted
    profiles. A listing therefore never costs an upstream call per result."""
    wanted = list(dict.fromkeys(keys))
    found = load_titles(db, wanted)
    cutoff = utcnow() - RECORD_TTL
    old = [k for k in wanted if k in found and found[k].fetched_at < cutoff]
    missing = [k for k in wanted if k not in found]
    unknown = []
    if missing:
        cat = catalog
        for key in missing:
            path, params = details_request(key)
            held = _safe_peek(cat, path, params)
            body = held.body if held is not None and isinstance(held.body, dict) else None
            if body is not None:
                found[key] = Title(kind=key[0], id=key[1], **_fields(key[0], body, held.source))
            else:
                unknown.append(key)
    if missing or old:
        store_later(db.database, catalog, [*missing, *old], charged=unknown)
    return found


def _safe_peek(cat: Catalog, path: str, params: dict[str, str]) -> Any:
    try:
        return cat.peek(path, params)
    except UpstreamError:
        return None  # the demo catalog's own refusal: no record


# --- title rows stored and refreshed off the request path ------------------------------------


# Keys waiting to be stored per process: beyond it, new ones wait for a later listing.
MAX_PENDING = 2000


class _TitleWriter:
    """One background thread per process that stores title rows, each key once at a time."""

    def __init__(self) -> None:
        self._pending: set[TitleKey] = set()
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None

    def submit(self, database: Database, catalog: Catalog, keys: Iterable[TitleKey]) -> None:
        with self._lock:
            fresh = [k for k in dict.fromkeys(keys) if k not in self._pending]
            fresh = fresh[: max(0, MAX_PENDING - len(self._pending))]
            if not fresh:
                return
            self._pending.update(fresh)
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="title-rows")
            pool = self._pool
        pool.submit(self._store_all, database, catalog, fresh)

    def _store_all(self, database: Database, catalog: Catalog, keys: list[TitleKey]) -> None:
        db = database.session()
        try:
            for key in keys:
                try:
                    _, raw, source = _fetch_raw(catalog, key)
                    if raw is not None:
                        _store(db, key, raw, source)
                        commit(db)
                except Exception as exc:
                    db.rollback()
                    log.warning(
                        "storing title %s %s failed: %s", key[0], key[1], type(exc).__name__
                    )
        finally:
            db.close()
            with self._lock:
                self._pending.difference_update(keys)

    def idle(self, timeout: float) -> bool:
        """Whether the writes queued so far have finished (for tests and shutdown)."""
        with self._lock:
            pool = self._pool
        if pool is not None:
            try:
                pool.submit(lambda: None).result(timeout=timeout)
            except TimeoutError:
                return False
        with self._lock:
            return not self._pending


_WRITER = _TitleWriter()


def store_later(
    database: Database, catalog: Catalog, keys: Iterable[TitleKey], charged: Iterable[TitleKey] = ()
) -> None:
    """Store (or refresh) these titles' rows in the background, off the request path. The
    `charged` ones need an upstream call we don't hold the answer to: each is charged to the
    requester's upstream budget, and those beyond it are left for a later request."""
    wanted = list(dict.fromkeys(keys))
    costly = set(charged)
    if costly:
        allowed = catalog.charge(len(costly))
        over = [k for k in wanted if k in costly][allowed:]
        wanted = [k for k in wanted if k not in set(over)]
    _WRITER.submit(database, catalog, wanted)


def wait_for_stored(timeout: float = 10.0) -> bool:
    return _WRITER.idle(timeout)


def ensure_title(db: Session, catalog: Catalog, key: TitleKey) -> Title:
    """The title's row for a write (a heartbeat, a rating): never waits on TMDB when we have
    one, however old; old rows are refreshed off the request path when a listing reads them."""
    title = db.get(Title, key)
    if title is not None:
        return title
    _, raw, source = _fetch_raw(catalog, key)
    if raw is None:
        raise not_found(NOUN.get(key[0], "title"))
    return _store(db, key, raw, source)


def title_record(db: Session, catalog: Catalog, key: TitleKey) -> Title:
    """The title's record for a read (the maturity check of a details page): stored or made
    from its details (the page's own, through the cache), never written here. 404 when the
    catalog has no such title; Unavailable (503) when its details can't be had: a restricted
    profile then gets neither the title nor a guess."""
    title = db.get(Title, key)
    if title is not None:
        if title.fetched_at < utcnow() - RECORD_TTL:
            store_later(db.database, catalog, [key])
        return title
    try:
        _, raw, source = _fetch_raw(catalog, key)
    except UpstreamError as exc:
        raise Unavailable(
            "This title's age rating can't be checked right now; try again shortly.",
            code="rating-unavailable",
            retry_after=exc.retry_after or 5,
        ) from None
    if raw is None:
        raise not_found(NOUN.get(key[0], "title"))
    store_later(db.database, catalog, [key])
    return Title(kind=key[0], id=key[1], **_fields(key[0], raw, source))


def unrestricted(profile: Profile | None) -> bool:
    return profile is None or bool(profile.sees_everything)


def title_min_age(title: Title, profile: Profile) -> int | None:
    kind: maturity.Kind = "tv" if title.kind == "series" else "movie"
    return maturity.min_age(title.certifications or {}, profile.country, kind)[0]


def allowed(profile: Profile | None, title: Title | None) -> bool:
    """The one maturity filter. A title without a record (its details unavailable) or without
    a rating is hidden from restricted profiles: it fails closed."""
    if profile is None or unrestricted(profile):
        return True
    if title is None:
        return False
    return levels.allowed(profile.maturity_level, title_min_age(title, profile), profile.kids)


def require_allowed(profile: Profile | None, title: Title) -> None:
    if not allowed(profile, title):
        age = title_min_age(title, profile) if profile else None
        rating = f"rated for {age}+" if age is not None else "not rated"
        raise Forbidden(
            f"'{title.title}' is {rating}, above this profile's maturity level "
            f"({profile.maturity_level if profile else 'adults'}).",
            code="maturity-restricted",
        )


def card_key(card: TitleCard) -> TitleKey:
    return (card.kind, card.id)


def filter_cards(
    db: Session,
    catalog: Catalog,
    profile: Profile | None,
    cards: Sequence[TitleCard],
    exclude: set[TitleKey] | frozenset[TitleKey] = frozenset(),
    records: dict[TitleKey, Title] | None = None,
) -> list[TitleCard]:
    """The one filter: drops excluded titles and, for restricted profiles, over-limit ones.
    `records`: the titles' records when the caller already read them (one read for a page)."""
    kept = [c for c in cards if card_key(c) not in exclude]
    if unrestricted(profile):
        return kept
    if records is None:
        records = records_for(db, catalog, (card_key(c) for c in kept))
    return [c for c in kept if allowed(profile, records.get(card_key(c)))]


def card_from_title(catalog: Catalog, title: Title, genres: GenreMaps) -> TitleCard:
    released = normalise.date(title.release_date)
    base = catalog.image_base
    names = genres.get(title.kind, {})
    return TitleCard(
        kind=title.kind,
        id=title.id,
        title=title.title,
        original_title=title.original_title,
        overview=title.overview,
        release_date=released,
        year=released.year if released else None,
        genres=[{"id": g, "name": names[g]} for g in title.genre_ids or [] if g in names],
        poster_url=normalise.image_url(base, "w342", title.poster_path),
        backdrop_url=normalise.image_url(base, "w780", title.backdrop_path),
        rating=title.vote_average,
        vote_count=title.vote_count,
        popularity=title.popularity,
        original_language=title.original_language,
        adult=title.adult,
    )


def genres_for(catalog: Catalog, profile: Profile | None) -> GenreMaps:
    return genre_maps(catalog, profile.language if profile else "en-US")


# --- what a member never wants suggested (provided by the member-data package) ------------


def exclusions(db: Session, catalog: Catalog, profile: Profile) -> set[TitleKey]:
    """Titles the profile has hidden (disliked, removed from history). Member data provides
    this (`Catalog.exclusions`, wired in create_app), so the catalog never imports it."""
    provider = catalog.exclusions
    return provider(db, profile) if provider is not None else set()
