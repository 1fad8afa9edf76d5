"""The clusters' Kubernetes version is in EKS standard support, with time to spare, and every
tool that depends on it follows it.

AWS refuses `support_type = "STANDARD"` (modules/cluster) for a version past its end of
standard support, and upgrades a cluster left there. So this fails 60 days before that end,
against the dated calendar below, while there is still time for a reviewed upgrade (EKS
announces the end of standard support at least 60 days ahead). It runs against today's date on
purpose: a passing suite that would let an apply fail in production is what it exists to stop.
At plan time modules/platform also asks AWS itself (eks:DescribeClusterVersions).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.infra

ROOT = Path(__file__).resolve().parents[2]
TF = ROOT / "infra" / "terraform"
WARNING = timedelta(days=60)

# Amazon EKS Kubernetes release calendar, UTC dates: (Amazon EKS release, end of standard
# support). Rows up to 1.34 are the EKS User Guide's calendar table ("Understand the Kubernetes
# version lifecycle on EKS"); 1.35's dates are endoflife.date/amazon-eks's (EKS release 27 January
# 2026, end of standard support 27 March 2027, i.e. the 14 months EKS grants), both read on
# 2026-12-07. 1.36 is named by the EKS User Guide in 2026 but no dated row for it could be
# confirmed here: it stays undated, and so unusable, until someone fills it in from
# `aws eks describe-cluster-versions --cluster-versions 1.36`.
CALENDAR: dict[str, tuple[date, date] | None] = {
    "1.29": (date(2024, 1, 23), date(2025, 3, 23)),
    "1.30": (date(2024, 5, 23), date(2025, 7, 23)),
    "1.31": (date(2024, 9, 26), date(2025, 11, 26)),
    "1.32": (date(2025, 1, 23), date(2026, 3, 23)),
    "1.33": (date(2025, 5, 29), date(2026, 7, 29)),
    "1.34": (date(2025, 10, 2), date(2026, 12, 2)),
    "1.35": (date(2026, 1, 27), date(2027, 3, 27)),
    "1.36": None,
}


def support_problem(version: str, today: date) -> str | None:
    """Why `version` must not be configured on `today`, or None when it may."""
    if version not in CALENDAR:
        return f"Kubernetes {version} is not in the EKS calendar of {__name__}"
    dates = CALENDAR[version]
    if dates is None:
        return f"Kubernetes {version} has no confirmed EKS dates: fill them in first"
    released, end = dates
    if today < released:
        return f"Kubernetes {version} is not released on EKS before {released}"
    if today > end - WARNING:
        return (
            f"Kubernetes {version} leaves EKS standard support on {end} ({(end - today).days} "
            f"days from {today}): move modules/platform's kubernetes_version to a newer version "
            "in standard support (and kubectl, Pod Security's enforce-version with it)"
        )
    return None


def configured_version() -> str:
    main = (TF / "modules" / "platform" / "main.tf").read_text()
    found = re.findall(r'^  kubernetes_version = "(1\.\d+)"', main, re.MULTILINE)
    assert len(found) == 1, "modules/platform/main.tf must set kubernetes_version once"
    return str(found[0])


def test_the_clusters_version_is_in_standard_support_with_time_to_spare() -> None:
    # UTC, as the calendar is.
    problem = support_problem(configured_version(), datetime.now(UTC).date())
    assert problem is None, problem


@pytest.mark.parametrize(
    ("version", "today", "expected"),
    [
        ("1.35", date(2026, 12, 7), None),
        ("1.35", date(2027, 1, 25), None),
        ("1.35", date(2027, 1, 27), "leaves EKS standard support on 2027-03-27"),
        ("1.34", date(2026, 12, 7), "leaves EKS standard support on 2026-12-02"),
        ("1.33", date(2026, 6, 1), "leaves EKS standard support on 2026-07-29"),
        ("1.36", date(2026, 12, 7), "no confirmed EKS dates"),
        ("1.99", date(2026, 12, 7), "not in the EKS calendar"),
        ("1.35", date(2026, 1, 1), "not released on EKS"),
    ],
)
def test_the_check_warns_60_days_before_the_end(
    version: str, today: date, expected: str | None
) -> None:
    problem = support_problem(version, today)
    if expected is None:
        assert problem is None
    else:
        assert problem is not None and expected in problem


def test_the_calendar_gives_each_version_the_14_months_eks_grants() -> None:
    for version, dates in CALENDAR.items():
        if dates is None:
            continue
        released, end = dates
        months = (end.year - released.year) * 12 + end.month - released.month
        assert months == 14 and abs(end.day - released.day) <= 2, f"{version}: {dates}"


def test_one_version_for_every_environment() -> None:
    cluster_variables = (TF / "modules" / "cluster" / "variables.tf").read_text()
    block = cluster_variables.split('variable "kubernetes_version"', 1)[1].split("\n}\n", 1)[0]
    assert "default" not in block, "the cluster module must take the version from platform"
    for env in ("dev", "uat", "prod"):
        main = (TF / "envs" / env / "main.tf").read_text()
        assert "kubernetes_version" not in main, f"envs/{env} must not choose its own version"


def test_pod_security_follows_the_cluster_version() -> None:
    namespace = yaml.safe_load((ROOT / "deploy" / "k8s" / "base" / "namespace.yaml").read_text())
    labels = namespace["metadata"]["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}-version"] == f"v{configured_version()}"


def test_kubectl_follows_the_cluster_version() -> None:
    release = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text())
    kubectl = release["env"]["KUBECTL_VERSION"]
    match = re.fullmatch(r"v(1\.\d+)\.\d+", kubectl)
    assert match, kubectl
    # kubectl supports one minor version of skew; the release uses the cluster's own.
    assert match.group(1) == configured_version()


def test_manifest_validation_follows_the_cluster_version() -> None:
    script = (ROOT / "scripts" / "check-k8s.sh").read_text()
    assert "infra/terraform/modules/platform/main.tf" in script
    assert '--kubernetes-version "$version"' in script
    assert "--kubernetes-version 1." not in script, "no second, hard-coded version"


def test_add_ons_follow_the_cluster_version() -> None:
    """metrics-server takes EKS's default build for the cluster's version unless pinned, and no
    environment pins it (the rehearsal's stand-in lives only in its temporary override)."""
    for path in (
        TF / "modules" / "cluster" / "variables.tf",
        TF / "modules" / "platform" / "variables.tf",
    ):
        text = path.read_text()
        block = text.split('variable "metrics_server_version"', 1)[1].split("\n}\n", 1)[0]
        assert re.search(r"default\s+=\s+null", block), path
    cluster = (TF / "modules" / "cluster" / "main.tf").read_text()
    assert "kubernetes_version = var.kubernetes_version" in cluster
    for env in ("dev", "uat", "prod"):
        assert "metrics_server_version" not in (TF / "envs" / env / "main.tf").read_text()
