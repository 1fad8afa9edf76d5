"""Issue 15: the home screen at the speed of a cache hit, as ratios to the same server's /healthz.

One gunicorn on PostgreSQL + Redis with the demo catalog; in the same run, in rounds of the four
scenarios below (``--rounds``, 3 by default), each after a warm-up (wrk, ``--connections`` 16).
Each ratio is taken within a round, against that round's ``/healthz``, and the median over the
rounds is reported: a shared machine's speed drifts over seconds (±40 % seen between runs
minutes apart), and neighbours in time share most of the drift.

1. ``GET /healthz`` (the yardstick: every other figure is a ratio to its req/s);
2. ``GET /api/movies?list=popular`` (a catalog cache hit; target: ratio >= 0.8);
3. ``GET /api/browse`` warm, for a member seeded like the issue's: 12 titles in My List (movies
   and series), loves and likes (so "Because you liked" rows exist), a dislike, and progress on
   movies and series episodes (Continue Watching full); target: ratio >= 0.5 and p99 <= 3x
   the health check's p99;
4. ``PUT /api/profile/progress/movie/{id}`` heartbeats, by a second member seeded the same way
   (so the first member's rows stay as seeded): each wrk thread writes its own movies,
   more of them than its connections, with a sequence that grows per request, so every write
   should apply (answers with ``"applied":false`` are counted); target: ratio >= 0.35.

The GET loads send ``Accept-Encoding`` as a browser does (``--accept-encoding``; ``''`` for
identity answers): the home screen and shared catalog pages then go gzipped, compressed once.

Then the scaling figure: members with 10, 100 and 1,000 titles in their history (progress)
and My List (capped at the app's 500), the same four ratings each; warm ``GET /api/browse`` for
each on one connection (latency is the request's own cost, not a queue's), in rounds of
alternating order (``--scaling-rounds``, 3 by default); target: the median over the rounds of
p50 with 1,000 / p50 with 10 <= 1.5. Real titles found through the lists and searches are
seeded through the API; when a size needs more (``--real-titles``), the rest are *synthetic copies*
inserted straight into the bench database (title rows copied from real demo titles under new
ids >= 900,000,000, with complete My List and viewing rows); the output says how many.

    .venv/bin/python bench/home.py [--duration 10] [--rounds 3] [--quick] [--sizes 10,100,1000]
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.harness import (
    RESULTS_DIR,
    BenchError,
    Load,
    LoadResult,
    Options,
    Row,
    Server,
    ServerConfig,
    base_parser,
    bearer,
    check_status,
    load_row,
    main,
    measure,
    member_token,
    progress,
    run_wrk,
    running_server,
)
from bench.member import profile_token, progress_load

NAME = "home"
MAX_LIST = 500  # the app's My List cap (library.service.MAX_LIST)
SYNTHETIC_BASE = 900_000_000  # ids of synthetic title copies; far above TMDB's
SEED_WORKERS = 8
SEED_ATTEMPTS = 5  # a seeding write answered 502/503/504 is sent again, this many times at most
HEARTBEAT_SPREAD = 4  # movies per wrk thread: this many times its connections (+ 1)
# --quick seeds at most this many real titles per scaling member through the API (the rest are
# synthetic copies), to keep a smoke run short; a full run seeds every title the API lists.
QUICK_REAL_TITLES = 100
MOVIE_LISTS = ("popular", "top_rated", "now_playing", "upcoming", "trending")
SERIES_LISTS = ("popular", "top_rated", "on_the_air", "airing_today", "trending")
SEARCH_WORDS = ("a", "e", "i", "o", "u", "the", "s", "n", "r", "t")
# Pages read per list or search: the demo catalog's lists run to 228 pages, and a few thousand
# distinct titles are plenty for every size the bench seeds.
DISCOVERY_PAGES = 25
# --quick reads this many: the same lists and searches, a few hundred distinct titles, enough for
# what a smoke run seeds (QUICK_REAL_TITLES, the heartbeats' movies); reading all 25 pages of
# each was ~500 requests, most of a smoke run's seeding time on a loaded 2-core machine.
QUICK_DISCOVERY_PAGES = 3
# The issue's targets: (what, comparison, bound)
TARGETS = {
    "movies_vs_healthz_rps": (">=", 0.8),
    "browse_vs_healthz_rps": (">=", 0.5),
    "browse_vs_healthz_p99": ("<=", 3.0),
    "heartbeat_vs_healthz_rps": (">=", 0.35),
    "browse_scaling_p50": ("<=", 1.5),
}
Key = tuple[str, int]  # (kind, id)
# What every browser sends (and so the web app): the home screen and catalog pages go gzipped.
BROWSER_ACCEPT_ENCODING = "gzip, deflate, br, zstd"


@dataclass
class Catalog:
    """Distinct titles the API lists, in discovery order (popular first)."""

    movies: list[int] = field(default_factory=list)
    series: list[int] = field(default_factory=list)

    def add(self, kind: str, ids: Iterable[int]) -> None:
        bucket = self.movies if kind == "movie" else self.series
        seen = set(bucket)
        for i in ids:
            if i not in seen:
                bucket.append(i)
                seen.add(i)

    def keys(self) -> list[Key]:
        """Movies and series interleaved, so any prefix holds both kinds."""
        mixed: list[Key] = []
        for movie, series in itertools.zip_longest(self.movies, self.series):
            if movie is not None:
                mixed.append(("movie", movie))
            if series is not None:
                mixed.append(("series", series))
        return mixed


def _pages(
    client: httpx.Client, path: str, params: dict[str, str], max_pages: int
) -> Iterable[dict[str, Any]]:
    page, last = 1, 1
    while page <= min(last, max_pages):
        response = client.get(path, params={**params, "page": str(page)})
        if response.status_code == 404 and page > 1:
            return
        body = check_status(response, 200, f"GET {path}").json()
        yield body
        last = int(body.get("total_pages") or 1)
        page += 1


def discover(client: httpx.Client, max_pages: int = DISCOVERY_PAGES) -> Catalog:
    """Every title the public lists and searches reach in their first `max_pages` pages (the
    API has no "all titles")."""
    found = Catalog()
    for name in MOVIE_LISTS:
        for body in _pages(client, "/api/movies", {"list": name}, max_pages):
            found.add("movie", (m["id"] for m in body["results"]))
    for name in SERIES_LISTS:
        for body in _pages(client, "/api/series", {"list": name}, max_pages):
            found.add("series", (s["id"] for s in body["results"]))
    for word in SEARCH_WORDS:
        for body in _pages(client, "/api/search", {"q": word}, max_pages):
            for item in body["results"]:
                found.add(item.get("kind", "movie"), [item["id"]])
    if len(found.movies) < 40 or len(found.series) < 10:
        raise BenchError(
            f"the demo catalog lists too few titles ({len(found.movies)} movies, "
            f"{len(found.series)} series)"
        )
    return found


# --------------------------------------------------------------------------- seeding via the API


class Seeder:
    """A profile's member data, written through the API by a thread pool."""

    def __init__(self, client: httpx.Client, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers
        self.sequence = itertools.count(1)
        self.refused: dict[str, int] = {}
        self.retried = 0
        self.lock = threading.Lock()

    def _put(self, path: str, body: dict[str, Any] | None, what: str) -> bool:
        for attempt in range(1, SEED_ATTEMPTS + 1):
            response = self.client.put(path, json=body, headers=self.headers)
            if response.status_code in (200, 201):
                return True
            if response.status_code in (403, 422):  # above the profile's level; a bad episode
                with self.lock:
                    self.refused[what] = self.refused.get(what, 0) + 1
                return False
            if response.status_code not in (502, 503, 504) or attempt == SEED_ATTEMPTS:
                break
            # An overloaded server (e.g. its database pool exhausted) says "try again shortly";
            # the same body again is safe: every seeding write is idempotent.
            with self.lock:
                self.retried += 1
                RETRIED[0] += 1
            wait = response.headers.get("Retry-After", "")
            time.sleep(min(float(wait) if wait.isdigit() else attempt, 5.0))
        raise BenchError(f"{what} {path}: HTTP {response.status_code}: {response.text[:300]}")

    def add_to_list(self, key: Key) -> bool:
        return self._put(f"/api/profile/list/{key[0]}/{key[1]}", None, "My List")

    def rate(self, key: Key, rating: str) -> bool:
        return self._put(
            f"/api/profile/ratings/{key[0]}/{key[1]}", {"rating": rating}, f"rating {rating}"
        )

    def watch(self, key: Key, finished: bool = False) -> bool:
        duration = 6000
        position = 5700 if finished else 600 + (key[1] * 37) % 4200
        body: dict[str, Any] = {
            "position_seconds": position,
            "duration_seconds": duration,
            "sequence": next(self.sequence),
        }
        if key[0] == "series":
            body.update(season_number=1, episode_number=1)
        return self._put(f"/api/profile/progress/{key[0]}/{key[1]}", body, "progress")

    def many(self, calls: Sequence[Callable[[], bool]]) -> int:
        with ThreadPoolExecutor(max_workers=SEED_WORKERS) as pool:
            return sum(pool.map(lambda call: call(), calls))


def new_member(client: httpx.Client) -> dict[str, str]:
    user_id, token = member_token(client, f"bench-home-{uuid.uuid4().hex[:8]}@example.com")
    return bearer(profile_token(client, user_id, token))


def seed_issue_member(client: httpx.Client, found: Catalog, headers: dict[str, str]) -> str:
    """12 titles in My List, 2 loves + 2 likes + 1 dislike, progress on 6 movies and 4 series."""
    seeder = Seeder(client, headers)
    keys = found.keys()
    listed = keys[:12]
    rated = keys[12:17]
    watching = [("movie", i) for i in found.movies[20:26]] + [
        ("series", i) for i in found.series[10:14]
    ]
    ratings = ["love", "like", "love", "like", "dislike"]
    added = seeder.many([partial(seeder.add_to_list, k) for k in listed])
    # One at a time: the most recent likes pick the "Because you liked" rows, same every run.
    rates = sum(seeder.rate(k, r) for k, r in zip(rated, ratings, strict=True))
    watched = seeder.many([partial(seeder.watch, k) for k in watching])
    refused = f"; refused: {seeder.refused}" if seeder.refused else ""
    if seeder.retried:
        refused += f"; {seeder.retried} writes retried after 502/503/504"
    return f"{added} in My List, {rates} rated, {watched} in progress{refused}"


# --------------------------------------------------------------------------- direct rows


def _pg_dsn(database_url: str) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise BenchError(f"synthetic rows need PostgreSQL, not {url.get_backend_name()}")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def insert_synthetic(database_url: str, profile_id: int, list_n: int, history_n: int) -> int:
    """Complete rows the API cannot make (the demo catalog has too few titles): movie title rows
    copied from the real ones the API stored, under ids SYNTHETIC_BASE + n (title suffixed
    "(bench copy)", fetched now so nothing refetches them), then My List entries and viewings
    for the profile, older than its real ones; every fourth viewing finished; the profile's
    data version (when the schema has one) bumped. Returns how many title copies exist."""
    import psycopg
    from psycopg import sql

    wanted = max(list_n, history_n)
    if wanted <= 0:
        return 0
    with psycopg.connect(_pg_dsn(database_url), autocommit=False, connect_timeout=5) as conn:
        columns = [
            row[0]
            for row in conn.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'titles' AND table_schema = current_schema() "
                "ORDER BY ordinal_position"
            )
        ]
        special = {
            "id": sql.SQL("%(base)s + g.n"),
            "title": sql.SQL("left(t.title, 280) || ' (bench copy)'"),
            "fetched_at": sql.SQL("now()"),
        }
        exprs = sql.SQL(", ").join(special.get(c, sql.Identifier("t", c)) for c in columns)
        copy_titles = sql.SQL(
            "INSERT INTO titles ({names}) SELECT {exprs} "
            "FROM generate_series(1, %(n)s) AS g(n) "
            "JOIN (SELECT *, row_number() OVER (ORDER BY id) - 1 AS rn FROM titles "
            "      WHERE kind = 'movie' AND id < %(base)s) AS t "
            "  ON t.rn = (g.n - 1) %% (SELECT count(*) FROM titles "
            "                          WHERE kind = 'movie' AND id < %(base)s) "
            "ON CONFLICT DO NOTHING"
        ).format(names=sql.SQL(", ").join(map(sql.Identifier, columns)), exprs=exprs)
        conn.execute(copy_titles, {"base": SYNTHETIC_BASE, "n": wanted})
        params = {"base": SYNTHETIC_BASE, "profile": profile_id}
        conn.execute(
            "INSERT INTO my_list (profile_id, kind, title_id, added_at) "
            "SELECT %(profile)s, 'movie', %(base)s + n, now() - make_interval(mins => n) "
            "FROM generate_series(1, %(n)s) AS n",
            {**params, "n": list_n},
        )
        conn.execute(
            "INSERT INTO viewings (profile_id, kind, title_id, season_number, episode_number, "
            "  position_seconds, duration_seconds, sequence, started_at, updated_at, "
            "  finished_at, hidden_from_row, hidden_from_history) "
            "SELECT %(profile)s, 'movie', %(base)s + n, NULL, NULL, "
            "  CASE WHEN n %% 4 = 0 THEN 5700 ELSE 600 + (n * 37) %% 4200 END, 6000, 1, "
            "  now() - make_interval(mins => n + 1), now() - make_interval(mins => n), "
            "  CASE WHEN n %% 4 = 0 THEN now() - make_interval(mins => n) END, false, false "
            "FROM generate_series(1, %(n)s) AS n",
            {**params, "n": history_n},
        )
        # Where the app keys a cached home screen by the profile's data version, rows written
        # behind its back must bump it, as every API write that changes the rows does.
        versioned = conn.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = 'profiles' AND column_name = 'data_version'"
        ).fetchone()
        if versioned:
            conn.execute(
                "UPDATE profiles SET data_version = data_version + 1 WHERE id = %s",
                (profile_id,),
            )
        copies = conn.execute(
            "SELECT count(*) FROM titles WHERE id >= %(base)s", {"base": SYNTHETIC_BASE}
        ).fetchone()
        conn.commit()
    return int(copies[0]) if copies else 0


