"""On-call's wiring agrees with itself, offline: the alarms and the dashboard (Terraform), the
collector that feeds them (deploy/k8s/cluster/metrics-collector), the pods' metrics port and the
NetworkPolicy in front of it, the ALB's access logs and the runbook (docs/operations.md).

That the app really exports what all this names is tests/integration/test_metric_names.py.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.infra.test_k8s_manifests import IMAGE, published_values, write_values
from tests.observability_contract import (
    ACCESS_LOG_NAMESPACE,
    COLLECTOR,
    MODULE,
    OPERATIONS,
    PROMETHEUS_NAMESPACE,
    collector_agent_config,
    collector_scrape_config,
    emf_declarations,
    log_metric_filters,
    relabel,
    terraform_metric_uses,
)

pytestmark = pytest.mark.infra

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"

# Every alarm of modules/observability, by its runbook section (alarm-<name> in operations.md).
RUNBOOK = {
    "slo-fast-burn",
    "slo-slow-burn",
    "latency-browse-p99",
    "latency-heartbeat-p99",
    "alb-5xx",
    "alb-target-p99",
    "alb-unhealthy-targets",
    "pod-restarts",
    "pod-oom-killed",
    "node-pressure",
    "rds-cpu",
    "rds-free-storage",
    "rds-connections",
    "rds-replica-lag",
    "cache-memory",
    "cache-evictions",
    "cache-replication-lag",
    "breaker-open",
    "redis-fallbacks",
    "tmdb-upstream-errors",
    "certificate-expiry",
}
CORE_METRICS = {
    "http_requests_total",
    "tmdb_upstream_requests_total",
    "catalog_cache_total",
    "redis_fallbacks_total",
    "dependency_breaker_open",
    "dependency_breaker_trips_total",
    "db_pool_connections_in_use",
    "request_duration_ms",
    "heartbeat_duration_ms",
}


def render(path: Path) -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl (with built-in kustomize) is needed to render the manifests"
    out = subprocess.run(
        [kubectl, "kustomize", str(path)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return [
        d for d in yaml.safe_load_all(out.replace("netflix-clone-ENV", "netflix-clone-dev")) if d
    ]


def by_kind(docs: list[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    found = [
        d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)
    ]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


def test_every_alarm_has_a_runbook_section_with_meaning_checks_and_fix() -> None:
    alarms = (MODULE / "alarms.tf").read_text()
    named = set(re.findall(r"\$\{local\.runbook\}([a-z0-9-]+)\"", alarms))
    named |= set(re.findall(r'runbook\s*=\s*"([a-z0-9-]+)"', alarms))
    assert named, "no runbook names found in alarms.tf"
    assert named <= RUNBOOK, (
        f"alarms.tf names runbook sections this test does not know: {named - RUNBOOK}"
    )
    for name in RUNBOOK:
        assert name in alarms or name.removeprefix("latency-") in alarms, name

    text = OPERATIONS.read_text()
    sections = dict(
        re.findall(r'<a id="alarm-([a-z0-9-]+)"></a>\n(.*?)(?=\n<a id="|\n## |\Z)', text, re.S)
    )
    assert set(sections) == RUNBOOK, f"runbook sections differ: {set(sections) ^ RUNBOOK}"
    for name, body in sections.items():
        assert "**What it means**" in body and "**Fix**" in body, name
        checks = re.search(r"\*\*First checks\*\*\n((?:\d\. .*\n?(?:   .*\n?)*)+)", body)
        assert checks, f"alarm-{name}: no numbered first checks"
        assert len(re.findall(r"^\d\. ", checks.group(1), re.M)) == 3, (
            f"alarm-{name}: not three checks"
        )


def test_the_collector_publishes_every_metric_the_alarms_and_dashboard_read() -> None:
    uses = terraform_metric_uses()
    assert {u.metric for u in uses} >= CORE_METRICS, "the Terraform reader lost track of a metric"
    namespace, declarations = emf_declarations()
    assert namespace == PROMETHEUS_NAMESPACE
    assert f'prometheus_namespace = "{PROMETHEUS_NAMESPACE}"' in (MODULE / "main.tf").read_text()
    keep = next(
        c["regex"]
        for c in collector_scrape_config()["scrape_configs"][0]["metric_relabel_configs"]
        if c.get("action") == "keep" and c["source_labels"] == ["__name__"]
    )
    for use in uses:
        if use.namespace != PROMETHEUS_NAMESPACE:
            continue
        assert re.fullmatch(f"(?:{keep})", use.metric), f"{use}: dropped by the collector"
        declared = {dims for d in declarations if d.selects(use.metric) for dims in d.dimensions}
        # A CloudWatch metric is its exact dimension set: a subset or superset is another one.
        assert use.dimension_names in declared, f"{use}: the collector publishes {declared}"


def test_access_log_metrics_come_from_the_metric_filters() -> None:
    filters = {f.metric: f for f in log_metric_filters()}
    assert set(filters) == {"request_duration_ms", "heartbeat_duration_ms"}
    for use in terraform_metric_uses():
        if use.namespace != ACCESS_LOG_NAMESPACE:
            continue
        metric_filter = filters[use.metric]
        assert use.dimension_names == set(metric_filter.dimensions), use
    for metric_filter in filters.values():
        assert metric_filter.value == "$.log_processed.duration_ms"
        assert '$.log_processed.logger = "netflix_clone.access"' in metric_filter.pattern


def test_relabelling_derives_the_slo_labels() -> None:
    configs = collector_scrape_config()["scrape_configs"][0]["metric_relabel_configs"]

    def run(name: str, **labels: str) -> dict[str, str] | None:
        return relabel({"__name__": name, **labels}, configs)

    browse = run("http_requests_total", route="/api/browse", method="GET", status="503")
    assert browse and browse["surface"] == "api" and browse["status_class"] == "5xx"
    probe = run("http_requests_total", route="/readyz", method="GET", status="200")
    assert probe and probe["surface"] == "other" and probe["status_class"] == "2xx"
    for outcome, cls in [("timeout", "error"), ("503", "error"), ("429", "error"), ("200", "ok")]:
        tmdb = run("tmdb_upstream_requests_total", outcome=outcome)
        assert tmdb and tmdb["outcome_class"] == cls, outcome
    assert run("http_request_duration_seconds_bucket", route="/api/browse", le="0.5") is None


def test_the_metrics_port_admits_only_the_collector() -> None:
    app = render(K8S / "overlays" / "dev")
    collector = render(COLLECTOR)

    web = by_kind(app, "Deployment")["spec"]["template"]["spec"]["containers"][0]
    assert {"name": "metrics", "containerPort": 9100, "protocol": "TCP"} in web["ports"]
    service_ports = by_kind(app, "Service")["spec"]["ports"]
    assert {
        "name": "metrics",
        "port": 9100,
        "targetPort": "metrics",
        "protocol": "TCP",
    } in service_ports

    policies = {d["metadata"]["name"]: d["spec"] for d in app if d["kind"] == "NetworkPolicy"}
    (rule,) = policies["netflix-clone-metrics-ingress"]["ingress"]
    assert rule["ports"] == [{"protocol": "TCP", "port": 9100}]
    (peer,) = rule["from"]
    namespace = by_kind(collector, "Namespace")["metadata"]["name"]
    pod_labels = by_kind(collector, "Deployment")["spec"]["template"]["metadata"]["labels"]
    assert peer["namespaceSelector"]["matchLabels"] == {"kubernetes.io/metadata.name": namespace}
    assert peer["podSelector"]["matchLabels"].items() <= pod_labels.items()
    for name, spec in policies.items():  # no other rule opens 9100
        if name != "netflix-clone-metrics-ingress":
            ports = [p for r in spec.get("ingress", []) for p in r.get("ports", [])]
            assert all(p["port"] != 9100 for p in ports), name

    # The collector scrapes exactly that port, in the app's namespace, with Pod Identity's names.
    scrape = collector_scrape_config()["scrape_configs"][0]
    assert scrape["kubernetes_sd_configs"][0]["namespaces"]["names"] == ["netflix-clone-ENV"]
    assert {
        "source_labels": ["__meta_kubernetes_pod_container_port_name"],
        "regex": "metrics",
        "action": "keep",
    } in scrape["relabel_configs"]
    variables = (MODULE / "variables.tf").read_text()
    account = by_kind(collector, "ServiceAccount")["metadata"]
    assert f'namespace       = "{account["namespace"]}"' in variables
    assert f'service_account = "{account["name"]}"' in variables
    egress = by_kind(collector, "NetworkPolicy")["spec"]["egress"]
    to_app = next(r for r in egress if {"protocol": "TCP", "port": 9100} in r["ports"])
    assert to_app["to"][0]["namespaceSelector"]["matchLabels"] == {
        "kubernetes.io/metadata.name": "netflix-clone-dev"
    }
    role = by_kind(collector, "Role")
    assert role["metadata"]["namespace"] == "netflix-clone-dev"
    assert role["rules"] == [
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]}
    ]


def test_the_collector_writes_where_terraform_made_the_log_group() -> None:
    prometheus = collector_agent_config()["logs"]["metrics_collected"]["prometheus"]
    assert prometheus["log_group_name"] == "/aws/containerinsights/netflix-clone-ENV/prometheus"
    assert prometheus["cluster_name"] == "netflix-clone-ENV"
    main = (MODULE / "main.tf").read_text()
    assert 'container_insights = "/aws/containerinsights/${var.cluster_name}"' in main
    assert '"prometheus"]' in main
    deployment = by_kind(render(COLLECTOR), "Deployment")
    assert deployment["spec"]["replicas"] == 1, "two scrapers would count every request twice"


def test_alb_access_logs_go_to_the_bucket_terraform_publishes(tmp_path: Path) -> None:
    values = published_values("prod")
    result = subprocess.run(
        ["bash", str(K8S / "deploy.sh"), "prod", IMAGE],
        env={
            **os.environ,
            "VALUES_FILE": str(write_values(tmp_path / "values", values)),
            "RENDER_ONLY": str(tmp_path),
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    docs = [d for d in yaml.safe_load_all((tmp_path / "app.yaml").read_text()) if d]
    annotations = by_kind(docs, "Ingress")["metadata"]["annotations"]
    attributes = dict(
        pair.split("=", 1)
        for pair in annotations["alb.ingress.kubernetes.io/load-balancer-attributes"].split(",")
    )
    prefix = re.search(r'alb_log_prefix = "([^"]+)"', (MODULE / "main.tf").read_text())
    assert prefix
    assert attributes["access_logs.s3.enabled"] == "true"
    assert attributes["access_logs.s3.bucket"] == values["alb-log-bucket"]
    assert attributes["access_logs.s3.prefix"] == prefix.group(1)
    assert '"${var.parameter_path}/alb-log-bucket"' in (MODULE / "main.tf").read_text()

    del values["alb-log-bucket"]
    missing = subprocess.run(
        ["bash", str(K8S / "deploy.sh"), "prod", IMAGE],
        env={
            **os.environ,
            "VALUES_FILE": str(write_values(tmp_path / "values", values)),
            "RENDER_ONLY": str(tmp_path),
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert missing.returncode != 0 and "no value 'alb-log-bucket'" in missing.stderr


def test_the_docs_give_the_three_logs_insights_queries() -> None:
    text = OPERATIONS.read_text()
    queries = re.findall(r"```logs-insights\n(.*?)```", text, re.S)
    assert len(queries) == 3, "errors by route, slowest requests, one request id end to end"
    errors, slowest, one_request = queries
    assert "log_processed.status >= 500" in errors and "by log_processed.route" in errors
    assert "sort log_processed.duration_ms desc" in slowest
    assert (
        "log_processed.request_id" in one_request and "log_processed.x_amzn_trace_id" in one_request
    )
