"""Every metric and log field the alarms and the dashboard read, the running app really exports.

A short load (a member's home screen and heartbeat, catalog hits, misses and a stale answer,
TMDB failing, Redis and a database that are down) goes through the app; then its metrics are
read through `netflix_clone.core.observability.metrics_text` (what the metrics port serves, so
the test does not depend on where the endpoint lives), passed through the collector's own
relabelling and EMF declarations (deploy/k8s/cluster/metrics-collector), and compared with what
modules/observability names. Its access-log lines are compared with what the metric filters and
the Logs Insights queries of docs/operations.md read.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine

from netflix_clone.catalog import source as catalog_source
from netflix_clone.core.observability import (
    JsonFormatter,
    RequestIdFilter,
    instrument_database_pools,
    metrics_text,
)
from netflix_clone.web.app import create_app
from tests.conftest import Member, test_settings
from tests.integration.test_profiles import profile_headers, profiles
from tests.observability_contract import (
    MODULE,
    OPERATIONS,
    PROMETHEUS_NAMESPACE,
    emf_series,
    log_metric_filters,
    terraform_metric_uses,
)

NAMESPACE = "netflix-clone-test"  # what the collector's service discovery adds as Namespace
TRACE = "Root=1-67891233-abcdef012345678912345678"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape() -> Samples:
    text = metrics_text().decode()
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


class AccessLines(logging.Handler):
    """The access log as the pods print it: the app's JSON formatter and request-id filter."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.addFilter(RequestIdFilter())
        self.lines: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


def load(
    catalog_app: Callable[..., Flask], tmdb: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = catalog_app(redis_url="redis://127.0.0.1:1/0")  # Redis down: fallbacks, breaker
    client = app.test_client()
    member = Member(client, "watcher@example.com")
    headers = profile_headers(client, member, profiles(client, member)[0]["id"])
    traced = {**headers, "X-Amzn-Trace-Id": TRACE}
    assert client.get("/api/browse", headers=traced).status_code == 200
    heartbeat = {"position_seconds": 60, "duration_seconds": 5400, "sequence": 1}
    beat = client.put("/api/profile/progress/movie/550", headers=headers, json=heartbeat)
    assert beat.status_code < 300, beat.json
    assert client.get("/api/movies?list=popular").status_code == 200  # miss
    assert client.get("/api/movies?list=popular").status_code == 200  # hit
    tmdb.add_fault("movie/680", status=503)  # a title nobody asked for yet: nothing cached
    assert client.get("/api/movies/680").status_code >= 500  # a 5xx on /api
    tmdb.clear_faults()
    monkeypatch.setitem(catalog_source.TTL, "search", 0)  # stored from now on: stale at once
    assert client.get("/api/movies/search?q=fight").status_code == 200
    tmdb.add_fault("search/movie", status=500)
    assert client.get("/api/movies/search?q=fight").headers["X-Cache"] == "stale"
    assert client.get("/healthz").status_code == 200

    # A database that is down trips the database breaker.
    dead = create_app(
        test_settings(
            database_url="postgresql+psycopg://postgres@127.0.0.1:1/none",
            instance_path=tmp_path / "dead",
            db_breaker_failures=2,
        )
    ).test_client()
    wrong = {"email": "a@example.com", "password": "x" * 12}
    assert {dead.post("/api/auth/token", json=wrong).status_code for _ in range(3)} == {503}


@pytest.fixture
def loaded(
    catalog_app: Callable[..., Flask], tmdb: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Samples, Samples, list[dict[str, Any]]]]:
    access = AccessLines()
    logger = logging.getLogger("netflix_clone.access")
    logger.addHandler(access)
    try:
        before = scrape()
        load(catalog_app, tmdb, tmp_path, monkeypatch)
        yield before, scrape(), access.lines
    finally:
        logger.removeHandler(access)


def produced(before: Samples, after: Samples) -> list[tuple[str, dict[str, str]]]:
    """Samples this load produced: counters that grew, gauges present (breakers, pool)."""
    out = []
    for (name, labels), value in after.items():
        grew = value > before.get((name, labels), 0.0)
        if name.endswith("_total") and not grew:
            continue
        target = {"Namespace": NAMESPACE, "job": "netflix-clone", "pod": "web-0"}
        out.append((name, {**target, **dict(labels)}))
    return out