def stored_counts(database_url: str, profile_id: int) -> tuple[int, int]:
    """(My List entries, viewings) the database holds for the profile."""
    import psycopg

    with psycopg.connect(_pg_dsn(database_url), connect_timeout=5) as conn:
        listed = conn.execute(
            "SELECT count(*) FROM my_list WHERE profile_id = %s", (profile_id,)
        ).fetchone()
        viewed = conn.execute(
            "SELECT count(*) FROM viewings WHERE profile_id = %s", (profile_id,)
        ).fetchone()
    return int(listed[0]) if listed else 0, int(viewed[0]) if viewed else 0


@dataclass
class ScaledMember:
    size: int
    headers: dict[str, str]
    profile_id: int
    real_list: int
    real_history: int
    synthetic_list: int
    synthetic_history: int
    stored_list: int = 0
    stored_history: int = 0

    def describe(self) -> str:
        text = f"My List {self.stored_list}, history {self.stored_history}"
        if self.synthetic_list or self.synthetic_history:
            text += (
                f" (synthetic copies: {self.synthetic_list} list, {self.synthetic_history} history)"
            )
        return text


def seed_scaled_member(
    client: httpx.Client, server: Server, found: Catalog, size: int, real_titles: int | None
) -> ScaledMember:
    """`size` titles in history and min(size, 500) in My List: real titles through the API (at
    most `real_titles` of them when given), the rest synthetic; the same four ratings (two
    loves, two likes) for every size."""
    headers = new_member(client)
    seeder = Seeder(client, headers)
    keys = found.keys()[: max(4, real_titles)] if real_titles is not None else found.keys()
    list_n = min(size, MAX_LIST)
    for key, rating in zip(keys[:4], ("love", "like", "love", "like"), strict=True):
        seeder.rate(key, rating)  # in order, so every member gets the same rows
    real_list = seeder.many([partial(seeder.add_to_list, k) for k in keys[:list_n]])
    real_history = seeder.many(
        [partial(seeder.watch, k, i % 4 == 3) for i, k in enumerate(keys[:size])]
    )
    profile_id = int(
        check_status(client.get("/api/browse", headers=headers), 200, "browse").json()["profile_id"]
    )
    member = ScaledMember(
        size=size,
        headers=headers,
        profile_id=profile_id,
        real_list=real_list,
        real_history=real_history,
        synthetic_list=list_n - real_list,
        synthetic_history=size - real_history,
    )
    if member.synthetic_list or member.synthetic_history:
        insert_synthetic(
            server.database_url, profile_id, member.synthetic_list, member.synthetic_history
        )
    member.stored_list, member.stored_history = stored_counts(server.database_url, profile_id)
    if (member.stored_list, member.stored_history) != (list_n, size):
        raise BenchError(
            f"member of size {size}: stored {member.stored_list} list entries and "
            f"{member.stored_history} viewings, wanted {list_n} and {size}"
        )
    return member


