# What each deploy role may do. Seven managed policies per role (IAM caps one at 6,144
# characters; a role holds 10 by default):
#   delivery      - its state prefix, ECR (push only where images are built), DescribeCluster
#   network       - EC2/VPC resources tagged environment=<env>
#   platform      - EKS, IAM policies, KMS keys and log groups of <project>-<env>
#   data          - Secrets Manager containers, RDS and ElastiCache of <project>-<env>
#   iam           - roles of <project>-<env>, only inside the environment's boundary
#   ci            - its runner, its SSM path, certificates, validation records
#   observability - what modules/observability creates: Container Insights log groups and
#                   metric filters, the alarm topic, alarms, the dashboard, the ALB log bucket
# Where AWS has resource-level permissions the grants are by name prefix; where it has only
# tags (EC2, KMS) they are by the environment tag, which the env roots set through the
# provider's default_tags on every resource they create.

locals {
  arn = {
    for e in var.environments : e => {
      iam     = "arn:${local.partition}:iam::${local.account_id}"
      ec2     = "arn:${local.partition}:ec2:*:${local.account_id}"
      eks     = "arn:${local.partition}:eks:*:${local.account_id}"
      logs    = "arn:${local.partition}:logs:*:${local.account_id}:log-group"
      kms     = "arn:${local.partition}:kms:*:${local.account_id}"
      rds     = "arn:${local.partition}:rds:*:${local.account_id}"
      cache   = "arn:${local.partition}:elasticache:*:${local.account_id}"
      secrets = "arn:${local.partition}:secretsmanager:*:${local.account_id}:secret"
      name    = "${var.project}-${e}" # every env resource name starts with this
    }
  }

  tagged_env = { for e in var.environments : e => { StringEquals = { "aws:ResourceTag/environment" = e } } }

  ecr_pull_actions = [
    "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
    "ecr:DescribeImages", "ecr:DescribeRepositories", "ecr:ListImages",
    "ecr:DescribeImageScanFindings", "ecr:ListTagsForResource",
  ]
  ecr_push_actions = [
    "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage",
  ]

  delivery_policy = {
    for e in var.environments : e => {
      Version = "2012-10-17"
      Statement = [
        {
          Sid      = "ListOwnStatePrefix"
          Effect   = "Allow"
          Action   = "s3:ListBucket"
          Resource = aws_s3_bucket.state.arn
          Condition = {
            StringLike = { "s3:prefix" = [local.state_prefix[e], "${local.state_prefix[e]}*"] }
          }
        },
        {
          Sid      = "ReadWriteOwnState"
          Effect   = "Allow"
          Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
          Resource = "${aws_s3_bucket.state.arn}/${local.state_prefix[e]}*"
        },
        {
          Sid      = "StateEncryption"
          Effect   = "Allow"
          Action   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
          Resource = aws_kms_key.state.arn
        },
        {
          Sid      = "EcrLogin"
          Effect   = "Allow"
          Action   = "ecr:GetAuthorizationToken"
          Resource = "*" # the action has no resource-level permissions
        },
        {
          Sid      = contains(var.image_push_environments, e) ? "EcrPushAndPull" : "EcrPullOnly"
          Effect   = "Allow"
          Action   = contains(var.image_push_environments, e) ? concat(local.ecr_pull_actions, local.ecr_push_actions) : local.ecr_pull_actions
          Resource = aws_ecr_repository.app.arn
        },
        {
          Sid      = "KubeconfigForOwnCluster"
          Effect   = "Allow"
          Action   = "eks:DescribeCluster"
          Resource = "${local.arn[e].eks}:cluster/${local.arn[e].name}"
        },
      ]
    }
  }

  network_policy = {
    for e in var.environments : e => {
      Version = "2012-10-17"
      Statement = [
        {
          Sid      = "Read"
          Effect   = "Allow"
          Action   = ["ec2:Describe*", "ec2:GetManagedPrefixListEntries"]
          Resource = "*" # Describe calls have no resource-level permissions
        },
        {
          Sid    = "CreateTagged"
          Effect = "Allow"
          Action = [
            "ec2:CreateVpc", "ec2:CreateSubnet", "ec2:CreateInternetGateway", "ec2:CreateNatGateway",
            "ec2:AllocateAddress", "ec2:CreateRouteTable", "ec2:CreateSecurityGroup",
            "ec2:CreateVpcEndpoint", "ec2:CreateFlowLogs",
            "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress",
          ]
          Resource  = "*"
          Condition = { StringEquals = { "aws:RequestTag/environment" = e } }
        },
        {
          Sid      = "TagOnCreate"
          Effect   = "Allow"
          Action   = "ec2:CreateTags"
          Resource = "*"
          Condition = {
            StringEquals = {
              "aws:RequestTag/environment" = e
              "ec2:CreateAction" = [
                "CreateVpc", "CreateSubnet", "CreateInternetGateway", "CreateNatGateway",
                "AllocateAddress", "CreateRouteTable", "CreateSecurityGroup", "CreateVpcEndpoint",
                "CreateFlowLogs", "AuthorizeSecurityGroupIngress",
                "AuthorizeSecurityGroupEgress",
              ]
            }
          }
        },
        {
          Sid    = "ManageTagged"
          Effect = "Allow"
          Action = [
            "ec2:DeleteVpc", "ec2:ModifyVpcAttribute", "ec2:DeleteSubnet", "ec2:ModifySubnetAttribute",
            "ec2:AttachInternetGateway", "ec2:DetachInternetGateway", "ec2:DeleteInternetGateway",
            "ec2:DeleteNatGateway", "ec2:ReleaseAddress", "ec2:DisassociateAddress",
            "ec2:AssociateRouteTable", "ec2:DisassociateRouteTable", "ec2:CreateRoute",
            "ec2:ReplaceRoute", "ec2:DeleteRoute", "ec2:DeleteRouteTable",
            "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress",
            "ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress",
            "ec2:ModifySecurityGroupRules", "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
            "ec2:DeleteSecurityGroup", "ec2:ModifyVpcEndpoint", "ec2:DeleteVpcEndpoints",
            "ec2:DeleteFlowLogs", "ec2:CreateTags",
            "ec2:DeleteTags",
          ]
          Resource  = "*"
          Condition = local.tagged_env[e]
        },
      ]
    }
  }

  platform_policy = {
    for e in var.environments : e => {
      Version = "2012-10-17"
      Statement = [
        {
          Sid    = "OwnPolicies"
          Effect = "Allow"
          Action = [
            "iam:CreatePolicy", "iam:DeletePolicy", "iam:GetPolicy", "iam:GetPolicyVersion",
            "iam:ListPolicyVersions", "iam:CreatePolicyVersion", "iam:DeletePolicyVersion",
            "iam:TagPolicy", "iam:UntagPolicy",
          ]
          Resource = "${local.arn[e].iam}:policy/${local.arn[e].name}-*"
        },
        {
          Sid      = "ServiceLinkedRoles"
          Effect   = "Allow"
          Action   = "iam:CreateServiceLinkedRole"
          Resource = "${local.arn[e].iam}:role/aws-service-role/*"
          Condition = {
            StringEquals = {
              "iam:AWSServiceName" = [
                "eks.amazonaws.com", "rds.amazonaws.com", "elasticache.amazonaws.com",
              ]
            }
          }
        },
        {
          Sid    = "OwnCluster"
          Effect = "Allow"
          Action = "eks:*"
          Resource = [
            "${local.arn[e].eks}:cluster/${local.arn[e].name}",
            "${local.arn[e].eks}:addon/${local.arn[e].name}/*",
            "${local.arn[e].eks}:access-entry/${local.arn[e].name}/*",
            "${local.arn[e].eks}:podidentityassociation/${local.arn[e].name}/*",
          ]
        },
        {
          Sid      = "Catalogs"
          Effect   = "Allow"
          Action   = ["eks:DescribeAddonVersions", "eks:DescribeAddonConfiguration", "eks:DescribeClusterVersions", "eks:ListAccessPolicies", "kms:ListAliases"]
          Resource = "*" # catalog/list calls without resource-level permissions
        },
        {
          Sid       = "CreateTaggedKeys"
          Effect    = "Allow"
          Action    = ["kms:CreateKey", "kms:TagResource"]
          Resource  = "*"
          Condition = { StringEquals = { "aws:RequestTag/environment" = e } }
        },
        {
          Sid    = "UseAndManageTaggedKeys"
          Effect = "Allow"
          Action = [
            "kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:GetKeyRotationStatus",
            "kms:EnableKeyRotation", "kms:ListResourceTags", "kms:TagResource", "kms:UntagResource",
            "kms:ScheduleKeyDeletion", "kms:CreateGrant", "kms:Encrypt", "kms:Decrypt",
            "kms:GenerateDataKey*", "kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias",
          ]
          Resource  = "${local.arn[e].kms}:key/*"
          Condition = local.tagged_env[e]
        },
        {
          Sid      = "OwnAliases"
          Effect   = "Allow"
          Action   = ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"]
          Resource = "${local.arn[e].kms}:alias/${local.arn[e].name}-*"
        },
        {
          Sid    = "OwnLogGroups"
          Effect = "Allow"
          Action = [
            "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy",
            "logs:DeleteRetentionPolicy", "logs:AssociateKmsKey", "logs:DisassociateKmsKey",
            "logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource",
            "logs:TagLogGroup", "logs:ListTagsLogGroup",
          ]
          Resource = [
            "${local.arn[e].logs}:/aws/eks/${local.arn[e].name}/*",
            "${local.arn[e].logs}:/aws/vpc-flow-logs/${local.arn[e].name}",
            "${local.arn[e].logs}:/aws/vpc-flow-logs/${local.arn[e].name}:*",
            "${local.arn[e].logs}:/aws/codebuild/${local.arn[e].name}-runner",
            "${local.arn[e].logs}:/aws/codebuild/${local.arn[e].name}-runner:*",
            "${local.arn[e].logs}:/aws/rds/instance/${local.arn[e].name}/*",
            "${local.arn[e].logs}:/aws/elasticache/${local.arn[e].name}/*",
          ]
        },
        {
          # Log groups are listed account-wide, and ElastiCache's log delivery uses the
          # account-level vended-logs API, which has no resource-level permissions.
          Sid    = "LogsAccountLevel"
          Effect = "Allow"
          Action = [
            "logs:DescribeLogGroups", "logs:CreateLogDelivery", "logs:GetLogDelivery",
            "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries",
            "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
          ]
          Resource = "*"
        },
      ]
    }
  }

  data_policy = {
    for e in var.environments : e => {
      Version = "2012-10-17"
      Statement = [
        {
          # Containers only: no GetSecretValue/PutSecretValue, Terraform never handles values.
          Sid    = "OwnSecretContainers"
          Effect = "Allow"
          Action = [
            "secretsmanager:CreateSecret", "secretsmanager:DeleteSecret", "secretsmanager:DescribeSecret",
            "secretsmanager:UpdateSecret", "secretsmanager:TagResource", "secretsmanager:UntagResource",
            "secretsmanager:GetResourcePolicy", "secretsmanager:RestoreSecret",
          ]
          Resource = "${local.arn[e].secrets}:${var.project}/${e}/*"
        },
        {
          # manage_master_user_password: RDS creates its rds!db-... secret with the caller's rights
          # and tags it with the instance; another environment's (tagged with its instance) is
          # out of reach.
          Sid       = "RdsManagedMasterSecret"
          Effect    = "Allow"
          Action    = ["secretsmanager:CreateSecret", "secretsmanager:TagResource"]
          Resource  = "${local.arn[e].secrets}:rds!*"
          Condition = { StringLikeIfExists = { "secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn" = local.own_db_arn[e] } }
        },
        {
          Sid    = "OwnDatabase"
          Effect = "Allow"
          Action = "rds:*"
          Resource = [
            "${local.arn[e].rds}:db:${local.arn[e].name}",
            "${local.arn[e].rds}:subgrp:${local.arn[e].name}",
            "${local.arn[e].rds}:pg:${local.arn[e].name}-*",
            "${local.arn[e].rds}:snapshot:${local.arn[e].name}-*",
            "${local.arn[e].rds}:og:default:postgres-*",
          ]
        },
        {
          Sid      = "RdsRead"
          Effect   = "Allow"
          Action   = ["rds:Describe*", "rds:ListTagsForResource"]
          Resource = "*"
        },
        {
          Sid    = "OwnCache"
          Effect = "Allow"
          Action = "elasticache:*"
          Resource = [
            "${local.arn[e].cache}:replicationgroup:${local.arn[e].name}",
            "${local.arn[e].cache}:cluster:${local.arn[e].name}-*",
            "${local.arn[e].cache}:subnetgroup:${local.arn[e].name}",
            "${local.arn[e].cache}:snapshot:${local.arn[e].name}*",
            "${local.arn[e].cache}:parametergroup:default.*",
            "${local.arn[e].cache}:parametergroup:${local.arn[e].name}-*",
            "${local.arn[e].cache}:user:${local.arn[e].name}-*",
            "${local.arn[e].cache}:usergroup:${local.arn[e].name}",
          ]
        },
        {
          Sid      = "CacheRead"
          Effect   = "Allow"
          Action   = ["elasticache:Describe*", "elasticache:ListTagsForResource"]
          Resource = "*"
        },
      ]
    }
  }

  # modules/observability (envs/<env>/observability.tf). Its roles, their inline policies and
  # PassRole to Pod Identity are the iam policy's (role names <project>-<env>-*); its KMS keys
  # and aliases, the add-on and the Pod Identity association are the platform policy's; its SSM
  # parameter is the ci policy's; the ALB lookup is the ci policy's load-balancer descriptions.
  observability_policy = {
    for e in var.environments : e => {
      Version = "2012-10-17"
      Statement = [
        {
          # Fluent Bit's, the Container Insights agent's and the Prometheus collector's groups
          # (application, dataplane, host, performance, prometheus), created with retention and
          # the log key before any agent could create them bare; the latency metric filters sit
          # on the application group.
          Sid    = "OwnContainerInsightsLogGroups"
          Effect = "Allow"
          Action = [
            "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy",
            "logs:DeleteRetentionPolicy", "logs:AssociateKmsKey", "logs:DisassociateKmsKey",
            "logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource",
            "logs:TagLogGroup", "logs:ListTagsLogGroup",
            "logs:PutMetricFilter", "logs:DeleteMetricFilter", "logs:DescribeMetricFilters",
          ]
          Resource = "${local.arn[e].logs}:/aws/containerinsights/${local.arn[e].name}/*"
        },
        {
          # The alarm topic and its subscriptions. The Service Authorization Reference gives
          # Get/SetSubscriptionAttributes and Unsubscribe no resource type, but SNS authorizes
          # them against the subscription's topic (its AccessDenied messages name the topic's
          # ARN), so the topic's name fences them too: another environment's pager stays
          # subscribed.
          Sid    = "OwnAlarmTopic"
          Effect = "Allow"
          Action = [
            "sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes",
            "sns:TagResource", "sns:UntagResource", "sns:ListTagsForResource", "sns:Subscribe",
            "sns:Unsubscribe", "sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes",
            "sns:ListSubscriptionsByTopic",
          ]
          Resource = "arn:${local.partition}:sns:*:${local.account_id}:${local.arn[e].name}-*"
        },
        {
          Sid    = "OwnAlarms"
          Effect = "Allow"
          Action = [
            "cloudwatch:PutMetricAlarm", "cloudwatch:PutCompositeAlarm", "cloudwatch:DeleteAlarms",
            "cloudwatch:TagResource", "cloudwatch:UntagResource", "cloudwatch:ListTagsForResource",
          ]
          Resource = "arn:${local.partition}:cloudwatch:*:${local.account_id}:alarm:${local.arn[e].name}-*"
        },
        {
          # CloudWatch authorizes DescribeAlarms against alarm:* even when it names the alarms
          # (a grant on named alarms lets no read through); it only reads.
          Sid      = "DescribeAlarms"
          Effect   = "Allow"
          Action   = "cloudwatch:DescribeAlarms"
          Resource = "arn:${local.partition}:cloudwatch:*:${local.account_id}:alarm:*"
        },
        {
          Sid      = "OwnDashboard"
          Effect   = "Allow"
          Action   = ["cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards"]
          Resource = "arn:${local.partition}:cloudwatch::${local.account_id}:dashboard/${local.arn[e].name}"
        },
        {
          # The ALB access-log bucket and its configuration, named exactly; no object access (the
          # load balancer writes the logs, people read them with their own rights). Deleting a
          # PAB, an ownership rule, an encryption or lifecycle configuration is a Put* in IAM.
          Sid    = "OwnAlbLogBucket"
          Effect = "Allow"
          Action = [
            "s3:CreateBucket", "s3:DeleteBucket", "s3:ListBucket", "s3:GetBucketLocation",
            "s3:GetBucketTagging", "s3:PutBucketTagging", "s3:GetBucketPolicy", "s3:PutBucketPolicy",
            "s3:DeleteBucketPolicy", "s3:GetBucketAcl", "s3:GetBucketCORS", "s3:GetBucketWebsite",
            "s3:GetBucketVersioning", "s3:PutBucketVersioning", "s3:GetAccelerateConfiguration",
            "s3:GetBucketRequestPayment", "s3:GetBucketLogging", "s3:GetLifecycleConfiguration",
            "s3:PutLifecycleConfiguration", "s3:GetReplicationConfiguration",
            "s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration",
            "s3:GetBucketObjectLockConfiguration", "s3:GetBucketOwnershipControls",
            "s3:PutBucketOwnershipControls", "s3:GetBucketPublicAccessBlock",
            "s3:PutBucketPublicAccessBlock",
          ]
          Resource = "arn:${local.partition}:s3:::${local.arn[e].name}-alb-logs-${local.account_id}"
        },
      ]
    }
  }

  deploy_policies = merge([
    for e in var.environments : {
      "${e}/delivery"      = local.delivery_policy[e]
      "${e}/network"       = local.network_policy[e]
      "${e}/platform"      = local.platform_policy[e]
      "${e}/data"          = local.data_policy[e]
      "${e}/iam"           = local.iam_policy[e]
      "${e}/ci"            = local.ci_policy[e]
      "${e}/observability" = local.observability_policy[e]
    }
  ]...)
}

resource "aws_iam_policy" "deploy" {
  for_each = local.deploy_policies

  name        = "${var.project}-deploy-${replace(each.key, "/", "-")}"
  description = "${split("/", each.key)[1]} rights of ${var.project}-deploy-${split("/", each.key)[0]}"
  policy      = jsonencode(each.value)
  tags        = { environment = split("/", each.key)[0] }
}

resource "aws_iam_role_policy_attachment" "deploy" {
  for_each = local.deploy_policies

  role       = aws_iam_role.deploy[split("/", each.key)[0]].name
  policy_arn = aws_iam_policy.deploy[each.key].arn
}