def test_every_metric_the_alarms_and_the_dashboard_read_is_exported(
    loaded: tuple[Samples, Samples, list[dict[str, Any]]],
) -> None:
    before, after, _ = loaded
    series = emf_series(produced(before, after))
    uses = [u for u in terraform_metric_uses() if u.namespace == PROMETHEUS_NAMESPACE]
    assert len({u.metric for u in uses}) >= 7
    for use in uses:
        candidates = [
            dict(dims)
            for name, dims in series
            if name == use.metric and frozenset(d for d, _ in dims) == use.dimension_names
        ]
        wanted = {d: v for d, v in use.dimensions if v is not None}
        assert any(wanted.items() <= c.items() for c in candidates), (
            f"{use}: after the load the collector would publish only {candidates}"
        )


def test_the_breaker_alarms_watch_the_apps_breakers(
    loaded: tuple[Samples, Samples, list[dict[str, Any]]],
) -> None:
    _, after, _ = loaded
    watched = re.search(
        r'"breaker_open" \{\n\s*for_each = toset\(\[([^\]]*)\]\)',
        (MODULE / "alarms.tf").read_text(),
    )
    assert watched
    alarms = set(re.findall(r'"(\w+)"', watched.group(1)))
    breakers = {
        dict(labels)["dependency"] for (name, labels) in after if name == "dependency_breaker_open"
    }
    assert alarms == breakers == {"database", "redis"}


def test_access_lines_carry_every_field_the_filters_and_queries_read(
    loaded: tuple[Samples, Samples, list[dict[str, Any]]],
) -> None:
    _, _, lines = loaded
    browse = next(line for line in lines if line.get("route") == "/api/browse")
    heartbeat = next(line for line in lines if line.get("method") == "PUT")
    for line in (browse, heartbeat):
        assert line["logger"] == "netflix_clone.access"
        assert isinstance(line["duration_ms"], (int, float)) and line["duration_ms"] >= 0
        assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"])
        assert isinstance(line["user_id"], int), "the member is an id, never an e-mail"
    assert browse["x_amzn_trace_id"] == TRACE
    assert "x_amzn_trace_id" not in heartbeat  # no ALB in front: nothing to log

    for metric_filter in log_metric_filters():
        assert metric_filter.fields() <= browse.keys(), metric_filter
    heartbeat_filter = next(f for f in log_metric_filters() if f.metric == "heartbeat_duration_ms")
    prefix = re.search(r'route = "([^"*]+)\*"', heartbeat_filter.pattern)
    assert prefix and heartbeat["route"].startswith(prefix.group(1))

    queried = set(re.findall(r"log_processed\.(\w+)", OPERATIONS.read_text()))
    assert queried <= {*browse.keys(), "level", "message", "logger"}, queried - browse.keys()
    assert json.dumps(lines).count("watcher@example.com") == 0


def test_the_routes_the_latency_alarms_name_exist(make_app: Callable[..., Flask]) -> None:
    rules = {(m, r.rule) for r in make_app().url_map.iter_rules() for m in r.methods or ()}
    assert ("GET", "/api/browse") in rules
    heartbeats = {
        rule
        for method, rule in rules
        if method == "PUT" and rule.startswith("/api/profile/progress/")
    }
    assert heartbeats == {
        "/api/profile/progress/movie/<id:movie_id>",
        "/api/profile/progress/<id:movie_id>",
        "/api/profile/progress/series/<id:series_id>",
    }


@pytest.mark.parametrize("unsafe", ["Root=1-a b", "x" * 300, "Root=1-a;<script>"])
def test_an_unsafe_trace_header_is_not_logged(make_app: Callable[..., Flask], unsafe: str) -> None:
    access = AccessLines()
    logger = logging.getLogger("netflix_clone.access")
    logger.addHandler(access)
    try:
        make_app().test_client().get("/healthz", headers={"X-Amzn-Trace-Id": unsafe})
    finally:
        logger.removeHandler(access)
    assert access.lines and "x_amzn_trace_id" not in access.lines[-1]


def test_the_pool_gauge_counts_checked_out_connections(tmp_path: Path) -> None:
    instrument_database_pools()
    instrument_database_pools()  # idempotent: one count per checkout, not two
    engine = create_engine(f"sqlite:///{tmp_path / 'pool.sqlite3'}")

    def in_use() -> float:
        return REGISTRY.get_sample_value("db_pool_connections_in_use") or 0.0

    start = in_use()
    with engine.connect():
        assert in_use() == start + 1
        with engine.connect():
            assert in_use() == start + 2
    assert in_use() == start
    engine.dispose()