# --------------------------------------------------------------------------- the run


def heartbeat_load(
    ids: Sequence[int], options: Options, headers: dict[str, str], per_thread: int
) -> Load:
    """member.py's progress load on the kind-named path, each wrk thread over `per_thread`
    movies: with several times more movies than connections, a heartbeat rarely overtakes
    the previous one for its movie."""
    return progress_load(ids, options, headers, per_thread, "/api/profile/progress/movie/{}")


def combine(results: Sequence[LoadResult]) -> LoadResult:
    """Rounds of one scenario as one: requests and failures summed, req/s over the total time,
    latency percentiles the mean of the rounds' (max: the largest)."""
    if len(results) == 1:
        return results[0]

    def mean(name: str) -> float:
        total: float = sum(float(getattr(r, name)) for r in results)
        return round(total / len(results), 3)

    def merged(name: str) -> dict[str, int]:
        total: dict[str, int] = {}
        for result in results:
            for key, value in getattr(result, name).items():
                total[key] = total.get(key, 0) + value
        return total

    requests = sum(r.requests for r in results)
    duration = sum(r.duration_s for r in results)
    return LoadResult(
        requests=requests,
        duration_s=round(duration, 3),
        rps=round(requests / duration, 1) if duration else 0.0,
        p50_ms=mean("p50_ms"),
        p90_ms=mean("p90_ms"),
        p99_ms=mean("p99_ms"),
        p999_ms=mean("p999_ms"),
        max_ms=max(r.max_ms for r in results),
        mean_ms=mean("mean_ms"),
        non2xx=sum(r.non2xx for r in results),
        matched=sum(r.matched for r in results),
        statuses=merged("statuses"),
        socket_errors=sum(r.socket_errors for r in results),
        error_detail=merged("error_detail"),
    )


