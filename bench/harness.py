"""Shared benchmark machinery: the app under gunicorn, wrk with a Lua reporter, results on disk.

Every benchmark starts the real production stack (gunicorn with ``netflix_clone.web.gunicorn_conf``)
on a free loopback port against a fresh database, loads it with wrk, and always stops it again.
The load generator and the server share this machine's cores, so figures are relative: compare
runs made here with each other, not with a production host.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = REPO / ".venv" / "bin"
RESULTS_DIR = REPO / "bench" / "results"

# Admin connection for creating and dropping the per-run database (never the app's own database).
POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_BASE_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")
PASSWORD = "correct-horse-battery-staple"

CPUS = os.cpu_count() or 1
SHARED_CORES_NOTE = (
    f"{CPUS} CPU cores shared by the load generator (wrk/httpx, fake TMDB) and the server "
    "(gunicorn master + workers, PostgreSQL/Redis): absolute figures understate a dedicated "
    "server and vary from run to run; compare runs made on this machine only."
)

# Settings that must come from the benchmark, never from the caller's shell.
_SCRUBBED_ENV = (
    "DATABASE_URL",
    "DATABASE_SECRET_ID",
    "REDIS_URL",
    "CATALOG_SOURCE",
    "TMDB_API_KEY",
    "TMDB_SECRET_ID",
    "TMDB_BASE_URL",
    "SECRET_KEY",
    "SECRET_KEY_SECRET_ID",
    "PORT",
    "WEB_CONCURRENCY",
    "GUNICORN_THREADS",
    "GUNICORN_ACCESS_LOG",
    "PROMETHEUS_MULTIPROC_DIR",
    "INSTANCE_PATH",
    "APP_ENV",
)


class BenchError(Exception):
    """A benchmark could not run; the message is one line for the person running it."""


class EndpointMissing(BenchError):
    """An endpoint the benchmark needs answers 404: the feature has not landed yet."""

    def __init__(self, method: str, path: str, status: int = 404) -> None:
        super().__init__(f"endpoint not available yet ({status}): {method} {path}")


# --------------------------------------------------------------------------- options


@dataclass(frozen=True)
class Options:
    duration: float
    warmup: float
    connections: int
    threads: int
    workers: int
    gunicorn_threads: int | None
    max_requests: int | None
    app_env: str
    quick: bool
    output: Path | None
    extra: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        data = asdict(self)
        data["output"] = str(self.output) if self.output else None
        return data


def base_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--duration", type=float, default=10.0, help="seconds of load per scenario (10)"
    )
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 2 s per scenario, short warm-up"
    )
    parser.add_argument("--workers", type=int, default=2, help="WEB_CONCURRENCY (2)")
    parser.add_argument(
        "--gunicorn-threads",
        type=int,
        default=None,
        help="GUNICORN_THREADS (default: the project's gunicorn_conf default)",
    )
    parser.add_argument(
        "--max-requests",
        type=int,
        default=None,
        help="override gunicorn's max_requests (default: the project's config; 0 = never "
        "recycle workers)",
    )
    parser.add_argument(
        "--app-env",
        choices=("test", "local"),
        default="test",
        help="APP_ENV: test (cheap argon2, default) or local",
    )
    parser.add_argument("--output", type=Path, default=None, help="JSON result path")
    return parser


def options_from(args: argparse.Namespace, **extra: Any) -> Options:
    duration = 2.0 if args.quick else args.duration
    if duration <= 0 or args.connections < 1 or args.threads < 1:
        raise BenchError("--duration, --connections and --threads must be positive")
    return Options(
        duration=duration,
        # --quick skips the warm-up (a smoke run); wrk cannot run for less than 1 s anyway.
        warmup=0.0 if args.quick else min(2.0, max(1.0, duration / 5)),
        connections=max(args.connections, args.threads),
        threads=args.threads,
        workers=args.workers,
        gunicorn_threads=args.gunicorn_threads,
        max_requests=args.max_requests,
        app_env=args.app_env,
        quick=args.quick,
        output=args.output,
        extra=extra,
    )


# --------------------------------------------------------------------------- databases, Redis


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pg_admin_dsn() -> str:
    from sqlalchemy.engine import make_url

    url = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


@contextlib.contextmanager
def database(kind: str, workdir: Path) -> Iterator[str]:
    """A fresh, empty database URL; a PostgreSQL one is dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    if kind != "postgres":
        raise BenchError(f"unknown database {kind!r}")
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"nc_bench_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(_pg_admin_dsn(), autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        raise BenchError(f"PostgreSQL is not usable ({exc}); run `make services`") from None
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_pg_admin_dsn(), autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def redis_database() -> Iterator[str]:
    """An empty Redis logical database (cold cache), flushed again afterwards.

    BENCH_REDIS_DB picks one; otherwise the highest-numbered empty one, so the test suite's
    database 0 and anyone else's data are left alone."""
    import redis

    client = redis.Redis.from_url(REDIS_BASE_URL, socket_timeout=2)
    try:
        configured: dict[str, Any] = client.config_get("databases")  # type: ignore[assignment]
        count = int(configured.get("databases", 16))
        wanted = os.environ.get("BENCH_REDIS_DB")
        candidates = [int(wanted)] if wanted else list(range(count - 1, 0, -1))
        chosen = None
        for number in candidates:
            db_client = redis.Redis.from_url(f"{REDIS_BASE_URL}/{number}", socket_timeout=2)
            if wanted or db_client.dbsize() == 0:
                chosen = db_client
                break
    except redis.RedisError as exc:
        raise BenchError(f"Redis is not usable ({exc}); run `make services`") from None
    if chosen is None:
        raise BenchError("no empty Redis database; set BENCH_REDIS_DB")
    chosen.flushdb()
    try:
        yield f"{REDIS_BASE_URL}/{number}"
    finally:
        chosen.flushdb()


