"""Invariants of the rendered Kubernetes manifests (deploy/k8s), checked offline.

Each overlay is rendered exactly as the release renders it (deploy/k8s/deploy.sh with
RENDER_ONLY, on stand-in values of the kind Terraform publishes under /netflix-clone/<env>/), in
both steps of a release: overlays/<env>/migrate (the migration Job) and overlays/<env> (the app).
The committed overlays alone are checked to hold no per-environment infrastructure value.
"""

from __future__ import annotations

import copy
import ipaddress
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.infra

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
ENVS = ("dev", "uat", "prod")
STEPS = ("app", "migrate")
ZERO_DIGEST = "sha256:" + "0" * 64
DIGEST_PINNED = re.compile(r"^[a-z0-9.:/_-]+@sha256:[0-9a-f]{64}$")
GRACEFUL_TIMEOUT = 30  # gunicorn graceful_timeout (src/netflix_clone/web/gunicorn_conf.py)

# What must differ per environment, and what each environment gets.
EXPECTED: dict[str, dict[str, Any]] = {
    "dev": {"hpa": (1, 2), "log_level": "DEBUG"},
    "uat": {"hpa": (2, 4), "log_level": "INFO"},
    "prod": {"hpa": (3, 10), "log_level": "INFO"},
}
# Config the app needs in every cloud environment; secret values never appear, only their ids.
CONFIG_KEYS = {
    "APP_ENV",
    "LOG_LEVEL",
    "PORT",
    "DATABASE_URL",
    "DATABASE_IAM_USER",
    "REDIS_URL",
    "REDIS_IAM_CACHE_NAME",
    "TMDB_SECRET_ID",
    "SECRET_KEY_SECRET_ID",
    "AWS_REGION",
    "CATALOG_SOURCE",
    "FORWARDED_ALLOW_IPS",
    "WEB_CONCURRENCY",
    "TRUSTED_PROXY_HOPS",
}
ENV_SPECIFIC_CONFIG = {
    "APP_ENV",
    "LOG_LEVEL",
    "WEB_CONCURRENCY",
    "DATABASE_URL",
    "DATABASE_IAM_USER",
    "REDIS_URL",
    "TMDB_SECRET_ID",
    "SECRET_KEY_SECRET_ID",
    "FORWARDED_ALLOW_IPS",
}
MIGRATION_KINDS = {"Namespace", "ServiceAccount", "ConfigMap", "NetworkPolicy", "Job"}
BUNDLE_KINDS = {"IngressClass", "NodeClass", "NodePool"}
SERVICE_ACCOUNTS = {
    "Deployment/netflix-clone": "netflix-clone",
    "Job/netflix-clone-migrate": "netflix-clone-migrate",
    "Job/netflix-clone-db-admin": "netflix-clone-db-admin",
}

Rendered = dict[tuple[str, str], list[dict[str, Any]]]


