"""The GitHub Actions setup keeps the promises docs/branching.md makes.

These read the workflow files as data, so a change that breaks a rule (an unpinned action, a
static AWS key, a rebuild in prod, a deploy job bound to the wrong environment) fails here, on
the developer's machine, before GitHub ever runs it.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.infra

ROOT = Path(__file__).resolve().parents[2]
GITHUB = ROOT / ".github"
WORKFLOWS = GITHUB / "workflows"
CI_RUN = ROOT / ".ci" / "run"
ENVIRONMENTS = ("dev", "uat", "prod")
SHA_PIN = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$")
DOCKER_DIGEST = re.compile(r"^docker://[^@\s]+@sha256:[0-9a-f]{64}$")
VERSION_COMMENT = re.compile(r"#\s*v?\d+\.\d+\.\d+\b")
MAKE_TARGET = re.compile(r"\bmake\s+(?:-[A-Za-z]+\s+)*([a-z0-9][a-z0-9-]*)")


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path} is not a YAML mapping"
    return data


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the bare key `on` as the boolean True.
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    assert isinstance(on, dict)
    return on


def workflow_files() -> list[Path]:
    files = sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])
    assert files, "no workflows found"
    return files


def all_jobs() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path.name, job_id, job)
        for path in workflow_files()
        for job_id, job in load(path)["jobs"].items()
    ]


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps", []))


def run_text(job: dict[str, Any]) -> str:
    return "\n".join(str(step.get("run", "")) for step in steps(job))


def uses(step: dict[str, Any]) -> str:
    return str(step.get("uses", ""))


def action_name(ref: str) -> str:
    return ref.split("@", 1)[0]


@pytest.fixture(scope="module")
def deploy() -> dict[str, Any]:
    return load(WORKFLOWS / "deploy.yml")


@pytest.fixture(scope="module")
def ci() -> dict[str, Any]:
    return load(WORKFLOWS / "ci.yml")


# --- branch -> environment -------------------------------------------------------------------


def test_deploy_runs_only_for_the_three_environment_branches(deploy: dict[str, Any]) -> None:
    on = triggers(deploy)
    assert set(on) <= {"push", "workflow_dispatch"}, f"unexpected deploy triggers: {sorted(on)}"
    assert sorted(on["push"]["branches"]) == sorted(ENVIRONMENTS)
    assert not {"tags", "branches-ignore", "paths"} & set(on["push"])


def test_ci_runs_everywhere_and_cancels_superseded_runs(ci: dict[str, Any]) -> None:
    on = triggers(ci)
    assert {"push", "pull_request"} <= set(on)
    for event in ("push", "pull_request"):
        assert not (on[event] or {}).get("branches"), f"ci must run on {event} to every branch"
    assert ci["concurrency"] == {
        "group": "ci-${{ github.workflow }}-${{ github.ref }}",
        "cancel-in-progress": True,
    }


# --- OIDC and permissions --------------------------------------------------------------------


def test_top_level_permissions_grant_nothing_to_write() -> None:
    for path in workflow_files():
        permissions = load(path).get("permissions", "missing")
        assert permissions in ({}, {"contents": "read"}), f"{path.name}: permissions {permissions}"


# The only write scopes besides id-token, each for one job: the release records which digest it
# released (a commit status the next promotion requires), and the preview jobs comment on pull
# requests (their preview's address, or that it was stopped). The back-merge opens its PRs with
# a GitHub App's token, not GITHUB_TOKEN.
JUSTIFIED_WRITES = {
    ("preview.yml", "deploy"): {"pull-requests"},
    ("preview.yml", "teardown"): {"pull-requests"},
    ("preview.yml", "cleanup"): {"pull-requests"},
    ("release.yml", "release"): {"statuses"},
    ("deploy.yml", "dev"): {"statuses"},
    ("deploy.yml", "uat"): {"statuses"},
    ("deploy.yml", "prod"): {"statuses"},
}
# Variables set per GitHub Environment (docs/branching.md): a job that no Environment binds
# reads them as empty strings.
ENVIRONMENT_VARIABLES = ("AWS_ACCOUNT_ID", "PUBLIC_URL")


def test_environment_variables_only_in_jobs_bound_to_an_environment() -> None:
    for workflow, job_id, job in all_jobs():
        text = yaml.safe_dump(job)
        used = [v for v in ENVIRONMENT_VARIABLES if f"vars.{v} " in text or f"vars.{v}}}" in text]
        if "uses" in job:
            continue  # a call of release.yml, whose job has the environment
        assert not used or "environment" in job, (
            f"{workflow}:{job_id} reads {used} without an Environment: they would be empty"
        )


def test_id_token_only_in_jobs_that_assume_an_aws_role() -> None:
    for workflow, job_id, job in all_jobs():
        assumes_role = any(
            action_name(uses(step)) == "aws-actions/configure-aws-credentials"
            and "role-to-assume" in (step.get("with") or {})
            for step in steps(job)
        )
        permissions = job.get("permissions")
        assert isinstance(permissions, dict), f"{workflow}:{job_id} must state its permissions"
        wants_token = permissions.get("id-token") == "write"
        if "uses" in job:  # a call of release.yml: its job assumes the role
            assumes_role = job["uses"] == "./.github/workflows/release.yml"
        assert wants_token == assumes_role, (
            f"{workflow}:{job_id}: id-token: write must go exactly with role-to-assume"
        )
        widened = {k for k, v in permissions.items() if v == "write" and k != "id-token"}
        allowed = JUSTIFIED_WRITES.get((workflow, job_id), set())
        assert widened <= allowed, f"{workflow}:{job_id} writes {sorted(widened - allowed)}"


def test_no_static_aws_keys_anywhere_under_github() -> None:
    forbidden = re.compile(
        r"AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id|aws-secret-access-key",
        re.IGNORECASE,
    )
    for path in GITHUB.rglob("*"):
        if path.is_file():
            hit = forbidden.search(path.read_text(encoding="utf-8", errors="replace"))
            assert hit is None, f"{path.relative_to(ROOT)} mentions {hit.group(0) if hit else ''}"


# --- supply chain ----------------------------------------------------------------------------


def uses_lines() -> list[tuple[Path, str]]:
    files = [*workflow_files(), *GITHUB.rglob("action.yml"), *GITHUB.rglob("action.yaml")]
    found = []
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.match(r"^\s*(?:-\s+)?uses:\s*(.+)$", line)
            if match:
                found.append((path, match.group(1).strip()))
    assert found
    return found


def test_every_third_party_action_is_pinned_to_a_commit_sha_with_its_version() -> None:
    for path, value in uses_lines():
        ref, _, comment = value.partition("#")
        ref = ref.strip().strip("'\"")
        if ref.startswith("./") or DOCKER_DIGEST.match(ref):
            continue
        assert SHA_PIN.match(ref), f"{path.name}: '{ref}' is not pinned to a 40-hex commit SHA"
        assert VERSION_COMMENT.search("#" + comment), f"{path.name}: '{ref}' lacks '# vX.Y.Z'"


def test_one_version_of_each_action() -> None:
    pins: dict[str, set[str]] = {}
    for _, value in uses_lines():
        ref = value.partition("#")[0].strip()
        if "@" in ref and not ref.startswith(("./", "docker://")):
            pins.setdefault(action_name(ref), set()).add(ref.split("@", 1)[1])
    drifted = {name: shas for name, shas in pins.items() if len(shas) > 1}
    assert not drifted, f"actions pinned to more than one commit: {drifted}"


def test_service_container_images_are_pinned_by_digest() -> None:
    for _workflow, job_id, job in all_jobs():
        for name, service in (job.get("services") or {}).items():
            assert re.search(r"@sha256:[0-9a-f]{64}$", service["image"]), f"{job_id}/{name}"


def test_every_checkout_drops_the_token() -> None:
    checkouts = 0
    for workflow, job_id, job in all_jobs():
        for step in steps(job):
            if action_name(uses(step)) == "actions/checkout":
                checkouts += 1
                assert (step.get("with") or {}).get("persist-credentials") is False, (
                    f"{workflow}:{job_id} checks out with the token left in .git/config"
                )
    assert checkouts >= len(ENVIRONMENTS)


def test_no_untrusted_expression_is_expanded_inside_a_shell_script() -> None:
    for workflow, job_id, job in all_jobs():
        for step in steps(job):
            script = str(step.get("run", ""))
            assert "${{" not in script, f"{workflow}:{job_id}: pass values to run: through env"


def test_dependabot_watches_every_ecosystem_we_pin() -> None:
    config = load(GITHUB / "dependabot.yml")
    ecosystems = {update["package-ecosystem"] for update in config["updates"]}
    assert {"github-actions", "uv", "docker", "terraform"} <= ecosystems
    for update in config["updates"]:
        assert update.get("target-branch") == "dev", "updates enter through dev like any change"


# --- build once, promote the digest ----------------------------------------------------------

BUILD = re.compile(r"\bdocker\s+(?:buildx\s+)?(?:build|push)\b|\bbuildx\b")


def test_promotion_looks_the_image_up_by_commit_tag() -> None:
    lookup = (GITHUB / "scripts" / "ecr-digest.sh").read_text(encoding="utf-8")
    assert "aws ecr describe-images" in lookup
    assert '"imageTag=$tag"' in lookup


@pytest.fixture(scope="module")
def release() -> dict[str, Any]:
    return load(WORKFLOWS / "release.yml")


@pytest.fixture(scope="module")
def infra() -> dict[str, Any]:
    return load(WORKFLOWS / "infra.yml")


def test_one_release_definition_called_once_per_environment(deploy: dict[str, Any]) -> None:
    jobs = deploy["jobs"]
    assert sorted(jobs) == sorted(["build", *ENVIRONMENTS, "back-merge"])
    previous = {"dev": None, "uat": "dev", "prod": "uat"}
    for env in ENVIRONMENTS:
        job = jobs[env]
        assert job["uses"] == "./.github/workflows/release.yml", f"{env} must call release.yml"
        assert job["with"]["environment"] == env
        assert job["with"].get("previous_environment") == previous[env]
        assert f"github.ref_name == '{env}'" in str(job.get("if", "")) or env == "dev"
    assert jobs["dev"]["needs"] == "build"
    assert "github.ref_name == 'dev'" in str(jobs["build"]["if"])
    # No environment job of its own: nothing in deploy.yml besides release.yml touches a cluster.
    assert "kubectl" not in run_text(jobs["build"]) and "terraform" not in run_text(jobs["build"])


def test_releases_run_on_the_environments_own_runner_in_its_vpc(release: dict[str, Any]) -> None:
    (job,) = release["jobs"].values()
    assert job["runs-on"] == (
        "codebuild-netflix-clone-${{ inputs.environment }}-runner"
        "-${{ github.run_id }}-${{ github.run_attempt }}"
    )
    # The CodeBuild project the label names, and the webhook that only takes deploy.yml's jobs.
    main = (ROOT / "infra" / "terraform" / "modules" / "runner" / "main.tf").read_text()
    variables = (ROOT / "infra" / "terraform" / "modules" / "runner" / "variables.tf").read_text()
    assert 'project_name   = "${var.name}-runner"' in main
    assert 'pattern = "WORKFLOW_JOB_QUEUED"' in main
    assert f'default     = "^{deploy_name()}$"' in variables
    environment = job["environment"]
    assert environment["name"] == "${{ inputs.environment }}"
    assert job["concurrency"] == {
        "group": "release-${{ inputs.environment }}",
        "cancel-in-progress": False,
    }


def deploy_name() -> str:
    return str(load(WORKFLOWS / "deploy.yml")["name"])


def test_release_assumes_its_environments_role_and_never_runs_terraform(
    release: dict[str, Any],
) -> None:
    (job,) = release["jobs"].values()
    roles = [
        s["with"]["role-to-assume"]
        for s in steps(job)
        if action_name(uses(s)) == "aws-actions/configure-aws-credentials"
    ]
    assert roles == [
        "arn:aws:iam::${{ vars.AWS_ACCOUNT_ID }}:role/"
        "netflix-clone-deploy-${{ inputs.environment }}"
    ]
    for workflow in ("deploy.yml", "release.yml"):
        text = (WORKFLOWS / workflow).read_text()
        assert not re.search(r"\bterraform (init|plan|apply)\b", text), f"{workflow} runs Terraform"
        assert "hashicorp/setup-terraform" not in text


def test_release_order_promotion_gate_tools_and_record(release: dict[str, Any]) -> None:
    (job,) = release["jobs"].values()
    commands = [str(s.get("run", "")) for s in steps(job)]
    order = [
        '.github/scripts/release-status.sh require "$PREVIOUS_ENV"',
        '.github/scripts/install-kubectl.sh "$KUBECTL_VERSION"',
        'aws eks update-kubeconfig --name "netflix-clone-$DEPLOY_ENV"',
        'deploy/k8s/deploy.sh "$DEPLOY_ENV" "$IMAGE"',
        ".github/scripts/smoke-test.sh",
        '.github/scripts/release-status.sh record "$DEPLOY_ENV"',
        ".github/scripts/k8s-rollback.sh",
    ]
    positions = []
    for wanted in order:
        where = [i for i, command in enumerate(commands) if wanted in command]
        assert len(where) == 1, f"expected one step running {wanted!r}"
        positions.append(where[0])
    assert positions == sorted(positions), "release steps out of order"
    gate = steps(job)[positions[0]]
    assert gate["if"] == "inputs.previous_environment != ''"
    assert str(steps(job)[positions[6]]["if"]).startswith("failure()")
    assert re.fullmatch(r"v1\.\d+\.\d+", release["env"]["KUBECTL_VERSION"])
    install = (GITHUB / "scripts" / "install-kubectl.sh").read_text()
    assert "sha256sum" in install and "PINNED_SHA256" in install


def test_only_the_build_job_builds_for_amd64_with_oci_labels(deploy: dict[str, Any]) -> None:
    build = deploy["jobs"]["build"]
    (step,) = [s for s in steps(build) if action_name(uses(s)) == "docker/build-push-action"]
    assert step["with"]["push"] is True
    assert step["with"]["platforms"] == "linux/amd64"
    assert step["with"]["tags"].endswith(":${{ env.IMAGE_SHA }}")
    labels = dict(line.split("=", 1) for line in step["with"]["labels"].strip().splitlines())
    for key in ("title", "source", "revision", "created", "version", "licenses"):
        assert labels.get(f"org.opencontainers.image.{key}"), f"OCI label {key} missing"
    assert labels["org.opencontainers.image.revision"] == "${{ env.IMAGE_SHA }}"
    assert build["env"]["IMAGE_SHA"] == "${{ inputs.build_sha || github.sha }}"
    release_text = (WORKFLOWS / "release.yml").read_text()
    assert not BUILD.search(release_text) and "docker/" not in release_text


def test_back_merge_after_prod_opens_pull_requests_that_run_ci(deploy: dict[str, Any]) -> None:
    """Pull requests GITHUB_TOKEN opens trigger no workflow, so their required checks would
    never report: a GitHub App's installation token opens them."""
    job = deploy["jobs"]["back-merge"]
    assert job["needs"] == "prod"
    assert job["permissions"] == {}
    (token,) = [s for s in steps(job) if action_name(uses(s)) == "actions/create-github-app-token"]
    assert token["with"]["client-id"] == "${{ vars.BACK_MERGE_APP_CLIENT_ID }}"
    assert token["with"]["private-key"] == "${{ secrets.BACK_MERGE_APP_PRIVATE_KEY }}"
    assert token["with"]["permission-pull-requests"] == "write"
    assert token["with"]["permission-contents"] == "read"
    (opener,) = [s for s in steps(job) if "gh pr create" in str(s.get("run", ""))]
    assert opener["env"]["GH_TOKEN"] == f"${{{{ steps.{token['id']}.outputs.token }}}}"
    assert "github.token" not in yaml.safe_dump(job)
    script = run_text(job)
    assert "for pair in uat:prod dev:uat" in script
    assert "gh pr create --base" in script


