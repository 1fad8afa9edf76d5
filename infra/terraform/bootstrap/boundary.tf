# Privilege escalation guard. Every IAM role a deploy role creates or changes must carry the
# environment's permissions boundary (enforced by the iam:PermissionsBoundary condition in
# local.iam_policy), the boundary cannot be removed or edited by a deploy role, and roles may
# only be passed to the services that use them (iam:PassedToService). A role the pipeline
# writes therefore never holds more than this boundary, whatever policy it is given: no IAM
# writes beyond instance profiles, nothing of another environment
# (tests/bootstrap.tftest.hcl, "escalation_routes_are_closed", tries the two ways up).

locals {
  boundary_name = { for e in var.environments : e => "${var.project}-boundary-${e}" }
  boundary_arn  = { for e in var.environments : e => "arn:${local.partition}:iam::${local.account_id}:policy/${local.boundary_name[e]}" }

  own_roles = {
    for e in var.environments : e => [
      "${local.arn[e].iam}:role/${local.arn[e].name}-*",
      "${local.arn[e].iam}:role/${var.project}-app-${e}",
    ]
  }

  # What the roles of an environment (EKS cluster and Auto Mode nodes, app pods, migrations, VPC
  # flow logs, RDS monitoring, the CI runner) may ever do. In the default shared account a
  # deploy role can put any inline policy on its own (bounded) roles, or create a bounded role
  # that trusts itself and step into it: the boundary is then all that keeps it out of the other
  # environments. So every grant is fenced to this environment: by ARN where the service has
  # resource-level permissions (EKS, secrets, logs, RDS IAM users, cache users, SSM), and for
  # the broad services AWS's managed EKS Auto Mode policies need (EC2, load balancing, KMS) by
  # denying anything tagged for another environment or cluster: Terraform tags every resource
  # with environment=<env> (default_tags), Auto Mode tags what it launches (instances, ENIs,
  # volumes, load balancers, security groups) with eks:eks-cluster-name.
  boundary_policy = {
    for e in var.environments : e => {
      Version = "2012-10-17"
      Statement = [
        {
          # Auto Mode (instances, ENIs, volumes, load balancers), image pulls, encryption with the
          # environment's keys, TLS certificates for the ALB: fenced by the Deny statements below.
          Sid    = "WorkloadServices"
          Effect = "Allow"
          Action = [
            "ec2:*", "elasticloadbalancing:*", "autoscaling:Describe*", "cloudwatch:PutMetricData",
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
            "logs:DescribeLogGroups",
          ]
          Resource = "*"
        },
        {
          Sid      = "OwnCluster"
          Effect   = "Allow"
          Action   = ["eks:*", "eks-auth:AssumeRoleForPodIdentity"]
          Resource = local.own_cluster_arns[e]
        },
        {
          Sid      = "EksCatalog"
          Effect   = "Allow"
          Action   = ["eks:DescribeAddonVersions", "eks:DescribeClusterVersions", "eks:ListClusters"]
          Resource = "*" # catalog calls without resource-level permissions
        },
        {
          # Every log group of the environment carries its name (/aws/eks/<name>/cluster,
          # /aws/vpc-flow-logs/<name>, /aws/codebuild/<name>-runner, /aws/rds/instance/<name>/*,
          # /aws/containerinsights/<name>/*, ...); RDS enhanced monitoring writes to AWS's shared
          # RDSOSMetrics group.
          Sid    = "OwnLogGroups"
          Effect = "Allow"
          Action = "logs:*"
          Resource = [
            "${local.arn[e].logs}:/aws/*${local.arn[e].name}*",
            "${local.arn[e].logs}:RDS*",
          ]
        },
        {
          Sid    = "OwnParameters"
          Effect = "Allow"
          Action = ["ssm:GetParameter", "ssm:GetParameters"]
          Resource = [
            "${local.ssm_arn}/${var.project}/${e}/*",
            "arn:${local.partition}:ssm:*::parameter/aws/*", # AWS's public parameters (AMI ids)
          ]
        },
        {
          Sid      = "OwnSecretsOnly"
          Effect   = "Allow"
          Action   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
          Resource = "${local.arn[e].secrets}:${var.project}/${e}/*"
        },
        {
          # The RDS-managed master secret is named rds!db-<uuid>; RDS tags it with the instance
          # it belongs to, so only this environment's database's secret qualifies.
          Sid       = "OwnDatabaseMasterSecret"
          Effect    = "Allow"
          Action    = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
          Resource  = "${local.arn[e].secrets}:rds!*"
          Condition = { StringLike = { "secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn" = local.own_db_arn[e] } }
        },
        {
          # IAM database authentication: the database users carry the environment in their
          # name (netflix_clone_<env>_app, _owner), the one part of an rds-db ARN known before
          # the database exists.
          Sid      = "OwnDatabaseUsers"
          Effect   = "Allow"
          Action   = "rds-db:connect"
          Resource = "arn:${local.partition}:rds-db:*:${local.account_id}:dbuser:*/${local.db_user_prefix[e]}*"
        },
        {
          Sid    = "OwnCacheUsers"
          Effect = "Allow"
          Action = "elasticache:Connect"
          Resource = [
            "${local.arn[e].cache}:replicationgroup:${local.arn[e].name}",
            "${local.arn[e].cache}:user:${local.arn[e].name}-*",
          ]
        },
        {
          Sid    = "GitHubConnection"
          Effect = "Allow"
          Action = [
            "codeconnections:UseConnection", "codeconnections:GetConnection", "codeconnections:GetConnectionToken",
            "codestar-connections:UseConnection", "codestar-connections:GetConnection", "codestar-connections:GetConnectionToken",
          ]
          Resource = [
            "arn:${local.partition}:codeconnections:*:${local.account_id}:connection/*",
            "arn:${local.partition}:codestar-connections:*:${local.account_id}:connection/*",
          ]
        },
        {
          # Auto Mode's cluster role hands the node role to EC2 (instance profiles); nothing else.
          Sid       = "PassNodeRoleToEc2"
          Effect    = "Allow"
          Action    = "iam:PassRole"
          Resource  = local.own_roles[e]
          Condition = { StringEquals = { "iam:PassedToService" = ["ec2.amazonaws.com"] } }
        },
        {
          # Bootstrap's own resources (state, ECR, connection) are tagged environment=shared.
          Sid       = "NothingOfAnotherEnvironment"
          Effect    = "Deny"
          Action    = "*"
          Resource  = "*"
          Condition = local.foreign_tag[e].resource_environment
        },
        {
          Sid       = "NothingOfAnotherCluster"
          Effect    = "Deny"
          Action    = "*"
          Resource  = "*"
          Condition = local.foreign_tag[e].resource_cluster
        },
        {
          Sid       = "NothingCreatedForAnotherEnvironment"
          Effect    = "Deny"
          Action    = "*"
          Resource  = "*"
          Condition = local.foreign_tag[e].request_environment
        },
        {
          Sid       = "NothingCreatedForAnotherCluster"
          Effect    = "Deny"
          Action    = "*"
          Resource  = "*"
          Condition = local.foreign_tag[e].request_cluster
        },
      ]
    }
  }

  own_cluster_arns = {
    for e in var.environments : e => [
      "${local.arn[e].eks}:cluster/${local.arn[e].name}",
      # add-ons, access entries, Pod Identity associations, node groups of that cluster
      "${local.arn[e].eks}:*/${local.arn[e].name}/*",
    ]
  }
  own_db_arn     = { for e in var.environments : e => "${local.arn[e].rds}:db:${local.arn[e].name}" }
  db_user_prefix = { for e in var.environments : e => "${replace(var.project, "-", "_")}_${e}_" }

  # "Tagged, and not for this environment": the tag must be present (Null false) and differ.
  foreign_tag = {
    for e in var.environments : e => {
      resource_environment = {
        StringNotEquals = { "aws:ResourceTag/environment" = [e, "shared"] }
        Null            = { "aws:ResourceTag/environment" = "false" }
      }
      resource_cluster = {
        StringNotEquals = { "aws:ResourceTag/eks:eks-cluster-name" = local.arn[e].name }
        Null            = { "aws:ResourceTag/eks:eks-cluster-name" = "false" }
      }
      request_environment = {
        StringNotEquals = { "aws:RequestTag/environment" = e }
        Null            = { "aws:RequestTag/environment" = "false" }
      }
      request_cluster = {
        StringNotEquals = { "aws:RequestTag/eks:eks-cluster-name" = local.arn[e].name }
        Null            = { "aws:RequestTag/eks:eks-cluster-name" = "false" }
      }
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
          # The public host's alias record follows the ingress's load balancer, found by its tags.
          Sid      = "ParameterCatalog"
          Effect   = "Allow"
          Action   = ["ssm:DescribeParameters", "acm:ListCertificates", "elasticloadbalancing:Describe*"]
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
