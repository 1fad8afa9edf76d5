"""Sorts the errors of a `terraform apply` against moto into emulator gaps and configuration errors.

Used by scripts/rehearse.sh:  python3 scripts/rehearse_classify.py <apply log>
Prints one line per error: `gap<TAB><address><TAB><name of the gap>` or
`error<TAB><address><TAB><Terraform's error title>`.

GAPS is the allow-list: what moto (5.x) does not implement, or answers without what the AWS
provider reads back. An error matches a gap by the resource type it names and a pattern in its
text; anything else is a configuration error, so a new, unexpected failure fails the rehearsal.
"""

from __future__ import annotations

import re
import sys
from typing import NamedTuple


class Gap(NamedTuple):
    resource_type: str
    pattern: str
    name: str


GAPS = (
    Gap("aws_eks_access_entry", ".", "EKS access entries: moto has no access-entry API"),
    Gap(
        "aws_eks_access_policy_association", ".", "EKS access entries: moto has no access-entry API"
    ),
    Gap("aws_eks_addon", ".", "EKS add-ons: moto has no add-on API"),
    Gap(
        "aws_eks_pod_identity_association",
        ".",
        "EKS Pod Identity associations: moto has no Pod Identity API",
    ),
    Gap(
        "aws_eks_cluster",
        r"(compute|storage|access)_config is empty list of object",
        "EKS Auto Mode and access settings: moto's DescribeCluster omits computeConfig, "
        "storageConfig and accessConfig",
    ),
    Gap(
        "aws_vpc_security_group_ingress_rule",
        r"The security group '' does not exist",
        "EKS cluster security group: moto's DescribeCluster returns no clusterSecurityGroupId",
    ),
    Gap(
        "aws_cloudwatch_composite_alarm",
        ".",
        "CloudWatch composite alarms: moto has no PutCompositeAlarm",
    ),
    Gap("aws_codeconnections_connection", ".", "CodeConnections: moto has no CodeConnections API"),
    Gap("aws_codebuild_webhook", ".", "CodeBuild webhooks: moto has no webhook API"),
    Gap("aws_elasticache_user_group", ".", "ElastiCache user groups: moto has no user-group API"),
    Gap(
        "aws_elasticache_parameter_group",
        ".",
        "ElastiCache parameter groups: moto has no parameter-group API",
    ),
)


class Failure(NamedTuple):
    resource_type: str
    address: str
    title: str
    text: str


def failures(log: str) -> list[Failure]:
    found = []
    for chunk in re.split(r"\n(?=Error: )", log)[1:]:
        block = chunk.split("\n\n\n")[0]
        title = block.splitlines()[0].removeprefix("Error: ").strip()
        where = re.search(r"with ([^,\n]+),", block)
        if where:
            address = where.group(1).strip()
        else:  # an expression error: name the attribute it read ("│ aws_x.y.attr is ...")
            read = re.search(
                r"[│|] ((?:module\.\S+\.)?aws_[a-z0-9_]+\.[a-z0-9_]+\.[a-z0-9_]+) is", block
            )
            at = re.search(r"on (\S+ line \d+)", block)
            address = (read.group(1) if read else "?") + (f" ({at.group(1)})" if at else "")
        parts = re.split(r"[.\s\[]", address)
        rtype = next((p for p in parts if p.startswith("aws_")), "?")
        found.append(Failure(rtype, address, title, " ".join(block.split())))
    return found


def classify(failure: Failure) -> Gap | None:
    for gap in GAPS:
        if gap.resource_type == failure.resource_type and re.search(gap.pattern, failure.text):
            return gap
    return None


def main(path: str) -> int:
    with open(path, encoding="utf-8", errors="replace") as handle:
        log = handle.read()
    for failure in failures(log):
        gap = classify(failure)
        if gap:
            print(f"gap\t{failure.address}\t{gap.name}")
        else:
            print(f"error\t{failure.address}\t{failure.title}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
