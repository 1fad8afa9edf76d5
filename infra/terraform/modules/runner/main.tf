# The environment's CI runner: an AWS CodeBuild project that GitHub Actions uses as a hosted
# runner (a webhook on WORKFLOW_JOB_QUEUED starts one build per queued job whose
# `runs-on` is codebuild-<project>-<run id>-<attempt>). It runs in the private subnets, so
# kubectl reaches the private EKS endpoint through the security-group rule the cluster module
# adds for it. Its own role can only write its logs, attach to the VPC and use the GitHub
# connection: the jobs get AWS rights from GitHub OIDC and the Environment's deploy role.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  project_name   = "${var.name}-runner"
  log_group_name = "/aws/codebuild/${local.project_name}"
  account_id     = data.aws_caller_identity.current.account_id
  partition      = data.aws_partition.current.partition
  region         = data.aws_region.current.name

  subnet_arns = [for s in var.private_subnet_ids : "arn:${local.partition}:ec2:${local.region}:${local.account_id}:subnet/${s}"]

  runner_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "OwnLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.runner.arn}:*"
      },
      {
        # CodeBuild attaches the build container to the VPC with an ENI; Describe and the ENI
        # calls have no resource-level permissions.
        Sid    = "VpcAttachment"
        Effect = "Allow"
        Action = [
          "ec2:CreateNetworkInterface", "ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces",
          "ec2:DeleteNetworkInterface", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
          "ec2:DescribeVpcs",
        ]
        Resource = "*"
      },
      {
        Sid      = "VpcAttachmentInOwnSubnets"
        Effect   = "Allow"
        Action   = "ec2:CreateNetworkInterfacePermission"
        Resource = "arn:${local.partition}:ec2:${local.region}:${local.account_id}:network-interface/*"
        Condition = {
          StringEquals = { "ec2:AuthorizedService" = "codebuild.amazonaws.com" }
          ArnEquals    = { "ec2:Subnet" = local.subnet_arns }
        }
      },
      {
        Sid      = "OwnKey"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
        Resource = module.key.arn
      },
      {
        Sid    = "GitHubConnection"
        Effect = "Allow"
        Action = [
          "codeconnections:UseConnection", "codeconnections:GetConnection", "codeconnections:GetConnectionToken",
          "codestar-connections:UseConnection", "codestar-connections:GetConnection", "codestar-connections:GetConnectionToken",
        ]
        Resource = var.github_connection_arn
      },
    ]
  }
}

module "key" {
  source          = "../log-key"
  name            = local.project_name
  description     = "${local.project_name} build logs and output"
  log_group_names = [local.log_group_name]
  tags            = var.tags
}

moved {
  from = aws_kms_key.runner
  to   = module.key.aws_kms_key.this
}

moved {
  from = aws_kms_alias.runner
  to   = module.key.aws_kms_alias.this
}

resource "aws_security_group" "runner" {
  name        = local.project_name
  description = "CI runner of ${var.name}: no inbound; HTTPS out (GitHub, AWS APIs, the Kubernetes API)"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = local.project_name })
}

resource "aws_vpc_security_group_egress_rule" "runner_https" {
  security_group_id = aws_security_group.runner.id
  description       = "HTTPS: GitHub, AWS APIs (through NAT or VPC endpoints), the cluster endpoint"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
  tags              = var.tags
}

resource "aws_vpc_security_group_egress_rule" "runner_dns" {
  security_group_id = aws_security_group.runner.id
  description       = "DNS through the VPC resolver"
  ip_protocol       = "udp"
  from_port         = 53
  to_port           = 53
  cidr_ipv4         = var.vpc_cidr
  tags              = var.tags
}

resource "aws_cloudwatch_log_group" "runner" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = module.key.arn
  tags              = var.tags
}

resource "aws_iam_role" "runner" {
  name                 = local.project_name
  description          = "CodeBuild service role of the ${var.name} GitHub Actions runner: logs, VPC attachment, GitHub connection only"
  permissions_boundary = var.permissions_boundary_arn
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "codebuild.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "aws:SourceAccount" = local.account_id }
      }
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy" "runner" {
  name   = "runner"
  role   = aws_iam_role.runner.id
  policy = jsonencode(local.runner_policy)
}

resource "aws_codebuild_project" "runner" {
  name               = local.project_name
  description        = "GitHub Actions runner for ${var.github_repository} jobs of environment ${var.environment}, inside ${var.name}'s VPC"
  service_role       = aws_iam_role.runner.arn
  build_timeout      = var.build_timeout_minutes
  queued_timeout     = 60
  encryption_key     = module.key.arn
  project_visibility = "PRIVATE"

  artifacts {
    type = "NO_ARTIFACTS"
  }

  environment {
    type         = "LINUX_CONTAINER"
    compute_type = var.compute_type
    image        = var.image
    # No Docker daemon: jobs on this runner deploy, they never build images.
    privileged_mode             = false
    image_pull_credentials_type = "CODEBUILD"
  }

  source {
    type                = "GITHUB"
    location            = "https://github.com/${var.github_repository}.git"
    git_clone_depth     = 1
    report_build_status = false

    auth {
      type     = "CODECONNECTIONS"
      resource = var.github_connection_arn
    }
  }

  vpc_config {
    vpc_id             = var.vpc_id
    subnets            = var.private_subnet_ids
    security_group_ids = [aws_security_group.runner.id]
  }

  logs_config {
    cloudwatch_logs {
      group_name = aws_cloudwatch_log_group.runner.name
      status     = "ENABLED"
    }
    s3_logs {
      status = "DISABLED"
    }
  }

  tags = var.tags
}

# One build per queued job. Only jobs of the deploy workflow (which calls release.yml) may land here: the runner sits
# in the VPC next to the cluster, and other workflows (pull requests included) have no
# business there. AWS rights still come only from the Environment-bound OIDC role.
resource "aws_codebuild_webhook" "runner" {
  project_name = aws_codebuild_project.runner.name
  build_type   = "BUILD"

  filter_group {
    filter {
      type    = "EVENT"
      pattern = "WORKFLOW_JOB_QUEUED"
    }
    filter {
      type    = "WORKFLOW_NAME"
      pattern = var.workflow_name_pattern
    }
  }
}
