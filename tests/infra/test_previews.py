"""Pull-request previews on ECS Fargate (docs/previews.md).

- The task definition the workflow registers, rendered from modules/previews/task-definition.json
  by the same script: read-only root, non-root user, no capabilities, no secret among the
  environment values, awslogs to the previews' log group, and settings the app accepts.
- The workflow's shape: pull_request (never pull_request_target), same-repository only, the
  docs-only and label skips, the daily cleanup, the order build -> room -> deploy -> smoke test.
- The role's scope: every AWS call the preview scripts make is granted to the preview role, and
  the role is granted nothing the scripts do not call.
- The scripts themselves, run with the real AWS CLI against moto (the AWS emulator) and a
  loopback stand-in for GitHub's API: deploy, redeploy, the limit, teardown, the expiry and the
  pull-request comments.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.infra

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / ".github" / "scripts"
WORKFLOW = ROOT / ".github" / "workflows" / "preview.yml"
TEMPLATE = ROOT / "infra" / "terraform" / "modules" / "previews" / "task-definition.json"
BOOTSTRAP = ROOT / "infra" / "terraform" / "bootstrap"

ACCOUNT = "123456789012"  # moto's account
SHA = "a" * 40
SHA2 = "b" * 40
DIGEST = "sha256:" + "c" * 64
SECRET_ARN = (
    f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:"
    "netflix-clone/dev/previews/pr-12/secret-key-AbCdEf"
)
SECRET_LIKE_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|API_KEY|PRIVATE|CREDENTIAL", re.IGNORECASE)


def sample_config(**overrides: Any) -> dict[str, Any]:
    config = {
        "name": "netflix-clone-dev",
        "region": "eu-west-1",
        "cluster": "netflix-clone-dev-previews",
        "domain": "previews.example.com",
        "listener_arn": f"arn:aws:elasticloadbalancing:eu-west-1:{ACCOUNT}:listener/app/x/1/2",
        "vpc_id": "vpc-1",
        "subnets": ["subnet-1", "subnet-2"],
        "security_groups": ["sg-1"],
        "execution_role_arn": f"arn:aws:iam::{ACCOUNT}:role/netflix-clone-dev-preview-execution",
        "task_role_arn": f"arn:aws:iam::{ACCOUNT}:role/netflix-clone-dev-preview-task",
        "log_group": "/aws/ecs/netflix-clone-dev-previews",
        "repository_name": "netflix-clone-dev-previews",
        "repository_url": f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/netflix-clone-dev-previews",
        "secret_prefix": "netflix-clone/dev/previews",
        "capacity_provider": "FARGATE_SPOT",
        "max_previews": 5,
        "idle_days": 3,
        "container_port": 8000,
    }
    config.update(overrides)
    return config


def image(repository_url: str) -> str:
    return f"{repository_url}@{DIGEST}"


def run_script(
    name: str, *args: str, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["bash", str(SCRIPTS / name), *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        # Each AWS CLI call starts a Python process: seconds apiece on a loaded 2-core machine.
        timeout=600,
        check=False,
    )
    if check:
        assert result.returncode == 0, f"{name} {args}: {result.stdout}\n{result.stderr}"
    return result


def render(tmp_path: Path, n: str = "12", **config: Any) -> dict[str, Any]:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(sample_config(**config)))
    out = run_script(
        "preview-task-definition.sh",
        n,
        SHA,
        image(sample_config()["repository_url"]),
        SECRET_ARN,
        env={"PREVIEW_CONFIG_FILE": str(path)},
    ).stdout
    rendered = json.loads(out)
    assert isinstance(rendered, dict)
    return rendered


# --- the task definition -----------------------------------------------------------------------


def test_every_container_runs_read_only_as_a_non_root_user_without_capabilities(
    tmp_path: Path,
) -> None:
    task = render(tmp_path)
    containers = {c["name"]: c for c in task["containerDefinitions"]}
    assert set(containers) == {"migrate", "web"}
    for name, container in containers.items():
        assert container["readonlyRootFilesystem"] is True, name
        user = container["user"]
        assert re.fullmatch(r"[1-9]\d*:[1-9]\d*", user), (
            f"{name} must run as a numeric non-root user"
        )
        assert container["linuxParameters"]["capabilities"]["drop"] == ["ALL"], name
        assert "privileged" not in container or container["privileged"] is False, name
        # The only writable place: the task's /tmp volume (Fargate has no tmpfs), where the
        # SQLite file, gunicorn's and Prometheus' files go.
        assert container["mountPoints"] == [
            {"sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": False}
        ], name
        assert container["image"] == image(sample_config()["repository_url"])
    assert task["volumes"] == [{"name": "tmp"}]
    assert task["networkMode"] == "awsvpc" and task["requiresCompatibilities"] == ["FARGATE"]
    assert task["executionRoleArn"] != task["taskRoleArn"]


def test_no_secret_in_the_environment_values_only_a_reference_to_secrets_manager(
    tmp_path: Path,
) -> None:
    task = render(tmp_path)
    for container in task["containerDefinitions"]:
        env = {e["name"]: e["value"] for e in container["environment"]}
        assert not [k for k in env if SECRET_LIKE_NAME.search(k)], container["name"]
        for value in env.values():
            assert "arn:" not in value and len(value) < 32, f"{container['name']}: {value!r}"
        assert container["secrets"] == [{"name": "SECRET_KEY", "valueFrom": SECRET_ARN}]
    # Nothing anywhere in the document but the reference carries the secret's name.
    flat = json.dumps(task)
    assert flat.count("secret-key") == 2  # the two references


def test_logs_go_to_the_previews_log_group_under_the_preview_prefix(tmp_path: Path) -> None:
    task = render(tmp_path, n="12")
    for container in task["containerDefinitions"]:
        assert container["logConfiguration"] == {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": "/aws/ecs/netflix-clone-dev-previews",
                "awslogs-region": "eu-west-1",
                "awslogs-stream-prefix": "pr-12",
            },
        }


def test_migrations_run_first_then_the_web_container_is_health_checked(tmp_path: Path) -> None:
    task = render(tmp_path)
    migrate, web = task["containerDefinitions"]
    assert migrate["command"] == ["netflix-clone", "migrate"] and migrate["essential"] is False
    assert web["essential"] is True
    assert web["dependsOn"] == [{"containerName": "migrate", "condition": "SUCCESS"}]
    assert "command" not in web, "the web container runs the image's own CMD (gunicorn)"
    assert web["portMappings"][0]["containerPort"] == 8000
    check = " ".join(web["healthCheck"]["command"])
    assert web["healthCheck"]["command"][0] == "CMD" and "/healthz" in check
    assert task["family"] == "netflix-clone-dev-pr-12"
    assert {t["key"]: t["value"] for t in task["tags"]} == {
        "preview": "pr-12",
        "pull-request": "12",
        "commit": SHA,
    }


def test_the_environment_is_one_the_app_accepts_and_it_needs_the_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from netflix_clone.core.settings import ConfigError, load_settings

    web = render(tmp_path)["containerDefinitions"][1]
    for key in list(os.environ):
        if key.startswith(("APP_", "DATABASE_", "SECRET_", "TMDB_", "REDIS_", "CATALOG_")):
            monkeypatch.delenv(key)
    for item in web["environment"]:
        monkeypatch.setenv(item["name"], item["value"])
    # Not local or test: without the secret Secrets Manager injects, the app refuses to start.
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings()
    monkeypatch.setenv("SECRET_KEY", "f" * 64)
    settings = load_settings()
    assert settings.app_env == "dev"
    assert settings.sqlalchemy_url.startswith("sqlite:////tmp/instance/")
    assert settings.effective_catalog_source == "demo"
    assert settings.trusted_proxy_hops == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("0", SHA, "r@" + DIGEST, SECRET_ARN), "1..50000"),
        (("50001", SHA, "r@" + DIGEST, SECRET_ARN), "1..50000"),
        (("7", "abc", "r@" + DIGEST, SECRET_ARN), "40-hex"),
        (("7", SHA, "repo:pr-7-latest", SECRET_ARN), "pinned by digest"),
        (("7", SHA, "r@" + DIGEST, "plain-value"), "Secrets Manager ARN"),
    ],
)
def test_rendering_refuses_bad_input(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(sample_config()))
    result = run_script(
        "preview-task-definition.sh", *args, env={"PREVIEW_CONFIG_FILE": str(path)}, check=False
    )
    assert result.returncode != 0 and message in result.stderr, result.stderr


def test_the_scripts_read_the_configuration_terraform_publishes() -> None:
    main = (ROOT / "infra" / "terraform" / "modules" / "previews" / "main.tf").read_text()
    block = main[main.index("  config = {") : main.index('resource "aws_ssm_parameter" "config"')]
    published = set(re.findall(r"^\s{4}([a-z_]+)\s+=", block, re.MULTILINE))
    assert published == set(sample_config()), "the tests' configuration must be the module's"
    lib = (SCRIPTS / "preview-lib.sh").read_text()
    read = (
        set(re.findall(r"cfg ([a-z_]+)\)", lib))
        | set(re.findall(r"\.([a-z_]+)\b", (SCRIPTS / "preview-task-definition.sh").read_text()))
        & published
    )
    assert read <= published


def test_the_template_has_no_value_of_its_own_where_infrastructure_goes() -> None:
    template = TEMPLATE.read_text()
    placeholders = set(re.findall(r"\{\{([a-z_]+)\}\}", template))
    assert placeholders == {
        "family",
        "image",
        "execution_role_arn",
        "task_role_arn",
        "secret_key_arn",
        "log_group",
        "region",
        "preview",
        "pull_request",
        "commit",
    }
    assert "arn:aws" not in template and "amazonaws.com" not in template


# --- the workflow --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    data = yaml.safe_load(WORKFLOW.read_text())
    assert isinstance(data, dict)
    return data


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the bare key `on` as the boolean True.
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: None}
    assert isinstance(on, dict)
    return on


def test_runs_on_pull_request_never_pull_request_target(workflow: dict[str, Any]) -> None:
    on = triggers(workflow)
    assert set(on) == {"pull_request", "schedule", "workflow_dispatch"}
    assert on["pull_request"]["types"] == ["opened", "synchronize", "reopened", "closed"]
    assert on["pull_request"]["branches"] == ["dev"]
    for workflow_file in (ROOT / ".github" / "workflows").glob("*.y*ml"):
        events = triggers(yaml.safe_load(workflow_file.read_text()))
        assert "pull_request_target" not in events, workflow_file.name
    assert workflow["permissions"] == {}


def test_docs_only_pull_requests_and_the_label_skip_the_preview(workflow: dict[str, Any]) -> None:
    ignored = triggers(workflow)["pull_request"]["paths-ignore"]
    assert "docs/**" in ignored and "**.md" in ignored
    deploy, teardown = workflow["jobs"]["deploy"], workflow["jobs"]["teardown"]
    assert "!contains(github.event.pull_request.labels.*.name, 'no-preview')" in deploy["if"]
    assert "contains(github.event.pull_request.labels.*.name, 'no-preview')" in teardown["if"]


def test_only_same_repository_pull_requests_get_the_role(workflow: dict[str, Any]) -> None:
    same_repo = "github.event.pull_request.head.repo.full_name == github.repository"
    for job_id in ("deploy", "teardown"):
        job = workflow["jobs"][job_id]
        assert same_repo in job["if"], job_id
    for job_id, job in workflow["jobs"].items():
        env_name = job["environment"]["name"] if isinstance(job["environment"], dict) else None
        assert env_name == "preview", f"{job_id}: the role trusts the Environment preview only"
        roles = [
            s["with"]["role-to-assume"]
            for s in job["steps"]
            if str(s.get("uses", "")).startswith("aws-actions/configure-aws-credentials@")
        ]
        assert roles == ["${{ env.PREVIEW_ROLE }}"], job_id
    assert workflow["env"]["PREVIEW_ROLE"].endswith(":role/netflix-clone-preview-dev")
    assert workflow["jobs"]["cleanup"]["if"] == (
        "github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'"
    )
    assert triggers(workflow)["schedule"], "the daily cleanup"


def test_deploy_builds_once_makes_room_deploys_checks_and_comments(
    workflow: dict[str, Any],
) -> None:
    steps = workflow["jobs"]["deploy"]["steps"]
    text = [str(s.get("run", "")) + str(s.get("uses", "")) for s in steps]

    def position(fragment: str) -> int:
        found = [i for i, t in enumerate(text) if fragment in t]
        assert len(found) == 1, f"expected one step with {fragment!r}"
        return found[0]

    order = [
        position(".github/scripts/ecr-digest.sh"),
        position("docker/build-push-action@"),
        position(".github/scripts/preview-limit.sh"),
        position(".github/scripts/preview-deploy.sh"),
        position(".github/scripts/smoke-test.sh"),
        position('preview-comment.sh "$PR_NUMBER" deployed'),
    ]
    assert order == sorted(order)
    build = steps[order[1]]
    assert build["if"] == "steps.existing.outputs.digest == ''", "a commit is built once"
    assert build["with"]["push"] is True and build["with"]["platforms"] == "linux/amd64"
    assert build["with"]["tags"] == "${{ steps.config.outputs.image }}"
    config_step = next(s for s in steps if s.get("id") == "config")
    assert '"image=$repository_url:pr-$PR_NUMBER-$HEAD_SHA"' in config_step["run"]
    checkout = steps[0]
    assert checkout["with"]["ref"] == "${{ github.event.pull_request.head.sha }}"
    failure = steps[-1]
    assert failure["if"] == "failure()" and "failed" in failure["run"]


def test_close_removes_the_preview(workflow: dict[str, Any]) -> None:
    teardown = workflow["jobs"]["teardown"]
    assert "github.event.action == 'closed'" in teardown["if"]
    runs = " ".join(str(s.get("run", "")) for s in teardown["steps"])
    assert '.github/scripts/preview-teardown.sh "$PR_NUMBER"' in runs
    assert workflow["concurrency"]["group"] == (
        "preview-${{ github.event.pull_request.number || 'cleanup' }}"
    )


# --- the role's scope ----------------------------------------------------------------------------

CLI_SERVICE = {
    "ecs": "ecs",
    "elbv2": "elasticloadbalancing",
    "secretsmanager": "secretsmanager",
    "ssm": "ssm",
    "ecr": "ecr",
    "logs": "logs",
}
# Calls that need a second action besides their own.
IMPLIED = {
    "ecs:RegisterTaskDefinition": {"ecs:TagResource", "iam:PassRole"},
    "ecs:CreateService": {"ecs:TagResource"},
    "elasticloadbalancing:CreateTargetGroup": {"elasticloadbalancing:AddTags"},
    "elasticloadbalancing:CreateRule": {"elasticloadbalancing:AddTags"},
    "secretsmanager:CreateSecret": {"secretsmanager:TagResource"},
}
# What GitHub's actions do with the role: ECR login and docker push.
ACTIONS_CALLS = {
    "ecr:GetAuthorizationToken",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
    "ecr:BatchCheckLayerAvailability",
}
WAITERS = {("ecs", "services-inactive"): "ecs:DescribeServices"}


def called_actions() -> set[str]:
    sources = [WORKFLOW.read_text()] + [p.read_text() for p in SCRIPTS.glob("preview-*.sh")]
    sources.append((SCRIPTS / "ecr-digest.sh").read_text())
    actions: set[str] = set()
    for text in sources:
        for service, command in re.findall(r"\baws ([a-z0-9]+) ([a-z][a-z-]+)", text):
            if command == "wait":
                continue
            prefix = CLI_SERVICE[service]
            actions.add(f"{prefix}:" + "".join(w.capitalize() for w in command.split("-")))
        for service, waiter in re.findall(r"\baws ([a-z0-9]+) wait ([a-z-]+)", text):
            actions.add(WAITERS[(service, waiter)])
    for action in list(actions):
        actions |= IMPLIED.get(action, set())
    return actions | ACTIONS_CALLS


def granted_actions() -> set[str]:
    text = (BOOTSTRAP / "previews.tf").read_text()
    block = text[text.index("preview_policy = {") : text.index("deploy_previews_policy = {")]
    # Quoted service:Action strings, but not condition keys ("ecs:cluster" = ...).
    granted = set(re.findall(r'"([a-z0-9-]+:[A-Za-z]+)"(?!\s*=)', block))
    if "local.ecr_pull_actions" in block:
        deploy = (BOOTSTRAP / "deploy-permissions.tf").read_text()
        for name in ("ecr_pull_actions", "ecr_push_actions"):
            listed = deploy[deploy.index(f"{name} = [") :]
            granted |= set(re.findall(r'"(ecr:[A-Za-z]+)"', listed[: listed.index("]")]))
    return {a for a in granted if a.split(":")[0] in {*CLI_SERVICE.values(), "iam"}}


def test_the_role_grants_every_call_the_scripts_make() -> None:
    missing = called_actions() - granted_actions()
    assert not missing, (
        f"the preview scripts call actions the preview role lacks: {sorted(missing)}"
    )


def test_the_role_grants_nothing_the_scripts_do_not_call() -> None:
    # ECR's read calls come with the shared pull list; Describe of images is the lookup.
    unused = (
        granted_actions()
        - called_actions()
        - {
            "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer",
            "ecr:DescribeRepositories",
            "ecr:ListImages",
            "ecr:DescribeImageScanFindings",
            "ecr:ListTagsForResource",
        }
    )
    assert not unused, f"the preview role is granted actions nothing uses: {sorted(unused)}"


def test_no_script_reads_a_secret_value() -> None:
    for path in [WORKFLOW, *SCRIPTS.glob("preview-*.sh")]:
        text = path.read_text()
        assert "get-secret-value" not in text and "put-secret-value" not in text, path.name
        assert '--secret-string "file://' in text or "secret-string" not in text, path.name


# --- the scripts against the AWS emulator and a GitHub stand-in -----------------------------------


class GitHubAPI:
    """Loopback stand-in for the pieces of GitHub's REST API the preview scripts use."""

    def __init__(self) -> None:
        self.pulls: dict[int, str] = {}
        self.comments: dict[int, list[dict[str, Any]]] = {}
        self.next_id = 1
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def reply(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def body(self) -> dict[str, Any]:
                data = json.loads(self.rfile.read(int(self.headers["content-length"])))
                assert isinstance(data, dict)
                return data

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                if m := re.fullmatch(r"/repos/o/n/pulls/(\d+)", path):
                    state = api.pulls.get(int(m.group(1)))
                    self.reply(200 if state else 404, {"state": state})
                elif m := re.fullmatch(r"/repos/o/n/issues/(\d+)/comments", path):
                    self.reply(200, api.comments.get(int(m.group(1)), []))
                else:
                    self.reply(404, {})

            def do_POST(self) -> None:
                m = re.fullmatch(r"/repos/o/n/issues/(\d+)/comments", self.path)
                assert m, self.path
                comment = {"id": api.next_id, "body": self.body()["body"]}
                api.next_id += 1
                api.comments.setdefault(int(m.group(1)), []).append(comment)
                self.reply(201, comment)

            def do_PATCH(self) -> None:
                m = re.fullmatch(r"/repos/o/n/issues/comments/(\d+)", self.path)
                assert m, self.path
                for comments in api.comments.values():
                    for comment in comments:
                        if comment["id"] == int(m.group(1)):
                            comment["body"] = self.body()["body"]
                            self.reply(200, comment)
                            return
                self.reply(404, {})

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.env = {
            "GITHUB_API_URL": f"http://127.0.0.1:{self.server.server_address[1]}",
            "GITHUB_REPOSITORY": "o/n",
            "GITHUB_TOKEN": "t",
        }


@pytest.fixture
def github() -> Iterator[GitHubAPI]:
    api = GitHubAPI()
    yield api
    api.server.shutdown()


def test_the_preview_comment_is_one_comment_kept_up_to_date(github: GitHubAPI) -> None:
    run_script("preview-comment.sh", "7", "deployed", "https://pr-7.x", SHA, env=github.env)
    run_script("preview-comment.sh", "7", "deployed", "https://pr-7.x", SHA2, env=github.env)
    (comment,) = github.comments[7]
    assert "https://pr-7.x" in comment["body"] and SHA2[:12] in comment["body"]
    run_script("preview-comment.sh", "7", "stopped", "limit", "5", env=github.env)
    assert len(github.comments[7]) == 2, "a stopped preview is a new comment (its author is told)"
    assert "at most 5 previews" in github.comments[7][1]["body"]
    run_script("preview-comment.sh", "7", "removed", "closed", env=github.env)
    assert "removed" in github.comments[7][0]["body"] and len(github.comments[7]) == 2
    assert "closed" in github.comments[7][0]["body"]


@pytest.fixture(scope="module")
def aws_cli() -> str:
    """The directory of the pinned AWS CLI under .tools (scripts/tools.sh, `make tools`)."""
    found = subprocess.run(
        ["bash", "-c", "source scripts/tools.sh && tool aws"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert found.returncode == 0, f"the pinned AWS CLI could not be installed: {found.stderr}"
    return str(Path(found.stdout.strip()).parent)


@pytest.fixture(scope="module")
def emulator(aws_cli: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """moto with what modules/previews makes: cluster, HTTPS listener, repository, roles."""
    import boto3
    from moto.server import ThreadedMotoServer

    saved = os.environ.get("MOTO_ECS_SERVICE_RUNNING")
    # A service's tasks count as running (moto runs no containers), so deployments complete.
    os.environ["MOTO_ECS_SERVICE_RUNNING"] = "1"
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    env = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_REGION": "eu-west-1",
        "AWS_PAGER": "",
        "PATH": f"{aws_cli}:{os.environ['PATH']}",
    }
    os.environ.pop("AWS_PROFILE", None)

    make: Any = boto3.client  # one call site for every service: not the typed overloads

    def client(name: str) -> Any:
        return make(
            name,
            endpoint_url=endpoint,
            region_name="eu-west-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    ec2, elb, ecs, acm, iam = (client(n) for n in ("ec2", "elbv2", "ecs", "acm", "iam"))
    vpc = ec2.create_vpc(CidrBlock="10.10.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.10.{i}.0/24", AvailabilityZone=f"eu-west-1{z}")[
            "Subnet"
        ]["SubnetId"]
        for i, z in enumerate("ab")
    ]
    sg = ec2.create_security_group(GroupName="tasks", Description="t", VpcId=vpc)["GroupId"]
    lb = elb.create_load_balancer(Name="netflix-clone-dev-previews", Subnets=subnets)
    lb_arn = lb["LoadBalancers"][0]["LoadBalancerArn"]
    cert = acm.request_certificate(DomainName="*.previews.example.com")["CertificateArn"]
    listener = elb.create_listener(
        LoadBalancerArn=lb_arn,
        Protocol="HTTPS",
        Port=443,
        Certificates=[{"CertificateArn": cert}],
        DefaultActions=[
            {
                "Type": "fixed-response",
                "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain"},
            }
        ],
    )["Listeners"][0]["ListenerArn"]
    ecs.create_cluster(clusterName="netflix-clone-dev-previews")
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    roles = {
        kind: iam.create_role(
            RoleName=f"netflix-clone-dev-preview-{kind}", AssumeRolePolicyDocument=trust
        )["Role"]["Arn"]
        for kind in ("execution", "task")
    }
    config = sample_config(
        listener_arn=listener,
        vpc_id=vpc,
        subnets=subnets,
        security_groups=[sg],
        execution_role_arn=roles["execution"],
        task_role_arn=roles["task"],
        max_previews=2,
    )
    path = tmp_path_factory.mktemp("previews") / "config.json"
    path.write_text(json.dumps(config))
    env["PREVIEW_CONFIG_FILE"] = str(path)
    env["PREVIEW_WAIT_SECONDS"] = "60"
    try:
        yield {
            "env": env,
            "config": config,
            "ecs": ecs,
            "elb": elb,
            "secrets": client("secretsmanager"),
            "listener": listener,
        }
    finally:
        server.stop()
        if saved is None:
            os.environ.pop("MOTO_ECS_SERVICE_RUNNING", None)
        else:
            os.environ["MOTO_ECS_SERVICE_RUNNING"] = saved


@pytest.fixture
def previews(emulator: dict[str, Any]) -> dict[str, Any]:
    """The emulator with no preview in it: each test starts from what Terraform leaves, whatever
    an earlier test (in any order, passed or not) left behind."""
    ecs, elb, secrets = emulator["ecs"], emulator["elb"], emulator["secrets"]
    cluster = "netflix-clone-dev-previews"
    for arn in ecs.list_services(cluster=cluster)["serviceArns"]:
        ecs.delete_service(cluster=cluster, service=arn, force=True)
    for rule in elb.describe_rules(ListenerArn=emulator["listener"])["Rules"]:
        if not rule["IsDefault"]:
            elb.delete_rule(RuleArn=rule["RuleArn"])
    for group in elb.describe_target_groups()["TargetGroups"]:
        elb.delete_target_group(TargetGroupArn=group["TargetGroupArn"])
    for secret in secrets.list_secrets()["SecretList"]:
        secrets.delete_secret(SecretId=secret["ARN"], ForceDeleteWithoutRecovery=True)
    for arn in ecs.list_task_definitions(status="ACTIVE")["taskDefinitionArns"]:
        ecs.deregister_task_definition(taskDefinition=arn)
    return emulator


def deploy(emulator: dict[str, Any], n: int, sha: str = SHA) -> str:
    out = run_script(
        "preview-deploy.sh",
        str(n),
        sha,
        image(emulator["config"]["repository_url"]),
        env=emulator["env"],
    ).stdout
    return out.strip()


def teardown(emulator: dict[str, Any], n: int) -> None:
    run_script("preview-teardown.sh", str(n), env=emulator["env"])


def service(emulator: dict[str, Any], n: int) -> dict[str, Any]:
    found = emulator["ecs"].describe_services(
        cluster="netflix-clone-dev-previews", services=[f"pr-{n}"], include=["TAGS"]
    )["services"]
    return dict(found[0]) if found else {"status": "MISSING"}


def rules(emulator: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = emulator["elb"].describe_rules(ListenerArn=emulator["listener"])["Rules"]
    return {r["Priority"]: r for r in found if r["Priority"] != "default"}


def target_groups(emulator: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = emulator["elb"].describe_target_groups()["TargetGroups"]
    return {t["TargetGroupName"]: t for t in found}


def secret_names(emulator: dict[str, Any]) -> set[str]:
    return {s["Name"] for s in emulator["secrets"].list_secrets()["SecretList"]}


def active_revisions(emulator: dict[str, Any], n: int) -> list[str]:
    arns = emulator["ecs"].list_task_definitions(
        familyPrefix=f"netflix-clone-dev-pr-{n}", status="ACTIVE"
    )["taskDefinitionArns"]
    return [a for a in arns if re.search(rf"/netflix-clone-dev-pr-{n}:\d+$", a)]


@pytest.mark.timeout(900)  # AWS CLI calls, seconds each on a loaded machine
def test_deploy_then_push_then_close(previews: dict[str, Any]) -> None:
    url = deploy(previews, 41)
    assert url == "https://pr-41.previews.example.com"

    svc = service(previews, 41)
    assert svc["status"] == "ACTIVE" and svc["desiredCount"] == 1
    tags = {t["key"]: t["value"] for t in svc["tags"]}
    assert tags["preview"] == "pr-41" and tags["commit"] == SHA and int(tags["last-deployed"]) > 0
    network = svc["networkConfiguration"]["awsvpcConfiguration"]
    assert network["assignPublicIp"] == "DISABLED"
    assert network["subnets"] == previews["config"]["subnets"]
    assert network["securityGroups"] == previews["config"]["security_groups"]
    (balancer,) = svc["loadBalancers"]
    tg = target_groups(previews)["netflix-clone-dev-pr-41"]
    assert balancer == {
        "targetGroupArn": tg["TargetGroupArn"],
        "containerName": "web",
        "containerPort": 8000,
    }
    assert tg["HealthCheckPath"] == "/readyz" and tg["TargetType"] == "ip"

    rule = rules(previews)["41"]
    assert rule["Conditions"][0]["HostHeaderConfig"]["Values"] == ["pr-41.previews.example.com"]
    assert rule["Actions"][0]["TargetGroupArn"] == tg["TargetGroupArn"]

    (first,) = active_revisions(previews, 41)
    registered = previews["ecs"].describe_task_definition(taskDefinition=first)["taskDefinition"]
    web = registered["containerDefinitions"][1]
    assert web["readonlyRootFilesystem"] is True and web["user"] == "10001:10001"
    (secret_ref,) = web["secrets"]
    secret = previews["secrets"].describe_secret(SecretId=secret_ref["valueFrom"])
    assert secret["Name"] == "netflix-clone/dev/previews/pr-41/secret-key"
    assert {t["Key"]: t["Value"] for t in secret["Tags"]}["preview"] == "pr-41"
    value = previews["secrets"].get_secret_value(SecretId=secret["ARN"])["SecretString"]
    assert re.fullmatch(r"[0-9a-f]{64}", value), "a fresh 256-bit SECRET_KEY"
    assert value not in json.dumps(registered)

    # A push: a new revision on the same service, the same secret (sessions survive).
    assert deploy(previews, 41, SHA2) == url
    (second,) = active_revisions(previews, 41)
    assert second != first, "the previous revision is retired"
    svc = service(previews, 41)
    assert svc["taskDefinition"] == second
    assert {t["key"]: t["value"] for t in svc["tags"]}["commit"] == SHA2
    assert previews["secrets"].get_secret_value(SecretId=secret["ARN"])["SecretString"] == value
    assert len(rules(previews)) == 1

    teardown(previews, 41)
    assert service(previews, 41)["status"] != "ACTIVE"
    assert "41" not in rules(previews)
    assert "netflix-clone-dev-pr-41" not in target_groups(previews)
    assert active_revisions(previews, 41) == []
    assert "netflix-clone/dev/previews/pr-41/secret-key" not in secret_names(previews)
    teardown(previews, 41)  # idempotent: a second close finds nothing to do


def fabricate(emulator: dict[str, Any], n: int, last_deployed: int) -> None:
    """A running preview as preview-deploy.sh leaves it (test_deploy_then_push_then_close runs
    the script itself), made directly: the AWS CLI costs seconds a call here."""
    tags = [{"Key": "preview", "Value": f"pr-{n}"}]
    elb, config = emulator["elb"], emulator["config"]
    tg = elb.create_target_group(
        Name=f"netflix-clone-dev-pr-{n}",
        Protocol="HTTP",
        Port=8000,
        VpcId=config["vpc_id"],
        TargetType="ip",
        Tags=tags,
    )["TargetGroups"][0]["TargetGroupArn"]
    elb.create_rule(
        ListenerArn=emulator["listener"],
        Priority=n,
        Conditions=[
            {
                "Field": "host-header",
                "HostHeaderConfig": {"Values": [f"pr-{n}.previews.example.com"]},
            }
        ],
        Actions=[{"Type": "forward", "TargetGroupArn": tg}],
        Tags=tags,
    )
    emulator["secrets"].create_secret(
        Name=f"netflix-clone/dev/previews/pr-{n}/secret-key", SecretString="f" * 64, Tags=tags
    )
    td = emulator["ecs"].register_task_definition(
        family=f"netflix-clone-dev-pr-{n}",
        containerDefinitions=[{"name": "web", "image": "x", "memory": 512}],
        tags=[{"key": "preview", "value": f"pr-{n}"}],
    )["taskDefinition"]["taskDefinitionArn"]
    emulator["ecs"].create_service(
        cluster="netflix-clone-dev-previews",
        serviceName=f"pr-{n}",
        taskDefinition=td,
        desiredCount=1,
        loadBalancers=[{"targetGroupArn": tg, "containerName": "web", "containerPort": 8000}],
        tags=[
            {"key": "preview", "value": f"pr-{n}"},
            {"key": "last-deployed", "value": str(last_deployed)},
        ],
    )


def gone(emulator: dict[str, Any], n: int) -> bool:
    return (
        service(emulator, n)["status"] != "ACTIVE"
        and str(n) not in rules(emulator)
        and f"netflix-clone-dev-pr-{n}" not in target_groups(emulator)
        and active_revisions(emulator, n) == []
        and f"netflix-clone/dev/previews/pr-{n}/secret-key" not in secret_names(emulator)
    )


@pytest.mark.timeout(900)  # AWS CLI calls, seconds each on a loaded machine
def test_the_least_recently_deployed_preview_makes_room(previews: dict[str, Any]) -> None:
    fabricate(previews, 51, last_deployed=2_000_000_000)
    fabricate(previews, 52, last_deployed=1_000_000_000)
    # Already running: no room needed.
    assert run_script("preview-limit.sh", "51", env=previews["env"]).stdout == ""
    # A third one with max_previews = 2: pr-52, deployed longest ago, goes.
    assert run_script("preview-limit.sh", "53", env=previews["env"]).stdout.split() == ["52"]
    assert gone(previews, 52)
    assert service(previews, 51)["status"] == "ACTIVE" and "51" in rules(previews)
    teardown(previews, 51)
    assert gone(previews, 51)


@pytest.mark.timeout(900)  # AWS CLI calls, seconds each on a loaded machine
def test_the_daily_cleanup(previews: dict[str, Any], github: GitHubAPI) -> None:
    now = 2_000_000_000
    fabricate(previews, 61, last_deployed=now - 4 * 86400)  # idle longer than idle_days (3)
    fabricate(previews, 62, last_deployed=now - 3600)
    fabricate(previews, 63, last_deployed=now - 60)
    github.pulls.update({61: "open", 62: "closed", 63: "open"})
    # A run cancelled after creating the target group and secret of pr-64, before its service.
    previews["elb"].create_target_group(
        Name="netflix-clone-dev-pr-64",
        Protocol="HTTP",
        Port=8000,
        VpcId=previews["config"]["vpc_id"],
        TargetType="ip",
    )
    previews["secrets"].create_secret(
        Name="netflix-clone/dev/previews/pr-64/secret-key", SecretString="x" * 64
    )
    out = run_script(
        "preview-expire.sh", env={**previews["env"], **github.env, "PREVIEW_NOW": str(now)}
    ).stdout
    assert sorted(line.split("\t") for line in out.splitlines()) == [
        ["61", "idle"],
        ["62", "closed"],
        ["64", "orphaned"],
    ]
    assert all(gone(previews, n) for n in (61, 62, 64))
    assert service(previews, 63)["status"] == "ACTIVE" and "63" in rules(previews)
    # No teardown of pr-63 here: the next test's `previews` fixture clears the emulator (with
    # boto3, in-process) and teardown of a fabricated preview has its own test above.


@pytest.mark.timeout(900)  # AWS CLI calls, seconds each on a loaded machine
def test_the_cleanup_stops_when_github_does_not_answer(
    previews: dict[str, Any], github: GitHubAPI
) -> None:
    fabricate(previews, 81, last_deployed=2_000_000_000)
    # The stand-in answers 404 for a pull request it does not know.
    result = run_script(
        "preview-expire.sh",
        env={**previews["env"], **github.env, "PREVIEW_NOW": "2000000100"},
        check=False,
    )
    assert result.returncode != 0 and "cannot read the state of pull request #81" in result.stderr
    assert result.stdout == "" and service(previews, 81)["status"] == "ACTIVE"
    # Left running: the next test's `previews` fixture clears the emulator.


@pytest.mark.timeout(900)  # AWS CLI calls, seconds each on a loaded machine
def test_a_rule_that_is_not_the_previews_is_never_touched(previews: dict[str, Any]) -> None:
    tg = previews["elb"].create_target_group(
        Name="someone-else", Protocol="HTTP", Port=80, VpcId=previews["config"]["vpc_id"]
    )["TargetGroups"][0]["TargetGroupArn"]
    previews["elb"].create_rule(
        ListenerArn=previews["listener"],
        Priority=71,
        Conditions=[{"Field": "host-header", "HostHeaderConfig": {"Values": ["other.example"]}}],
        Actions=[{"Type": "forward", "TargetGroupArn": tg}],
    )
    result = run_script("preview-teardown.sh", "71", env=previews["env"], check=False)
    assert result.returncode != 0 and "refusing to touch it" in result.stderr
    assert "71" in rules(previews)
