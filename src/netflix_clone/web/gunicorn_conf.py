"""gunicorn settings for the production container.

Run as ``gunicorn -c python:netflix_clone.web.gunicorn_conf netflix_clone.wsgi:app``. Every value
comes from the environment so that compose, Kubernetes and a bare host tune the same file; the
defaults are the ones the container should run with. Modelled on PyPI warehouse's config.
"""

from __future__ import annotations

import gc
import importlib
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Protocol

_log = logging.getLogger("gunicorn.error")

PROMETHEUS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"


def _env_int(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _gunicorn_knows(setting: str) -> bool:
    """Whether the installed gunicorn has ``setting`` (some exist only in newer releases)."""
    try:
        config = importlib.import_module("gunicorn.config")
    except ImportError:
        return False
    return any(known.name == setting for known in config.KNOWN_SETTINGS)


bind = f"0.0.0.0:{_env_int('PORT', 8000)}"

# Not "2 x cores + 1": in a container os.cpu_count() reports the node's cores, not the CPU
# limit, so that formula oversubscribes. Two processes survive one crashing worker; throughput
# comes from threads (TMDB, PostgreSQL and Redis calls are I/O bound) and from more replicas.
workers = _env_int("WEB_CONCURRENCY", 2)
# gthread, plus a drain of keep-alive connections on the way out and problem+json for the
# requests gunicorn itself refuses (see gunicorn_worker.py).
worker_class = "netflix_clone.web.gunicorn_worker.DrainingThreadWorker"
# More threads than database slots (DB_POOL_SIZE, 4): while the database or TMDB is in trouble,
# the threads beyond their bulkheads keep answering /healthz, the catalog and 503s at once.
threads = _env_int("GUNICORN_THREADS", 8)

timeout = 30
graceful_timeout = 30  # the pods' terminationGracePeriodSeconds (50) covers preStop 10 s + this
# Longer than the ALB's 60 s idle timeout, so the load balancer, never gunicorn, closes an idle
# keep-alive connection (otherwise the ALB can send on a socket we just closed: sporadic 502s).
keepalive = 75

# Recycle workers now and then to bound slow leaks; the wide jitter keeps them from restarting
# together (each restart also empties that worker's in-process cache).
max_requests = 5000
max_requests_jitter = 1000

# The app writes its own JSON line per request (with the request id), so gunicorn's access log
# would only duplicate it; GUNICORN_ACCESS_LOG=1 turns it on, as JSON lines, for debugging
# (gunicorn does not JSON-escape the values: a header holding a quote breaks that line).
accesslog: str | None = "-" if _env_flag("GUNICORN_ACCESS_LOG") else None
access_log_format = (
    '{"time":"%(t)s","remote":"%(h)s","method":"%(m)s","path":"%(U)s","query":"%(q)s",'
    '"status":%(s)s,"bytes":"%(B)s","duration_us":%(D)s,"request_id":"%({x-request-id}o)s",'
    '"user_agent":"%(a)s"}'
)
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").strip().lower() or "info"


# Prometheus metrics, aggregated over the workers, on a listener of their own (the master's):
# the Service exposes it to the in-cluster scraper only, never through the Ingress. Same
# interface as the app (127.0.0.1 for `make run`); METRICS_PORT=0 turns it off.
_metrics_port = _env_int("METRICS_PORT", 9100, minimum=0)


# Only these peers may set X-Forwarded-Proto/-For (the ALB or ingress in front; set per cluster).
def _forwarded_allow_ips() -> str:
    value = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1").strip() or "127.0.0.1"
    if "/" in value:
        # gunicorn 23 takes addresses only and would stop with a bare "does not appear to be an
        # IPv4 or IPv6 address". Behind a NetworkPolicy that admits only the load balancer's
        # subnets, "*" is right: whoever reaches the pod is the load balancer.
        raise ValueError(
            f"FORWARDED_ALLOW_IPS must list addresses or be '*', not a network ({value})"
        )
    return value


forwarded_allow_ips = _forwarded_allow_ips()
# gunicorn would take SCRIPT_NAME and PATH_INFO from request headers of those peers: the ALB
# passes client headers through, so a client could mount the app anywhere. The app is at /.
if _gunicorn_knows("forwarder_headers"):
    forwarder_headers = ""

# The worker heartbeat file lives in memory, so the root file system can be read-only.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else tempfile.gettempdir()  # noqa: S108

# Connections (database pool, Redis, HTTP clients) are made after fork, in each worker.
preload_app = False

# gunicorn >= 24 opens a control socket by default; it needs a writable directory and we do not
# use it. gunicorn 23 has no such setting, and an unknown name would only be ignored, so set it
# only where it exists.
if _gunicorn_knows("control_socket_disable"):
    control_socket_disable = True


class _Worker(Protocol):
    pid: int


def _prometheus_dir() -> Path:
    configured = os.environ.get(PROMETHEUS_DIR_ENV, "").strip()
    if configured:
        return Path(configured)
    path = Path(tempfile.mkdtemp(prefix="prometheus-multiproc-"))
    os.environ[PROMETHEUS_DIR_ENV] = str(path)
    return path


def on_starting(server: Any) -> None:
    """Give the workers an empty Prometheus multiprocess directory before any of them starts.

    Workers inherit the environment at fork, so setting the variable here (in the master) switches
    prometheus_client into multiprocess mode in every worker. Files left by an earlier run (a
    restarted container keeps its emptyDir) would be summed into the new counters: remove them.
    """
    path = _prometheus_dir()
    path.mkdir(parents=True, exist_ok=True)
    for entry in path.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    # Imported only now, after the variable is set: prometheus_client picks its value class at
    # import time, and the workers inherit the master's modules.
    from prometheus_client import values

    if values.ValueClass is values.MutexValue:
        # prometheus_client was imported in the master before the variable was set; metrics made
        # from now on (in the workers) must still be multiprocess ones.
        values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]
        _log.warning("prometheus_client was imported before %s was set", PROMETHEUS_DIR_ENV)
    _log.info("Prometheus multiprocess directory: %s", path)
    # Import (never create) the app in the master: forked workers inherit the modules, so a
    # recycled worker boots in a fraction of a second instead of re-importing for seconds.
    # No app, pool or client exists yet, so nothing that holds a connection crosses the fork.
    importlib.import_module("netflix_clone.web.app")