def _verdict(name: str, value: float | None) -> tuple[str, bool | None]:
    op, bound = TARGETS[name]
    if value is None:
        return f"target {op} {bound:g}: not measured", None
    met = value >= bound if op == ">=" else value <= bound
    return f"target {op} {bound:g}: {'met' if met else 'NOT met'}", met


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


def target_row(scenario: str, name: str, value: float | None, detail: str) -> Row:
    verdict, met = _verdict(name, value)
    shown = "-" if value is None else f"{value:.2f}"
    op, bound = TARGETS[name]
    return {
        "scenario": scenario,
        "ratio_name": name,
        "ratio": value,
        "target": f"{op} {bound:g}",
        "met": met,
        "note": f"ratio {shown} ({verdict}); {detail}",
    }


RATIOS: dict[str, Any] = {}
RETRIED = [0]  # seeding writes sent again after a 502/503/504, over all members


def _ok(result: LoadResult, what: str) -> None:
    if result.requests == 0:
        raise BenchError(f"{what}: wrk completed no request")


def run(options: Options, rows: list[Row]) -> None:
    sizes = options.extra["sizes"]
    real_titles = options.extra["real_titles"]
    if real_titles is None and options.quick:
        real_titles = QUICK_REAL_TITLES
    per_connection = math.ceil(options.connections / options.threads)
    accept = options.extra["accept_encoding"]
    encoding = {"Accept-Encoding": accept} if accept else {}
    config = ServerConfig.from_options(options, db="postgres", redis=True)
    progress(f"gunicorn on {config.label()}, demo catalog")
    started = time.monotonic()
    with running_server(config) as server:
        progress(f"server ready in {time.monotonic() - started:.1f} s")
        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            started = time.monotonic()
            pages = QUICK_DISCOVERY_PAGES if options.quick else DISCOVERY_PAGES
            found = discover(client, pages)
            progress(
                f"the API lists {len(found.movies)} movies and {len(found.series)} series "
                f"({len(found.movies) + len(found.series)} distinct titles) in the first "
                f"{pages} pages of each list and search"
            )
            RATIOS["catalog_titles"] = {
                "movies": len(found.movies),
                "series": len(found.series),
                "pages": pages,
                "note": "distinct titles the API lists (lists and searches, the first `pages` "
                "pages of each); scaling members beyond these hold synthetic copies (ids >= "
                f"{SYNTHETIC_BASE:,}) inserted into the database",
            }
            spare = found.movies[40:]  # movies the issue member has not touched
            per_thread = min(HEARTBEAT_SPREAD * per_connection + 1, len(spare) // options.threads)
            if per_thread <= per_connection:
                raise BenchError(
                    f"need more than {per_connection * options.threads} movies for heartbeats, "
                    f"the catalog has {len(spare)} to spare"
                )
            heartbeat_ids = spare[: per_thread * options.threads]
            issue_headers = new_member(client)
            seeded = seed_issue_member(client, found, issue_headers)
            browse_body = check_status(
                client.get("/api/browse", headers=issue_headers), 200, "browse"
            ).json()
            row_names = [r["title"] for r in browse_body["rows"]]
            progress(f"issue member: {seeded}; browse rows: {', '.join(row_names)}")
            progress(f"seeded in {time.monotonic() - started:.1f} s")
            members = []
            for size in sizes:
                started = time.monotonic()
                member = seed_scaled_member(client, server, found, size, real_titles)
                progress(
                    f"member with {size}: {member.describe()} in {time.monotonic() - started:.1f} s"
                )
                members.append(member)
            if RETRIED[0]:
                progress(f"{RETRIED[0]} seeding writes were retried after a 502/503/504")
            RATIOS["seed_writes_retried"] = RETRIED[0]

        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            # Heartbeats go to a second member seeded like the first, so the issue member's
            # rows stay as the issue has them in every round. The titles' records exist before
            # the timed runs (a title's first write fetches it).
            beats_headers = new_member(client)
            seed_issue_member(client, found, beats_headers)
            seeder = Seeder(client, beats_headers)
            seeder.many([partial(seeder.watch, ("movie", i)) for i in heartbeat_ids])
        scenarios: dict[str, Load] = {
            "healthz": Load("/healthz", headers=encoding),
            "movies": Load("/api/movies?list=popular", headers=encoding),
            "browse": Load("/api/browse", headers={**issue_headers, **encoding}),
            "beats": heartbeat_load(heartbeat_ids, options, beats_headers, per_thread),
        }
        # Rounds of all four, each figure a ratio to the /healthz of its own round: a shared
        # machine's speed drifts over seconds, and a ratio of neighbours cancels most of it.
        # The reported ratio is the median over the rounds; the rows sum the rounds.
        measured: dict[str, list[LoadResult]] = {name: [] for name in scenarios}
        for _ in range(options.extra["rounds"] or (1 if options.quick else 3)):
            for name, load in scenarios.items():
                result = measure(server, load, options)
                _ok(result, name)
                measured[name].append(result)
        health = combine(measured["healthz"])
        movies = combine(measured["movies"])
        browse = combine(measured["browse"])
        beats = combine(measured["beats"])
        count = len(measured["healthz"])
        of_rounds = f"; {count} rounds" if count > 1 else ""
        rows.append(load_row("GET /healthz", health, note=of_rounds.lstrip("; ")))
        rows.append(
            load_row(
                "GET /api/movies?list=popular (cache hit)", movies, note=of_rounds.lstrip("; ")
            )
        )
        rows.append(
            load_row(
                "GET /api/browse warm (issue member)",
                browse,
                browse_rows=row_names,
                note=f"{len(row_names)} rows{of_rounds}",
            )
        )
        rows.append(
            load_row(
                "PUT /api/profile/progress/movie/{id}",
                beats,
                movies=len(heartbeat_ids),
                not_applied=beats.matched,
                note=f"{len(heartbeat_ids)} movies, {per_thread} per wrk thread; "
                f"{beats.matched} not applied{of_rounds}",
            )
        )
        # Latency, not throughput: one connection, so a request's time is its own cost and
        # not the queue of 16 (under load, p50 is mostly waiting and follows the machine's
        # drift). Rounds in alternating order (10, 100, 1000, then 1000, 100, 10, ...), each
        # size's p50 compared within its round, the median of the rounds reported.
        rounds: dict[int, list[LoadResult]] = {m.size: [] for m in members}
        for number in range(options.extra["scaling_rounds"] or (1 if options.quick else 3)):
            for member in members if number % 2 == 0 else members[::-1]:
                load = Load("/api/browse", headers={**member.headers, **encoding})
                if options.warmup > 0:
                    run_wrk(server, load, options.warmup, 1, 1)
                result = run_wrk(server, load, options.duration, 1, 1)
                _ok(result, f"browse of the member with {member.size}")
                rounds[member.size].append(result)
        scaled: dict[int, LoadResult] = {}
        for member in members:
            scaled[member.size] = combined = combine(rounds[member.size])
            count = len(rounds[member.size])
            rows.append(
                load_row(
                    f"GET /api/browse, {member.size} in history/list, 1 connection",
                    combined,
                    size=member.size,
                    my_list=member.stored_list,
                    history=member.stored_history,
                    synthetic_list=member.synthetic_list,
                    synthetic_history=member.synthetic_history,
                    rounds=[asdict(r) for r in rounds[member.size]],
                    note=member.describe() + (f"; mean of {count} rounds" if count > 1 else ""),
                )
            )

    def per_round(name: str, field: str = "rps") -> list[float]:
        return [
            _ratio(getattr(mine, field), getattr(yardstick, field)) or 0.0
            for mine, yardstick in zip(measured[name], measured["healthz"], strict=True)
        ]

    def median_of(values: list[float]) -> float | None:
        return round(statistics.median(values), 3) if values else None

    rounds_of = {
        "movies": per_round("movies"),
        "browse": per_round("browse"),
        "browse_p99": per_round("browse", "p99_ms"),
        "beats": per_round("beats"),
    }
    movies_ratio = median_of(rounds_of["movies"])
    browse_rps = median_of(rounds_of["browse"])
    browse_p99 = median_of(rounds_of["browse_p99"])
    beats_rps = median_of(rounds_of["beats"])

    def shown(values: list[float]) -> str:
        if len(values) < 2:
            return ""
        return "; median of rounds " + ", ".join(f"{v:.2f}" for v in values)

    health_note = (
        f"healthz {health.rps:,.0f} req/s, p99 {health.p99_ms:.1f} ms"
        f" (over {len(measured['healthz'])} rounds)"
    )
    rows.append(
        target_row(
            "ratio: movies cache hit / healthz req/s",
            "movies_vs_healthz_rps",
            movies_ratio,
            f"{movies.rps:,.0f} vs {health.rps:,.0f} req/s{shown(rounds_of['movies'])}",
        )
    )
    rows.append(
        target_row(
            "ratio: browse / healthz req/s",
            "browse_vs_healthz_rps",
            browse_rps,
            f"{browse.rps:,.0f} vs {health.rps:,.0f} req/s{shown(rounds_of['browse'])}",
        )
    )
    rows.append(
        target_row(
            "ratio: browse p99 / healthz p99",
            "browse_vs_healthz_p99",
            browse_p99,
            f"{browse.p99_ms:.1f} vs {health.p99_ms:.1f} ms{shown(rounds_of['browse_p99'])}",
        )
    )
    rows.append(
        target_row(
            "ratio: heartbeat / healthz req/s",
            "heartbeat_vs_healthz_rps",
            beats_rps,
            f"{beats.rps:,.0f} vs {health.rps:,.0f} req/s{shown(rounds_of['beats'])}; "
            f"{beats.matched} not applied",
        )
    )
    RATIOS.update(
        {
            "healthz": {"rps": health.rps, "p99_ms": health.p99_ms},
            "movies_vs_healthz_rps": movies_ratio,
            "browse_vs_healthz_rps": browse_rps,
            "browse_vs_healthz_p99": browse_p99,
            "heartbeat_vs_healthz_rps": beats_rps,
            "heartbeat_not_applied": beats.matched,
            "per_round": rounds_of,
        }
    )
    if len(scaled) >= 2:
        small, large = min(scaled), max(scaled)

        def scaling(field: str) -> list[float]:
            return [
                _ratio(getattr(big, field), getattr(little, field)) or 0.0
                for big, little in zip(rounds[large], rounds[small], strict=True)
            ]

        p50_rounds, p99_rounds = scaling("p50_ms"), scaling("p99_ms")
        p50, p99 = median_of(p50_rounds), median_of(p99_rounds)
        rows.append(
            target_row(
                f"scaling: browse p50 {large} / {small}, 1 connection",
                "browse_scaling_p50",
                p50,
                f"p50 {scaled[large].p50_ms:.2f} vs {scaled[small].p50_ms:.2f} ms"
                f"{shown(p50_rounds)}; p99 {p99 if p99 is not None else '-'}x",
            )
        )
        RATIOS.update(
            {
                "browse_scaling_p50": p50,
                "browse_scaling_p99": p99,
                "scaling_sizes": sorted(scaled),
                "scaling_per_round": {"p50": p50_rounds, "p99": p99_rounds},
            }
        )
    RATIOS["accept_encoding"] = options.extra["accept_encoding"] or None
    RATIOS["targets"] = {name: f"{op} {bound:g}" for name, (op, bound) in TARGETS.items()}
    RATIOS["met"] = {row["ratio_name"]: row["met"] for row in rows if "ratio_name" in row}
    RATIOS["health_note"] = health_note
    RATIOS["seed_writes_retried"] = RETRIED[0]


def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"whole numbers separated by commas, not {text!r}"
        ) from None
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("at least one size, each >= 1")
    return sizes