def render(path: Path) -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl (with built-in kustomize) is needed to render the manifests"
    result = subprocess.run(
        [kubectl, "kustomize", str(path)], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, f"kubectl kustomize {path} failed:\n{result.stderr}"
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


# Stand-ins for what `terraform apply` of envs/<env> publishes in SSM
# (modules/platform/published.tf).
OCTET = {"dev": 10, "uat": 20, "prod": 30}


def published_values(env: str) -> dict[str, str]:
    account = "123456789012"
    return {
        "region": "eu-west-1",
        "vpc-cidr": f"10.{OCTET[env]}.0.0/16",
        "alb-subnets-cidr": f"10.{OCTET[env]}.96.0/22",
        "cluster-dns-ip": "172.20.0.10",
        "database-host": f"netflix-clone-{env}.c0ffee.eu-west-1.rds.amazonaws.com",
        "database-port": "5432",
        "database-name": "netflix_clone",
        "database-app-user": f"netflix_clone_{env}_app",
        "database-owner-user": f"netflix_clone_{env}_owner",
        "database-secret-arn": (
            f"arn:aws:secretsmanager:eu-west-1:{account}:secret:rds!db-{env}-AbCdEf"
        ),
        "redis-host": f"master.netflix-clone-{env}.c0ffee.euw1.cache.amazonaws.com",
        "redis-user": f"netflix-clone-{env}-app",
        "redis-cache-name": f"netflix-clone-{env}",
        "public-host": f"api.{env}.netflix-clone.example.com",
        "alb-log-bucket": f"netflix-clone-{env}-alb-logs-{account}",
        "certificate-arn": (
            f"arn:aws:acm:eu-west-1:{account}:certificate/"
            f"{OCTET[env]:08x}-0000-0000-0000-000000000000"
        ),
    }


def write_values(path: Path, values: dict[str, str]) -> Path:
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    return path


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    out = {}
    for env in ENVS:
        tmp = tmp_path_factory.mktemp(f"render-{env}")
        values = write_values(tmp / "values", published_values(env))
        result = subprocess.run(
            ["bash", str(K8S / "deploy.sh"), env, IMAGE],
            env={**os.environ, "VALUES_FILE": str(values), "RENDER_ONLY": str(tmp)},
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert result.returncode == 0, f"deploy.sh could not render {env}:\n{result.stderr}"
        for step, name in (
            ("app", "app.yaml"),
            ("migrate", "migrate.yaml"),
            ("cluster", "cluster.yaml"),
        ):
            out[(env, step)] = [d for d in yaml.safe_load_all((tmp / name).read_text()) if d]
    return out


@pytest.fixture(scope="module")
def committed() -> Rendered:
    out = {}
    for env in ENVS:
        out[(env, "app")] = render(K8S / "overlays" / env)
        out[(env, "migrate")] = render(K8S / "overlays" / env / "migrate")
    return out


def only(docs: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = [d for d in docs if d["kind"] == kind]
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def pod_specs(docs: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    specs = []
    for doc in docs:
        if doc["kind"] in ("Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"):
            specs.append(
                (f"{doc['kind']}/{doc['metadata']['name']}", doc["spec"]["template"]["spec"])
            )
        elif doc["kind"] == "CronJob":
            specs.append(
                (
                    f"CronJob/{doc['metadata']['name']}",
                    doc["spec"]["jobTemplate"]["spec"]["template"]["spec"],
                )
            )
        elif doc["kind"] == "Pod":
            specs.append((f"Pod/{doc['metadata']['name']}", doc["spec"]))
    return specs


def config(docs: list[dict[str, Any]]) -> dict[str, str]:
    return dict(only(docs, "ConfigMap")["data"])


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("env", ENVS)
def test_every_container_is_pinned_bounded_and_locked_down(
    rendered: Rendered, env: str, step: str
) -> None:
    specs = pod_specs(rendered[(env, step)])
    assert specs, "no workload rendered"
    for owner, spec in specs:
        assert spec.get("automountServiceAccountToken") is False, owner
        # Each kind of pod has its own service account (and Pod Identity role).
        assert spec.get("serviceAccountName") == SERVICE_ACCOUNTS[owner], owner
        pod_ctx = spec.get("securityContext", {})
        containers = spec.get("initContainers", []) + spec["containers"]
        for c in containers:
            where = f"{owner} container {c['name']}"
            image = c["image"]
            assert DIGEST_PINNED.match(image), f"{where}: image not pinned by digest: {image}"
            assert ":latest" not in image, where
            limits = c.get("resources", {}).get("limits", {})
            requests = c.get("resources", {}).get("requests", {})
            for resource in ("cpu", "memory", "ephemeral-storage"):
                assert resource in limits, f"{where}: no {resource} limit"
                assert resource in requests, f"{where}: no {resource} request"
            ctx = c.get("securityContext", {})
            assert ctx.get("runAsNonRoot", pod_ctx.get("runAsNonRoot")) is True, where
            uid = ctx.get("runAsUser", pod_ctx.get("runAsUser"))
            assert isinstance(uid, int), f"{where}: runAsUser {uid!r}"
            assert uid >= 10000, f"{where}: runAsUser {uid}"
            assert ctx.get("readOnlyRootFilesystem") is True, where
            assert ctx.get("allowPrivilegeEscalation") is False, where
            assert ctx.get("privileged", False) is False, where
            assert ctx.get("capabilities", {}).get("drop") == ["ALL"], where
            assert not ctx.get("capabilities", {}).get("add"), where
            seccomp = ctx.get("seccompProfile", pod_ctx.get("seccompProfile", {}))
            assert seccomp.get("type") == "RuntimeDefault", where
            assert {"name": "tmp", "mountPath": "/tmp"} in c.get("volumeMounts", []), where
        tmp = next(v for v in spec["volumes"] if v["name"] == "tmp")
        assert "sizeLimit" in tmp["emptyDir"], f"{owner}: unbounded /tmp"


@pytest.mark.parametrize("env", ENVS)
def test_web_pods_probe_drain_and_roll_without_losing_capacity(
    rendered: Rendered, env: str
) -> None:
    deployment = only(rendered[(env, "app")], "Deployment")
    spec = deployment["spec"]
    # The HPA owns the replica count; a value here would reset it on every apply.
    assert "replicas" not in spec
    assert spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    assert spec["strategy"]["rollingUpdate"]["maxSurge"] in (1, "25%")
    pod = spec["template"]["spec"]
    (web,) = pod["containers"]
    assert {"name": "http", "containerPort": 8000, "protocol": "TCP"} in web["ports"]
    assert web["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert web["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert web["startupProbe"]["httpGet"]["port"] == "http"
    assert web["imagePullPolicy"] == "Always"
    assert web["envFrom"] == [
        {"configMapRef": {"name": only(rendered[(env, "app")], "ConfigMap")["metadata"]["name"]}}
    ]
    pre_stop = web["lifecycle"]["preStop"]["sleep"]["seconds"]
    assert pre_stop >= 5
    assert pod["terminationGracePeriodSeconds"] > pre_stop + GRACEFUL_TIMEOUT
    keys = {c["topologyKey"] for c in pod["topologySpreadConstraints"]}
    assert keys == {"topology.kubernetes.io/zone", "kubernetes.io/hostname"}
    for constraint in pod["topologySpreadConstraints"]:
        assert constraint["labelSelector"]["matchLabels"] == spec["selector"]["matchLabels"]


@pytest.mark.parametrize("env", ENVS)
def test_environment_values(rendered: Rendered, env: str) -> None:
    docs = rendered[(env, "app")]
    namespace = f"netflix-clone-{env}"
    assert only(docs, "Namespace")["metadata"]["name"] == namespace
    for doc in docs:
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == namespace, (
                f"{doc['kind']}/{doc['metadata']['name']}"
            )
    labels = only(docs, "Namespace")["metadata"]["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"

    hpa = only(docs, "HorizontalPodAutoscaler")["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == EXPECTED[env]["hpa"]
    assert hpa["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "netflix-clone",
    }
    assert hpa["behavior"]["scaleDown"]["stabilizationWindowSeconds"] >= 60
    assert {m["resource"]["name"] for m in hpa["metrics"]} == {"cpu", "memory"}

    data = config(docs)
    assert data["APP_ENV"] == env
    assert data["LOG_LEVEL"] == EXPECTED[env]["log_level"]
    assert data["TMDB_SECRET_ID"] == f"netflix-clone/{env}/tmdb-api-key"
    assert data["SECRET_KEY_SECRET_ID"] == f"netflix-clone/{env}/secret-key"
    published = published_values(env)
    # The app logs in as its own database user with IAM authentication; the master secret is
    # not in its config at all (only the db-admin Job gets it).
    assert data["DATABASE_IAM_USER"] == published["database-app-user"]
    assert "DATABASE_SECRET_ID" not in data
    assert data["DATABASE_URL"] == (
        f"postgresql+psycopg://{published['database-host']}:5432/netflix_clone?sslmode=require"
    )
    assert (
        data["REDIS_URL"] == f"rediss://{published['redis-user']}@{published['redis-host']}:6379/0"
    )
    # The app signs its ElastiCache IAM token for this replication group (redis_store.py).
    assert data["REDIS_IAM_CACHE_NAME"] == published["redis-cache-name"]
    assert data["CATALOG_SOURCE"] == "tmdb"
    assert data["PORT"] == "8000"

    ingress = only(docs, "Ingress")
    annotations = ingress["metadata"]["annotations"]
    assert ingress["spec"]["ingressClassName"] == "alb"
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] == published["public-host"]
    assert annotations["alb.ingress.kubernetes.io/certificate-arn"] == published["certificate-arn"]
    assert annotations["alb.ingress.kubernetes.io/target-type"] == "ip"
    assert annotations["alb.ingress.kubernetes.io/scheme"] == "internet-facing"
    assert annotations["alb.ingress.kubernetes.io/healthcheck-path"] == "/readyz"
    assert annotations["alb.ingress.kubernetes.io/ssl-redirect"] == "443"
    assert annotations["alb.ingress.kubernetes.io/ssl-policy"].startswith("ELBSecurityPolicy-TLS13")
    assert json.loads(annotations["alb.ingress.kubernetes.io/listen-ports"]) == [
        {"HTTP": 80},
        {"HTTPS": 443},
    ]
    # The ALB must close idle connections before gunicorn (keep-alive 75 s) does.
    idle = re.search(
        r"idle_timeout\.timeout_seconds=(\d+)",
        annotations["alb.ingress.kubernetes.io/load-balancer-attributes"],
    )
    assert idle
    assert int(idle.group(1)) < 75


def test_prod_keeps_two_pods_through_disruptions(rendered: Rendered) -> None:
    docs = rendered[("prod", "app")]
    assert only(docs, "PodDisruptionBudget")["spec"]["minAvailable"] >= 2
    assert only(docs, "HorizontalPodAutoscaler")["spec"]["minReplicas"] >= 3
    for env in ("dev", "uat"):
        # maxUnavailable, so a single dev replica never blocks a node drain.
        assert only(rendered[(env, "app")], "PodDisruptionBudget")["spec"] == {
            "maxUnavailable": 1,
            "unhealthyPodEvictionPolicy": "AlwaysAllow",
            "selector": only(rendered[(env, "app")], "Deployment")["spec"]["selector"],
        }


@pytest.mark.parametrize("env", ENVS)
def test_config_holds_secret_ids_never_secrets(
    rendered: Rendered, env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = rendered[(env, "app")] + rendered[(env, "migrate")]
    kinds = {d["kind"] for d in docs}
    assert "Secret" not in kinds
    assert "ExternalSecret" not in kinds
    data = config(rendered[(env, "app")])
    assert set(data) == CONFIG_KEYS
    assert not {"SECRET_KEY", "TMDB_API_KEY"} & set(data)
    assert "@" not in data["DATABASE_URL"], "DATABASE_URL must not carry credentials"
    assert data["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert not any("password" in key.lower() for key in data)

    # The app's own settings accept this config (names and values), so a typo fails here and
    # not in a crash-looping pod. Keys the app ignores are gunicorn's.
    from netflix_clone.core.settings import Settings

    fields = {name.upper() for name in Settings.model_fields}
    for key in list(os.environ):
        if key.upper() in fields:
            monkeypatch.delenv(key)
    for key, value in data.items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    assert settings.app_env == env
    assert settings.effective_catalog_source == "tmdb"
    gunicorn_only = {"FORWARDED_ALLOW_IPS", "WEB_CONCURRENCY"}
    assert set(data) - gunicorn_only <= fields


@pytest.mark.parametrize("env", ENVS)
def test_network_policies_admit_only_the_albs_subnets(rendered: Rendered, env: str) -> None:
    docs = rendered[(env, "app")]
    policies = {d["metadata"]["name"]: d["spec"] for d in docs if d["kind"] == "NetworkPolicy"}
    assert policies["default-deny-all"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    published = published_values(env)
    vpc, alb = published["vpc-cidr"], published["alb-subnets-cidr"]
    # Only the ALB's subnets reach the pods, so no other pod of the VPC can forge
    # X-Forwarded-For; that is also why gunicorn may trust forwarded headers from any peer
    # (it takes addresses only, never a CIDR: "*" is the way to say "whoever the policy admits").
    (ingress_rule,) = policies["netflix-clone-web-ingress"]["ingress"]
    assert ingress_rule["from"] == [{"ipBlock": {"cidr": alb}}]
    assert ipaddress.IPv4Network(alb).subnet_of(ipaddress.IPv4Network(vpc))
    assert config(docs)["FORWARDED_ALLOW_IPS"] == "*"
    assert ingress_rule["ports"] == [{"protocol": "TCP", "port": 8000}]
    egress = policies["netflix-clone-egress"]["egress"]
    # DNS goes to the cluster DNS address itself: on EKS Auto Mode CoreDNS runs on each node,
    # and no pod carries k8s-app: kube-dns for a selector to match.
    dns_rules = [r for r in egress if {"protocol": "UDP", "port": 53} in r["ports"]]
    assert dns_rules == [
        {
            "to": [{"ipBlock": {"cidr": f"{published['cluster-dns-ip']}/32"}}],
            "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
        }
    ]
    assert not any(
        "podSelector" in peer or "namespaceSelector" in peer for r in egress for peer in r["to"]
    )
    allowed = {(p["protocol"], p["port"]) for rule in egress for p in rule["ports"]}
    assert allowed == {
        ("UDP", 53),
        ("TCP", 53),
        ("TCP", 80),
        ("TCP", 443),
        ("TCP", 5432),
        ("TCP", 6379),
    }
    data_rule = next(r for r in egress if {"protocol": "TCP", "port": 5432} in r["ports"])
    assert data_rule["to"] == [{"ipBlock": {"cidr": vpc}}]  # PostgreSQL and Redis: the VPC
    assert "192.0.2." not in yaml.safe_dump_all(docs)


def normalise(docs: list[dict[str, Any]], env: str) -> str:
    """The rendered overlay with every field that may differ per environment blanked out."""
    docs = copy.deepcopy(docs)
    configmap_name = only(docs, "ConfigMap")["metadata"]["name"]
    cidrs = {published_values(env)["vpc-cidr"], published_values(env)["alb-subnets-cidr"]}
    for doc in docs:
        kind, spec = doc["kind"], doc.get("spec", {})
        if kind == "ConfigMap":
            for key in ENV_SPECIFIC_CONFIG:
                doc["data"][key] = "<env>"
        elif kind == "Deployment":
            for c in spec["template"]["spec"]["containers"]:
                c["resources"] = "<env>"
        elif kind == "Job":
            for c in spec["template"]["spec"]["containers"]:
                for variable in c.get("env", []):
                    variable["value"] = "<env>"
        elif kind == "HorizontalPodAutoscaler":
            spec["minReplicas"] = spec["maxReplicas"] = "<env>"
        elif kind == "PodDisruptionBudget":
            spec.pop("minAvailable", None)
            spec.pop("maxUnavailable", None)
        elif kind == "Ingress":
            spec["rules"][0]["host"] = "<env>"
            doc["metadata"]["annotations"]["alb.ingress.kubernetes.io/certificate-arn"] = "<env>"
            attributes = "alb.ingress.kubernetes.io/load-balancer-attributes"
            doc["metadata"]["annotations"][attributes] = doc["metadata"]["annotations"][
                attributes
            ].replace(published_values(env)["alb-log-bucket"], "<env>")
        elif kind == "NetworkPolicy":
            for rule in spec.get("ingress", []) + spec.get("egress", []):
                for peer in rule.get("to", []) + rule.get("from", []):
                    if peer.get("ipBlock", {}).get("cidr") in cidrs | {"172.20.0.10/32"}:
                        peer["ipBlock"]["cidr"] = "<env>"
    text = json.dumps(docs, sort_keys=True)
    # The ConfigMap's hash suffix follows its (env-specific) content.
    text = text.replace(configmap_name, "netflix-clone-<hash>")
    return text.replace(f'"netflix-clone-{env}"', '"netflix-clone-<env>"')


@pytest.mark.parametrize("step", STEPS)
def test_overlays_differ_only_where_intended(rendered: Rendered, step: str) -> None:
    normalised = {env: normalise(rendered[(env, step)], env) for env in ENVS}
    for env in ("uat", "prod"):
        if normalised[env] != normalised["dev"]:
            import difflib

            diff = difflib.unified_diff(
                json.dumps(json.loads(normalised["dev"]), indent=1, sort_keys=True).splitlines(),
                json.dumps(json.loads(normalised[env]), indent=1, sort_keys=True).splitlines(),
                "dev",
                env,
                lineterm="",
                n=2,
            )
            pytest.fail(
                f"{step}: dev and {env} differ beyond the env-specific fields:\n" + "\n".join(diff)
            )
    # ... and the env-specific fields really are specific: no two environments share one.
    for field in (
        "TMDB_SECRET_ID",
        "SECRET_KEY_SECRET_ID",
        "DATABASE_IAM_USER",
        "DATABASE_URL",
        "REDIS_URL",
    ):
        assert len({config(rendered[(env, step)])[field] for env in ENVS}) == 3, field
    if step == "app":
        hosts = {
            only(rendered[(env, "app")], "Ingress")["spec"]["rules"][0]["host"] for env in ENVS
        }
        certs = {
            only(rendered[(env, "app")], "Ingress")["metadata"]["annotations"][
                "alb.ingress.kubernetes.io/certificate-arn"
            ]
            for env in ENVS
        }
        assert len(hosts) == 3
        assert len(certs) == 3


def job(docs: list[dict[str, Any]], name: str) -> dict[str, Any]:
    (found,) = [d for d in docs if d["kind"] == "Job" and d["metadata"]["name"] == name]
    return found


def container_env(workload: dict[str, Any]) -> dict[str, str]:
    (container,) = workload["spec"]["template"]["spec"]["containers"]
    return {e["name"]: e["value"] for e in container.get("env", [])}


@pytest.mark.parametrize("env", ENVS)
def test_migration_step_runs_the_release_image_and_nothing_that_serves(
    rendered: Rendered, env: str
) -> None:
    app, migrate = rendered[(env, "app")], rendered[(env, "migrate")]
    assert {d["kind"] for d in migrate} <= MIGRATION_KINDS
    assert "Job" not in {d["kind"] for d in app}, "the app step must not race the migration"
    assert sorted(d["metadata"]["name"] for d in migrate if d["kind"] == "Job") == [
        "netflix-clone-db-admin",
        "netflix-clone-migrate",
    ]
    web = only(app, "Deployment")["spec"]["template"]["spec"]["containers"][0]
    for name in ("netflix-clone-db-admin", "netflix-clone-migrate"):
        spec = job(migrate, name)["spec"]
        assert job(migrate, name)["metadata"]["namespace"] == f"netflix-clone-{env}"
        assert 0 < spec["backoffLimit"] <= 3
        assert 0 < spec["activeDeadlineSeconds"] <= 1800
        assert spec["ttlSecondsAfterFinished"] > 0
        pod = spec["template"]["spec"]
        assert pod["restartPolicy"] == "Never"
        (container,) = pod["containers"]
        # Same image and the very same ConfigMap (name includes the content hash) as the pods.
        assert container["image"] == web["image"]
        assert container["envFrom"] == web["envFrom"]
        # Both need the database and AWS: the egress policy must select them.
        egress = next(d for d in migrate if d["metadata"]["name"] == "netflix-clone-egress")
        assert (
            egress["spec"]["podSelector"]["matchLabels"].items()
            <= pod_labels(job(migrate, name)).items()
        )
    assert only(migrate, "ConfigMap") == only(app, "ConfigMap")
    (app_account,) = [d for d in app if d["kind"] == "ServiceAccount"]
    assert app_account in migrate


@pytest.mark.parametrize("env", ENVS)
def test_neither_the_app_nor_the_migration_uses_the_master_secret(
    rendered: Rendered, env: str
) -> None:
    """The app logs in as its own user (rows only), the migration as the schema owner, both with
    IAM tokens their own Pod Identity roles sign; only the db-admin Job, under its own service
    account, reads the master secret, to create those two users."""
    app, migrate = rendered[(env, "app")], rendered[(env, "migrate")]
    published = published_values(env)
    web = only(app, "Deployment")["spec"]["template"]["spec"]
    migration, admin = job(migrate, "netflix-clone-migrate"), job(migrate, "netflix-clone-db-admin")
    assert web["serviceAccountName"] == "netflix-clone"
    assert config(app)["DATABASE_IAM_USER"] == published["database-app-user"]

    assert migration["spec"]["template"]["spec"]["serviceAccountName"] == "netflix-clone-migrate"
    assert container_env(migration) == {"DATABASE_IAM_USER": published["database-owner-user"]}
    (migrate_container,) = migration["spec"]["template"]["spec"]["containers"]
    assert migrate_container["command"] == ["netflix-clone", "migrate"]
    # Arrives suspended: deploy.sh resumes it once the users it logs in as exist.
    assert migration["spec"]["suspend"] is True

    assert admin["spec"]["template"]["spec"]["serviceAccountName"] == "netflix-clone-db-admin"
    (admin_container,) = admin["spec"]["template"]["spec"]["containers"]
    assert admin_container["command"] == [
        "python",
        "-m",
        "netflix_clone.core.db_iam",
        "ensure-users",
    ]
    assert container_env(admin) == {
        "DATABASE_SECRET_ID": published["database-secret-arn"],
        "DATABASE_OWNER_USER": published["database-owner-user"],
        "DATABASE_APP_USER": published["database-app-user"],
    }
    everything = yaml.safe_dump_all([*app, *[d for d in migrate if d is not admin]])
    assert published["database-secret-arn"] not in everything
    accounts = {d["metadata"]["name"] for d in migrate if d["kind"] == "ServiceAccount"}
    assert accounts == {"netflix-clone", "netflix-clone-migrate", "netflix-clone-db-admin"}
    for account in (d for d in migrate if d["kind"] == "ServiceAccount"):
        assert account["automountServiceAccountToken"] is False


@pytest.mark.parametrize("env", ENVS)
def test_every_release_carries_the_environments_cluster_bundle(
    rendered: Rendered, env: str
) -> None:
    bundle = rendered[(env, "cluster")]
    assert sorted(d["kind"] for d in bundle) == sorted(BUNDLE_KINDS)
    names = {d["kind"]: d["metadata"]["name"] for d in bundle}
    assert names == {
        "IngressClass": "alb",
        "NodeClass": "netflix-clone",
        "NodePool": "netflix-clone",
    }
    node_class = only(bundle, "NodeClass")["spec"]
    assert node_class["role"] == f"netflix-clone-{env}-node"
    assert node_class["networkPolicy"] in ("DefaultAllow", "DefaultDeny")
    assert {
        t["tags"].get(f"kubernetes.io/cluster/netflix-clone-{env}")
        for t in node_class["subnetSelectorTerms"]
    } == {"shared"}
    app_pods = only(rendered[(env, "app")], "Deployment")["spec"]["template"]["spec"]
    pool_labels = only(bundle, "NodePool")["spec"]["template"]["metadata"]["labels"]
    assert app_pods["nodeSelector"].items() <= pool_labels.items()


def test_the_deploy_group_may_create_only_the_bundles_names() -> None:
    docs = [d for d in yaml.safe_load_all((K8S / "cluster" / "rbac.yaml").read_text()) if d]
    roles = {d["metadata"]["name"]: d for d in docs if d["kind"] == "ClusterRole"}
    bundle = roles["netflix-clone-deployer-cluster-bundle"]["rules"]
    named = {
        (r["apiGroups"][0], r["resources"][0]): r["resourceNames"]
        for r in bundle
        if "resourceNames" in r
    }
    assert named == {
        ("karpenter.sh", "nodepools"): ["netflix-clone"],
        ("eks.amazonaws.com", "nodeclasses"): ["netflix-clone"],
        ("networking.k8s.io", "ingressclasses"): ["alb"],
    }
    for rule in bundle:
        assert not {"delete", "deletecollection", "*"} & set(rule["verbs"])
        if "resourceNames" not in rule:
            assert rule["verbs"] == ["create"]
    (policy,) = [d for d in docs if d["kind"] == "ValidatingAdmissionPolicy"]
    (binding,) = [d for d in docs if d["kind"] == "ValidatingAdmissionPolicyBinding"]
    assert binding["spec"]["policyName"] == policy["metadata"]["name"]
    assert binding["spec"]["validationActions"] == ["Deny"]
    covered = {r["resources"][0] for r in policy["spec"]["matchConstraints"]["resourceRules"]}
    assert covered == {"nodepools", "nodeclasses", "ingressclasses"}
    (check,) = policy["spec"]["validations"]
    assert "'alb'" in check["expression"] and "'netflix-clone'" in check["expression"]
    bindings = [d for d in docs if d["kind"] in ("ClusterRoleBinding", "RoleBinding")]
    assert {s["name"] for b in bindings for s in b["subjects"]} == {"netflix-clone-deployers"}


def pod_labels(workload: dict[str, Any]) -> dict[str, str]:
    return dict(workload["spec"]["template"]["metadata"]["labels"])


def test_the_repository_holds_no_per_environment_infrastructure_value(committed: Rendered) -> None:
    """Hosts, ARNs, account ids and CIDRs come from Terraform at release time; what is committed
    is placeholders that deploy.sh refuses to ship, and only in the keys it renders."""
    for (env, _step), docs in committed.items():
        text = yaml.safe_dump_all(docs)
        assert not re.search(r"arn:aws|\b\d{12}\b|amazonaws\.com|\b10\.\d+\.\d+\.\d+/", text), env
        for line in text.splitlines():
            if "REPLACE-ME" in line or "example.invalid" in line or "192.0.2." in line:
                assert re.search(
                    r"(DATABASE_URL|DATABASE_IAM_USER|REDIS_URL|FORWARDED_ALLOW_IPS|certificate-arn"
                    r"|load-balancer-attributes|host|cidr|value):",
                    line,
                ), f"{env}: unexpected placeholder: {line.strip()}"
        images = {c["image"] for _, spec in pod_specs(docs) for c in spec["containers"]}
        assert images == {f"netflix-clone@{ZERO_DIGEST}"}


def test_check_script_passes() -> None:
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "check-k8s.sh")],
        capture_output=True,
        text=True,
        cwd="/",
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, f"check-k8s.sh failed:\n{result.stdout}\n{result.stderr}"
    assert "k8s checks passed" in result.stdout


FAKE_KUBECTL = """#!/usr/bin/env bash
# Records every call and renders for real; a cluster where everything succeeds unless told:
# FAKE_FAIL_JOB=<job> fails that Job, FAKE_DRIFT=1 makes the bundle differ, FAKE_NO_RBAC=1
# refuses the bundle, FAKE_SWITCH=<value> is the network policy switch, FAKE_POOL=NotReady.
echo "$*" >>"$FAKE_LOG/calls"
case "$1" in
  kustomize) exec "$REAL_KUBECTL" "$@" ;;
  auth) [[ -n ${FAKE_NO_RBAC:-} ]] && echo no || echo yes ;;
  diff) [[ -n ${FAKE_DRIFT:-} ]] && { echo "-  limits: {cpu: 4}"; exit 1; }; exit 0 ;;
  apply) cp "$3" "$FAKE_LOG/applied-$(ls "$FAKE_LOG" | grep -c applied).yaml" ;;
  wait) [[ ${FAKE_POOL:-Ready} == Ready ]] || exit 1 ;;
  get)
    case "$2" in
      configmap) printf '%s' "${FAKE_SWITCH-true}" ;;
      job) [[ $3 == "${FAKE_FAIL_JOB:-}" ]] && echo "Failed " || echo "Complete " ;;
    esac
    ;;
  logs) echo "alembic: boom" ;;
esac
"""


def run_deploy(
    tmp_path: Path,
    *args: str,
    drop_value: str | None = None,
    cluster: dict[str, str] | None = None,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """deploy/k8s/deploy.sh on a fake cluster, with the values Terraform would have published
    (one of them left out with drop_value)."""
    tree = tmp_path / "k8s"
    shutil.copytree(K8S, tree)
    env_name = args[0] if args and args[0] in ENVS else "dev"
    values = published_values(env_name)
    if drop_value:
        del values[drop_value]
    values_file = write_values(tmp_path / "values", values)
    bindir, log = tmp_path / "bin", tmp_path / "log"
    bindir.mkdir()
    log.mkdir()
    (bindir / "kubectl").write_text(FAKE_KUBECTL)
    (bindir / "kubectl").chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bindir}:{os.environ['PATH']}",
        "FAKE_LOG": str(log),
        **(cluster or {}),
        "REAL_KUBECTL": shutil.which("kubectl") or "kubectl",
        "POLL_SECONDS": "0",
        "VALUES_FILE": str(values_file),
    }
    result = subprocess.run(
        ["bash", str(tree / "deploy.sh"), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    return result, log


IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/netflix-clone@sha256:" + "ab" * 32


def kubectl_calls(log: Path) -> list[str]:
    calls = (log / "calls").read_text().splitlines() if (log / "calls").exists() else []
    return [line.split()[0] for line in calls if not line.startswith("kustomize")]


RELEASE_CALLS = [
    "auth",  # the administrator's RBAC is there
    "get",  # the network policy switch is on
    "diff",  # drift of the cluster bundle
    "apply",  # the bundle
    "wait",  # NodeClass and NodePool Ready
    "delete",  # the previous Jobs
    "apply",  # the migration step (migration Job suspended)
    "get",  # db-admin Job complete
    "patch",  # resume the migration Job
    "get",  # migration Job complete
    "apply",  # the app
    "rollout",
]


def test_deploy_applies_the_bundle_then_users_then_migration_then_the_given_digest(
    tmp_path: Path,
) -> None:
    result, log = run_deploy(tmp_path, "uat", IMAGE)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert kubectl_calls(log) == RELEASE_CALLS
    calls = (log / "calls").read_text().splitlines()
    assert "patch job netflix-clone-migrate -n netflix-clone-uat --type=merge -p" in "\n".join(
        calls
    )
    assert [c for c in calls if c.startswith("get job")][:2] == [
        "get job netflix-clone-db-admin -n netflix-clone-uat -o jsonpath="
        '{range .status.conditions[?(@.status=="True")]}{.type}{" "}{end}',
        "get job netflix-clone-migrate -n netflix-clone-uat -o jsonpath="
        '{range .status.conditions[?(@.status=="True")]}{.type}{" "}{end}',
    ]
    bundle, migrate, app = (
        list(yaml.safe_load_all((log / f"applied-{i}.yaml").read_text())) for i in range(3)
    )
    assert {d["kind"] for d in bundle if d} == BUNDLE_KINDS
    assert only([d for d in bundle if d], "NodeClass")["spec"]["role"] == "netflix-clone-uat-node"
    assert {d["kind"] for d in migrate} <= MIGRATION_KINDS
    assert job(migrate, "netflix-clone-migrate")["spec"]["suspend"] is True
    assert only(app, "Deployment")
    assert "Job" not in {d["kind"] for d in app}
    images = {
        c["image"]
        for docs in (migrate, app)
        for _, spec in pod_specs(docs)
        for c in spec["containers"]
    }
    assert images == {IMAGE}
    assert {d["metadata"].get("namespace", d["metadata"]["name"]) for d in migrate + app} == {
        "netflix-clone-uat"
    }


def test_drift_of_the_cluster_bundle_is_shown_then_repaired(tmp_path: Path) -> None:
    result, log = run_deploy(tmp_path, "dev", IMAGE, cluster={"FAKE_DRIFT": "1"})
    assert result.returncode == 0, result.stderr
    assert "the cluster differs from the repository" in result.stdout
    assert "limits: {cpu: 4}" in result.stdout
    assert kubectl_calls(log) == RELEASE_CALLS


@pytest.mark.parametrize(
    ("cluster", "message"),
    [
        ({"FAKE_NO_RBAC": "1"}, "applies deploy/k8s/cluster/rbac.yaml"),
        ({"FAKE_SWITCH": ""}, "network policy controller is off"),
        ({"FAKE_SWITCH": "false"}, "network policy controller is off"),
    ],
)
def test_deploy_stops_before_anything_without_the_administrators_one_time_step(
    tmp_path: Path, cluster: dict[str, str], message: str
) -> None:
    result, log = run_deploy(tmp_path, "prod", IMAGE, cluster=cluster)
    assert result.returncode != 0
    assert message in result.stderr
    assert "apply" not in kubectl_calls(log)


def test_a_node_pool_that_is_not_ready_fails_fast_by_name(tmp_path: Path) -> None:
    result, log = run_deploy(tmp_path, "dev", IMAGE, cluster={"FAKE_POOL": "NotReady"})
    assert result.returncode != 0
    assert "NodePool netflix-clone is not Ready" in result.stderr
    assert kubectl_calls(log) == RELEASE_CALLS[:5]


def test_deploy_stops_before_the_migration_when_the_database_users_fail(tmp_path: Path) -> None:
    result, log = run_deploy(
        tmp_path, "dev", IMAGE, cluster={"FAKE_FAIL_JOB": "netflix-clone-db-admin"}
    )
    assert result.returncode != 0
    assert "database users Job (netflix-clone-db-admin) failed" in result.stderr
    assert kubectl_calls(log) == [*RELEASE_CALLS[:8], "logs"]  # never resumed, never applied


def test_deploy_stops_before_the_app_when_the_migration_fails(tmp_path: Path) -> None:
    result, log = run_deploy(
        tmp_path, "dev", IMAGE, cluster={"FAKE_FAIL_JOB": "netflix-clone-migrate"}
    )
    assert result.returncode != 0
    assert "migration Job (netflix-clone-migrate) failed" in result.stderr
    assert "alembic: boom" in result.stderr
    assert kubectl_calls(log) == [*RELEASE_CALLS[:10], "logs"]


@pytest.mark.parametrize(
    "args", [("prod", IMAGE.split("@", maxsplit=1)[0] + ":latest"), ("staging", IMAGE), ("prod",)]
)
def test_deploy_refuses_bad_arguments_before_touching_the_cluster(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    result, log = run_deploy(tmp_path, *args)
    assert result.returncode != 0
    assert kubectl_calls(log) == []


@pytest.mark.parametrize(
    "missing",
    ["vpc-cidr", "certificate-arn", "database-host", "cluster-dns-ip", "database-app-user"],
)
def test_deploy_refuses_when_a_published_value_is_missing(tmp_path: Path, missing: str) -> None:
    result, log = run_deploy(tmp_path, "prod", IMAGE, drop_value=missing)
    assert result.returncode != 0
    assert f"no value '{missing}'" in result.stderr
    assert kubectl_calls(log) == []


def test_deploy_refuses_a_value_that_could_inject_yaml(tmp_path: Path) -> None:
    values = published_values("prod")
    values["public-host"] = 'api.example.com", "op": "remove'
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
    assert result.returncode != 0
    assert "value 'public-host' looks wrong" in result.stderr


FAKE_AWS = """#!/usr/bin/env bash
echo "$*" >>"$FAKE_LOG/aws-calls"
cat "$FAKE_LOG/ssm.txt"
"""


def test_deploy_reads_the_values_terraform_published_in_ssm(tmp_path: Path) -> None:
    """Without VALUES_FILE, deploy.sh asks SSM for /netflix-clone/<env>/ (as the release does)."""
    values = published_values("prod")
    bindir, log = tmp_path / "bin", tmp_path / "log"
    bindir.mkdir()
    log.mkdir()
    # `aws ssm get-parameters-by-path --query 'Parameters[].[Name,Value]' --output text`
    (log / "ssm.txt").write_text(
        "".join(f"/netflix-clone/prod/{k}\t{v}\n" for k, v in values.items())
    )
    (bindir / "aws").write_text(FAKE_AWS)
    (bindir / "aws").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "VALUES_FILE"}
    result = subprocess.run(
        ["bash", str(K8S / "deploy.sh"), "prod", IMAGE],
        env={
            **env,
            "PATH": f"{bindir}:{os.environ['PATH']}",
            "FAKE_LOG": str(log),
            "RENDER_ONLY": str(tmp_path),
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    (call,) = (log / "aws-calls").read_text().splitlines()
    assert call.startswith("ssm get-parameters-by-path --path /netflix-clone/prod/ ")
    app = [d for d in yaml.safe_load_all((tmp_path / "app.yaml").read_text()) if d]
    assert config(app)["FORWARDED_ALLOW_IPS"] == "*"
    policies = {d["metadata"]["name"]: d["spec"] for d in app if d["kind"] == "NetworkPolicy"}
    (ingress_rule,) = policies["netflix-clone-web-ingress"]["ingress"]
    assert ingress_rule["from"] == [{"ipBlock": {"cidr": values["alb-subnets-cidr"]}}]
    assert only(app, "Ingress")["spec"]["rules"][0]["host"] == values["public-host"]
