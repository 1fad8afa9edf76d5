"""Issue 3: what a catalog cache hit costs, and how many TMDB calls the cache saves.

1. Cache-hit ``GET /api/movies?list=popular`` against the same server's ``GET /healthz``
   (demo catalog, warm cache): req/s and p99 of both and their ratio (aim: a hit costs at most
   2x a health check), with the in-process cache and with Redis.
2. Upstream calls per 1,000 client requests: the app on the fake TMDB (``CATALOG_SOURCE=tmdb``)
   with a cold cache, driven by a fixed-seed weighted mix of lists x pages 1-3, details, search
   and genres from concurrent httpx clients; ``upstream_calls / client_requests * 1000``, with
   the in-process cache and with Redis shared by the workers.

    .venv/bin/python bench/catalog.py [--cache memory|redis|both] [--mixed-requests 2000] [--quick]
"""

from __future__ import annotations

import random
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.harness import (
    BenchError,
    Load,
    Options,
    Row,
    Server,
    ServerConfig,
    base_parser,
    check_status,
    load_row,
    main,
    measure,
    metric_values,
    progress,
    run_wrk,
    running_server,
)
from netflix_clone.catalog.demo_tmdb import DemoTMDB

NAME = "catalog"
LISTS = ("popular", "top_rated", "now_playing", "upcoming", "trending")
# Shares of the mixed workload: browsing lists dominates, then opening a title, then search.
WEIGHTS = {"list": 0.5, "details": 0.3, "search": 0.15, "genres": 0.05}
DETAIL_IDS = 30
SEARCH_TERMS = 20
SEED = 20240607
MIXED_TIME_LIMIT = 300.0


def caches(choice: str) -> list[bool]:
    return [False, True] if choice == "both" else [choice == "redis"]


def cache_label(redis: bool) -> str:
    return "redis" if redis else "in-process"


# --------------------------------------------------------------------------- 1. cache hit


def hit_vs_health(options: Options, redis: bool, rows: list[Row]) -> None:
    config = ServerConfig.from_options(options, redis=redis)
    label = cache_label(redis)
    progress(f"cache hit vs healthz on {config.label()}")
    movies_path = "/api/movies?list=popular"
    with running_server(config) as server:
        health = measure(server, Load("/healthz"), options)
        movies_load = Load(movies_path)
        # Always warm this one (even with --quick): the point is a warm cache in every worker.
        run_wrk(server, movies_load, max(1.0, options.warmup), options.connections, options.threads)
        _check_hit(server, movies_path)
        before = metric_values(server, "catalog_cache_total")
        movies = measure(server, movies_load, options, warm=False)
        after = metric_values(server, "catalog_cache_total")
    lookups = {k: after.get(k, 0.0) - before.get(k, 0.0) for k in after}
    total = sum(lookups.values())
    hit_share = lookups.get('result="hit"', 0.0) / total if total else 0.0
    rps_ratio = health.rps / movies.rps if movies.rps else float("inf")
    p99_ratio = movies.p99_ms / health.p99_ms if health.p99_ms else float("inf")
    verdict = "meets" if max(rps_ratio, p99_ratio) <= 2 else "misses"
    rows.append(load_row(f"GET /healthz [{label}]", health, cache=label, endpoint="/healthz"))
    rows.append(
        load_row(
            f"GET /api/movies?list=popular hit [{label}]",
            movies,
            cache=label,
            endpoint=movies_path,
            cost_ratio_rps=round(rps_ratio, 2),
            cost_ratio_p99=round(p99_ratio, 2),
            cache_lookups=lookups,
            hit_share=round(hit_share, 4),
            note=f"cost {rps_ratio:.2f}x healthz (req/s), p99 {p99_ratio:.2f}x: "
            f"{verdict} the 2x aim; {hit_share:.1%} hits",
        )
    )


def _check_hit(server: Server, path: str) -> None:
    response = check_status(httpx.get(server.url(path), timeout=10), 200, path)
    if response.headers.get("X-Cache") != "hit":
        raise BenchError(f"{path} is not a cache hit after warm-up: {response.headers}")


# --------------------------------------------------------------------------- 2. upstream calls


def mixed_paths(count: int, seed: int = SEED) -> list[str]:
    """The client requests, in order: a weighted random mix drawn from the demo catalog."""
    demo = DemoTMDB.default()
    rng = random.Random(seed)
    listed = sorted(
        {
            i
            for name in ("popular", "top_rated", "now_playing", "upcoming")
            for i in demo.list_ids(name)
        }
    )
    ids = rng.sample(listed, DETAIL_IDS)
    titles = [m["title"] for m in demo.handle("movie/popular", {"page": "1"})[1]["results"]]
    titles += [m["title"] for m in demo.handle("movie/top_rated", {"page": "1"})[1]["results"]]
    words = sorted({w.strip(":,.!?'").lower() for t in titles for w in t.split() if len(w) > 3})
    terms = rng.sample(words, min(SEARCH_TERMS, len(words)))
    kinds = list(WEIGHTS)
    paths = []
    for kind in rng.choices(kinds, weights=[WEIGHTS[k] for k in kinds], k=count):
        if kind == "list":
            paths.append(f"/api/movies?list={rng.choice(LISTS)}&page={rng.randint(1, 3)}")
        elif kind == "details":
            paths.append(f"/api/movies/{rng.choice(ids)}")
        elif kind == "search":
            paths.append(f"/api/movies/search?q={rng.choice(terms)}")
        else:
            paths.append("/api/genres")
    return paths


