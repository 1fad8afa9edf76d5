"""The Terraform under infra/terraform passes its offline checks.

scripts/check-terraform.sh does the work (fmt, init through the provider mirror, `terraform test`
with a mocked AWS provider, which validates every root and every module they call, validate of
any module no test reaches, checkov); these tests run it the way CI does and add the guards that
need no Terraform at all.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.infra

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "check-terraform.sh"
TF = ROOT / "infra" / "terraform"
ENVIRONMENTS = ("dev", "uat", "prod")

# Anything that looks like it carries a secret's value into Terraform (and so into its state).
SECRET_LIKE_VARIABLE = re.compile(
    r'variable\s+"([^"]*(?:password|passwd|secret_value|secret_string|api_key|apikey|token'
    r'|private_key|secret_key|credential)[^"]*)"',
    re.IGNORECASE,
)


def _tf_files() -> list[Path]:
    files = sorted(p for p in TF.rglob("*.tf") if ".terraform" not in p.parts)
    assert files, f"no Terraform files under {TF}"
    return files


def test_no_secret_values_pass_through_terraform() -> None:
    for path in _tf_files():
        text = path.read_text()
        assert not re.search(r'(resource|data)\s+"aws_secretsmanager_secret_version"', text), (
            f"{path.relative_to(ROOT)} manages a secret value; values are set out of band"
        )
        names = SECRET_LIKE_VARIABLE.findall(text)
        assert not names, f"{path.relative_to(ROOT)} has secret-like variables: {names}"


# What the deploy pipeline and the overlays read from `terraform output` of every environment.
PIPELINE_OUTPUTS = (
    "region",
    "cluster_name",
    "namespace",
    "ecr_repository_url",
    "app_role_arn",
    "tmdb_secret_arn",
    "secret_key_secret_arn",
    "database_secret_arn",
    "database_endpoint",
    "database_name",
    "redis_endpoint",
    "vpc_id",
    "runner_project",
    "parameter_path",
    "published_parameters",
    "certificate_arn",
    "nat_public_ips",
    "load_balancer_dns_name",
    "public_record",
    "cluster_dns_ip",
)
ROOT_FILES = {"versions.tf", "main.tf", "outputs.tf", "backend.hcl", ".terraform.lock.hcl"}
# On-call's view of the environment (modules/observability), beside the platform it watches.
OBSERVABILITY_FILES = {"observability.tf"}


def test_environment_roots_are_thin_callers_of_the_platform_module() -> None:
    for env in ENVIRONMENTS:
        root = TF / "envs" / env
        files = {p.name for p in root.iterdir() if p.suffix in {".tf", ".hcl", ".tfvars", ".json"}}
        # Beside platform, a root may call further modules that live in its network (e.g.
        # previews.tf in dev), one file each, with their outputs: modules and outputs only.
        extra = files - ROOT_FILES
        assert files >= ROOT_FILES | OBSERVABILITY_FILES and all(
            name.endswith(".tf") for name in extra
        ), f"envs/{env} holds {sorted(files)}; the composition belongs in modules/platform"
        for name in extra:
            blocks = re.findall(r"^([a-z_]+)\s", (root / name).read_text(), re.MULTILINE)
            assert set(blocks) <= {"module", "output"}, (
                f"envs/{env}/{name} declares {sorted(set(blocks) - {'module', 'output'})}: "
                "an extra root file only calls a module and exports its outputs"
            )
        tests = sorted(p.name for p in (root / "tests").glob("*.tftest.hcl"))
        expected = sorted([f"{env}.tftest.hcl", "observability.tftest.hcl"])
        assert tests == expected, f"envs/{env}/tests: {tests}"
        observability = (root / "observability.tf").read_text()
        assert not re.search(r'^\s*(resource|data)\s+"', observability, re.MULTILINE)
        assert re.findall(r'^module\s+"([^"]+)"', observability, re.MULTILINE) == ["observability"]
        assert 'source = "../../modules/observability"' in observability

        main = (root / "main.tf").read_text()
        assert not re.search(r'^\s*(resource|data)\s+"', main, re.MULTILINE), (
            f"envs/{env} declares resources"
        )
        modules = re.findall(r'^module\s+"([^"]+)"', main, re.MULTILINE)
        assert modules == ["platform"], f"envs/{env}/main.tf calls {modules}"
        assert 'source = "../../modules/platform"' in main
        assert re.search(rf'^\s*environment\s*=\s*"{env}"', main, re.MULTILINE)
        assert "default_tags" in main, f"envs/{env}: the provider must set default_tags"

        versions = (root / "versions.tf").read_text()
        assert re.search(r'required_version\s*=\s*">= 1\.10"', versions)
        assert re.search(r'version\s*=\s*">= 5\.100, < 7"', versions)
        assert re.search(r'backend\s+"s3"\s*\{\s*\}', versions)

        backend = (root / "backend.hcl").read_text()
        assert f'key                  = "netflix-clone/{env}/terraform.tfstate"' in backend
        assert re.search(r"use_lockfile\s*=\s*true", backend)


def test_environment_roots_export_what_the_pipeline_reads() -> None:
    platform = (TF / "modules" / "platform" / "outputs.tf").read_text()
    for name in PIPELINE_OUTPUTS:
        assert f'output "{name}"' in platform, f"modules/platform has no output {name}"
    for env in ENVIRONMENTS:
        outputs = (TF / "envs" / env / "outputs.tf").read_text()
        exported = dict(re.findall(r'output\s+"([^"]+)"\s*\{[^}]*?value\s*=\s*([^\n]+)', outputs))
        for name in PIPELINE_OUTPUTS:
            assert exported.get(name, "").strip() == f"module.platform.{name}", (
                f"envs/{env}/outputs.tf must export {name} = module.platform.{name}"
            )


def test_roots_commit_a_lock_file_for_the_mirrored_provider() -> None:
    for root in ["bootstrap", *(f"envs/{e}" for e in ENVIRONMENTS)]:
        lock = TF / root / ".terraform.lock.hcl"
        assert lock.is_file(), f"{root} has no committed .terraform.lock.hcl"
        assert 'provider "registry.terraform.io/hashicorp/aws"' in lock.read_text()


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not installed")
def test_check_fails_loudly_without_the_provider_mirror(tmp_path: Path) -> None:
    env = {**os.environ, "TF_PLUGIN_MIRROR": str(tmp_path / "no-mirror-here")}
    result = subprocess.run(
        [str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode != 0, "the check passed without any provider to validate against"
    assert "no hashicorp/aws" in result.stderr and "no-mirror-here" in result.stderr, result.stderr


@pytest.mark.timeout(900)  # first run installs checkov into .tools/ (about a minute)
def test_check_terraform_script_passes() -> None:
    result = subprocess.run(
        ["bash", str(SCRIPT)],
        cwd=ROOT / "tests",  # the script must not depend on the caller's directory
        env={k: v for k, v in os.environ.items() if k != "SKIP_CHECKOV"},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    output = f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
    assert result.returncode == 0, output
    assert "checkov summary:" in result.stdout, output
    assert "all Terraform checks passed" in result.stdout, output