_metrics: list[Any] = []  # the master's metrics server, once started


def when_ready(server: Any) -> None:
    """Start the metrics listener in the master, on the app's interface."""
    if _metrics_port == 0:
        return
    host = _bind_host(server.cfg.bind)
    from netflix_clone.core.observability import serve_metrics

    try:
        _metrics.append(serve_metrics(host, _metrics_port))
    except OSError as exc:
        # Members matter more than metrics: serve them, and say loudly what is missing.
        _log.error("metrics listener on %s:%s failed: %s", host, _metrics_port, exc)
        return
    _log.info("Prometheus metrics at http://%s:%s/metrics", host, _metrics_port)


def post_fork(server: Any, worker: Any) -> None:
    """A worker inherits the master's metrics socket: close its copy (the master serves it)."""
    for listener in _metrics:
        listener.socket.close()


def post_worker_init(worker: Any) -> None:
    """Move what the app built at boot out of the garbage collector's sight.

    The app holds the demo catalog and the TMDB rules as some 180,000 long-lived objects; a
    full collection walks all of them (about 220 ms on this project's 2-core machine) and
    holds every thread of the worker while it runs, so a request arriving then, `/healthz`
    included, waits for it. Nothing built at boot becomes garbage, so after one collection
    they go to the permanent generation (`gc.freeze`): a full collection then takes ~17 ms.
    """
    gc.collect()
    gc.freeze()


def _bind_host(binds: list[str]) -> str:
    first = binds[0] if binds else bind
    if first.startswith("unix:"):
        return "127.0.0.1"
    host = first.rsplit(":", 1)[0] if ":" in first else first
    return host.strip("[]") or "0.0.0.0"  # noqa: S104


def child_exit(server: Any, worker: _Worker) -> None:
    """Drop a dead worker's live gauges so /metrics does not report it forever."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
