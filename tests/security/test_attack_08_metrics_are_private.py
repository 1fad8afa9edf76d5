"""Issue 23, row 8: /metrics was also served for `//metrics`, `/%6detrics`, `/%2fmetrics`,
`/metrics/` and, with a `SCRIPT_NAME` header that gunicorn honoured from any trusted peer
(FORWARDED_ALLOW_IPS=* behind the ALB), for `/x/metrics`: paths the ALB's rule does not match.
Now the public listener answers 404 problem+json for every spelling, and the metrics listen on
their own port (METRICS_PORT) for the in-cluster scraper."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.security.gunicorn import raw_exchange, served, status_and_type
from tests.waiting import free_port

SPELLINGS = [
    "/metrics",
    "//metrics",
    "/%6detrics",
    "/%2fmetrics",
    "/metrics/",
    "/metrics/x",
    "/./metrics",
    "/x/../metrics",
    "/METRICS",
    "///metrics//",
]


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_no_spelling_of_metrics_is_served_publicly(tmp_path: Path, method: str) -> None:
    port = free_port()
    with served(tmp_path, FORWARDED_ALLOW_IPS="*", METRICS_PORT=str(port)) as app:
        httpx.get(app.url("/healthz"))
        for path in SPELLINGS:
            answer = raw_exchange(
                app, f"{method} {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode(), head=method == "HEAD"
            )
            status, content_type = status_and_type(answer)
            assert (status, content_type) == (404, "application/problem+json"), (path, answer)
            assert b"http_requests_total" not in answer
        # A SCRIPT_NAME from the client does not move the app: /x/metrics is /x/metrics.
        for header in ("SCRIPT_NAME: /x", "Script-Name: /x", "X-Forwarded-Prefix: /x"):
            answer = raw_exchange(
                app, f"GET /x/metrics HTTP/1.1\r\nHost: x\r\n{header}\r\n\r\n".encode()
            )
            assert status_and_type(answer)[0] in (400, 404), answer
            assert b"http_requests_total" not in answer
        # The scraper's port has them, aggregated over both workers.
        scraped = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
        assert scraped.status_code == 200
        assert 'route="/healthz"' in scraped.text
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=10).status_code == 404
