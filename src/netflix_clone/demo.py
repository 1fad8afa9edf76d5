"""The demo member of `make demo`: one account that looks lived in on its first sign-in.

Three profiles (one a kids profile), Continue Watching with movies at various points and a
series resumed mid-season, a finished movie in the history, My List and ratings, all from the
bundled demo catalog and all written through the same services as the API
(`accounts.service`, `accounts.profiles`, `library.service`): maturity levels, the Continue
Watching thresholds and the move to the next episode past 90 % apply as they would to a member.

Its password is published (README, `make demo`'s output), so it is only ever seeded into a
local database: `local_database_problem` says why any other is refused. Seeding again resets
the account: it is deleted (its sessions end, its data goes with it) and made anew, so every
`make demo` starts from the same state; no other member is touched.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from typing import Any

from netflix_clone.catalog.models import TitleKey
from netflix_clone.catalog.source import Catalog
from netflix_clone.core.container import Services
from netflix_clone.core.db import Session
from netflix_clone.core.settings import Settings

DEMO_EMAIL = "demo@example.com"
# Published on purpose (README, make demo): never a secret, so local databases only.
DEMO_PASSWORD = "popcorn-on-the-sofa"  # noqa: S105
DEMO_NAME = "Alex"


@dataclass(frozen=True)
class Watch:
    """Playback stopped at `fraction` of the movie, or of `episode` (season, number) of a
    series; a series is first watched to the end of the episode before, as a viewer would."""

    key: TitleKey
    fraction: float
    episode: tuple[int, int] | None = None


@dataclass(frozen=True)
class ProfilePlan:
    name: str
    kids: bool = False
    avatar: str = "default"
    finished: tuple[TitleKey, ...] = ()  # watched to the end: history, not Continue Watching
    watching: tuple[Watch, ...] = ()  # oldest first: the last one leads Continue Watching
    my_list: tuple[TitleKey, ...] = ()  # oldest first
    ratings: tuple[tuple[TitleKey, str], ...] = ()


def movie(title_id: int) -> TitleKey:
    return ("movie", title_id)


def series(title_id: int) -> TitleKey:
    return ("series", title_id)


STRANGER_THINGS = series(66732)
MIRACULOUS = series(65334)  # TV-Y7: a kids profile (older_kids) may watch it

# Titles of the bundled demo catalog (DemoTMDB.default()); the kids profile's are rated for
# at most 12 in the US (the account's country): G, PG, TV-Y7.
PLAN: tuple[ProfilePlan, ...] = (
    ProfilePlan(
        name=DEMO_NAME,  # the main profile, made with the account
        finished=(movie(550),),  # Fight Club
        watching=(
            Watch(movie(157336), 0.43),  # Interstellar
            Watch(movie(155), 0.23),  # The Dark Knight
            Watch(movie(27205), 0.74),  # Inception
            Watch(STRANGER_THINGS, 0.46, episode=(2, 4)),
        ),
        my_list=(
            movie(286217),  # The Martian
            movie(76341),  # Mad Max: Fury Road
            series(94605),  # Arcane
            movie(244786),  # Whiplash
            series(100088),  # The Last of Us
            movie(118340),  # Guardians of the Galaxy
        ),
        ratings=(
            (movie(157336), "love"),
            (movie(155), "love"),
            (movie(550), "like"),
            (movie(27205), "like"),
            (series(97546), "like"),  # Ted Lasso
            (movie(209112), "dislike"),  # Batman v Superman: Dawn of Justice
        ),
    ),
    ProfilePlan(
        name="Sam",
        avatar="blue",
        watching=(
            Watch(movie(244786), 0.37),  # Whiplash
            Watch(series(97546), 0.30, episode=(1, 7)),  # Ted Lasso
        ),
        my_list=(series(125988), movie(293660), movie(135397)),  # Silo, Deadpool, Jurassic World
        ratings=((movie(286217), "love"), (series(79744), "like")),  # The Martian, The Rookie
    ),
    ProfilePlan(
        name="Kids",
        kids=True,  # older_kids: rated for 12 at most
        avatar="yellow",
        watching=(
            Watch(movie(177572), 0.47),  # Big Hero 6
            Watch(MIRACULOUS, 0.45, episode=(1, 5)),
        ),
        my_list=(movie(109445), movie(211672)),  # Frozen, Minions
        ratings=((movie(211672), "love"), (movie(177572), "like")),
    ),
)

LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")


def _loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host.startswith("/")  # a Unix socket's directory: this machine


def local_database_problem(settings: Settings) -> str | None:
    """Why the demo member (a published password) must not go into this database; None when
    it is a local one: APP_ENV local or test, and SQLite or a server on this machine."""
    from sqlalchemy.engine import make_url

    if not settings.embedded:
        return (
            f"APP_ENV={settings.app_env}: the demo member's password is published, so it is "
            "only seeded where APP_ENV is local or test"
        )
    if settings.database_secret_id or settings.database_iam_user:
        return (
            "DATABASE_SECRET_ID or DATABASE_IAM_USER is set: a cloud database; the demo member "
            "is only seeded into a local one"
        )
    url = make_url(settings.sqlalchemy_url)
    if url.get_backend_name() == "sqlite":
        return None
    query_host = url.query.get("host")
    host: str | None = url.host or (
        query_host if isinstance(query_host, str) else None
    )  # psycopg: ?host=/run/postgresql
    if host is None:
        host = os.environ.get("PGHOST") or "/"  # libpq's default is the local Unix socket
    if _loopback(host):
        return None
    return (
        f"the database is on {host}, not this machine: the demo member (a published password) "
        "is only seeded into SQLite or a database on localhost"
    )


@dataclass
class Seeded:
    """What was written, for the command's summary."""

    reset: bool = False  # the account existed and was made anew
    lines: list[str] = field(default_factory=list)  # one per profile


