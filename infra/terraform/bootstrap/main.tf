data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  root_arn   = "arn:${local.partition}:iam::${local.account_id}:root"

  state_bucket_name = coalesce(var.state_bucket_name, "${var.project}-tfstate-${local.account_id}-${var.region}")

  # Each environment's state (and its .tflock lock object) lives under its own prefix, which is
  # all that environment's deploy role can touch.
  state_prefix = { for e in var.environments : e => "${var.project}/${e}/" }

  ecr_repository_name = var.project
}

# A key policy that leaves use to IAM policies, as AWS's default does, but written down so
# reviewers and checkov see it.
locals {
  account_key_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AccountAdministration"
      Effect    = "Allow"
      Principal = { AWS = local.root_arn }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}

# =============================================================================================
# Terraform state bucket (S3 native locking: use_lockfile = true, no DynamoDB table)
# =============================================================================================

resource "aws_kms_key" "state" {
  description             = "${var.project} Terraform state"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = local.account_key_policy
}

resource "aws_kms_alias" "state" {
  name          = "alias/${var.project}-tfstate"
  target_key_id = aws_kms_key.state.key_id
}

resource "aws_s3_bucket" "state" {
  bucket = local.state_bucket_name
  # Never: deleting state by accident is the one mistake that cannot be planned away.
  force_destroy = false
}

resource "aws_s3_bucket_ownership_controls" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket                  = aws_s3_bucket.state.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.state.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    id     = "expire-old-state-versions"
    status = "Enabled"
    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.state_noncurrent_version_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.state]
}

locals {
  state_bucket_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.state.arn, "${aws_s3_bucket.state.arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
      {
        # Objects without the header get the bucket's KMS default; asking for anything else
        # (e.g. SSE-S3) is refused.
        Sid       = "DenyNonKmsStateWrites"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:PutObject"
        Resource  = "${aws_s3_bucket.state.arn}/*"
        Condition = { StringNotEqualsIfExists = { "s3:x-amz-server-side-encryption" = "aws:kms" } }
      },
    ]
  }
}

resource "aws_s3_bucket_policy" "state" {
  bucket = aws_s3_bucket.state.id
  policy = jsonencode(local.state_bucket_policy)

  depends_on = [aws_s3_bucket_public_access_block.state]
}

# =============================================================================================
# ECR repository, shared by all environments: built once in dev, promoted by digest
# =============================================================================================

resource "aws_kms_key" "ecr" {
  description             = "${var.project} container images"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = local.account_key_policy
}

resource "aws_kms_alias" "ecr" {
  name          = "alias/${var.project}-ecr"
  target_key_id = aws_kms_key.ecr.key_id
}

resource "aws_ecr_repository" "app" {
  name                 = local.ecr_repository_name
  image_tag_mutability = "IMMUTABLE" # a SHA tag always means the same image
  force_delete         = false

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = aws_kms_key.ecr.arn
  }
}

locals {
  # Untagged images (build leftovers) expire after days; tagged ones (one per dev build, by
  # commit SHA) beyond the newest ecr_tagged_images_kept, so the repository stops growing
  # while every release a rollback could want (weeks of dev builds) stays.
  ecr_lifecycle_policy = {
    rules = [
      {
        rulePriority = 1
        description  = "Expire untagged images after ${var.ecr_untagged_expiry_days} days"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = var.ecr_untagged_expiry_days
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Keep the newest ${var.ecr_tagged_images_kept} tagged images"
        selection = {
          tagStatus      = "tagged"
          tagPatternList = ["*"]
          countType      = "imageCountMoreThan"
          countNumber    = var.ecr_tagged_images_kept
        }
        action = { type = "expire" }
      },
    ]
  }
}

resource "aws_ecr_lifecycle_policy" "app" {
  repository = aws_ecr_repository.app.name
  policy     = jsonencode(local.ecr_lifecycle_policy)
}

# =============================================================================================
# GitHub Actions OIDC and one deploy role per environment
# =============================================================================================

resource "aws_iam_openid_connect_provider" "github" {
  count = var.create_github_oidc_provider ? 1 : 0

  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

data "aws_iam_openid_connect_provider" "github" {
  count = var.create_github_oidc_provider ? 0 : 1

  url = "https://token.actions.githubusercontent.com"
}

locals {
  github_oidc_provider_arn = var.create_github_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : data.aws_iam_openid_connect_provider.github[0].arn

  # Only a job of this repository running in the GitHub Environment <env> (which carries that
  # environment's reviewers and branch rules) can assume the role. sub is matched exactly:
  # no wildcard, so no other repository, branch or pull request qualifies.
  deploy_trust_policy = {
    for e in var.environments : e => {
      Version = "2012-10-17"
      Statement = [{
        Sid       = "GitHubEnvironment"
        Effect    = "Allow"
        Principal = { Federated = local.github_oidc_provider_arn }
        Action    = "sts:AssumeRoleWithWebIdentity"
        Condition = {
          StringEquals = {
            "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
            "token.actions.githubusercontent.com:sub" = "repo:${var.github_repository}:environment:${e}"
          }
        }
      }]
    }
  }
}

resource "aws_iam_role" "deploy" {
  for_each = var.environments

  name                 = "${var.project}-deploy-${each.key}"
  description          = "GitHub Actions in ${var.github_repository}, environment ${each.key}: image, Terraform and kubectl deploys"
  assume_role_policy   = jsonencode(local.deploy_trust_policy[each.key])
  max_session_duration = 3600
  tags                 = { environment = each.key }
}