def cli(argv: Sequence[str] | None = None) -> int:
    parser = base_parser(__doc__.splitlines()[0] if __doc__ else NAME)
    # Steady state by default: the project's gunicorn recycles a worker every ~1,000 requests,
    # which stalls the fastest scenario (/healthz) most often and would flatter every ratio.
    parser.set_defaults(max_requests=0)
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=[10, 100, 1000],
        help="titles in history and My List of the scaling members (10,100,1000)",
    )
    parser.add_argument(
        "--real-titles",
        type=int,
        default=None,
        help="seed at most this many real titles per scaling member through the API, the rest "
        f"as synthetic copies (default: all the API lists; {QUICK_REAL_TITLES} with --quick)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="rounds of /healthz, movies, browse and heartbeats; each ratio is the median of "
        "the rounds' (default 3; 1 with --quick)",
    )
    parser.add_argument(
        "--scaling-rounds",
        type=int,
        default=None,
        help="rounds of the scaling scenarios, in alternating order (default 3; 1 with --quick)",
    )
    parser.add_argument(
        "--accept-encoding",
        default=BROWSER_ACCEPT_ENCODING,
        help="the Accept-Encoding the GET loads send (default, as browsers: "
        f"{BROWSER_ACCEPT_ENCODING!r}; '' for none, i.e. identity answers)",
    )
    args = parser.parse_args(argv)
    if args.rounds is not None and args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if args.scaling_rounds is not None and args.scaling_rounds < 1:
        parser.error("--scaling-rounds must be at least 1")
    status = main(
        NAME, "home: browse, heartbeats and scaling vs /healthz (issue 15)", parser, run, argv
    )
    path = args.output or RESULTS_DIR / f"{NAME}.json"
    if path.exists() and RATIOS:
        document = json.loads(path.read_text())
        document["ratios"] = RATIOS
        path.write_text(json.dumps(document, indent=2) + "\n")
    return status


if __name__ == "__main__":
    sys.exit(cli())
