"""Capacity: each environment's pods fit the nodes EKS Auto Mode may give them.

Reads the rendered overlay (HPA bounds, rollout surge, pod requests and limits), the
environment's NodePool in deploy/k8s/cluster (instance sizes it may launch, its CPU and memory
limits, the zones) and the Terraform that enables Auto Mode (built-in pools, AZs), and proves
per environment that

- one pod fits the smallest node the pool may launch,
- the minimum replicas plus the rollout's surge fit under the pool's limits (a rollout never
  waits for capacity the autoscaler may not add), and
- the maximum replicas plus the surge fit too (the HPA's ceiling is reachable),

counting nodes the way the scheduler needs them: one per zone up to the zone count (the
Deployment spreads across zones with whenUnsatisfiable: DoNotSchedule), and each node as large
as the pool allows (the limit counts node capacity, not pod requests).

The requests themselves come from measurement (bench/pod_sizing.py, figures in docs/deploy.md):
they are checked against those figures below.
"""

from __future__ import annotations

import math
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.infra

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
TF = ROOT / "infra" / "terraform"
ENVS = ("dev", "uat", "prod")

# bench/pod_sizing.py on 2026-11-30, 2-core machine, 2 gunicorn workers (docs/deploy.md).
MEASURED_PSS_MIB = 175
MEASURED_SATURATION_CORES = 1.26
WEB_CONCURRENCY_MEASURED = "2"

# Per node, what is not allocatable to pods: kubelet/system reservations and eviction
# threshold, plus a margin for Auto Mode's node agents. Conservative on purpose.
RESERVED_CPU_M = 170
RESERVED_MEMORY_MI = 700
MEMORY_PER_VCPU_MI = 2048  # the leanest categories allowed (c, t3 medium/large): 2 GiB per vCPU


def cpu_m(value: str | int | float) -> int:
    text = str(value)
    return int(text[:-1]) if text.endswith("m") else int(float(text) * 1000)


def mem_mi(value: str) -> int:
    units = {"Ki": 1 / 1024, "Mi": 1, "Gi": 1024, "Ti": 1024 * 1024}
    match = re.fullmatch(r"(\d+)(Ki|Mi|Gi|Ti)", value)
    assert match, f"unexpected memory quantity {value}"
    return int(int(match.group(1)) * units[match.group(2)])


