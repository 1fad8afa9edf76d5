"""The Terraform under infra/terraform passes its offline checks.

scripts/check-terraform.sh does the work (fmt, init + validate of every root and module through
the provider mirror, `terraform test` with a mocked AWS provider, checkov); these tests run it
the way CI does and add the guards that need no Terraform at all.
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


def test_environment_roots_differ_only_in_their_settings() -> None:
    shared = [
        "main.tf",
        "variables.tf",
        "outputs.tf",
        "versions.tf",
        "providers.tf",
        "tests/root.tftest.hcl",
    ]
    for name in shared:
        dev = (TF / "envs" / "dev" / name).read_text()
        for env in ENVIRONMENTS[1:]:
            drifted = (TF / "envs" / env / name).read_text() != dev
            assert not drifted, f"envs/{env}/{name} drifted from envs/dev"
    for env in ENVIRONMENTS:
        backend = (TF / "envs" / env / "backend.hcl").read_text()
        assert f'key                  = "netflix-clone/{env}/terraform.tfstate"' in backend
        assert re.search(r"use_lockfile\s*=\s*true", backend)
        tfvars = (TF / "envs" / env / "terraform.tfvars").read_text()
        assert f'environment = "{env}"' in tfvars


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
