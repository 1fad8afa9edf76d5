"""JSON logs with a request id, secret redaction, and Prometheus metrics (multi-worker safe)."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import threading
from contextvars import ContextVar
from datetime import UTC, datetime
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event
from sqlalchemy.pool import Pool

REQUESTS = Counter("http_requests_total", "HTTP requests handled", ["method", "route", "status"])
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to handle an HTTP request",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
UPSTREAM = Counter("tmdb_upstream_requests_total", "Requests sent to TMDB", ["outcome"])
CACHE = Counter("catalog_cache_total", "Catalog cache lookups", ["result"])
# Connections a unit of work holds right now, summed over the live workers of the pod: against
# db_pool_size per worker it says how close the pod is to queueing for the database.
POOL_IN_USE = Gauge(
    "db_pool_connections_in_use",
    "Database connections checked out of the pool",
    multiprocess_mode="livesum",
)


class Redactor:
    """Process-wide set of secret values that must never reach a log line."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: frozenset[str] = frozenset()

    def add(self, *values: str | None) -> None:
        with self._lock:
            self._secrets = self._secrets | {v for v in values if v and len(v) >= 8}

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, "[REDACTED]")
        return text


redactor = Redactor()
_QUERY_SECRET = re.compile(r"(?i)((?:api_key|access_token|token|password)=)[^&\s\"']+")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in (
            "request_id",
            "method",
            "path",
            "status",
            "duration_ms",
            "remote_addr",
            "route",
            "user_id",
            "x_amzn_trace_id",
            "event",
        ):
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        text = json.dumps(entry, default=str)
        return redactor.scrub(_QUERY_SECRET.sub(r"\1[REDACTED]", text))


# The id of the request being handled by this thread (set by the web layer, web/tracking.py).
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class OurHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The service's own log handler (the app's JSON on stdout, or the CLI's on stderr): at
    most one is installed, whoever configures logging first."""

    def __init__(self, stream: Any, formatter: logging.Formatter) -> None:
        super().__init__(stream)
        self.setFormatter(formatter)
        self.addFilter(RequestIdFilter())


def configure_logging(level: str) -> None:
    root = logging.getLogger()
    if not any(isinstance(h, OurHandler) for h in root.handlers):
        root.addHandler(OurHandler(sys.stdout, JsonFormatter()))
    root.setLevel(level)
    # httpx logs full URLs at INFO; ours are keyless, but keep the noise and the risk out.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("botocore").setLevel(logging.WARNING)


access_log = logging.getLogger("netflix_clone.access")


def instrument_database_pools() -> None:
    """Count checked-out connections of every SQLAlchemy pool in this process (idempotent).

    Listening on the Pool class covers each engine the app builds, now or later, without the
    database layer knowing about metrics.
    """
    if not event.contains(Pool, "checkout", _on_checkout):
        event.listen(Pool, "checkout", _on_checkout)
        event.listen(Pool, "checkin", _on_checkin)


def _on_checkout(*_: object) -> None:
    POOL_IN_USE.inc()


def _on_checkin(*_: object) -> None:
    POOL_IN_USE.dec()


def metrics_text() -> bytes:
    """Every metric in Prometheus' text format: with several gunicorn workers, every worker's
    samples aggregated (PROMETHEUS_MULTIPROC_DIR), not just this process's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest()


def metrics_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """The metrics listener's WSGI app: `GET /metrics`, nothing else. It runs on its own port
    (METRICS_PORT, gunicorn_conf.py), which only the in-cluster scraper can reach; the public
    listener answers 404 for every spelling of /metrics."""
    if environ.get("PATH_INFO") != "/metrics":
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
        return [b"not found: metrics are at /metrics\n"]
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        start_response("405 Method Not Allowed", [("Allow", "GET, HEAD")])
        return [b""]
    data = metrics_text()
    # CONTENT_TYPE_LATEST already names its charset.
    start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
    return [data] if environ["REQUEST_METHOD"] == "GET" else [b""]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        """A scrape every few seconds is not worth a log line."""


class _MetricsServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def serve_metrics(host: str, port: int) -> WSGIServer:
    """Serve `metrics_app` on (host, port) from a daemon thread of this process (gunicorn's
    master, which outlives its workers and sees every worker's samples)."""
    server = make_server(host, port, metrics_app, _MetricsServer, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    return server
