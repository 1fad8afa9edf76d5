"""Pod sizing: the CPU and memory one pod's gunicorn uses, idle and at several loads.

What deploy/k8s sizes its requests and limits from (docs/deploy.md, "Pod size"). One server
as the pod runs it (WEB_CONCURRENCY workers, the project's gunicorn config, demo catalog,
in-process cache, SQLite), then wrk at increasing connection counts on a mixed read load
(health check, catalog lists, a movie, genres). For each step: req/s, p99, CPU cores used by
the whole process tree (utime+stime from /proc) and its memory (PSS, so pages shared between
the forked workers count once).

    .venv/bin/python bench/pod_sizing.py [--duration 15] [--workers 2] [--levels 1,2,4,8]

wrk runs on the same cores, so on a 2-core machine the saturated figure is a floor for what
one pod can burn, not a ceiling.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import CPUS, Load, ServerConfig, run_wrk, running_server

CLK_TCK = os.sysconf("SC_CLK_TCK")
PATHS = (
    "/healthz",
    "/api/movies?list=popular",
    "/api/movies?list=top_rated",
    "/api/movies/550",
    "/api/genres",
    "/api/movies?list=popular&page=2",
)


def tree_pids(port: int) -> list[int]:
    """gunicorn master and workers: every process whose command line binds our port."""
    needle = f"127.0.0.1:{port}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def cpu_ticks(port: int) -> int:
    """CPU ticks of the tree so far: live processes plus the workers the master has reaped
    (gunicorn recycles workers after max_requests, and their time moves to the master's
    cutime/cstime)."""
    pids = tree_pids(port)
    stats = {pid: s for pid in pids if (s := _stat(pid)) is not None}
    total = 0
    for fields in stats.values():
        total += int(fields[11]) + int(fields[12])  # utime, stime
        if int(fields[1]) not in stats:  # the master: its parent is outside the tree
            total += int(fields[13]) + int(fields[14])  # cutime, cstime of reaped workers
    return total


def pss_mib(pids: list[int]) -> float:
    total_kib = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total_kib += int(line.split()[1])
        except OSError:
            continue
    return round(total_kib / 1024, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--levels", default="1,2,4,8", help="wrk connection counts")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()

    config = ServerConfig(app_env="local", workers=args.workers)
    load = Load(paths=PATHS)
    rows = []
    with running_server(config) as server:
        port = int(server.base_url.rsplit(":", 1)[1])
        run_wrk(server, load, 3, 2, 1)  # warm the caches and import lazily loaded code
        time.sleep(2)
        rows.append(
            {
                "connections": 0,
                "rps": 0.0,
                "p99_ms": 0.0,
                "cpu_cores": 0.0,
                "pss_mib": pss_mib(tree_pids(port)),
            }
        )
        for connections in (int(c) for c in args.levels.split(",")):
            before, started = cpu_ticks(port), time.monotonic()
            result = run_wrk(server, load, args.duration, connections, 1)
            elapsed = time.monotonic() - started
            cores = (cpu_ticks(port) - before) / CLK_TCK / elapsed
            rows.append(
                {
                    "connections": connections,
                    "rps": result.rps,
                    "p99_ms": result.p99_ms,
                    "non2xx": result.non2xx,
                    "cpu_cores": round(cores, 2),
                    "pss_mib": pss_mib(tree_pids(port)),
                }
            )
    print(
        f"pod sizing: {args.workers} gunicorn workers, {CPUS}-core machine (wrk shares it), "
        f"{args.duration:.0f} s per level"
    )
    print(f"{'conns':>5} {'req/s':>8} {'p99 ms':>8} {'cores':>6} {'PSS MiB':>8}")
    for row in rows:
        print(
            f"{row['connections']:>5} {row['rps']:>8.0f} {row['p99_ms']:>8.1f} "
            f"{row['cpu_cores']:>6.2f} {row['pss_mib']:>8.1f}"
        )
    result_path = args.output or Path(__file__).parent / "results" / "pod_sizing.json"
    result_path.parent.mkdir(parents=True, exist_ok=True)
    result_path.write_text(
        json.dumps(
            {
                "workers": args.workers,
                "cpus": CPUS,
                "rows": rows,
                "date": time.strftime("%Y-%m-%d"),
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
