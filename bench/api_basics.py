"""Issue 2: the cost of the framework path and of an authenticated, database-backed read.

Scenarios, on SQLite and on PostgreSQL: ``GET /healthz`` (no I/O: routing, JSON, request
logging and metrics only) and ``GET /api/users/me`` with a Bearer token (JWT check plus one
primary-key read).

    .venv/bin/python bench/api_basics.py [--db sqlite|postgres|both] [--duration 10] [--quick]
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.harness import (
    Load,
    Options,
    Row,
    ServerConfig,
    base_parser,
    bearer,
    load_row,
    main,
    measure,
    member_token,
    progress,
    running_server,
)

NAME = "api_basics"


def databases(choice: str) -> list[str]:
    return ["sqlite", "postgres"] if choice == "both" else [choice]


def run(options: Options, rows: list[Row]) -> None:
    for db in databases(options.extra["db"]):
        config = ServerConfig.from_options(options, db=db)
        progress(f"gunicorn on {config.label()}")
        with running_server(config) as server:
            with httpx.Client(base_url=server.base_url, timeout=10) as client:
                _, token = member_token(client, f"bench-{uuid.uuid4().hex[:8]}@example.com")
            health = measure(server, Load("/healthz"), options)
            rows.append(load_row(f"GET /healthz [{db}]", health, db=db, endpoint="/healthz"))
            me = measure(server, Load("/api/users/me", headers=bearer(token)), options)
            rows.append(
                load_row(
                    f"GET /api/users/me [{db}]",
                    me,
                    db=db,
                    endpoint="/api/users/me",
                    note=f"{me.rps / health.rps:.0%} of healthz req/s" if health.rps else "",
                )
            )


def cli(argv: Sequence[str] | None = None) -> int:
    arg_parser = base_parser(__doc__.splitlines()[0] if __doc__ else NAME)
    arg_parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    return main(NAME, "api_basics: /healthz and /api/users/me (issue 2)", arg_parser, run, argv)


if __name__ == "__main__":
    sys.exit(cli())
