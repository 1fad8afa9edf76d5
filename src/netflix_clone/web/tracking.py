"""Every request gets an id (ours, or a well-formed `X-Request-ID`), a metric and an access-log
line; its log records carry the id (core.observability.request_id)."""

from __future__ import annotations

import re
import time
import uuid

from flask import Flask, Response, g, request

from netflix_clone.core.observability import (
    LATENCY,
    REQUESTS,
    access_log,
    instrument_database_pools,
    request_id,
)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# The ALB's trace header (Root=1-<time>-<id>;Parent=...;Sampled=1, Self=... past a second hop):
# logged beside our request id so one request can be followed from the ALB's access log.
_AMZN_TRACE_ID = re.compile(r"^[A-Za-z0-9=;:._-]{1,256}$")


def init_request_tracking(app: Flask) -> None:
    instrument_database_pools()

    @app.before_request
    def _start() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.request_id_token = request_id.set(g.request_id)
        trace = request.headers.get("X-Amzn-Trace-Id", "")
        g.amzn_trace_id = trace if _AMZN_TRACE_ID.match(trace) else None
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers["X-Request-ID"] = g.get("request_id", "")
        started = g.get("started")
        route = request.url_rule.rule if request.url_rule else "unmatched"
        if started is not None:
            elapsed = time.perf_counter() - started
            REQUESTS.labels(request.method, route, str(response.status_code)).inc()
            LATENCY.labels(request.method, route).observe(elapsed)
            access_log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": round(elapsed * 1000, 2),
                    "remote_addr": request.remote_addr,
                    "user_id": g.get("user_id"),
                    "x_amzn_trace_id": g.get("amzn_trace_id"),
                },
            )
        return response

    @app.teardown_request
    def _forget(_error: BaseException | None) -> None:
        token = g.pop("request_id_token", None)
        if token is not None:
            request_id.reset(token)
