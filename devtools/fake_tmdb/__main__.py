"""Run the fake TMDB server: ``python -m devtools.fake_tmdb --port 8765 --api-key <32 hex>``.

Point the app at it with ``TMDB_BASE_URL=http://127.0.0.1:8765/3`` and the same key in
``TMDB_API_KEY`` (or the printed read token, for Bearer auth).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from devtools.fake_tmdb.server import (
    FakeState,
    FakeTMDBServer,
    FaultRule,
    check_api_key,
    check_read_token,
    new_api_key,
    new_read_token,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.fake_tmdb", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--api-key",
        action="append",
        default=[],
        help="accepted v3 key (32 hex); repeat for several; default: a random one, printed",
    )
    parser.add_argument(
        "--read-token",
        action="append",
        default=[],
        help="accepted v4 read access token (JWT); default: a random one, printed",
    )
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to each call")
    parser.add_argument("--faults", type=Path, help="JSON file holding a list of fault rules")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)

    try:
        api_keys = [check_api_key(key) for key in args.api_key]
        read_tokens = [check_read_token(token) for token in args.read_token]
        rules = (
            [FaultRule.from_json(raw) for raw in json.loads(args.faults.read_text())]
            if args.faults
            else []
        )
    except (ValueError, TypeError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    generated: list[str] = []
    if not api_keys:
        api_keys = [new_api_key()]
        generated.append(f"api_key={api_keys[0]}")
    if not read_tokens:
        read_tokens = [new_read_token()]  # random claims: never carries a supplied key
        generated.append(f"read_token={read_tokens[0]}")
    state = FakeState(api_keys, read_tokens, args.latency)
    state.add_faults(rules)
    server = FakeTMDBServer((args.host, args.port), state, quiet=not args.verbose)
    host, port = server.server_address[:2]
    print(f"fake TMDB listening on http://{host!s}:{port}/3 (control: /__control/stats)")
    # Generated credentials are throwaway values the caller needs; supplied ones are not echoed.
    for line in generated:
        print(line)
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
