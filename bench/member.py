"""Issue 8: member features under load: the browse home screen and progress writes.

A member signs up (the main profile comes with the account) and takes a profile token; then:

1. ``GET /api/browse`` with a warm catalog cache (the rows for a new profile);
2. ``PUT /api/profile/progress/{movie_id}`` with a per-wrk-thread increasing ``sequence``; every
   wrk thread writes its own movies, more of them than its connections, so no write is
   overtaken by an older one and every write counts;
3. ``GET /api/browse`` again, now with a full Continue Watching row.

Exits 2 with "endpoint not available yet (404)" when the member endpoints have not landed.

    .venv/bin/python bench/member.py [--db sqlite|postgres|both] [--duration 10] [--quick]
"""

from __future__ import annotations

import math
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.harness import (
    BenchError,
    Load,
    Options,
    Row,
    ServerConfig,
    base_parser,
    bearer,
    check_status,
    load_row,
    main,
    measure,
    member_token,
    progress,
    running_server,
)

NAME = "member"
NOT_APPLIED = '"applied":false'


def profile_token(client: httpx.Client, user_id: int, token: str) -> str:
    """The main profile (made at sign-up) and a token for it."""
    listed = check_status(
        client.get(f"/api/users/{user_id}/profiles", headers=bearer(token)), 200, "profiles"
    ).json()
    items = listed.get("items") if isinstance(listed, dict) else listed
    if not items:
        raise BenchError(f"the new account has no profile: {listed}")
    profile_id = items[0]["id"]
    answer = check_status(
        client.post(
            f"/api/users/{user_id}/profiles/{profile_id}/token", json={}, headers=bearer(token)
        ),
        200,
        "profile token",
    ).json()
    return str(answer["access_token"])


def movie_ids(client: httpx.Client, wanted: int) -> list[int]:
    ids: list[int] = []
    for page in range(1, 6):
        body = check_status(
            client.get("/api/movies", params={"list": "popular", "page": page}), 200, "movies"
        ).json()
        ids += [m["id"] for m in body["results"] if m["id"] not in ids]
        if len(ids) >= wanted or page >= body["total_pages"]:
            break
    if len(ids) < wanted:
        raise BenchError(f"need {wanted} movie ids, the popular list has {len(ids)}")
    return ids[:wanted]


def progress_load(
    ids: Sequence[int],
    options: Options,
    headers: dict[str, str],
    per_thread: int | None = None,
    path: str = "/api/profile/progress/{}",
) -> Load:
    """Each wrk thread cycles over its own movies (`per_thread` of them: by default one more
    than its connections), so an update for a movie is normally sent only after the previous
    one for it was answered; an overtaken write is counted (``"applied":false``), not hidden."""
    if per_thread is None:
        per_thread = math.ceil(options.connections / options.threads) + 1
    groups = [
        [path.format(i) for i in ids[t * per_thread : (t + 1) * per_thread]]
        for t in range(options.threads)
    ]
    return Load(
        method="PUT",
        headers={**headers, "Content-Type": "application/json"},
        paths=groups[0],
        paths_per_thread=groups,
        progress=True,
        count_match=NOT_APPLIED,
    )


def run(options: Options, rows: list[Row]) -> None:
    dbs = ["sqlite", "postgres"] if options.extra["db"] == "both" else [options.extra["db"]]
    per_thread = math.ceil(options.connections / options.threads) + 1
    for db in dbs:
        config = ServerConfig.from_options(options, db=db)
        progress(f"gunicorn on {config.label()}")
        with running_server(config) as server:
            with httpx.Client(base_url=server.base_url, timeout=15) as client:
                user_id, token = member_token(client, f"bench-{uuid.uuid4().hex[:8]}@example.com")
                headers = bearer(profile_token(client, user_id, token))
                check_status(client.get("/api/browse", headers=headers), 200, "browse")
                ids = movie_ids(client, per_thread * options.threads)
                probe = client.put(
                    f"/api/profile/progress/{ids[0]}",
                    json={"position_seconds": 600, "duration_seconds": 6000, "sequence": 1},
                    headers=headers,
                )
                check_status(probe, 200, "progress")
                if not probe.json().get("stored"):
                    raise BenchError(f"a progress write was not stored: {probe.text[:300]}")
            browse = measure(server, Load("/api/browse", headers=headers), options)
            rows.append(load_row(f"GET /api/browse warm [{db}]", browse, db=db))
            writes = measure(server, progress_load(ids, options, headers), options)
            rows.append(
                load_row(
                    f"PUT /api/profile/progress [{db}]",
                    writes,
                    db=db,
                    movies=len(ids),
                    not_applied=writes.matched,
                    note=f"{len(ids)} movies, {per_thread} per wrk thread; "
                    f"{writes.matched} writes not applied (stale sequence)",
                )
            )
            with httpx.Client(base_url=server.base_url, timeout=15) as client:
                watching = check_status(
                    client.get("/api/profile/continue-watching", headers=headers),
                    200,
                    "continue watching",
                ).json()
            full = measure(server, Load("/api/browse", headers=headers), options, warm=False)
            rows.append(
                load_row(
                    f"GET /api/browse, continuing [{db}]",
                    full,
                    db=db,
                    note=f"{watching.get('total', '?')} titles in Continue Watching",
                )
            )


def cli(argv: Sequence[str] | None = None) -> int:
    parser = base_parser(__doc__.splitlines()[0] if __doc__ else NAME)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    return main(NAME, "member: browse and progress writes (issue 8)", parser, run, argv)


if __name__ == "__main__":
    sys.exit(cli())