def _details(catalog: Catalog, key: TitleKey) -> dict[str, Any]:
    from netflix_clone.catalog.titles import details_request

    path, params = details_request(key)
    body = catalog.fetch(path, params).body
    return body if isinstance(body, dict) else {}


def _minutes(catalog: Catalog, key: TitleKey, episode: tuple[int, int] | None) -> int:
    """The runtime the details page shows: the movie's, or the episode's."""
    if episode is None:
        return int(_details(catalog, key).get("runtime") or 120)
    season, number = episode
    body = catalog.fetch(f"tv/{key[1]}/season/{season}", {"language": "en-US"}).body
    for item in body.get("episodes", []) if isinstance(body, dict) else []:
        if item.get("episode_number") == number and item.get("runtime"):
            return int(item["runtime"])
    runs = _details(catalog, key).get("episode_run_time") or [45]
    return int(runs[0])


def _name(db: Session, catalog: Catalog, key: TitleKey) -> str:
    from netflix_clone.catalog.titles import ensure_title

    return ensure_title(db, catalog, key).title


def _clock(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _seed_profile(db: Session, catalog: Catalog, profile: Any, plan: ProfilePlan) -> str:
    from netflix_clone.library import service as library

    for key in plan.finished:
        seconds = _minutes(catalog, key, None) * 60
        library.record_progress(db, catalog, profile, key, seconds, seconds, 1)
    shown: list[str] = []
    for watch in plan.watching:
        episode = None
        sequence = 1
        if watch.episode is not None:
            season, number = watch.episode
            if number > 1:  # the episode before, to its end: the resume point moves on
                seconds = _minutes(catalog, watch.key, (season, number - 1)) * 60
                library.record_progress(
                    db,
                    catalog,
                    profile,
                    watch.key,
                    seconds,
                    seconds,
                    sequence,
                    library.EpisodeRef(season, number - 1),
                )
                sequence += 1
            episode = library.EpisodeRef(season, number)
        duration = _minutes(catalog, watch.key, watch.episode) * 60
        position = int(duration * watch.fraction)
        result = library.record_progress(
            db, catalog, profile, watch.key, position, duration, sequence, episode
        )
        if not result.stored or result.finished:  # the plan broke a threshold
            raise RuntimeError(f"{watch.key} at {watch.fraction:.0%} is not in Continue Watching")
        where = f" S{episode.season_number}:E{episode.episode_number}" if episode else ""
        shown.append(f"{_name(db, catalog, watch.key)}{where} at {_clock(position)}")
    for key in plan.my_list:
        library.add_to_list(db, catalog, profile, key)
    for key, rating in plan.ratings:
        library.rate(db, catalog, profile, key, rating)
    kind = " (kids profile)" if plan.kids else ""
    return (
        f"{plan.name}{kind}: Continue Watching {', '.join(reversed(shown))}; "
        f"My List {len(plan.my_list)}, ratings {len(plan.ratings)}"
    )


def seed_demo_member(svc: Services, catalog: Catalog) -> Seeded:
    """Reset (or create) the demo member and everything of theirs, through the services.
    Two units of work: the old account goes first (hashing a password may not follow writes)."""
    from netflix_clone.accounts import profiles
    from netflix_clone.accounts.service import remove_member, sign_up
    from netflix_clone.core.security import Principal

    seeded = Seeded()
    with svc.database.unit() as db:
        seeded.reset = remove_member(db, svc, DEMO_EMAIL)
    with svc.database.unit() as db:
        user = sign_up(db, svc, DEMO_EMAIL, DEMO_PASSWORD, DEMO_NAME)
        principal = Principal(user.id, user.role)
        main = profiles.list_profiles(db, principal, user.id)[0]
        for plan in PLAN:
            if plan.name == main.name:
                profile = main
            else:
                fields = {"name": plan.name, "kids": plan.kids, "avatar": plan.avatar}
                profile = profiles.create_profile(db, svc, principal, user.id, fields)
            seeded.lines.append(_seed_profile(db, catalog, profile, plan))
    return seeded
