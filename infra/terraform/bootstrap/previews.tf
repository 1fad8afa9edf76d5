# Pull-request previews (docs/previews.md): the role the preview workflow assumes, and what the
# environment's deploy role needs to apply modules/previews. Both only in the account of
# var.preview_environment (dev), and only when that environment is one of var.environments.
#
# The workflow runs for same-repository pull requests, whose code nobody has reviewed yet: its
# role may create, change and delete only resources named for a preview (pr-<n>) and tagged
# preview=pr-<n>, push only to the previews' own image repository, and pass only the two preview
# task roles to ECS tasks. The shared pieces Terraform makes are tagged preview=shared and are
# out of its reach. tests/previews.tftest.hcl checks this.

variable "preview_environment" {
  description = "Environment whose account and VPC run the pull-request previews (its GitHub Environment is `preview`); null: no previews."
  type        = string
  default     = "dev"

  validation {
    condition     = var.preview_environment == null || contains(["dev", "uat", "prod"], coalesce(var.preview_environment, "none"))
    error_message = "preview_environment must be dev, uat, prod or null."
  }
}

locals {
  preview_envs = var.preview_environment != null && contains(tolist(var.environments), coalesce(var.preview_environment, "none")) ? toset([var.preview_environment]) : toset([])

  # Names modules/previews gives the shared pieces and .github/scripts/preview-*.sh the
  # per-preview ones, as ARN patterns.
  preview_arn = {
    for e in local.preview_envs : e => {
      cluster      = "arn:${local.partition}:ecs:*:${local.account_id}:cluster/${local.arn[e].name}-previews"
      services     = "arn:${local.partition}:ecs:*:${local.account_id}:service/${local.arn[e].name}-previews/pr-*"
      task_defs    = "arn:${local.partition}:ecs:*:${local.account_id}:task-definition/${local.arn[e].name}-pr-*:*"
      target_group = "arn:${local.partition}:elasticloadbalancing:*:${local.account_id}:targetgroup/${local.arn[e].name}-pr-*/*"
      listener     = "arn:${local.partition}:elasticloadbalancing:*:${local.account_id}:listener/app/${local.arn[e].name}-previews/*/*"
      rules        = "arn:${local.partition}:elasticloadbalancing:*:${local.account_id}:listener-rule/app/${local.arn[e].name}-previews/*/*/*"
      load_bal     = "arn:${local.partition}:elasticloadbalancing:*:${local.account_id}:loadbalancer/app/${local.arn[e].name}-previews/*"
      repository   = "arn:${local.partition}:ecr:*:${local.account_id}:repository/${local.arn[e].name}-previews"
      secrets      = "${local.arn[e].secrets}:${var.project}/${e}/previews/pr-*"
      logs         = "${local.arn[e].logs}:/aws/ecs/${local.arn[e].name}-previews"
      config       = "${local.ssm_arn}/${var.project}/${e}/previews/config"
      task_roles   = ["${local.arn[e].iam}:role/${local.arn[e].name}-preview-execution", "${local.arn[e].iam}:role/${local.arn[e].name}-preview-task"]
    }
  }

  preview_tag_created = { StringLike = { "aws:RequestTag/preview" = "pr-*" } }
  preview_tagged      = { StringLike = { "aws:ResourceTag/preview" = "pr-*" } }

  preview_policy = {
    for e in local.preview_envs : e => {
      Version = "2012-10-17"
      Statement = [
        {
          Sid      = "ReadPreviewConfig"
          Effect   = "Allow"
          Action   = "ssm:GetParameter"
          Resource = local.preview_arn[e].config
        },
        {
          Sid      = "EcrLogin"
          Effect   = "Allow"
          Action   = "ecr:GetAuthorizationToken"
          Resource = "*" # no resource-level permissions
        },
        {
          Sid      = "PushPreviewImages"
          Effect   = "Allow"
          Action   = concat(local.ecr_pull_actions, local.ecr_push_actions)
          Resource = local.preview_arn[e].repository
        },
        {
          Sid    = "Read"
          Effect = "Allow"
          Action = [
            "ecs:ListServices", "ecs:DescribeServices", "ecs:ListTasks", "ecs:DescribeTasks",
            "ecs:ListTaskDefinitions", "elasticloadbalancing:DescribeTargetGroups",
            "elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTags",
            "secretsmanager:ListSecrets",
          ]
          Resource = "*" # list and describe calls, most without resource-level permissions
        },
        {
          Sid      = "ReadPreviewLogs"
          Effect   = "Allow"
          Action   = "logs:FilterLogEvents" # a failed deploy prints the containers' last lines
          Resource = "${local.preview_arn[e].logs}:*"
        },
        {
          Sid       = "RegisterPreviewTaskDefinitions"
          Effect    = "Allow"
          Action    = "ecs:RegisterTaskDefinition"
          Resource  = "*" # the family is chosen by the request; the tag condition binds it
          Condition = local.preview_tag_created
        },
        {
          Sid      = "CreatePreviewServices"
          Effect   = "Allow"
          Action   = "ecs:CreateService"
          Resource = local.preview_arn[e].services
          Condition = merge(local.preview_tag_created, {
            ArnLike = { "ecs:cluster" = local.preview_arn[e].cluster }
          })
        },
        {
          Sid      = "TagPreviewsOnCreate"
          Effect   = "Allow"
          Action   = "ecs:TagResource"
          Resource = "*"
          Condition = merge(local.preview_tag_created, {
            StringEquals = { "ecs:CreateAction" = ["CreateService", "RegisterTaskDefinition"] }
          })
        },
        {
          # TagResource: the last-deployed tag the idle expiry reads.
          Sid       = "ManagePreviewServices"
          Effect    = "Allow"
          Action    = ["ecs:UpdateService", "ecs:DeleteService", "ecs:TagResource"]
          Resource  = local.preview_arn[e].services
          Condition = local.preview_tagged
        },
        {
          Sid      = "RetirePreviewTaskDefinitions"
          Effect   = "Allow"
          Action   = ["ecs:DeregisterTaskDefinition", "ecs:DeleteTaskDefinitions"]
          Resource = local.preview_arn[e].task_defs
        },
        {
          Sid       = "PassPreviewTaskRoles"
          Effect    = "Allow"
          Action    = "iam:PassRole"
          Resource  = local.preview_arn[e].task_roles
          Condition = { StringEquals = { "iam:PassedToService" = ["ecs-tasks.amazonaws.com"] } }
        },
        {
          Sid       = "CreatePreviewTargetGroups"
          Effect    = "Allow"
          Action    = "elasticloadbalancing:CreateTargetGroup"
          Resource  = local.preview_arn[e].target_group
          Condition = local.preview_tag_created
        },
        {
          Sid       = "CreatePreviewRules"
          Effect    = "Allow"
          Action    = "elasticloadbalancing:CreateRule"
          Resource  = [local.preview_arn[e].listener, local.preview_arn[e].rules]
          Condition = local.preview_tag_created
        },
        {
          Sid      = "TagLoadBalancingOnCreate"
          Effect   = "Allow"
          Action   = "elasticloadbalancing:AddTags"
          Resource = [local.preview_arn[e].target_group, local.preview_arn[e].rules]
          Condition = merge(local.preview_tag_created, {
            StringEquals = { "elasticloadbalancing:CreateAction" = ["CreateTargetGroup", "CreateRule"] }
          })
        },
        {
          Sid    = "ManagePreviewLoadBalancing"
          Effect = "Allow"
          Action = [
            "elasticloadbalancing:ModifyRule", "elasticloadbalancing:DeleteRule",
            "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DeleteTargetGroup",
          ]
          Resource  = [local.preview_arn[e].target_group, local.preview_arn[e].rules]
          Condition = local.preview_tagged
        },
        {
          # The workflow writes a preview's SECRET_KEY once, at creation, and never reads it.
          Sid       = "CreatePreviewSecrets"
          Effect    = "Allow"
          Action    = ["secretsmanager:CreateSecret", "secretsmanager:TagResource"]
          Resource  = local.preview_arn[e].secrets
          Condition = local.preview_tag_created
        },
        {
          Sid       = "ManagePreviewSecrets"
          Effect    = "Allow"
          Action    = ["secretsmanager:DescribeSecret", "secretsmanager:DeleteSecret"]
          Resource  = local.preview_arn[e].secrets
          Condition = local.preview_tagged
        },
      ]
    }
  }

  # The deploy role applies envs/<env> including modules/previews: cluster, load balancer and
  # listener, image repository, log group, and the service-linked roles of ECS and ELB. IAM
  # roles, security groups, KMS, SSM, ACM are covered by its other policies (names and tags).
  deploy_previews_policy = {
    for e in local.preview_envs : e => {
      Version = "2012-10-17"
      Statement = [
        {
          Sid    = "PreviewCluster"
          Effect = "Allow"
          Action = [
            "ecs:CreateCluster", "ecs:DeleteCluster", "ecs:UpdateCluster", "ecs:UpdateClusterSettings",
            "ecs:PutClusterCapacityProviders", "ecs:DescribeClusters", "ecs:TagResource",
            "ecs:UntagResource", "ecs:ListTagsForResource",
          ]
          Resource = local.preview_arn[e].cluster
        },
        {
          Sid    = "PreviewLoadBalancer"
          Effect = "Allow"
          Action = [
            "elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:DeleteLoadBalancer",
            "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetSecurityGroups",
            "elasticloadbalancing:SetSubnets", "elasticloadbalancing:CreateListener",
            "elasticloadbalancing:DeleteListener", "elasticloadbalancing:ModifyListener",
            "elasticloadbalancing:ModifyListenerAttributes", "elasticloadbalancing:AddTags",
            "elasticloadbalancing:RemoveTags",
          ]
          Resource = [local.preview_arn[e].load_bal, local.preview_arn[e].listener]
        },
        {
          Sid    = "LoadBalancingRead"
          Effect = "Allow"
          Action = [
            "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes",
            "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerAttributes",
            "elasticloadbalancing:DescribeListenerCertificates", "elasticloadbalancing:DescribeSSLPolicies",
            "elasticloadbalancing:DescribeTags", "elasticloadbalancing:DescribeRules",
          ]
          Resource = "*" # describe calls without resource-level permissions
        },
        {
          Sid      = "ServiceLinkedRoles"
          Effect   = "Allow"
          Action   = "iam:CreateServiceLinkedRole"
          Resource = "${local.arn[e].iam}:role/aws-service-role/*"
          Condition = {
            StringEquals = { "iam:AWSServiceName" = ["ecs.amazonaws.com", "elasticloadbalancing.amazonaws.com"] }
          }
        },
        {
          Sid    = "PreviewRepository"
          Effect = "Allow"
          Action = [
            "ecr:CreateRepository", "ecr:DeleteRepository", "ecr:DescribeRepositories",
            "ecr:PutLifecyclePolicy", "ecr:GetLifecyclePolicy", "ecr:DeleteLifecyclePolicy",
            "ecr:PutImageScanningConfiguration", "ecr:PutImageTagMutability", "ecr:TagResource",
            "ecr:UntagResource", "ecr:ListTagsForResource", "ecr:GetRepositoryPolicy",
            "ecr:ListImages", "ecr:BatchDeleteImage",
          ]
          Resource = local.preview_arn[e].repository
        },
        {
          Sid    = "PreviewLogGroup"
          Effect = "Allow"
          Action = [
            "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy",
            "logs:DeleteRetentionPolicy", "logs:AssociateKmsKey", "logs:DisassociateKmsKey",
            "logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource",
            "logs:TagLogGroup", "logs:ListTagsLogGroup",
          ]
          Resource = [local.preview_arn[e].logs, "${local.preview_arn[e].logs}:*"]
        },
        {
          # With route53_zone_id set: *.<domain> as an alias of the load balancer (the ci
          # policy allows only ACM's _ validation CNAMEs). Route 53 escapes * as \052.
          Sid      = "PreviewWildcardRecord"
          Effect   = "Allow"
          Action   = "route53:ChangeResourceRecordSets"
          Resource = "arn:${local.partition}:route53:::hostedzone/*"
          Condition = {
            "ForAllValues:StringEquals" = { "route53:ChangeResourceRecordSetsRecordTypes" = ["A"] }
            "ForAllValues:StringLike"   = { "route53:ChangeResourceRecordSetsNormalizedRecordNames" = ["\\052.previews.*"] }
          }
        },
      ]
    }
  }

  # Only a job of this repository running in the GitHub Environment `preview` gets the role;
  # preview.yml runs that job for same-repository pull requests only (forks get no OIDC token
  # and are skipped).
  preview_trust_policy = {
    Version = "2012-10-17"
    Statement = [{
      Sid       = "GitHubPreviewEnvironment"
      Effect    = "Allow"
      Principal = { Federated = local.github_oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = "repo:${var.github_repository}:environment:preview"
        }
      }
    }]
  }
}

