"""Issue 13: what the session-revocation check costs each authenticated request.

Every authenticated request asks the revocation set whether its session has ended: one Redis
`EXISTS` (and a dictionary lookup first). This prints the check's latency against Redis and in
process, beside a whole `GET /api/users/me` through the app (Flask test client, SQLite), so the
check's share of a request is visible.

    .venv/bin/python bench/revocation_check.py [--redis-url redis://127.0.0.1:6379/15] [--n 5000]
        [--json result.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from netflix_clone.core.redis_store import connect
from netflix_clone.core.revocation import RevocationSet
from netflix_clone.core.settings import Settings
from netflix_clone.web.deps import services


def timings(call: Callable[[], object], n: int) -> dict[str, float]:
    for _ in range(min(200, n)):
        call()  # warm connections and caches
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1e6)
    samples.sort()
    return {
        "p50_us": round(statistics.median(samples), 1),
        "p99_us": round(samples[int(len(samples) * 0.99) - 1], 1),
        "mean_us": round(statistics.fmean(samples), 1),
    }


def request_timings(redis_url: str, n: int) -> dict[str, float]:
    from netflix_clone.web.app import create_app

    workdir = Path(tempfile.mkdtemp(prefix="bench-revocation-"))
    app = create_app(
        Settings(
            app_env="test",
            catalog_source="demo",
            database_url=f"sqlite:///{workdir / 'bench.sqlite3'}",
            instance_path=workdir,
            redis_url=redis_url,
        )
    )
    from netflix_clone.core.schema import upgrade

    with app.app_context():
        upgrade(services().database)
        services().database.engine.dispose()
    client = app.test_client()
    password = "orbit-lantern-quietly-94"
    client.post(
        "/api/users",
        json={"email": "bench@example.com", "password": password, "display_name": "Bench"},
    )
    token = (
        client.post(
            "/api/auth/token", json={"email": "bench@example.com", "password": password}
        ).json
        or {}
    )["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    return timings(lambda: client.get("/api/users/me", headers=headers), n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    import logging

    logging.disable(logging.INFO)  # the access log would dominate the request timings
    guarded = connect(Settings(app_env="test", redis_url=args.redis_url))
    shared = RevocationSet(guarded, 900)
    local = RevocationSet(None, 900)
    shared.revoke(["ended-session"])
    result = {
        "check_redis": timings(lambda: shared.is_revoked("live-session"), args.n),
        "check_in_process": timings(lambda: local.is_revoked("live-session"), args.n),
        "check_revoked_here": timings(lambda: shared.is_revoked("ended-session"), args.n),
        "get_me_request": request_timings(args.redis_url, min(args.n, 2000)),
    }
    for name, figures in result.items():
        print(f"{name:22} " + "  ".join(f"{k}={v}" for k, v in figures.items()))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
