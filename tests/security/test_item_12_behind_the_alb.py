"""Item 12: HSTS on HTTPS answers (from a trusted proxy's X-Forwarded-Proto only), the API
documents switchable per environment (off by default in prod), and /metrics never answered
through the public Ingress."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import AppFactory

REPO = Path(__file__).resolve().parents[2]


def test_item_12_hsts_only_on_https_from_a_trusted_proxy(make_app: AppFactory) -> None:
    behind_alb = make_app(trusted_proxy_hops=1).test_client()
    https = behind_alb.get(
        "/healthz", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    )
    assert https.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    plain = behind_alb.get("/healthz", headers={"X-Forwarded-Proto": "http"})
    assert "Strict-Transport-Security" not in plain.headers
    # Without a trusted proxy, anyone could claim https: the header is ignored.
    direct = make_app().test_client()
    spoofed = direct.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in spoofed.headers


def test_item_12_api_docs_can_be_switched_off(make_app: AppFactory) -> None:
    on = make_app().test_client()
    assert on.get("/openapi.json").status_code == 200
    assert on.get("/docs").status_code == 200
    off = make_app(api_docs_enabled=False).test_client()
    for path in ("/openapi.json", "/docs", "/docs/static/swagger-ui-init.js"):
        assert off.get(path).status_code == 404, path
    assert off.get("/healthz").status_code == 200
    # prod hides them unless told otherwise.
    prod = {"app_env": "prod", "secret_key": "a-prod-secret-key-of-forty-characters-x"}
    assert make_app(**prod).test_client().get("/openapi.json").status_code == 404
    shown = make_app(**prod, api_docs_enabled=True).test_client()
    assert shown.get("/openapi.json").status_code == 200


def _docs(path: Path) -> list[dict[str, object]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def test_item_12_the_public_ingress_never_forwards_metrics() -> None:
    """The ALB answers /metrics (and anything under it) with its own 404: every overlay builds
    on this Ingress, and Prometheus scrapes pods directly inside the cluster."""
    (ingress,) = _docs(REPO / "deploy/k8s/base/ingress.yaml")
    paths = ingress["spec"]["rules"][0]["http"]["paths"]  # type: ignore[index]
    first = paths[0]
    assert (first["path"], first["pathType"]) == ("/metrics", "Prefix")
    action = first["backend"]["service"]
    assert action["port"] == {"name": "use-annotation"}
    annotation = f"alb.ingress.kubernetes.io/actions.{action['name']}"
    rule = json.loads(ingress["metadata"]["annotations"][annotation])  # type: ignore[index]
    assert rule["type"] == "fixed-response"
    assert rule["fixedResponseConfig"]["statusCode"] == "404"
    # Ordered before the catch-all, which alone reaches the pods.
    assert paths[-1]["path"] == "/" and paths[-1]["backend"]["service"]["name"] == "netflix-clone"


def test_item_12_the_docs_page_cannot_be_framed(make_app: AppFactory) -> None:
    csp = make_app().test_client().get("/docs").headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp


def test_item_12_only_the_albs_subnets_reach_the_pods() -> None:
    """The web pods admit port 8000 from one ipBlock, which deploy.sh fills with the ALB's
    subnets (alb-subnets-cidr), never the VPC: another pod of the VPC could forge
    X-Forwarded-For. (tests/infra/test_k8s_manifests.py renders it with published values.)"""
    policies: dict[str, Any] = {
        d["metadata"]["name"]: d  # type: ignore[index]
        for d in _docs(REPO / "deploy/k8s/base/networkpolicy.yaml")
    }
    (rule,) = policies["netflix-clone-web-ingress"]["spec"]["ingress"]
    assert rule["from"] == [{"ipBlock": {"cidr": "192.0.2.0/24"}}]  # the placeholder
    assert rule["ports"] == [{"protocol": "TCP", "port": 8000}]
    deploy = (REPO / "deploy/k8s/deploy.sh").read_text()
    assert (
        '"path": "/spec/ingress/0/from/0/ipBlock/cidr", "value": "${value[alb-subnets-cidr]}"'
        in deploy
    )
    assert "FORWARDED_ALLOW_IPS=*" in deploy
