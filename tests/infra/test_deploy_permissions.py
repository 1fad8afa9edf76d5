"""The deploy role and the boundary keep up with what the modules create, offline.

bootstrap/tests/bootstrap.tftest.hcl applies modules/observability (mocked) as dev and as prod
and decides, with its IAM evaluator, every call the provider makes for each kind of resource the
module names (output managed_names) against the dev deploy role, and the collectors' grants
(output role_policies) against the dev boundary. That only covers the kinds it lists; these
tests make a resource type the module starts using, an alarm left out of managed_names, a role
without the boundary or a deploy policy the docs don't describe fail at once, before anyone
finds out in a real apply.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.infra

ROOT = Path(__file__).resolve().parents[2]
TF = ROOT / "infra" / "terraform"
OBSERVABILITY = TF / "modules" / "observability"
LOG_KEY = TF / "modules" / "log-key"
BOOTSTRAP_TEST = TF / "bootstrap" / "tests" / "bootstrap.tftest.hcl"
DEPLOY_PERMISSIONS = TF / "bootstrap" / "deploy-permissions.tf"
INFRASTRUCTURE_DOC = ROOT / "docs" / "infrastructure.md"

# What the bootstrap test decides for each resource type of modules/observability (and the
# log-key module it calls): a kind of its managed_names output ("m.<kind>"), or the IAM action
# whose requests stand for the type's calls. A type missing here has not been checked against
# the deploy role (an aws_iam_role_policy_attachment, say, would also need its policy on the
# iam policy's attachable list).
DECIDED = {
    "aws_cloudwatch_log_group": "m.log_groups",
    "aws_cloudwatch_log_metric_filter": "m.metric_filters",
    "aws_kms_key": '"kms:CreateKey"',
    "aws_kms_alias": "m.kms_aliases",
    "aws_sns_topic": "m.topics",
    "aws_sns_topic_policy": '"sns:SetTopicAttributes"',
    "aws_sns_topic_subscription": '"sns:Subscribe"',
    "aws_s3_bucket": "m.buckets",
    "aws_s3_bucket_ownership_controls": '"s3:PutBucketOwnershipControls"',
    "aws_s3_bucket_public_access_block": '"s3:PutBucketPublicAccessBlock"',
    "aws_s3_bucket_server_side_encryption_configuration": '"s3:PutEncryptionConfiguration"',
    "aws_s3_bucket_versioning": '"s3:PutBucketVersioning"',
    "aws_s3_bucket_lifecycle_configuration": '"s3:PutLifecycleConfiguration"',
    "aws_s3_bucket_policy": '"s3:PutBucketPolicy"',
    "aws_ssm_parameter": "m.parameters",
    "aws_iam_role": "m.roles",
    "aws_iam_role_policy": '"iam:PutRolePolicy"',
    "aws_eks_addon": "m.addons",
    "aws_eks_pod_identity_association": '"eks:CreatePodIdentityAssociation"',
    "aws_cloudwatch_metric_alarm": "m.metric_alarms",
    "aws_cloudwatch_composite_alarm": "m.composite_alarms",
    "aws_cloudwatch_dashboard": "m.dashboards",
}
# Data sources: the lookup request the test allows, or None where no permission is involved.
LOOKED_UP = {
    "aws_caller_identity": None,  # sts:GetCallerIdentity needs no permission
    "aws_partition": None,  # from the provider's configuration
    "aws_region": None,  # from the provider's configuration
    "aws_elb_service_account": None,  # a table inside the provider
    "aws_lbs": '"elasticloadbalancing:DescribeLoadBalancers"',
}


def _declared(directory: Path, kind: str) -> set[str]:
    found: set[str] = set()
    for path in directory.glob("*.tf"):
        found |= set(re.findall(rf'^{kind}\s+"(aws_\w+)"', path.read_text(), re.MULTILINE))
    return found


def _observability_runs() -> str:
    text = BOOTSTRAP_TEST.read_text()
    start = text.index("# --- modules/observability:")
    return text[start:]


def _blocks(text: str, header: str) -> dict[str, str]:
    """Top-level blocks whose first line matches header (a regex with one group, the label),
    up to the closing brace in column 0."""
    return {
        m.group(1): m.group(0)
        for m in re.finditer(rf"^{header}\s*\{{\n.*?^\}}", text, re.MULTILINE | re.DOTALL)
    }


def test_every_resource_type_of_the_module_is_decided_against_the_deploy_role() -> None:
    resources = _declared(OBSERVABILITY, "resource") | _declared(LOG_KEY, "resource")
    data = _declared(OBSERVABILITY, "data") | _declared(LOG_KEY, "data")
    assert len(resources) >= 20, f"the Terraform reader lost track of the module: {resources}"
    unchecked = resources - DECIDED.keys()
    assert not unchecked, (
        f"modules/observability creates {sorted(unchecked)}: add the provider's calls for them "
        "to bootstrap.tftest.hcl (the_dev_deploy_role_applies_observability_and_nothing_of_prod),"
        " allow them in bootstrap/deploy-permissions.tf scoped to the environment, then list them"
    )
    assert not data - LOOKED_UP.keys(), f"unchecked data sources: {sorted(data - LOOKED_UP.keys())}"

    runs = _observability_runs()
    outputs = (OBSERVABILITY / "outputs.tf").read_text()
    managed = _blocks(outputs, r'output "(managed_names)"')["managed_names"]
    for kind in resources:
        needle = DECIDED[kind]
        assert needle in runs, (
            f"{kind}: {needle} is not among the requests the bootstrap test decides"
        )
        if needle.startswith("m."):
            name = needle.removeprefix("m.")
            assert re.search(rf"^\s+{name}\s+=", managed, re.MULTILINE), (
                f"{kind}: managed_names has no {name}"
            )
    for source in data:
        lookup = LOOKED_UP[source]
        assert lookup is None or lookup in runs, f"data.{source}: {lookup} is not decided"
    # The collectors' own grants are decided against the boundary.
    assert "run.observability_in_dev.role_policies" in runs
    assert "run.observability_in_prod.role_policies" in runs


def test_every_metric_alarm_is_in_managed_names() -> None:
    alarms = (OBSERVABILITY / "alarms.tf").read_text()
    declared = set(re.findall(r'^resource\s+"aws_cloudwatch_metric_alarm"\s+"(\w+)"', alarms, re.M))
    listed_block = re.search(r"metric_alarms\s*=\s*concat\((.*?)\n\s*\)", alarms, re.DOTALL)
    assert listed_block, "alarms.tf has no local metric_alarms"
    listed = set(re.findall(r"aws_cloudwatch_metric_alarm\.(\w+)", listed_block.group(1)))
    assert declared, "no metric alarms found in alarms.tf"
    assert declared == listed, (
        f"local.metric_alarms (managed_names) differs from the alarms declared: {declared ^ listed}"
    )


def test_every_role_a_module_creates_carries_the_environment_boundary() -> None:
    roles = 0
    for path in sorted((TF / "modules").glob("*/*.tf")):
        for name, block in _blocks(path.read_text(), r'resource "aws_iam_role" "(\w+)"').items():
            roles += 1
            assert re.search(
                r"^\s+permissions_boundary\s*=\s*(var|local)\.permissions_boundary_arn\s*$",
                block,
                re.MULTILINE,
            ), f"{path.relative_to(ROOT)}: aws_iam_role.{name} has no permissions boundary"
    assert roles >= 8, f"only {roles} role blocks found under modules/: the reader lost track"


def test_the_docs_describe_every_deploy_policy() -> None:
    text = DEPLOY_PERMISSIONS.read_text()
    merged = re.search(r"deploy_policies = merge\(\[(.*?)\]\.\.\.\)", text, re.DOTALL)
    assert merged, "deploy_policies not found"
    names = re.findall(r'"\$\{e\}/(\w+)"\s*=', merged.group(1))
    assert len(names) >= 6, names

    doc = INFRASTRUCTURE_DOC.read_text()
    section = doc[doc.index("## Deploy role permissions") :]
    section = section[: section.index("\n## ", 1)]
    count = re.search(r"has (\w+) managed policies", section)
    words = {6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten"}
    assert count and count.group(1) == words.get(len(names)), (
        f"docs/infrastructure.md says {count and count.group(1)} managed policies; "
        f"deploy-permissions.tf has {len(names)}: {names}"
    )
    described = re.findall(r"^- \*\*(\w+)\*\*", section, re.MULTILINE)
    assert described == names, f"docs list {described}, deploy-permissions.tf has {names}"
