# =============================================================================================
# Read-only plan role per environment: pull requests show the plan before anyone approves it
# =============================================================================================

locals {
  # Pull-request jobs are not bound to an Environment (they must not wait for reviewers to
  # show a plan), so their token's sub is repo:<owner/name>:pull_request: every pull request
  # of the repository can assume every plan role. So the role writes nothing at all (plans run
  # with -lock=false, and the plan a reviewer saw travels as an artifact of its own workflow
  # run): no pull request can put a plan where an apply would read it. The apply re-plans
  # inside the environment-gated job and applies only a plan equal to the reviewed one.
  plan_trust_policy = {
    Version = "2012-10-17"
    Statement = [{
      Sid       = "GitHubPullRequests"
      Effect    = "Allow"
      Principal = { Federated = local.github_oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = "repo:${var.github_repository}:pull_request"
        }
      }
    }]
  }

  plan_state_policy = {
    for e in var.environments : e => {
      Version = "2012-10-17"
      Statement = [
        {
          Sid      = "ReadOwnState"
          Effect   = "Allow"
          Action   = "s3:GetObject"
          Resource = "${aws_s3_bucket.state.arn}/${local.state_prefix[e]}*"
        },
        {
          Sid      = "StateKey"
          Effect   = "Allow"
          Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
          Resource = aws_kms_key.state.arn
        },
        {
          # ReadOnlyAccess reads every bucket; another environment's state stays out of reach.
          Sid         = "NoOtherState"
          Effect      = "Deny"
          Action      = "s3:GetObject"
          NotResource = "${aws_s3_bucket.state.arn}/${local.state_prefix[e]}*"
          Condition   = { StringEquals = { "s3:ResourceAccount" = local.account_id } }
        },
        {
          # ReadOnlyAccess writes nothing; this holds even if someone attaches more later.
          Sid      = "NoStateWrites"
          Effect   = "Deny"
          Action   = ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"]
          Resource = "${aws_s3_bucket.state.arn}/*"
        },
        {
          Sid      = "NoSecretValues"
          Effect   = "Deny"
          Action   = ["secretsmanager:GetSecretValue", "ssm:GetParameterHistory"]
          Resource = "*"
        },
      ]
    }
  }
}

resource "aws_iam_role" "plan" {
  for_each = var.environments

  name                 = "${var.project}-plan-${each.key}"
  description          = "GitHub Actions pull requests of ${var.github_repository}: read-only terraform plan of ${each.key}"
  assume_role_policy   = jsonencode(local.plan_trust_policy)
  max_session_duration = 3600
  tags                 = { environment = each.key }
}

resource "aws_iam_role_policy_attachment" "plan_read_only" {
  for_each = var.environments

  role       = aws_iam_role.plan[each.key].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/ReadOnlyAccess"
}

resource "aws_iam_role_policy" "plan_state" {
  for_each = var.environments

  name   = "own-state-read-only"
  role   = aws_iam_role.plan[each.key].id
  policy = jsonencode(local.plan_state_policy[each.key])
}

# =============================================================================================
# GitHub connection for the environments' CodeBuild-hosted runners
# =============================================================================================

# Created PENDING: an administrator authorises it once in the console (Developer Tools >
# Settings > Connections > Update pending connection), which installs the AWS Connector for
# GitHub app on the repository. Environment roots read its ARN from SSM.
resource "aws_codeconnections_connection" "github" {
  name          = "${var.project}-github"
  provider_type = "GitHub"
}

# Two resources, not one for_each: the repository name must not wait for the connection.
resource "aws_ssm_parameter" "github_connection_arn" {
  name        = "/${var.project}/bootstrap/github-connection-arn"
  description = "GitHub connection of the environments' runners, published by the bootstrap root"
  type        = "String"
  value       = aws_codeconnections_connection.github.arn
}

resource "aws_ssm_parameter" "github_repository" {
  name        = "/${var.project}/bootstrap/github-repository"
  description = "Repository the environments' runners serve, published by the bootstrap root"
  type        = "String"
  value       = var.github_repository
}