def test_infra_plans_pull_requests_read_only_and_applies_on_merge(infra: dict[str, Any]) -> None:
    on = triggers(infra)
    assert set(on) == {"pull_request", "push"}
    for event in on:
        assert sorted(on[event]["branches"]) == sorted(ENVIRONMENTS)
        assert "infra/terraform/**" in on[event]["paths"]
    plan, apply = infra["jobs"]["plan"], infra["jobs"]["apply"]
    assert "environment" not in plan, "a plan must not wait for reviewers"
    assert plan["permissions"] == {"contents": "read", "id-token": "write"}
    # Without an Environment the account comes from the repository variable.
    assert plan["env"]["ACCOUNT_ID"] == (
        "${{ fromJSON(vars.AWS_ACCOUNT_IDS || '{}')[github.base_ref] }}"
    )
    (role,) = [
        s["with"]["role-to-assume"]
        for s in steps(plan)
        if "role-to-assume" in (s.get("with") or {})
    ]
    assert (
        role == "arn:aws:iam::${{ env.ACCOUNT_ID }}:role/netflix-clone-plan-${{ github.base_ref }}"
    )
    # The reviewed plan travels as an artifact of this run, never through a bucket.
    (upload,) = [s for s in steps(plan) if action_name(uses(s)) == "actions/upload-artifact"]
    assert upload["with"]["name"].startswith("reviewed-plan-${{ github.base_ref }}-")
    assert apply["environment"]["name"] == "${{ github.ref_name }}"
    assert apply["permissions"]["actions"] == "read"
    (role,) = [
        s["with"]["role-to-assume"]
        for s in steps(apply)
        if "role-to-assume" in (s.get("with") or {})
    ]
    assert role.endswith(":role/netflix-clone-deploy-${{ github.ref_name }}")
    assert apply["concurrency"]["cancel-in-progress"] is False
    assert 'gh run download "$run_id" --name "$artifact"' in run_text(apply)
    plan_script = (GITHUB / "scripts" / "terraform-plan.sh").read_text()
    assert "plan -input=false -lock=false -out=tfplan" in plan_script
    assert '>>"${GITHUB_STEP_SUMMARY' in plan_script
    assert "aws s3" not in plan_script, "the plan role writes nothing"


