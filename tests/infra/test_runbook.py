"""docs/infrastructure.md's runbook is one an operator can follow from an empty AWS account:
quotas come first and cover what the environments allocate, every step says how to check it,
and the cost table counts what the Terraform and the NodePools actually create."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.infra

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "infrastructure.md"
TF = ROOT / "infra" / "terraform"
ENVS = ("dev", "uat", "prod")


def section(text: str, title: str) -> str:
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def runbook_steps() -> list[tuple[str, str]]:
    runbook = section(DOC.read_text(), "Zero to prod: the runbook")
    parts = re.split(r"^### (\d+\. .+)$", runbook, flags=re.MULTILINE)
    return list(zip(parts[1::2], parts[2::2], strict=True))


def env_value(env: str, name: str) -> str | None:
    match = re.search(rf"^\s*{name}\s*=\s*(.+)$", (TF / "envs" / env / "main.tf").read_text(), re.M)
    return match.group(1).strip() if match else None


def elastic_ips(env: str) -> int:
    """One per NAT gateway: modules/network makes one per AZ (3) unless single_nat_gateway."""
    return 1 if env_value(env, "single_nat_gateway") == "true" else 3


def test_quotas_are_the_first_step_and_cover_every_elastic_ip() -> None:
    steps = runbook_steps()
    title, body = steps[0]
    assert title.startswith("1. Quotas"), f"the first step is {title!r}"
    row = next(line for line in body.splitlines() if "L-0263D0A3" in line)
    shared = int(re.findall(r"\*\*(\d+)\*\*", row)[0])
    assert shared >= sum(elastic_ips(env) for env in ENVS), row
    per_account = re.search(r"(\d+) / (\d+) / (\d+)", row)
    assert per_account, row
    assert [int(n) for n in per_account.groups()] == [elastic_ips(env) for env in ENVS]
    for quota in ("L-1216C47A", "L-34B43A08", "codebuild"):
        assert quota in body, f"the quotas step names no {quota}"
    assert "get-service-quota" in body and "request-service-quota-increase" in body


def test_the_vcpu_quota_covers_the_node_pools_limits() -> None:
    body = runbook_steps()[0][1]
    row = next(line for line in body.splitlines() if "L-1216C47A" in line)
    shared = int(re.findall(r"\*\*(\d+)\*\*", row)[0])
    limits = 0
    for env in ENVS:
        pool = yaml.safe_load(
            (ROOT / "deploy" / "k8s" / "cluster" / f"nodepool-{env}.yaml").read_text()
        )
        limits += int(pool["spec"]["limits"]["cpu"])
        assert f"{env} {pool['spec']['limits']['cpu']}" in row, f"{env}'s NodePool limit in {row}"
    assert shared > limits  # and room for the system pool's nodes


def test_every_step_says_how_to_check_it() -> None:
    steps = runbook_steps()
    assert len(steps) >= 10
    for title, body in steps:
        assert re.search(r"Check[s]?\b", body) or "Check (and" in body, (
            f"step {title!r} has no check"
        )
        assert "`" in body, f"step {title!r} names no command"
    titles = " ".join(title for title, _ in steps)
    for needed in (
        "Bootstrap",
        "GitHub",
        "First infrastructure apply",
        "administrator",
        "Secret",
        "First release",
        "public name",
        "uat and prod",
        "back-merge",
    ):
        assert needed.lower() in titles.lower(), f"no runbook step for {needed}"


def test_the_manual_steps_the_pipeline_cannot_do_are_named() -> None:
    runbook = section(DOC.read_text(), "Zero to prod: the runbook")
    for manual in (
        "Update pending connection",  # the GitHub connection
        "New GitHub App",  # the back-merge App
        "scripts/github-branch-protection.sh",
        "network-policy-controller.yaml",
        "rbac.yaml",
        "certificate_validation_records",
        "load_balancer_dns_name",
        "KUBECTL_SHA256",
        "AWS_ACCOUNT_IDS",
    ):
        assert manual in runbook, f"the runbook never names {manual}"
    kubectl = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text())["env"][
        "KUBECTL_VERSION"
    ]
    assert f"/release/{kubectl}/bin/linux/amd64/kubectl" in runbook, (
        "KUBECTL_SHA256 of another kubectl"
    )


def test_the_cost_table_counts_every_node_pool_and_public_address() -> None:
    cost = section(DOC.read_text(), "Rough monthly cost")
    rows = [line for line in cost.splitlines() if line.startswith("|")]
    names = " ".join(line.split("|")[1] for line in rows).lower()
    assert "system pool" in names
    assert "nodepool `netflix-clone`" in names
    assert "public ipv4" in names
    assert "interface endpoints" in names and "nat gateways" in names
    ipv4 = next(line for line in rows if "public IPv4" in line)
    for env in ENVS:
        # NAT gateways' Elastic IPs plus the internet-facing ALB's address in each of 3 AZs.
        assert f"{elastic_ips(env)} + 3 = {elastic_ips(env) + 3}" in ipv4, f"{env}: {ipv4}"
    total = next(line for line in rows if "total" in line.lower())
    assert len(re.findall(r"\d[\d,]*-[\d,]+", total)) == 3


def test_the_cheaper_dev_profile_is_what_dev_runs() -> None:
    cost = section(DOC.read_text(), "Rough monthly cost")
    assert "cheaper profile" in cost
    assert env_value("dev", "interface_endpoints") == "[]"
    assert env_value("dev", "single_nat_gateway") == "true"
    retention = env_value("dev", "log_retention_days")
    assert retention is not None and int(retention) <= 30
    assert f"log_retention_days = {retention}" in cost
    assert "interface_endpoints =\n[]" in cost or "interface_endpoints = []" in cost
    for env in ("uat", "prod"):
        assert env_value(env, "interface_endpoints") is None, f"{env} keeps prod's network"