# --------------------------------------------------------------------------- the server


@dataclass
class ServerConfig:
    db: str = "sqlite"
    redis: bool = False
    app_env: str = "test"
    workers: int = 2
    threads: int | None = None
    max_requests: int | None = None
    env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_options(cls, options: Options, **changes: Any) -> ServerConfig:
        config = cls(
            app_env=options.app_env,
            workers=options.workers,
            threads=options.gunicorn_threads,
            max_requests=options.max_requests,
        )
        for name, value in changes.items():
            setattr(config, name, value)
        return config

    def label(self) -> str:
        parts = [self.db, "redis" if self.redis else "memory-cache", f"{self.workers}w"]
        if self.threads:
            parts.append(f"{self.threads}t")
        return "/".join(parts)


@dataclass
class Server:
    base_url: str
    config: ServerConfig
    log_path: Path
    redis_url: str | None
    # The app's database (for benchmarks that seed rows the API cannot make).
    database_url: str = ""
    # Prometheus metrics: the master's own listener (METRICS_PORT), not the public port.
    metrics_url: str = ""

    def url(self, path: str) -> str:
        return self.base_url + path


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _server_env(
    config: ServerConfig, database_url: str, redis_url: str | None, workdir: Path
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
    prometheus = workdir / "prometheus"
    prometheus.mkdir()
    env.update(
        {
            "APP_ENV": config.app_env,
            "DATABASE_URL": database_url,
            "CATALOG_SOURCE": "demo",
            "INSTANCE_PATH": str(workdir / "instance"),
            "PROMETHEUS_MULTIPROC_DIR": str(prometheus),
            "METRICS_PORT": str(free_port()),
            "WEB_CONCURRENCY": str(config.workers),
            "PYTHONUNBUFFERED": "1",
        }
    )
    if config.threads:
        env["GUNICORN_THREADS"] = str(config.threads)
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(config.env)
    return env


def _migrate(env: Mapping[str, str], log_path: Path) -> None:
    with log_path.open("ab") as log:
        done = subprocess.run(
            [str(VENV_BIN / "netflix-clone"), "migrate"],
            env=dict(env),
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=120,
            check=False,
        )
    if done.returncode != 0:
        raise BenchError(f"migration failed (exit {done.returncode}):\n{_tail(log_path)}")


def _wait_ready(proc: subprocess.Popen[bytes], url: str, log_path: Path, limit: float) -> None:
    deadline = time.monotonic() + limit
    last = "no answer"
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise BenchError(
                    f"gunicorn exited with {proc.returncode} before it was ready:\n"
                    f"{_tail(log_path)}"
                )
            try:
                response = client.get(url)
                if response.status_code == 200:
                    return
                last = f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                last = type(exc).__name__
            time.sleep(0.2)
    raise BenchError(f"/readyz not ready after {limit:.0f} s ({last}):\n{_tail(log_path)}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM (gunicorn's graceful stop), then SIGKILL to our own process group if it hangs."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=40)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@contextlib.contextmanager
def running_server(config: ServerConfig, ready_timeout: float = 60.0) -> Iterator[Server]:
    """gunicorn with the project's config on a free loopback port; stopped on any exit."""
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="nc-bench-")))
        database_url = stack.enter_context(database(config.db, workdir))
        redis_url = stack.enter_context(redis_database()) if config.redis else None
        env = _server_env(config, database_url, redis_url, workdir)
        log_path = workdir / "server.log"
        _migrate(env, log_path)
        port = free_port()
        command = [
            str(VENV_BIN / "gunicorn"),
            "-c",
            "python:netflix_clone.web.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
        ]
        if config.max_requests is not None:
            command += ["--max-requests", str(config.max_requests)]
        command.append("netflix_clone.wsgi:app")
        log = stack.enter_context(log_path.open("ab"))
        proc = subprocess.Popen(
            command,
            env=env,
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a hung stop is killed precisely
        )
        stack.callback(_stop, proc)
        base_url = f"http://127.0.0.1:{port}"
        _wait_ready(proc, base_url + "/readyz", log_path, ready_timeout)
        metrics_url = f"http://127.0.0.1:{env['METRICS_PORT']}/metrics"
        try:
            yield Server(base_url, config, log_path, redis_url, database_url, metrics_url)
        except BenchError as error:
            # The server's own account of what went wrong, before its log is deleted.
            errors = _errors(log_path)
            if errors:
                raise BenchError(f"{error}\nserver log, errors:\n{errors}") from None
            raise