# --- release records and the promotion gate ---------------------------------------------------


class _StatusAPI:
    """A loopback stand-in for GitHub's commit-status API."""

    def __init__(self, statuses: list[dict[str, Any]]) -> None:
        import http.server
        import threading

        self.statuses = statuses
        self.posted: list[dict[str, Any]] = []
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                body = json.dumps(api.statuses).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                length = int(self.headers["content-length"])
                api.posted.append({"path": self.path, **json.loads(self.rfile.read(length))})
                self.send_response(201)
                self.end_headers()
                self.wfile.write(b"{}")

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "GITHUB_API_URL": self.url,
            "GITHUB_REPOSITORY": "example-org/netflix-clone",
            "GITHUB_TOKEN": "t",
        }
        return subprocess.run(
            ["bash", str(GITHUB / "scripts" / "release-status.sh"), *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )


SHA = "a" * 40
DIGEST = "sha256:" + "b" * 64


def test_release_records_the_digest_on_the_source_commit() -> None:
    api = _StatusAPI([])
    result = api.run("record", "dev", SHA, DIGEST)
    assert result.returncode == 0, result.stderr
    assert api.posted == [
        {
            "path": f"/repos/example-org/netflix-clone/statuses/{SHA}",
            "state": "success",
            "context": "release/dev",
            "description": f"released {DIGEST}",
        }
    ]


@pytest.mark.parametrize(
    ("statuses", "allowed"),
    [
        (
            [{"context": "release/dev", "state": "success", "description": f"released {DIGEST}"}],
            True,
        ),
        ([], False),
        (
            [{"context": "release/dev", "state": "failure", "description": f"released {DIGEST}"}],
            False,
        ),
        (
            [
                {
                    "context": "release/dev",
                    "state": "success",
                    "description": "released sha256:" + "c" * 64,
                }
            ],
            False,
        ),
        (
            [{"context": "release/uat", "state": "success", "description": f"released {DIGEST}"}],
            False,
        ),
        # the newest status of the context decides
        (
            [
                {"context": "release/dev", "state": "failure", "description": f"released {DIGEST}"},
                {"context": "release/dev", "state": "success", "description": f"released {DIGEST}"},
            ],
            False,
        ),
    ],
)
def test_promotion_requires_the_previous_environments_release_of_the_same_digest(
    statuses: list[dict[str, Any]], allowed: bool
) -> None:
    result = _StatusAPI(statuses).run("require", "dev", SHA, DIGEST)
    assert (result.returncode == 0) == allowed, result.stdout + result.stderr


# --- the reviewed plan, applied only when a fresh plan equals it ---------------------------


def plan_json(*changes: tuple[str, list[str], Any], outputs: dict[str, Any] | None = None) -> str:
    """A `terraform show -json` of a plan making these (address, actions, after) changes."""
    return json.dumps(
        {
            "format_version": "1.2",
            "timestamp": "2026-12-07T10:00:00Z",
            "resource_changes": [
                {
                    "address": address,
                    "change": {
                        "actions": actions,
                        "before": None,
                        "after": after,
                        "after_unknown": {},
                    },
                }
                for address, actions, after in changes
            ],
            "output_changes": outputs or {},
        }
    )


REVIEWED = plan_json(
    ("aws_vpc.this", ["no-op"], {"cidr_block": "10.20.0.0/16"}),
    ("aws_iam_role.app", ["update"], {"name": "netflix-clone-app-uat", "tags": {"a": "1"}}),
    ("aws_eks_addon.metrics_server", ["create"], {"addon_name": "metrics-server"}),
)

FAKE_TOOL = """#!/usr/bin/env bash
# terraform and aws for the plan and apply scripts: records calls; `terraform show -json` prints
# the plan JSON named by FAKE_PLAN.
echo "$(basename "$0") $*" >>"$FAKE_LOG"
if [[ "$(basename "$0")" == terraform && "$*" == *" show -json "* ]]; then
  cat "$FAKE_PLAN"
fi
if [[ "$(basename "$0")" == terraform && "$*" == *" show -no-color "* ]]; then
  echo "Plan: 1 to add, 1 to change, 0 to destroy."
fi
exit 0
"""


def digest_of(tmp_path: Path, plan: str) -> str:
    bindir = tmp_path / "digest-bin"
    bindir.mkdir(exist_ok=True)
    (bindir / "terraform").write_text(FAKE_TOOL)
    (bindir / "terraform").chmod(0o755)
    (tmp_path / "digest-plan.json").write_text(plan)
    result = subprocess.run(
        ["bash", str(GITHUB / "scripts" / "terraform-plan-digest.sh"), "x", "tfplan"],
        env={
            **os.environ,
            "PATH": f"{bindir}:{os.environ['PATH']}",
            "FAKE_LOG": str(tmp_path / "digest-log"),
            "FAKE_PLAN": str(tmp_path / "digest-plan.json"),
        },
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return result.stdout.strip()


def test_the_digest_is_of_what_the_plan_changes(tmp_path: Path) -> None:
    reviewed = digest_of(tmp_path, REVIEWED)
    assert re.fullmatch(r"[0-9a-f]{64}", reviewed)
    # Same changes in another order, without the no-op, another timestamp: the same plan.
    reordered = json.loads(REVIEWED)
    reordered["resource_changes"] = [
        c for c in reversed(reordered["resource_changes"]) if c["change"]["actions"] != ["no-op"]
    ]
    reordered["timestamp"] = "2026-12-08T10:00:00Z"
    assert digest_of(tmp_path, json.dumps(reordered)) == reviewed
    # Anything the apply would do differently is another plan.
    other_value = REVIEWED.replace('"a": "1"', '"a": "2"')
    other_action = REVIEWED.replace('["create"]', '["delete", "create"]')
    extra = plan_json(
        *[
            (c["address"], c["change"]["actions"], c["change"]["after"])
            for c in json.loads(REVIEWED)["resource_changes"]
        ],
        ("aws_route53_record.public", ["create"], {"name": "api.uat.example.com"}),
    )
    digests = {digest_of(tmp_path, p) for p in (other_value, other_action, extra)}
    assert reviewed not in digests and len(digests) == 3


def apply_repo(tmp_path: Path) -> tuple[Path, str, dict[str, str]]:
    repo = tmp_path / "repo"
    env_dir = repo / "infra" / "terraform" / "envs" / "uat"
    env_dir.mkdir(parents=True)
    (env_dir / "backend.hcl").write_text('bucket = "state-bucket"\n')
    git(repo, "init", "-q", "-b", "uat")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "c")
    tree = git(repo, "rev-parse", "HEAD^{tree}")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for tool in ("aws", "terraform"):
        (bindir / tool).write_text(FAKE_TOOL)
        (bindir / tool).chmod(0o755)
    (tmp_path / "plan.json").write_text(REVIEWED)
    env = {
        **os.environ,
        "PATH": f"{bindir}:{os.environ['PATH']}",
        "FAKE_LOG": str(tmp_path / "log"),
        "FAKE_PLAN": str(tmp_path / "plan.json"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
    }
    return repo, tree, env


def reviewed_plan(tmp_path: Path, tree: str, **fields: str) -> Path:
    values = {
        "environment": "uat",
        "pr": "7",
        "head": SHA,
        "tree": tree,
        "digest": digest_of(tmp_path, REVIEWED),
    }
    values.update(fields)
    path = tmp_path / "reviewed-plan"
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    return path


def run_apply(
    repo: Path, env: dict[str, str], tree: str, reviewed: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            "bash",
            str(GITHUB / "scripts" / "terraform-apply.sh"),
            "uat",
            "7",
            SHA,
            tree,
            str(reviewed),
        ],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def terraform_calls(tmp_path: Path) -> list[str]:
    log = tmp_path / "log"
    return (
        [c for c in log.read_text().splitlines() if c.startswith("terraform")]
        if log.exists()
        else []
    )


def test_plan_keeps_the_reviewed_digest_and_writes_no_bucket(tmp_path: Path) -> None:
    repo, tree, env = apply_repo(tmp_path)
    out = tmp_path / "out"
    result = subprocess.run(
        ["bash", str(GITHUB / "scripts" / "terraform-plan.sh"), "uat", "7", SHA, str(out)],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    saved = dict(line.split("=", 1) for line in (out / "reviewed-plan").read_text().splitlines())
    assert saved == {
        "environment": "uat",
        "pr": "7",
        "head": SHA,
        "tree": tree,
        "digest": digest_of(tmp_path, REVIEWED),
    }
    calls = (tmp_path / "log").read_text().splitlines()
    assert (
        "terraform -chdir=infra/terraform/envs/uat plan -input=false -lock=false -out=tfplan"
        in calls
    )
    assert not [c for c in calls if c.startswith("aws")], "the plan role writes nothing"
    assert saved["digest"] in (tmp_path / "summary").read_text()


def test_apply_plans_again_and_applies_the_plan_equal_to_the_reviewed_one(tmp_path: Path) -> None:
    repo, tree, env = apply_repo(tmp_path)
    result = run_apply(repo, env, tree, reviewed_plan(tmp_path, tree))
    assert result.returncode == 0, result.stderr
    calls = terraform_calls(tmp_path)
    plan = calls.index("terraform -chdir=infra/terraform/envs/uat plan -input=false -out=tfplan")
    apply = calls.index("terraform -chdir=infra/terraform/envs/uat apply -input=false tfplan")
    assert plan < apply, "the apply applies the plan it made, with the lock, inside the Environment"
    assert not [c for c in (tmp_path / "log").read_text().splitlines() if c.startswith("aws")]


def test_apply_refuses_when_the_state_moved_since_the_review(tmp_path: Path) -> None:
    repo, tree, env = apply_repo(tmp_path)
    reviewed = reviewed_plan(tmp_path, tree)
    (tmp_path / "plan.json").write_text(REVIEWED.replace('"a": "1"', '"a": "2"'))
    result = run_apply(repo, env, tree, reviewed)
    assert result.returncode != 0
    assert "is not the one reviewed in #7" in result.stderr
    assert not [c for c in terraform_calls(tmp_path) if " apply " in c]


@pytest.mark.parametrize(
    "fields", [{"environment": "prod"}, {"pr": "8"}, {"head": "c" * 40}, {"digest": "not-one"}]
)
def test_apply_refuses_a_reviewed_plan_of_something_else(
    tmp_path: Path, fields: dict[str, str]
) -> None:
    repo, tree, env = apply_repo(tmp_path)
    result = run_apply(repo, env, tree, reviewed_plan(tmp_path, tree, **fields))
    assert result.returncode != 0
    assert terraform_calls(tmp_path) == [], "nothing may be planned or applied"


def test_apply_refuses_a_plan_of_other_code(tmp_path: Path) -> None:
    repo, tree, env = apply_repo(tmp_path)
    result = run_apply(repo, env, "f" * 40, reviewed_plan(tmp_path, tree))
    assert result.returncode != 0
    assert "stale plan" in result.stderr
    assert terraform_calls(tmp_path) == []


def test_apply_refuses_without_a_reviewed_plan(tmp_path: Path) -> None:
    repo, tree, env = apply_repo(tmp_path)
    result = run_apply(repo, env, tree, tmp_path / "missing")
    assert result.returncode != 0
    assert "no reviewed plan" in result.stderr
    assert terraform_calls(tmp_path) == []


# --- the smoke test reaches the new load balancer before its public name does --------------

FAKE_SMOKE_KUBECTL = """#!/usr/bin/env bash
case "$*" in
  *"{.spec.rules[0].host}"*) printf '%s' "$FAKE_HOST" ;;
  *"hostname}"*) printf '%s' "$FAKE_ALB" ;;
esac
"""
FAKE_CURL = """#!/usr/bin/env bash
echo "$*" >>"$FAKE_LOG"
out=""
while [[ $# -gt 0 ]]; do [[ $1 == -o ]] && out=$2; shift; done
echo '{"status": "ok"}' >"$out"
"""


def smoke(tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for name, text in (("kubectl", FAKE_SMOKE_KUBECTL), ("curl", FAKE_CURL)):
        (bindir / name).write_text(text)
        (bindir / name).chmod(0o755)
    log = tmp_path / "curl-log"
    result = subprocess.run(
        ["bash", str(GITHUB / "scripts" / "smoke-test.sh"), "netflix-clone-uat"],
        env={
            **{
                k: v
                for k, v in os.environ.items()
                if k not in ("PUBLIC_URL", "GITHUB_STEP_SUMMARY")
            },
            "PATH": f"{bindir}:{os.environ['PATH']}",
            "FAKE_LOG": str(log),
            "FAKE_HOST": "api.uat.example.com",
            "FAKE_ALB": "k8s-netflixc-0a1b2c-123.eu-west-1.elb.amazonaws.com",
            "POLL_SECONDS": "0",
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    return result, log.read_text().splitlines() if log.exists() else []


def test_smoke_test_goes_through_the_load_balancer_with_the_public_host_as_tls_name(
    tmp_path: Path,
) -> None:
    result, calls = smoke(tmp_path, PUBLIC_URL="https://api.uat.example.com")
    assert result.returncode == 0, result.stderr
    assert len(calls) == 2
    for call, path in zip(calls, ("/readyz", "/api/movies?list=popular"), strict=True):
        alb = "k8s-netflixc-0a1b2c-123.eu-west-1.elb.amazonaws.com"
        assert f"--connect-to api.uat.example.com:443:{alb}:443" in call
        assert call.endswith(f"https://api.uat.example.com{path}")
        assert "--insecure" not in call and " -k " not in call


def test_smoke_test_refuses_a_public_url_the_ingress_does_not_serve(tmp_path: Path) -> None:
    result, calls = smoke(tmp_path, PUBLIC_URL="https://api.prod.example.com")
    assert result.returncode != 0
    assert "is not the host the Ingress serves" in result.stderr
    assert calls == []


def test_smoke_test_fails_when_no_load_balancer_appears(tmp_path: Path) -> None:
    result, calls = smoke(tmp_path, FAKE_ALB="", LB_TIMEOUT="0")
    assert result.returncode != 0
    assert "got no load balancer" in result.stderr
    assert calls == []


# --- CI, .ci/run and the README call the same targets ----------------------------------------


def ci_make_targets(ci: dict[str, Any]) -> set[str]:
    targets = {t for job in ci["jobs"].values() for t in MAKE_TARGET.findall(run_text(job))}
    assert targets, "ci.yml calls no make target"
    return targets


def makefile() -> tuple[dict[str, set[str]], dict[str, list[str]]]:
    """(target -> targets it runs: prerequisites and `$(MAKE) x`, target -> recipe lines)."""
    graph: dict[str, set[str]] = {}
    recipes: dict[str, list[str]] = {}
    current = None
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
        rule = re.match(r"^([a-z0-9][a-z0-9-]*)\s*:(?!=)([^#]*)", line)
        if rule:
            current = rule.group(1)
            graph.setdefault(current, set()).update(
                d for d in rule.group(2).split() if re.fullmatch(r"[a-z0-9][a-z0-9-]*", d)
            )
            recipes.setdefault(current, [])
        elif line.startswith("\t") and current:
            graph[current].update(re.findall(r"\$\(MAKE\)\s+([a-z0-9][a-z0-9-]*)", line))
            recipes[current].append(line.strip())
        elif line.strip() and not line.startswith("\t"):
            current = None
    return graph, recipes


def makefile_graph() -> dict[str, set[str]]:
    return makefile()[0]


def run_by_the_test_suite(target: str) -> bool:
    """True when `make test` (all of tests/) already does what `make <target>` does: its recipe
    runs pytest on files under tests/, or runs scripts that a test under tests/ runs."""
    recipe = makefile()[1].get(target, [])
    if not recipe:
        return False
    test_sources = "\n".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("*.py") if p.is_file()
    )
    for line in recipe:
        if re.search(r"\bpytest\b", line) and re.search(r"(^|\s)tests/", line):
            continue
        scripts = re.findall(r"scripts/([\w.-]+\.sh)", line)
        if scripts and all(name in test_sources for name in scripts):
            continue
        return False
    return True


def reachable(roots: set[str], graph: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        target = todo.pop()
        if target not in seen:
            seen.add(target)
            todo.extend(graph.get(target, ()))
    return seen


def test_ci_run_exists() -> None:
    assert CI_RUN.is_file(), (
        ".ci/run does not exist yet: the lead owns it; GitHub's ci.yml and .ci/run must call the "
        "same make targets, which the next tests check once it is there"
    )


def test_every_target_ci_calls_is_run_by_ci_run(ci: dict[str, Any]) -> None:
    if not CI_RUN.is_file():
        pytest.fail(".ci/run is missing (see test_ci_run_exists)")
    local = set(MAKE_TARGET.findall(CI_RUN.read_text(encoding="utf-8")))
    covered = reachable(local, makefile_graph())
    if "test" in covered:
        covered |= {t for t in ci_make_targets(ci) if run_by_the_test_suite(t)}
    missing = ci_make_targets(ci) - covered
    assert not missing, f"GitHub CI runs make {sorted(missing)}, which .ci/run never reaches"


def test_every_target_ci_run_calls_runs_in_github(ci: dict[str, Any]) -> None:
    if not CI_RUN.is_file():
        pytest.fail(".ci/run is missing (see test_ci_run_exists)")
    local = set(MAKE_TARGET.findall(CI_RUN.read_text(encoding="utf-8")))
    missing = local - ci_make_targets(ci) - {"services", "help"}
    assert not missing, f".ci/run runs make {sorted(missing)}, which GitHub CI never calls"


def test_the_readme_documents_the_targets_ci_calls(ci: dict[str, Any]) -> None:
    readme = ROOT / "README.md"
    if not readme.is_file():
        pytest.fail("README.md is missing")
    documented = set(MAKE_TARGET.findall(readme.read_text(encoding="utf-8")))
    missing = ci_make_targets(ci) - documented
    assert not missing, f"README.md never mentions make {sorted(missing)}"


def test_the_make_targets_ci_calls_exist(ci: dict[str, Any]) -> None:
    missing = ci_make_targets(ci) - set(makefile_graph())
    assert not missing, f"ci.yml calls make targets the Makefile lacks: {sorted(missing)}"


# --- repository settings script --------------------------------------------------------------


def dry_run_requests(**extra: str) -> list[tuple[str, str, Any]]:
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "github-branch-protection.sh")],
        env={
            **os.environ,
            "DRY_RUN": "1",
            "REPO": "acme/netflix-clone",
            "UAT_REVIEWERS": "team:platform",
            "PROD_REVIEWERS": "team:platform,user:alice",
            **extra,
        },
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    requests: list[tuple[str, str, Any]] = []
    lines = result.stdout.splitlines()
    i = 0
    while i < len(lines):
        method, path = lines[i].split(" ", 1)
        i += 1
        body_lines = []
        while i < len(lines) and not re.match(r"^(GET|POST|PUT|PATCH|DELETE) ", lines[i]):
            body_lines.append(lines[i])
            i += 1
        body = json.loads("\n".join(body_lines)) if body_lines else None
        requests.append((method, path, body))
    return requests


def test_branch_rulesets_require_every_ci_job(ci: dict[str, Any]) -> None:
    ci_checks = {job.get("name", job_id) for job_id, job in ci["jobs"].items()}
    rulesets = {
        body["name"]: body
        for method, path, body in dry_run_requests()
        if path.endswith("/rulesets")
    }
    assert sorted(rulesets) == sorted(ENVIRONMENTS)
    for branch, body in rulesets.items():
        assert body["conditions"]["ref_name"]["include"] == [f"refs/heads/{branch}"]
        rules = {rule["type"]: rule.get("parameters") for rule in body["rules"]}
        assert {"deletion", "non_fast_forward", "pull_request", "required_status_checks"} <= set(
            rules
        )
        assert rules["pull_request"]["required_approving_review_count"] >= 1
        contexts = {c["context"] for c in rules["required_status_checks"]["required_status_checks"]}
        expected = ci_checks if branch != "dev" else ci_checks - {"promotion"}
        assert contexts == expected, f"{branch}: required checks differ from ci.yml's jobs"
        if branch != "dev":
            # A merge commit of an up-to-date branch has exactly the tree dev built.
            assert rules["pull_request"]["allowed_merge_methods"] == ["merge"]
            assert rules["required_status_checks"]["strict_required_status_checks_policy"] is True


def test_github_token_opens_no_pull_requests_and_the_back_merge_app_is_stored(
    tmp_path: Path,
) -> None:
    key = tmp_path / "app.pem"
    key.write_text("-----BEGIN PRIVATE KEY-----\n")
    accounts = {"dev": "111111111111", "uat": "222222222222", "prod": "333333333333"}
    requests = dry_run_requests(
        AWS_ACCOUNT_IDS=json.dumps(accounts),
        BACK_MERGE_APP_CLIENT_ID="Iv23liExample",
        BACK_MERGE_APP_KEY_FILE=str(key),
    )
    settings = {p: b for m, p, b in requests}
    assert settings["repos/acme/netflix-clone/actions/permissions/workflow"] == {
        "default_workflow_permissions": "read",
        "can_approve_pull_request_reviews": False,
    }
    variables = {(p, b["name"]): b["value"] for m, p, b in requests if p.endswith("/variables")}
    repo_vars = "repos/acme/netflix-clone/actions/variables"
    app_env = "repos/acme/netflix-clone/environments/back-merge"
    assert json.loads(variables[(repo_vars, "AWS_ACCOUNT_IDS")]) == accounts
    assert variables[(f"{app_env}/variables", "BACK_MERGE_APP_CLIENT_ID")] == "Iv23liExample"
    # The key goes to a secret of the back-merge Environment, which only prod may use (gh
    # encrypts it from the file; it is never a request body).
    assert settings[f"{app_env}/secrets/BACK_MERGE_APP_PRIVATE_KEY"] == {
        "value_from_file": str(key)
    }
    policies = [
        b for m, p, b in requests if m == "POST" and p == f"{app_env}/deployment-branch-policies"
    ]
    assert policies == [{"name": "prod", "type": "branch"}]
    job = load(WORKFLOWS / "deploy.yml")["jobs"]["back-merge"]
    assert job["environment"] == {"name": "back-merge"}
    # The workflows read exactly these names.
    deploy_text = (WORKFLOWS / "deploy.yml").read_text()
    assert "vars.BACK_MERGE_APP_CLIENT_ID" in deploy_text
    assert "secrets.BACK_MERGE_APP_PRIVATE_KEY" in deploy_text
    assert "vars.AWS_ACCOUNT_IDS" in (WORKFLOWS / "infra.yml").read_text()


def test_a_malformed_account_map_is_refused() -> None:
    with pytest.raises(subprocess.CalledProcessError):
        dry_run_requests(AWS_ACCOUNT_IDS='{"dev": "12345"}')


def test_environments_deploy_only_their_branch_and_gate_uat_and_prod() -> None:
    requests = dry_run_requests()
    for env in ENVIRONMENTS:
        (settings,) = [
            b for m, p, b in requests if m == "PUT" and p.endswith(f"/environments/{env}")
        ]
        assert settings["deployment_branch_policy"] == {
            "protected_branches": False,
            "custom_branch_policies": True,
        }
        assert bool(settings["reviewers"]) == (env != "dev"), f"{env} reviewers"
        if env != "dev":
            assert settings["prevent_self_review"] is True
        policies = [
            b
            for m, p, b in requests
            if m == "POST" and p.endswith(f"/{env}/deployment-branch-policies")
        ]
        assert policies == [{"name": env, "type": "branch"}]


# --- the image lookup used by uat and prod ---------------------------------------------------


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    return subprocess.run(
        ["git", "-C", str(repo), *args], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture
def promotion_repo(tmp_path: Path) -> dict[str, Any]:
    """dev -> uat -> prod by merge commits; a fake `aws` knows images for the given tags."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "prod")
    (repo / "app.txt").write_text("v1\n")
    git(repo, "add", "app.txt")
    git(repo, "commit", "-q", "-m", "v1")
    git(repo, "branch", "uat")
    git(repo, "branch", "dev")
    git(repo, "switch", "-q", "dev")
    (repo / "app.txt").write_text("v2\n")
    git(repo, "commit", "-q", "-am", "v2")
    dev_sha = git(repo, "rev-parse", "HEAD")
    git(repo, "switch", "-q", "uat")
    git(repo, "merge", "-q", "--no-ff", "-m", "promote dev", "dev")
    git(repo, "switch", "-q", "prod")
    git(repo, "merge", "-q", "--no-ff", "-m", "promote uat", "uat")

    images = tmp_path / "images.json"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_aws = bin_dir / "aws"
    fake_aws.write_text(
        textwrap.dedent(
            f"""\
            #!/usr/bin/env python3
            import json, sys
            args = sys.argv[1:]
            images = json.load(open({str(images)!r}))
            if images.get("error"):
                sys.stderr.write(images["error"] + "\\n")
                sys.exit(254)
            tag = args[args.index("--image-ids") + 1].split("=", 1)[1]
            if tag not in images:
                sys.stderr.write("An error occurred (ImageNotFoundException) when calling the "
                                 "DescribeImages operation: no image\\n")
                sys.exit(254)
            print(images[tag])
            """
        )
    )
    fake_aws.chmod(fake_aws.stat().st_mode | stat.S_IEXEC)
    return {
        "repo": repo,
        "images": images,
        "path": f"{bin_dir}:{os.environ['PATH']}",
        "dev": dev_sha,
    }


def resolve(setup: dict[str, Any], images: dict[str, str]) -> subprocess.CompletedProcess[str]:
    setup["images"].write_text(json.dumps(images))
    return subprocess.run(
        ["bash", str(GITHUB / "scripts" / "resolve-image.sh")],
        cwd=setup["repo"],
        check=False,
        env={**os.environ, "PATH": setup["path"], "ECR_REPOSITORY": "netflix-clone"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_prod_finds_the_digest_dev_built_through_two_merge_commits(
    promotion_repo: dict[str, Any],
) -> None:
    digest = "sha256:" + "ab" * 32
    result = resolve(promotion_repo, {promotion_repo["dev"]: digest})
    assert result.returncode == 0, result.stderr
    assert f"digest={digest}" in result.stdout.splitlines()
    assert f"source_sha={promotion_repo['dev']}" in result.stdout.splitlines()


def test_code_dev_never_built_is_refused(promotion_repo: dict[str, Any]) -> None:
    repo = promotion_repo["repo"]
    (repo / "app.txt").write_text("made on prod\n")
    git(repo, "commit", "-q", "-am", "direct commit")
    result = resolve(promotion_repo, {promotion_repo["dev"]: "sha256:" + "ab" * 32})
    assert result.returncode != 0
    assert "dev never built" in result.stderr


def test_an_ecr_error_is_not_read_as_not_built(promotion_repo: dict[str, Any]) -> None:
    result = resolve(promotion_repo, {"error": "An error occurred (AccessDeniedException)"})
    assert result.returncode != 0
    assert "AccessDeniedException" in result.stderr
    assert "ECR lookup failed" in result.stderr


# --- the lint itself -------------------------------------------------------------------------


def test_check_workflows_script_passes() -> None:
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "check-workflows.sh")],
        cwd="/",
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- rollback after a failed release ---------------------------------------------------------


@pytest.fixture
def fake_kubectl(tmp_path: Path) -> dict[str, Path]:
    """A kubectl that reports the revision in `revision` and logs every call to `calls`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    revision, calls = tmp_path / "revision", tmp_path / "calls"
    calls.write_text("")
    kubectl = bin_dir / "kubectl"
    kubectl.write_text(
        "#!/usr/bin/env bash\n"
        f'echo "$*" >>{calls}\n'
        f'if [[ "$*" == *" get deployment "* ]]; then cat {revision}; fi\n'
    )
    kubectl.chmod(kubectl.stat().st_mode | stat.S_IEXEC)
    return {"bin": bin_dir, "revision": revision, "calls": calls}


def rollback(kube: dict[str, Path], previous: str, current: str) -> list[str]:
    kube["revision"].write_text(current)
    subprocess.run(
        ["bash", str(GITHUB / "scripts" / "k8s-rollback.sh")],
        env={
            **os.environ,
            "PATH": f"{kube['bin']}:{os.environ['PATH']}",
            "DEPLOY_ENV": "uat",
            "PREVIOUS_REVISION": previous,
        },
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return [c for c in kube["calls"].read_text().splitlines() if "rollout undo" in c]


def test_a_failed_release_is_undone_to_the_recorded_revision(
    fake_kubectl: dict[str, Path],
) -> None:
    undo = rollback(fake_kubectl, previous="7", current="8")
    assert undo == ["-n netflix-clone-uat rollout undo deployment/netflix-clone --to-revision=7"]


def test_nothing_is_undone_when_the_release_did_not_change_the_deployment(
    fake_kubectl: dict[str, Path],
) -> None:
    # A re-deploy of the same digest keeps the revision: undoing would go one release back.
    assert rollback(fake_kubectl, previous="7", current="7") == []
    # First deploy into an empty namespace: there is nothing to return to.
    assert rollback(fake_kubectl, previous="none", current="1") == []
