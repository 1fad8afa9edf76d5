"""What the web layer hands to the code it calls: resolved here, per request, and nowhere else.

The app factory builds one `Wiring` (the kernel's services, the catalog, the home-screen
caches) and keeps it on the app; a request gets its own unit of work (`db_session()`), closed
when the request ends. Services receive these as arguments and never look them up.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g

from netflix_clone.catalog.source import Catalog
from netflix_clone.core.cache import LRU
from netflix_clone.core.container import Services
from netflix_clone.core.db import Session, read_only
from netflix_clone.library.browse import HomeCache

# Rendered bytes of anonymous catalog answers: (JSON, its ETag, its gzip encoding if worth it).
Memoised = tuple[bytes, str, bytes | None]
_KEY = "netflix_clone"


@dataclass(frozen=True)
class Wiring:
    services: Services
    catalog: Catalog
    home: HomeCache
    render_memo: LRU[tuple[str, str, float], Memoised]


def wire(app: Flask, wiring: Wiring) -> None:
    app.extensions[_KEY] = wiring

    @app.teardown_appcontext
    def _close_session(_error: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            session.close()


def wiring(app: Flask | None = None) -> Wiring:
    found: Wiring = (app or current_app).extensions[_KEY]
    return found


def services() -> Services:
    return wiring().services


def catalog() -> Catalog:
    return wiring().catalog


def current_session() -> Session | None:
    """This request's unit of work if it has begun, else None (nothing to commit or release)."""
    session: Session | None = g.get("db_session")
    return session


def db_session() -> Session:
    """This request's unit of work (one per request, opened on first use)."""
    session: Session | None = g.get("db_session")
    if session is None:
        session = g.db_session = services().database.session()
        if g.get("read_only"):
            read_only(session)
    return session


def reads_only() -> None:
    """This request only reads (GET, HEAD): its unit of work, if it opens one, is read-only
    (core.db.read_only). A request that never touches the database opens none."""
    g.read_only = True


def home() -> HomeCache:
    return wiring().home