def _errors(path: Path, records: int = 3, frames: int = 12) -> str:
    """The log's first ERROR records: message and the end of each traceback."""
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    found: list[str] = []
    for line in text:
        if '"level": "ERROR"' not in line:
            continue
        try:
            record = json.loads(line)
        except ValueError:
            found.append(line)
        else:
            trace = str(record.get("exception", "")).splitlines()[-frames:]
            found.append("\n".join([str(record.get("message", "")), *trace]))
        if len(found) == records:
            break
    return "\n".join(found)


# --------------------------------------------------------------------------- wrk


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"],
            check=False,
            timeout=300,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        found = shutil.which("wrk")
    if not found:
        raise BenchError("wrk is not installed (Debian: apt-get install -y wrk)")
    return found


def lua_literal(value: Any) -> str:
    """A Lua expression for a JSON-like Python value (strings, numbers, bools, lists, dicts)."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = "".join(
            c if c.isascii() and c.isprintable() and c not in '"\\' else f"\\{ord(c):03d}"
            for c in value
        )
        return f'"{escaped}"'
    if isinstance(value, Mapping):
        items = ", ".join(f"[{lua_literal(str(k))}] = {lua_literal(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, Sequence):
        return "{" + ", ".join(lua_literal(v) for v in value) + "}"
    raise TypeError(f"no Lua literal for {type(value).__name__}")


_LUA_BODY = r"""
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

