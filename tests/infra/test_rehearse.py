"""The rehearsal's verdict: emulator gaps are named from an allow-list, anything else fails.

`make rehearse` (scripts/rehearse.sh, run by .ci/run and the ci workflow's terraform job) applies
bootstrap and envs/dev against moto; this checks, fast and offline, how it reads Terraform's
errors, on error blocks of the shapes a real run prints.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.infra

ROOT = Path(__file__).resolve().parents[2]
CLASSIFY = ROOT / "scripts" / "rehearse_classify.py"
REHEARSE = ROOT / "scripts" / "rehearse.sh"

RESOURCE_ERROR = """
Error: {title}

  with {address},
  on ../../modules/x/main.tf line 1, in resource "{rtype}" "this":
   1: resource "{rtype}" "this" {{

{detail}
"""

EXPRESSION_ERROR = """
Error: Invalid index

  on ../../modules/cluster/outputs.tf line 60, in output "auto_mode":
  60:     compute_enabled        = aws_eks_cluster.this.compute_config[0].enabled
    ├────────────────
    │ aws_eks_cluster.this.compute_config is empty list of object

The given key does not identify an element in this collection value: the
collection has no elements.
"""


def classify(tmp_path: Path, log: str) -> list[list[str]]:
    path = tmp_path / "apply.log"
    path.write_text("aws_vpc.this: Creation complete after 1s\n" + log)
    out = subprocess.run(
        [sys.executable, str(CLASSIFY), str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    return [line.split("\t") for line in out.splitlines()]


def resource_error(rtype: str, detail: str, title: str = "creating thing") -> str:
    address = f"module.platform.module.x.{rtype}.this"
    return RESOURCE_ERROR.format(title=title, address=address, rtype=rtype, detail=detail)


def test_named_gaps_are_gaps(tmp_path: Path) -> None:
    log = (
        resource_error("aws_eks_addon", "operation error EKS: CreateAddon, 404")
        + resource_error(
            "aws_vpc_security_group_ingress_rule",
            "api error InvalidGroup.NotFound: The security group '' does not exist",
        )
        + EXPRESSION_ERROR
    )
    verdicts = classify(tmp_path, log)
    assert [v[0] for v in verdicts] == ["gap", "gap", "gap"]
    assert verdicts[0][2].startswith("EKS add-ons")
    assert "clusterSecurityGroupId" in verdicts[1][2]
    assert verdicts[2][1].startswith("aws_eks_cluster.this.compute_config")


def test_anything_else_is_a_configuration_error(tmp_path: Path) -> None:
    log = (
        # a gap's resource type failing for another reason is not that gap
        resource_error(
            "aws_vpc_security_group_ingress_rule",
            "api error InvalidParameterValue: CIDR block 10.0.0.0/33 is malformed",
        )
        + resource_error("aws_db_instance", "InvalidParameterCombination: engine version 16.99")
        + EXPRESSION_ERROR.replace("compute_config", "vpc_config")
    )
    verdicts = classify(tmp_path, log)
    assert [v[0] for v in verdicts] == ["error", "error", "error"]
    assert verdicts[1][1] == "module.platform.module.x.aws_db_instance.this"


def test_no_error_means_nothing_to_report(tmp_path: Path) -> None:
    assert classify(tmp_path, "Apply complete! Resources: 3 added, 0 changed, 0 destroyed.\n") == []


def test_the_rehearsal_fails_on_configuration_errors_and_cleans_up() -> None:
    script = REHEARSE.read_text()
    assert "[[ $config_errors -eq 0 ]] || exit 1" in script
    assert (
        "trap cleanup EXIT" in script
        and 'kill "$moto_pid"' in script
        and 'rm -rf "$work"' in script
    )
    # The override goes into the temporary copies only, never into the real roots.
    assert re.search(r'>"\$1/rehearse_override\.tf"', script)
    assert not list((ROOT / "infra" / "terraform").rglob("*override.tf"))
    # Loopback only.
    assert "-H 127.0.0.1" in script


def test_the_stand_ins_for_missing_eks_calls_stay_in_the_temporary_copy_and_are_named() -> None:
    """moto has neither DescribeClusterVersions nor DescribeAddonVersions, which the environment
    reads at plan time: the rehearsal switches the version check off and pins metrics-server in
    its temporary override only, and says so in its report."""
    script = REHEARSE.read_text()
    assert "verify_version_support = false" in script
    assert re.search(r"metrics_server_version = \"%s\"", script)
    assert script.count('>>"$report"') >= 3  # the stand-ins are reported like the gaps
    for root in (ROOT / "infra" / "terraform" / "envs").iterdir():
        assert "verify_version_support" not in (root / "main.tf").read_text()
    platform = (ROOT / "infra" / "terraform" / "modules" / "platform" / "variables.tf").read_text()
    block = platform.split('variable "verify_version_support"', 1)[1].split("\n}\n", 1)[0]
    assert re.search(r"default\s+=\s+true", block), "the real roots check the version"
    # The emulator answers the load balancer lookup of the public record (elbv2).
    assert re.search(r"services=\([^)]*\belbv2\b", script)