resource "aws_iam_role" "preview" {
  for_each = local.preview_envs

  name                 = "${var.project}-preview-${each.key}"
  description          = "GitHub Actions in ${var.github_repository}, environment preview: pull-request previews on ECS in ${each.key}"
  assume_role_policy   = jsonencode(local.preview_trust_policy)
  max_session_duration = 3600
  tags                 = { environment = each.key }
}

resource "aws_iam_policy" "preview" {
  for_each = local.preview_envs

  name        = "${var.project}-preview-${each.key}"
  description = "Pull-request previews in ${each.key}: only preview-named, preview-tagged ECS, ELB, Secrets Manager and ECR resources"
  policy      = jsonencode(local.preview_policy[each.key])
  tags        = { environment = each.key }
}

resource "aws_iam_role_policy_attachment" "preview" {
  for_each = local.preview_envs

  role       = aws_iam_role.preview[each.key].name
  policy_arn = aws_iam_policy.preview[each.key].arn
}

resource "aws_iam_policy" "deploy_previews" {
  for_each = local.preview_envs

  name        = "${var.project}-deploy-${each.key}-previews"
  description = "previews rights of ${var.project}-deploy-${each.key}: apply modules/previews"
  policy      = jsonencode(local.deploy_previews_policy[each.key])
  tags        = { environment = each.key }
}

resource "aws_iam_role_policy_attachment" "deploy_previews" {
  for_each = local.preview_envs

  role       = aws_iam_role.deploy[each.key].name
  policy_arn = aws_iam_policy.deploy_previews[each.key].arn
}

output "preview_role_arns" {
  description = "Role of the preview workflow per previews environment; the GitHub Environment `preview` needs AWS_ACCOUNT_ID of that account."
  value       = { for e, r in aws_iam_role.preview : e => r.arn }
}