function init(args)
  counter = 0
  non2xx = 0
  matched = 0
  statuses = {}
  -- movie ids this thread writes; disjoint across threads (see progress_paths in Python)
  my_paths = cfg.paths
  if cfg.paths_per_thread then
    my_paths = cfg.paths_per_thread[((thread_id - 1) % #cfg.paths_per_thread) + 1]
  end
end

function request()
  counter = counter + 1
  local path = my_paths[((counter - 1) % #my_paths) + 1]
  local body = cfg.body
  if cfg.progress then
    -- past 5% and the first minute (else nothing is stored), short of the end (not finished)
    local duration = 6000
    body = string.format(
      '{"position_seconds": %d, "duration_seconds": %d, "sequence": %d}',
      600 + (counter * 7) % 4200, duration, cfg.sequence_base + counter)
  end
  return wrk.format(cfg.method, path, cfg.headers, body)
end

function response(status, headers, body)
  if cfg.count_match and body and string.find(body, cfg.count_match, 1, true) then
    matched = matched + 1
  end
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    local key = tostring(status)
    statuses[key] = (statuses[key] or 0) + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  local hits = 0
  local codes = {}
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("non2xx") or 0)
    hits = hits + (thread:get("matched") or 0)
    local per = thread:get("statuses") or {}
    for code, count in pairs(per) do
      codes[code] = (codes[code] or 0) + count
    end
  end
  local parts = {}
  for code, count in pairs(codes) do
    table.insert(parts, string.format('"%s": %d', code, count))
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"p50_us": %.1f, "p90_us": %.1f, "p99_us": %.1f, "p999_us": %.1f, ' ..
    '"max_us": %.1f, "mean_us": %.1f, "non2xx": %d, "matched": %d, "statuses": {%s}, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, latency.mean, bad, hits, table.concat(parts, ", "),
    e.connect, e.read, e.write, e.timeout, e.status))
end
"""


@dataclass(frozen=True)
class Load:
    """What wrk sends: one method, a path (or a rotation of them), headers and a body."""

    path: str = "/healthz"
    method: str = "GET"
    headers: Mapping[str, str] = field(default_factory=dict)
    body: str | None = None
    paths: Sequence[str] = ()
    # One rotation of paths per wrk thread (each thread cycles through its own list).
    paths_per_thread: Sequence[Sequence[str]] = ()
    # PUT /api/profile/progress bodies whose sequence increases with every request of a wrk
    # thread and from one run to the next (threads must write disjoint movies).
    progress: bool = False
    # Count the responses whose body contains this text (reported as `matched`).
    count_match: str | None = None

    def lua(self) -> str:
        cfg: dict[str, Any] = {
            "method": self.method,
            "headers": dict(self.headers),
            "body": self.body,
            "paths": list(self.paths) or [self.path],
            "progress": self.progress,
            "count_match": self.count_match,
            # Above every earlier run's sequences (runs start >= 1 s apart, < 1e6 requests
            # per thread each) and below 2^53, which Lua numbers (doubles) hold exactly.
            "sequence_base": int(time.time()) * 1_000_000,
        }
        if self.paths_per_thread:
            cfg["paths_per_thread"] = [list(p) for p in self.paths_per_thread]
        return f"cfg = {lua_literal(cfg)}\n{_LUA_BODY}"


@dataclass(frozen=True)
class LoadResult:
    requests: int
    duration_s: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    p999_ms: float
    max_ms: float
    mean_ms: float
    non2xx: int
    matched: int
    statuses: dict[str, int]
    socket_errors: int
    error_detail: dict[str, int]

    @classmethod
    def from_wrk(cls, raw: Mapping[str, Any]) -> LoadResult:
        duration = raw["duration_us"] / 1e6
        errors = {k: int(v) for k, v in raw["errors"].items()}
        return cls(
            requests=int(raw["requests"]),
            duration_s=round(duration, 3),
            rps=round(raw["requests"] / duration, 1) if duration else 0.0,
            p50_ms=round(raw["p50_us"] / 1000, 3),
            p90_ms=round(raw["p90_us"] / 1000, 3),
            p99_ms=round(raw["p99_us"] / 1000, 3),
            p999_ms=round(raw["p999_us"] / 1000, 3),
            max_ms=round(raw["max_us"] / 1000, 3),
            mean_ms=round(raw["mean_us"] / 1000, 3),
            non2xx=int(raw["non2xx"]),
            matched=int(raw["matched"]),
            statuses={str(k): int(v) for k, v in raw["statuses"].items()},
            socket_errors=sum(errors[k] for k in ("connect", "read", "write", "timeout")),
            error_detail=errors,
        )


def run_wrk(
    server: Server, load: Load, duration: float, connections: int, threads: int
) -> LoadResult:
    wrk = ensure_wrk()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="nc-bench-") as script:
        script.write(load.lua())
        script.flush()
        command = [
            wrk,
            f"--threads={threads}",
            f"--connections={connections}",
            f"--duration={max(1, round(duration))}s",
            "--timeout=5s",
            f"--script={script.name}",
            server.url(load.paths[0] if load.paths else load.path),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=duration + 60, check=False
            )
        except subprocess.TimeoutExpired:
            raise BenchError(f"wrk did not finish within {duration + 60:.0f} s") from None
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}): {done.stderr.strip()[:500]}")
    for line in done.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            return LoadResult.from_wrk(json.loads(line.removeprefix("WRK_JSON ")))
    raise BenchError(f"wrk printed no report:\n{done.stdout[-1000:]}")


def measure(server: Server, load: Load, options: Options, warm: bool = True) -> LoadResult:
    """A warm-up (fills caches and connection pools, result discarded), then the timed run."""
    if warm and options.warmup > 0:
        run_wrk(server, load, options.warmup, options.connections, options.threads)
    return run_wrk(server, load, options.duration, options.connections, options.threads)


# --------------------------------------------------------------------------- HTTP helpers


def check_status(response: httpx.Response, expected: int, what: str) -> httpx.Response:
    if response.status_code == 404 and expected != 404:
        raise EndpointMissing(response.request.method, response.request.url.path)
    if response.status_code != expected:
        raise BenchError(
            f"{what}: expected HTTP {expected}, got {response.status_code}: {response.text[:300]}"
        )
    return response


def member_token(client: httpx.Client, email: str) -> tuple[int, str]:
    """Sign up a member and sign in: (user id, access token)."""
    user = check_status(
        client.post(
            "/api/users", json={"email": email, "password": PASSWORD, "display_name": "Bench"}
        ),
        201,
        "sign-up",
    ).json()
    tokens = check_status(
        client.post("/api/auth/token", json={"email": email, "password": PASSWORD}),
        200,
        "sign-in",
    ).json()
    return int(user["id"]), str(tokens["access_token"])


def metric_values(server: Server, name: str) -> dict[str, float]:
    """Samples of one Prometheus counter, by label set (summed over workers, dead ones too)."""
    response = httpx.get(server.metrics_url, timeout=10)
    values: dict[str, float] = {}
    for line in response.text.splitlines():
        if line.startswith(name + "{"):
            labels, _, value = line[len(name) + 1 :].rpartition("} ")
            values[labels] = values.get(labels, 0.0) + float(value)
    return values


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --------------------------------------------------------------------------- results


Row = dict[str, Any]


def load_row(scenario: str, result: LoadResult, **extra: Any) -> Row:
    return {"scenario": scenario, **asdict(result), **extra}


def _git_commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            check=False,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def table(rows: Sequence[Row]) -> str:
    """A fixed-width table: req/s, latency percentiles, failures and a free-form note."""
    headers = ["scenario", "req/s", "p50 ms", "p99 ms", "p99.9 ms", "non-2xx", "sock err", "note"]
    body = [
        [
            str(row.get("scenario", "")),
            _fmt(row.get("rps")),
            _fmt(row.get("p50_ms"), 2),
            _fmt(row.get("p99_ms"), 2),
            _fmt(row.get("p999_ms"), 2),
            _fmt(row.get("non2xx")),
            _fmt(row.get("socket_errors")),
            str(row.get("note", "")),
        ]
        for row in rows
    ]
    widths = [
        max(len(h), *(len(r[i]) for r in body)) if body else len(h) for i, h in enumerate(headers)
    ]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for r in body:
        cells = [r[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(r[1:-1], widths[1:-1], strict=True)
        ]
        lines.append("  ".join([*cells, r[-1]]).rstrip())
    return "\n".join(lines)


def write_result(
    name: str,
    options: Options,
    rows: Sequence[Row],
    error: str | None,
    started: float,
    load_at_start: list[float],
) -> Path:
    path = options.output or RESULTS_DIR / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "benchmark": name,
        "ok": error is None,
        "error": error,
        "started_at": dt.datetime.fromtimestamp(started, dt.UTC).isoformat(),
        "elapsed_s": round(time.time() - started, 1),
        "git_commit": _git_commit(),
        "host": {
            "cpus": CPUS,
            "note": SHARED_CORES_NOTE,
            "load_average_at_start": load_at_start,
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        },
        "options": options.describe(),
        "results": list(rows),
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path


def main(
    name: str,
    title: str,
    parser: argparse.ArgumentParser,
    run: Callable[[Options, list[Row]], None],
    argv: Sequence[str] | None = None,
) -> int:
    """Parse options, run the benchmark (appending rows as it goes), print and save the result.

    Exit status: 0 measured, 2 an endpoint is missing (feature not landed), 1 any other failure.
    """
    args = parser.parse_args(argv)
    started = time.time()
    rows: list[Row] = []
    error: str | None = None
    status = 0
    try:
        options = options_from(args, **_extra_args(args))
    except BenchError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 1
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    print(f"== {title}")
    print(f"   {SHARED_CORES_NOTE}")
    print(
        f"   wrk: {options.threads} threads, {options.connections} connections, "
        f"{options.duration:g} s per scenario after {options.warmup:g} s warm-up; "
        f"gunicorn: {options.workers} workers, APP_ENV={options.app_env}; "
        f"load average {load_at_start[0]:g}",
        flush=True,
    )
    try:
        run(options, rows)
    except EndpointMissing as exc:
        error, status = str(exc), 2
    except BenchError as exc:
        error, status = str(exc), 1
    except KeyboardInterrupt:
        error, status = "interrupted", 130
    if rows:
        print(table(rows))
    if error:
        print(f"{name}: {error}", file=sys.stderr)
    path = write_result(name, options, rows, error, started, load_at_start)
    if max(load_at_start[0], os.getloadavg()[0]) > CPUS:
        print(
            f"   warning: load average above {CPUS} (other work on this machine): "
            "these figures are not comparable"
        )
    print(f"   result: {path}")
    return status


def _extra_args(args: argparse.Namespace) -> dict[str, Any]:
    common = {
        "duration",
        "connections",
        "threads",
        "quick",
        "workers",
        "gunicorn_threads",
        "max_requests",
        "app_env",
        "output",
    }
    return {k: v for k, v in vars(args).items() if k not in common}


def progress(message: str) -> None:
    print(f"   .. {message}", flush=True)
