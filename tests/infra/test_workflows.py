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


def test_each_environment_has_one_job_bound_to_its_branch(deploy: dict[str, Any]) -> None:
    assert sorted(deploy["jobs"]) == sorted(ENVIRONMENTS)
    for env, job in deploy["jobs"].items():
        environment = job["environment"]
        name = environment["name"] if isinstance(environment, dict) else environment
        assert name == env, f"job {env} deploys to GitHub Environment {name}"
        condition = re.sub(r"\s+", " ", str(job["if"]))
        assert re.fullmatch(rf"(\$\{{\{{ )?github\.ref_name == '{env}'( \}}\}})?", condition), (
            f"job {env} must run only on branch {env}, has if: {condition}"
        )
        assert job["env"]["DEPLOY_ENV"] == env


def test_deploy_concurrency_queues_and_never_cancels(deploy: dict[str, Any]) -> None:
    assert "concurrency" not in deploy, "one workflow-wide group would serialise unrelated envs"
    for env, job in deploy["jobs"].items():
        assert job["concurrency"] == {"group": f"deploy-{env}", "cancel-in-progress": False}


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
        assert wants_token == assumes_role, (
            f"{workflow}:{job_id}: id-token: write must go exactly with role-to-assume"
        )
        widened = {k: v for k, v in permissions.items() if v == "write" and k != "id-token"}
        assert not widened, f"{workflow}:{job_id} writes {sorted(widened)}"


def test_each_environment_assumes_its_own_deploy_role(deploy: dict[str, Any]) -> None:
    for env, job in deploy["jobs"].items():
        roles = [
            step["with"]["role-to-assume"]
            for step in steps(job)
            if action_name(uses(step)) == "aws-actions/configure-aws-credentials"
        ]
        assert roles == [
            f"arn:aws:iam::${{{{ vars.AWS_ACCOUNT_ID }}}}:role/netflix-clone-deploy-{env}"
        ]


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


def test_only_the_dev_job_builds_and_pushes(deploy: dict[str, Any]) -> None:
    dev = deploy["jobs"]["dev"]
    builds = [s for s in steps(dev) if action_name(uses(s)) == "docker/build-push-action"]
    assert len(builds) == 1
    assert builds[0]["with"]["push"] is True
    assert builds[0]["with"]["tags"].endswith(":${{ env.IMAGE_SHA }}")
    assert dev["env"]["IMAGE_SHA"] == "${{ inputs.build_sha || github.sha }}"
    for env in ("uat", "prod"):
        job = deploy["jobs"][env]
        actions = {action_name(uses(s)) for s in steps(job)}
        assert not actions & {
            "docker/build-push-action",
            "docker/setup-buildx-action",
            "aws-actions/amazon-ecr-login",
        }, f"{env} must not build or log in to push"
        assert not BUILD.search(run_text(job)), f"{env} runs a docker build or push"
        assert ".github/scripts/resolve-image.sh" in run_text(job)


def test_promotion_looks_the_image_up_by_commit_tag() -> None:
    lookup = (GITHUB / "scripts" / "ecr-digest.sh").read_text(encoding="utf-8")
    assert "aws ecr describe-images" in lookup
    assert '"imageTag=$tag"' in lookup


def test_each_environment_applies_its_saved_plan_then_releases_and_smoke_tests(
    deploy: dict[str, Any],
) -> None:
    for env, job in deploy["jobs"].items():
        commands = [str(s.get("run", "")) for s in steps(job)]
        order = [
            "terraform init -input=false -backend-config=backend.hcl",
            "terraform plan -input=false -out=tfplan",
            "terraform apply -input=false tfplan",
            'aws eks update-kubeconfig --name "netflix-clone-$DEPLOY_ENV"',
            'deploy/k8s/deploy.sh "$DEPLOY_ENV" "$IMAGE"',
            ".github/scripts/smoke-test.sh",
            ".github/scripts/k8s-rollback.sh",
        ]
        positions = []
        for wanted in order:
            where = [i for i, command in enumerate(commands) if wanted in command]
            assert len(where) == 1, f"{env}: expected one step running {wanted!r}"
            positions.append(where[0])
        assert positions == sorted(positions), f"{env}: deploy steps out of order"
        for step in steps(job):
            if "terraform " in str(step.get("run", "")):
                assert step["working-directory"] == f"infra/terraform/envs/{env}"
        smoke = steps(job)[positions[5]]
        assert smoke["env"]["PUBLIC_URL"] == f"${{{{ vars.PUBLIC_URL_{env.upper()} }}}}"
        rollback = steps(job)[positions[6]]
        assert str(rollback["if"]).startswith("failure()")


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


def dry_run_requests() -> list[tuple[str, str, Any]]:
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "github-branch-protection.sh")],
        env={
            **os.environ,
            "DRY_RUN": "1",
            "REPO": "acme/netflix-clone",
            "UAT_REVIEWERS": "team:platform",
            "PROD_REVIEWERS": "team:platform,user:alice",
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
