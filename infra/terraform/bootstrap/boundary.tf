# Privilege escalation guard. Every IAM role a deploy role creates or changes must carry the
# environment's permissions boundary (enforced by the iam:PermissionsBoundary condition in
# local.iam_policy), the boundary cannot be removed or edited by a deploy role, and roles may
# only be passed to the services that use them (iam:PassedToService). A role the pipeline
# writes therefore never holds more than this boundary, whatever policy it is given: no IAM
# writes beyond instance profiles, no secrets of another environment.

locals {
  boundary_name = { for e in var.environments : e => "${var.project}-boundary-${e}" }
  boundary_arn  = { for e in var.environments : e => "arn:${local.partition}:iam::${local.account_id}:policy/${local.boundary_name[e]}" }

  own_roles = {
    for e in var.environments : e => [
      "${local.arn[e].iam}:role/${local.arn[e].name}-*",
      "${local.arn[e].iam}:role/${var.project}-app-${e}",
    ]
  }

  # What the roles of an environment (EKS cluster and Auto Mode nodes, app pods, VPC flow logs,
  # RDS monitoring, the CI runner) may ever do: the services of AWS's managed EKS policies and
  # their own narrow grants, nothing that writes IAM beyond the instance profiles Auto Mode
  # manages for its nodes.
  boundary_policy = {
    for e in var.environments : e => {
      Version = "2012-10-17"
      Statement = [
        {
          Sid    = "WorkloadServices"
          Effect = "Allow"
          Action = [
            "ec2:*", "elasticloadbalancing:*", "autoscaling:Describe*", "eks:*", "eks-auth:AssumeRoleForPodIdentity",
            "logs:*", "cloudwatch:PutMetricData", "ssm:GetParameter", "ssm:GetParameters",
            "ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability",
            "kms:Decrypt", "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey",
            "kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant",
            "acm:DescribeCertificate", "acm:ListCertificates", "acm:GetCertificate",
            "wafv2:GetWebACL", "wafv2:GetWebACLForResource", "wafv2:AssociateWebACL", "wafv2:DisassociateWebACL",
            "waf-regional:GetWebACL", "waf-regional:GetWebACLForResource", "waf-regional:AssociateWebACL",
            "waf-regional:DisassociateWebACL", "cognito-idp:DescribeUserPoolClient",
            "shield:GetSubscriptionState", "shield:DescribeProtection", "shield:CreateProtection",
            "shield:DeleteProtection", "tag:GetResources",
            "iam:GetRole", "iam:ListAttachedRolePolicies", "iam:GetInstanceProfile", "iam:ListInstanceProfiles",
            "iam:CreateInstanceProfile", "iam:TagInstanceProfile", "iam:AddRoleToInstanceProfile",
            "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile", "iam:CreateServiceLinkedRole",
            "codeconnections:UseConnection", "codeconnections:GetConnection", "codeconnections:GetConnectionToken",
            "codestar-connections:UseConnection", "codestar-connections:GetConnection", "codestar-connections:GetConnectionToken",
            "elasticache:Connect",
          ]
          Resource = "*"
        },
        {
          Sid      = "OwnSecretsOnly"
          Effect   = "Allow"
          Action   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
          Resource = ["${local.arn[e].secrets}:${var.project}/${e}/*", "${local.arn[e].secrets}:rds!*"]
        },
        {
          # Auto Mode's cluster role hands the node role to EC2 (instance profiles); nothing else.
          Sid       = "PassNodeRoleToEc2"
          Effect    = "Allow"
          Action    = "iam:PassRole"
          Resource  = local.own_roles[e]
          Condition = { StringEquals = { "iam:PassedToService" = ["ec2.amazonaws.com"] } }
        },
      ]
    }
  }

  iam_policy = {
    for e in var.environments : e => {
      Version = "2012-10-17"
      Statement = [
        {
          Sid    = "WriteOnlyBoundedRoles"
          Effect = "Allow"
          Action = [
            "iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy",
            "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary",
          ]
          Resource  = local.own_roles[e]
          Condition = { StringEquals = { "iam:PermissionsBoundary" = local.boundary_arn[e] } }
        },
        {
          # Trust policies are not in this list on purpose (UpdateAssumeRolePolicy): a deploy
          # role that could make a role trust itself could step into it. Trust changes are an
          # administrator's apply.
          Sid    = "ReadTagDeleteOwnRoles"
          Effect = "Allow"
          Action = [
            "iam:GetRole", "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:TagRole",
            "iam:UntagRole", "iam:ListRoleTags", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies",
            "iam:ListInstanceProfilesForRole", "iam:GetRolePolicy",
          ]
          Resource = local.own_roles[e]
        },
        {
          Sid    = "PassOwnRolesToTheirServices"
          Effect = "Allow"
          Action = "iam:PassRole"
          # No ec2.amazonaws.com: nothing the deploy role runs launches instances with a role.
          Resource = local.own_roles[e]
          Condition = {
            StringEquals = {
              "iam:PassedToService" = [
                "eks.amazonaws.com", "pods.eks.amazonaws.com", "vpc-flow-logs.amazonaws.com",
                "monitoring.rds.amazonaws.com", "codebuild.amazonaws.com",
              ]
            }
          }
        },
        {
          # Attaching stays limited to the AWS policies the modules use and the env's own ones.
          Sid       = "AttachOnlyKnownPolicies"
          Effect    = "Deny"
          Action    = "iam:AttachRolePolicy"
          Resource  = "*"
          Condition = { ArnNotLike = { "iam:PolicyARN" = local.attachable_policies[e] } }
        },
        {
          Sid      = "BoundaryStays"
          Effect   = "Deny"
          Action   = ["iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"]
          Resource = "*"
        },
        {
          Sid    = "BoundaryIsNotEditable"
          Effect = "Deny"
          Action = [
            "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
            "iam:SetDefaultPolicyVersion", "iam:TagPolicy", "iam:UntagPolicy",
          ]
          Resource = local.boundary_arn[e]
        },
      ]
    }
  }

  attachable_policies = {
    for e in var.environments : e => concat(
      [for p in [
        "AmazonEKSClusterPolicy", "AmazonEKSComputePolicy", "AmazonEKSBlockStoragePolicy",
        "AmazonEKSLoadBalancingPolicy", "AmazonEKSNetworkingPolicy", "AmazonEKSWorkerNodeMinimalPolicy",
        "AmazonEC2ContainerRegistryPullOnly", "service-role/AmazonRDSEnhancedMonitoringRole",
      ] : "arn:${local.partition}:iam::aws:policy/${p}"],
      ["${local.arn[e].iam}:policy/${local.arn[e].name}-*"],
    )
  }

  ssm_arn = "arn:${local.partition}:ssm:*:${local.account_id}:parameter"

  ci_policy = {
    for e in var.environments : e => {
      Version = "2012-10-17"
      Statement = [
        {
          Sid      = "OwnRunner"
          Effect   = "Allow"
          Action   = "codebuild:*"
          Resource = "arn:${local.partition}:codebuild:*:${local.account_id}:project/${local.arn[e].name}-runner"
        },
        {
          Sid    = "UseGitHubConnection"
          Effect = "Allow"
          Action = [
            "codeconnections:PassConnection", "codeconnections:UseConnection", "codeconnections:GetConnection",
            "codestar-connections:PassConnection", "codestar-connections:UseConnection", "codestar-connections:GetConnection",
          ]
          Resource = [
            "arn:${local.partition}:codeconnections:*:${local.account_id}:connection/*",
            "arn:${local.partition}:codestar-connections:*:${local.account_id}:connection/*",
          ]
        },
        {
          Sid    = "PublishOwnParameters"
          Effect = "Allow"
          Action = [
            "ssm:PutParameter", "ssm:DeleteParameter", "ssm:GetParameter", "ssm:GetParameters",
            "ssm:GetParametersByPath", "ssm:AddTagsToResource", "ssm:RemoveTagsFromResource", "ssm:ListTagsForResource",
          ]
          Resource = ["${local.ssm_arn}/${var.project}/${e}", "${local.ssm_arn}/${var.project}/${e}/*"]
        },
        {
          Sid      = "ReadBootstrapParameters"
          Effect   = "Allow"
          Action   = ["ssm:GetParameter", "ssm:GetParameters"]
          Resource = "${local.ssm_arn}/${var.project}/bootstrap/*"
        },
        {
          Sid      = "ParameterCatalog"
          Effect   = "Allow"
          Action   = ["ssm:DescribeParameters", "acm:ListCertificates"]
          Resource = "*" # list calls without resource-level permissions
        },
        {
          Sid       = "RequestTaggedCertificates"
          Effect    = "Allow"
          Action    = ["acm:RequestCertificate", "acm:AddTagsToCertificate"]
          Resource  = "*"
          Condition = { StringEquals = { "aws:RequestTag/environment" = e } }
        },
        {
          Sid    = "ManageTaggedCertificates"
          Effect = "Allow"
          Action = [
            "acm:DescribeCertificate", "acm:DeleteCertificate", "acm:ListTagsForCertificate",
            "acm:AddTagsToCertificate", "acm:RemoveTagsFromCertificate", "acm:UpdateCertificateOptions",
          ]
          Resource  = "arn:${local.partition}:acm:*:${local.account_id}:certificate/*"
          Condition = local.tagged_env[e]
        },
        {
          # Only ACM's validation records (CNAMEs named _...), in whatever zone is given.
          Sid      = "CertificateValidationRecords"
          Effect   = "Allow"
          Action   = "route53:ChangeResourceRecordSets"
          Resource = "arn:${local.partition}:route53:::hostedzone/*"
          Condition = {
            "ForAllValues:StringEquals" = { "route53:ChangeResourceRecordSetsRecordTypes" = ["CNAME"] }
            "ForAllValues:StringLike"   = { "route53:ChangeResourceRecordSetsNormalizedRecordNames" = ["_*"] }
          }
        },
        {
          Sid      = "ReadZones"
          Effect   = "Allow"
          Action   = ["route53:GetHostedZone", "route53:ListResourceRecordSets", "route53:GetChange", "route53:ListTagsForResource"]
          Resource = ["arn:${local.partition}:route53:::hostedzone/*", "arn:${local.partition}:route53:::change/*"]
        },
      ]
    }
  }
}

resource "aws_iam_policy" "boundary" {
  for_each = var.environments

  name        = local.boundary_name[each.key]
  description = "Permissions boundary of every role the ${each.key} deploy role creates"
  policy      = jsonencode(local.boundary_policy[each.key])
  tags        = { environment = each.key }
}
