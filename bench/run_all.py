"""Run every benchmark (what `make bench` runs) and print one summary table.

    .venv/bin/python bench/run_all.py [--duration 10] [--connections 16] [--threads 2] [--quick]
                                      [--only api_basics,catalog,member,home] [--max-requests N]

Each benchmark runs in its own process with the same options and writes
bench/results/<name>.json; this script adds bench/results/summary.json. Exit status: 0 when
every benchmark measured, else the worst one's (2 = an endpoint has not landed yet).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import REPO, RESULTS_DIR, SHARED_CORES_NOTE, base_parser, table

BENCHMARKS = ("api_basics", "catalog", "member", "home")
PER_BENCHMARK_LIMIT = 1800  # seconds; the slowest (catalog, 10 s scenarios) takes ~3 minutes


def forwarded(args: object) -> list[str]:
    values = vars(args)
    argv = [
        f"--duration={values['duration']}",
        f"--connections={values['connections']}",
        f"--threads={values['threads']}",
        f"--workers={values['workers']}",
        f"--app-env={values['app_env']}",
    ]
    if values["quick"]:
        argv.append("--quick")
    if values["gunicorn_threads"]:
        argv.append(f"--gunicorn-threads={values['gunicorn_threads']}")
    if values["max_requests"] is not None:
        argv.append(f"--max-requests={values['max_requests']}")
    return argv


def main() -> int:
    parser = base_parser(__doc__.splitlines()[0] if __doc__ else "run_all")
    parser.add_argument(
        "--only", default=",".join(BENCHMARKS), help="comma-separated benchmarks to run"
    )
    args = parser.parse_args()
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    results_dir = args.output.parent if args.output else RESULTS_DIR
    statuses: dict[str, int] = {}
    rows = []
    errors: dict[str, str] = {}
    started = time.time()
    for name in chosen:
        output = results_dir / f"{name}.json"
        command = [sys.executable, str(REPO / "bench" / f"{name}.py"), *forwarded(args)]
        command.append(f"--output={output}")
        print(f"\n$ {' '.join(command[1:])}", flush=True)
        try:
            done = subprocess.run(command, cwd=REPO, timeout=PER_BENCHMARK_LIMIT, check=False)
            statuses[name] = done.returncode
        except subprocess.TimeoutExpired:
            statuses[name] = 1
            errors[name] = f"did not finish within {PER_BENCHMARK_LIMIT} s"
        try:
            document = json.loads(output.read_text())
        except (OSError, ValueError):
            errors.setdefault(name, "wrote no result")
            continue
        rows += [{**row, "scenario": f"{name}: {row['scenario']}"} for row in document["results"]]
        if document.get("error"):
            errors[name] = document["error"]
    print(f"\n== summary ({time.time() - started:.0f} s)")
    print(f"   {SHARED_CORES_NOTE}")
    print(table(rows))
    targets = [row for row in rows if "ratio_name" in row]
    if targets:
        print("\n== issue targets (ratios from one run of one server)")
        for row in targets:
            print(f"   {row['scenario']}: {row['note']}")
    for name, error in errors.items():
        print(f"   {name}: {error}")
    summary = {"statuses": statuses, "errors": errors, "results": rows}
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return max(statuses.values(), default=0)


if __name__ == "__main__":
    sys.exit(main())