@dataclass
class MixedOutcome:
    sent: int
    statuses: Counter[int]
    errors: int
    elapsed: float
    latencies: list[float]


def drive(base_url: str, paths: Sequence[str], concurrency: int, limit: float) -> MixedOutcome:
    """Send every path once from `concurrency` threads (shared queue), bounded by `limit` s."""
    lock = threading.Lock()
    position = 0
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + limit

    def worker() -> None:
        nonlocal position, errors
        with httpx.Client(base_url=base_url, timeout=15) as client:
            while time.monotonic() < deadline:
                with lock:
                    if position >= len(paths):
                        return
                    path = paths[position]
                    position += 1
                started = time.perf_counter()
                try:
                    status = client.get(path).status_code
                except httpx.HTTPError:
                    with lock:
                        errors += 1
                    continue
                took = time.perf_counter() - started
                with lock:
                    statuses[status] += 1
                    latencies.append(took)

    started = time.monotonic()
    pool = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=limit + 30)
    return MixedOutcome(position, statuses, errors, time.monotonic() - started, latencies)


def _percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def upstream_calls(options: Options, redis: bool, rows: list[Row]) -> None:
    from devtools.fake_tmdb import FakeTMDB

    count = options.extra["mixed_requests"]
    if options.quick:
        count = min(count, 300)
    paths = mixed_paths(count)
    label = cache_label(redis)
    concurrency = min(options.connections, 16)
    with FakeTMDB() as tmdb:
        config = ServerConfig.from_options(
            options,
            redis=redis,
            env={
                "CATALOG_SOURCE": "tmdb",
                "TMDB_API_KEY": tmdb.api_key,
                "TMDB_BASE_URL": tmdb.base_url,
            },
        )
        progress(f"{count} mixed requests on the fake TMDB, {config.label()}, cold cache")
        with running_server(config) as server:
            tmdb.reset()  # the cache is cold: nothing but this run's requests is counted
            outcome = drive(server.base_url, paths, concurrency, MIXED_TIME_LIMIT)
            stats = tmdb.stats()
    answered = sum(outcome.statuses.values())
    if answered == 0:
        raise BenchError("the mixed workload got no answers")
    calls = int(stats["total"])
    per_thousand = calls / answered * 1000
    non2xx = {str(k): v for k, v in sorted(outcome.statuses.items()) if not 200 <= k < 300}
    rows.append(
        {
            "scenario": f"mixed catalog workload [{label}, {options.workers} workers]",
            "requests": answered,
            "duration_s": round(outcome.elapsed, 3),
            "rps": round(answered / outcome.elapsed, 1) if outcome.elapsed else 0.0,
            "p50_ms": round(_percentile(outcome.latencies, 50) * 1000, 3),
            "p99_ms": round(_percentile(outcome.latencies, 99) * 1000, 3),
            "p999_ms": round(_percentile(outcome.latencies, 99.9) * 1000, 3),
            "non2xx": sum(non2xx.values()),
            "statuses": non2xx,
            "socket_errors": outcome.errors,
            "cache": label,
            "client_requests": answered,
            "upstream_calls": calls,
            "upstream_per_1000": round(per_thousand, 1),
            "upstream_by_path": _by_kind(stats["by_path"]),
            "distinct_paths": len(set(paths)),
            "concurrency": concurrency,
            "seed": SEED,
            "note": f"{per_thousand:.1f} upstream calls / 1,000 requests "
            f"({calls} for {answered}; {len(set(paths))} distinct URLs)",
        }
    )


def _by_kind(by_path: dict[str, int]) -> dict[str, int]:
    kinds: Counter[str] = Counter()
    for key, value in by_path.items():
        path = key.split("?", 1)[0].removeprefix("/3/")
        kind = "movie/{id}" if path.startswith("movie/") and path[6:].isdigit() else path
        kinds[kind] += value
    return dict(sorted(kinds.items()))


def run(options: Options, rows: list[Row]) -> None:
    chosen = caches(options.extra["cache"])
    for redis in chosen:
        hit_vs_health(options, redis, rows)
    if options.extra["skip_upstream"]:
        return
    for redis in chosen:
        upstream_calls(options, redis, rows)


def cli(argv: Sequence[str] | None = None) -> int:
    parser = base_parser(__doc__.splitlines()[0] if __doc__ else NAME)
    parser.add_argument("--cache", choices=("memory", "redis", "both"), default="both")
    parser.add_argument(
        "--mixed-requests",
        type=int,
        default=2000,
        help="client requests in the upstream-calls workload (2000; --quick: 300)",
    )
    parser.add_argument(
        "--skip-upstream", action="store_true", help="only the cache-hit comparison"
    )
    return main(NAME, "catalog: cache-hit cost and upstream calls (issue 3)", parser, run, argv)


if __name__ == "__main__":
    sys.exit(cli())