def render(env: str) -> list[dict[str, Any]]:
    out = subprocess.run(
        ["kubectl", "kustomize", str(K8S / "overlays" / env)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return [d for d in yaml.safe_load_all(out) if d]


def only(docs: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    (doc,) = [d for d in docs if d["kind"] == kind]
    return doc


def node_pool(env: str) -> dict[str, Any]:
    doc = yaml.safe_load((K8S / "cluster" / f"nodepool-{env}.yaml").read_text())
    assert isinstance(doc, dict)
    assert doc["kind"] == "NodePool" and doc["apiVersion"] == "karpenter.sh/v1"
    return doc


def requirement(pool: dict[str, Any], key: str) -> list[str]:
    (req,) = [r for r in pool["spec"]["template"]["spec"]["requirements"] if r["key"] == key]
    assert req["operator"] == "In", f"{key} must be an In requirement"
    return [str(v) for v in req["values"]]


def terraform_azs() -> int:
    main = (TF / "modules" / "platform" / "main.tf").read_text()
    match = re.search(
        r"azs = slice\(sort\(data\.aws_availability_zones\.available\.names\), 0, (\d)\)", main
    )
    assert match, "modules/platform must pick a fixed number of AZs"
    return int(match.group(1))


@pytest.fixture(scope="module")
def shape() -> dict[str, dict[str, Any]]:
    shapes = {}
    for env in ENVS:
        docs = render(env)
        deployment = only(docs, "Deployment")
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        surge = deployment["spec"]["strategy"]["rollingUpdate"]["maxSurge"]
        hpa = only(docs, "HorizontalPodAutoscaler")["spec"]
        pool = node_pool(env)
        sizes = sorted(int(v) for v in requirement(pool, "eks.amazonaws.com/instance-cpu"))
        configmap = only(docs, "ConfigMap")["data"]
        cpu_target = next(
            m["resource"]["target"]["averageUtilization"]
            for m in hpa["metrics"]
            if m["resource"]["name"] == "cpu"
        )
        memory_target = next(
            m["resource"]["target"]["averageUtilization"]
            for m in hpa["metrics"]
            if m["resource"]["name"] == "memory"
        )
        shapes[env] = {
            "req_cpu": cpu_m(container["resources"]["requests"]["cpu"]),
            "req_mem": mem_mi(container["resources"]["requests"]["memory"]),
            "lim_cpu": cpu_m(container["resources"]["limits"]["cpu"]),
            "lim_mem": mem_mi(container["resources"]["limits"]["memory"]),
            "surge": int(surge),
            "min": hpa["minReplicas"],
            "max": hpa["maxReplicas"],
            "cpu_target": cpu_target,
            "memory_target": memory_target,
            "smallest": sizes[0],
            "largest": sizes[-1],
            "zones": len(requirement(pool, "topology.kubernetes.io/zone")),
            "limit_cpu": cpu_m(pool["spec"]["limits"]["cpu"]),
            "limit_mem": mem_mi(pool["spec"]["limits"]["memory"]),
            "workers": configmap["WEB_CONCURRENCY"],
            "node_selector": deployment["spec"]["template"]["spec"].get("nodeSelector", {}),
        }
    return shapes


def pods_per_node(s: dict[str, Any], vcpus: int) -> int:
    alloc_cpu = vcpus * 1000 - RESERVED_CPU_M
    alloc_mem = vcpus * MEMORY_PER_VCPU_MI - RESERVED_MEMORY_MI
    return min(alloc_cpu // int(s["req_cpu"]), alloc_mem // int(s["req_mem"]))


def nodes_needed(s: dict[str, Any], pods: int) -> int:
    # Worst case: every node the smallest size (most nodes), and one per zone while the
    # zone spread asks for it.
    return max(math.ceil(pods / pods_per_node(s, int(s["smallest"]))), min(pods, int(s["zones"])))


def fits(s: dict[str, Any], pods: int) -> tuple[bool, str]:
    nodes = nodes_needed(s, pods)
    # The limit counts node capacity: take every node as large as the pool allows.
    cpu = nodes * s["largest"] * 1000
    mem = nodes * s["largest"] * MEMORY_PER_VCPU_MI * 2  # m/t categories: up to 4 GiB per vCPU
    why = (
        f"{pods} pods need up to {nodes} nodes = {cpu}m CPU / {mem}Mi; "
        f"pool limits {s['limit_cpu']}m / {s['limit_mem']}Mi"
    )
    return cpu <= s["limit_cpu"] and mem <= s["limit_mem"], why


@pytest.mark.parametrize("env", ENVS)
def test_a_pod_fits_the_smallest_node_the_pool_launches(shape: dict[str, Any], env: str) -> None:
    s = shape[env]
    assert pods_per_node(s, s["smallest"]) >= 1, (
        f"{env}: a pod ({s['req_cpu']}m, {s['req_mem']}Mi) is larger than a "
        f"{s['smallest']}-vCPU node's allocatable share"
    )


@pytest.mark.parametrize("env", ENVS)
def test_min_replicas_plus_surge_fit(shape: dict[str, Any], env: str) -> None:
    s = shape[env]
    ok, why = fits(s, s["min"] + s["surge"])
    assert ok, f"{env}: a rollout at minimum scale could wait for capacity: {why}"


@pytest.mark.parametrize("env", ENVS)
def test_max_replicas_plus_surge_fit_the_autoscalers_limit(shape: dict[str, Any], env: str) -> None:
    s = shape[env]
    ok, why = fits(s, s["max"] + s["surge"])
    assert ok, f"{env}: the HPA's maximum is beyond what the NodePool may launch: {why}"


@pytest.mark.parametrize("env", ENVS)
def test_pods_land_on_the_sized_pool_only(shape: dict[str, Any], env: str) -> None:
    # The system pool is tainted for critical add-ons; without its own nodes the app would
    # have nowhere to go. Auto Mode must be on with exactly that built-in pool.
    cluster = (TF / "modules" / "cluster" / "main.tf").read_text()
    assert re.search(r'node_pools\s*=\s*\["system"\]', cluster)
    assert re.search(r"compute_config\s*\{\s*\n\s*enabled\s*=\s*true", cluster)
    assert shape[env]["zones"] == terraform_azs(), "NodePool zones must be the VPC's AZs"
    assert shape[env]["node_selector"] == {"netflix-clone/pool": "app"}


@pytest.mark.parametrize("env", ENVS)
def test_requests_follow_the_measurement(shape: dict[str, Any], env: str) -> None:
    s = shape[env]
    assert s["workers"] == WEB_CONCURRENCY_MEASURED, "sizes were measured with 2 workers"
    # Memory: idle pods must not trip the HPA's memory target, and the limit leaves room for
    # the RAM-backed /tmp (64 Mi) and bursts.
    assert s["req_mem"] * s["memory_target"] / 100 > MEASURED_PSS_MIB * 1.2
    assert s["lim_mem"] >= 2 * s["req_mem"]
    # CPU: the limit lets a pod reach what two workers burn at saturation; the HPA adds pods
    # well before (its target is a share of the request, which is below saturation).
    assert s["lim_cpu"] >= MEASURED_SATURATION_CORES * 1000
    assert s["req_cpu"] * s["cpu_target"] / 100 < MEASURED_SATURATION_CORES * 1000 / 2


@pytest.mark.parametrize("env", ENVS)
def test_the_pool_uses_a_node_class_that_enforces_network_policies(env: str) -> None:
    pool = node_pool(env)
    ref = pool["spec"]["template"]["spec"]["nodeClassRef"]
    node_class = yaml.safe_load((K8S / "cluster" / f"nodeclass-{env}.yaml").read_text())
    assert ref == {"group": "eks.amazonaws.com", "kind": "NodeClass", "name": "netflix-clone"}
    assert node_class["kind"] == "NodeClass" and node_class["metadata"]["name"] == ref["name"]
    spec = node_class["spec"]
    assert spec["networkPolicy"] in ("DefaultAllow", "DefaultDeny")
    # The node role Terraform gives compute_config (EKS made its EC2 access entry for it).
    cluster = (TF / "modules" / "cluster" / "main.tf").read_text()
    assert 'name                 = "${var.cluster_name}-node"' in cluster
    assert spec["role"] == f"netflix-clone-{env}-node"
    # Private subnets only, by the tags the network module puts on them.
    network = (TF / "modules" / "network" / "main.tf").read_text()
    (subnets,) = spec["subnetSelectorTerms"]
    assert subnets["tags"]["kubernetes.io/role/internal-elb"] == "1"
    assert '"kubernetes.io/role/internal-elb"' in network
    assert subnets["tags"][f"kubernetes.io/cluster/netflix-clone-{env}"] == "shared"
    controller = yaml.safe_load((K8S / "cluster" / "network-policy-controller.yaml").read_text())
    assert controller["data"] == {"enable-network-policy-controller": "true"}
    assert controller["metadata"] == {"name": "amazon-vpc-cni", "namespace": "kube-system"}


def test_the_ingress_class_is_served_by_auto_mode() -> None:
    ingress_class = yaml.safe_load((K8S / "cluster" / "ingressclass.yaml").read_text())
    assert ingress_class["spec"]["controller"] == "eks.amazonaws.com/alb"
    for env in ENVS:
        ingress = only(render(env), "Ingress")
        assert ingress["spec"]["ingressClassName"] == ingress_class["metadata"]["name"]
